//! The database's change generation: a number that moves whenever something may have been
//! committed, so that answers computed before it moved are known to be old.
//!
//! It moves (a) right after each of this process's write transactions commits, before the caller
//! answers its client, and (b) when the [`watch`] task sees the database's own change marker move,
//! which catches writes by other processes: a second server on PostgreSQL, `jifen admin` on the
//! SQLite file. While the watch cannot read the marker, the generation is unknown and nothing that
//! depends on it is trusted.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use sea_orm::sqlx::{self, Connection};
use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, Statement};

/// How often the watch reads the database's change marker; bounds how long another process's
/// write can go unnoticed.
pub const WATCH_EVERY: Duration = Duration::from_millis(200);

#[derive(Debug, Default)]
struct Inner {
    generation: AtomicU64,
    watching: AtomicBool,
}

/// Shared by the database handle (which moves it on commit) and the readers that depend on it.
#[derive(Debug, Clone, Default)]
pub struct Changes(Arc<Inner>);

impl Changes {
    /// The current generation, or `None` while changes by other processes could go unseen.
    pub fn generation(&self) -> Option<u64> {
        self.0
            .watching
            .load(Ordering::Acquire)
            .then(|| self.0.generation.load(Ordering::Acquire))
    }

    /// Something was (or may have been) committed.
    pub fn moved(&self) {
        self.0.generation.fetch_add(1, Ordering::AcqRel);
    }

    #[cfg(test)]
    pub(crate) fn start_watching_for_tests(&self) {
        self.set_watching(true);
    }

    fn set_watching(&self, on: bool) {
        // Moving first: whatever was computed while unwatched is never taken for current.
        self.moved();
        self.0.watching.store(on, Ordering::Release);
    }
}

/// Where the database says it has changed.
enum Marker {
    /// `PRAGMA data_version` on a connection of its own: it changes when any other connection,
    /// in this process or another, commits to the file.
    Sqlite(sqlx::SqliteConnection),
    /// The WAL insert position, which moves with every commit from any client.
    Postgres(DatabaseConnection),
}

impl Marker {
    async fn read(&mut self) -> Result<String, String> {
        match self {
            Marker::Sqlite(conn) => sqlx::query_scalar::<_, i64>("PRAGMA data_version")
                .fetch_one(conn)
                .await
                .map(|v| v.to_string())
                .map_err(|e| e.to_string()),
            Marker::Postgres(db) => {
                let row = db
                    .query_one(Statement::from_string(
                        DbBackend::Postgres,
                        "SELECT pg_current_wal_insert_lsn()::text AS lsn",
                    ))
                    .await
                    .map_err(|e| e.to_string())?
                    .ok_or("no row")?;
                row.try_get::<String>("", "lsn").map_err(|e| e.to_string())
            }
        }
    }
}

/// Watches the database for commits made elsewhere, for as long as `changes` is in use.
pub fn watch(
    changes: &Changes,
    db: DatabaseConnection,
    sqlite: Option<sqlx::sqlite::SqliteConnectOptions>,
) {
    let weak = Arc::downgrade(&changes.0);
    tokio::spawn(async move {
        let mut marker: Option<Marker> = None;
        let mut last: Option<String> = None;
        let mut ticker = tokio::time::interval(WATCH_EVERY);
        ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            ticker.tick().await;
            let Some(changes) = weak.upgrade().map(Changes) else {
                return;
            };
            if marker.is_none() {
                marker = match &sqlite {
                    Some(options) => sqlx::SqliteConnection::connect_with(options)
                        .await
                        .map(Marker::Sqlite)
                        .map_err(|e| tracing::warn!(error = %e, "change watch cannot connect"))
                        .ok(),
                    None => Some(Marker::Postgres(db.clone())),
                };
            }
            let Some(m) = marker.as_mut() else { continue };
            match m.read().await {
                Ok(now) => {
                    if last.as_deref() != Some(now.as_str()) {
                        if last.is_some() {
                            changes.moved();
                        } else {
                            changes.set_watching(true);
                        }
                        last = Some(now);
                    }
                }
                Err(e) => {
                    if last.take().is_some() {
                        tracing::warn!(error = %e, "change watch lost the database; answers are not cached until it is back");
                        changes.set_watching(false);
                    }
                    marker = None;
                }
            }
        }
    });
}

#[cfg(test)]
mod tests {
    use migration::{Migrator, MigratorTrait};
    use sea_orm::ConnectionTrait;

    use crate::infra::db::Db;

    async fn until_moved_past(db: &Db, past: Option<u64>) -> u64 {
        for _ in 0..200 {
            if let Some(g) = db.changes().generation().filter(|g| Some(*g) != past) {
                return g;
            }
            tokio::time::sleep(std::time::Duration::from_millis(25)).await;
        }
        panic!("the generation did not move past {past:?}");
    }

    #[tokio::test]
    async fn commits_here_and_by_other_processes_move_the_generation() {
        let dir =
            std::env::temp_dir().join(format!("jifen-changes-{}", uuid::Uuid::new_v4().simple()));
        std::fs::create_dir_all(&dir).unwrap();
        let url = format!("sqlite://{}?mode=rwc", dir.join("jifen.db").display());
        let db = Db::connect(&url).await.unwrap();
        Migrator::up(db.conn(), None).await.unwrap();
        assert_eq!(db.changes().generation(), None, "unknown until watched");
        db.watch_changes();
        let watched = until_moved_past(&db, None).await;

        // This process's commit moves it before commit() returns.
        let txn = db.begin_write().await.unwrap();
        txn.commit().await.unwrap();
        let after_commit = db.changes().generation().unwrap();
        assert!(after_commit > watched);

        // The watch has seen that commit too; once it settles, nothing moves by itself.
        tokio::time::sleep(super::WATCH_EVERY * 3).await;
        let settled = db.changes().generation().unwrap();
        tokio::time::sleep(super::WATCH_EVERY * 3).await;
        assert_eq!(db.changes().generation(), Some(settled));

        // Another process's commit (here: another pool on the same file) is noticed by the watch.
        let other = Db::connect(&url).await.unwrap();
        other
            .conn()
            .execute_unprepared("CREATE TABLE scratch (x INTEGER)")
            .await
            .unwrap();
        let seen = until_moved_past(&db, Some(settled)).await;
        assert!(seen > settled);
        let _ = std::fs::remove_dir_all(dir);
    }
}
