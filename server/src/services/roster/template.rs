//! The roster template (`GET /branches/{id}/roster/template`): a header naming the columns the
//! import reads, and nothing else on the sheet it reads, so that the template filled in, rows
//! added below the header, imports unchanged. The XLSX template explains each column, with an
//! example, on a second sheet (the import reads only the first); its first sheet keeps the
//! columns as text (an 11-digit phone stays digits) and offers 正式 / 流动 in the status column.

use rust_xlsxwriter::{DataValidation, Format, Workbook};

use super::import::{MAX_ROWS, TEMPLATE_HEADER};
use crate::error::{AppError, AppResult};

/// What each column takes, and an example, for the notes sheet.
const NOTES: [(&str, &str, &str); 4] = [
    ("姓名", "必填，最多 80 个字", "王建国"),
    (
        "手机号",
        "选填，11 位手机号；同一支部内不能重复。再次导入时按手机号找到同一名党员",
        "13800138000",
    ),
    (
        "状态",
        "选填：正式 或 流动（外出务工等），空着即为正式",
        "正式",
    ),
    (
        "用户名",
        "选填：字母、数字或 ._-，3 到 64 位；空着则按支部代码自动生成，如 demo-2-001",
        "",
    ),
];

/// The CSV template: the header alone, after the BOM that lets Excel open it as UTF-8.
pub fn csv() -> Vec<u8> {
    let mut out = "\u{feff}".to_owned();
    out.push_str(&TEMPLATE_HEADER.join(","));
    out.push_str("\r\n");
    out.into_bytes()
}

/// The XLSX template: the header on the first sheet, the notes on the second.
pub fn xlsx() -> AppResult<Vec<u8>> {
    workbook().map_err(|e| AppError::Internal(e.into()))
}

fn workbook() -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    let mut book = Workbook::new();
    let header = Format::new().set_bold();
    let text = Format::new().set_num_format("@");
    let last = MAX_ROWS as u32;
    {
        let sheet = book.add_worksheet().set_name("名册")?;
        for (col, (name, width)) in TEMPLATE_HEADER
            .iter()
            .zip([16.0, 18.0, 10.0, 20.0])
            .enumerate()
        {
            let col = col as u16;
            sheet.write_string_with_format(0, col, *name, &header)?;
            sheet.set_column_width(col, width)?;
            sheet.set_column_format(col, &text)?;
        }
        sheet.set_freeze_panes(1, 0)?;
        let statuses = DataValidation::new()
            .allow_list_strings(&["正式", "流动"])?
            .ignore_blank(true);
        sheet.add_data_validation(1, 2, last, 2, &statuses)?;
    }
    {
        let notes = book.add_worksheet().set_name("填写说明")?;
        for (col, (name, width)) in ["列", "怎么填", "示例"]
            .iter()
            .zip([10.0, 70.0, 16.0])
            .enumerate()
        {
            notes.write_string_with_format(0, col as u16, *name, &header)?;
            notes.set_column_width(col as u16, width)?;
        }
        for (i, (col, how, example)) in NOTES.iter().enumerate() {
            let r = i as u32 + 1;
            notes.write_string(r, 0, *col)?;
            notes.write_string(r, 1, *how)?;
            notes.write_string(r, 2, *example)?;
        }
        notes.write_string(
            NOTES.len() as u32 + 2,
            0,
            "只填第一个工作表“名册”：第 1 行是表头，从第 2 行起每行一名党员。导入前会先预览，有问题的行不会导入。",
        )?;
    }
    book.save_to_buffer()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_csv_template_is_the_header_alone() {
        assert_eq!(
            String::from_utf8(csv()).unwrap(),
            "\u{feff}姓名,手机号,状态,用户名\r\n"
        );
    }
}
