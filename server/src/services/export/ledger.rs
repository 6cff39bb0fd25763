//! The ledger of a unit as a file: every entry of the period, read a thousand at a time.

use futures_util::stream::{self, StreamExt};
use jifen_shared::api::{LedgerCause, UnitLedgerEntry};
use jifen_shared::domain::RuleCategory;
use jifen_shared::words::Word;
use sea_orm::DatabaseConnection;

use super::table::{Cell, Column, Kind, Row, Table};
use super::{Export, Pages, Sheet};
use crate::services::unit_ledger::{self, Scope};

/// Entries read per query while exporting: large enough that a county's year takes few round
/// trips, small enough that a page is a few hundred kilobytes.
pub const PAGE: u64 = 1000;

pub static LEDGER: Table = Table {
    sheet: Word::ExportLedgerSheet,
    columns: &[
        Column::new(Word::ExportColumnTime, 20.0, Kind::DateTime),
        Column::new(Word::ExportColumnQuarter, 6.0, Kind::Integer),
        Column::new(Word::ExportColumnBranch, 20.0, Kind::Text),
        Column::new(Word::ExportColumnMember, 12.0, Kind::Text),
        Column::new(Word::ExportColumnCategory, 8.0, Kind::Text),
        Column::new(Word::ExportColumnItem, 24.0, Kind::Text),
        Column::new(Word::ExportColumnVersion, 8.0, Kind::Integer),
        Column::new(Word::ExportColumnPoints, 8.0, Kind::Integer),
        Column::new(Word::ExportColumnCause, 12.0, Kind::Text),
        Column::new(Word::ExportColumnReason, 40.0, Kind::Text),
    ],
};

pub fn category_word(c: RuleCategory) -> Word {
    match c {
        RuleCategory::Base => Word::Base,
        RuleCategory::Bonus => Word::Bonus,
        RuleCategory::Deduction => Word::Deduction,
    }
}

pub fn cause_word(c: LedgerCause) -> Word {
    match c {
        LedgerCause::Deed => Word::LedgerCauseDeed,
        LedgerCause::Decision => Word::LedgerCauseDecision,
        LedgerCause::Reversal => Word::LedgerCauseReversal,
        LedgerCause::Allotment => Word::LedgerCauseAllotment,
    }
}

pub fn row(e: UnitLedgerEntry) -> Row {
    vec![
        Cell::Time(e.created_at),
        Cell::int(e.quarter),
        Cell::Text(e.branch_name),
        Cell::Text(e.member_name),
        Cell::Word(category_word(e.category)),
        e.rule_name.map_or(Cell::Empty, Cell::Text),
        e.rule_version.map_or(Cell::Empty, Cell::int),
        Cell::int(e.points),
        Cell::Word(cause_word(e.cause)),
        Cell::Text(e.reason),
    ]
}

/// Every entry of the scope, a page at a time, each page read when the previous one has been
/// handed on (a stream is only polled as fast as the client, or the workbook writer, takes it).
pub fn pages(db: DatabaseConnection, scope: Scope) -> Pages {
    // The state: `Some(after)` while pages remain (`after` the last id sent), `None` when done.
    stream::try_unfold(Some(None::<String>), move |state| {
        let (db, scope) = (db.clone(), scope.clone());
        async move {
            let Some(after) = state else {
                return Ok(None);
            };
            let entries = unit_ledger::page(&db, &scope, after.as_deref(), PAGE).await?;
            if entries.is_empty() {
                return Ok(None);
            }
            let next = (entries.len() as u64 == PAGE)
                .then(|| entries.last().map(|e| e.id.clone()))
                .flatten();
            let rows = entries.into_iter().map(row).collect();
            Ok(Some((rows, next.map(Some))))
        }
    })
    .boxed()
}

/// The ledger of a scope as a file named after its period.
pub fn export(db: DatabaseConnection, scope: Scope) -> Export {
    Export {
        name: format!("ledger-{}", scope.period.slug()),
        sheets: vec![Sheet::new(&LEDGER, pages(db, scope))],
    }
}
