//! When each deed was first decided, kept on the deed (issue 15, statistics at province scale).
//!
//! - `deed.first_decided_at`: the first approval, rejection or return of the deed (a withdrawal
//!   is the member's, not a decision), set once by the review and never changed after: a
//!   decision overturned on appeal sends the deed back to pending but keeps its first decision.
//!   Until now the statistics' review times and the ratings' on-time review found it by reading
//!   each deed's audit history; deeds that exist already get it from that history here, by the
//!   same rule (the earliest `deed.approved`, `deed.rejected` or `deed.returned` event).
//! - `deed (branch_id, first_decided_at, created_at)`: the deeds of many branches first decided
//!   in a year or a quarter, with their submission, read from the index alone. It replaces
//!   `deed (branch_id, updated_at)` (000018), which only that search used: one index fewer to
//!   write on every change of a deed.
//! - `ledger_entry (member_id, cycle_year, category, cycle_quarter, points)`: the statistics
//!   sum each member's year by category and quarter; with the sums' columns in the index, a
//!   unit's members are read from the index alone, one short range per member, instead of the
//!   whole year's ledger. It replaces `ledger_entry (member_id, cycle_year)` (000001), its prefix.

use sea_orm_migration::prelude::*;

use crate::columns::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Each index made (table, name, columns), with the name and columns of the one it replaces.
/// PostgreSQL cuts names at 63 bytes, so the covering index is named, not spelled out.
type Made = (&'static str, &'static str, &'static [&'static str]);
const INDEXES: [(Made, Made); 2] = [
    (
        (
            "deed",
            "ix_deed_branch_id_first_decided_at_created_at",
            &["branch_id", "first_decided_at", "created_at"],
        ),
        (
            "deed",
            "ix_deed_branch_id_updated_at",
            &["branch_id", "updated_at"],
        ),
    ),
    (
        (
            "ledger_entry",
            "ix_ledger_entry_member_year_sums",
            &[
                "member_id",
                "cycle_year",
                "category",
                "cycle_quarter",
                "points",
            ],
        ),
        (
            "ledger_entry",
            "ix_ledger_entry_member_id_cycle_year",
            &["member_id", "cycle_year"],
        ),
    ),
];

fn create((table, name, columns): Made) -> IndexCreateStatement {
    index(table, columns, false).name(name).take()
}

fn drop((table, name, _): Made) -> IndexDropStatement {
    Index::drop().name(name).table(n(table)).to_owned()
}

/// One grouped pass over the deeds' deciding events (PostgreSQL and SQLite ≥ 3.33 both take
/// `UPDATE … FROM`), rather than one lookup of the history per deed.
const BACKFILL: &str = "UPDATE deed SET first_decided_at = decided.at \
     FROM (SELECT entity_id, MIN(at) AS at FROM audit_event \
           WHERE entity_type = 'deed' \
             AND action IN ('deed.approved', 'deed.rejected', 'deed.returned') \
           GROUP BY entity_id) AS decided \
     WHERE decided.entity_id = deed.id";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(n("deed"))
                    .add_column(at_null("first_decided_at"))
                    .to_owned(),
            )
            .await?;
        manager
            .get_connection()
            .execute_unprepared(BACKFILL)
            .await?;
        for (made, replaced) in INDEXES {
            manager.create_index(create(made)).await?;
            manager.drop_index(drop(replaced)).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for (made, replaced) in INDEXES {
            manager.create_index(create(replaced)).await?;
            manager.drop_index(drop(made)).await?;
        }
        manager
            .alter_table(
                Table::alter()
                    .table(n("deed"))
                    .drop_column(n("first_decided_at"))
                    .to_owned(),
            )
            .await
    }
}
