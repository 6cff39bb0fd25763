//! The year opens on its own after New Year: on the first request a server instance serves in a
//! new year (Asia/Shanghai), every branch that opened the year before and has not opened this one
//! gets it opened, with no actor in the audit history. A branch that never opened a year keeps
//! waiting for its secretary: a branch new to Jifen decides when its first year starts.
//!
//! Each instance remembers the year it has checked, so after the first request of a year the
//! check is one atomic read. Instances that race each open what they find unopened; the unique
//! key on (branch, year) lets one of them win per branch and the others skip it.

use std::collections::HashSet;
use std::sync::atomic::{AtomicI32, Ordering};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use jifen_shared::domain::CycleQuarter;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use tokio::sync::Mutex;

use super::open::open_in;
use crate::entity::{cycle_year, org_unit};
use crate::error::{AppError, AppResult};
use crate::infra::db::Db;

/// How long an instance waits before trying again after the opening failed (database down).
const RETRY_AFTER: Duration = Duration::from_secs(60);

/// The year this instance has opened what was due for, and the one check running at a time.
#[derive(Debug, Default)]
pub struct NewYearWatch {
    checked: AtomicI32,
    /// When the last check failed; requests arriving while one runs wait for it.
    running: Mutex<Option<Instant>>,
}

impl NewYearWatch {
    /// Makes sure the year of `now` is open wherever it is due, at most once per year per
    /// instance (retrying a minute after a failure). Never fails the request that triggers it: a
    /// failure is logged and the request served.
    pub async fn ensure(&self, db: &Db, now: DateTime<Utc>) {
        let year = CycleQuarter::of(now).year;
        if self.checked.load(Ordering::Acquire) == year {
            return;
        }
        let mut failed_at = self.running.lock().await;
        if self.checked.load(Ordering::Acquire) == year
            || failed_at.is_some_and(|t| t.elapsed() < RETRY_AFTER)
        {
            return;
        }
        match open_due(db, now).await {
            Ok(opened) => {
                if !opened.is_empty() {
                    tracing::info!(
                        year,
                        branches = opened.len(),
                        "points year opened after New Year"
                    );
                }
                *failed_at = None;
                self.checked.store(year, Ordering::Release);
            }
            Err(e) => {
                tracing::warn!(year, error = %e, "opening the points year after New Year failed; retrying later");
                *failed_at = Some(Instant::now());
            }
        }
    }
}

/// Opens the year of `now` for every branch that opened the year before and not this one; answers
/// the branches it opened (those another instance opened first are skipped).
pub async fn open_due(db: &Db, now: DateTime<Utc>) -> AppResult<Vec<String>> {
    let year = CycleQuarter::of(now).year;
    let branches_of = |y: i32| async move {
        cycle_year::Entity::find()
            .filter(cycle_year::Column::CycleYear.eq(y))
            .all(db.conn())
            .await
            .map(|rows| {
                rows.into_iter()
                    .map(|r| r.branch_id)
                    .collect::<HashSet<_>>()
            })
    };
    let done = branches_of(year).await?;
    let mut due: Vec<String> = branches_of(year - 1)
        .await?
        .into_iter()
        .filter(|b| !done.contains(b))
        .collect();
    due.sort();
    let mut opened = Vec::new();
    for branch_id in due {
        let Some(branch) = org_unit::Entity::find_by_id(branch_id)
            .one(db.conn())
            .await?
        else {
            continue;
        };
        let txn = db.begin_write().await?;
        match open_in(&*txn, &branch, year, None, now).await {
            Ok(_) => {
                txn.commit().await?;
                opened.push(branch.id);
            }
            // Another instance (or the secretary) was first; dropping the transaction rolls back.
            Err(AppError::YearAlreadyOpen { .. }) => {}
            Err(e) => return Err(e),
        }
    }
    Ok(opened)
}
