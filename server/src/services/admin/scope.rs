//! Where the caller stands over a unit: their highest role there, held on it or on a unit above
//! it. Administration answers 404 to anyone with no role over the unit who does not belong to
//! it, and 403 to its plain members.

use jifen_shared::domain::Role;
use sea_orm::ConnectionTrait;

use crate::entity::org_unit;
use crate::error::{AppError, AppResult, Missing, Refusal};
use crate::infra::ids;
use crate::services::access::{overseen_unit, Access};
use crate::services::orgs::tree;

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
            .grants()
            .iter()
            .filter(|(u, _)| chain.contains(u))
            .map(|(_, r)| *r),
    )
}

/// The unit, if the caller holds a role other than membership over it (who may see what is
/// [`overseen_unit`]'s to say), with its chain and the caller's highest role there.
pub async fn over(db: &impl ConnectionTrait, access: &Access, unit_id: &str) -> AppResult<Over> {
    if !ids::is_valid(unit_id) {
        return Err(AppError::NotFound(Missing::OrgUnit));
    }
    let unit = overseen_unit(db, access, unit_id).await?;
    let chain = tree::ancestor_ids(db, &unit.id).await?;
    match highest(access, &chain) {
        Some(role) if role != Role::Member => Ok(Over { unit, chain, role }),
        _ => Err(AppError::Forbidden(Refusal::Role)),
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
