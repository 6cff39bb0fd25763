//! A committee member decides an appeal: upholds the decision, or overturns it. Overturning a
//! rejection or return makes the deed pending again, back in the review queue; overturning a
//! deduction writes a reversal entry that gives the points back. The appeal, any change to the
//! deed, the entry, the audit events and the member's notice are one transaction.

use chrono::{DateTime, Utc};
use jifen_shared::api::AppealView;
use jifen_shared::domain::{AppealStatus, CycleQuarter, DeedStatus, LedgerKind, Reason};
use sea_orm::{ActiveModelTrait, ActiveValue::Set, EntityTrait};

use super::{deciders, quarter_of, snapshot, view_one, visible};
use crate::entity::{appeal, deed, ledger_entry, point_rule};
use crate::error::{AppError, AppResult, AppealRefusal, Missing, Refusal};
use crate::infra::db::Db;
use crate::services::access::Access;
use crate::services::audit::{self, Event};
use crate::services::deeds;
use crate::services::ledger::{self, NewEntry};
use crate::services::notify;

/// What the committee member decides.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// The decision stands.
    Uphold,
    /// The decision falls: the deed is pending again, or the deduction is given back.
    Overturn,
}

impl Verdict {
    fn status(self) -> AppealStatus {
        match self {
            Verdict::Uphold => AppealStatus::Upheld,
            Verdict::Overturn => AppealStatus::Overturned,
        }
    }
}

/// Decides a waiting appeal. Only someone who reviews the branch and is neither the member nor
/// one who made the decision appealed may.
pub async fn decide(
    db: &Db,
    now: DateTime<Utc>,
    access: &Access,
    appeal_id: &str,
    verdict: Verdict,
    reason: Reason,
) -> AppResult<AppealView> {
    let (found, reviewer) = visible(db.conn(), access, appeal_id).await?;
    if !reviewer {
        return Err(AppError::Forbidden(Refusal::Role));
    }
    if found.member_id == access.id() {
        return Err(AppError::Forbidden(Refusal::OwnAppeal));
    }
    let txn = db.begin_write().await?;
    audit::lock_chain(&*txn, &found.branch_id).await?;
    let before = appeal::Entity::find_by_id(found.id.clone())
        .one(&*txn)
        .await?
        .ok_or(AppError::NotFound(Missing::Appeal))?;
    if before.status()? != AppealStatus::Waiting {
        return Err(AppError::Appeal(AppealRefusal::AlreadyDecided));
    }
    if deciders(&*txn, &before).await?.contains(access.id()) {
        return Err(AppError::Forbidden(Refusal::AppealSameDecider));
    }

    let mut after = before.clone();
    after.status = verdict.status().as_str().to_owned();
    after.decided_by = Some(access.id().to_owned());
    after.decided_at = Some(now);
    after.decision_reason = Some(reason.as_str().to_owned());
    let mut given_back = None;
    let title = match (&before.deed_id, &before.ledger_entry_id) {
        (Some(deed_id), _) => {
            let d = deed::Entity::find_by_id(deed_id.clone())
                .one(&*txn)
                .await?
                .ok_or(AppError::NotFound(Missing::Deed))?;
            let title = d.title.clone();
            if verdict == Verdict::Overturn {
                reopen(&*txn, now, access, d, &reason).await?;
            }
            title
        }
        (None, Some(entry_id)) => {
            let entry = ledger_entry::Entity::find_by_id(entry_id.clone())
                .one(&*txn)
                .await?
                .ok_or(AppError::NotFound(Missing::LedgerEntry))?;
            let title = match &entry.rule_id {
                Some(rule) => point_rule::Entity::find_by_id(rule.clone())
                    .one(&*txn)
                    .await?
                    .map(|r| r.name)
                    .unwrap_or_else(|| entry.note.clone()),
                None => entry.note.clone(),
            };
            if verdict == Verdict::Overturn {
                let reversal = give_back(&*txn, now, access, &before, &entry, &reason).await?;
                given_back = Some(reversal.points);
                after.reversal_entry_id = Some(reversal.id);
            }
            title
        }
        (None, None) => {
            return Err(AppError::Internal(anyhow::anyhow!(
                "appeal {} names neither a deed nor an entry",
                before.id
            )))
        }
    };
    let mut active: appeal::ActiveModel = before.clone().into();
    active.status = Set(after.status.clone());
    active.decided_by = Set(after.decided_by.clone());
    active.decided_at = Set(after.decided_at);
    active.decision_reason = Set(after.decision_reason.clone());
    active.reversal_entry_id = Set(after.reversal_entry_id.clone());
    let after = active.update(&*txn).await?;
    audit::record(
        &*txn,
        Event {
            chain_id: &after.branch_id,
            actor_id: Some(access.id()),
            action: match verdict {
                Verdict::Uphold => "appeal.upheld",
                Verdict::Overturn => "appeal.overturned",
            },
            entity_type: "appeal",
            entity_id: &after.id,
            before: Some(snapshot(&before)),
            after: Some(snapshot(&after)),
            reason: Some(reason.as_str()),
        },
        now,
    )
    .await?;
    notify::appeal_decided(
        &*txn,
        &after.member_id,
        after.deed_id.as_deref(),
        &title,
        verdict == Verdict::Overturn,
        given_back,
        reason.as_str(),
        now,
    )
    .await?;
    txn.commit().await?;
    view_one(db.conn(), access, after).await
}

/// The deed is pending again, as if just submitted: back in the review queue, its earlier
/// decision kept in its history. Only a deed still rejected or returned can be reopened; one the
/// member has since revised or withdrawn has moved on.
async fn reopen(
    db: &impl sea_orm::ConnectionTrait,
    now: DateTime<Utc>,
    access: &Access,
    before: deed::Model,
    reason: &Reason,
) -> AppResult<()> {
    if !before.status()?.appealable() {
        return Err(AppError::Appeal(AppealRefusal::DeedMoved));
    }
    let mut active: deed::ActiveModel = before.clone().into();
    active.status = Set(DeedStatus::Submitted.as_str().to_owned());
    active.decision_reason = Set(None);
    active.reviewed_by = Set(None);
    active.reviewed_at = Set(None);
    active.updated_at = Set(now);
    let after = active.update(db).await?;
    audit::record(
        db,
        Event {
            chain_id: &after.branch_id,
            actor_id: Some(access.id()),
            action: "deed.reopened",
            entity_type: "deed",
            entity_id: &after.id,
            before: Some(deeds::snapshot(&before)),
            after: Some(deeds::snapshot(&after)),
            reason: Some(reason.as_str()),
        },
        now,
    )
    .await
}

/// Gives an overturned deduction back: a reversal entry of the same points and item, in the
/// quarter the deduction is booked in (open: it cannot be signed while the appeal waits).
async fn give_back(
    db: &impl sea_orm::ConnectionTrait,
    now: DateTime<Utc>,
    access: &Access,
    appeal: &appeal::Model,
    entry: &ledger_entry::Model,
    reason: &Reason,
) -> AppResult<ledger_entry::Model> {
    let concerns: CycleQuarter = quarter_of(appeal);
    let quarter = ledger::open_quarter_for(db, &entry.branch_id, concerns, now).await?;
    ledger::write(
        db,
        NewEntry {
            member_id: &entry.member_id,
            branch_id: &entry.branch_id,
            quarter,
            kind: LedgerKind::Reversal,
            category: entry.category()?,
            points: -entry.points,
            deed_id: entry.deed_id.as_deref(),
            rule_id: entry.rule_id.as_deref(),
            reverses_id: Some(&entry.id),
            rule_version: None,
            note: reason.as_str(),
            actor_id: Some(access.id()),
        },
        now,
    )
    .await
}
