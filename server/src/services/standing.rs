//! Falling behind (积分预警): which members of a branch are below the branch's alert line at the end
//! of a quarter, telling each of them once per quarter (when the committee asks, and when the
//! secretary signs the quarter), and a member's own standing with the catalogue items that could
//! still help them.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use jifen_shared::api::{AlertRow, AlertsNotified, AlertsView, HelpfulItem, MemberStanding};
use jifen_shared::domain::{alert_line, behind, CycleQuarter, RuleCategory};
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect,
};
use serde_json::json;

use crate::entity::{ledger_entry, member, org_unit, point_rule, points_alert};
use crate::error::{AppError, AppResult, Missing};
use crate::infra::db::Db;
use crate::infra::ids;
use crate::services::access::{reviewed_branch, Access};
use crate::services::audit::{self, Event};
use crate::services::notify::{self, Queued, Templates};
use crate::services::{ledger, settings};

/// At most this many catalogue items are suggested, the best first.
const HELPFUL_ITEMS: usize = 5;

/// Each member's points in `quarter`'s year up to the end of `quarter`, in the order given.
pub async fn totals_to(
    db: &impl ConnectionTrait,
    members: &[member::Model],
    quarter: CycleQuarter,
) -> AppResult<Vec<i32>> {
    if members.is_empty() {
        return Ok(Vec::new());
    }
    let sums: Vec<(String, Option<i64>)> = ledger_entry::Entity::find()
        .select_only()
        .column(ledger_entry::Column::MemberId)
        .column_as(Expr::col(ledger_entry::Column::Points).sum(), "total")
        .filter(ledger_entry::Column::MemberId.is_in(members.iter().map(|m| m.id.clone())))
        .filter(ledger_entry::Column::CycleYear.eq(quarter.year))
        .filter(ledger_entry::Column::CycleQuarter.lte(quarter.quarter as i16))
        .group_by(ledger_entry::Column::MemberId)
        .into_tuple()
        .all(db)
        .await?;
    let sums: HashMap<String, i64> = sums
        .into_iter()
        .map(|(id, sum)| (id, sum.unwrap_or(0)))
        .collect();
    Ok(members
        .iter()
        .map(|m| {
            sums.get(&m.id)
                .copied()
                .unwrap_or(0)
                .clamp(i32::MIN.into(), i32::MAX.into()) as i32
        })
        .collect())
}

/// The branch's members below its alert line at the end of `quarter`, lowest total first, and the
/// line itself.
struct Behind {
    threshold: i32,
    members: u32,
    below: Vec<(member::Model, i32)>,
}

async fn behind_at(
    db: &impl ConnectionTrait,
    branch_id: &str,
    quarter: CycleQuarter,
) -> AppResult<(jifen_shared::api::AlertThreshold, Behind)> {
    let rule = settings::of(db, branch_id).await?.alert;
    let members = crate::services::orgs::taking_part(db, branch_id).await?;
    let totals = totals_to(db, &members, quarter).await?;
    let threshold = alert_line(rule, &totals);
    let count = members.len() as u32;
    let mut below: Vec<(member::Model, i32)> = members
        .into_iter()
        .zip(totals)
        .filter(|(_, total)| *total < threshold)
        .collect();
    below.sort_by_key(|(_, total)| *total);
    Ok((
        rule,
        Behind {
            threshold,
            members: count,
            below,
        },
    ))
}

/// Members of `quarter` already told they were behind.
async fn told(
    db: &impl ConnectionTrait,
    branch_id: &str,
    quarter: CycleQuarter,
) -> AppResult<HashSet<String>> {
    Ok(points_alert::Entity::find()
        .filter(points_alert::Column::BranchId.eq(branch_id))
        .filter(points_alert::Column::CycleYear.eq(quarter.year))
        .filter(points_alert::Column::CycleQuarter.eq(quarter.quarter as i16))
        .all(db)
        .await?
        .into_iter()
        .map(|a| a.member_id)
        .collect())
}

/// The members below the line at the end of `quarter` (so far, for the quarter running).
pub async fn alerts(
    db: &impl ConnectionTrait,
    access: &Access,
    branch_id: &str,
    quarter: CycleQuarter,
) -> AppResult<AlertsView> {
    let branch = reviewed_branch(db, access, branch_id).await?;
    let (rule, behind_now) = behind_at(db, &branch.id, quarter).await?;
    let told = told(db, &branch.id, quarter).await?;
    Ok(AlertsView {
        branch_id: branch.id,
        year: quarter.year,
        quarter: quarter.quarter,
        rule,
        threshold: behind_now.threshold,
        members: behind_now.members,
        below: behind_now
            .below
            .into_iter()
            .map(|(m, total)| AlertRow {
                notified: told.contains(&m.id),
                behind: behind(behind_now.threshold, total),
                member_id: m.id,
                member_name: m.name,
                total,
            })
            .collect(),
    })
}

/// The committee tells the members below the line (inbox, and WeChat when subscribed); those told
/// about this quarter before are not told again.
pub async fn notify(
    db: &Db,
    now: DateTime<Utc>,
    templates: &Templates,
    access: &Access,
    branch_id: &str,
    quarter: CycleQuarter,
) -> AppResult<(AlertsNotified, Queued)> {
    let branch = reviewed_branch(db.conn(), access, branch_id).await?;
    let txn = db.begin_write().await?;
    audit::lock_chain(&*txn, &branch.id).await?;
    let done = warn_behind(&*txn, templates, &branch, quarter, Some(access.id()), now).await?;
    txn.commit().await?;
    Ok(done)
}

/// Tells every member below the line at the end of `quarter` who was not told about it yet, and
/// records it in the branch's audit chain. Call inside a write transaction after
/// [`audit::lock_chain`]: the lock (and the unique key on member and quarter) keeps two callers
/// from telling anyone twice.
pub async fn warn_behind(
    db: &impl ConnectionTrait,
    templates: &Templates,
    branch: &org_unit::Model,
    quarter: CycleQuarter,
    actor_id: Option<&str>,
    now: DateTime<Utc>,
) -> AppResult<(AlertsNotified, Queued)> {
    let (_, behind_now) = behind_at(db, &branch.id, quarter).await?;
    let told = told(db, &branch.id, quarter).await?;
    let mut queued = Queued::NOTHING;
    let mut newly = Vec::new();
    let mut already = 0u32;
    for (m, total) in &behind_now.below {
        if told.contains(&m.id) {
            already += 1;
            continue;
        }
        let inserted = points_alert::Entity::insert(points_alert::ActiveModel {
            id: Set(ids::new()),
            branch_id: Set(branch.id.clone()),
            member_id: Set(m.id.clone()),
            cycle_year: Set(quarter.year),
            cycle_quarter: Set(quarter.quarter as i16),
            total: Set(*total),
            threshold: Set(behind_now.threshold),
            notified_at: Set(now),
        })
        .on_conflict(
            OnConflict::columns([
                points_alert::Column::MemberId,
                points_alert::Column::CycleYear,
                points_alert::Column::CycleQuarter,
            ])
            .do_nothing()
            .to_owned(),
        )
        .exec_without_returning(db)
        .await?;
        if inserted == 0 {
            already += 1;
            continue;
        }
        queued |= notify::points_alert(
            db,
            templates,
            &m.id,
            quarter,
            *total,
            behind_now.threshold,
            now,
        )
        .await?;
        newly.push(json!({ "member_id": m.id, "total": total }));
    }
    let notified = newly.len() as u32;
    if notified > 0 {
        audit::record(
            db,
            Event {
                chain_id: &branch.id,
                actor_id,
                action: "points.alerts_sent",
                entity_type: "branch",
                entity_id: &branch.id,
                before: None,
                after: Some(json!({
                    "year": quarter.year,
                    "quarter": quarter.quarter,
                    "threshold": behind_now.threshold,
                    "members": newly,
                })),
                reason: None,
            },
            now,
        )
        .await?;
    }
    Ok((
        AlertsNotified {
            notified,
            already_notified: already,
        },
        queued,
    ))
}

/// A member's standing in `year`, for the member and those who review their branch: the total up
/// to the quarter running (Q4 for a past year), the alert line and, when behind in the year
/// running, the items that could still help.
pub async fn member_standing(
    db: &impl ConnectionTrait,
    viewer_id: &str,
    member_id: &str,
    year: i32,
    now: DateTime<Utc>,
) -> AppResult<MemberStanding> {
    ledger::check_reader(db, viewer_id, member_id).await?;
    let who = member::Entity::find_by_id(member_id.to_owned())
        .one(db)
        .await?
        .ok_or(AppError::NotFound(Missing::Member))?;
    let current = CycleQuarter::of(now);
    let quarter = CycleQuarter {
        year,
        quarter: match year.cmp(&current.year) {
            std::cmp::Ordering::Less => 4,
            std::cmp::Ordering::Equal => current.quarter,
            std::cmp::Ordering::Greater => 1,
        },
    };
    let rule = settings::of(db, &who.home_branch_id).await?.alert;
    let members = crate::services::orgs::taking_part(db, &who.home_branch_id).await?;
    let totals = totals_to(db, &members, quarter).await?;
    let threshold = alert_line(rule, &totals);
    let total = match members.iter().position(|m| m.id == who.id) {
        Some(i) => totals[i],
        None => totals_to(db, std::slice::from_ref(&who), quarter).await?[0],
    };
    let short = behind(threshold, total);
    let helpful = if short > 0 && year == current.year {
        helpful_items(db, &who, quarter).await?
    } else {
        Vec::new()
    };
    Ok(MemberStanding {
        member_id: who.id,
        year,
        quarter: quarter.quarter,
        total,
        threshold,
        behind: short,
        helpful,
    })
}

/// The active base and bonus items of the member's branch that can still earn them points this
/// quarter and year (what their caps leave), those one more deed brings the most points by first.
async fn helpful_items(
    db: &impl ConnectionTrait,
    who: &member::Model,
    quarter: CycleQuarter,
) -> AppResult<Vec<HelpfulItem>> {
    let rules = point_rule::Entity::find()
        .filter(point_rule::Column::BranchId.eq(who.home_branch_id.as_str()))
        .filter(point_rule::Column::Active.eq(true))
        .filter(
            point_rule::Column::Category
                .is_in([RuleCategory::Base.as_str(), RuleCategory::Bonus.as_str()]),
        )
        .filter(point_rule::Column::StandardPoints.gt(0))
        .all(db)
        .await?;
    let entries = ledger_entry::Entity::find()
        .filter(ledger_entry::Column::MemberId.eq(who.id.as_str()))
        .filter(ledger_entry::Column::CycleYear.eq(quarter.year))
        .filter(ledger_entry::Column::RuleId.is_not_null())
        .all(db)
        .await?;
    let mut items: Vec<(i32, HelpfulItem)> = Vec::new();
    for rule in rules {
        let used = |in_quarter: bool| -> i32 {
            entries
                .iter()
                .filter(|e| e.rule_id.as_deref() == Some(rule.id.as_str()))
                .filter(|e| !in_quarter || e.cycle_quarter == quarter.quarter as i16)
                .map(|e| e.points)
                .sum::<i32>()
                .abs()
        };
        let remaining = [
            rule.cap_per_quarter.map(|cap| cap.abs() - used(true)),
            rule.cap_per_year.map(|cap| cap.abs() - used(false)),
        ]
        .into_iter()
        .flatten()
        .min()
        .map(|r| r.max(0));
        if remaining == Some(0) {
            continue;
        }
        // What one more deed under the item brings now.
        let worth = remaining.map_or(rule.standard_points, |r| r.min(rule.standard_points));
        items.push((
            worth,
            HelpfulItem {
                category: rule.category()?,
                rule_id: rule.id,
                name: rule.name,
                description: rule.description,
                standard_points: rule.standard_points,
                remaining,
            },
        ));
    }
    items.sort_by(|(a, x), (b, y)| b.cmp(a).then_with(|| x.name.cmp(&y.name)));
    Ok(items
        .into_iter()
        .take(HELPFUL_ITEMS)
        .map(|(_, item)| item)
        .collect())
}
