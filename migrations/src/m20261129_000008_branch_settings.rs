//! A branch's settings for the points year: base points, how the board shows names, the alert
//! threshold, the grade thresholds and the usual area for evidence checks. One row per branch
//! that changed anything; a branch without one has the defaults. The settings are one JSON
//! document: the server validates them whole before writing, and nothing queries inside them.

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
                    .table(n("branch_settings"))
                    .col(
                        ColumnDef::new(n("branch_id"))
                            .string_len(36)
                            .not_null()
                            .primary_key(),
                    )
                    .col(text(n("settings")))
                    .col(at("updated_at"))
                    .col(id_ref("updated_by"))
                    .foreign_key(&mut fk("branch_settings", "branch_id", "org_unit"))
                    .foreign_key(&mut fk("branch_settings", "updated_by", "member"))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(n("branch_settings")).to_owned())
            .await
    }
}
