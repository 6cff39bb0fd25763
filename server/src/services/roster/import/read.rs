//! A roster file's cells: the first sheet of an XLSX workbook, or a CSV file in UTF-8 (with or
//! without the BOM Excel writes). Row numbers are those a spreadsheet program shows.

use std::collections::BTreeMap;
use std::io::{Cursor, Read, Seek};

use calamine::{Data, Reader, Xlsx};
use jifen_shared::words::Word;

use super::{file_issue, MAX_ROWS};
use crate::error::{AppError, AppResult, FieldIssue};

/// Most bytes the parts of an XLSX file may unpack to: a 1000-row roster is well under 10 MB of
/// XML; a file claiming more is refused before anything is unpacked.
const MAX_UNPACKED_BYTES: u64 = 64 * 1024 * 1024;
/// Most parts an XLSX file may hold.
const MAX_PARTS: usize = 200;
/// Columns of a sheet a roster may use (A to BL): the template has four.
const MAX_COLUMNS: usize = 64;

/// One row of cells, numbered as the spreadsheet shows it (the first row is 1).
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    pub number: u32,
    pub cells: Vec<String>,
}

impl Row {
    pub fn is_blank(&self) -> bool {
        self.cells.iter().all(|c| c.trim().is_empty())
    }

    pub fn cell(&self, i: usize) -> &str {
        self.cells.get(i).map(|c| c.trim()).unwrap_or("")
    }
}

fn unreadable() -> AppError {
    file_issue("roster.unreadable", Word::RosterUnreadable)
}

fn too_many_rows() -> AppError {
    AppError::Validation(vec![FieldIssue::filled(
        "file",
        "roster.too_many_rows",
        Word::RosterTooManyRows,
        &[("max", &MAX_ROWS)],
    )])
}

fn too_many_columns() -> AppError {
    AppError::Validation(vec![FieldIssue::filled(
        "file",
        "roster.too_many_columns",
        Word::RosterTooManyColumns,
        &[("max", &MAX_COLUMNS)],
    )])
}

/// Every row of the file that has anything in it, the header first; at most the header and
/// [`MAX_ROWS`] members, refused as soon as the file shows more.
pub fn rows(bytes: &[u8]) -> AppResult<Vec<Row>> {
    if bytes.starts_with(b"PK\x03\x04") {
        xlsx(bytes)
    } else {
        csv(bytes)
    }
}

fn csv(bytes: &[u8]) -> AppResult<Vec<Row>> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let text = std::str::from_utf8(bytes).map_err(|_| unreadable())?;
    if text.contains('\0') {
        return Err(unreadable());
    }
    let mut rows = Vec::new();
    for (i, cells) in super::csv::records(text).enumerate() {
        let row = Row {
            number: i as u32 + 1,
            cells,
        };
        if row.is_blank() {
            continue;
        }
        // The header and at most MAX_ROWS members.
        if rows.len() > MAX_ROWS {
            return Err(too_many_rows());
        }
        rows.push(row);
    }
    Ok(rows)
}

/// Refuses a workbook whose parts would unpack to more than [`MAX_UNPACKED_BYTES`].
fn check_parts<R: Read + Seek>(reader: R) -> AppResult<()> {
    let mut archive = zip::ZipArchive::new(reader).map_err(|_| unreadable())?;
    if archive.len() > MAX_PARTS {
        return Err(unreadable());
    }
    let mut total = 0u64;
    for i in 0..archive.len() {
        let part = archive.by_index_raw(i).map_err(|_| unreadable())?;
        total = total.saturating_add(part.size());
    }
    if total > MAX_UNPACKED_BYTES {
        return Err(super::too_large());
    }
    Ok(())
}

/// The first sheet's cells, read one at a time as the sheet lists them: only cells with
/// something in them are kept, and a cell below the last row a roster may use, or right of its
/// last column, refuses the file at once. (A sheet's declared size is not trusted: a file of a
/// few KB may name a cell at XFD1048576.)
fn xlsx(bytes: &[u8]) -> AppResult<Vec<Row>> {
    check_parts(Cursor::new(bytes))?;
    let mut book: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).map_err(|_| unreadable())?;
    let first = book
        .sheet_names()
        .into_iter()
        .next()
        .ok_or_else(unreadable)?;
    let mut cells = book
        .worksheet_cells_reader(&first)
        .map_err(|_| unreadable())?;
    let mut rows: BTreeMap<u32, Vec<String>> = BTreeMap::new();
    while let Some(cell) = cells.next_cell().map_err(|_| unreadable())? {
        let text = text_of(&Data::from(cell.get_value().clone()));
        if text.trim().is_empty() {
            continue;
        }
        // Zero-based: row 0 is the header, rows 1..=MAX_ROWS the members.
        let (row, col) = cell.get_position();
        if row as usize > MAX_ROWS {
            return Err(too_many_rows());
        }
        let col = col as usize;
        if col >= MAX_COLUMNS {
            return Err(too_many_columns());
        }
        let cells = rows.entry(row).or_default();
        if cells.len() <= col {
            cells.resize(col + 1, String::new());
        }
        cells[col] = text;
    }
    Ok(rows
        .into_iter()
        .map(|(row, cells)| Row {
            number: row + 1,
            cells,
        })
        .collect())
}

/// A cell as text: a phone number typed as a number (13800138000, shown as 1.38E+10) is its
/// digits, not a float.
fn text_of(cell: &Data) -> String {
    match cell {
        Data::Empty => String::new(),
        Data::String(s) => s.clone(),
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{f:.0}"),
        Data::Float(f) => f.to_string(),
        Data::Int(i) => i.to_string(),
        Data::Bool(b) => b.to_string(),
        Data::Error(_) => String::new(),
        other => other.to_string(),
    }
}
