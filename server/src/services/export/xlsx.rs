//! XLSX workbooks written a row at a time. Each sheet is a `rust_xlsxwriter` "constant memory"
//! worksheet: a row goes to the sheet's temporary file as soon as the next one starts, so memory
//! holds one row, not the sheet. The finished workbook is itself a temporary file (removed when
//! closed), which the caller sends in chunks.
//!
//! The writer runs on a blocking thread; the pages are read on the async side and handed over
//! through a channel of two pages, so at most three pages (two queued, one being written) are
//! ever in memory whatever the ledger's size.

use std::fs::File;
use std::io::Seek;

use futures_util::StreamExt;
use jifen_shared::i18n::Lang;
use rust_xlsxwriter::{ExcelDateTime, Format, Workbook, Worksheet};
use tokio::sync::mpsc;

use super::table::{shanghai, Cell, Kind, Row, Table};
use super::Sheet;
use crate::error::{AppError, AppResult};

/// Rows Excel holds in one sheet; past it the table goes on in a second sheet of the same name
/// with a number.
const ROW_LIMIT: u32 = 1_048_576;

/// What the async side hands the writer.
enum Part {
    Start(&'static Table),
    Rows(Vec<Row>),
    /// Everything was read; save. A channel closed without it means the reading failed.
    Done,
}

/// Writes the sheets into a workbook in a temporary file, read from its start.
pub async fn workbook(sheets: Vec<Sheet>, lang: Lang) -> AppResult<File> {
    written(sheets, lang, ROW_LIMIT).await
}

async fn written(sheets: Vec<Sheet>, lang: Lang, row_limit: u32) -> AppResult<File> {
    let (tx, rx) = mpsc::channel::<Part>(2);
    let writer = tokio::task::spawn_blocking(move || write(rx, lang, row_limit));
    // If the writer stops early (a write failed) the sends fail; its error is the one to report.
    let _ = feed(&tx, sheets).await?;
    drop(tx);
    writer
        .await
        .map_err(|e| AppError::Internal(anyhow::anyhow!("the workbook writer died: {e}")))?
        .map_err(AppError::Internal)
}

/// Sends every page of every sheet, then `Done`; `Ok(false)` when the writer is gone.
async fn feed(tx: &mpsc::Sender<Part>, sheets: Vec<Sheet>) -> AppResult<bool> {
    for Sheet { table, mut pages } in sheets {
        if tx.send(Part::Start(table)).await.is_err() {
            return Ok(false);
        }
        while let Some(page) = pages.next().await {
            if tx.send(Part::Rows(page?)).await.is_err() {
                return Ok(false);
            }
        }
    }
    Ok(tx.send(Part::Done).await.is_ok())
}

/// The formats of the header and of each kind of column, made once per workbook.
struct Formats {
    header: Format,
    integer: Format,
    decimal: Format,
    percent: Format,
    time: Format,
}

impl Formats {
    fn new() -> Self {
        Self {
            header: Format::new().set_bold(),
            integer: Format::new().set_num_format("0"),
            decimal: Format::new().set_num_format("0.00"),
            percent: Format::new().set_num_format("0.0%"),
            time: Format::new().set_num_format("yyyy-mm-dd hh:mm:ss"),
        }
    }

    fn of(&self, kind: Kind) -> Option<&Format> {
        match kind {
            Kind::Text => None,
            Kind::Integer => Some(&self.integer),
            Kind::Decimal => Some(&self.decimal),
            Kind::Percent => Some(&self.percent),
            Kind::DateTime => Some(&self.time),
        }
    }
}

/// The sheet being written.
struct Current {
    sheet: Worksheet,
    table: &'static Table,
    /// The next row to write (row 0 is the header).
    next: u32,
    /// 1 for the first sheet of the table, 2 for its continuation, ….
    part: u32,
}

/// The writer's side: `row_limit` is Excel's, but a test sets a small one to see a table go on
/// in a second sheet.
fn write(mut rx: mpsc::Receiver<Part>, lang: Lang, row_limit: u32) -> anyhow::Result<File> {
    let mut book = Workbook::new();
    let formats = Formats::new();
    let mut current: Option<Current> = None;
    while let Some(part) = rx.blocking_recv() {
        match part {
            Part::Start(table) => {
                if let Some(done) = current.take() {
                    finish(&mut book, done)?;
                }
                current = Some(start(&mut book, table, 1, lang, &formats)?);
            }
            Part::Rows(rows) => {
                let Some(mut at) = current.take() else {
                    anyhow::bail!("rows before their sheet");
                };
                for row in rows {
                    if at.next == row_limit {
                        let (table, part) = (at.table, at.part + 1);
                        finish(&mut book, at)?;
                        at = start(&mut book, table, part, lang, &formats)?;
                    }
                    write_row(&mut at.sheet, at.next, at.table, &row, lang, &formats)?;
                    at.next += 1;
                }
                current = Some(at);
            }
            Part::Done => {
                if let Some(done) = current.take() {
                    finish(&mut book, done)?;
                }
                let mut file = tempfile::tempfile()?;
                book.save_to_writer(&mut file)?;
                file.rewind()?;
                return Ok(file);
            }
        }
    }
    anyhow::bail!("the rows stopped before the end")
}

/// A new constant-memory sheet with the bold header row, the column widths and the header
/// frozen in place.
fn start(
    book: &mut Workbook,
    table: &'static Table,
    part: u32,
    lang: Lang,
    formats: &Formats,
) -> anyhow::Result<Current> {
    let mut sheet = book.new_worksheet_with_constant_memory()?;
    let name = table.sheet.text(lang);
    if part == 1 {
        sheet.set_name(name)?;
    } else {
        sheet.set_name(format!("{name} {part}"))?;
    }
    for (col, column) in table.columns.iter().enumerate() {
        let col = u16::try_from(col)?;
        sheet.write_string_with_format(0, col, column.header.text(lang), &formats.header)?;
        sheet.set_column_width(col, column.width)?;
    }
    sheet.set_freeze_panes(1, 0)?;
    Ok(Current {
        sheet,
        table,
        next: 1,
        part,
    })
}

/// The autofilter over what was written, and the sheet into the workbook.
fn finish(book: &mut Workbook, mut done: Current) -> anyhow::Result<()> {
    let last_col = u16::try_from(done.table.columns.len().saturating_sub(1))?;
    done.sheet.autofilter(0, 0, done.next - 1, last_col)?;
    book.push_worksheet(done.sheet);
    Ok(())
}

fn write_row(
    sheet: &mut Worksheet,
    r: u32,
    table: &Table,
    row: &[Cell],
    lang: Lang,
    formats: &Formats,
) -> anyhow::Result<()> {
    for (col, (cell, column)) in row.iter().zip(table.columns).enumerate() {
        let c = u16::try_from(col)?;
        let format = formats.of(column.kind);
        let number = |sheet: &mut Worksheet, x: f64| match format {
            Some(f) => sheet.write_number_with_format(r, c, x, f).map(|_| ()),
            None => sheet.write_number(r, c, x).map(|_| ()),
        };
        match cell {
            // A string cell is text to a spreadsheet, never a formula, whatever it starts with.
            Cell::Text(t) => {
                sheet.write_string(r, c, t)?;
            }
            Cell::Word(w) => {
                sheet.write_string(r, c, w.text(lang))?;
            }
            Cell::Int(n) => number(sheet, *n as f64)?,
            Cell::Real(x) if x.is_finite() => number(sheet, *x)?,
            Cell::Real(_) | Cell::Empty => {}
            Cell::Time(at) => {
                let local = ExcelDateTime::from_timestamp(shanghai(*at).and_utc().timestamp())?;
                sheet.write_datetime_with_format(r, c, &local, &formats.time)?;
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::io::Read;

    use calamine::{open_workbook_from_rs, Data, Reader, Xlsx};
    use chrono::{TimeZone, Utc};
    use futures_util::stream::{self, StreamExt};
    use jifen_shared::words::Word;

    use super::*;
    use crate::services::export::table::Column;

    static TABLE: Table = Table {
        sheet: Word::ExportLedgerSheet,
        columns: &[
            Column::new(Word::ExportColumnTime, 20.0, Kind::DateTime),
            Column::new(Word::ExportColumnMember, 12.0, Kind::Text),
            Column::new(Word::ExportColumnPoints, 8.0, Kind::Integer),
            Column::new(Word::ExportColumnParticipation, 8.0, Kind::Percent),
        ],
    };

    fn row(i: i64) -> Row {
        vec![
            Cell::Time(Utc.with_ymd_and_hms(2026, 3, 31, 16, 30, 0).unwrap()),
            Cell::text(format!("=member {i}")),
            Cell::Int(i),
            Cell::real((i % 2 == 0).then_some(0.5)),
        ]
    }

    async fn read_back(sheets: Vec<Sheet>, row_limit: u32) -> Xlsx<std::io::Cursor<Vec<u8>>> {
        let mut file = written(sheets, Lang::En, row_limit).await.expect("written");
        let mut bytes = Vec::new();
        file.read_to_end(&mut bytes).expect("read back");
        open_workbook_from_rs(std::io::Cursor::new(bytes)).expect("a workbook")
    }

    #[tokio::test]
    async fn rows_keep_their_types_and_a_long_table_goes_on_in_numbered_sheets() {
        // Five rows in three pages, two rows a sheet.
        let pages = stream::iter(vec![
            Ok(vec![row(1), row(2)]),
            Ok(vec![row(3)]),
            Ok(vec![row(4), row(5)]),
        ])
        .boxed();
        let mut book = read_back(vec![Sheet::new(&TABLE, pages)], 3).await;
        assert_eq!(book.sheet_names(), ["Ledger", "Ledger 2", "Ledger 3"]);
        let mut seen = Vec::new();
        for name in ["Ledger", "Ledger 2", "Ledger 3"] {
            let range = book.worksheet_range(name).unwrap();
            let rows: Vec<&[Data]> = range.rows().collect();
            assert_eq!(
                rows[0][0],
                Data::String("Time".into()),
                "{name} has the header"
            );
            for r in &rows[1..] {
                seen.push(r[2].clone());
                // 16:30 UTC is 00:30 the next day in Shanghai: 2026-04-01 is day 46113.
                match &r[0] {
                    Data::DateTime(t) => {
                        assert!((t.as_f64() - (46113.0 + 0.5 / 24.0)).abs() < 1e-9)
                    }
                    other => panic!("a date-time, not {other:?}"),
                }
                assert!(matches!(&r[1], Data::String(s) if s.starts_with("=member")));
            }
        }
        assert_eq!(
            seen,
            (1..=5).map(|i| Data::Float(i as f64)).collect::<Vec<_>>(),
            "every row once, in order"
        );
    }

    #[tokio::test]
    async fn a_page_that_fails_to_load_fails_the_workbook() {
        let pages = stream::iter(vec![
            Ok(vec![row(1)]),
            Err(AppError::Internal(anyhow::anyhow!(
                "the database went away"
            ))),
        ])
        .boxed();
        let failed = written(vec![Sheet::new(&TABLE, pages)], Lang::En, ROW_LIMIT).await;
        assert!(
            matches!(failed, Err(AppError::Internal(e)) if e.to_string().contains("went away"))
        );
    }
}
