//! An administrator above a branch sets its stars for a year, with a reason
//! (`POST /orgs/{id}/ratings/adjustments`). The branch's own committee cannot: the rating is the
//! higher level's judgement. A newer adjustment replaces the older; the audit history in the
//! branch's chain keeps each one with the stars before and after.

use chrono::{DateTime, Utc};
use jifen_shared::api::{BranchRating, RatingAdjustment};
use jifen_shared::domain::Reason;
use jifen_shared::words::Word;
use sea_orm::sea_query::OnConflict;
use sea_orm::{ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter};
use serde_json::json;

use super::rating::{self, one_beneath};
use crate::entity::rating_adjustment;
use crate::error::{AppError, AppResult, FieldIssue, Missing, Refusal};
use crate::infra::db::Db;
use crate::infra::ids;
use crate::services::access::{overseen_unit, Access};
use crate::services::audit::{self, Event};
use crate::services::stats::Period;

/// What the administrator decided for one branch's year.
pub struct Adjustment<'a> {
    pub branch_id: &'a str,
    pub year: Period,
    pub stars: i32,
    pub reason: Reason,
}

/// Records the adjustment and answers the branch's rating with it.
pub async fn adjust(
    db: &Db,
    now: DateTime<Utc>,
    access: &Access,
    unit_id: &str,
    change: Adjustment<'_>,
) -> AppResult<BranchRating> {
    let Adjustment {
        branch_id,
        year,
        stars,
        reason,
    } = change;
    let conn = db.conn();
    let unit = overseen_unit(conn, access, unit_id).await?;
    let rated = one_beneath(conn, access, &unit, branch_id)
        .await?
        .ok_or(AppError::NotFound(Missing::OrgUnit))?;
    if !rated.may_adjust {
        return Err(AppError::Forbidden(Refusal::Role));
    }
    let max = rated.applied.scheme.max_stars();
    if !(0..=i32::from(max)).contains(&stars) {
        return Err(AppError::Validation(vec![FieldIssue::filled(
            "stars",
            "rating.out_of_range",
            Word::SettingsOutOfRange,
            &[("min", &0), ("max", &max)],
        )]));
    }
    let branch_id = rated.branch.id.clone();
    // The figures are read before the write begins, to keep the write short.
    let mut out = rating::rate(conn, vec![rated], year, now)
        .await?
        .pop()
        .ok_or(AppError::NotFound(Missing::OrgUnit))?;
    let computed = out.computed_stars;
    let txn = db.begin_write().await?;
    audit::lock_chain(&*txn, &branch_id).await?;
    let before = rating_adjustment::Entity::find()
        .filter(rating_adjustment::Column::BranchId.eq(branch_id.as_str()))
        .filter(rating_adjustment::Column::CycleYear.eq(year.year()))
        .one(&*txn)
        .await?;
    let id = before
        .as_ref()
        .map(|b| b.id.clone())
        .unwrap_or_else(ids::new);
    rating_adjustment::Entity::insert(rating_adjustment::ActiveModel {
        id: Set(id.clone()),
        branch_id: Set(branch_id.clone()),
        cycle_year: Set(year.year()),
        stars: Set(stars as i16),
        computed_stars: Set(i16::from(computed)),
        reason: Set(reason.as_str().to_owned()),
        adjusted_by: Set(access.id().to_owned()),
        adjusted_at: Set(now),
    })
    .on_conflict(
        OnConflict::columns([
            rating_adjustment::Column::BranchId,
            rating_adjustment::Column::CycleYear,
        ])
        .update_columns([
            rating_adjustment::Column::Stars,
            rating_adjustment::Column::ComputedStars,
            rating_adjustment::Column::Reason,
            rating_adjustment::Column::AdjustedBy,
            rating_adjustment::Column::AdjustedAt,
        ])
        .to_owned(),
    )
    .exec(&*txn)
    .await?;
    let stars_before = before
        .as_ref()
        .map_or(i32::from(computed), |b| i32::from(b.stars));
    audit::record(
        &*txn,
        Event {
            chain_id: &branch_id,
            actor_id: Some(access.id()),
            action: "rating.adjusted",
            entity_type: "rating_adjustment",
            entity_id: &id,
            before: Some(json!({
                "year": year.year(),
                "stars": stars_before,
                "adjusted": before.is_some(),
            })),
            after: Some(json!({
                "year": year.year(),
                "stars": stars,
                "computed_stars": computed,
            })),
            reason: Some(reason.as_str()),
        },
        now,
    )
    .await?;
    txn.commit().await?;
    out.stars = stars as u8;
    out.adjustment = Some(RatingAdjustment {
        stars: stars as u8,
        computed_stars: computed,
        reason: reason.as_str().to_owned(),
        adjusted_by: access.id().to_owned(),
        adjusted_by_name: access.member.name.clone(),
        adjusted_at: now,
    });
    Ok(out)
}
