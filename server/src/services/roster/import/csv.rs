//! Reading CSV as spreadsheet programs write it (RFC 4180): fields separated by commas, quoted
//! with `"` when they hold a comma, a quote (doubled) or a line break; lines ended by CRLF or LF.
//! The `csv` crate is not available to this build (no registry access), and reading is all the
//! roster needs: a few dozen lines, tested below.

use std::iter::Peekable;
use std::str::Chars;

/// The records of `text`, each a list of fields, read one at a time; a record's index is its
/// row in a spreadsheet (a quoted line break does not start a new row).
pub fn records(text: &str) -> Records<'_> {
    Records {
        chars: text.chars().peekable(),
    }
}

/// The records of a text, as [`records`] reads them.
pub struct Records<'a> {
    chars: Peekable<Chars<'a>>,
}

impl Iterator for Records<'_> {
    type Item = Vec<String>;

    fn next(&mut self) -> Option<Vec<String>> {
        let mut record = Vec::new();
        let mut field = String::new();
        let mut quoted = false;
        let mut any = false;
        while let Some(c) = self.chars.next() {
            any = true;
            if quoted {
                match c {
                    '"' if self.chars.peek() == Some(&'"') => {
                        self.chars.next();
                        field.push('"');
                    }
                    '"' => quoted = false,
                    _ => field.push(c),
                }
                continue;
            }
            match c {
                '"' if field.is_empty() => quoted = true,
                ',' => record.push(std::mem::take(&mut field)),
                '\r' if self.chars.peek() == Some(&'\n') => {}
                '\n' | '\r' => {
                    record.push(field);
                    return Some(record);
                }
                _ => field.push(c),
            }
        }
        any.then(|| {
            record.push(field);
            record
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoted_fields_keep_commas_quotes_and_line_breaks() {
        let text = "姓名,手机号\r\n\"王, 建国\",13800138000\n\"说 \"\"好\"\"\",\n\"两\n行\",x";
        assert_eq!(
            records(text).collect::<Vec<_>>(),
            vec![
                vec!["姓名", "手机号"],
                vec!["王, 建国", "13800138000"],
                vec!["说 \"好\"", ""],
                vec!["两\n行", "x"],
            ]
        );
    }

    #[test]
    fn a_last_line_break_adds_no_row_and_blank_lines_stay_rows() {
        assert_eq!(
            records("a,b\n\nc,d\n").collect::<Vec<_>>(),
            vec![vec!["a", "b"], vec![""], vec!["c", "d"]]
        );
        assert!(records("").next().is_none());
    }
}
