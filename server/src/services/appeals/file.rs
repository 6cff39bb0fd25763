//! A member files an appeal: their own rejected or returned deed, or their own deduction, once,
//! before the quarter it concerns is signed.

use chrono::{DateTime, Utc};
use jifen_shared::api::{AppealView, FileAppealRequest};
use jifen_shared::domain::{AppealStatus, CycleQuarter, LedgerKind, QuarterStatus, Reason};
use jifen_shared::words::Word;
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, SqlErr};

use super::{snapshot, view_one, Target};
use crate::entity::{appeal, deed, ledger_entry, quarter_review};
use crate::error::{AppError, AppResult, AppealRefusal, FieldIssue, Missing, Refusal};
use crate::infra::db::Db;
use crate::infra::ids;
use crate::services::access::Access;
use crate::services::audit::{self, Event};

/// A checked request: what is appealed, and why.
#[derive(Debug, Clone)]
pub struct Filing {
    pub target: Target,
    pub reason: Reason,
}

impl TryFrom<FileAppealRequest> for Filing {
    type Error = AppError;

    fn try_from(req: FileAppealRequest) -> Result<Self, AppError> {
        let mut issues = Vec::new();
        let given = |id: Option<String>| id.filter(|s| !s.trim().is_empty());
        let target = match (given(req.deed_id), given(req.ledger_entry_id)) {
            (Some(d), None) => Some(Target::Deed(d)),
            (None, Some(e)) => Some(Target::Entry(e)),
            _ => {
                issues.push(FieldIssue::worded(
                    "deed_id",
                    "appeal.one_subject",
                    Word::AppealOneSubject,
                ));
                None
            }
        };
        let reason = Reason::parse(&req.reason)
            .map_err(|e| issues.push(FieldIssue::explained("reason", &e)))
            .ok();
        match (target, reason) {
            (Some(target), Some(reason)) if issues.is_empty() => Ok(Filing { target, reason }),
            _ => Err(AppError::Validation(issues)),
        }
    }
}

/// What the appeal is about, as it stands now.
enum Subject {
    Deed(deed::Model),
    Entry(ledger_entry::Model),
}

impl Subject {
    fn branch_id(&self) -> &str {
        match self {
            Subject::Deed(d) => &d.branch_id,
            Subject::Entry(e) => &e.branch_id,
        }
    }

    fn member_id(&self) -> &str {
        match self {
            Subject::Deed(d) => &d.member_id,
            Subject::Entry(e) => &e.member_id,
        }
    }

    fn quarter(&self) -> CycleQuarter {
        let (year, quarter) = match self {
            Subject::Deed(d) => (d.cycle_year, d.cycle_quarter),
            Subject::Entry(e) => (e.cycle_year, e.cycle_quarter),
        };
        CycleQuarter {
            year,
            quarter: quarter as u8,
        }
    }
}

/// Loads what `target` names. Someone else's deed or entry is 403 to those who review its
/// branch (they can see it) and 404 to everyone else.
async fn load(db: &impl ConnectionTrait, access: &Access, target: &Target) -> AppResult<Subject> {
    let (id, missing) = match target {
        Target::Deed(id) => (id, Missing::Deed),
        Target::Entry(id) => (id, Missing::LedgerEntry),
    };
    if !ids::is_valid(id) {
        return Err(AppError::NotFound(missing));
    }
    let subject = match target {
        Target::Deed(_) => deed::Entity::find_by_id(id.clone())
            .one(db)
            .await?
            .map(Subject::Deed),
        Target::Entry(_) => ledger_entry::Entity::find_by_id(id.clone())
            .one(db)
            .await?
            .map(Subject::Entry),
    }
    .ok_or(AppError::NotFound(missing))?;
    if subject.member_id() != access.id() {
        return Err(if access.can_review(db, subject.branch_id()).await? {
            AppError::Forbidden(Refusal::AppealNotOwn)
        } else {
            AppError::NotFound(missing)
        });
    }
    Ok(subject)
}

/// Files the member's appeal. Audited in the branch's chain.
pub async fn file(
    db: &Db,
    now: DateTime<Utc>,
    access: &Access,
    filing: Filing,
) -> AppResult<AppealView> {
    let early = load(db.conn(), access, &filing.target).await?;
    if let Subject::Entry(e) = &early {
        if e.kind()? != LedgerKind::Deduction {
            return Err(AppError::Validation(vec![FieldIssue::worded(
                "ledger_entry_id",
                "appeal.not_deduction",
                Word::AppealNotDeduction,
            )]));
        }
    }
    let txn = db.begin_write().await?;
    audit::lock_chain(&*txn, early.branch_id()).await?;
    // Read again under the chain's lock: a decision or a signature may have come in between.
    let subject = load(&*txn, access, &filing.target).await?;
    let already = appeal::Entity::find().filter(match &subject {
        Subject::Deed(d) => appeal::Column::DeedId.eq(d.id.as_str()),
        Subject::Entry(e) => appeal::Column::LedgerEntryId.eq(e.id.as_str()),
    });
    if already.one(&*txn).await?.is_some() {
        return Err(AppError::Appeal(AppealRefusal::AlreadyFiled));
    }
    let (status, decision, decider) = match &subject {
        Subject::Deed(d) => {
            let status = d.status()?;
            if !status.appealable() {
                return Err(AppError::Appeal(AppealRefusal::NotAppealable));
            }
            (
                Some(status.as_str().to_owned()),
                d.decision_reason.clone(),
                d.reviewed_by.clone(),
            )
        }
        Subject::Entry(e) => (None, Some(e.note.clone()), e.created_by.clone()),
    };
    let quarter = subject.quarter();
    let review = quarter_review::Entity::find()
        .filter(quarter_review::Column::BranchId.eq(subject.branch_id()))
        .filter(quarter_review::Column::CycleYear.eq(quarter.year))
        .filter(quarter_review::Column::CycleQuarter.eq(quarter.quarter as i16))
        .one(&*txn)
        .await?;
    if let Some(r) = review {
        if r.status()? != QuarterStatus::Open {
            return Err(AppError::Appeal(AppealRefusal::QuarterSigned));
        }
    }
    let row = appeal::Model {
        id: ids::new(),
        branch_id: subject.branch_id().to_owned(),
        member_id: access.id().to_owned(),
        deed_id: match &subject {
            Subject::Deed(d) => Some(d.id.clone()),
            Subject::Entry(_) => None,
        },
        ledger_entry_id: match &subject {
            Subject::Deed(_) => None,
            Subject::Entry(e) => Some(e.id.clone()),
        },
        cycle_year: quarter.year,
        cycle_quarter: quarter.quarter as i16,
        appealed_status: status,
        appealed_reason: decision,
        appealed_decider: decider,
        reason: filing.reason.as_str().to_owned(),
        status: AppealStatus::Waiting.as_str().to_owned(),
        filed_at: now,
        decided_by: None,
        decided_at: None,
        decision_reason: None,
        reversal_entry_id: None,
    };
    let active = appeal::ActiveModel {
        id: Set(row.id.clone()),
        branch_id: Set(row.branch_id.clone()),
        member_id: Set(row.member_id.clone()),
        deed_id: Set(row.deed_id.clone()),
        ledger_entry_id: Set(row.ledger_entry_id.clone()),
        cycle_year: Set(row.cycle_year),
        cycle_quarter: Set(row.cycle_quarter),
        appealed_status: Set(row.appealed_status.clone()),
        appealed_reason: Set(row.appealed_reason.clone()),
        appealed_decider: Set(row.appealed_decider.clone()),
        reason: Set(row.reason.clone()),
        status: Set(row.status.clone()),
        filed_at: Set(row.filed_at),
        decided_by: Set(None),
        decided_at: Set(None),
        decision_reason: Set(None),
        reversal_entry_id: Set(None),
    };
    if let Err(e) = appeal::Entity::insert(active).exec(&*txn).await {
        // Two tabs filing at once: the unique index lets one through.
        return Err(
            if matches!(e.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) {
                AppError::Appeal(AppealRefusal::AlreadyFiled)
            } else {
                e.into()
            },
        );
    }
    audit::record(
        &*txn,
        Event {
            chain_id: &row.branch_id,
            actor_id: Some(access.id()),
            action: "appeal.filed",
            entity_type: "appeal",
            entity_id: &row.id,
            before: None,
            after: Some(snapshot(&row)),
            reason: Some(filing.reason.as_str()),
        },
        now,
    )
    .await?;
    txn.commit().await?;
    view_one(db.conn(), access, row).await
}
