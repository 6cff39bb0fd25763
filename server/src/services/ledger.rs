//! The points ledger: append-only movements per member and cycle year. A member's account is the
//! sum of its entries; nothing is updated in place, so a revoked award stays visible next to the
//! reversal that cancels it.

use chrono::{DateTime, Utc};
use jifen_shared::api::{LedgerEntryView, PointsSummary, QuarterPoints};
use jifen_shared::domain::{CycleQuarter, LedgerKind, QuarterStatus, RuleCategory};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
};
use serde_json::json;

use crate::entity::{ledger_entry, member, point_rule, quarter_review};
use crate::error::{AppError, AppResult, CapPeriod, Missing};
use crate::infra::ids;
use crate::services::access::Access;
use crate::services::audit::{self, Event};

/// A movement to write.
pub struct NewEntry<'a> {
    pub member_id: &'a str,
    pub branch_id: &'a str,
    pub quarter: CycleQuarter,
    pub kind: LedgerKind,
    pub category: RuleCategory,
    pub points: i32,
    pub deed_id: Option<&'a str>,
    pub rule_id: Option<&'a str>,
    /// The version of the rule the points were fixed under, when that was decided earlier (a
    /// deduction proposed before the item was edited); `None` takes the rule's current version.
    pub rule_version: Option<i32>,
    pub reverses_id: Option<&'a str>,
    pub note: &'a str,
    pub actor_id: Option<&'a str>,
}

/// Writes an entry and its audit event; call inside the transaction that causes it. The entry
/// keeps the version of its rule it was written under (a reversal, the version of what it
/// reverses), so a later edit of the catalogue never changes what an entry meant.
pub async fn write(
    db: &impl ConnectionTrait,
    e: NewEntry<'_>,
    now: DateTime<Utc>,
) -> AppResult<ledger_entry::Model> {
    let rule_version = rule_version_of(db, &e).await?;
    let row = ledger_entry::Model {
        id: ids::new(),
        member_id: e.member_id.to_owned(),
        branch_id: e.branch_id.to_owned(),
        cycle_year: e.quarter.year,
        cycle_quarter: e.quarter.quarter as i16,
        kind: e.kind.as_str().to_owned(),
        category: e.category.as_str().to_owned(),
        points: e.points,
        deed_id: e.deed_id.map(str::to_owned),
        rule_id: e.rule_id.map(str::to_owned),
        reverses_id: e.reverses_id.map(str::to_owned),
        note: e.note.to_owned(),
        rule_version,
        created_by: e.actor_id.map(str::to_owned),
        created_at: now,
    };
    ledger_entry::Entity::insert(ledger_entry::ActiveModel {
        id: Set(row.id.clone()),
        member_id: Set(row.member_id.clone()),
        branch_id: Set(row.branch_id.clone()),
        cycle_year: Set(row.cycle_year),
        cycle_quarter: Set(row.cycle_quarter),
        kind: Set(row.kind.clone()),
        category: Set(row.category.clone()),
        points: Set(row.points),
        deed_id: Set(row.deed_id.clone()),
        rule_id: Set(row.rule_id.clone()),
        reverses_id: Set(row.reverses_id.clone()),
        note: Set(row.note.clone()),
        rule_version: Set(row.rule_version),
        created_by: Set(row.created_by.clone()),
        created_at: Set(row.created_at),
    })
    .exec(db)
    .await?;
    audit::record(
        db,
        Event {
            chain_id: e.branch_id,
            actor_id: e.actor_id,
            action: "ledger.entry_written",
            entity_type: "ledger_entry",
            entity_id: &row.id,
            before: None,
            after: Some(json!({
                "member_id": row.member_id,
                "kind": row.kind,
                "category": row.category,
                "points": row.points,
                "year": row.cycle_year,
                "quarter": row.cycle_quarter,
                "deed_id": row.deed_id,
                "rule_id": row.rule_id,
                "rule_version": row.rule_version,
                "reverses_id": row.reverses_id,
            })),
            reason: Some(e.note).filter(|n| !n.is_empty()),
        },
        now,
    )
    .await?;
    // Issue 15: the member's own scope too, so that their kept account moves with their entries
    // alone, not with every write in the branch.
    crate::infra::changes::touch(db, &scope_of(&row.member_id)).await?;
    Ok(row)
}

/// The change scope of a member's ledger: every entry written for them moves it (see
/// [`crate::infra::changes`]).
pub fn scope_of(member_id: &str) -> String {
    format!("ledger:{member_id}")
}

/// The rule version a new entry is written under: a reversal keeps the version of the entry it
/// reverses; any other entry with a rule takes the version it was decided under, or else the
/// rule's current version.
async fn rule_version_of(db: &impl ConnectionTrait, e: &NewEntry<'_>) -> AppResult<Option<i32>> {
    if e.rule_version.is_some() {
        return Ok(e.rule_version);
    }
    if let Some(reversed) = e.reverses_id {
        return Ok(ledger_entry::Entity::find_by_id(reversed.to_owned())
            .one(db)
            .await?
            .and_then(|r| r.rule_version));
    }
    let Some(rule_id) = e.rule_id else {
        return Ok(None);
    };
    let rule = point_rule::Entity::find_by_id(rule_id.to_owned())
        .one(db)
        .await?
        .ok_or(AppError::NotFound(Missing::Rule))?;
    Ok(Some(rule.version))
}

/// The quarter a new entry belongs in: the one it concerns, unless the secretary has already
/// signed that quarter, in which case the correction goes into the quarter open now.
pub async fn open_quarter_for(
    db: &impl ConnectionTrait,
    branch_id: &str,
    concerns: CycleQuarter,
    now: DateTime<Utc>,
) -> AppResult<CycleQuarter> {
    let review = quarter_review::Entity::find()
        .filter(quarter_review::Column::BranchId.eq(branch_id))
        .filter(quarter_review::Column::CycleYear.eq(concerns.year))
        .filter(quarter_review::Column::CycleQuarter.eq(concerns.quarter as i16))
        .one(db)
        .await?;
    Ok(match review {
        Some(r) if r.status()? != QuarterStatus::Open => CycleQuarter::of(now),
        _ => concerns,
    })
}

/// Refuses an award that would take the member past the rule's quarterly or yearly cap.
pub async fn check_caps(
    db: &impl ConnectionTrait,
    rule: &point_rule::Model,
    member_id: &str,
    quarter: CycleQuarter,
    points: i32,
) -> AppResult<()> {
    if rule.cap_per_quarter.is_none() && rule.cap_per_year.is_none() {
        return Ok(());
    }
    let entries = ledger_entry::Entity::find()
        .filter(ledger_entry::Column::MemberId.eq(member_id))
        .filter(ledger_entry::Column::RuleId.eq(rule.id.clone()))
        .filter(ledger_entry::Column::CycleYear.eq(quarter.year))
        .all(db)
        .await?;
    let year_sum: i32 = entries.iter().map(|e| e.points).sum();
    let quarter_sum: i32 = entries
        .iter()
        .filter(|e| e.cycle_quarter == quarter.quarter as i16)
        .map(|e| e.points)
        .sum();
    let magnitude = points.abs();
    for (cap, used, period) in [
        (rule.cap_per_quarter, quarter_sum.abs(), CapPeriod::Quarter),
        (rule.cap_per_year, year_sum.abs(), CapPeriod::Year),
    ] {
        if let Some(cap) = cap {
            let remaining = (cap.abs() - used).max(0);
            if magnitude > remaining {
                return Err(AppError::CapExceeded { remaining, period });
            }
        }
    }
    Ok(())
}

pub fn view(e: ledger_entry::Model) -> AppResult<LedgerEntryView> {
    Ok(LedgerEntryView {
        kind: e.kind()?,
        category: e.category()?,
        id: e.id,
        points: e.points,
        year: e.cycle_year,
        quarter: e.cycle_quarter as u8,
        deed_id: e.deed_id,
        rule_id: e.rule_id,
        reverses_id: e.reverses_id,
        rule_version: e.rule_version,
        note: e.note,
        created_at: e.created_at,
    })
}

/// What a member's account depends on, for the read cache: nothing but their own entries,
/// which are only ever added ([`write`] moves [`scope_of`] the member). Who may read it is
/// checked on every request, outside the cache.
pub fn deps_of(member_id: &str) -> crate::infra::changes::Deps {
    crate::infra::changes::Deps::Scopes(vec![scope_of(member_id)])
}

/// A member's account for one cycle year.
pub async fn summary(
    db: &impl ConnectionTrait,
    member_id: &str,
    year: i32,
) -> AppResult<PointsSummary> {
    let entries = ledger_entry::Entity::find()
        .filter(ledger_entry::Column::MemberId.eq(member_id))
        .filter(ledger_entry::Column::CycleYear.eq(year))
        .order_by_asc(ledger_entry::Column::Id)
        .all(db)
        .await?;
    let mut quarters: Vec<QuarterPoints> = (1..=4)
        .map(|q| QuarterPoints {
            quarter: q,
            base: 0,
            bonus: 0,
            deduction: 0,
            total: 0,
        })
        .collect();
    for e in &entries {
        let Some(q) = quarters.get_mut((e.cycle_quarter as usize).wrapping_sub(1)) else {
            continue;
        };
        match e.category()? {
            RuleCategory::Base => q.base += e.points,
            RuleCategory::Bonus => q.bonus += e.points,
            RuleCategory::Deduction => q.deduction += e.points,
        }
        q.total += e.points;
    }
    let sum = |f: fn(&QuarterPoints) -> i32| quarters.iter().map(f).sum::<i32>();
    Ok(PointsSummary {
        member_id: member_id.to_owned(),
        year,
        base: sum(|q| q.base),
        bonus: sum(|q| q.bonus),
        deduction: sum(|q| q.deduction),
        total: sum(|q| q.total),
        quarters,
        entries: entries.into_iter().map(view).collect::<AppResult<_>>()?,
    })
}

/// A member's points are read by the member and by those who review their branch; to anyone
/// else the member does not exist.
pub async fn check_reader(
    db: &impl ConnectionTrait,
    viewer_id: &str,
    member_id: &str,
) -> AppResult<()> {
    let not_found = || AppError::NotFound(Missing::Member);
    if !ids::is_valid(member_id) {
        return Err(not_found());
    }
    if viewer_id == member_id {
        return Ok(());
    }
    let access = Access::load(db, viewer_id).await?;
    let target = member::Entity::find_by_id(member_id.to_owned())
        .one(db)
        .await?
        .ok_or_else(not_found)?;
    if !access.can_review(db, &target.home_branch_id).await? {
        return Err(not_found());
    }
    Ok(())
}
