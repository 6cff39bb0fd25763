//! Sessions that end and sign-ins that cannot be guessed at: failed password sign-ins counted
//! per account in a window (so that every instance sees the same count), and an index on when
//! refresh-token families were revoked, which each server reads to refuse the access tokens of
//! ended sessions.

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
                    .table(n("login_failure"))
                    // One row per member with recent failed sign-ins; an unknown username never
                    // gets one, so junk sign-ins write nothing.
                    .col(
                        ColumnDef::new(n("member_id"))
                            .string_len(36)
                            .not_null()
                            .primary_key(),
                    )
                    .col(integer(n("failures")))
                    .col(at("window_started_at"))
                    .foreign_key(&mut fk("login_failure", "member_id", "member"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index("refresh_token", &["revoked_at"], false))
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop()
                    .name("ix_refresh_token_revoked_at")
                    .table(n("refresh_token"))
                    .to_owned(),
            )
            .await?;
        manager
            .drop_table(Table::drop().table(n("login_failure")).to_owned())
            .await
    }
}
