//! Reading and changing a unit's rating rules (`GET|PUT /orgs/{id}/rating-rules`). Those who
//! oversee a unit read the rules that apply there; an administrator of a unit above the branches
//! (or of one above it) replaces its rules as a whole. Every change is audited in the unit's chain.

use chrono::{DateTime, Utc};
use jifen_shared::api::{RatingRules, RatingRulesView};
use jifen_shared::domain::{OrgKind, Role};
use sea_orm::sea_query::OnConflict;
use sea_orm::{ActiveValue::Set, ConnectionTrait, EntityTrait};

use super::scheme::Scheme;
use super::tree::{self, Applied};
use crate::entity::{member, org_unit, rating_rules};
use crate::error::{AppError, AppResult, Refusal};
use crate::infra::db::Db;
use crate::services::access::{overseen_unit, Access};
use crate::services::audit::{self, Event};

/// Only units above the branches set rules: towns and counties.
fn sets_rules(kind: OrgKind) -> bool {
    matches!(kind, OrgKind::County | OrgKind::Town)
}

async fn is_admin_over(
    db: &impl ConnectionTrait,
    access: &Access,
    unit: &org_unit::Model,
) -> AppResult<bool> {
    Ok(access
        .roles_over(db, &unit.id)
        .await?
        .contains(&Role::OrgAdmin))
}

async fn view(
    db: &impl ConnectionTrait,
    unit: &org_unit::Model,
    applied: Applied,
    editable: bool,
) -> AppResult<RatingRulesView> {
    let updated_by_name = match &applied.source {
        Some(s) => member::Entity::find_by_id(s.updated_by.clone())
            .one(db)
            .await?
            .map(|m| m.name),
        None => None,
    };
    Ok(RatingRulesView {
        org_unit_id: unit.id.clone(),
        org_unit_name: unit.name.clone(),
        kind: unit.kind()?,
        max_stars: applied.scheme.max_stars(),
        source_org_unit_id: applied.source.as_ref().map(|s| s.org_unit_id.clone()),
        source_org_unit_name: applied.source.as_ref().map(|s| s.org_unit_name.clone()),
        updated_at: applied.source.as_ref().map(|s| s.updated_at),
        updated_by_name,
        rules: applied.rules,
        editable,
    })
}

/// The rules that apply at `unit_id`, for those who oversee it (a branch's committee reads the
/// rules its branch is rated by).
pub async fn get(
    db: &impl ConnectionTrait,
    access: &Access,
    unit_id: &str,
) -> AppResult<RatingRulesView> {
    let unit = overseen_unit(db, access, unit_id).await?;
    let chain = tree::chain(db, &unit).await?;
    let applied = tree::applied_at(db, &chain).await?;
    let editable = sets_rules(unit.kind()?) && is_admin_over(db, access, &unit).await?;
    view(db, &unit, applied, editable).await
}

/// Replaces the unit's rules (an administrator of it or above; towns and counties only),
/// validated whole. Audited in the unit's chain with the rules before and after.
pub async fn put(
    db: &Db,
    now: DateTime<Utc>,
    access: &Access,
    unit_id: &str,
    rules: RatingRules,
) -> AppResult<RatingRulesView> {
    let conn = db.conn();
    let unit = overseen_unit(conn, access, unit_id).await?;
    if !is_admin_over(conn, access, &unit).await? {
        return Err(AppError::Forbidden(Refusal::Role));
    }
    if !sets_rules(unit.kind()?) {
        return Err(AppError::RatingRulesNotHere);
    }
    Scheme::parse(&rules).map_err(AppError::Validation)?;
    let txn = db.begin_write().await?;
    audit::lock_chain(&*txn, &unit.id).await?;
    let chain = tree::chain(&*txn, &unit).await?;
    let before = tree::applied_at(&*txn, &chain).await?;
    let own_before = before
        .source
        .as_ref()
        .is_some_and(|s| s.org_unit_id == unit.id)
        .then(|| before.rules.clone());
    let text = serde_json::to_string(&rules).map_err(anyhow::Error::from)?;
    rating_rules::Entity::insert(rating_rules::ActiveModel {
        org_unit_id: Set(unit.id.clone()),
        rules: Set(text),
        updated_at: Set(now),
        updated_by: Set(access.id().to_owned()),
    })
    .on_conflict(
        OnConflict::column(rating_rules::Column::OrgUnitId)
            .update_columns([
                rating_rules::Column::Rules,
                rating_rules::Column::UpdatedAt,
                rating_rules::Column::UpdatedBy,
            ])
            .to_owned(),
    )
    .exec(&*txn)
    .await?;
    audit::record(
        &*txn,
        Event {
            chain_id: &unit.id,
            actor_id: Some(access.id()),
            action: "rating_rules.changed",
            entity_type: "org_unit",
            entity_id: &unit.id,
            before: own_before
                .map(|r| serde_json::to_value(r).map_err(anyhow::Error::from))
                .transpose()?,
            after: Some(serde_json::to_value(&rules).map_err(anyhow::Error::from)?),
            reason: None,
        },
        now,
    )
    .await?;
    let applied = tree::applied_at(&*txn, &chain).await?;
    let out = view(&*txn, &unit, applied, true).await?;
    txn.commit().await?;
    Ok(out)
}
