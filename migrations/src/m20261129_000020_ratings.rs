//! Branch ratings (星级党支部).
//!
//! - `rating_rules`: one row per unit above the branches that configured its rating scheme; a
//!   unit without one inherits its nearest configured ancestor's. The scheme is one JSON document
//!   the server validates whole before writing; nothing queries inside it.
//! - `rating_adjustment`: the stars an administrator set for a branch's year, with the reason and
//!   what the figures gave at the time. Unique per (branch_id, cycle_year): a newer adjustment
//!   replaces the row, and the audit history keeps every one.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use crate::columns::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(n("rating_rules"))
                    .col(
                        ColumnDef::new(n("org_unit_id"))
                            .string_len(36)
                            .not_null()
                            .primary_key(),
                    )
                    .col(text(n("rules")))
                    .col(at("updated_at"))
                    .col(id_ref("updated_by"))
                    .foreign_key(&mut fk("rating_rules", "org_unit_id", "org_unit"))
                    .foreign_key(&mut fk("rating_rules", "updated_by", "member"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(n("rating_adjustment"))
                    .col(id_pk())
                    .col(id_ref("branch_id"))
                    .col(integer(n("cycle_year")))
                    .col(small_integer(n("stars")))
                    .col(small_integer(n("computed_stars")))
                    .col(text(n("reason")))
                    .col(id_ref("adjusted_by"))
                    .col(at("adjusted_at"))
                    .foreign_key(&mut fk("rating_adjustment", "branch_id", "org_unit"))
                    .foreign_key(&mut fk("rating_adjustment", "adjusted_by", "member"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "rating_adjustment",
                &["branch_id", "cycle_year"],
                true,
            ))
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in ["rating_adjustment", "rating_rules"] {
            manager
                .drop_table(Table::drop().table(n(table)).to_owned())
                .await?;
        }
        Ok(())
    }
}
