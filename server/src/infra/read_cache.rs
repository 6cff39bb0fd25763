//! Answers of the hottest reads (a member's points, deed lists, the review queue and the public
//! board), kept as the JSON they were sent as, for as long as nothing they depend on has changed.
//!
//! Correctness rests on [`crate::infra::changes`]: an answer is stored with a stamp read *before*
//! its queries ran and with the scopes it depends on (the branches whose chains hold its data,
//! see [`Deps`]), and it is served only while none of those scopes has moved since the stamp.
//! Every audited commit moves the chains it touched before its writer answers, so a reader that
//! starts after a write has been acknowledged never gets an answer from before it, while writes
//! in other branches leave the answer warm. Commits by other instances arrive through the
//! database (PostgreSQL `NOTIFY`, SQLite's change log); [`MAX_AGE`] bounds anything they could
//! miss (a change typed into a SQL console). It also bounds, on purpose, names shown beside an
//! answer that belong to another unit's chain: a board signed by a secretary at home elsewhere,
//! a deed's registrar or attesters, a migrant organisation's name. A rename there moves only
//! that chain, and moving everything on every rename would empty every kept answer.
//!
//! Memory is bounded in bytes, not in answers: each entry weighs its body and key, and the
//! least-used entries go once [`CAPACITY_BYTES`] is reached (moka's TinyLFU), so no sequence of
//! requests can grow the server beyond it. Keys are built only from checked, typed fields (see
//! [`crate::services::deeds::query::Filter`]), so they are short.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use actix_web::web::Bytes;
use actix_web::HttpResponse;
use moka::sync::Cache;
use serde::Serialize;

use crate::error::{AppError, AppResult};
use crate::infra::changes::Changes;
pub use crate::infra::changes::Deps;

/// The longest an answer is served, whatever the generation says.
pub const MAX_AGE: Duration = Duration::from_secs(5);

/// Bytes of answers (bodies and keys) kept at most.
pub const CAPACITY_BYTES: u64 = 32 * 1024 * 1024;

/// What an entry costs besides its body and key strings: the entry, the map's slot, moka's
/// bookkeeping. An estimate; it keeps many tiny answers from counting as nothing.
const OVERHEAD_BYTES: usize = 160;

/// What an answer is for. Each variant names everything its answer depends on besides the
/// database, including who asked where the answer depends on it. Every string in a key has been
/// checked (an id, a filter of typed fields), so a key is at most a few hundred bytes.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Key {
    /// `GET /members/{member}/points?year=`, once the asker may see it.
    Points { member: String, year: i32 },
    /// `GET /deeds?...` for `viewer`, with the checked filter spelled out.
    Deeds { viewer: String, filter: String },
    /// `GET /public/branches/{code}/board?year=&quarter=`: the same for every reader. `code` is
    /// as asked, but only a code that found a posted board is ever kept.
    Board {
        code: String,
        quarter: Option<(i32, u8)>,
    },
}

impl Key {
    fn bytes(&self) -> usize {
        match self {
            Key::Points { member, .. } => member.len(),
            Key::Deeds { viewer, filter } => viewer.len() + filter.len(),
            Key::Board { code, .. } => code.len(),
        }
    }
}

#[derive(Clone)]
struct Entry {
    /// Read before the answer was computed.
    stamp: u64,
    deps: Arc<Deps>,
    stored: Instant,
    body: Bytes,
}

pub struct ReadCache {
    changes: Changes,
    entries: Cache<Key, Entry>,
    /// Answers served from memory since start (also counted in `/metrics`).
    hits: AtomicU64,
}

impl ReadCache {
    pub fn new(changes: Changes) -> Self {
        Self::with_capacity(changes, CAPACITY_BYTES)
    }

    /// A cache that keeps at most `bytes` of answers.
    pub fn with_capacity(changes: Changes, bytes: u64) -> Self {
        let entries = Cache::builder()
            .max_capacity(bytes)
            .weigher(|key: &Key, entry: &Entry| {
                let weight = OVERHEAD_BYTES + key.bytes() + entry.body.len();
                u32::try_from(weight).unwrap_or(u32::MAX)
            })
            .time_to_live(MAX_AGE)
            .build();
        Self {
            changes,
            entries,
            hits: AtomicU64::new(0),
        }
    }

    /// Serves the answer for `key` from memory when it is current, else computes it with `load`,
    /// which also says what the answer depends on, and keeps it if none of that changed
    /// meanwhile.
    pub async fn json<T, F>(&self, key: Key, load: F) -> AppResult<HttpResponse>
    where
        T: Serialize,
        F: std::future::Future<Output = AppResult<(T, Deps)>>,
    {
        if let Some(body) = self.current(&key) {
            self.hits.fetch_add(1, Ordering::Relaxed);
            metrics::counter!(crate::infra::metrics::READ_CACHE_HITS).increment(1);
            return Ok(respond(body));
        }
        metrics::counter!(crate::infra::metrics::READ_CACHE_MISSES).increment(1);
        let stamp = self.changes.stamp();
        let (value, deps) = load.await?;
        let body = Bytes::from(
            serde_json::to_vec(&value).map_err(|e| AppError::Internal(anyhow::anyhow!(e)))?,
        );
        if let Some(stamp) = stamp {
            self.keep(key, stamp, deps, body.clone());
        }
        Ok(respond(body))
    }

    /// Answers served from memory since this instance started.
    pub fn hits(&self) -> u64 {
        self.hits.load(Ordering::Relaxed)
    }

    /// Bytes held now (bodies, keys and overhead), once pending evictions have run.
    pub fn weighted_size(&self) -> u64 {
        self.entries.run_pending_tasks();
        self.entries.weighted_size()
    }

    /// Answers held now, once pending evictions have run.
    pub fn entry_count(&self) -> u64 {
        self.entries.run_pending_tasks();
        self.entries.entry_count()
    }

    fn current(&self, key: &Key) -> Option<Bytes> {
        self.entries
            .get(key)
            .filter(|e| {
                e.stored.elapsed() < MAX_AGE && self.changes.unchanged_since(e.stamp, &e.deps)
            })
            .map(|e| e.body)
    }

    fn keep(&self, key: Key, stamp: u64, deps: Deps, body: Bytes) {
        // An entry is served only while its scopes have not moved past its stamp, so a commit
        // between this check and the insert leaves it unused rather than wrong.
        if !self.changes.unchanged_since(stamp, &deps) {
            return;
        }
        self.entries.insert(
            key,
            Entry {
                stamp,
                deps: Arc::new(deps),
                stored: Instant::now(),
                body,
            },
        );
    }
}

fn respond(body: Bytes) -> HttpResponse {
    HttpResponse::Ok()
        .content_type(actix_web::http::header::ContentType::json())
        .body(body)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn watched() -> Changes {
        let changes = Changes::default();
        changes.start_watching_for_tests();
        changes
    }

    fn branch(id: &str) -> Deps {
        Deps::Scopes(vec![id.to_owned()])
    }

    async fn answer(cache: &ReadCache, key: Key, value: i32) -> String {
        answer_about(cache, key, value, branch("branch-1")).await
    }

    async fn answer_about(cache: &ReadCache, key: Key, value: i32, deps: Deps) -> String {
        let res = cache
            .json(key, async move { Ok((value, deps)) })
            .await
            .unwrap();
        let body = actix_web::body::to_bytes(res.into_body()).await.unwrap();
        String::from_utf8(body.to_vec()).unwrap()
    }

    fn points(member: &str) -> Key {
        Key::Points {
            member: member.into(),
            year: 2026,
        }
    }

    #[actix_web::test]
    async fn an_answer_is_served_until_something_is_committed() {
        let changes = watched();
        let cache = ReadCache::new(changes.clone());
        assert_eq!(answer(&cache, points("a"), 1).await, "1");
        assert_eq!(
            answer(&cache, points("a"), 2).await,
            "1",
            "served from memory"
        );
        assert_eq!(answer(&cache, points("b"), 3).await, "3", "another key");
        changes.moved(["branch-1"]);
        assert_eq!(
            answer(&cache, points("a"), 4).await,
            "4",
            "recomputed after a commit"
        );
    }

    #[actix_web::test]
    async fn a_commit_in_another_branch_leaves_the_answer_served() {
        let changes = watched();
        let cache = ReadCache::new(changes.clone());
        assert_eq!(
            answer_about(&cache, points("a"), 1, branch("b1")).await,
            "1"
        );
        assert_eq!(
            answer_about(&cache, points("b"), 2, branch("b2")).await,
            "2"
        );
        changes.moved(["b2"]);
        assert_eq!(
            answer_about(&cache, points("a"), 3, branch("b1")).await,
            "1",
            "still served: its branch did not change"
        );
        assert_eq!(
            answer_about(&cache, points("b"), 4, branch("b2")).await,
            "4",
            "recomputed: its branch changed"
        );
        let all = Key::Deeds {
            viewer: "v".into(),
            filter: "attest".into(),
        };
        assert_eq!(
            answer_about(&cache, all.clone(), 5, Deps::Everything).await,
            "5"
        );
        changes.moved(["b3"]);
        assert_eq!(
            answer_about(&cache, all, 6, Deps::Everything).await,
            "6",
            "an answer about everything is recomputed after any commit"
        );
    }

    #[actix_web::test]
    async fn an_answer_computed_while_a_commit_landed_is_not_kept() {
        let changes = watched();
        let cache = ReadCache::new(changes.clone());
        let during = changes.clone();
        let res = cache
            .json(points("a"), async move {
                during.moved(["branch-1"]); // a writer commits while the reader's queries run
                Ok((1, branch("branch-1")))
            })
            .await
            .unwrap();
        assert!(res.status().is_success());
        assert_eq!(answer(&cache, points("a"), 2).await, "2");
    }

    #[actix_web::test]
    async fn nothing_is_kept_while_changes_elsewhere_could_go_unseen() {
        let changes = Changes::default(); // the watch has not read the database yet
        let cache = ReadCache::new(changes);
        assert_eq!(answer(&cache, points("a"), 1).await, "1");
        assert_eq!(answer(&cache, points("a"), 2).await, "2");
    }

    #[actix_web::test]
    async fn the_answers_kept_never_weigh_more_than_the_capacity() {
        let changes = watched();
        let cap = 64 * 1024;
        let cache = ReadCache::with_capacity(changes.clone(), cap);
        let big = "x".repeat(4 * 1024);
        for i in 0..200 {
            let key = Key::Deeds {
                viewer: format!("viewer-{i}"),
                filter: "mine".into(),
            };
            let body = big.clone();
            cache
                .json(key, async move { Ok((body, branch("b"))) })
                .await
                .unwrap();
            assert!(
                cache.weighted_size() <= cap,
                "after {} answers of 4 KiB: {} bytes held",
                i + 1,
                cache.weighted_size()
            );
        }
        let held = cache.entry_count();
        assert!(
            (1..=16).contains(&held),
            "some answers are kept, as many as fit: {held}"
        );
    }

    #[actix_web::test]
    async fn an_answer_larger_than_the_capacity_is_served_but_not_kept() {
        let changes = watched();
        let cache = ReadCache::with_capacity(changes.clone(), 1024);
        let big = "y".repeat(4096);
        let body = big.clone();
        let first = cache
            .json(points("a"), async move { Ok((body, branch("b"))) })
            .await;
        assert!(first.unwrap().status().is_success());
        assert_eq!(cache.weighted_size(), 0);
        assert_eq!(answer(&cache, points("a"), 7).await, "7", "recomputed");
    }
}
