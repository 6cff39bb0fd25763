//! Where the caller stands over a unit: their highest role there, held on it or on a unit above
//! it. Administration answers 404 to anyone with no role over the unit who does not belong to
//! it, and 403 to its plain members.

use jifen_shared::domain::Role;
use sea_orm::{ConnectionTrait, EntityTrait};

use super::tree;
use crate::entity::org_unit;
use crate::error::{AppError, AppResult, Missing, Refusal};
use crate::infra::ids;
use crate::services::access::Access;

/// A unit and the caller's place over it.
pub struct Over {
    pub unit: org_unit::Model,
    /// The unit's id and those of the units above it, nearest first.
    pub chain: Vec<String>,
    /// The caller's highest role over the unit (never `member`).
    pub role: Role,
}

/// The caller's highest role over the unit whose `chain` this is.
pub fn highest(access: &Access, chain: &[String]) -> Option<Role> {
    Role::highest(
        access
            .grants
            .iter()
            .filter(|(u, _)| chain.contains(u))
            .map(|(_, r)| *r),
    )
}

/// The unit, if the caller holds a role other than membership over it.
pub async fn over(db: &impl ConnectionTrait, access: &Access, unit_id: &str) -> AppResult<Over> {
    let missing = || AppError::NotFound(Missing::OrgUnit);
    if !ids::is_valid(unit_id) {
        return Err(missing());
    }
    let unit = org_unit::Entity::find_by_id(unit_id.to_owned())
        .one(db)
        .await?
        .ok_or_else(missing)?;
    let chain = tree::ancestors(db, &unit.id).await?;
    match highest(access, &chain) {
        Some(role) if role != Role::Member => Ok(Over { unit, chain, role }),
        Some(_) => Err(AppError::Forbidden(Refusal::Role)),
        None if access.member.home_branch_id == unit.id
            || access.member.migrant_org_id.as_deref() == Some(unit.id.as_str()) =>
        {
            Err(AppError::Forbidden(Refusal::Role))
        }
        None => Err(missing()),
    }
}

/// The unit, if the caller administers it (an org admin on it or above it).
pub async fn administered(
    db: &impl ConnectionTrait,
    access: &Access,
    unit_id: &str,
) -> AppResult<Over> {
    let over = over(db, access, unit_id).await?;
    if over.role != Role::OrgAdmin {
        return Err(AppError::Forbidden(Refusal::Role));
    }
    Ok(over)
}
