//! When each deed was first decided: its first approval, rejection or return (a withdrawal is the
//! member's, not a decision), which the review keeps on the deed (`deed.first_decided_at`, set
//! once and never changed, so an appeal that sends the deed back to pending leaves it). The
//! statistics time reviews by it; the ratings judge on-time review by it.

use chrono::{DateTime, Utc};
use jifen_shared::domain::DeedStatus;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect};

use super::Period;
use crate::entity::deed;
use crate::entity::stored::word;
use crate::error::AppResult;

/// A deed with its submission and its first decision.
#[derive(Debug, Clone)]
pub struct FirstDecision {
    pub branch_id: String,
    /// Where the deed stands now.
    pub status: DeedStatus,
    pub submitted_at: DateTime<Utc>,
    /// None while the deed has never been decided.
    pub decided_at: Option<DateTime<Utc>>,
}

/// A deed's id, branch, status, submission and first decision, as read.
type TimingRow = (String, String, String, DateTime<Utc>, Option<DateTime<Utc>>);

/// The deeds of `branch_ids` of cycle year `year` that count for on-time review: those decided
/// and those still waiting for a first decision (a deed withdrawn before any decision counts for
/// neither, and is left unread). One query on the `(branch_id, cycle_year)` index.
pub async fn first_decisions(
    db: &impl ConnectionTrait,
    branch_ids: &[String],
    year: i32,
) -> AppResult<Vec<FirstDecision>> {
    let rows: Vec<TimingRow> = deed::Entity::find()
        .select_only()
        .column(deed::Column::Id)
        .column(deed::Column::BranchId)
        .column(deed::Column::Status)
        .column(deed::Column::CreatedAt)
        .column(deed::Column::FirstDecidedAt)
        .filter(deed::Column::BranchId.is_in(branch_ids.iter().cloned()))
        .filter(deed::Column::CycleYear.eq(year))
        .filter(
            deed::Column::FirstDecidedAt
                .is_not_null()
                .or(deed::Column::Status.eq(DeedStatus::Submitted.as_str())),
        )
        .into_tuple()
        .all(db)
        .await?;
    rows.into_iter()
        .map(|(id, branch_id, status, submitted_at, decided_at)| {
            Ok(FirstDecision {
                status: word("deed", &id, "status", &status)?,
                branch_id,
                submitted_at,
                decided_at,
            })
        })
        .collect()
}

/// A deed first decided in a period: its branch, when it was submitted and when decided.
pub(super) type Decided = (String, DateTime<Utc>, DateTime<Utc>);

/// Each deed of `branch_ids` first decided in `period`, read from the
/// `(branch_id, first_decided_at, created_at)` index alone: three columns a deed, so that a
/// county's year of review times is one compact read.
pub(super) async fn decided_in(
    db: &impl ConnectionTrait,
    branch_ids: &[String],
    period: &Period,
) -> AppResult<Vec<Decided>> {
    let rows: Vec<(String, DateTime<Utc>, Option<DateTime<Utc>>)> = deed::Entity::find()
        .select_only()
        .column(deed::Column::BranchId)
        .column(deed::Column::CreatedAt)
        .column(deed::Column::FirstDecidedAt)
        .filter(deed::Column::BranchId.is_in(branch_ids.iter().cloned()))
        .filter(deed::Column::FirstDecidedAt.gte(period.starts_at()))
        .filter(deed::Column::FirstDecidedAt.lt(period.ends_at()))
        .into_tuple()
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .filter_map(|(branch, submitted, decided)| Some((branch, submitted, decided?)))
        .collect())
}
