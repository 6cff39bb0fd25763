//! The masses' feedback on a posted board (接受群众监督): anyone may write, without an account, about
//! the quarter or about one member on it; the branch's committee reads it. Turning feedback into
//! deductions is the committee's next step and not built here.

use jifen_shared::api::{FeedbackRequest, FeedbackView};
use jifen_shared::domain::{CycleQuarter, FeedbackBody, FeedbackContact};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect,
};
use serde_json::json;

use crate::access::{visible_branch, Access};
use crate::audit::{self, Event};
use crate::entity::{feedback, member};
use crate::error::{AppError, AppResult, FieldIssue, Refusal};
use crate::ids;
use crate::startup::AppState;

/// Feedback kept waiting per branch and quarter; beyond it new feedback is refused, so that a
/// flood from the open internet cannot fill the database.
pub const MAX_WAITING: u64 = 1000;

/// Records feedback on a posted quarter of the branch with public code `code`.
pub async fn receive(
    state: &AppState,
    code: &str,
    raw: &FeedbackRequest,
) -> AppResult<FeedbackView> {
    let quarter = CycleQuarter::parse(raw.year, raw.quarter).map_err(|_| {
        AppError::Validation(vec![FieldIssue::new(
            "quarter",
            "query.invalid",
            "年度须在 2000 到 2100 之间，季度须为 1 到 4",
            "the year must be 2000 to 2100 and the quarter 1 to 4",
        )])
    })?;
    let mut issues = Vec::new();
    let body = FeedbackBody::parse(&raw.body)
        .map_err(|e| issues.push(FieldIssue::explained("body", &e)))
        .ok();
    let contact = match raw
        .contact
        .as_deref()
        .map(str::trim)
        .filter(|c| !c.is_empty())
    {
        Some(c) => FeedbackContact::parse(c)
            .map_err(|e| issues.push(FieldIssue::explained("contact", &e)))
            .ok(),
        None => None,
    };
    let db = state.db.conn();
    let (branch, _) = crate::quarters::posted(db, code, Some(quarter)).await?;
    let about = match raw.about_member_id.as_deref() {
        Some(id) => {
            let found = if ids::is_valid(id) {
                member::Entity::find_by_id(id.to_owned())
                    .one(db)
                    .await?
                    .filter(|m| m.home_branch_id == branch.id)
            } else {
                None
            };
            if found.is_none() {
                issues.push(FieldIssue::new(
                    "about_member_id",
                    "feedback.unknown_member",
                    "这名党员不在该支部的公示名单上",
                    "this member is not on the branch's board",
                ));
            }
            found
        }
        None => None,
    };
    let Some(body) = body.filter(|_| issues.is_empty()) else {
        return Err(AppError::Validation(issues));
    };

    let now = state.clock.now();
    let txn = state.db.begin_write().await?;
    audit::lock_chain(&*txn, &branch.id).await?;
    let waiting = feedback::Entity::find()
        .filter(feedback::Column::BranchId.eq(branch.id.as_str()))
        .filter(feedback::Column::CycleYear.eq(quarter.year))
        .filter(feedback::Column::CycleQuarter.eq(quarter.quarter as i16))
        .filter(feedback::Column::Status.eq("received"))
        .count(&*txn)
        .await?;
    if waiting >= MAX_WAITING {
        return Err(AppError::FeedbackFull);
    }
    let row = feedback::Model {
        id: ids::new(),
        branch_id: branch.id.clone(),
        cycle_year: quarter.year,
        cycle_quarter: quarter.quarter as i16,
        about_member_id: about.as_ref().map(|m| m.id.clone()),
        body: body.into_inner(),
        contact: contact.map(FeedbackContact::into_inner),
        status: "received".into(),
        created_at: now,
    };
    feedback::Entity::insert(feedback::ActiveModel {
        id: Set(row.id.clone()),
        branch_id: Set(row.branch_id.clone()),
        cycle_year: Set(row.cycle_year),
        cycle_quarter: Set(row.cycle_quarter),
        about_member_id: Set(row.about_member_id.clone()),
        body: Set(row.body.clone()),
        contact: Set(row.contact.clone()),
        status: Set(row.status.clone()),
        created_at: Set(row.created_at),
    })
    .exec(&*txn)
    .await?;
    audit::record(
        &*txn,
        Event {
            chain_id: &branch.id,
            actor_id: None,
            action: "feedback.received",
            entity_type: "feedback",
            entity_id: &row.id,
            before: None,
            after: Some(json!({
                "year": row.cycle_year,
                "quarter": row.cycle_quarter,
                "about_member_id": row.about_member_id,
                "body": row.body,
            })),
            reason: None,
        },
        now,
    )
    .await?;
    txn.commit().await?;
    Ok(view(row, about.map(|m| m.name), false))
}

/// The feedback on a branch's quarter, newest first, for those who review the branch.
pub async fn list(
    db: &impl ConnectionTrait,
    access: &Access,
    branch_id: &str,
    quarter: CycleQuarter,
) -> AppResult<Vec<FeedbackView>> {
    let branch = visible_branch(db, access, branch_id).await?;
    if !access.can_review(db, &branch.id).await? {
        return Err(AppError::Forbidden(Refusal::Role));
    }
    let rows = feedback::Entity::find()
        .filter(feedback::Column::BranchId.eq(branch.id.as_str()))
        .filter(feedback::Column::CycleYear.eq(quarter.year))
        .filter(feedback::Column::CycleQuarter.eq(quarter.quarter as i16))
        .order_by_desc(feedback::Column::Id)
        .limit(MAX_WAITING)
        .all(db)
        .await?;
    let about: Vec<String> = rows
        .iter()
        .filter_map(|f| f.about_member_id.clone())
        .collect();
    let names: std::collections::HashMap<String, String> = member::Entity::find()
        .filter(member::Column::Id.is_in(about))
        .all(db)
        .await?
        .into_iter()
        .map(|m| (m.id, m.name))
        .collect();
    Ok(rows
        .into_iter()
        .map(|f| {
            let name = f
                .about_member_id
                .as_ref()
                .and_then(|id| names.get(id).cloned());
            view(f, name, true)
        })
        .collect())
}

fn view(f: feedback::Model, about_member_name: Option<String>, committee: bool) -> FeedbackView {
    FeedbackView {
        id: f.id,
        year: f.cycle_year,
        quarter: f.cycle_quarter as u8,
        about_member_id: f.about_member_id,
        about_member_name,
        body: f.body,
        contact: if committee { f.contact } else { None },
        status: f.status,
        created_at: f.created_at,
    }
}
