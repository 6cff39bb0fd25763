//! What a member may see and do where. A role held on an org unit reaches every unit below it
//! (an `org_admin` of a town administers all its branches).

use std::sync::Arc;

use jifen_shared::domain::{OrgKind, Role};
use sea_orm::{ConnectionTrait, EntityTrait};

use crate::entity::{member, org_unit};
use crate::error::{AppError, AppResult, Missing, Refusal};
use crate::infra::ids;
use crate::services::orgs::tree;

mod reach;

pub use reach::{KeptReach, Reach};

/// A member and what their roles reach, loaded once per request that needs them.
#[derive(Debug, Clone)]
pub struct Access {
    pub member: member::Model,
    reach: Arc<Reach>,
}

impl Access {
    /// The member and their grants, read now.
    pub async fn load(db: &impl ConnectionTrait, member_id: &str) -> AppResult<Self> {
        let member = load_member(db, member_id).await?;
        let reach = Arc::new(Reach::load(db, member_id).await?);
        Ok(Self { member, reach })
    }

    /// The member read now, their reach as kept (see [`KeptReach`]).
    pub async fn load_kept(
        db: &impl ConnectionTrait,
        kept: &KeptReach,
        member_id: &str,
    ) -> AppResult<Self> {
        let member = load_member(db, member_id).await?;
        let reach = kept.of(db, member_id).await?;
        Ok(Self { member, reach })
    }

    /// What this member's roles reach.
    pub fn reach(&self) -> &Reach {
        &self.reach
    }

    /// Every role this member holds, with the unit it is held on.
    pub fn grants(&self) -> &[(String, Role)] {
        &self.reach.grants
    }

    /// Whether a role granted on `unit` itself passes `test`; answers without a query.
    fn held_on(&self, unit: &str, test: impl Fn(Role) -> bool) -> bool {
        self.grants().iter().any(|(u, r)| u == unit && test(*r))
    }

    pub fn id(&self) -> &str {
        &self.member.id
    }

    /// The roles this member holds over `unit`, directly or through an ancestor.
    pub async fn roles_over(&self, db: &impl ConnectionTrait, unit: &str) -> AppResult<Vec<Role>> {
        if self.grants().is_empty() {
            return Ok(Vec::new());
        }
        let chain = tree::ancestor_ids(db, unit).await?;
        Ok(self
            .grants()
            .iter()
            .filter(|(u, _)| chain.contains(u))
            .map(|(_, r)| *r)
            .collect())
    }

    pub async fn can_review(&self, db: &impl ConnectionTrait, branch: &str) -> AppResult<bool> {
        if self.held_on(branch, Role::can_review) {
            return Ok(true);
        }
        Ok(self
            .roles_over(db, branch)
            .await?
            .iter()
            .any(|r| r.can_review()))
    }

    pub async fn can_manage(&self, db: &impl ConnectionTrait, branch: &str) -> AppResult<bool> {
        if self.held_on(branch, Role::can_manage) {
            return Ok(true);
        }
        Ok(self
            .roles_over(db, branch)
            .await?
            .iter()
            .any(|r| r.can_manage()))
    }

    /// Whether the member may see `branch` at all (belongs to it or holds a role over it).
    pub async fn can_see(&self, db: &impl ConnectionTrait, branch: &str) -> AppResult<bool> {
        if self.member.home_branch_id == branch
            || self.member.migrant_org_id.as_deref() == Some(branch)
        {
            return Ok(true);
        }
        Ok(!self.roles_over(db, branch).await?.is_empty())
    }

    /// Every branch whose deeds this member reviews (see [`Reach::reviewable_branches`]).
    pub async fn reviewable_branches(&self, db: &impl ConnectionTrait) -> AppResult<Vec<String>> {
        self.reach.reviewable_branches(db).await
    }
}

/// The signed-in member alone, for requests that need no roles. A valid token for a member that
/// no longer exists is treated as not signed in.
pub async fn load_member(db: &impl ConnectionTrait, member_id: &str) -> AppResult<member::Model> {
    member::Entity::find_by_id(member_id.to_owned())
        .one(db)
        .await?
        .ok_or(AppError::Unauthorized(
            crate::error::AuthFailure::InvalidToken,
        ))
}

/// Looks up a branch, answering 404 when it does not exist or the member may not see it.
pub async fn visible_branch(
    db: &impl ConnectionTrait,
    access: &Access,
    branch_id: &str,
) -> AppResult<org_unit::Model> {
    let unit = org_unit::Entity::find_by_id(branch_id.to_owned())
        .one(db)
        .await?
        .filter(|u| u.kind == OrgKind::Branch.as_str())
        .ok_or(AppError::NotFound(Missing::OrgUnit))?;
    if !access.can_see(db, &unit.id).await? {
        return Err(AppError::NotFound(Missing::OrgUnit));
    }
    Ok(unit)
}

/// The branch, if the caller reviews it: its committee, its secretary or an administrator above
/// it; 403 for anyone else who can see it, 404 for those who cannot.
pub async fn reviewed_branch(
    db: &impl ConnectionTrait,
    access: &Access,
    branch_id: &str,
) -> AppResult<org_unit::Model> {
    let branch = visible_branch(db, access, branch_id).await?;
    if !access.can_review(db, &branch.id).await? {
        return Err(AppError::Forbidden(Refusal::Role));
    }
    Ok(branch)
}

/// The branch, if the caller manages it: its secretary or an administrator above it.
pub async fn managed_branch(
    db: &impl ConnectionTrait,
    access: &Access,
    branch_id: &str,
) -> AppResult<org_unit::Model> {
    let branch = visible_branch(db, access, branch_id).await?;
    if !access.can_manage(db, &branch.id).await? {
        return Err(AppError::Forbidden(Refusal::Role));
    }
    Ok(branch)
}

/// The branch, if the caller is its secretary, who alone signs for it.
pub async fn secretary_of(
    db: &impl ConnectionTrait,
    access: &Access,
    branch_id: &str,
) -> AppResult<org_unit::Model> {
    let branch = visible_branch(db, access, branch_id).await?;
    if !access
        .roles_over(db, &branch.id)
        .await?
        .contains(&Role::Secretary)
    {
        return Err(AppError::Forbidden(Refusal::Role));
    }
    Ok(branch)
}

/// A unit of any kind (a branch, a town, a county, a migrant organisation) if the caller oversees
/// it: holds a reviewing role (committee, secretary, org admin) on it or on a unit above it. A
/// plain member of the unit gets 403; to anyone else the unit does not exist (404).
pub async fn overseen_unit(
    db: &impl ConnectionTrait,
    access: &Access,
    unit_id: &str,
) -> AppResult<org_unit::Model> {
    let unit = org_unit::Entity::find_by_id(unit_id.to_owned())
        .one(db)
        .await?
        .ok_or(AppError::NotFound(Missing::OrgUnit))?;
    if access
        .roles_over(db, &unit.id)
        .await?
        .iter()
        .any(|r| r.can_review())
    {
        return Ok(unit);
    }
    if access.can_see(db, &unit.id).await? {
        return Err(AppError::Forbidden(Refusal::Role));
    }
    Err(AppError::NotFound(Missing::OrgUnit))
}

/// A unit of any kind if the caller manages it: a branch's secretary or an administrator at or
/// above it (for a branch, as [`managed_branch`]). 404 for a unit the caller cannot see, 403 for
/// one they see without managing it.
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
