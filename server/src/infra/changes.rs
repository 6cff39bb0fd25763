//! Which parts of the database have changed, so that answers computed before a change are known
//! to be old, while answers about everything else stay good.
//!
//! A part is a **scope**: an audit chain (one org unit's history: a branch's deeds, points,
//! rules, members), one member's ledger (`ledger:<member id>`, moved by every entry written for
//! them, see [`crate::services::ledger::scope_of`]), or one of the few named scopes below.
//! Every audited write names its chain ([`crate::services::audit::lock_chain`] calls [`touch`]
//! inside the writer's transaction), and [`crate::infra::db::WriteTxn::commit`] moves the
//! scopes it touched right after the commit, before the writer answers. So a reader that starts after a write was acknowledged never gets
//! an answer from before it, and writes in one branch leave the other branches' answers warm.
//!
//! Other processes' writes arrive through the database:
//! - **PostgreSQL**: [`touch`] also sends `NOTIFY jifen_changes, '<scope>'`, which PostgreSQL
//!   delivers to every listening instance when (and only if) the transaction commits. Each
//!   instance's [`watch`] listens; while it cannot (the connection dropped), nothing is trusted,
//!   and when it listens again everything counts as moved, since notices may have been missed.
//! - **SQLite** (one file, shared with `jifen admin`): [`touch`] appends the scope to
//!   `change_log` inside the transaction; SQLite commits one writer at a time, so the log's
//!   numbers are in commit order, and [`watch`] reads what is new every [`WATCH_EVERY`]. A gap
//!   in the numbers (rows pruned before this process read them) counts as everything moved.
//!
//! A write made outside Jifen (SQL typed into a console) names no scope; kept answers bound how
//! long such a change can go unseen with their own maximum age.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, RwLock};
use std::time::Duration;

use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, DbErr, Statement};

/// How often the SQLite watch reads the change log; bounds how long another process's write
/// can go unseen there. (PostgreSQL's notices arrive as they are sent.)
pub const WATCH_EVERY: Duration = Duration::from_millis(200);

/// The PostgreSQL channel on which instances tell each other what they changed.
const CHANNEL: &str = "jifen_changes";

/// Rows of `change_log` kept for processes that have not read them yet.
const LOG_KEPT: i64 = 10_000;

/// A scope that stands for everything: role changes, transfers, anything whose effect on who
/// sees what cannot be pinned to one chain.
pub const EVERYTHING: &str = "*";

/// The sessions that have ended (sign-outs, revoked refresh tokens).
pub const SESSIONS: &str = "~sessions";

/// What a kept answer depends on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Deps {
    /// Any change at all makes it old.
    Everything,
    /// A change in any of these scopes (or a change to everything) makes it old.
    Scopes(Vec<String>),
}

impl Deps {
    /// These scopes, each once.
    pub fn scopes(mut scopes: Vec<String>) -> Self {
        scopes.sort_unstable();
        scopes.dedup();
        Deps::Scopes(scopes)
    }
}

#[derive(Debug, Default)]
struct Inner {
    /// Moves by one at every change seen; a stamp is a reading of it.
    clock: AtomicU64,
    /// The clock at the last change to everything.
    floor: AtomicU64,
    /// The clock at each scope's last change.
    scopes: RwLock<HashMap<String, u64>>,
    watching: AtomicBool,
    /// SQLite: the last `change_log` number applied (`None` until first read).
    log_seen: tokio::sync::Mutex<Option<i64>>,
}

/// Shared by the database handle (which moves scopes on commit) and the readers that depend on
/// them.
#[derive(Debug, Clone, Default)]
pub struct Changes(Arc<Inner>);

impl Changes {
    /// A reading to take *before* computing an answer, or `None` while changes by other
    /// processes could go unseen (then nothing may be kept).
    pub fn stamp(&self) -> Option<u64> {
        self.0
            .watching
            .load(Ordering::Acquire)
            .then(|| self.0.clock.load(Ordering::Acquire))
    }

    /// Whether nothing `deps` names has changed since `stamp` was read (and changes are still
    /// being watched).
    pub fn unchanged_since(&self, stamp: u64, deps: &Deps) -> bool {
        if !self.0.watching.load(Ordering::Acquire) {
            return false;
        }
        match deps {
            Deps::Everything => self.0.clock.load(Ordering::Acquire) == stamp,
            Deps::Scopes(scopes) => {
                if self.0.floor.load(Ordering::Acquire) > stamp {
                    return false;
                }
                let moved = self.0.scopes.read().unwrap_or_else(|p| p.into_inner());
                scopes
                    .iter()
                    .all(|s| moved.get(s.as_str()).is_none_or(|at| *at <= stamp))
            }
        }
    }

    /// [`Changes::unchanged_since`] for one scope.
    pub fn unchanged_in(&self, stamp: u64, scope: &str) -> bool {
        if !self.0.watching.load(Ordering::Acquire) || self.0.floor.load(Ordering::Acquire) > stamp
        {
            return false;
        }
        let moved = self.0.scopes.read().unwrap_or_else(|p| p.into_inner());
        moved.get(scope).is_none_or(|at| *at <= stamp)
    }

    /// Whether nothing has moved [`EVERYTHING`] since `stamp` (and changes are still being
    /// watched): what answers that depend on roles and the tree alone need.
    pub fn everything_unmoved_since(&self, stamp: u64) -> bool {
        self.0.watching.load(Ordering::Acquire) && self.0.floor.load(Ordering::Acquire) <= stamp
    }

    /// Everything may have changed.
    pub fn moved_everything(&self) {
        let at = self.0.clock.fetch_add(1, Ordering::AcqRel) + 1;
        self.0.floor.fetch_max(at, Ordering::AcqRel);
    }

    /// These scopes changed ([`EVERYTHING`] among them means everything did).
    pub fn moved<S: AsRef<str>>(&self, scopes: impl IntoIterator<Item = S>) {
        let mut scopes = scopes.into_iter().peekable();
        if scopes.peek().is_none() {
            return;
        }
        let at = self.0.clock.fetch_add(1, Ordering::AcqRel) + 1;
        let mut moved = self.0.scopes.write().unwrap_or_else(|p| p.into_inner());
        for scope in scopes {
            let scope = scope.as_ref();
            if scope == EVERYTHING {
                self.0.floor.fetch_max(at, Ordering::AcqRel);
            } else if let Some(last) = moved.get_mut(scope) {
                *last = at;
            } else {
                moved.insert(scope.to_owned(), at);
            }
        }
    }

    #[cfg(test)]
    pub(crate) fn start_watching_for_tests(&self) {
        self.set_watching(true);
    }

    fn set_watching(&self, on: bool) {
        // Moving first: whatever was computed while unwatched is never taken for current.
        self.moved_everything();
        self.0.watching.store(on, Ordering::Release);
    }

    /// SQLite: applies what `change_log` holds beyond what this process has read.
    pub(crate) async fn catch_up(&self, db: &impl ConnectionTrait) -> Result<(), DbErr> {
        let mut seen = self.0.log_seen.lock().await;
        let Some(last) = *seen else {
            let row = db
                .query_one(Statement::from_string(
                    DbBackend::Sqlite,
                    "SELECT COALESCE(MAX(seq), 0) AS seq FROM change_log",
                ))
                .await?;
            *seen = Some(
                row.map(|r| r.try_get::<i64>("", "seq"))
                    .transpose()?
                    .unwrap_or(0),
            );
            return Ok(());
        };
        let rows = db
            .query_all(Statement::from_sql_and_values(
                DbBackend::Sqlite,
                "SELECT seq, chain_id FROM change_log WHERE seq > ? ORDER BY seq",
                [last.into()],
            ))
            .await?;
        let Some(newest) = rows.last() else {
            return Ok(());
        };
        let newest: i64 = newest.try_get("", "seq")?;
        let first: i64 = rows[0].try_get("", "seq")?;
        if first != last + 1 {
            self.moved_everything();
        } else {
            let scopes = rows
                .iter()
                .map(|r| r.try_get::<String>("", "chain_id"))
                .collect::<Result<Vec<_>, _>>()?;
            self.moved(scopes);
        }
        *seen = Some(newest);
        Ok(())
    }
}

/// Notes, inside the writer's transaction, that it changes `scope`: a chain's org unit id, or
/// [`EVERYTHING`], [`SESSIONS`]. Takes effect only if the transaction commits.
pub async fn touch(db: &impl ConnectionTrait, scope: &str) -> Result<(), DbErr> {
    let backend = db.get_database_backend();
    let statement = match backend {
        // set_config(.., true) lasts until the transaction ends: what WriteTxn::commit reads.
        DbBackend::Postgres => Statement::from_sql_and_values(
            backend,
            "SELECT pg_notify($1, $2), set_config('jifen.touched', \
             COALESCE(current_setting('jifen.touched', true), '') || $2::text || ',', true)",
            [CHANNEL.into(), scope.into()],
        ),
        _ => Statement::from_sql_and_values(
            backend,
            "INSERT INTO change_log (chain_id) VALUES (?)",
            [scope.into()],
        ),
    };
    db.execute(statement).await.map(|_| ())
}

/// PostgreSQL: the scopes this transaction has touched so far (read just before it commits).
pub(crate) async fn touched_here(db: &impl ConnectionTrait) -> Result<Vec<String>, DbErr> {
    let row = db
        .query_one(Statement::from_string(
            DbBackend::Postgres,
            "SELECT COALESCE(current_setting('jifen.touched', true), '') AS touched",
        ))
        .await?;
    let touched = row
        .map(|r| r.try_get::<String>("", "touched"))
        .transpose()?
        .unwrap_or_default();
    Ok(scopes_in(&touched))
}

fn scopes_in(list: &str) -> Vec<String> {
    let mut scopes: Vec<String> = list
        .split(',')
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect();
    scopes.sort_unstable();
    scopes.dedup();
    scopes
}

/// Watches for other processes' changes, for as long as `changes` is in use.
pub fn watch(changes: &Changes, db: DatabaseConnection) {
    let weak = Arc::downgrade(&changes.0);
    match db.get_database_backend() {
        DbBackend::Postgres => {
            tokio::spawn(listen(weak, db));
        }
        _ => {
            tokio::spawn(follow_log(weak, db));
        }
    }
}

/// SQLite: reads the change log every [`WATCH_EVERY`], and now and then drops what every
/// process has long read.
async fn follow_log(weak: std::sync::Weak<Inner>, db: DatabaseConnection) {
    let mut ticker = tokio::time::interval(WATCH_EVERY);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut ticks: u64 = 0;
    loop {
        ticker.tick().await;
        let Some(changes) = weak.upgrade().map(Changes) else {
            return;
        };
        match changes.catch_up(&db).await {
            Ok(()) => {
                if !changes.0.watching.load(Ordering::Acquire) {
                    changes.set_watching(true);
                }
            }
            Err(e) => {
                if changes.0.watching.load(Ordering::Acquire) {
                    tracing::warn!(error = %e, "change watch cannot read the change log; answers are not kept until it can");
                    changes.set_watching(false);
                }
            }
        }
        ticks += 1;
        if ticks.is_multiple_of(150) {
            let pruned = db
                .execute(Statement::from_sql_and_values(
                    DbBackend::Sqlite,
                    "DELETE FROM change_log WHERE seq <= (SELECT MAX(seq) FROM change_log) - ?",
                    [LOG_KEPT.into()],
                ))
                .await;
            if let Err(e) = pruned {
                tracing::debug!(error = %e, "change log not pruned this time");
            }
        }
    }
}

/// PostgreSQL: listens on [`CHANNEL`] on a connection of its own.
async fn listen(weak: std::sync::Weak<Inner>, db: DatabaseConnection) {
    use sea_orm::sqlx::postgres::PgListener;
    let pool = db.get_postgres_connection_pool().clone();
    let mut backoff = Duration::from_millis(100);
    loop {
        if weak.strong_count() == 0 {
            return;
        }
        let mut listener = match PgListener::connect_with(&pool).await {
            Ok(l) => l,
            Err(e) => {
                tracing::warn!(error = %e, "change watch cannot connect; answers are not kept until it can");
                tokio::time::sleep(backoff).await;
                backoff = (backoff * 2).min(Duration::from_secs(5));
                continue;
            }
        };
        if let Err(e) = listener.listen(CHANNEL).await {
            tracing::warn!(error = %e, "change watch cannot listen");
            tokio::time::sleep(backoff).await;
            continue;
        }
        backoff = Duration::from_millis(100);
        match weak.upgrade().map(Changes) {
            Some(changes) => changes.set_watching(true),
            None => return,
        }
        loop {
            // Wakes now and then to notice when the server has shut down.
            let next = tokio::time::timeout(Duration::from_secs(1), listener.try_recv()).await;
            let Some(changes) = weak.upgrade().map(Changes) else {
                return;
            };
            match next {
                Err(_elapsed) => continue,
                Ok(Ok(Some(notice))) => changes.moved(scopes_in(notice.payload())),
                // Ok(None): the connection dropped and notices may have been missed; Err: it
                // cannot be read. Either way, listen afresh on a new connection.
                Ok(Ok(None)) | Ok(Err(_)) => {
                    tracing::warn!(
                        "change watch lost its connection; answers are not kept until it is back"
                    );
                    changes.set_watching(false);
                    break;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use migration::{Migrator, MigratorTrait};

    use super::{Changes, Deps, EVERYTHING};
    use crate::infra::db::Db;

    fn chains(ids: &[&str]) -> Deps {
        Deps::Scopes(ids.iter().map(|s| s.to_string()).collect())
    }

    #[test]
    fn a_change_in_one_branch_leaves_answers_about_others_current() {
        let changes = Changes::default();
        changes.start_watching_for_tests();
        let stamp = changes.stamp().unwrap();
        changes.moved(["branch-a"]);
        assert!(!changes.unchanged_since(stamp, &chains(&["branch-a"])));
        assert!(!changes.unchanged_since(stamp, &chains(&["branch-b", "branch-a"])));
        assert!(changes.unchanged_since(stamp, &chains(&["branch-b"])));
        assert!(!changes.unchanged_since(stamp, &Deps::Everything));

        let later = changes.stamp().unwrap();
        assert!(changes.unchanged_since(later, &chains(&["branch-a"])));
        changes.moved([EVERYTHING]);
        assert!(!changes.unchanged_since(later, &chains(&["branch-b"])));
    }

    #[test]
    fn nothing_is_current_while_changes_could_go_unseen() {
        let changes = Changes::default();
        assert_eq!(changes.stamp(), None);
        changes.start_watching_for_tests();
        let stamp = changes.stamp().unwrap();
        changes.set_watching(false);
        assert!(!changes.unchanged_since(stamp, &chains(&["x"])));
        assert_eq!(changes.stamp(), None);
    }

    async fn until(what: &str, check: impl Fn() -> bool) {
        for _ in 0..200 {
            if check() {
                return;
            }
            tokio::time::sleep(std::time::Duration::from_millis(25)).await;
        }
        panic!("{what}");
    }

    #[tokio::test]
    async fn commits_here_and_by_other_processes_move_only_the_chains_they_touched() {
        let dir =
            std::env::temp_dir().join(format!("jifen-changes-{}", uuid::Uuid::new_v4().simple()));
        std::fs::create_dir_all(&dir).unwrap();
        let url = format!("sqlite://{}?mode=rwc", dir.join("jifen.db").display());
        let db = Db::connect(&url).await.unwrap();
        Migrator::up(db.conn(), None).await.unwrap();
        assert_eq!(db.changes().stamp(), None, "unknown until watched");
        db.watch_changes();
        until("the watch starts", || db.changes().stamp().is_some()).await;
        let before = db.changes().stamp().unwrap();

        // This process's commit moves the chain it touched before commit() returns.
        let txn = db.begin_write().await.unwrap();
        super::touch(&*txn, "branch-a").await.unwrap();
        txn.commit().await.unwrap();
        let changes = db.changes();
        assert!(!changes.unchanged_since(before, &chains(&["branch-a"])));
        assert!(changes.unchanged_since(before, &chains(&["branch-b"])));

        // A transaction rolled back moves nothing.
        let settled = changes.stamp().unwrap();
        let txn = db.begin_write().await.unwrap();
        super::touch(&*txn, "branch-b").await.unwrap();
        drop(txn);
        tokio::time::sleep(super::WATCH_EVERY * 3).await;
        assert!(changes.unchanged_since(settled, &chains(&["branch-a", "branch-b"])));

        // Another process's commit (here: another pool on the same file) is seen by the watch.
        let other = Db::connect(&url).await.unwrap();
        let txn = other.begin_write().await.unwrap();
        super::touch(&*txn, "branch-b").await.unwrap();
        txn.commit().await.unwrap();
        until("the other process's change is seen", || {
            !changes.unchanged_since(settled, &chains(&["branch-b"]))
        })
        .await;
        assert!(changes.unchanged_since(settled, &chains(&["branch-a"])));
        let _ = std::fs::remove_dir_all(dir);
    }
}
