//! Answers of the hottest reads (a member's points, deed lists and the review queue), kept as the
//! JSON they were sent as, for as long as the database has not changed since they were computed.
//!
//! Correctness rests on the change generation ([`crate::infra::changes`]): an answer is stored with the
//! generation read *before* its queries ran, and only if the generation is still the same once
//! they have; it is served only while the generation stays the same. Any commit moves the
//! generation before its writer answers, so a reader that starts after a write has been
//! acknowledged never gets an answer from before it. Commits by other processes are noticed within
//! [`crate::infra::changes::WATCH_EVERY`]; [`MAX_AGE`] bounds anything the watch could miss.

use std::collections::HashMap;
use std::sync::RwLock;
use std::time::{Duration, Instant};

use actix_web::web::Bytes;
use actix_web::HttpResponse;
use serde::Serialize;

use crate::error::{AppError, AppResult};
use crate::infra::changes::Changes;

/// The longest an answer is served, whatever the generation says.
pub const MAX_AGE: Duration = Duration::from_secs(2);

/// Answers kept at most; past it the cache starts over (the answers are cheap to recompute).
const CAPACITY: usize = 20_000;

/// What an answer is for. Each variant names everything its answer depends on besides the
/// database, including who asked where the answer depends on it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Key {
    /// `GET /members/{member}/points?year=`, once the asker may see it.
    Points { member: String, year: i32 },
    /// `GET /deeds?...` for `viewer`, with the checked filter spelled out.
    Deeds { viewer: String, filter: String },
}

struct Entry {
    generation: u64,
    stored: Instant,
    body: Bytes,
}

pub struct ReadCache {
    changes: Changes,
    entries: RwLock<HashMap<Key, Entry>>,
}

impl ReadCache {
    pub fn new(changes: Changes) -> Self {
        Self {
            changes,
            entries: RwLock::new(HashMap::new()),
        }
    }

    /// Serves the answer for `key` from memory when it is current, else computes it with `load`
    /// (and keeps it if nothing was committed meanwhile).
    pub async fn json<T, F>(&self, key: Key, load: F) -> AppResult<HttpResponse>
    where
        T: Serialize,
        F: std::future::Future<Output = AppResult<T>>,
    {
        let generation = self.changes.generation();
        if let Some(body) = generation.and_then(|g| self.current(&key, g)) {
            return Ok(respond(body));
        }
        let value = load.await?;
        let body = Bytes::from(
            serde_json::to_vec(&value).map_err(|e| AppError::Internal(anyhow::anyhow!(e)))?,
        );
        if let Some(g) = generation {
            self.keep(key, g, body.clone());
        }
        Ok(respond(body))
    }

    fn current(&self, key: &Key, generation: u64) -> Option<Bytes> {
        let entries = self.entries.read().unwrap_or_else(|e| e.into_inner());
        entries
            .get(key)
            .filter(|e| e.generation == generation && e.stored.elapsed() < MAX_AGE)
            .map(|e| e.body.clone())
    }

    fn keep(&self, key: Key, generation: u64, body: Bytes) {
        let mut entries = self.entries.write().unwrap_or_else(|e| e.into_inner());
        // Checked under the lock: a commit after this point moves the generation past the entry.
        if self.changes.generation() != Some(generation) {
            return;
        }
        if entries.len() >= CAPACITY {
            entries.retain(|_, e| e.generation == generation && e.stored.elapsed() < MAX_AGE);
            if entries.len() >= CAPACITY {
                entries.clear();
            }
        }
        entries.insert(
            key,
            Entry {
                generation,
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

    async fn answer(cache: &ReadCache, key: Key, value: i32) -> String {
        let res = cache.json(key, async move { Ok(value) }).await.unwrap();
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
        changes.moved();
        assert_eq!(
            answer(&cache, points("a"), 4).await,
            "4",
            "recomputed after a commit"
        );
    }

    #[actix_web::test]
    async fn an_answer_computed_while_a_commit_landed_is_not_kept() {
        let changes = watched();
        let cache = ReadCache::new(changes.clone());
        let during = changes.clone();
        let res = cache
            .json(points("a"), async move {
                during.moved(); // a writer commits while the reader's queries run
                Ok(1)
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
}
