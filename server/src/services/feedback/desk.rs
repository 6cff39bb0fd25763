//! The committee's feedback desk: the feedback on a quarter a page at a time, by status, and
//! setting many aside at once when a sender has flooded it.

use std::collections::{BTreeSet, HashMap};

use chrono::{DateTime, Utc};
use jifen_shared::api::{
    BulkDismissRequest, BulkDismissed, FeedbackCounts, FeedbackPage, FeedbackQuery,
};
use jifen_shared::domain::{CycleQuarter, FeedbackStatus, Reason};
use jifen_shared::words::Word;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect,
};
use serde_json::json;

use super::{view, DEFAULT_PAGE, MAX_BULK, MAX_PAGE};
use crate::entity::{feedback, member};
use crate::error::{invalid, AppError, AppResult, FieldIssue};
use crate::infra::db::Db;
use crate::infra::ids;
use crate::services::access::{reviewed_branch, Access};
use crate::services::audit::{self, Event};

/// A checked query of the committee's list.
#[derive(Debug, Clone)]
pub struct ListFilter {
    pub status: Option<FeedbackStatus>,
    pub cursor: Option<String>,
    pub limit: u64,
}

impl TryFrom<FeedbackQuery> for ListFilter {
    type Error = AppError;

    fn try_from(q: FeedbackQuery) -> Result<Self, AppError> {
        let mut issues = Vec::new();
        let status = match q.status.as_deref() {
            None | Some("") => None,
            Some(s) => s
                .parse::<FeedbackStatus>()
                .map_err(|_| {
                    issues.push(FieldIssue::worded(
                        "status",
                        "query.invalid",
                        Word::UnknownStatus,
                    ))
                })
                .ok(),
        };
        if q.cursor.as_deref().is_some_and(|c| !ids::is_valid(c)) {
            issues.push(invalid::cursor());
        }
        let limit = q.limit.unwrap_or(DEFAULT_PAGE);
        if !(1..=MAX_PAGE).contains(&limit) {
            issues.push(invalid::limit());
        }
        if !issues.is_empty() {
            return Err(AppError::Validation(issues));
        }
        Ok(ListFilter {
            status,
            cursor: q.cursor,
            limit,
        })
    }
}

/// The feedback on a branch's quarter for those who review the branch: a page at a time, oldest
/// first (so the earliest waiting feedback is always on the first page of the waiting), with the
/// quarter's counts per status.
pub async fn list(
    db: &impl ConnectionTrait,
    access: &Access,
    branch_id: &str,
    quarter: CycleQuarter,
    filter: ListFilter,
) -> AppResult<FeedbackPage> {
    let branch = reviewed_branch(db, access, branch_id).await?;
    let of_quarter = Condition::all()
        .add(feedback::Column::BranchId.eq(branch.id.as_str()))
        .add(feedback::Column::CycleYear.eq(quarter.year))
        .add(feedback::Column::CycleQuarter.eq(quarter.quarter as i16));
    let mut query = feedback::Entity::find().filter(of_quarter.clone());
    if let Some(status) = filter.status {
        query = query.filter(feedback::Column::Status.eq(status.as_str()));
    }
    if let Some(cursor) = &filter.cursor {
        query = query.filter(feedback::Column::Id.gt(cursor.as_str()));
    }
    let mut rows = query
        .order_by_asc(feedback::Column::Id)
        .limit(filter.limit + 1)
        .all(db)
        .await?;
    let next_cursor = (rows.len() as u64 > filter.limit).then(|| {
        rows.truncate(filter.limit as usize);
        rows.last().map(|r| r.id.clone()).unwrap_or_default()
    });
    let counted: Vec<(String, i64)> = feedback::Entity::find()
        .select_only()
        .column(feedback::Column::Status)
        .column_as(Expr::col(feedback::Column::Id).count(), "n")
        .filter(of_quarter)
        .group_by(feedback::Column::Status)
        .into_tuple()
        .all(db)
        .await?;
    let mut counts = FeedbackCounts {
        received: 0,
        accepted: 0,
        dismissed: 0,
    };
    for (status, n) in counted {
        let n = n.max(0) as u64;
        match crate::entity::stored::word("feedback", "-", "status", &status)? {
            FeedbackStatus::Received => counts.received = n,
            FeedbackStatus::Accepted => counts.accepted = n,
            FeedbackStatus::Dismissed => counts.dismissed = n,
        }
    }
    let about: Vec<String> = rows
        .iter()
        .filter_map(|f| f.about_member_id.clone())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let names: HashMap<String, String> = if about.is_empty() {
        HashMap::new()
    } else {
        member::Entity::find()
            .filter(member::Column::Id.is_in(about))
            .all(db)
            .await?
            .into_iter()
            .map(|m| (m.id, m.name))
            .collect()
    };
    let mut proposals = crate::services::deductions::list::of_feedback(
        db,
        rows.iter()
            .filter(|f| f.status != FeedbackStatus::Received.as_str())
            .map(|f| f.id.clone())
            .collect(),
    )
    .await?;
    let items = rows
        .into_iter()
        .map(|f| {
            let name = f
                .about_member_id
                .as_ref()
                .and_then(|id| names.get(id).cloned());
            let proposal = proposals.remove(&f.id);
            view(f, name, true, proposal)
        })
        .collect::<AppResult<_>>()?;
    Ok(FeedbackPage {
        items,
        next_cursor,
        counts,
    })
}

/// Sets many waiting pieces of feedback of one quarter aside with one reason, in one transaction
/// and one audit event (which lists them). Feedback decided already is left as it is and named
/// in the answer; an id that is not feedback of this quarter refuses the whole request.
pub async fn dismiss_many(
    db: &Db,
    now: DateTime<Utc>,
    access: &Access,
    branch_id: &str,
    quarter: CycleQuarter,
    req: BulkDismissRequest,
) -> AppResult<BulkDismissed> {
    let conn = db.conn();
    let branch = reviewed_branch(conn, access, branch_id).await?;
    let mut issues = Vec::new();
    let wanted: BTreeSet<String> = req.ids.iter().cloned().collect();
    if wanted.is_empty() || wanted.len() > MAX_BULK {
        issues.push(FieldIssue::filled(
            "ids",
            "feedback.bulk_size",
            Word::FeedbackBulkSize,
            &[("max", &MAX_BULK)],
        ));
    }
    let reason = Reason::parse(&req.reason)
        .map_err(|e| issues.push(FieldIssue::explained("reason", &e)))
        .ok();
    let (Some(reason), true) = (reason, issues.is_empty()) else {
        return Err(AppError::Validation(issues));
    };
    let of_quarter = || {
        feedback::Entity::find()
            .filter(feedback::Column::BranchId.eq(branch.id.as_str()))
            .filter(feedback::Column::CycleYear.eq(quarter.year))
            .filter(feedback::Column::CycleQuarter.eq(quarter.quarter as i16))
    };
    let valid: Vec<String> = wanted
        .iter()
        .filter(|id| ids::is_valid(id))
        .cloned()
        .collect();
    let found = of_quarter()
        .filter(feedback::Column::Id.is_in(valid.clone()))
        .count(conn)
        .await?;
    if valid.len() != wanted.len() || found != wanted.len() as u64 {
        return Err(AppError::Validation(vec![FieldIssue::worded(
            "ids",
            "feedback.unknown",
            Word::FeedbackNotOfThisQuarter,
        )]));
    }

    let txn = db.begin_write().await?;
    audit::lock_chain(&*txn, &branch.id).await?;
    let rows = of_quarter()
        .filter(feedback::Column::Id.is_in(valid))
        .order_by_asc(feedback::Column::Id)
        .all(&*txn)
        .await?;
    let mut dismissed = Vec::new();
    let mut already_decided = Vec::new();
    for row in rows {
        if row.status()? == FeedbackStatus::Received {
            dismissed.push(row.id);
        } else {
            already_decided.push(row.id);
        }
    }
    if !dismissed.is_empty() {
        feedback::Entity::update_many()
            .col_expr(
                feedback::Column::Status,
                Expr::value(FeedbackStatus::Dismissed.as_str()),
            )
            .col_expr(feedback::Column::DecidedBy, Expr::value(access.id()))
            .col_expr(feedback::Column::DecidedAt, Expr::value(now))
            .col_expr(
                feedback::Column::DecisionReason,
                Expr::value(reason.as_str()),
            )
            .filter(feedback::Column::Id.is_in(dismissed.clone()))
            .filter(feedback::Column::Status.eq(FeedbackStatus::Received.as_str()))
            .exec(&*txn)
            .await?;
        let batch = ids::new();
        audit::record(
            &*txn,
            Event {
                chain_id: &branch.id,
                actor_id: Some(access.id()),
                action: "feedback.dismissed_many",
                entity_type: "feedback",
                entity_id: &batch,
                before: Some(json!({ "status": FeedbackStatus::Received.as_str() })),
                after: Some(json!({
                    "status": FeedbackStatus::Dismissed.as_str(),
                    "year": quarter.year,
                    "quarter": quarter.quarter,
                    "ids": dismissed,
                })),
                reason: Some(reason.as_str()),
            },
            now,
        )
        .await?;
    }
    txn.commit().await?;
    Ok(BulkDismissed {
        dismissed,
        already_decided,
    })
}
