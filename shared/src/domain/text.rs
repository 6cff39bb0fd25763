//! Free text a person types: trimmed, never empty, never longer than a screen can sensibly hold.

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TextError {
    #[error("must not be empty")]
    Empty,
    #[error("must be at most {max} characters")]
    TooLong { max: usize },
    #[error("must not contain control characters")]
    ControlCharacters,
    #[error("must not contain characters that change the direction of text")]
    DirectionCharacters,
}

/// What a character typed into Jifen is, as far as what others will be shown is concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CharKind {
    /// Shown as it is.
    Visible,
    /// A line break or tab.
    Layout,
    /// Takes no space and changes nothing a reader sees (zero-width space, joiner, BOM, soft
    /// hyphen): pasted text carries them unawares, so they are removed.
    Invisible,
    /// A control character (NUL, escape, ...): refused.
    Control,
    /// Reorders the text around it (bidi embeddings, overrides, isolates, marks): it can make a
    /// name read as another, so it is refused.
    Direction,
}

impl CharKind {
    pub fn of(c: char) -> Self {
        match c {
            '\n' | '\r' | '\t' => CharKind::Layout,
            '\u{200B}' | '\u{200C}' | '\u{200D}' | '\u{2060}' | '\u{FEFF}' | '\u{00AD}'
            | '\u{180E}' => CharKind::Invisible,
            '\u{061C}'
            | '\u{200E}'
            | '\u{200F}'
            | '\u{202A}'..='\u{202E}'
            | '\u{2066}'..='\u{2069}' => CharKind::Direction,
            c if c.is_control() => CharKind::Control,
            _ => CharKind::Visible,
        }
    }
}

/// Removes the invisible characters, refuses control (bar line breaks and tabs where `layout`
/// allows them) and direction characters.
pub fn sanitize(raw: &str, layout: bool) -> Result<std::borrow::Cow<'_, str>, TextError> {
    let mut invisible = false;
    for c in raw.chars() {
        match CharKind::of(c) {
            CharKind::Visible => {}
            CharKind::Layout if layout => {}
            CharKind::Layout | CharKind::Control => return Err(TextError::ControlCharacters),
            CharKind::Direction => return Err(TextError::DirectionCharacters),
            CharKind::Invisible => invisible = true,
        }
    }
    Ok(if invisible {
        raw.chars()
            .filter(|c| CharKind::of(*c) != CharKind::Invisible)
            .collect::<String>()
            .into()
    } else {
        raw.into()
    })
}

fn clean(raw: &str, max: usize, multiline: bool) -> Result<String, TextError> {
    let raw = sanitize(raw, true)?;
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
    fn invisible_characters_pasted_along_are_removed() {
        assert_eq!(
            DeedTitle::parse("扫\u{200B}雪\u{FEFF}").unwrap().as_str(),
            "扫雪"
        );
        assert_eq!(DeedTitle::parse("\u{200B}"), Err(TextError::Empty));
    }

    #[test]
    fn text_that_reorders_itself_or_hides_controls_is_refused() {
        // "张三" followed by a right-to-left override could display as someone else's name.
        assert_eq!(
            RuleName::parse("张三\u{202E}四李"),
            Err(TextError::DirectionCharacters)
        );
        assert_eq!(
            FeedbackBody::parse("意见\u{2066}x\u{2069}"),
            Err(TextError::DirectionCharacters)
        );
        for raw in ["a\u{0}b", "a\u{1b}[31mb", "a\u{85}b"] {
            assert_eq!(
                FeedbackBody::parse(raw),
                Err(TextError::ControlCharacters),
                "{raw:?}"
            );
        }
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
