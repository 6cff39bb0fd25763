//! Statistics (统计) for a branch and every unit above it, for a cycle year or a quarter: the
//! figures of `GET /orgs/{id}/stats`, and [`branch_figures`] for the ratings of many branches.
//!
//! What each figure counts (quarters cut in Asia/Shanghai):
//! - **members**: those at home in the unit's branches, active or migrant (as the board, alerts
//!   and grades count them); transferred members have left.
//! - **participation**: members with at least one deed approved now whose award the ledger put in
//!   the period. The ledger puts a deed's points in the quarter it happened in, or, when the
//!   secretary had already signed that quarter, in the quarter it was approved in; participation
//!   follows the points, so a member takes part in the quarter their points count in.
//! - **points**: the ledger's entries of the period by category (reversals against the category
//!   they reverse; deductions as positive amounts taken away), the net total, each with the sum,
//!   the median of the members' totals (members without points count as 0) and 10-point bands
//!   (see [`figures`]).
//! - **deeds**: the deeds of the period (the quarter they happened in, as `GET /deeds?year=&
//!   quarter=` lists them) by where they stand now.
//! - **review time**: from a deed's submission to its first decision (approved, rejected or
//!   returned; a withdrawal is not a decision), over the deeds whose first decision fell in the
//!   period: how many, the median and the nearest-rank 90th percentile, in hours.
//! - **meetings**: the unit's branches' meetings closed so far that started in the period; the
//!   attendance is those present (on site or remotely) out of those expected, leave granted
//!   counting as neither. Absent when no meeting was held.
//! - **feedback**: received in the period, and of those how many are handled now (accepted or
//!   dismissed).
//! - **under alert**: members whose year total up to the end of the period (so far, for the
//!   quarter running) is below their branch's alert line, drawn by the branch's setting as the
//!   alerts draw it.

mod decisions;
mod figures;
mod gather;
mod kept;
mod period;
mod tree;

use chrono::{DateTime, Utc};
use jifen_shared::api::{OrgStats, UnitFigures};
use jifen_shared::domain::{CycleQuarter, OrgKind};
use sea_orm::ConnectionTrait;

pub use decisions::{first_decisions, FirstDecision};
pub use gather::BRANCHES_PER_QUERY;
pub use kept::KeptBranches;
pub use period::Period;

use crate::error::{AppError, AppResult, Missing};
use crate::services::access::{overseen_unit, Access};

/// The figures of each branch among `branch_ids` in `period`, in the order given (ids that are
/// not branches are left out). One set of grouped queries for each [`BRANCHES_PER_QUERY`] of
/// them, so a county's hundreds of branches cost no more round trips than one. No access check:
/// the caller has one.
pub async fn branch_figures(
    db: &impl ConnectionTrait,
    branch_ids: &[String],
    period: &Period,
) -> AppResult<Vec<UnitFigures>> {
    let mut out = Vec::with_capacity(branch_ids.len());
    for chunk in branch_ids.chunks(BRANCHES_PER_QUERY) {
        let branches = tree::branches(db, chunk).await?;
        for b in gather::gather(db, branches, period, false).await? {
            out.push(figures::unit(&b.unit, &[&b], period)?);
        }
    }
    Ok(out)
}

/// `GET /orgs/{id}/stats`: the unit, each unit directly below it, a branch's members, and the
/// year's quarters up to the current one, for those who oversee the unit; from the branches'
/// records `kept` where current.
pub async fn org_stats(
    db: &impl ConnectionTrait,
    kept: &KeptBranches,
    access: &Access,
    unit_id: &str,
    period: Period,
    now: DateTime<Utc>,
) -> AppResult<OrgStats> {
    let unit = overseen_unit(db, access, unit_id).await?;
    // Party groups sit inside a branch and migrant organisations' members keep their points at
    // home: neither has figures of its own.
    if !tree::counted(unit.kind()?) {
        return Err(AppError::NotFound(Missing::OrgUnit));
    }
    let layout = tree::layout(db, &unit).await?;
    let is_branch = unit.kind()? == OrgKind::Branch;
    let raw = kept.gather(db, layout.branches, &period, is_branch).await?;
    let all: Vec<&gather::BranchRaw> = raw.iter().map(|b| &**b).collect();
    let children = layout
        .children
        .iter()
        .map(|(child, at)| {
            let theirs: Vec<&gather::BranchRaw> = at.iter().map(|&i| &*raw[i]).collect();
            figures::unit(child, &theirs, &period)
        })
        .collect::<AppResult<_>>()?;
    let members = match (is_branch, raw.first()) {
        (true, Some(branch)) => figures::members(branch, &period),
        _ => Vec::new(),
    };
    let current = CycleQuarter::of(now);
    let last = match period.year().cmp(&current.year) {
        std::cmp::Ordering::Less => 4,
        std::cmp::Ordering::Equal => current.quarter,
        std::cmp::Ordering::Greater => 0,
    };
    Ok(OrgStats {
        year: period.year(),
        quarter: period.quarter(),
        unit: figures::unit(&unit, &all, &period)?,
        children,
        members,
        trend: figures::trend(&all, 1..=last),
    })
}
