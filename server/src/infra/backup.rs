//! A consistent copy of the database while the server keeps serving.

use std::path::Path;

use sea_orm::{ConnectionTrait, DbBackend, Statement};

use crate::infra::db::Db;

#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    #[error("{0} already exists; choose a new file name so no backup is overwritten")]
    Exists(String),
    #[error("backups of PostgreSQL are made with its own tools: pg_dump --format=custom --file=FILE DATABASE_URL")]
    Postgres,
    #[error("making the backup: {0}")]
    Db(#[from] sea_orm::DbErr),
}

/// SQLite's `VACUUM INTO` writes a transactionally consistent, compacted copy without blocking
/// readers or writers for longer than one read transaction.
pub async fn backup(db: &Db, target: &Path) -> Result<(), BackupError> {
    if db.backend() == DbBackend::Postgres {
        return Err(BackupError::Postgres);
    }
    if target.exists() {
        return Err(BackupError::Exists(target.display().to_string()));
    }
    db.conn()
        .execute(Statement::from_sql_and_values(
            DbBackend::Sqlite,
            "VACUUM INTO ?",
            [target.to_string_lossy().into_owned().into()],
        ))
        .await?;
    Ok(())
}
