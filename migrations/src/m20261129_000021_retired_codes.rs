//! Administration from the app (issue 14): a branch's public code can change, and the code it
//! had is kept as retired, so that the board's old address (printed on QR codes on the village
//! board) still leads to the branch and no other unit can ever take it. Also indexes for walking
//! the tree down (`org_unit.parent_id`) and listing a unit's role holders, made only if another
//! change has not made them already.

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
                    .table(n("retired_code"))
                    .col(string_len(n("code"), 32).primary_key())
                    .col(id_ref("org_unit_id"))
                    .col(at("retired_at"))
                    .foreign_key(&mut fk("retired_code", "org_unit_id", "org_unit"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                index("org_unit", &["parent_id"], false)
                    .if_not_exists()
                    .take(),
            )
            .await?;
        manager
            .create_index(
                index("role_assignment", &["org_unit_id"], false)
                    .if_not_exists()
                    .take(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for (table, name) in [
            ("role_assignment", "ix_role_assignment_org_unit_id"),
            ("org_unit", "ix_org_unit_parent_id"),
        ] {
            manager
                .drop_index(Index::drop().name(name).table(n(table)).to_owned())
                .await?;
        }
        manager
            .drop_table(Table::drop().table(n("retired_code")).to_owned())
            .await
    }
}
