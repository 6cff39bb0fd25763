//! The description of an exported table and the values of its cells, independent of the file
//! format and of the reader's language (words are looked up when the file is written).

use chrono::{DateTime, FixedOffset, NaiveDateTime, Utc};
use jifen_shared::domain::SHANGHAI_OFFSET_SECS;
use jifen_shared::words::Word;

/// How a column's values are shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Text,
    /// Whole numbers: points, counts, ranks.
    Integer,
    /// Two decimals: medians, hours.
    Decimal,
    /// A share between 0 and 1, shown as a percentage with one decimal.
    Percent,
    /// An instant, shown on a Shanghai wall clock to the second.
    DateTime,
}

/// One column: its header, its width in the workbook (in characters, a CJK character counting
/// about two) and its kind.
#[derive(Debug, Clone, Copy)]
pub struct Column {
    pub header: Word,
    pub width: f64,
    pub kind: Kind,
}

impl Column {
    pub const fn new(header: Word, width: f64, kind: Kind) -> Self {
        Self {
            header,
            width,
            kind,
        }
    }
}

/// A table: the name of its sheet and its columns, in order.
#[derive(Debug)]
pub struct Table {
    pub sheet: Word,
    pub columns: &'static [Column],
}

/// One value. Numbers are shown as their column's [`Kind`] says.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    /// Someone's words (a name, a reason): never run as a formula.
    Text(String),
    /// A fixed word (a category, a grade), in the reader's language.
    Word(Word),
    Int(i64),
    Real(f64),
    Time(DateTime<Utc>),
    Empty,
}

impl Cell {
    /// An optional number, empty when absent (a median of nobody).
    pub fn real(value: Option<f64>) -> Self {
        value.map_or(Cell::Empty, Cell::Real)
    }

    pub fn int(value: impl Into<i64>) -> Self {
        Cell::Int(value.into())
    }

    pub fn text(value: impl Into<String>) -> Self {
        Cell::Text(value.into())
    }
}

/// One row of cells, as many as the table has columns.
pub type Row = Vec<Cell>;

/// The wall-clock time in Asia/Shanghai (UTC+8 without daylight saving).
pub fn shanghai(at: DateTime<Utc>) -> NaiveDateTime {
    let offset = FixedOffset::east_opt(SHANGHAI_OFFSET_SECS).expect("UTC+8 is a valid offset");
    at.with_timezone(&offset).naive_local()
}
