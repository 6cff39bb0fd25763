//! The points year (积分年度) of a branch: opening it gives every member the branch's base
//! allotment (基础积分) once, as one ledger entry each in the year's first quarter.
//!
//! - [`open`]: the secretary opens the current year or the next.
//! - [`new_year`]: on the first request after New Year (Asia/Shanghai), the year opens on its own
//!   for every branch that opened the year before.
//! - [`joining`]: a member who joins while the year is open gets a share of it by the days left.
//!
//! The unique key on (branch, year) decides between openings that race, whatever their source:
//! the loser's transaction fails on it and takes its entries with it.

pub mod joining;
pub mod new_year;
pub mod open;

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use jifen_shared::api::{OpenedYear, YearMember, YearView};
use jifen_shared::domain::{CycleQuarter, RuleCategory};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect};

use crate::entity::{cycle_year, ledger_entry, member, org_unit};
use crate::error::{invalid, AppResult};
use crate::services::access::{reviewed_branch, Access};
use crate::services::settings;

pub use new_year::NewYearWatch;
pub use open::open;

/// The branch's record of `year`, if it opened it.
pub(crate) async fn opened(
    db: &impl ConnectionTrait,
    branch_id: &str,
    year: i32,
) -> AppResult<Option<cycle_year::Model>> {
    Ok(cycle_year::Entity::find()
        .filter(cycle_year::Column::BranchId.eq(branch_id))
        .filter(cycle_year::Column::CycleYear.eq(year))
        .one(db)
        .await?)
}

/// Whether `year` may be opened at `now`: the current year or the next, in Shanghai.
pub fn openable(year: i32, now: DateTime<Utc>) -> bool {
    let current = CycleQuarter::of(now).year;
    year == current || year == current + 1
}

/// A checked year from a path.
pub fn check_year(year: i32) -> AppResult<i32> {
    invalid::checked_year(year)
}

/// The year as the branch's committee sees it (the secretary and those above it too).
pub async fn get(
    db: &impl ConnectionTrait,
    now: DateTime<Utc>,
    access: &Access,
    branch_id: &str,
    year: i32,
) -> AppResult<YearView> {
    let branch = reviewed_branch(db, access, branch_id).await?;
    let year = check_year(year)?;
    view(db, now, access, &branch, year).await
}

pub(crate) async fn view(
    db: &impl ConnectionTrait,
    now: DateTime<Utc>,
    access: &Access,
    branch: &org_unit::Model,
    year: i32,
) -> AppResult<YearView> {
    let row = opened(db, &branch.id, year).await?;
    let opener = match row.as_ref().and_then(|r| r.opened_by.clone()) {
        Some(id) => member::Entity::find_by_id(id).one(db).await?,
        None => None,
    };
    let base: HashMap<String, i64> = ledger_entry::Entity::find()
        .select_only()
        .column(ledger_entry::Column::MemberId)
        .column_as(Expr::col(ledger_entry::Column::Points).sum(), "base")
        .filter(ledger_entry::Column::BranchId.eq(branch.id.as_str()))
        .filter(ledger_entry::Column::CycleYear.eq(year))
        .filter(ledger_entry::Column::Category.eq(RuleCategory::Base.as_str()))
        .group_by(ledger_entry::Column::MemberId)
        .into_tuple::<(String, Option<i64>)>()
        .all(db)
        .await?
        .into_iter()
        .map(|(m, sum)| (m, sum.unwrap_or(0)))
        .collect();
    let members = crate::services::orgs::taking_part(db, &branch.id)
        .await?
        .into_iter()
        .map(|m| {
            Ok(YearMember {
                status: m.status()?,
                base: base.get(&m.id).copied().unwrap_or(0) as i32,
                id: m.id,
                name: m.name,
            })
        })
        .collect::<AppResult<_>>()?;
    let may_open =
        row.is_none() && openable(year, now) && access.can_manage(db, &branch.id).await?;
    Ok(YearView {
        branch_id: branch.id.clone(),
        year,
        opened: row.map(|r| OpenedYear {
            opened_at: r.opened_at,
            opened_by_name: opener.map(|m| m.name),
            opened_by: r.opened_by,
            base_points: r.base_points,
            members_given: r.members_given.max(0) as u32,
        }),
        base_points_per_year: settings::of(db, &branch.id).await?.base_points_per_year,
        may_open,
        members,
    })
}
