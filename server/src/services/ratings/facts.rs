//! What the ratings count, read for many branches at once: the statistics' per-branch figures
//! (participation, attendance, feedback, members under the alert line), and the two facts only
//! ratings need: when each deed of the year was first decided, and when each quarter was signed.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use jifen_shared::api::{Share, UnitFigures};
use jifen_shared::domain::{DeedStatus, QuarterStatus};
use sea_orm::sea_query::{Alias, Expr, Func, Query, SimpleExpr, SubQueryStatement};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, FromQueryResult, QueryFilter};

use super::score::{BranchFacts, DeedTiming};
use crate::entity::stored::word;
use crate::entity::{audit_event, deed, quarter_review};
use crate::error::AppResult;
use crate::services::stats::{self, Period};

/// Branch ids per query: well within every backend's limit on bound values.
const CHUNK: usize = 500;

/// The audit actions that decide a submitted deed; the first of them ends its wait.
const DECISIONS: [&str; 3] = ["deed.approved", "deed.rejected", "deed.returned"];

/// Everything the ratings need of `branch_ids` for `year`, keyed by branch.
pub async fn of_branches(
    db: &impl ConnectionTrait,
    branch_ids: &[String],
    year: Period,
) -> AppResult<HashMap<String, BranchFacts>> {
    let mut facts: HashMap<String, BranchFacts> = branch_ids
        .iter()
        .map(|id| (id.clone(), BranchFacts::default()))
        .collect();
    for f in stats::branch_figures(db, branch_ids, &year).await? {
        if let Some(b) = facts.get_mut(&f.org_unit_id) {
            from_figures(b, &f);
        }
    }
    for chunk in branch_ids.chunks(CHUNK) {
        for row in deed_timings(db, chunk, year.year()).await? {
            let status: DeedStatus = word("deed", &row.id, "status", &row.status)?;
            if let Some(b) = facts.get_mut(&row.branch_id) {
                b.deeds.push(DeedTiming {
                    submitted_at: row.created_at,
                    decided_at: row.decided_at,
                    waiting: status == DeedStatus::Submitted,
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

#[derive(Debug, FromQueryResult)]
struct TimingRow {
    id: String,
    branch_id: String,
    status: String,
    created_at: DateTime<Utc>,
    decided_at: Option<DateTime<Utc>>,
}

/// Each deed of the year with its submission and its first decision, found in the audit
/// history (the deed row keeps only its latest decision).
async fn deed_timings(
    db: &impl ConnectionTrait,
    branch_ids: &[String],
    year: i32,
) -> AppResult<Vec<TimingRow>> {
    let a = Alias::new("a");
    let first_decision = Query::select()
        .expr(Func::min(Expr::col((a.clone(), audit_event::Column::At))))
        .from_as(audit_event::Entity, a.clone())
        .and_where(Expr::col((a.clone(), audit_event::Column::EntityType)).eq("deed"))
        .and_where(
            Expr::col((a.clone(), audit_event::Column::EntityId))
                .equals((deed::Entity, deed::Column::Id)),
        )
        .and_where(Expr::col((a, audit_event::Column::Action)).is_in(DECISIONS))
        .to_owned();
    let query = Query::select()
        .column((deed::Entity, deed::Column::Id))
        .column((deed::Entity, deed::Column::BranchId))
        .column((deed::Entity, deed::Column::Status))
        .column((deed::Entity, deed::Column::CreatedAt))
        .expr_as(
            SimpleExpr::SubQuery(
                None,
                Box::new(SubQueryStatement::SelectStatement(first_decision)),
            ),
            Alias::new("decided_at"),
        )
        .from(deed::Entity)
        .and_where(Expr::col((deed::Entity, deed::Column::BranchId)).is_in(branch_ids.to_vec()))
        .and_where(Expr::col((deed::Entity, deed::Column::CycleYear)).eq(year))
        .to_owned();
    Ok(
        TimingRow::find_by_statement(db.get_database_backend().build(&query))
            .all(db)
            .await?,
    )
}
