//! The two languages Jifen speaks, and the words for validation failures that both the server's
//! answers and the app's own form checks use.

use crate::domain::{PasswordError, PlaceError, PointsError, TextError};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    /// Simplified Chinese, the default.
    #[default]
    ZhCn,
    En,
}

impl Lang {
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

    /// Chooses between the Chinese and the English wording.
    pub fn pick<'a>(self, zh: &'a str, en: &'a str) -> &'a str {
        match self {
            Lang::ZhCn => zh,
            Lang::En => en,
        }
    }
}

/// A validation failure: stable code and words in the reader's language.
pub trait Explain {
    fn code(&self) -> &'static str;
    fn explain(&self, lang: Lang) -> String;
}

impl Explain for TextError {
    fn code(&self) -> &'static str {
        match self {
            TextError::Empty => "text.empty",
            TextError::TooLong { .. } => "text.too_long",
            TextError::ControlCharacters => "text.control_characters",
        }
    }

    fn explain(&self, lang: Lang) -> String {
        match (self, lang) {
            (TextError::Empty, Lang::ZhCn) => "不能为空，请填写".into(),
            (TextError::Empty, Lang::En) => "must not be empty; please fill it in".into(),
            (TextError::TooLong { max }, Lang::ZhCn) => format!("不能超过 {max} 个字，请删减"),
            (TextError::TooLong { max }, Lang::En) => {
                format!("must be at most {max} characters; please shorten it")
            }
            (TextError::ControlCharacters, Lang::ZhCn) => "含有不可见的控制字符，请删除".into(),
            (TextError::ControlCharacters, Lang::En) => {
                "contains invisible control characters; please remove them".into()
            }
        }
    }
}

impl Explain for PlaceError {
    fn code(&self) -> &'static str {
        match self {
            PlaceError::Name(e) => e.code(),
            PlaceError::Latitude => "place.latitude_out_of_range",
            PlaceError::Longitude => "place.longitude_out_of_range",
            PlaceError::HalfCoordinates => "place.half_coordinates",
        }
    }

    fn explain(&self, lang: Lang) -> String {
        match self {
            PlaceError::Name(e) => e.explain(lang),
            PlaceError::Latitude => lang
                .pick(
                    "纬度必须在 -90 到 90 之间",
                    "latitude must be between -90 and 90",
                )
                .into(),
            PlaceError::Longitude => lang
                .pick(
                    "经度必须在 -180 到 180 之间",
                    "longitude must be between -180 and 180",
                )
                .into(),
            PlaceError::HalfCoordinates => lang
                .pick(
                    "经度和纬度须同时提供或都不提供",
                    "give latitude and longitude together, or neither",
                )
                .into(),
        }
    }
}

impl Explain for PointsError {
    fn code(&self) -> &'static str {
        match self {
            PointsError::OutOfRange { .. } => "points.out_of_range",
            PointsError::Zero => "points.zero",
        }
    }

    fn explain(&self, lang: Lang) -> String {
        match (self, lang) {
            (PointsError::OutOfRange { max }, Lang::ZhCn) => {
                format!("分值须在 -{max} 到 {max} 之间")
            }
            (PointsError::OutOfRange { max }, Lang::En) => {
                format!("points must be between -{max} and {max}")
            }
            (PointsError::Zero, l) => l.pick("分值不能为 0", "points must not be zero").into(),
        }
    }
}

impl Explain for PasswordError {
    fn code(&self) -> &'static str {
        match self {
            PasswordError::TooShort { .. } => "password.too_short",
            PasswordError::TooLong { .. } => "password.too_long",
        }
    }

    fn explain(&self, lang: Lang) -> String {
        match (self, lang) {
            (PasswordError::TooShort { min }, Lang::ZhCn) => format!("密码至少要 {min} 个字符"),
            (PasswordError::TooShort { min }, Lang::En) => {
                format!("the password must be at least {min} characters")
            }
            (PasswordError::TooLong { max }, Lang::ZhCn) => format!("密码不能超过 {max} 个字符"),
            (PasswordError::TooLong { max }, Lang::En) => {
                format!("the password must be at most {max} characters")
            }
        }
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
