//! What a member's roles reach: the units they hold roles on and the branches whose deeds they
//! review. Every request that decides what its caller may see needs it, and it changes only
//! when roles or the tree do, so it is kept per member between requests (issue 15): a report
//! in a branch drops its committee's kept review queues, and the queue read again then needs
//! no query for its reader (their row, their grants and, for a town's committee, the walk down
//! the tree were three or more), only the page's own (see [`crate::services::deeds::query`]).
//!
//! Kept safely because everything that changes a reach moves every scope (see
//! [`crate::infra::changes::EVERYTHING`]): granting or revoking a role, a transfer, leaving,
//! a migrant organisation's roll, and creating or moving an org unit. A reach is used only
//! while nothing of the kind has happened since a stamp read *before* it was read, and never
//! past [`MAX_AGE`], which bounds a change made behind the server's back (an answer computed
//! from a reach near that age may be kept for its own maximum age: together 10 s).

use std::collections::HashSet;
use std::sync::Arc;
use std::time::{Duration, Instant};

use jifen_shared::domain::{OrgKind, Role};
use moka::sync::Cache;
use sea_orm::sea_query::{Expr, Query};
use sea_orm::{ConnectionTrait, FromQueryResult};

use crate::entity::{org_unit, role_assignment, stored};
use crate::error::AppResult;
use crate::infra::changes::Changes;
use crate::services::orgs::tree;

/// The longest a kept reach is used without reading it again: as long as a kept answer.
pub const MAX_AGE: Duration = crate::infra::read_cache::MAX_AGE;

/// Members whose reach is kept at most (a few hundred bytes each).
const CAPACITY: u64 = 100_000;

/// A member's role grants, and the branches among the units they are held on.
#[derive(Debug)]
pub struct Reach {
    pub(super) grants: Vec<(String, Role)>,
    /// The granted units that are branches, which need no walking down to find deeds.
    branch_grants: HashSet<String>,
    /// The branches whose deeds they review, when already known.
    reviewable: Option<Vec<String>>,
}

/// A role assignment with the kind of its unit, read in one query.
#[derive(Debug, FromQueryResult)]
struct GrantRow {
    org_unit_id: String,
    role: String,
    kind: String,
}

impl Reach {
    /// The grants of `member_id`, in one query.
    pub async fn load(db: &impl ConnectionTrait, member_id: &str) -> AppResult<Self> {
        let query = Query::select()
            .column((role_assignment::Entity, role_assignment::Column::OrgUnitId))
            .column((role_assignment::Entity, role_assignment::Column::Role))
            .column((org_unit::Entity, org_unit::Column::Kind))
            .from(role_assignment::Entity)
            .inner_join(
                org_unit::Entity,
                Expr::col((org_unit::Entity, org_unit::Column::Id))
                    .equals((role_assignment::Entity, role_assignment::Column::OrgUnitId)),
            )
            .and_where(
                Expr::col((role_assignment::Entity, role_assignment::Column::MemberId))
                    .eq(member_id),
            )
            .to_owned();
        let rows = GrantRow::find_by_statement(db.get_database_backend().build(&query))
            .all(db)
            .await?;
        let branch_grants = rows
            .iter()
            .filter(|g| g.kind == OrgKind::Branch.as_str())
            .map(|g| g.org_unit_id.clone())
            .collect();
        let grants = rows
            .into_iter()
            .map(|g| {
                Ok((
                    g.org_unit_id.clone(),
                    stored::role(member_id, &g.org_unit_id, &g.role)?,
                ))
            })
            .collect::<AppResult<_>>()?;
        Ok(Self {
            grants,
            branch_grants,
            reviewable: None,
        })
    }

    /// Every branch whose deeds this member reviews: the branches reviewed directly, then those
    /// beneath the units above branches (see [`tree::beneath`]).
    pub async fn reviewable_branches(&self, db: &impl ConnectionTrait) -> AppResult<Vec<String>> {
        if let Some(known) = &self.reviewable {
            return Ok(known.clone());
        }
        let mut branches = Vec::new();
        let mut seen = HashSet::new();
        let mut above = Vec::new();
        for (unit, _) in self.grants.iter().filter(|(_, r)| r.can_review()) {
            if self.branch_grants.contains(unit) {
                if seen.insert(unit.clone()) {
                    branches.push(unit.clone());
                }
            } else if !above.contains(unit) {
                above.push(unit.clone());
            }
        }
        // Deeds belong to branches; only the units above branches need walking down.
        for u in tree::beneath(db, &above).await? {
            if u.kind == OrgKind::Branch.as_str() && seen.insert(u.id.clone()) {
                branches.push(u.id);
            }
        }
        Ok(branches)
    }
}

#[derive(Clone)]
struct Kept {
    stamp: u64,
    read: Instant,
    reach: Arc<Reach>,
}

/// Members' reaches, kept while no role or unit has changed; see the module's doc.
pub struct KeptReach {
    changes: Changes,
    entries: Cache<String, Kept>,
}

impl KeptReach {
    pub fn new(changes: Changes) -> Self {
        Self {
            changes,
            entries: Cache::builder()
                .max_capacity(CAPACITY)
                .time_to_live(MAX_AGE)
                .build(),
        }
    }

    /// `member_id`'s reach, with the branches they review: as kept while current, else read
    /// (on a connection outside any transaction, so that what is kept was committed).
    pub async fn of(&self, db: &impl ConnectionTrait, member_id: &str) -> AppResult<Arc<Reach>> {
        if let Some(kept) = self.entries.get(member_id).filter(|k| {
            k.read.elapsed() < MAX_AGE && self.changes.everything_unmoved_since(k.stamp)
        }) {
            return Ok(kept.reach);
        }
        let stamp = self.changes.stamp();
        let mut reach = Reach::load(db, member_id).await?;
        reach.reviewable = Some(reach.reviewable_branches(db).await?);
        let reach = Arc::new(reach);
        if let Some(stamp) = stamp.filter(|s| self.changes.everything_unmoved_since(*s)) {
            self.entries.insert(
                member_id.to_owned(),
                Kept {
                    stamp,
                    read: Instant::now(),
                    reach: reach.clone(),
                },
            );
        }
        Ok(reach)
    }
}
