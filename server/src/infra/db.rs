//! Connecting to SQLite or PostgreSQL from one URL, and write transactions that are safe on both.

use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use sea_orm::sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous,
};
use sea_orm::{
    AccessMode, ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DatabaseTransaction,
    DbBackend, DbErr, IsolationLevel, SqlxSqliteConnector, Statement, TransactionTrait,
};
use tokio::sync::{Mutex, OwnedMutexGuard};

use crate::infra::changes::{self, Changes};

/// The database and, for SQLite, the gate that lets one write transaction in at a time.
///
/// SQLite allows a single writer; two deferred transactions that both read and then write fail
/// with `SQLITE_BUSY` instead of waiting. Queueing writers in-process avoids that, while readers
/// keep their own pooled connections (WAL lets them read during a write). PostgreSQL needs no gate:
/// writers lock the rows they depend on instead (see [`crate::services::audit::lock_chain`]).
#[derive(Clone)]
pub struct Db {
    conn: DatabaseConnection,
    gate: Option<Arc<Mutex<()>>>,
    changes: Changes,
}

/// A write transaction; holds the SQLite gate until committed or dropped (which rolls back).
pub struct WriteTxn {
    txn: DatabaseTransaction,
    _gate: Option<OwnedMutexGuard<()>>,
    changes: Changes,
    /// For reading SQLite's change log once committed.
    conn: DatabaseConnection,
}

impl std::ops::Deref for WriteTxn {
    type Target = DatabaseTransaction;

    fn deref(&self) -> &Self::Target {
        &self.txn
    }
}

impl WriteTxn {
    /// Commits, then moves the scopes the transaction touched (see [`changes::touch`]) before
    /// anyone hears of the write.
    pub async fn commit(self) -> Result<(), DbErr> {
        if self.conn.get_database_backend() == DbBackend::Postgres {
            let touched = changes::touched_here(&self.txn).await?;
            self.txn.commit().await?;
            self.changes.moved(touched);
        } else {
            self.txn.commit().await?;
            // Still holding the gate: what the log adds past this process's last reading is
            // this commit, and any other process's since, in commit order.
            if let Err(e) = self.changes.catch_up(&self.conn).await {
                tracing::warn!(error = %e, "change log unread after a commit");
                self.changes.moved_everything();
            }
        }
        Ok(())
    }
}

impl Db {
    pub async fn connect(url: &str) -> Result<Self, DbErr> {
        if url.starts_with("sqlite:") {
            let options = SqliteConnectOptions::from_str(url)
                .map_err(|e| DbErr::Custom(format!("invalid SQLite URL: {e}")))?
                .journal_mode(SqliteJournalMode::Wal)
                // FULL: an acknowledged write survives a power cut, not only a process crash.
                .synchronous(SqliteSynchronous::Full)
                .foreign_keys(true)
                .busy_timeout(Duration::from_secs(10));
            let pool = SqlitePoolOptions::new()
                // A local file cannot drop a connection the way a network can; checking each one
                // before use would double the round trips of every query.
                .test_before_acquire(false)
                .max_connections(8)
                .min_connections(1)
                .connect_with(options)
                .await
                .map_err(|e| DbErr::Conn(sea_orm::RuntimeErr::SqlxError(e)))?;
            Ok(Self {
                conn: SqlxSqliteConnector::from_sqlx_sqlite_pool(pool),
                gate: Some(Arc::new(Mutex::new(()))),
                changes: Changes::default(),
            })
        } else {
            let mut options = ConnectOptions::new(url);
            options
                .max_connections(32)
                .min_connections(1)
                .connect_timeout(Duration::from_secs(10))
                .sqlx_logging(false);
            Ok(Self {
                conn: Database::connect(options).await?,
                gate: None,
                changes: Changes::default(),
            })
        }
    }

    pub fn conn(&self) -> &DatabaseConnection {
        &self.conn
    }

    /// What has changed; unknown until [`Db::watch_changes`] has read the database once.
    pub fn changes(&self) -> &Changes {
        &self.changes
    }

    /// Starts noticing commits by other processes (see [`crate::infra::changes`]).
    pub fn watch_changes(&self) {
        changes::watch(&self.changes, self.conn.clone());
    }

    pub fn backend(&self) -> DbBackend {
        self.conn.get_database_backend()
    }

    /// Starts a transaction that may write, holding the database's write lock from the start.
    pub async fn begin_write(&self) -> Result<WriteTxn, DbErr> {
        let gate = match &self.gate {
            Some(gate) => Some(gate.clone().lock_owned().await),
            None => None,
        };
        let txn = self.conn.begin().await?;
        if gate.is_some() {
            // What `BEGIN IMMEDIATE` does: take SQLite's write lock before the first read. Another
            // process on the same file (a second server, `jifen admin`) then makes this one wait
            // up to the busy timeout, instead of failing with SQLITE_BUSY when a read transaction
            // tries to become a write transaction. The statement matches no row.
            txn.execute_unprepared("UPDATE org_unit SET id = id WHERE 0")
                .await?;
        }
        Ok(WriteTxn {
            txn,
            _gate: gate,
            changes: self.changes.clone(),
            conn: self.conn.clone(),
        })
    }

    /// Answers whether the database takes queries, for `/readyz`.
    pub async fn ping(&self) -> Result<(), DbErr> {
        self.conn
            .execute(Statement::from_string(self.backend(), "SELECT 1"))
            .await
            .map(|_| ())
    }

    pub async fn close(self) -> Result<(), DbErr> {
        self.conn.close().await
    }
}

/// The `n`th (from 1) bound parameter of a hand-written statement: `$n` on PostgreSQL, `?` on
/// SQLite.
pub fn placeholder(backend: sea_orm::DbBackend, n: usize) -> String {
    match backend {
        sea_orm::DbBackend::Postgres => format!("${n}"),
        _ => "?".to_owned(),
    }
}

/// A read transaction that sees the database as it stood when it began, for reads of many pages
/// that must add up (an export, `jifen audit verify`).
///
/// Pages read by id (UUIDv7, growing in write order) in separate queries can miss a row whose
/// writer committed after a later writer had: it falls behind a page already read. On PostgreSQL
/// a `REPEATABLE READ` read-only transaction keeps one snapshot for every page; on SQLite (in WAL
/// mode) a deferred transaction does the same from its first read, and neither blocks a writer.
/// It holds one pooled connection until dropped or committed.
pub async fn snapshot(db: &DatabaseConnection) -> Result<DatabaseTransaction, DbErr> {
    match db.get_database_backend() {
        DbBackend::Postgres => {
            db.begin_with_config(
                Some(IsolationLevel::RepeatableRead),
                Some(AccessMode::ReadOnly),
            )
            .await
        }
        // SQLite's isolation is serializable already and has no read-only transactions.
        _ => db.begin().await,
    }
}
