//! The second person's part: confirming a proposal writes the entry and tells the member;
//! dropping it writes nothing. Exactly one decision wins.

use chrono::{DateTime, Utc};
use jifen_shared::api::DeductionView;
use jifen_shared::domain::{
    CycleQuarter, DeductionStatus, FeedbackStatus, LedgerKind, Reason, RuleCategory,
};
use sea_orm::sea_query::{Expr, LockType};
use sea_orm::{ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, QueryFilter, QuerySelect};
use serde_json::json;

use crate::entity::{deduction, feedback, point_rule};
use crate::error::{AppError, AppResult, Missing, Refusal};
use crate::infra::db::Db;
use crate::infra::ids;
use crate::services::access::Access;
use crate::services::audit::{self, Event};
use crate::services::ledger::{self, NewEntry};

use super::list::reread;

/// A proposal the caller may see, with the check that they review its branch.
async fn decidable(
    db: &impl ConnectionTrait,
    access: &Access,
    id: &str,
) -> AppResult<deduction::Model> {
    let not_found = || AppError::NotFound(Missing::Deduction);
    if !ids::is_valid(id) {
        return Err(not_found());
    }
    let found = deduction::Entity::find_by_id(id.to_owned())
        .one(db)
        .await?
        .ok_or_else(not_found)?;
    if !access.can_see(db, &found.branch_id).await? {
        return Err(not_found());
    }
    if !access.can_review(db, &found.branch_id).await? {
        return Err(AppError::Forbidden(Refusal::Role));
    }
    if found.status()? != DeductionStatus::Proposed {
        return Err(AppError::DeductionDecided);
    }
    if found.member_id == access.id() {
        return Err(AppError::Forbidden(Refusal::OwnDeduction));
    }
    Ok(found)
}

/// Reads the proposal again inside the write transaction (locking its row on PostgreSQL): a
/// decision made meanwhile by someone else answers 409.
async fn still_proposed(db: &impl ConnectionTrait, id: &str) -> AppResult<deduction::Model> {
    let mut again = deduction::Entity::find_by_id(id.to_owned());
    if db.get_database_backend() == DbBackend::Postgres {
        again = again.lock(LockType::Update);
    }
    let row = again
        .one(db)
        .await?
        .ok_or(AppError::NotFound(Missing::Deduction))?;
    if row.status()? != DeductionStatus::Proposed {
        return Err(AppError::DeductionDecided);
    }
    Ok(row)
}

/// Moves a proposal out of `proposed`, only if it still is: of two decisions racing, one wins
/// and the other answers 409 (its transaction is dropped, writing nothing).
async fn settle(
    db: &impl ConnectionTrait,
    id: &str,
    to: DeductionStatus,
    by: &str,
    now: DateTime<Utc>,
    drop_reason: Option<&str>,
    ledger_entry_id: Option<&str>,
) -> AppResult<()> {
    let done = deduction::Entity::update_many()
        .col_expr(deduction::Column::Status, Expr::value(to.as_str()))
        .col_expr(deduction::Column::DecidedBy, Expr::value(by))
        .col_expr(deduction::Column::DecidedAt, Expr::value(now))
        .col_expr(
            deduction::Column::DropReason,
            Expr::value(drop_reason.map(str::to_owned)),
        )
        .col_expr(
            deduction::Column::LedgerEntryId,
            Expr::value(ledger_entry_id.map(str::to_owned)),
        )
        .filter(deduction::Column::Id.eq(id))
        .filter(deduction::Column::Status.eq(DeductionStatus::Proposed.as_str()))
        .exec(db)
        .await?;
    if done.rows_affected != 1 {
        return Err(AppError::DeductionDecided);
    }
    Ok(())
}

/// A second committee member confirms a proposal: the entry is written (into the quarter the
/// feedback concerns or the proposal was made in, unless the secretary has signed it, then into
/// the quarter open now), the member is told with the reason, and feedback it answers points
/// to the entry.
pub async fn confirm(
    db: &Db,
    now: DateTime<Utc>,
    access: &Access,
    id: &str,
) -> AppResult<DeductionView> {
    let conn = db.conn();
    let found = decidable(conn, access, id).await?;
    if found.proposed_by == access.id() {
        return Err(AppError::Forbidden(Refusal::DeductionSecondPerson));
    }
    let txn = db.begin_write().await?;
    audit::lock_chain(&*txn, &found.branch_id).await?;
    let before = still_proposed(&*txn, &found.id).await?;
    let rule = point_rule::Entity::find_by_id(before.rule_id.clone())
        .one(&*txn)
        .await?
        .ok_or(AppError::NotFound(Missing::Rule))?;
    let answered = match before.feedback_id.as_deref() {
        Some(fid) => {
            feedback::Entity::find_by_id(fid.to_owned())
                .one(&*txn)
                .await?
        }
        None => None,
    };
    let concerns = match &answered {
        Some(f) => CycleQuarter {
            year: f.cycle_year,
            quarter: f.cycle_quarter as u8,
        },
        None => CycleQuarter::of(before.proposed_at),
    };
    let quarter = ledger::open_quarter_for(&*txn, &before.branch_id, concerns, now).await?;
    ledger::check_caps(&*txn, &rule, &before.member_id, quarter, before.points).await?;
    let entry = ledger::write(
        &*txn,
        NewEntry {
            member_id: &before.member_id,
            branch_id: &before.branch_id,
            quarter,
            kind: LedgerKind::Deduction,
            category: RuleCategory::Deduction,
            points: before.points,
            deed_id: None,
            rule_id: Some(&rule.id),
            reverses_id: None,
            rule_version: Some(before.rule_version),
            note: &before.reason,
            actor_id: Some(access.id()),
        },
        now,
    )
    .await?;
    settle(
        &*txn,
        &before.id,
        DeductionStatus::Confirmed,
        access.id(),
        now,
        None,
        Some(&entry.id),
    )
    .await?;
    if let Some(f) = &answered {
        feedback::Entity::update_many()
            .col_expr(
                feedback::Column::LedgerEntryId,
                Expr::value(entry.id.clone()),
            )
            .filter(feedback::Column::Id.eq(f.id.clone()))
            .exec(&*txn)
            .await?;
    }
    crate::services::notify::deducted(
        &*txn,
        &before.member_id,
        &rule.name,
        before.points,
        &before.reason,
        now,
    )
    .await?;
    audit::record(
        &*txn,
        Event {
            chain_id: &before.branch_id,
            actor_id: Some(access.id()),
            action: "deduction.confirmed",
            entity_type: "deduction",
            entity_id: &before.id,
            before: Some(json!({ "status": before.status })),
            after: Some(json!({
                "status": DeductionStatus::Confirmed.as_str(),
                "ledger_entry_id": entry.id,
                "feedback_id": before.feedback_id,
            })),
            reason: None,
        },
        now,
    )
    .await?;
    txn.commit().await?;
    reread(conn, &before.id).await
}

/// Any committee member, the proposer included, drops a proposal with a reason: no entry is
/// written. Feedback it answered is set aside with that reason.
pub async fn drop_proposal(
    db: &Db,
    now: DateTime<Utc>,
    access: &Access,
    id: &str,
    reason: &str,
) -> AppResult<DeductionView> {
    let conn = db.conn();
    let found = decidable(conn, access, id).await?;
    let reason = Reason::parse(reason).map_err(|e| AppError::field("reason", &e))?;
    let txn = db.begin_write().await?;
    audit::lock_chain(&*txn, &found.branch_id).await?;
    let before = still_proposed(&*txn, &found.id).await?;
    settle(
        &*txn,
        &before.id,
        DeductionStatus::Dropped,
        access.id(),
        now,
        Some(reason.as_str()),
        None,
    )
    .await?;
    audit::record(
        &*txn,
        Event {
            chain_id: &before.branch_id,
            actor_id: Some(access.id()),
            action: "deduction.dropped",
            entity_type: "deduction",
            entity_id: &before.id,
            before: Some(json!({ "status": before.status })),
            after: Some(json!({
                "status": DeductionStatus::Dropped.as_str(),
                "feedback_id": before.feedback_id,
            })),
            reason: Some(reason.as_str()),
        },
        now,
    )
    .await?;
    if let Some(fid) = &before.feedback_id {
        set_feedback_aside(&*txn, fid, &before.branch_id, access, reason.as_str(), now).await?;
    }
    txn.commit().await?;
    reread(conn, &before.id).await
}

/// Feedback whose deduction was dropped: the committee did not take it up after all.
async fn set_feedback_aside(
    db: &impl ConnectionTrait,
    feedback_id: &str,
    branch_id: &str,
    access: &Access,
    reason: &str,
    now: DateTime<Utc>,
) -> AppResult<()> {
    feedback::Entity::update_many()
        .col_expr(
            feedback::Column::Status,
            Expr::value(FeedbackStatus::Dismissed.as_str()),
        )
        .col_expr(feedback::Column::DecidedBy, Expr::value(access.id()))
        .col_expr(feedback::Column::DecidedAt, Expr::value(now))
        .col_expr(feedback::Column::DecisionReason, Expr::value(reason))
        .filter(feedback::Column::Id.eq(feedback_id))
        .exec(db)
        .await?;
    audit::record(
        db,
        Event {
            chain_id: branch_id,
            actor_id: Some(access.id()),
            action: "feedback.dismissed",
            entity_type: "feedback",
            entity_id: feedback_id,
            before: Some(json!({ "status": FeedbackStatus::Accepted.as_str() })),
            after: Some(json!({ "status": FeedbackStatus::Dismissed.as_str() })),
            reason: Some(reason),
        },
        now,
    )
    .await
}
