//! The year's grades as files for the annual appraisal's paperwork: CSV that Excel opens with the
//! Chinese intact (UTF-8 with a byte-order mark) and an XLSX workbook with a frozen header row.
//! Headers and grades are worded in the reader's language.

use jifen_shared::api::{GradeRow, GradesView};
use jifen_shared::domain::Grade;
use jifen_shared::i18n::Lang;
use jifen_shared::words::Word;
use rust_xlsxwriter::{Format, Workbook};

/// The columns, in order.
const COLUMNS: [Word; 6] = [
    Word::GradesColumnRank,
    Word::GradesColumnName,
    Word::GradesColumnTotal,
    Word::GradesColumnComputed,
    Word::GradesColumnGrade,
    Word::GradesColumnReason,
];

/// Column widths in the workbook, in characters (a CJK character counts about two).
const WIDTHS: [f64; 6] = [8.0, 16.0, 12.0, 14.0, 14.0, 48.0];

pub fn grade_word(g: Grade) -> Word {
    match g {
        Grade::Excellent => Word::GradeExcellent,
        Grade::Qualified => Word::GradeQualified,
        Grade::BasicallyQualified => Word::GradeBasicallyQualified,
        Grade::Unqualified => Word::GradeUnqualified,
    }
}

/// A file name without spaces or CJK, which every browser keeps as given.
pub fn file_name(view: &GradesView, extension: &str) -> String {
    format!("grades-{}.{extension}", view.year)
}

/// Text a spreadsheet would run as a formula (`=`, `+`, `-`, `@` first) is kept as text by a
/// leading apostrophe: a name or a reason is someone's words, never a formula.
fn inert(text: &str) -> String {
    if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{text}")
    } else {
        text.to_owned()
    }
}

fn cells(row: &GradeRow, lang: Lang) -> [String; 6] {
    [
        row.rank.to_string(),
        inert(&row.member_name),
        row.total.to_string(),
        grade_word(row.computed).text(lang).to_owned(),
        grade_word(row.grade).text(lang).to_owned(),
        inert(row.adjust_reason.as_deref().unwrap_or("")),
    ]
}

/// One CSV field, quoted when it holds a separator, a quote or a line break.
fn field(text: &str) -> String {
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_owned()
    }
}

/// The grades as CSV: a byte-order mark (so that Excel reads UTF-8), a header row, one row per
/// member by rank, lines ending in CRLF (RFC 4180).
pub fn csv(view: &GradesView, lang: Lang) -> Vec<u8> {
    let mut out = String::from("\u{feff}");
    let header: Vec<String> = COLUMNS.iter().map(|w| field(w.text(lang))).collect();
    out.push_str(&header.join(","));
    out.push_str("\r\n");
    for row in &view.rows {
        let line: Vec<String> = cells(row, lang).iter().map(|c| field(c)).collect();
        out.push_str(&line.join(","));
        out.push_str("\r\n");
    }
    out.into_bytes()
}

/// The grades as an XLSX workbook: one sheet, a bold frozen header row, set column widths, rank
/// and total as numbers.
pub fn xlsx(view: &GradesView, lang: Lang) -> anyhow::Result<Vec<u8>> {
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name(Word::GradesSheet.text(lang))?;
    let bold = Format::new().set_bold();
    for (col, (word, width)) in COLUMNS.iter().zip(WIDTHS).enumerate() {
        let col = col as u16;
        sheet.write_string_with_format(0, col, word.text(lang), &bold)?;
        sheet.set_column_width(col, width)?;
    }
    sheet.set_freeze_panes(1, 0)?;
    for (i, row) in view.rows.iter().enumerate() {
        let r = i as u32 + 1;
        // Strings are stored as text cells, which a spreadsheet never runs as formulas.
        sheet.write_number(r, 0, f64::from(row.rank))?;
        sheet.write_string(r, 1, &row.member_name)?;
        sheet.write_number(r, 2, f64::from(row.total))?;
        sheet.write_string(r, 3, grade_word(row.computed).text(lang))?;
        sheet.write_string(r, 4, grade_word(row.grade).text(lang))?;
        sheet.write_string(r, 5, row.adjust_reason.as_deref().unwrap_or(""))?;
    }
    Ok(book.save_to_buffer()?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_with_separators_are_quoted_and_formulas_kept_as_text() {
        assert_eq!(field("王建国"), "王建国");
        assert_eq!(field("a,b"), "\"a,b\"");
        assert_eq!(field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(inert("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(inert("缺席两次"), "缺席两次");
    }
}
