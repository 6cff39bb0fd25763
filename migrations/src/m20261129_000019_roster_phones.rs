//! The roster (issue 14): a phone number is unique within its member's home branch (the import
//! matches rows to members by it), and a branch's roster is read by name a page at a time.
//! No phone was ever written before this, so the unique index meets no duplicates; several
//! members without a phone (NULL) are allowed on SQLite and PostgreSQL alike.

use sea_orm_migration::prelude::*;

use crate::columns::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_index(index("member", &["home_branch_id", "phone"], true))
            .await?;
        manager
            .create_index(index("member", &["home_branch_id", "name", "id"], false))
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for name in [
            "ix_member_home_branch_id_name_id",
            "ix_member_home_branch_id_phone",
        ] {
            manager
                .drop_index(Index::drop().name(name).table(n("member")).to_owned())
                .await?;
        }
        Ok(())
    }
}
