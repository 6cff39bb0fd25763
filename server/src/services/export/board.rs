//! A quarter's posted board (张榜公布) as a file for the branch's records: the members' standings
//! and the quarter's additions and deductions, with names as the board shows them (masked when
//! the branch masks them).

use jifen_shared::api::BoardView;
use jifen_shared::words::Word;

use super::ledger::category_word;
use super::table::{Cell, Column, Kind, Table};
use super::{Export, Sheet};

pub static STANDINGS: Table = Table {
    sheet: Word::ExportBoardSheet,
    columns: &[
        Column::new(Word::ExportColumnMember, 12.0, Kind::Text),
        Column::new(Word::ExportColumnBase, 8.0, Kind::Integer),
        Column::new(Word::ExportColumnBonus, 8.0, Kind::Integer),
        Column::new(Word::ExportColumnDeduction, 8.0, Kind::Integer),
        Column::new(Word::ExportColumnQuarterTotal, 12.0, Kind::Integer),
        Column::new(Word::ExportColumnYearTotal, 12.0, Kind::Integer),
    ],
};

pub static ENTRIES: Table = Table {
    sheet: Word::ExportBoardEntriesSheet,
    columns: &[
        Column::new(Word::ExportColumnMember, 12.0, Kind::Text),
        Column::new(Word::ExportColumnCategory, 8.0, Kind::Text),
        Column::new(Word::ExportColumnPoints, 8.0, Kind::Integer),
        Column::new(Word::ExportColumnReason, 40.0, Kind::Text),
    ],
};

/// The board: the standings (the CSV's one table), then the additions and deductions.
pub fn export(board: &BoardView) -> Export {
    let standings = board
        .rows
        .iter()
        .map(|r| {
            vec![
                Cell::text(&r.member_name),
                Cell::int(r.base),
                Cell::int(r.bonus),
                Cell::int(r.deduction),
                Cell::int(r.total),
                Cell::int(r.year_total),
            ]
        })
        .collect();
    let entries = board
        .entries
        .iter()
        .map(|e| {
            vec![
                Cell::text(&e.member_name),
                Cell::Word(category_word(e.category)),
                Cell::int(e.points),
                Cell::text(&e.note),
            ]
        })
        .collect();
    Export {
        name: format!(
            "board-{}-{}-q{}",
            ascii_or(&board.branch_code, "branch"),
            board.year,
            board.quarter
        ),
        sheets: vec![
            Sheet::of(&STANDINGS, standings),
            Sheet::of(&ENTRIES, entries),
        ],
    }
}

/// A part of a file name that every browser keeps as given: letters, digits, `-` and `_` only.
pub fn ascii_or(text: &str, fallback: &str) -> String {
    let kept: String = text
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_'))
        .collect();
    if kept.is_empty() {
        fallback.to_owned()
    } else {
        kept
    }
}
