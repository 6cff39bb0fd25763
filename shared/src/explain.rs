//! How validation failures of the domain values are explained, in the reader's language (worded in
//! [`crate::words`]), for both the server's answers and the app's own form checks.

use crate::domain::{PasswordError, PlaceError, PointsError, TextError};
use crate::i18n::Lang;
use crate::words::Word;

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
            TextError::DirectionCharacters => "text.direction_characters",
        }
    }

    fn explain(&self, lang: Lang) -> String {
        match self {
            TextError::Empty => Word::TextEmpty.text(lang).into(),
            TextError::TooLong { max } => Word::TextTooLong.fill(lang, &[("max", max)]),
            TextError::ControlCharacters => Word::TextControlCharacters.text(lang).into(),
            TextError::DirectionCharacters => Word::TextDirectionCharacters.text(lang).into(),
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
            PlaceError::Latitude => Word::LatitudeOutOfRange.text(lang).into(),
            PlaceError::Longitude => Word::LongitudeOutOfRange.text(lang).into(),
            PlaceError::HalfCoordinates => Word::HalfCoordinates.text(lang).into(),
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
        match self {
            PointsError::OutOfRange { max } => Word::PointsOutOfRange.fill(lang, &[("max", max)]),
            PointsError::Zero => Word::PointsZero.text(lang).into(),
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
        match self {
            PasswordError::TooShort { min } => Word::PasswordTooShort.fill(lang, &[("min", min)]),
            PasswordError::TooLong { max } => Word::PasswordTooLong.fill(lang, &[("max", max)]),
        }
    }
}
