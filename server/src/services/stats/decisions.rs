//! When each deed was first decided: the earliest approval, rejection or return in its audit
//! history (the deed row keeps only its latest decision, and a withdrawal is the member's, not a
//! decision). The statistics time reviews by it; the ratings judge on-time review by it.

use chrono::{DateTime, Utc};
use jifen_shared::domain::DeedStatus;
use sea_orm::sea_query::{Alias, Expr, Func, Query, SimpleExpr, SubQueryStatement};
use sea_orm::{ConnectionTrait, FromQueryResult};

use crate::entity::stored::word;
use crate::entity::{audit_event, deed};
use crate::error::AppResult;

/// The audit actions that decide a submitted deed; the first of them ends its wait.
const DECISIONS: [&str; 3] = ["deed.approved", "deed.rejected", "deed.returned"];

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

#[derive(Debug, FromQueryResult)]
struct Row {
    id: String,
    branch_id: String,
    status: String,
    created_at: DateTime<Utc>,
    decided_at: Option<DateTime<Utc>>,
}

/// Each deed of `branch_ids` that `which` (a condition on the `deed` table) selects, with its
/// first decision, in one query: the decision is the earliest of the deed's deciding audit
/// events, read by a correlated subquery on the `(entity_type, entity_id)` index.
pub async fn first_decisions(
    db: &impl ConnectionTrait,
    branch_ids: &[String],
    which: SimpleExpr,
) -> AppResult<Vec<FirstDecision>> {
    let a = Alias::new("a");
    let first = Query::select()
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
            SimpleExpr::SubQuery(None, Box::new(SubQueryStatement::SelectStatement(first))),
            Alias::new("decided_at"),
        )
        .from(deed::Entity)
        .and_where(Expr::col((deed::Entity, deed::Column::BranchId)).is_in(branch_ids.to_vec()))
        .and_where(which)
        .to_owned();
    Row::find_by_statement(db.get_database_backend().build(&query))
        .all(db)
        .await?
        .into_iter()
        .map(|r| {
            Ok(FirstDecision {
                status: word("deed", &r.id, "status", &r.status)?,
                branch_id: r.branch_id,
                submitted_at: r.created_at,
                decided_at: r.decided_at,
            })
        })
        .collect()
}
