//! The ledger of a unit as a file: every entry of the period, read a thousand at a time inside
//! one read transaction, so that the file is one snapshot of the ledger.

use futures_util::stream::{self, StreamExt};
use jifen_shared::api::{LedgerCause, UnitLedgerEntry};
use jifen_shared::domain::RuleCategory;
use jifen_shared::words::Word;
use sea_orm::{DatabaseConnection, DatabaseTransaction};

use super::table::{Cell, Column, Kind, Row, Table};
use super::{Export, Pages, Sheet};
use crate::infra::db::snapshot;
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

/// Where the export stands between pages.
enum Reading {
    Start,
    /// The snapshot, and the last id sent.
    After(DatabaseTransaction, String),
    Done,
}

/// Every entry of the scope, a page at a time, each page read when the previous one has been
/// handed on (a stream is only polled as fast as the client, or the workbook writer, takes it),
/// all from one snapshot ([`snapshot`]: a file must not miss an entry committed out of id
/// order); dropping the stream part way rolls it back.
pub fn pages(db: DatabaseConnection, scope: Scope) -> Pages {
    stream::try_unfold(Reading::Start, move |state| {
        let (db, scope) = (db.clone(), scope.clone());
        async move {
            let (txn, after) = match state {
                Reading::Done => return Ok(None),
                Reading::Start => (snapshot(&db).await?, None),
                Reading::After(txn, after) => (txn, Some(after)),
            };
            let entries = unit_ledger::page(&txn, &scope, after.as_deref(), PAGE).await?;
            let next = (entries.len() as u64 == PAGE)
                .then(|| entries.last().map(|e| e.id.clone()))
                .flatten();
            if entries.is_empty() {
                txn.commit().await?;
                return Ok(None);
            }
            let rows = entries.into_iter().map(row).collect();
            let state = match next {
                Some(after) => Reading::After(txn, after),
                None => {
                    txn.commit().await?;
                    Reading::Done
                }
            };
            Ok(Some((rows, state)))
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
