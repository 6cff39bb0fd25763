//! Files for the paperwork of the levels above: a table described once (columns with a header
//! worded per language, a width and a kind) written as CSV (UTF-8 with a byte-order mark, so that
//! Excel opens the Chinese intact) or as an XLSX workbook.
//!
//! Rows arrive a page at a time ([`Pages`]), so a county's ledger never sits whole in memory:
//! CSV is written page by page into a temporary file ([`csv::spooled`]), a workbook row by row
//! into one on a blocking thread ([`xlsx::workbook`]), and the finished file is sent in chunks
//! with its length. Writing first and sending after means a slow download never holds the
//! database connection the rows were read on.

pub mod board;
pub mod csv;
pub mod ledger;
pub mod stats;
pub mod table;
pub mod xlsx;

use futures_util::stream::{self, BoxStream, StreamExt};

pub use table::{Cell, Column, Kind, Row, Table};

use crate::error::AppResult;

/// Rows of one table, a page at a time, in order.
pub type Pages = BoxStream<'static, AppResult<Vec<Row>>>;

/// Rows already in hand (a view the service built), as one page.
pub fn in_hand(rows: Vec<Row>) -> Pages {
    stream::iter([Ok(rows)]).boxed()
}

/// One table of an export and where its rows come from.
pub struct Sheet {
    pub table: &'static Table,
    pub pages: Pages,
}

impl Sheet {
    pub fn new(table: &'static Table, pages: Pages) -> Self {
        Self { table, pages }
    }

    /// A sheet of rows in hand.
    pub fn of(table: &'static Table, rows: Vec<Row>) -> Self {
        Self::new(table, in_hand(rows))
    }
}

/// What a GET answers with as a file: a name (ASCII, without extension) and its sheets. A
/// workbook holds every sheet; CSV, being one table, holds the first.
pub struct Export {
    pub name: String,
    pub sheets: Vec<Sheet>,
}
