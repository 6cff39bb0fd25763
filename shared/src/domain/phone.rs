//! A member's mobile number in mainland China (11 digits, 1[3-9]xxxxxxxxx), as typed on a form
//! or read from a roster spreadsheet.

use crate::explain::Explain;
use crate::i18n::Lang;
use crate::words::Word;

/// An 11-digit mainland mobile number, stored without spaces, dashes or the +86 prefix, so that
/// the same number typed two ways is one number (uniqueness per branch relies on it).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct MobilePhone(String);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PhoneError {
    /// Not 11 digits starting with 1 and a second digit 3–9.
    Invalid,
}

impl MobilePhone {
    /// Accepts `138 0013 8000`, `138-0013-8000`, `+86 13800138000` and `8613800138000`.
    pub fn parse(raw: &str) -> Result<Self, PhoneError> {
        let digits: String = raw
            .trim()
            .chars()
            .filter(|c| !matches!(c, ' ' | '-' | '\u{3000}'))
            .collect();
        let digits = digits.strip_prefix('+').unwrap_or(&digits);
        let digits = match digits.strip_prefix("86") {
            Some(rest) if rest.len() == 11 => rest,
            _ => digits,
        };
        let b = digits.as_bytes();
        let ok = b.len() == 11
            && b.iter().all(u8::is_ascii_digit)
            && b[0] == b'1'
            && (b'3'..=b'9').contains(&b[1]);
        if ok {
            Ok(Self(digits.to_owned()))
        } else {
            Err(PhoneError::Invalid)
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_inner(self) -> String {
        self.0
    }
}

impl Explain for PhoneError {
    fn code(&self) -> &'static str {
        "phone.invalid"
    }

    fn explain(&self, lang: Lang) -> String {
        Word::PhoneInvalid.text(lang).into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn written_forms_of_one_number_are_one_number() {
        for raw in [
            "13800138000",
            " 138 0013 8000 ",
            "138-0013-8000",
            "+86 138 0013 8000",
            "8613800138000",
        ] {
            assert_eq!(
                MobilePhone::parse(raw).map(MobilePhone::into_inner),
                Ok("13800138000".to_owned()),
                "{raw:?}"
            );
        }
    }

    #[test]
    fn what_is_no_mainland_mobile_is_refused() {
        for raw in [
            "",
            "1380013800",
            "138001380001",
            "12800138000",
            "23800138000",
            "1380013800x",
            "010-12345678",
        ] {
            assert_eq!(MobilePhone::parse(raw), Err(PhoneError::Invalid), "{raw:?}");
        }
    }
}
