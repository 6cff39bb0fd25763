//! The year's ratings of the branches a unit stands for (`GET /orgs/{id}/ratings?year=`): each
//! branch's computed stars with every indicator's figure, threshold and numbers, and the
//! adjustment that counts instead, if an administrator made one.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use jifen_shared::api::{BranchRating, RatingAdjustment, RatingsView};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};

use super::tree::{self, Rated};
use super::{facts, score};
use crate::entity::{member, org_unit, rating_adjustment};
use crate::error::AppResult;
use crate::services::access::{overseen_unit, Access};
use crate::services::stats::Period;

/// The ratings of `unit_id`'s branches for `year`, for those who oversee it.
pub async fn of_unit(
    db: &impl ConnectionTrait,
    access: &Access,
    unit_id: &str,
    year: Period,
    now: DateTime<Utc>,
) -> AppResult<RatingsView> {
    let unit = overseen_unit(db, access, unit_id).await?;
    let chain = tree::chain(db, &unit).await?;
    let rated = tree::branches(db, access, &chain).await?;
    Ok(RatingsView {
        org_unit_id: unit.id.clone(),
        org_unit_name: unit.name.clone(),
        kind: unit.kind()?,
        year: year.year(),
        branches: rate(db, rated, year, now).await?,
    })
}

/// The ratings of `rated` for `year`, in their order.
pub async fn rate(
    db: &impl ConnectionTrait,
    rated: Vec<Rated>,
    year: Period,
    now: DateTime<Utc>,
) -> AppResult<Vec<BranchRating>> {
    let ids: Vec<String> = rated.iter().map(|r| r.branch.id.clone()).collect();
    let mut facts = facts::of_branches(db, &ids, year).await?;
    let adjustments = adjustments(db, &ids, year.year()).await?;
    let mut out = Vec::with_capacity(rated.len());
    for r in rated {
        let branch_facts = facts.remove(&r.branch.id).unwrap_or_default();
        let indicators = score::rate(&r.applied.scheme, &branch_facts, year.year(), now);
        let computed_stars = score::stars(&indicators);
        let adjustment = adjustments.get(&r.branch.id).cloned();
        let source = r.applied.source.as_ref();
        out.push(BranchRating {
            stars: adjustment
                .as_ref()
                .map(|a| a.stars)
                .unwrap_or(computed_stars),
            branch_id: r.branch.id,
            branch_name: r.branch.name,
            parent_id: r.parent.as_ref().map(|p| p.id.clone()),
            parent_name: r.parent.map(|p| p.name),
            rules_from_id: source.map(|s| s.org_unit_id.clone()),
            rules_from_name: source.map(|s| s.org_unit_name.clone()),
            max_stars: r.applied.scheme.max_stars(),
            computed_stars,
            indicators,
            adjustment,
            may_adjust: r.may_adjust,
        });
    }
    Ok(out)
}

/// The adjustments of `year` for `branch_ids`, by branch, with who made them.
async fn adjustments(
    db: &impl ConnectionTrait,
    branch_ids: &[String],
    year: i32,
) -> AppResult<HashMap<String, RatingAdjustment>> {
    let mut rows = Vec::new();
    for chunk in branch_ids.chunks(500) {
        rows.extend(
            rating_adjustment::Entity::find()
                .filter(rating_adjustment::Column::BranchId.is_in(chunk.iter().cloned()))
                .filter(rating_adjustment::Column::CycleYear.eq(year))
                .all(db)
                .await?,
        );
    }
    let names: HashMap<String, String> = member::Entity::find()
        .filter(member::Column::Id.is_in(rows.iter().map(|r| r.adjusted_by.clone())))
        .all(db)
        .await?
        .into_iter()
        .map(|m| (m.id, m.name))
        .collect();
    Ok(rows
        .into_iter()
        .map(|r| {
            let adjustment = RatingAdjustment {
                stars: r.stars.clamp(0, i16::from(u8::MAX)) as u8,
                computed_stars: r.computed_stars.clamp(0, i16::from(u8::MAX)) as u8,
                reason: r.reason,
                adjusted_by_name: names.get(&r.adjusted_by).cloned().unwrap_or_default(),
                adjusted_by: r.adjusted_by,
                adjusted_at: r.adjusted_at,
            };
            (r.branch_id, adjustment)
        })
        .collect())
}

/// `branch_id` as rated from `unit`: the unit itself when it is that branch, else a branch
/// beneath it. `None` when the branch is not there.
pub async fn one_beneath(
    db: &impl ConnectionTrait,
    access: &Access,
    unit: &org_unit::Model,
    branch_id: &str,
) -> AppResult<Option<Rated>> {
    let Some(branch) = org_unit::Entity::find_by_id(branch_id.to_owned())
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    let chain = tree::chain(db, &branch).await?;
    if !chain.iter().any(|u| u.id == unit.id) {
        return Ok(None);
    }
    let mut rated = tree::branches(db, access, &chain).await?;
    Ok((rated.len() == 1 && rated[0].branch.id == branch.id).then(|| rated.remove(0)))
}
