//! The two languages Jifen speaks.

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    /// Simplified Chinese, the default.
    #[default]
    ZhCn,
    En,
}

impl Lang {
    /// The BCP 47 tag: `zh-CN` or `en`.
    pub fn tag(self) -> &'static str {
        match self {
            Lang::ZhCn => "zh-CN",
            Lang::En => "en",
        }
    }

    /// Picks the first language in an `Accept-Language` header that we speak; zh-CN otherwise.
    pub fn from_accept_language(header: &str) -> Self {
        for part in header.split(',') {
            let tag = part
                .split(';')
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase();
            if tag.starts_with("zh") {
                return Lang::ZhCn;
            }
            if tag.starts_with("en") {
                return Lang::En;
            }
        }
        Lang::ZhCn
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_spoken_language_wins() {
        assert_eq!(Lang::from_accept_language("en-US,en;q=0.9"), Lang::En);
        assert_eq!(
            Lang::from_accept_language("zh-CN,zh;q=0.9,en;q=0.8"),
            Lang::ZhCn
        );
        assert_eq!(Lang::from_accept_language("fr-FR, en;q=0.5"), Lang::En);
        assert_eq!(Lang::from_accept_language(""), Lang::ZhCn);
        assert_eq!(Lang::from_accept_language("de"), Lang::ZhCn);
    }
}
