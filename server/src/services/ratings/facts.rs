//! What the ratings count, read for many branches at once: the statistics' per-branch figures
//! (participation, attendance, feedback, members under the alert line), and the two facts only
//! ratings need: when each deed of the year was first decided (as the statistics time reviews,
//! [`stats::first_decisions`]), and when each quarter was signed.

use std::collections::HashMap;

use jifen_shared::api::{Share, UnitFigures};
use jifen_shared::domain::{DeedStatus, QuarterStatus};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};

use super::score::{BranchFacts, DeedTiming};
use crate::entity::quarter_review;
use crate::error::AppResult;
use crate::services::stats::{self, Period, BRANCHES_PER_QUERY};

/// Everything the ratings need of `branch_ids` for `year`, keyed by branch. The branches are read
/// [`BRANCHES_PER_QUERY`] at a time, as the statistics read them, so no query binds more ids.
pub async fn of_branches(
    db: &impl ConnectionTrait,
    branch_ids: &[String],
    year: Period,
) -> AppResult<HashMap<String, BranchFacts>> {
    let mut facts: HashMap<String, BranchFacts> = branch_ids
        .iter()
        .map(|id| (id.clone(), BranchFacts::default()))
        .collect();
    for chunk in branch_ids.chunks(BRANCHES_PER_QUERY) {
        for f in stats::branch_figures(db, chunk, &year).await? {
            if let Some(b) = facts.get_mut(&f.org_unit_id) {
                from_figures(b, &f);
            }
        }
        // Each deed of the year decided or waiting, with its submission and its first decision.
        for d in stats::first_decisions(db, chunk, year.year()).await? {
            if let Some(b) = facts.get_mut(&d.branch_id) {
                b.deeds.push(DeedTiming {
                    submitted_at: d.submitted_at,
                    decided_at: d.decided_at,
                    waiting: d.status == DeedStatus::Submitted,
                });
            }
        }
        let signed = quarter_review::Entity::find()
            .filter(quarter_review::Column::BranchId.is_in(chunk.iter().cloned()))
            .filter(quarter_review::Column::CycleYear.eq(year.year()))
            .filter(quarter_review::Column::Status.ne(QuarterStatus::Open.as_str()))
            .all(db)
            .await?;
        for q in signed {
            let slot = usize::try_from(q.cycle_quarter - 1).ok();
            if let (Some(b), Some(slot)) = (facts.get_mut(&q.branch_id), slot) {
                if let Some(s) = b.signed_at.get_mut(slot) {
                    *s = q.signed_at;
                }
            }
        }
    }
    Ok(facts)
}

fn from_figures(b: &mut BranchFacts, f: &UnitFigures) {
    let members = f.members.active + f.members.migrant;
    b.participation = f.participation;
    b.attendance = f.meetings.map(|m| m.attendance).unwrap_or_default();
    b.feedback_handled = Share::new(f.feedback.handled, f.feedback.received);
    b.under_alert = Share::new(f.under_alert, members);
}
