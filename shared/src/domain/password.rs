//! A password a member chooses for the web app.

/// Long enough to resist guessing, short enough to hash quickly; any characters.
#[derive(Clone, PartialEq, Eq)]
pub struct NewPassword(String);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PasswordError {
    TooShort { min: usize },
    TooLong { max: usize },
}

impl NewPassword {
    pub const MIN_CHARS: usize = 8;
    pub const MAX_CHARS: usize = 128;

    pub fn parse(raw: &str) -> Result<Self, PasswordError> {
        let chars = raw.chars().count();
        if raw.trim().chars().count() < Self::MIN_CHARS {
            return Err(PasswordError::TooShort {
                min: Self::MIN_CHARS,
            });
        }
        if chars > Self::MAX_CHARS {
            return Err(PasswordError::TooLong {
                max: Self::MAX_CHARS,
            });
        }
        Ok(Self(raw.to_owned()))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for NewPassword {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("NewPassword(***)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_and_blank_passwords_are_refused() {
        assert_eq!(
            NewPassword::parse("1234567"),
            Err(PasswordError::TooShort { min: 8 })
        );
        assert!(NewPassword::parse("          ").is_err());
        assert!(NewPassword::parse("党员积分管理系统").is_ok());
        assert!(NewPassword::parse(&"x".repeat(129)).is_err());
    }
}
