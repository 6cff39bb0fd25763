//! What a member may see and do where. A role held on an org unit reaches every unit below it
//! (an `org_admin` of a town administers all its branches).

use std::collections::HashSet;

use jifen_shared::domain::{OrgKind, Role};
use sea_orm::sea_query::{Expr, Query};
use sea_orm::{ConnectionTrait, EntityTrait, FromQueryResult};

use crate::entity::{member, org_unit, role_assignment, stored};
use crate::error::{AppError, AppResult, Missing, Refusal};
use crate::infra::ids;
use crate::services::orgs::tree;

/// A member and their role assignments, loaded once per request that needs them.
#[derive(Debug, Clone)]
pub struct Access {
    pub member: member::Model,
    pub grants: Vec<(String, Role)>,
    /// The granted units that are branches, which need no walking down to find deeds.
    branch_grants: HashSet<String>,
}

/// A role assignment with the kind of its unit, read in one query.
#[derive(Debug, FromQueryResult)]
struct GrantRow {
    org_unit_id: String,
    role: String,
    kind: String,
}

impl Access {
    pub async fn load(db: &impl ConnectionTrait, member_id: &str) -> AppResult<Self> {
        let member = load_member(db, member_id).await?;
        let query = Query::select()
            .column((role_assignment::Entity, role_assignment::Column::OrgUnitId))
            .column((role_assignment::Entity, role_assignment::Column::Role))
            .column((org_unit::Entity, org_unit::Column::Kind))
            .from(role_assignment::Entity)
            .inner_join(
                org_unit::Entity,
                Expr::col((org_unit::Entity, org_unit::Column::Id))
                    .equals((role_assignment::Entity, role_assignment::Column::OrgUnitId)),
            )
            .and_where(
                Expr::col((role_assignment::Entity, role_assignment::Column::MemberId))
                    .eq(member_id),
            )
            .to_owned();
        let rows = GrantRow::find_by_statement(db.get_database_backend().build(&query))
            .all(db)
            .await?;
        let branch_grants = rows
            .iter()
            .filter(|g| g.kind == OrgKind::Branch.as_str())
            .map(|g| g.org_unit_id.clone())
            .collect();
        let grants = rows
            .into_iter()
            .map(|g| {
                Ok((
                    stored::role(member_id, &g.org_unit_id, &g.role)?,
                    g.org_unit_id,
                ))
            })
            .map(|r: AppResult<(Role, String)>| r.map(|(role, unit)| (unit, role)))
            .collect::<AppResult<_>>()?;
        Ok(Self {
            member,
            grants,
            branch_grants,
        })
    }

    /// Whether a role granted on `unit` itself passes `test`; answers without a query.
    fn held_on(&self, unit: &str, test: impl Fn(Role) -> bool) -> bool {
        self.grants.iter().any(|(u, r)| u == unit && test(*r))
    }

    pub fn id(&self) -> &str {
        &self.member.id
    }

    /// The roles this member holds over `unit`, directly or through an ancestor.
    pub async fn roles_over(&self, db: &impl ConnectionTrait, unit: &str) -> AppResult<Vec<Role>> {
        if self.grants.is_empty() {
            return Ok(Vec::new());
        }
        let chain = tree::ancestor_ids(db, unit).await?;
        Ok(self
            .grants
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

    /// Every branch whose deeds this member reviews: the branches reviewed directly, then those
    /// beneath the units above branches (see [`tree::beneath`]).
    pub async fn reviewable_branches(&self, db: &impl ConnectionTrait) -> AppResult<Vec<String>> {
        let mut branches = Vec::new();
        let mut seen = HashSet::new();
        let mut above = Vec::new();
        for (unit, _) in self.grants.iter().filter(|(_, r)| r.can_review()) {
            if self.branch_grants.contains(unit) {
                if seen.insert(unit.clone()) {
                    branches.push(unit.clone());
                }
            } else if !above.contains(unit) {
                above.push(unit.clone());
            }
        }
        // Deeds belong to branches; only the units above branches need walking down.
        for u in tree::beneath(db, &above).await? {
            if u.kind == OrgKind::Branch.as_str() && seen.insert(u.id.clone()) {
                branches.push(u.id);
            }
        }
        Ok(branches)
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
