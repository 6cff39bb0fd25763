//! Appeals (积分申述): a member who disagrees with the committee — a deed of theirs rejected or
//! returned, or a deduction from their account — appeals once, with a reason, before the quarter
//! it concerns is signed. A committee member other than the one who decided upholds the decision
//! or overturns it: an overturned deed waits for review again, an overturned deduction is given
//! back by a reversal entry. The quarter cannot be signed while an appeal of it waits.

pub mod decide;
pub mod file;
pub mod list;

use std::collections::{HashMap, HashSet};

use jifen_shared::api::AppealView;
use jifen_shared::domain::{AppealStatus, CycleQuarter, DeedStatus};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::json;

use crate::entity::{appeal, deduction, deed, ledger_entry, member, point_rule, stored};
use crate::error::{AppError, AppResult, Missing};
use crate::infra::ids;
use crate::services::access::Access;

/// What an appeal is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// A deed of the member's that was rejected or returned.
    Deed(String),
    /// A deduction entry of the member's account.
    Entry(String),
}

/// The quarter an appeal concerns.
fn quarter_of(a: &appeal::Model) -> CycleQuarter {
    CycleQuarter {
        year: a.cycle_year,
        quarter: a.cycle_quarter as u8,
    }
}

/// Appeals of a branch's quarter that wait for a decision; signing the quarter waits for them.
pub async fn waiting_in(
    db: &impl ConnectionTrait,
    branch_id: &str,
    quarter: CycleQuarter,
) -> AppResult<u64> {
    Ok(appeal::Entity::find()
        .filter(appeal::Column::BranchId.eq(branch_id))
        .filter(appeal::Column::CycleYear.eq(quarter.year))
        .filter(appeal::Column::CycleQuarter.eq(quarter.quarter as i16))
        .filter(appeal::Column::Status.eq(AppealStatus::Waiting.as_str()))
        .count(db)
        .await?)
}

/// Loads an appeal the caller may see: their own, or one of a branch they review. Anything else
/// is answered as if it did not exist. Also says whether the caller reviews its branch.
pub async fn visible(
    db: &impl ConnectionTrait,
    access: &Access,
    id: &str,
) -> AppResult<(appeal::Model, bool)> {
    let not_found = || AppError::NotFound(Missing::Appeal);
    if !ids::is_valid(id) {
        return Err(not_found());
    }
    let found = appeal::Entity::find_by_id(id.to_owned())
        .one(db)
        .await?
        .ok_or_else(not_found)?;
    let reviewer = access.can_review(db, &found.branch_id).await?;
    if found.member_id != access.id() && !reviewer {
        return Err(not_found());
    }
    Ok((found, reviewer))
}

/// Everyone who made the decision appealed: the reviewer of the deed, or whoever wrote the
/// deduction entry and, for a deduction decided by two people, its proposer too.
pub async fn deciders(db: &impl ConnectionTrait, a: &appeal::Model) -> AppResult<HashSet<String>> {
    let mut out: HashSet<String> = a.appealed_decider.iter().cloned().collect();
    if let Some(entry) = &a.ledger_entry_id {
        let proposers = deduction::Entity::find()
            .filter(deduction::Column::LedgerEntryId.eq(entry.as_str()))
            .all(db)
            .await?;
        out.extend(proposers.into_iter().map(|d| d.proposed_by));
    }
    Ok(out)
}

/// The fields of an appeal that its audit events record.
fn snapshot(a: &appeal::Model) -> serde_json::Value {
    json!({
        "member_id": a.member_id,
        "deed_id": a.deed_id,
        "ledger_entry_id": a.ledger_entry_id,
        "year": a.cycle_year,
        "quarter": a.cycle_quarter,
        "status": a.status,
        "decided_by": a.decided_by,
        "reversal_entry_id": a.reversal_entry_id,
    })
}

/// The wire views of appeals as `access` sees them, with the names and subjects the screens
/// show, loaded a few queries for the whole page.
pub async fn views(
    db: &impl ConnectionTrait,
    access: &Access,
    rows: Vec<appeal::Model>,
) -> AppResult<Vec<AppealView>> {
    let deed_ids: Vec<String> = rows.iter().filter_map(|a| a.deed_id.clone()).collect();
    let entry_ids: Vec<String> = rows
        .iter()
        .filter_map(|a| a.ledger_entry_id.clone())
        .collect();
    let deeds: HashMap<String, deed::Model> = if deed_ids.is_empty() {
        HashMap::new()
    } else {
        deed::Entity::find()
            .filter(deed::Column::Id.is_in(deed_ids))
            .all(db)
            .await?
            .into_iter()
            .map(|d| (d.id.clone(), d))
            .collect()
    };
    let entries: HashMap<String, ledger_entry::Model> = if entry_ids.is_empty() {
        HashMap::new()
    } else {
        ledger_entry::Entity::find()
            .filter(ledger_entry::Column::Id.is_in(entry_ids.clone()))
            .all(db)
            .await?
            .into_iter()
            .map(|e| (e.id.clone(), e))
            .collect()
    };
    let rule_ids: Vec<String> = entries.values().filter_map(|e| e.rule_id.clone()).collect();
    let rules: HashMap<String, String> = if rule_ids.is_empty() {
        HashMap::new()
    } else {
        point_rule::Entity::find()
            .filter(point_rule::Column::Id.is_in(rule_ids))
            .all(db)
            .await?
            .into_iter()
            .map(|r| (r.id, r.name))
            .collect()
    };
    let proposers: HashMap<String, String> = if entry_ids.is_empty() {
        HashMap::new()
    } else {
        deduction::Entity::find()
            .filter(deduction::Column::LedgerEntryId.is_in(entry_ids))
            .all(db)
            .await?
            .into_iter()
            .filter_map(|d| d.ledger_entry_id.map(|e| (e, d.proposed_by)))
            .collect()
    };
    let people: Vec<String> = rows
        .iter()
        .flat_map(|a| [Some(a.member_id.clone()), a.decided_by.clone()])
        .flatten()
        .collect();
    let names: HashMap<String, String> = member::Entity::find()
        .filter(member::Column::Id.is_in(people))
        .all(db)
        .await?
        .into_iter()
        .map(|m| (m.id, m.name))
        .collect();
    let mut reviews: HashMap<String, bool> = HashMap::new();
    let mut out = Vec::with_capacity(rows.len());
    for a in rows {
        let status = a.status()?;
        let reviewer = match reviews.get(&a.branch_id) {
            Some(r) => *r,
            None => {
                let r = access.can_review(db, &a.branch_id).await?;
                reviews.insert(a.branch_id.clone(), r);
                r
            }
        };
        let me = access.id();
        let decided_it = a.appealed_decider.as_deref() == Some(me)
            || a.ledger_entry_id
                .as_ref()
                .and_then(|e| proposers.get(e))
                .is_some_and(|p| p == me);
        let can_decide =
            status == AppealStatus::Waiting && reviewer && a.member_id != me && !decided_it;
        let (subject, points) = match (&a.deed_id, &a.ledger_entry_id) {
            (Some(d), _) => (
                deeds.get(d).map(|d| d.title.clone()).unwrap_or_default(),
                None,
            ),
            (None, Some(e)) => match entries.get(e) {
                Some(e) => (
                    e.rule_id
                        .as_ref()
                        .and_then(|r| rules.get(r).cloned())
                        .unwrap_or_else(|| e.note.clone()),
                    Some(e.points),
                ),
                None => (String::new(), None),
            },
            (None, None) => (String::new(), None),
        };
        let deed_status: Option<DeedStatus> = a
            .appealed_status
            .as_deref()
            .map(|s| stored::word("appeal", &a.id, "appealed_status", s))
            .transpose()?;
        out.push(AppealView {
            member_name: names.get(&a.member_id).cloned().unwrap_or_default(),
            decided_by_name: a.decided_by.as_ref().and_then(|d| names.get(d).cloned()),
            quarter: a.cycle_quarter as u8,
            year: a.cycle_year,
            id: a.id,
            branch_id: a.branch_id,
            member_id: a.member_id,
            deed_id: a.deed_id,
            ledger_entry_id: a.ledger_entry_id,
            subject,
            deed_status,
            points,
            decision_appealed: a.appealed_reason,
            reason: a.reason,
            status,
            filed_at: a.filed_at,
            decided_by: a.decided_by,
            decided_at: a.decided_at,
            decision_reason: a.decision_reason,
            reversal_entry_id: a.reversal_entry_id,
            can_decide,
        });
    }
    Ok(out)
}

/// One appeal's view.
pub async fn view_one(
    db: &impl ConnectionTrait,
    access: &Access,
    a: appeal::Model,
) -> AppResult<AppealView> {
    views(db, access, vec![a])
        .await?
        .pop()
        .ok_or_else(|| AppError::Internal(anyhow::anyhow!("an appeal's view went missing")))
}
