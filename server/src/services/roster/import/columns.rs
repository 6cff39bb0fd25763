//! The columns of a roster file, found by the header's names: the template's Chinese ones, or
//! English ones. Other columns (a 备注, a 序号) are ignored.

use jifen_shared::domain::MemberStatus;

/// The template's header, in order.
pub const TEMPLATE_HEADER: [&str; 4] = ["姓名", "手机号", "状态", "用户名"];

/// What a column holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    Name,
    Phone,
    Status,
    Username,
}

impl Field {
    /// The field a header names, if any.
    fn named(header: &str) -> Option<Field> {
        let h: String = header
            .trim()
            .trim_start_matches('\u{feff}')
            .trim_end_matches(['*', '＊'])
            .trim()
            .to_lowercase();
        Some(match h.as_str() {
            "姓名" | "name" => Field::Name,
            "手机号" | "手机号码" | "手机" | "phone" | "mobile" => Field::Phone,
            "状态" | "status" => Field::Status,
            "用户名" | "username" | "user name" => Field::Username,
            _ => return None,
        })
    }

    /// The template's name of the column, for a problem in a column the file does not have.
    pub fn template_name(self) -> &'static str {
        match self {
            Field::Name => TEMPLATE_HEADER[0],
            Field::Phone => TEMPLATE_HEADER[1],
            Field::Status => TEMPLATE_HEADER[2],
            Field::Username => TEMPLATE_HEADER[3],
        }
    }
}

/// Where each field is, and what the file calls it.
#[derive(Debug, Clone, Default)]
pub struct Columns {
    found: Vec<(Field, usize, String)>,
}

impl Columns {
    /// Reads the header row; the first column of each field counts.
    pub fn of(header: &[String]) -> Self {
        let mut found: Vec<(Field, usize, String)> = Vec::new();
        for (i, h) in header.iter().enumerate() {
            if let Some(f) = Field::named(h) {
                if !found.iter().any(|(g, _, _)| *g == f) {
                    found.push((f, i, h.trim().trim_start_matches('\u{feff}').to_owned()));
                }
            }
        }
        Self { found }
    }

    pub fn has(&self, f: Field) -> bool {
        self.found.iter().any(|(g, _, _)| *g == f)
    }

    pub fn index(&self, f: Field) -> Option<usize> {
        self.found
            .iter()
            .find(|(g, _, _)| *g == f)
            .map(|(_, i, _)| *i)
    }

    /// The column's header as the file writes it.
    pub fn header(&self, f: Field) -> String {
        self.found
            .iter()
            .find(|(g, _, _)| *g == f)
            .map(|(_, _, h)| h.clone())
            .unwrap_or_else(|| f.template_name().to_owned())
    }
}

/// A status cell: 正式 / 流动 (the template's words) or `active` / `migrant`; empty is none.
pub fn status(cell: &str) -> Result<Option<MemberStatus>, ()> {
    match cell.trim().to_lowercase().as_str() {
        "" => Ok(None),
        "正式" | "正式党员" | "在册" | "active" => Ok(Some(MemberStatus::Active)),
        "流动" | "流动党员" | "外出" | "migrant" => Ok(Some(MemberStatus::Migrant)),
        _ => Err(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_are_found_in_either_language_and_any_order() {
        let header: Vec<String> = ["序号", "Phone", "\u{feff}姓名*", "状态"]
            .map(String::from)
            .to_vec();
        let c = Columns::of(&header);
        assert_eq!(c.index(Field::Name), Some(2));
        assert_eq!(c.index(Field::Phone), Some(1));
        assert_eq!(c.header(Field::Phone), "Phone");
        assert!(!c.has(Field::Username));
        assert_eq!(c.header(Field::Username), "用户名");
    }

    #[test]
    fn statuses_in_the_template_words_and_in_english() {
        assert_eq!(status("正式"), Ok(Some(MemberStatus::Active)));
        assert_eq!(status(" Migrant "), Ok(Some(MemberStatus::Migrant)));
        assert_eq!(status(""), Ok(None));
        assert_eq!(status("预备"), Err(()));
    }
}
