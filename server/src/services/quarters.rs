//! The end of a quarter: once the committee has decided every report, the secretary signs the
//! quarter (书记签字确认), which closes it to new entries, and then posts it on the public board
//! (张榜公布), where the masses can read it without an account. Posting tells every member.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use jifen_shared::api::{BoardEntry, BoardRow, BoardView, QuarterReviewView};
use jifen_shared::domain::{
    mask_name, BoardNames, CycleQuarter, DeedStatus, MemberStatus, OrgKind, QuarterStatus,
    RuleCategory,
};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait,
    QueryFilter, QueryOrder,
};
use serde_json::json;

use crate::entity::{audit_event, deed, ledger_entry, member, org_unit, quarter_review};
use crate::error::{AppError, AppResult, Missing, QuarterRefusal};
use crate::infra::changes::Deps;
use crate::infra::db::Db;
use crate::infra::ids;
use crate::services::access::{reviewed_branch, secretary_of, Access};
use crate::services::audit::{self, Event};
use crate::services::notify::{self, Queued, Templates};

fn view(r: &quarter_review::Model) -> AppResult<QuarterReviewView> {
    Ok(QuarterReviewView {
        branch_id: r.branch_id.clone(),
        year: r.cycle_year,
        quarter: r.cycle_quarter as u8,
        status: r.status()?,
        signed_by: r.signed_by.clone(),
        signed_at: r.signed_at,
        published_at: r.published_at,
        pending_deeds: 0,
    })
}

/// Reports of the quarter the committee has not decided yet.
async fn pending_deeds(
    db: &impl ConnectionTrait,
    branch_id: &str,
    quarter: CycleQuarter,
) -> AppResult<u64> {
    Ok(deed::Entity::find()
        .filter(deed::Column::BranchId.eq(branch_id))
        .filter(deed::Column::CycleYear.eq(quarter.year))
        .filter(deed::Column::CycleQuarter.eq(quarter.quarter as i16))
        .filter(deed::Column::Status.eq(DeedStatus::Submitted.as_str()))
        .count(db)
        .await?)
}

/// Where a branch's quarter stands, for those who review the branch.
pub async fn status(
    db: &impl ConnectionTrait,
    access: &Access,
    branch_id: &str,
    quarter: CycleQuarter,
) -> AppResult<QuarterReviewView> {
    let branch = reviewed_branch(db, access, branch_id).await?;
    let mut view = match find(db, &branch.id, quarter).await? {
        Some(r) => view(&r)?,
        None => QuarterReviewView {
            branch_id: branch.id.clone(),
            year: quarter.year,
            quarter: quarter.quarter,
            status: QuarterStatus::Open,
            signed_by: None,
            signed_at: None,
            published_at: None,
            pending_deeds: 0,
        },
    };
    view.pending_deeds = pending_deeds(db, &branch.id, quarter).await?;
    Ok(view)
}

async fn find(
    db: &impl ConnectionTrait,
    branch_id: &str,
    quarter: CycleQuarter,
) -> AppResult<Option<quarter_review::Model>> {
    Ok(quarter_review::Entity::find()
        .filter(quarter_review::Column::BranchId.eq(branch_id))
        .filter(quarter_review::Column::CycleYear.eq(quarter.year))
        .filter(quarter_review::Column::CycleQuarter.eq(quarter.quarter as i16))
        .one(db)
        .await?)
}

/// The secretary signs a quarter that has ended. Every deed and every appeal of it must be
/// decided first; afterwards new entries concerning it go into the quarter that is open. Members
/// below the alert line at the quarter's end are told (积分预警), once per quarter.
pub async fn sign(
    db: &Db,
    now: DateTime<Utc>,
    templates: &Templates,
    access: &Access,
    branch_id: &str,
    quarter: CycleQuarter,
) -> AppResult<(QuarterReviewView, Queued)> {
    let conn = db.conn();
    let branch = secretary_of(conn, access, branch_id).await?;
    // Signing closes the quarter; while it runs, new deeds would have nowhere to go.
    if quarter >= CycleQuarter::of(now) {
        return Err(AppError::Quarter(QuarterRefusal::NotEnded));
    }
    let txn = db.begin_write().await?;
    audit::lock_chain(&*txn, &branch.id).await?;
    let existing = find(&*txn, &branch.id, quarter).await?;
    if let Some(r) = &existing {
        if r.status()? != QuarterStatus::Open {
            return Err(AppError::Quarter(QuarterRefusal::AlreadySigned));
        }
    }
    let pending = pending_deeds(&*txn, &branch.id, quarter).await?;
    if pending > 0 {
        return Err(AppError::Quarter(QuarterRefusal::PendingDeeds(pending)));
    }
    // A member's appeal is heard before the quarter closes on it.
    let appeals = crate::services::appeals::waiting_in(&*txn, &branch.id, quarter).await?;
    if appeals > 0 {
        return Err(AppError::Quarter(QuarterRefusal::AppealsWaiting(appeals)));
    }
    let signed = match existing {
        Some(row) => {
            let mut active: quarter_review::ActiveModel = row.into();
            active.status = Set(QuarterStatus::Signed.as_str().into());
            active.signed_by = Set(Some(access.id().to_owned()));
            active.signed_at = Set(Some(now));
            active.update(&*txn).await?
        }
        None => {
            quarter_review::ActiveModel {
                id: Set(ids::new()),
                branch_id: Set(branch.id.clone()),
                cycle_year: Set(quarter.year),
                cycle_quarter: Set(quarter.quarter as i16),
                status: Set(QuarterStatus::Signed.as_str().into()),
                signed_by: Set(Some(access.id().to_owned())),
                signed_at: Set(Some(now)),
                published_at: Set(None),
            }
            .insert(&*txn)
            .await?
        }
    };
    record(&*txn, &signed, access, "quarter.signed", now).await?;
    let (_, queued) = crate::services::standing::warn_behind(
        &*txn,
        templates,
        &branch,
        quarter,
        Some(access.id()),
        now,
    )
    .await?;
    txn.commit().await?;
    Ok((view(&signed)?, queued))
}

/// The secretary posts a signed quarter on the public board; every member of the branch is told.
pub async fn publish(
    db: &Db,
    now: DateTime<Utc>,
    templates: &Templates,
    access: &Access,
    branch_id: &str,
    quarter: CycleQuarter,
) -> AppResult<(QuarterReviewView, Queued)> {
    let conn = db.conn();
    let branch = secretary_of(conn, access, branch_id).await?;
    let txn = db.begin_write().await?;
    audit::lock_chain(&*txn, &branch.id).await?;
    let row = find(&*txn, &branch.id, quarter)
        .await?
        .ok_or(AppError::Quarter(QuarterRefusal::NotSigned))?;
    match row.status()? {
        QuarterStatus::Signed => {}
        QuarterStatus::Published => {
            return Err(AppError::Quarter(QuarterRefusal::AlreadyPublished))
        }
        QuarterStatus::Open => return Err(AppError::Quarter(QuarterRefusal::NotSigned)),
    }
    let mut active: quarter_review::ActiveModel = row.into();
    active.status = Set(QuarterStatus::Published.as_str().into());
    active.published_at = Set(Some(now));
    let published = active.update(&*txn).await?;
    record(&*txn, &published, access, "quarter.published", now).await?;
    let members = crate::services::orgs::taking_part(&*txn, &branch.id).await?;
    let mut queued = Queued::NOTHING;
    for m in &members {
        queued |= notify::board_published(&*txn, templates, &m.id, &branch, quarter, now).await?;
    }
    txn.commit().await?;
    Ok((view(&published)?, queued))
}

async fn record(
    db: &impl ConnectionTrait,
    row: &quarter_review::Model,
    access: &Access,
    action: &str,
    now: DateTime<Utc>,
) -> AppResult<()> {
    audit::record(
        db,
        Event {
            chain_id: &row.branch_id,
            actor_id: Some(access.id()),
            action,
            entity_type: "quarter_review",
            entity_id: &row.id,
            before: None,
            after: Some(json!({
                "year": row.cycle_year,
                "quarter": row.cycle_quarter,
                "status": row.status,
            })),
            reason: None,
        },
        now,
    )
    .await
}

/// A branch (by its public code) and one of its posted quarters, the latest when `quarter` is
/// `None`. A quarter not posted answers 404 `board.not_found`.
pub async fn posted(
    db: &impl ConnectionTrait,
    code: &str,
    quarter: Option<CycleQuarter>,
) -> AppResult<(org_unit::Model, quarter_review::Model)> {
    let branch = org_unit::Entity::find()
        .filter(org_unit::Column::Code.eq(code))
        .filter(org_unit::Column::Kind.eq(OrgKind::Branch.as_str()))
        .one(db)
        .await?
        .ok_or(AppError::NotFound(Missing::OrgUnit))?;
    let mut published = quarter_review::Entity::find()
        .filter(quarter_review::Column::BranchId.eq(branch.id.as_str()))
        .filter(quarter_review::Column::Status.eq(QuarterStatus::Published.as_str()));
    if let Some(q) = quarter {
        published = published
            .filter(quarter_review::Column::CycleYear.eq(q.year))
            .filter(quarter_review::Column::CycleQuarter.eq(q.quarter as i16));
    }
    let review = published
        .order_by_desc(quarter_review::Column::CycleYear)
        .order_by_desc(quarter_review::Column::CycleQuarter)
        .one(db)
        .await?
        .ok_or(AppError::NotFound(Missing::Board))?;
    Ok((branch, review))
}

/// A quarter's board as posted, for the branch's committee to keep or print (the export of
/// `GET /branches/{id}/quarters/{year}/{quarter}?format=`): 404 `board.not_found` until the
/// secretary posts it. Names appear as the board shows them.
pub async fn posted_board(
    db: &impl ConnectionTrait,
    access: &Access,
    branch_id: &str,
    quarter: CycleQuarter,
) -> AppResult<BoardView> {
    let branch = reviewed_branch(db, access, branch_id).await?;
    let review = find(db, &branch.id, quarter)
        .await?
        .filter(|r| r.status == QuarterStatus::Published.as_str())
        .ok_or(AppError::NotFound(Missing::Board))?;
    board_of(db, branch, &review).await
}

/// The public board of a branch (by its public code) for a published quarter, or the latest
/// published one when `quarter` is `None`. Anything unpublished answers 404. With it, what it
/// depends on for the read cache: the branch's chain, where posting, its entries, its members'
/// names, its settings and its code all change.
pub async fn board(
    db: &impl ConnectionTrait,
    code: &str,
    quarter: Option<CycleQuarter>,
) -> AppResult<(BoardView, Deps)> {
    let (branch, review) = posted(db, code, quarter).await?;
    let deps = Deps::scopes(vec![branch.id.clone()]);
    Ok((board_of(db, branch, &review).await?, deps))
}

/// The board of a quarter [`posted`] found, with names shown as the branch's settings say
/// (`board_names`): whatever reads the board, the app, the mini program or the printed page, gets
/// no full name from a branch that masks them.
pub async fn board_of(
    db: &impl ConnectionTrait,
    branch: org_unit::Model,
    review: &quarter_review::Model,
) -> AppResult<BoardView> {
    let shown = crate::services::settings::of(db, &branch.id)
        .await?
        .board_names;
    let shown = |name: String| match shown {
        BoardNames::Full => name,
        BoardNames::Masked => mask_name(&name),
    };
    let published_at = review
        .published_at
        .ok_or(AppError::NotFound(Missing::Board))?;

    let members = member::Entity::find()
        .filter(member::Column::HomeBranchId.eq(branch.id.as_str()))
        .order_by_asc(member::Column::Name)
        .all(db)
        .await?;
    let names: HashMap<String, String> = members
        .iter()
        .map(|m| (m.id.clone(), shown(m.name.clone())))
        .collect();
    let entries = ledger_entry::Entity::find()
        .filter(ledger_entry::Column::BranchId.eq(branch.id.as_str()))
        .filter(ledger_entry::Column::CycleYear.eq(review.cycle_year))
        .filter(ledger_entry::Column::CycleQuarter.lte(review.cycle_quarter))
        .order_by_asc(ledger_entry::Column::Id)
        .all(db)
        .await?;
    let mut rows: Vec<BoardRow> = members
        .iter()
        .filter(|m| m.status != MemberStatus::Transferred.as_str())
        .map(|m| BoardRow {
            member_id: m.id.clone(),
            member_name: shown(m.name.clone()),
            base: 0,
            bonus: 0,
            deduction: 0,
            total: 0,
            year_total: 0,
        })
        .collect();
    let index: HashMap<&str, usize> = members
        .iter()
        .filter(|m| m.status != MemberStatus::Transferred.as_str())
        .enumerate()
        .map(|(i, m)| (m.id.as_str(), i))
        .collect();
    let mut posted = Vec::new();
    for e in entries {
        let Some(&i) = index.get(e.member_id.as_str()) else {
            continue;
        };
        let category = e.category()?;
        let row = &mut rows[i];
        row.year_total += e.points;
        if e.cycle_quarter != review.cycle_quarter {
            continue;
        }
        match category {
            RuleCategory::Base => row.base += e.points,
            RuleCategory::Bonus => row.bonus += e.points,
            RuleCategory::Deduction => row.deduction += e.points,
        }
        row.total += e.points;
        posted.push(BoardEntry {
            member_name: names.get(&e.member_id).cloned().unwrap_or_default(),
            category,
            points: e.points,
            note: e.note,
        });
    }
    let signed_by_name = match &review.signed_by {
        Some(id) => member::Entity::find_by_id(id.clone())
            .one(db)
            .await?
            .map(|m| shown(m.name))
            .unwrap_or_default(),
        None => String::new(),
    };
    let audit_anchor = audit_event::Entity::find()
        .filter(audit_event::Column::ChainId.eq(branch.id.as_str()))
        .filter(audit_event::Column::EntityType.eq("quarter_review"))
        .filter(audit_event::Column::EntityId.eq(review.id.as_str()))
        .filter(audit_event::Column::Action.eq("quarter.published"))
        .one(db)
        .await?
        .map(|e| audit::anchor_of(&e).to_string())
        .unwrap_or_default();
    Ok(BoardView {
        audit_anchor,
        branch_name: branch.name,
        branch_code: branch.code.unwrap_or_default(),
        year: review.cycle_year,
        quarter: review.cycle_quarter as u8,
        signed_by_name,
        published_at,
        rows,
        entries: posted,
    })
}
