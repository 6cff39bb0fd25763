//! `member (status, id)` (issue 15): every instance reads the transferred members every two
//! seconds for its view of ended sessions (`services::auth::revocations`). With a million members
//! that was a full scan of the table each time (100 ms on PostgreSQL); the index gives them from
//! a short range of itself.

use sea_orm_migration::prelude::*;

use crate::columns::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_index(index("member", &["status", "id"], false))
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop()
                    .name("ix_member_status_id")
                    .table(n("member"))
                    .to_owned(),
            )
            .await
    }
}
