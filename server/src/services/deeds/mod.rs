//! Self-reported deeds and their lifecycle: submit, review, withdraw, revise, revoke.

pub mod attested;
pub mod evidence;
pub mod input;
pub mod query;
pub mod registered;
pub mod review;
pub mod submit;
pub mod writer;

use jifen_shared::api::{DeedView, PlaceDto};
use jifen_shared::domain::RuleCategory;
use sea_orm::{ConnectionTrait, EntityTrait};
use serde_json::json;

use crate::entity::{deed, member, point_rule};
use crate::error::{AppError, AppResult, Missing};
use crate::services::access::Access;

/// The wire view of a deed, given the names the list screens show next to it.
pub fn view(d: deed::Model, member_name: String, rule: &point_rule::Model) -> AppResult<DeedView> {
    view_named(d, member_name, rule.name.clone(), rule.category()?)
}

/// The wire view of a deed with its member's name and its rule's name and category.
pub fn view_named(
    d: deed::Model,
    member_name: String,
    rule_name: String,
    category: RuleCategory,
) -> AppResult<DeedView> {
    let registered_by = d.registered_by().map(str::to_owned);
    Ok(DeedView {
        status: d.status()?,
        photo_ids: serde_json::from_str(&d.photo_ids).unwrap_or_default(),
        place: PlaceDto {
            name: d.place_name,
            lat: d.lat,
            lng: d.lng,
        },
        rule_name,
        category,
        id: d.id,
        member_id: d.member_id,
        member_name,
        branch_id: d.branch_id,
        rule_id: d.rule_id,
        title: d.title,
        account: d.account,
        occurred_at: d.occurred_at,
        points_claimed: d.points_claimed,
        points_awarded: d.points_awarded,
        year: d.cycle_year,
        quarter: d.cycle_quarter as u8,
        decision_reason: d.decision_reason,
        rule_version: d.rule_version,
        client_request_id: d.client_request_id,
        created_at: d.created_at,
        updated_at: d.updated_at,
        // Names and co-signatures are filled in by `attested::annotate`.
        registered_by,
        registered_by_name: None,
        attestations: Vec::new(),
        // Filled in for reviewers by `evidence::of` on the one-deed view.
        evidence: None,
    })
}

/// Loads one deed's view with its member's and rule's names.
pub async fn view_one(db: &impl ConnectionTrait, d: deed::Model) -> AppResult<DeedView> {
    let mut one = [view_bare(db, d).await?];
    attested::annotate(db, &mut one).await?;
    let [view] = one;
    Ok(view)
}

/// One deed's view with its member's and rule's names only.
async fn view_bare(db: &impl ConnectionTrait, d: deed::Model) -> AppResult<DeedView> {
    let name = member::Entity::find_by_id(d.member_id.clone())
        .one(db)
        .await?
        .map(|m| m.name)
        .unwrap_or_default();
    let rule = point_rule::Entity::find_by_id(d.rule_id.clone())
        .one(db)
        .await?
        .ok_or_else(|| {
            AppError::Internal(anyhow::anyhow!("deed {}: rule {} missing", d.id, d.rule_id))
        })?;
    view(d, name, &rule)
}

/// How the caller stands to a deed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Standing {
    pub owner: bool,
    pub reviewer: bool,
    /// Registered the deed for its member (登记建账): may revise or withdraw it, never decide it.
    pub registrar: bool,
    /// Sits on the committee of the migrant members' organisation the member is attached to.
    pub attestor: bool,
}

/// Loads a deed the caller may see: their own, or one of a branch they review. Anything else is
/// answered as if it did not exist.
pub async fn visible(
    db: &impl ConnectionTrait,
    access: &Access,
    id: &str,
) -> AppResult<(deed::Model, Standing)> {
    let not_found = AppError::NotFound(Missing::Deed);
    if !crate::infra::ids::is_valid(id) {
        return Err(not_found);
    }
    let d = deed::Entity::find_by_id(id.to_owned())
        .one(db)
        .await?
        .ok_or(not_found)?;
    let mut standing = Standing {
        owner: d.member_id == access.id(),
        reviewer: access.can_review(db, &d.branch_id).await?,
        registrar: d.registered_by() == Some(access.id()),
        attestor: false,
    };
    if !standing.owner && !standing.reviewer && !standing.registrar {
        standing.attestor = crate::services::migrant::attests_for(db, access, &d.member_id).await?;
    }
    if !standing.owner && !standing.reviewer && !standing.registrar && !standing.attestor {
        return Err(AppError::NotFound(Missing::Deed));
    }
    Ok((d, standing))
}

/// The fields of a deed that its audit events record before and after a change.
pub fn snapshot(d: &deed::Model) -> serde_json::Value {
    json!({
        "status": d.status,
        "rule_id": d.rule_id,
        "title": d.title,
        "account": d.account,
        "occurred_at": d.occurred_at,
        "place_name": d.place_name,
        "lat": d.lat,
        "lng": d.lng,
        "photo_ids": d.photo_ids,
        "points_claimed": d.points_claimed,
        "points_awarded": d.points_awarded,
    })
}
