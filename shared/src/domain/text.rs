//! Free text a person types: trimmed, never empty, never longer than a screen can sensibly hold.

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TextError {
    #[error("must not be empty")]
    Empty,
    #[error("must be at most {max} characters")]
    TooLong { max: usize },
    #[error("must not contain control characters")]
    ControlCharacters,
}

fn clean(raw: &str, max: usize, multiline: bool) -> Result<String, TextError> {
    let trimmed = raw.trim();
    if trimmed.is_empty() {
        return Err(TextError::Empty);
    }
    if trimmed.chars().count() > max {
        return Err(TextError::TooLong { max });
    }
    let bad = |c: char| c.is_control() && !(multiline && (c == '\n' || c == '\t' || c == '\r'));
    if trimmed.chars().any(bad) {
        return Err(TextError::ControlCharacters);
    }
    Ok(trimmed.to_owned())
}

macro_rules! text_type {
    ($(#[$doc:meta])* $name:ident, $max:expr, $multiline:expr) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq)]
        pub struct $name(String);

        impl $name {
            pub const MAX_CHARS: usize = $max;

            pub fn parse(raw: &str) -> Result<Self, TextError> {
                clean(raw, $max, $multiline).map(Self)
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }

            pub fn into_inner(self) -> String {
                self.0
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }
    };
}

text_type!(
    /// A deed's one-line title, e.g. "清扫村口积雪".
    DeedTitle, 80, false
);
text_type!(
    /// What happened (经过), in the member's words.
    DeedAccount, 2000, true
);
text_type!(
    /// Why a deed was rejected, returned or revoked; shown to the member.
    Reason, 500, true
);
text_type!(
    /// Where it happened, as people name the place.
    PlaceName, 120, false
);
text_type!(
    /// The name of an item in a branch's rules catalogue.
    RuleName, 80, false
);
text_type!(
    /// What someone of the masses says about the posted board.
    FeedbackBody, 500, true
);
text_type!(
    /// How to reach whoever gave feedback (a phone number, a name), if they want to be reached.
    FeedbackContact, 60, false
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_trimmed() {
        assert_eq!(DeedTitle::parse("  扫雪 ").unwrap().as_str(), "扫雪");
    }

    #[test]
    fn blank_text_is_refused() {
        for raw in ["", "   ", "\n\t"] {
            assert_eq!(DeedTitle::parse(raw), Err(TextError::Empty), "{raw:?}");
        }
    }

    #[test]
    fn length_counts_characters_not_bytes() {
        let eighty_chinese = "扫".repeat(80);
        assert!(DeedTitle::parse(&eighty_chinese).is_ok());
        assert_eq!(
            DeedTitle::parse(&"扫".repeat(81)),
            Err(TextError::TooLong { max: 80 })
        );
    }

    #[test]
    fn accounts_may_span_lines_but_titles_may_not() {
        assert!(DeedAccount::parse("第一行\n第二行").is_ok());
        assert_eq!(
            DeedTitle::parse("第一行\n第二行"),
            Err(TextError::ControlCharacters)
        );
    }
}
