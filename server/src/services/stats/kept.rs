//! Each branch's year of counted records, kept between requests (issue 15): a county's figures
//! are put together from its few hundred branches, and under steady reporting only the branches
//! that wrote since the last request are read again. So a county's statistics cost one full
//! read per instance, and after that as much as the branches that changed.
//!
//! Correctness rests on [`crate::infra::changes`], as for the read cache: a branch's records are
//! kept with a stamp read *before* they were read and with the chains they came from, and used
//! only while none of those scopes has moved since: the branch's own chain (its deeds,
//! decisions, meetings, feedback, settings and name) and each of its members' ledgers (their
//! points and awards, wherever earned: an entry written in another branch for a member who
//! transferred moves their ledger too). A member who comes or goes (a transfer, leaving) moves
//! everything. A record is never used past [`MAX_AGE`], which bounds a change made behind the
//! server's back.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use moka::sync::Cache;
use sea_orm::ConnectionTrait;

use super::gather::{self, BranchRaw};
use super::Period;
use crate::entity::org_unit;
use crate::error::AppResult;
use crate::infra::changes::Changes;

/// The longest a branch's records are used without reading them again.
pub const MAX_AGE: Duration = Duration::from_secs(60);

/// Bytes of records kept at most (a branch of 30 members weighs about 6 KB: about 10,000
/// branches).
pub const CAPACITY_BYTES: u64 = 64 * 1024 * 1024;

/// A branch, the cycle year, and whether its members' deeds and meetings were counted one by one
/// (a branch's own statistics) or only in sum (a unit above it).
type Key = (String, i32, bool);

#[derive(Clone)]
struct Kept {
    stamp: u64,
    read: Instant,
    raw: Arc<BranchRaw>,
}

pub struct KeptBranches {
    changes: Changes,
    entries: Cache<Key, Kept>,
    /// Branches' records used from memory since start.
    reused: AtomicU64,
}

impl KeptBranches {
    pub fn new(changes: Changes) -> Self {
        let entries = Cache::builder()
            .max_capacity(CAPACITY_BYTES)
            .weigher(|key: &Key, kept: &Kept| {
                let weight = key.0.len() + kept.raw.weight();
                u32::try_from(weight).unwrap_or(u32::MAX)
            })
            .time_to_live(MAX_AGE)
            .build();
        Self {
            changes,
            entries,
            reused: AtomicU64::new(0),
        }
    }

    /// The records of `branches` (in their order) for `period`'s year: kept ones while current,
    /// the others read together in grouped queries.
    pub(super) async fn gather(
        &self,
        db: &impl ConnectionTrait,
        branches: Vec<org_unit::Model>,
        period: &Period,
        per_member: bool,
    ) -> AppResult<Vec<Arc<BranchRaw>>> {
        let year = Period::year_of(period.last_quarter()).year();
        let stamp = self.changes.stamp();
        let mut out: Vec<Option<Arc<BranchRaw>>> = Vec::with_capacity(branches.len());
        let mut missing = Vec::new();
        let mut missing_at = Vec::new();
        for unit in branches {
            let key = (unit.id.clone(), year, per_member);
            match self.current(&key) {
                Some(raw) => {
                    self.reused.fetch_add(1, Ordering::Relaxed);
                    out.push(Some(raw));
                }
                None => {
                    missing_at.push(out.len());
                    out.push(None);
                    missing.push(unit);
                }
            }
        }
        if !missing.is_empty() {
            let read = gather::gather(db, missing, period, per_member).await?;
            for (at, raw) in missing_at.into_iter().zip(read) {
                let raw = Arc::new(raw);
                if let Some(stamp) = stamp {
                    self.entries.insert(
                        (raw.unit.id.clone(), year, per_member),
                        Kept {
                            stamp,
                            read: Instant::now(),
                            raw: raw.clone(),
                        },
                    );
                }
                out[at] = Some(raw);
            }
        }
        Ok(out.into_iter().flatten().collect())
    }

    /// Branches' records used from memory since this instance started.
    pub fn reused(&self) -> u64 {
        self.reused.load(Ordering::Relaxed)
    }

    fn current(&self, key: &Key) -> Option<Arc<BranchRaw>> {
        let kept = self.entries.get(key)?;
        let fresh = kept.read.elapsed() < MAX_AGE
            && self.changes.unchanged_in(kept.stamp, &kept.raw.unit.id)
            && kept.raw.members.iter().all(|m| {
                self.changes
                    .unchanged_in(kept.stamp, &crate::services::ledger::scope_of(&m.id))
            });
        fresh.then_some(kept.raw)
    }
}
