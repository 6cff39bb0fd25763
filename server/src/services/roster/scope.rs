//! Which branches a roster request reaches: a branch itself, or every branch beneath a town or
//! county the caller administers.

use std::collections::HashSet;

use jifen_shared::domain::OrgKind;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};

use crate::entity::org_unit;
use crate::error::{AppError, AppResult, Missing, Refusal};
use crate::infra::ids;
use crate::services::access::{managed_branch, Access};

/// Deepest tree walked; the tree is county → town → branch → group.
const MAX_DEPTH: usize = 8;

/// The unit, if the caller manages it: a branch's secretary or an administrator at or above it.
/// 404 for a unit the caller cannot see, 403 for one they see without managing it.
pub async fn managed_unit(
    db: &impl ConnectionTrait,
    access: &Access,
    unit_id: &str,
) -> AppResult<org_unit::Model> {
    let missing = || AppError::NotFound(Missing::OrgUnit);
    if !ids::is_valid(unit_id) {
        return Err(missing());
    }
    let unit = org_unit::Entity::find_by_id(unit_id.to_owned())
        .one(db)
        .await?
        .ok_or_else(missing)?;
    if unit.kind()? == OrgKind::Branch {
        return managed_branch(db, access, &unit.id).await;
    }
    let roles = access.roles_over(db, &unit.id).await?;
    if roles.is_empty() {
        return Err(missing());
    }
    if !roles.iter().any(|r| r.can_manage()) {
        return Err(AppError::Forbidden(Refusal::Role));
    }
    Ok(unit)
}

/// The branches at or beneath `unit`.
pub async fn branches_beneath(
    db: &impl ConnectionTrait,
    unit: &org_unit::Model,
) -> AppResult<Vec<String>> {
    if unit.kind()? == OrgKind::Branch {
        return Ok(vec![unit.id.clone()]);
    }
    let mut branches = Vec::new();
    let mut seen = HashSet::from([unit.id.clone()]);
    let mut frontier = vec![unit.id.clone()];
    for _ in 0..MAX_DEPTH {
        if frontier.is_empty() {
            break;
        }
        let children = org_unit::Entity::find()
            .filter(org_unit::Column::ParentId.is_in(frontier))
            .all(db)
            .await?;
        frontier = Vec::new();
        for c in children {
            if !seen.insert(c.id.clone()) {
                continue;
            }
            match c.kind()? {
                // Members are at home in branches; the groups beneath a branch hold none.
                OrgKind::Branch => branches.push(c.id),
                OrgKind::County | OrgKind::Town => frontier.push(c.id),
                OrgKind::Group | OrgKind::Migrant => {}
            }
        }
    }
    Ok(branches)
}
