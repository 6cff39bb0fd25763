//! CSV as Excel opens it: UTF-8 with a byte-order mark, fields quoted as RFC 4180 says, lines
//! ending in CRLF, and text that a spreadsheet would run as a formula kept as text.

use std::fs::File;
use std::io::{self, Seek, Write};

use actix_web::web;
use futures_util::StreamExt;
use jifen_shared::i18n::Lang;

use super::table::{shanghai, Cell, Kind, Row, Table};
use super::Pages;
use crate::error::{AppError, AppResult};

const BOM: &str = "\u{feff}";

/// Text a spreadsheet would run as a formula (`=`, `+`, `-`, `@`, a tab or a carriage return
/// first) is kept as text by a leading apostrophe: a name or a reason is someone's words, never
/// a formula.
pub fn inert(text: &str) -> String {
    if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{text}")
    } else {
        text.to_owned()
    }
}

/// One field, quoted when it holds a separator, a quote or a line break.
pub fn field(text: &str) -> String {
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_owned()
    }
}

/// A cell as the text of its field (before quoting).
fn value(cell: &Cell, kind: Kind, lang: Lang) -> String {
    match cell {
        Cell::Text(t) => inert(t),
        Cell::Word(w) => w.text(lang).to_owned(),
        Cell::Int(n) => n.to_string(),
        Cell::Real(x) => match kind {
            Kind::Integer => format!("{x:.0}"),
            Kind::Percent => format!("{:.1}%", x * 100.0),
            _ => format!("{x:.2}"),
        },
        Cell::Time(at) => shanghai(*at).format("%Y-%m-%d %H:%M:%S").to_string(),
        Cell::Empty => String::new(),
    }
}

fn line(out: &mut String, fields: impl Iterator<Item = String>) {
    for (i, f) in fields.enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str(&field(&f));
    }
    out.push_str("\r\n");
}

/// The byte-order mark and the header line.
pub fn header(table: &Table, lang: Lang) -> String {
    let mut out = String::from(BOM);
    line(
        &mut out,
        table.columns.iter().map(|c| c.header.text(lang).to_owned()),
    );
    out
}

/// Lines for some rows.
pub fn rows(table: &Table, rows: &[Row], lang: Lang) -> String {
    let mut out = String::new();
    for row in rows {
        line(
            &mut out,
            row.iter()
                .zip(table.columns)
                .map(|(cell, col)| value(cell, col.kind, lang)),
        );
    }
    out
}

/// The table written into a temporary file, a page at a time as its rows are read: the header,
/// then each page's lines. The file, not the client, sets the pace, so the rows' database
/// connection (and an export's read snapshot) is let go as soon as the last page is written,
/// however slowly the client then downloads; memory holds one page at a time.
pub async fn spooled(table: &'static Table, lang: Lang, mut pages: Pages) -> AppResult<File> {
    let failed = |e: io::Error| AppError::Internal(anyhow::anyhow!("writing the CSV file: {e}"));
    let head = header(table, lang);
    let mut file = web::block(move || {
        let mut file = tempfile::tempfile()?;
        file.write_all(head.as_bytes())?;
        Ok::<_, io::Error>(file)
    })
    .await
    .map_err(|e| AppError::Internal(anyhow::anyhow!(e)))?
    .map_err(failed)?;
    while let Some(page) = pages.next().await {
        let text = rows(table, &page?, lang);
        file = web::block(move || {
            file.write_all(text.as_bytes())?;
            Ok::<_, io::Error>(file)
        })
        .await
        .map_err(|e| AppError::Internal(anyhow::anyhow!(e)))?
        .map_err(failed)?;
    }
    web::block(move || {
        file.flush()?;
        file.rewind()?;
        Ok::<_, io::Error>(file)
    })
    .await
    .map_err(|e| AppError::Internal(anyhow::anyhow!(e)))?
    .map_err(failed)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{TimeZone, Utc};
    use jifen_shared::words::Word;

    use crate::services::export::table::Column;

    static TABLE: Table = Table {
        sheet: Word::GradesSheet,
        columns: &[
            Column::new(Word::Name, 10.0, Kind::Text),
            Column::new(Word::Total, 10.0, Kind::Integer),
            Column::new(Word::Total, 10.0, Kind::Percent),
            Column::new(Word::Total, 10.0, Kind::Decimal),
            Column::new(Word::Total, 10.0, Kind::DateTime),
        ],
    };

    #[test]
    fn fields_with_separators_are_quoted_and_formulas_kept_as_text() {
        assert_eq!(field("王建国"), "王建国");
        assert_eq!(field("a,b"), "\"a,b\"");
        assert_eq!(field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(field("two\nlines"), "\"two\nlines\"");
        assert_eq!(inert("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(inert("-1+2"), "'-1+2");
        assert_eq!(inert("缺席两次"), "缺席两次");
    }

    #[test]
    fn numbers_show_as_their_column_says_and_times_on_a_shanghai_clock() {
        let row = vec![
            Cell::text("=1+1, \"x\""),
            Cell::Int(-3),
            Cell::Real(0.8333),
            Cell::Real(2.5),
            // 16:30 UTC on the last day of March is already April in Shanghai.
            Cell::Time(Utc.with_ymd_and_hms(2026, 3, 31, 16, 30, 0).unwrap()),
        ];
        assert_eq!(
            rows(&TABLE, &[row], Lang::ZhCn),
            "\"'=1+1, \"\"x\"\"\",-3,83.3%,2.50,2026-04-01 00:30:00\r\n"
        );
        assert!(header(&TABLE, Lang::En).starts_with("\u{feff}Name,Total,"));
    }
}
