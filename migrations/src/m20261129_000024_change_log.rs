//! Per-branch invalidation of kept answers (issue 15): on SQLite, each audited write appends the
//! chain it changed to `change_log` inside its own transaction, so that this process and any
//! other on the same file (`jifen admin`) learn which branches moved, in commit order (SQLite
//! has one writer at a time). PostgreSQL instances tell each other with `NOTIFY` instead, so the
//! table is made on SQLite only.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() != sea_orm::DatabaseBackend::Sqlite {
            return Ok(());
        }
        // AUTOINCREMENT: a number is never used twice, even after the oldest rows are pruned, so
        // a reader that finds a gap knows it missed something.
        manager
            .get_connection()
            .execute_unprepared(
                "CREATE TABLE change_log (seq INTEGER PRIMARY KEY AUTOINCREMENT, chain_id TEXT NOT NULL)",
            )
            .await
            .map(|_| ())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() != sea_orm::DatabaseBackend::Sqlite {
            return Ok(());
        }
        manager
            .get_connection()
            .execute_unprepared("DROP TABLE change_log")
            .await
            .map(|_| ())
    }
}
