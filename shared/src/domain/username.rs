//! A member's username, the name they sign in with: unique everywhere, typed by a secretary on
//! the roster or in an import file, or made from the branch's code (`demo-2-007`).

use crate::explain::Explain;
use crate::i18n::Lang;
use crate::words::Word;

/// A username: 3 to 64 ASCII letters, digits, `.`, `_` or `-`, with no space around it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Username(String);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UsernameError {
    /// Shorter than 3 or longer than 64 characters, or a character other than those allowed.
    Invalid,
}

impl Username {
    pub const MIN_LEN: usize = 3;
    pub const MAX_LEN: usize = 64;

    /// Accepts the username with any spaces around it trimmed.
    pub fn parse(raw: &str) -> Result<Self, UsernameError> {
        let u = raw.trim();
        let ok = (Self::MIN_LEN..=Self::MAX_LEN).contains(&u.len())
            && u.chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'));
        if ok {
            Ok(Self(u.to_owned()))
        } else {
            Err(UsernameError::Invalid)
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_inner(self) -> String {
        self.0
    }
}

impl Explain for UsernameError {
    fn code(&self) -> &'static str {
        "member.username_invalid"
    }

    fn explain(&self, lang: Lang) -> String {
        Word::UsernameInvalid.text(lang).into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn letters_digits_and_dot_underscore_dash_trimmed() {
        for (raw, kept) in [
            ("abc", "abc"),
            (" demo-2-001 ", "demo-2-001"),
            ("wang.jianguo_2", "wang.jianguo_2"),
        ] {
            assert_eq!(
                Username::parse(raw).map(Username::into_inner),
                Ok(kept.into())
            );
        }
        assert!(Username::parse(&"a".repeat(64)).is_ok());
    }

    #[test]
    fn too_short_too_long_or_other_characters_are_refused() {
        for raw in ["", "ab", "  ab  ", "王建国", "a b c", "abc@x", "ab\tc"] {
            assert_eq!(Username::parse(raw), Err(UsernameError::Invalid), "{raw:?}");
        }
        assert_eq!(
            Username::parse(&"a".repeat(65)),
            Err(UsernameError::Invalid)
        );
    }
}
