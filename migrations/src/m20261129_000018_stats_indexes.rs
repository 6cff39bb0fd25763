//! Indexes for the statistics of a county's branches (`GET /orgs/{id}/stats`):
//! - `deed (branch_id, cycle_year)`: the deeds of one year of many branches, without reading
//!   their other years;
//! - `deed (branch_id, updated_at)`: the deeds changed since a year began, whose first decisions
//!   give the review times;
//! - `ledger_entry (branch_id, cycle_year, id)`: a year of many branches' points, and the
//!   ledger export's keyset pages (`GET /orgs/{id}/ledger`), without reading other years.

use sea_orm_migration::prelude::*;

use crate::columns::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

const INDEXES: [(&str, &[&str]); 3] = [
    ("deed", &["branch_id", "cycle_year"]),
    ("deed", &["branch_id", "updated_at"]),
    ("ledger_entry", &["branch_id", "cycle_year", "id"]),
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for (table, columns) in INDEXES {
            manager.create_index(index(table, columns, false)).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for (table, columns) in INDEXES {
            manager
                .drop_index(
                    Index::drop()
                        .name(format!("ix_{table}_{}", columns.join("_")))
                        .table(n(table))
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}
