//! Deductions the committee decides (违规扣分) take two people: one committee member proposes (for a
//! deed of the member's, on the masses' feedback, or on what the committee saw itself), a second
//! confirms, and only then is the ledger entry written and the member told why. Either may drop
//! a proposal with a reason instead; nobody proposes or confirms a deduction of their own points.

pub mod decide;
pub mod list;
pub mod proposal;

pub use decide::{confirm, drop_proposal};
pub use list::{list, ListFilter};

use chrono::{DateTime, Utc};
use jifen_shared::api::{AcceptFeedbackRequest, DeductionView, ProposeDeductionRequest};
use jifen_shared::domain::Reason;
use jifen_shared::words::Word;
use sea_orm::{ConnectionTrait, EntityTrait};

use crate::entity::{deduction, feedback, member};
use crate::error::{AppError, AppResult, FieldIssue, Missing, Refusal};
use crate::infra::db::Db;
use crate::infra::ids;
use crate::services::access::Access;
use crate::services::audit;

use self::list::one_view;
use self::proposal::{item_and_points, write_proposal, Proposal};

/// A member of the branch the caller may see; anyone else is not found.
async fn member_seen_by(
    db: &impl ConnectionTrait,
    access: &Access,
    member_id: &str,
) -> AppResult<member::Model> {
    let not_found = || AppError::NotFound(Missing::Member);
    if !ids::is_valid(member_id) {
        return Err(not_found());
    }
    let found = member::Entity::find_by_id(member_id.to_owned())
        .one(db)
        .await?
        .ok_or_else(not_found)?;
    if !access.can_see(db, &found.home_branch_id).await? {
        return Err(not_found());
    }
    Ok(found)
}

/// A committee member (or the secretary, or an administrator above the branch) proposes a
/// deduction for a member of the branch. With `feedback_id` it is the same as accepting that
/// feedback (see [`crate::services::feedback::decide`]).
pub async fn propose(
    db: &Db,
    now: DateTime<Utc>,
    access: &Access,
    member_id: &str,
    req: ProposeDeductionRequest,
) -> AppResult<DeductionView> {
    let conn = db.conn();
    let target = member_seen_by(conn, access, member_id).await?;
    let branch_id = target.home_branch_id.clone();
    if !access.can_review(conn, &branch_id).await? {
        return Err(AppError::Forbidden(Refusal::Role));
    }
    if target.id == access.id() {
        return Err(AppError::Forbidden(Refusal::OwnDeduction));
    }
    if let Some(feedback_id) = req.feedback_id.as_deref() {
        return propose_on_feedback(db, now, access, &target, feedback_id, req.clone()).await;
    }
    let mut issues = Vec::new();
    let reason = Reason::parse(&req.reason)
        .map_err(|e| issues.push(FieldIssue::explained("reason", &e)))
        .ok();
    let item = item_and_points(conn, &branch_id, &req.rule_id, req.points, &mut issues).await?;
    let (Some(reason), Some((rule, points)), true) = (reason, item, issues.is_empty()) else {
        return Err(AppError::Validation(issues));
    };
    let txn = db.begin_write().await?;
    audit::lock_chain(&*txn, &branch_id).await?;
    let row = write_proposal(
        &*txn,
        Proposal {
            branch_id: &branch_id,
            member_id: &target.id,
            rule: &rule,
            points,
            reason: reason.as_str(),
            feedback_id: None,
            proposed_by: access.id(),
        },
        now,
    )
    .await?;
    txn.commit().await?;
    one_view(conn, row).await
}

/// A proposal that answers the masses' feedback: the feedback must be on the member's branch and
/// about this member or about nobody; it becomes accepted, linked to the proposal.
async fn propose_on_feedback(
    db: &Db,
    now: DateTime<Utc>,
    access: &Access,
    target: &member::Model,
    feedback_id: &str,
    req: ProposeDeductionRequest,
) -> AppResult<DeductionView> {
    let conn = db.conn();
    let found = if ids::is_valid(feedback_id) {
        feedback::Entity::find_by_id(feedback_id.to_owned())
            .one(conn)
            .await?
            .filter(|f| f.branch_id == target.home_branch_id)
    } else {
        None
    };
    let Some(found) = found else {
        return Err(AppError::Validation(vec![FieldIssue::worded(
            "feedback_id",
            "feedback.unknown",
            Word::FeedbackNotFound,
        )]));
    };
    let accepted = crate::services::feedback::decide(
        db,
        now,
        access,
        &found.id,
        crate::services::feedback::Decision::Accept(AcceptFeedbackRequest {
            rule_id: req.rule_id,
            points: req.points,
            member_id: Some(target.id.clone()),
            reason: req.reason,
        }),
    )
    .await?;
    let id = accepted
        .deduction_id
        .ok_or_else(|| AppError::Internal(anyhow::anyhow!("accepted feedback without proposal")))?;
    let row = deduction::Entity::find_by_id(id)
        .one(conn)
        .await?
        .ok_or(AppError::NotFound(Missing::Deduction))?;
    one_view(conn, row).await
}
