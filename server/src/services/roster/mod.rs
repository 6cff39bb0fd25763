//! The roster (党员名册): who is at home in a branch, kept by its secretary or an administrator
//! above it. Members are listed and searched across a unit's branches ([`list`]), added and
//! edited ([`members`]), moved to another branch ([`transfer`]), marked as having left
//! ([`leave`]), and brought in from a spreadsheet ([`import`], [`template`]).
//!
//! A phone number is optional, an 11-digit mainland mobile, and unique within a branch (the
//! database holds the rule: `member (home_branch_id, phone)`).

pub mod import;
pub mod leave;
pub mod list;
pub mod members;
pub mod scope;
pub mod template;
pub mod transfer;
pub mod usernames;
pub mod views;

use jifen_shared::domain::Role;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter};

use crate::entity::{member, role_assignment};
use crate::error::{AppError, AppResult, Missing, RosterRefusal};
use crate::infra::ids;
use crate::services::access::{managed_branch, Access};

/// A member the caller keeps the roster of (the secretary of their home branch or an
/// administrator above it), with that branch: 404 for a member the caller may not see, 403 for
/// one they see but do not manage.
pub async fn managed_member(
    db: &impl ConnectionTrait,
    access: &Access,
    member_id: &str,
) -> AppResult<(member::Model, crate::entity::org_unit::Model)> {
    let missing = || AppError::NotFound(Missing::Member);
    if !ids::is_valid(member_id) {
        return Err(missing());
    }
    let found = member::Entity::find_by_id(member_id.to_owned())
        .one(db)
        .await?
        .ok_or_else(missing)?;
    let branch = match managed_branch(db, access, &found.home_branch_id).await {
        Err(AppError::NotFound(_)) => Err(missing()),
        other => other,
    }?;
    Ok((found, branch))
}

/// Refuses to move or deactivate a member who still holds an office (committee, secretary,
/// administrator): their roles are revoked first, by whoever grants them, so that no office is
/// left held by someone outside the branch or signed out for good.
pub async fn refuse_office_holder(db: &impl ConnectionTrait, member_id: &str) -> AppResult<()> {
    let offices = role_assignment::Entity::find()
        .filter(role_assignment::Column::MemberId.eq(member_id))
        .filter(role_assignment::Column::Role.ne(Role::Member.as_str()))
        .count(db)
        .await?;
    if offices > 0 {
        return Err(AppError::Roster(RosterRefusal::HoldsOffice));
    }
    Ok(())
}

/// Refuses changes to a member who has left: their record stays as it was when they left.
pub fn refuse_left(m: &member::Model) -> AppResult<()> {
    if m.status()? == jifen_shared::domain::MemberStatus::Transferred {
        return Err(AppError::Roster(RosterRefusal::Left));
    }
    Ok(())
}
