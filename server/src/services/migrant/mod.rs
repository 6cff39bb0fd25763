//! The migrant members' organisation (dual organisational life, 双重组织生活). A member keeps their
//! home branch, which reviews and awards all their points, and may be attached to one migrant
//! members' organisation in the city where they work. That organisation's committee sees its
//! attached members' deeds and co-signs one done in its city ([`attest`]); it sees nothing of the
//! home branch's other members, and the home branch nothing of its other members.

pub mod attach;
pub mod attest;

use jifen_shared::domain::Role;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect};

use crate::entity::member;
use crate::error::AppResult;
use crate::services::access::Access;

/// The units on whose committee the caller sits (committee member or secretary, granted on the
/// unit itself: an administrator above a migrant organisation does not attest for it).
fn committee_units(access: &Access) -> Vec<String> {
    access
        .grants()
        .iter()
        .filter(|(_, r)| matches!(r, Role::Committee | Role::Secretary))
        .map(|(u, _)| u.clone())
        .collect()
}

/// Whether the caller sits on the committee of `unit`.
pub fn sits_on(access: &Access, unit: &str) -> bool {
    committee_units(access).iter().any(|u| u == unit)
}

/// Whether the caller sits on the committee of the migrant organisation `member_id` is attached to.
pub async fn attests_for(
    db: &impl ConnectionTrait,
    access: &Access,
    member_id: &str,
) -> AppResult<bool> {
    if committee_units(access).is_empty() {
        return Ok(false);
    }
    let attached_to: Option<Option<String>> = member::Entity::find_by_id(member_id.to_owned())
        .select_only()
        .column(member::Column::MigrantOrgId)
        .into_tuple()
        .one(db)
        .await?;
    Ok(attached_to
        .flatten()
        .is_some_and(|unit| sits_on(access, &unit)))
}

/// The members attached to the migrant organisations whose committee the caller sits on.
pub async fn attached_members(
    db: &impl ConnectionTrait,
    access: &Access,
) -> AppResult<Vec<String>> {
    let units = committee_units(access);
    if units.is_empty() {
        return Ok(Vec::new());
    }
    Ok(member::Entity::find()
        .select_only()
        .column(member::Column::Id)
        .filter(member::Column::MigrantOrgId.is_in(units))
        .into_tuple()
        .all(db)
        .await?)
}
