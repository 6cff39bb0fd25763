//! The masses' feedback on a posted board (接受群众监督): anyone may write, without an account, about
//! the quarter or about one member on it; the branch's committee reads it and either turns it into
//! a proposed deduction (群众反映 → 违规扣分), which a second committee member confirms (see
//! [`crate::services::deductions`]), or dismisses it, with a reason either way.

use chrono::{DateTime, Utc};
use jifen_shared::api::{AcceptFeedbackRequest, FeedbackRequest, FeedbackView};
use jifen_shared::domain::{
    CycleQuarter, DeductionStatus, FeedbackBody, FeedbackContact, FeedbackStatus, Reason,
};
use jifen_shared::words::Word;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
};
use serde_json::json;
use sha2::{Digest, Sha256};

use crate::entity::{feedback, member, point_rule};
use crate::error::{invalid, AppError, AppResult, FieldIssue, Missing, Refusal, Throttle};
use crate::infra::db::Db;
use crate::infra::ids;
use crate::services::access::{visible_branch, Access};
use crate::services::audit::{self, Event};
use crate::services::deductions::proposal::{self, Proposal};

/// Feedback kept waiting per branch and quarter, from all senders together: a safety net far
/// above anything genuine, so that even many senders cannot fill the database.
pub const MAX_WAITING: u64 = 100_000;
/// Feedback one sender (one client address) may keep waiting on a quarter. More is refused until
/// the committee has decided some: one person cannot drown the others, and what they sent stays
/// reachable for the committee.
pub const MAX_WAITING_PER_SENDER: u64 = 20;
/// What the refusal tells the sender to wait: the committee decides in hours or days, not seconds.
pub const SENDER_RETRY_SECS: u64 = 3600;
/// Feedback the committee may set aside in one request.
pub const MAX_BULK: usize = 500;
/// The committee's page size: default and largest.
pub const DEFAULT_PAGE: u64 = 50;
pub const MAX_PAGE: u64 = 100;
/// Hex characters of the sender's hash shown to the committee as a tag.
const SENDER_TAG: usize = 12;

mod desk;
mod sender;

pub use desk::{dismiss_many, list, ListFilter};
pub use sender::ClientKey;

/// Hex SHA-256 of a text, for the audit history: it proves what was received without keeping
/// the text there for ever.
fn sha256(text: &str) -> String {
    hex::encode(Sha256::digest(text.as_bytes()))
}

/// Feedback as the masses wrote it, checked.
#[derive(Debug, Clone)]
pub struct NewFeedback {
    pub quarter: CycleQuarter,
    /// Checked against the posted board when it is received.
    pub about_member_id: Option<String>,
    pub body: FeedbackBody,
    pub contact: Option<FeedbackContact>,
}

impl TryFrom<&FeedbackRequest> for NewFeedback {
    type Error = AppError;

    fn try_from(raw: &FeedbackRequest) -> Result<Self, AppError> {
        let quarter = CycleQuarter::parse(raw.year, raw.quarter)
            .map_err(|_| AppError::Validation(vec![invalid::quarter()]))?;
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
        match body {
            Some(body) if issues.is_empty() => Ok(NewFeedback {
                quarter,
                about_member_id: raw.about_member_id.clone(),
                body,
                contact,
            }),
            _ => Err(AppError::Validation(issues)),
        }
    }
}

/// Records feedback on a posted quarter of the branch with public code `code`, from the sender
/// whose address hashes to `sender` (see [`ClientKey`]). Everything that can refuse it is read
/// before the write lock is taken, so that junk never queues in front of real work; the counts
/// are checked again under the lock.
pub async fn receive(
    db: &Db,
    now: DateTime<Utc>,
    code: &str,
    feedback: NewFeedback,
    sender: &str,
) -> AppResult<FeedbackView> {
    let NewFeedback {
        quarter,
        about_member_id,
        body,
        contact,
    } = feedback;
    let conn = db.conn();
    let (branch, _) = crate::services::quarters::posted(conn, code, Some(quarter)).await?;
    let about = match about_member_id.as_deref() {
        Some(id) => {
            let found = if ids::is_valid(id) {
                member::Entity::find_by_id(id.to_owned())
                    .one(conn)
                    .await?
                    .filter(|m| m.home_branch_id == branch.id)
            } else {
                None
            };
            if found.is_none() {
                return Err(AppError::Validation(vec![FieldIssue::worded(
                    "about_member_id",
                    "feedback.unknown_member",
                    Word::FeedbackUnknownMember,
                )]));
            }
            found
        }
        None => None,
    };
    check_waiting(conn, &branch.id, quarter, sender).await?;
    let txn = db.begin_write().await?;
    audit::lock_chain(&*txn, &branch.id).await?;
    check_waiting(&*txn, &branch.id, quarter, sender).await?;
    let row = feedback::Model {
        id: ids::new(),
        branch_id: branch.id.clone(),
        cycle_year: quarter.year,
        cycle_quarter: quarter.quarter as i16,
        about_member_id: about.as_ref().map(|m| m.id.clone()),
        body: body.into_inner(),
        contact: contact.map(FeedbackContact::into_inner),
        status: FeedbackStatus::Received.as_str().into(),
        created_at: now,
        decided_by: None,
        decided_at: None,
        decision_reason: None,
        ledger_entry_id: None,
        client_hash: Some(sender.to_owned()),
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
        client_hash: Set(row.client_hash.clone()),
        ..Default::default()
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
                // The text stays in its table; the history keeps only proof of it.
                "body_sha256": sha256(&row.body),
                "contact_sha256": row.contact.as_deref().map(sha256),
            })),
            reason: None,
        },
        now,
    )
    .await?;
    txn.commit().await?;
    view(row, about.map(|m| m.name), false, None)
}

/// Refuses feedback when its sender already has [`MAX_WAITING_PER_SENDER`] waiting on the
/// quarter, or the quarter [`MAX_WAITING`] from everyone.
async fn check_waiting(
    db: &impl ConnectionTrait,
    branch_id: &str,
    quarter: CycleQuarter,
    sender: &str,
) -> AppResult<()> {
    let waiting = || {
        feedback::Entity::find()
            .filter(feedback::Column::BranchId.eq(branch_id))
            .filter(feedback::Column::CycleYear.eq(quarter.year))
            .filter(feedback::Column::CycleQuarter.eq(quarter.quarter as i16))
            .filter(feedback::Column::Status.eq(FeedbackStatus::Received.as_str()))
    };
    let from_sender = waiting()
        .filter(feedback::Column::ClientHash.eq(sender))
        .count(db)
        .await?;
    if from_sender >= MAX_WAITING_PER_SENDER {
        crate::infra::metrics::refused(Throttle::FeedbackWaiting);
        return Err(AppError::TooMany {
            limit: Throttle::FeedbackWaiting,
            retry_after_secs: SENDER_RETRY_SECS,
        });
    }
    if waiting().count(db).await? >= MAX_WAITING {
        return Err(AppError::FeedbackFull);
    }
    Ok(())
}

/// Feedback as its reader may see it; `deduction` is the proposal an acceptance made, shown to
/// the committee only.
fn view(
    f: feedback::Model,
    about_member_name: Option<String>,
    committee: bool,
    deduction: Option<(String, DeductionStatus)>,
) -> AppResult<FeedbackView> {
    let status = f.status()?;
    let deduction = deduction.filter(|_| committee);
    Ok(FeedbackView {
        id: f.id,
        year: f.cycle_year,
        quarter: f.cycle_quarter as u8,
        about_member_id: f.about_member_id,
        about_member_name,
        body: f.body,
        contact: if committee { f.contact } else { None },
        status,
        created_at: f.created_at,
        decided_at: f.decided_at.filter(|_| committee),
        decision_reason: f.decision_reason.filter(|_| committee),
        ledger_entry_id: f.ledger_entry_id.filter(|_| committee),
        deduction_id: deduction.as_ref().map(|(id, _)| id.clone()),
        deduction_status: deduction.map(|(_, s)| s),
        sender: f
            .client_hash
            .filter(|_| committee)
            .map(|h| h.chars().take(SENDER_TAG).collect()),
    })
}

/// What the committee decides about one piece of feedback.
pub enum Decision {
    /// A proposed deduction for the member it is about (or `member_id` when it names nobody);
    /// a second committee member confirms it.
    Accept(AcceptFeedbackRequest),
    Dismiss(String),
}

/// Accepts feedback as a proposed deduction or dismisses it. The entry is written, and the member
/// told, only when a second committee member confirms the proposal
/// ([`crate::services::deductions::confirm`]); the feedback then points to it.
pub async fn decide(
    db: &Db,
    now: DateTime<Utc>,
    access: &Access,
    feedback_id: &str,
    decision: Decision,
) -> AppResult<FeedbackView> {
    let conn = db.conn();
    let not_found = || AppError::NotFound(Missing::Feedback);
    if !ids::is_valid(feedback_id) {
        return Err(not_found());
    }
    let found = feedback::Entity::find_by_id(feedback_id.to_owned())
        .one(conn)
        .await?
        .ok_or_else(not_found)?;
    visible_branch(conn, access, &found.branch_id)
        .await
        .map_err(|_| not_found())?;
    if !access.can_review(conn, &found.branch_id).await? {
        return Err(AppError::Forbidden(Refusal::Role));
    }
    // Checked before anything is written: the reason, and for a deduction, who, which item, how much.
    let reason = match &decision {
        Decision::Accept(req) => &req.reason,
        Decision::Dismiss(reason) => reason,
    };
    let reason = Reason::parse(reason).map_err(|e| AppError::field("reason", &e))?;
    let deduction = match &decision {
        Decision::Dismiss(_) => None,
        Decision::Accept(req) => Some(deduction_of(conn, &found, req).await?),
    };
    if let Some((m, _, _)) = &deduction {
        if m.id == access.id() {
            return Err(AppError::Forbidden(Refusal::OwnDeduction));
        }
    }
    let txn = db.begin_write().await?;
    audit::lock_chain(&*txn, &found.branch_id).await?;
    let before = feedback::Entity::find_by_id(found.id.clone())
        .one(&*txn)
        .await?
        .ok_or_else(not_found)?;
    if before.status()? != FeedbackStatus::Received {
        return Err(AppError::FeedbackDecided);
    }
    let mut after = before.clone();
    after.decided_by = Some(access.id().to_owned());
    after.decided_at = Some(now);
    after.decision_reason = Some(reason.as_str().to_owned());
    let mut proposal = None;
    if let Some((m, rule, points)) = &deduction {
        let row = proposal::write_proposal(
            &*txn,
            Proposal {
                branch_id: &before.branch_id,
                member_id: &m.id,
                rule,
                points: *points,
                reason: reason.as_str(),
                feedback_id: Some(&before.id),
                proposed_by: access.id(),
            },
            now,
        )
        .await?;
        after.status = FeedbackStatus::Accepted.as_str().into();
        after.about_member_id = Some(m.id.clone());
        proposal = Some((row.id, DeductionStatus::Proposed));
    } else {
        after.status = FeedbackStatus::Dismissed.as_str().into();
    }
    let mut active: feedback::ActiveModel = before.clone().into();
    active.status = Set(after.status.clone());
    active.about_member_id = Set(after.about_member_id.clone());
    active.decided_by = Set(after.decided_by.clone());
    active.decided_at = Set(after.decided_at);
    active.decision_reason = Set(after.decision_reason.clone());
    active.ledger_entry_id = Set(after.ledger_entry_id.clone());
    let after = sea_orm::ActiveModelTrait::update(active, &*txn).await?;
    audit::record(
        &*txn,
        Event {
            chain_id: &after.branch_id,
            actor_id: Some(access.id()),
            action: if deduction.is_some() {
                "feedback.accepted"
            } else {
                "feedback.dismissed"
            },
            entity_type: "feedback",
            entity_id: &after.id,
            before: Some(
                json!({"status": before.status, "about_member_id": before.about_member_id}),
            ),
            after: Some(json!({
                "status": after.status,
                "about_member_id": after.about_member_id,
                "deduction_id": proposal.as_ref().map(|(id, _)| id),
            })),
            reason: Some(reason.as_str()),
        },
        now,
    )
    .await?;
    txn.commit().await?;
    let name = deduction
        .map(|(m, _, _)| m.name)
        .or(match &after.about_member_id {
            Some(id) => member::Entity::find_by_id(id.clone())
                .one(conn)
                .await?
                .map(|m| m.name),
            None => None,
        });
    view(after, name, true, proposal)
}

/// The member, deduction item and points an acceptance names, each checked against the branch.
async fn deduction_of(
    db: &impl ConnectionTrait,
    found: &feedback::Model,
    req: &AcceptFeedbackRequest,
) -> AppResult<(member::Model, point_rule::Model, i32)> {
    let mut issues = Vec::new();
    // `member_id` chooses the member only for feedback that names nobody: feedback about one
    // member cannot be turned into a deduction for another.
    if let (Some(named), Some(asked)) = (&found.about_member_id, &req.member_id) {
        if named != asked {
            return Err(AppError::Validation(vec![FieldIssue::worded(
                "member_id",
                "feedback.member_named",
                Word::FeedbackNamesItsMember,
            )]));
        }
    }
    let member_id = found
        .about_member_id
        .as_deref()
        .or(req.member_id.as_deref());
    let member = match member_id.filter(|id| ids::is_valid(id)) {
        Some(id) => member::Entity::find_by_id(id.to_owned())
            .one(db)
            .await?
            .filter(|m| m.home_branch_id == found.branch_id),
        None => None,
    };
    if member.is_none() {
        issues.push(FieldIssue::worded(
            "member_id",
            "member.unknown",
            Word::ChooseAMemberOfThisBranch,
        ));
    }
    let item =
        proposal::item_and_points(db, &found.branch_id, &req.rule_id, req.points, &mut issues)
            .await?;
    match (member, item) {
        (Some(m), Some((r, p))) if issues.is_empty() => Ok((m, r, p)),
        _ => Err(AppError::Validation(issues)),
    }
}
