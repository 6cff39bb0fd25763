//! The rules catalogue keeps its history: an edit of what an item is worth or means makes a new
//! version instead of changing the item in place.
//!
//! - `point_rule.version`: the item's current version, 1 on creation.
//! - `point_rule_version`: each version's values, who made it and when. Items that exist already
//!   get their version 1 from their current values.
//! - `ledger_entry.rule_version` and `deed.rule_version`: the version an entry was written under
//!   and the version a deed was approved under. Rows from before versions existed have none.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use crate::columns::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(n("point_rule"))
                    .add_column(integer(n("version")).default(1))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(n("point_rule_version"))
                    .col(id_ref("rule_id"))
                    .col(integer(n("version")))
                    .col(string_len(n("name"), 120))
                    .col(text(n("description")))
                    .col(integer(n("standard_points")))
                    .col(integer_null(n("cap_per_quarter")))
                    .col(integer_null(n("cap_per_year")))
                    .col(boolean(n("evidence_required")))
                    .col(at("created_at"))
                    // None for versions made by the demo seed and by this migration.
                    .col(id_ref_null("created_by"))
                    .primary_key(Index::create().col(n("rule_id")).col(n("version")))
                    .foreign_key(&mut fk("point_rule_version", "rule_id", "point_rule"))
                    .foreign_key(&mut fk("point_rule_version", "created_by", "member"))
                    .to_owned(),
            )
            .await?;
        manager
            .get_connection()
            .execute_unprepared(
                "INSERT INTO point_rule_version (rule_id, version, name, description, \
                 standard_points, cap_per_quarter, cap_per_year, evidence_required, created_at, \
                 created_by) \
                 SELECT id, 1, name, description, standard_points, cap_per_quarter, cap_per_year, \
                 evidence_required, created_at, NULL FROM point_rule",
            )
            .await?;
        for table in ["ledger_entry", "deed"] {
            manager
                .alter_table(
                    Table::alter()
                        .table(n(table))
                        .add_column(integer_null(n("rule_version")))
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in ["deed", "ledger_entry"] {
            manager
                .alter_table(
                    Table::alter()
                        .table(n(table))
                        .drop_column(n("rule_version"))
                        .to_owned(),
                )
                .await?;
        }
        manager
            .drop_table(Table::drop().table(n("point_rule_version")).to_owned())
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(n("point_rule"))
                    .drop_column(n("version"))
                    .to_owned(),
            )
            .await
    }
}
