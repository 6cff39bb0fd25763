//! A roster file's cells: the first sheet of an XLSX workbook, or a CSV file in UTF-8 (with or
//! without the BOM Excel writes). Row numbers are those a spreadsheet program shows.

use std::io::{Cursor, Read, Seek};

use calamine::{Data, Reader, Xlsx};
use jifen_shared::words::Word;

use super::{file_issue, MAX_ROWS};
use crate::error::{AppError, AppResult, FieldIssue};

/// Most bytes the parts of an XLSX file may unpack to: a 5000-row roster is well under 10 MB of
/// XML; a file claiming more is refused before anything is unpacked.
const MAX_UNPACKED_BYTES: u64 = 64 * 1024 * 1024;
/// Most parts an XLSX file may hold.
const MAX_PARTS: usize = 200;

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

/// Every row of the file that has anything in it, the header first.
pub fn rows(bytes: &[u8]) -> AppResult<Vec<Row>> {
    let rows = if bytes.starts_with(b"PK\x03\x04") {
        xlsx(bytes)?
    } else {
        csv(bytes)?
    };
    // The header and at most MAX_ROWS members.
    if rows.len() > MAX_ROWS + 1 {
        return Err(too_many_rows());
    }
    Ok(rows)
}

fn csv(bytes: &[u8]) -> AppResult<Vec<Row>> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let text = std::str::from_utf8(bytes).map_err(|_| unreadable())?;
    if text.contains('\0') {
        return Err(unreadable());
    }
    Ok(super::csv::records(text)
        .into_iter()
        .enumerate()
        .map(|(i, cells)| Row {
            number: i as u32 + 1,
            cells,
        })
        .filter(|r| !r.is_blank())
        .collect())
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
        return Err(too_many_rows());
    }
    Ok(())
}

fn xlsx(bytes: &[u8]) -> AppResult<Vec<Row>> {
    check_parts(Cursor::new(bytes))?;
    let mut book: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).map_err(|_| unreadable())?;
    let range = match book.worksheet_range_at(0) {
        Some(Ok(r)) => r,
        _ => return Err(unreadable()),
    };
    let Some((first_row, first_col)) = range.start() else {
        return Ok(Vec::new());
    };
    if range.height() > MAX_ROWS + 1 {
        // Blank rows count too here; a roster with that many is not one to guess about.
        return Err(too_many_rows());
    }
    Ok(range
        .rows()
        .enumerate()
        .map(|(i, cells)| {
            // Cells left of the used range are blank: keep columns where the sheet has them.
            let mut row: Vec<String> = vec![String::new(); first_col as usize];
            row.extend(cells.iter().map(text_of));
            Row {
                number: first_row + i as u32 + 1,
                cells: row,
            }
        })
        .filter(|r| !r.is_blank())
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
