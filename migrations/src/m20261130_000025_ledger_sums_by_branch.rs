//! The statistics' covering index on the ledger names the branch too (issue 15).
//!
//! A branch's statistics are kept between requests and read again only when a chain they come
//! from moves: the branch's own, and that of every branch holding its members' entries of the
//! year (points earned before a transfer). The grouped read of the members' sums now says which
//! branch each sum was earned in, so `ledger_entry (member_id, cycle_year, category,
//! cycle_quarter, branch_id, points)` replaces the same index without `branch_id` (000022):
//! the read stays on the index alone.

use sea_orm_migration::prelude::*;

use crate::columns::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// PostgreSQL cuts names at 63 bytes, so the covering indexes are named, not spelled out.
const MADE: (&str, &[&str]) = (
    "ix_ledger_entry_member_year_branch_sums",
    &[
        "member_id",
        "cycle_year",
        "category",
        "cycle_quarter",
        "branch_id",
        "points",
    ],
);
const REPLACED: (&str, &[&str]) = (
    "ix_ledger_entry_member_year_sums",
    &[
        "member_id",
        "cycle_year",
        "category",
        "cycle_quarter",
        "points",
    ],
);

fn create((name, columns): (&str, &[&str])) -> IndexCreateStatement {
    index("ledger_entry", columns, false).name(name).take()
}

fn drop((name, _): (&str, &[&str])) -> IndexDropStatement {
    Index::drop().name(name).table(n("ledger_entry")).to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.create_index(create(MADE)).await?;
        manager.drop_index(drop(REPLACED)).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.create_index(create(REPLACED)).await?;
        manager.drop_index(drop(MADE)).await
    }
}
