//! The committee's decisions on a deed, and the member's withdrawal. Each decision changes the
//! deed, writes any ledger entry and records the audit events in one transaction.

use chrono::{DateTime, SubsecRound, Utc};
use jifen_shared::domain::{CycleQuarter, DeedStatus, LedgerKind, Points, Reason};
use jifen_shared::words::Word;
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter};

use crate::entity::{deed, ledger_entry, point_rule};
use crate::error::{AppError, AppResult, DeedChange, FieldIssue, Missing, Refusal};
use crate::infra::db::Db;
use crate::services::access::Access;
use crate::services::audit::{self, Event};
use crate::services::ledger::{self, NewEntry};
use crate::services::notify::{self, Queued, Templates};

#[derive(Debug, Clone)]
pub enum Decision {
    /// Award the rule's standard points, or `points` when the committee adjusts them.
    Approve {
        points: Option<Points>,
        comment: Option<Reason>,
    },
    Reject(Reason),
    /// Needs more information; the member may revise and resubmit.
    Return(Reason),
    /// Cancel an approval; writes a reversal entry.
    Revoke(Reason),
    /// The member takes back their own report.
    Withdraw,
}

impl Decision {
    fn target(&self) -> DeedStatus {
        match self {
            Decision::Approve { .. } => DeedStatus::Approved,
            Decision::Reject(_) => DeedStatus::Rejected,
            Decision::Return(_) => DeedStatus::Returned,
            Decision::Revoke(_) => DeedStatus::Revoked,
            Decision::Withdraw => DeedStatus::Withdrawn,
        }
    }

    fn reason(&self) -> Option<&str> {
        match self {
            Decision::Approve { comment, .. } => comment.as_ref().map(Reason::as_str),
            Decision::Reject(r) | Decision::Return(r) | Decision::Revoke(r) => Some(r.as_str()),
            Decision::Withdraw => None,
        }
    }
}

/// Applies a decision to a deed the caller may decide on. Returns the deed as it now stands and
/// whether a WeChat message was queued for its member.
pub async fn decide(
    db: &Db,
    now: DateTime<Utc>,
    templates: &Templates,
    access: &Access,
    deed_id: &str,
    decision: Decision,
) -> AppResult<(deed::Model, Queued)> {
    let conn = db.conn();
    let (found, standing) = super::visible(conn, access, deed_id).await?;
    // Whoever registered a deed for its member speaks for them: withdraws it, never decides it.
    let speaks_for_member = standing.owner || standing.registrar;
    match (&decision, speaks_for_member, standing.reviewer) {
        (Decision::Withdraw, true, _) => {}
        (Decision::Withdraw, false, _) => return Err(AppError::Forbidden(Refusal::NotOwner)),
        (_, true, true) if !standing.owner => {
            return Err(AppError::Forbidden(Refusal::RegistrarReview))
        }
        (_, true, true) => return Err(AppError::Forbidden(Refusal::SelfReview)),
        (_, _, false) => return Err(AppError::Forbidden(Refusal::Role)),
        (_, false, true) => {}
    }
    let target = decision.target();
    let txn = db.begin_write().await?;
    audit::lock_chain(&*txn, &found.branch_id).await?;
    let before = deed::Entity::find_by_id(found.id.clone())
        .one(&*txn)
        .await?
        .ok_or(AppError::NotFound(Missing::Deed))?;
    let status = before.status()?;
    if !status.can_become(target) {
        return Err(AppError::InvalidTransition {
            from: status,
            action: DeedChange::To(target),
        });
    }

    let mut active: deed::ActiveModel = before.clone().into();
    active.status = Set(target.as_str().to_owned());
    active.updated_at = Set(now);
    // The first decision ends the review time, once: a later decision (after a revision, or on a
    // deed reopened by an appeal) leaves it. The same instant as its audit event.
    let decides = matches!(
        target,
        DeedStatus::Approved | DeedStatus::Rejected | DeedStatus::Returned
    );
    if decides && before.first_decided_at.is_none() {
        active.first_decided_at = Set(Some(now.trunc_subsecs(6)));
    }
    match &decision {
        Decision::Approve { points, .. } => {
            let rule = point_rule::Entity::find_by_id(before.rule_id.clone())
                .one(&*txn)
                .await?
                .ok_or(AppError::NotFound(Missing::Rule))?;
            let category = rule.category()?;
            // Reviewed under the item as it stands now: its current version's standard points,
            // unless the committee sets the points itself.
            let points = points.map(Points::value).unwrap_or(rule.standard_points);
            if !category.accepts(points) {
                return Err(AppError::Validation(vec![FieldIssue::worded(
                    "points",
                    "points.wrong_sign",
                    Word::ApprovedPointsWrongSign,
                )]));
            }
            let concerns = CycleQuarter {
                year: before.cycle_year,
                quarter: before.cycle_quarter as u8,
            };
            let quarter = ledger::open_quarter_for(&*txn, &before.branch_id, concerns, now).await?;
            ledger::check_caps(&*txn, &rule, &before.member_id, quarter, points).await?;
            let entry = ledger::write(
                &*txn,
                NewEntry {
                    member_id: &before.member_id,
                    branch_id: &before.branch_id,
                    quarter,
                    kind: LedgerKind::from(category),
                    category,
                    points,
                    deed_id: Some(&before.id),
                    rule_id: Some(&rule.id),
                    reverses_id: None,
                    rule_version: None,
                    note: &before.title,
                    actor_id: Some(access.id()),
                },
                now,
            )
            .await?;
            active.points_awarded = Set(Some(points));
            // The catalogue version the award was made under, as its entry records it.
            active.rule_version = Set(entry.rule_version);
            active.decision_reason = Set(None);
            active.reviewed_by = Set(Some(access.id().to_owned()));
            active.reviewed_at = Set(Some(now));
        }
        Decision::Revoke(reason) => {
            let award = ledger_entry::Entity::find()
                .filter(ledger_entry::Column::DeedId.eq(before.id.clone()))
                .filter(ledger_entry::Column::ReversesId.is_null())
                .one(&*txn)
                .await?
                .ok_or_else(|| {
                    AppError::Internal(anyhow::anyhow!(
                        "approved deed {} has no ledger entry",
                        before.id
                    ))
                })?;
            let concerns = CycleQuarter {
                year: award.cycle_year,
                quarter: award.cycle_quarter as u8,
            };
            let quarter = ledger::open_quarter_for(&*txn, &before.branch_id, concerns, now).await?;
            ledger::write(
                &*txn,
                NewEntry {
                    member_id: &before.member_id,
                    branch_id: &before.branch_id,
                    quarter,
                    kind: LedgerKind::Reversal,
                    category: award.category()?,
                    points: -award.points,
                    deed_id: Some(&before.id),
                    rule_id: award.rule_id.as_deref(),
                    reverses_id: Some(&award.id),
                    rule_version: None,
                    note: reason.as_str(),
                    actor_id: Some(access.id()),
                },
                now,
            )
            .await?;
            active.decision_reason = Set(Some(reason.as_str().to_owned()));
            active.reviewed_by = Set(Some(access.id().to_owned()));
            active.reviewed_at = Set(Some(now));
        }
        Decision::Reject(reason) | Decision::Return(reason) => {
            active.decision_reason = Set(Some(reason.as_str().to_owned()));
            active.reviewed_by = Set(Some(access.id().to_owned()));
            active.reviewed_at = Set(Some(now));
        }
        Decision::Withdraw => {}
    }
    let after = active.update(&*txn).await?;
    audit::record(
        &*txn,
        Event {
            chain_id: &after.branch_id,
            actor_id: Some(access.id()),
            action: match target {
                DeedStatus::Approved => "deed.approved",
                DeedStatus::Rejected => "deed.rejected",
                DeedStatus::Returned => "deed.returned",
                DeedStatus::Revoked => "deed.revoked",
                DeedStatus::Withdrawn => "deed.withdrawn",
                DeedStatus::Submitted => "deed.resubmitted",
            },
            entity_type: "deed",
            entity_id: &after.id,
            before: Some(super::snapshot(&before)),
            after: Some(super::snapshot(&after)),
            reason: decision.reason(),
        },
        now,
    )
    .await?;
    let queued =
        notify::deed_decided(&*txn, templates, &after, target, decision.reason(), now).await?;
    txn.commit().await?;
    Ok((after, queued))
}
