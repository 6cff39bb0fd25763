//! Who holds what on a unit, and granting and revoking it.
//!
//! The rule: only a secretary or an org admin grants or revokes, and never a role above their
//! own (member < committee < secretary < org_admin, held on the unit or above it); so a
//! secretary appoints on their branch only, and a town's admin cannot make anyone the county's.
//! Nobody revokes their own highest role over the unit (someone above them, or another holder,
//! does), and a branch's only secretary stays until the successor is appointed: a branch without
//! one could not sign its quarters. Membership itself is the roster's, not a grant. Roles are
//! kept between requests only until one changes (see [`crate::services::access::KeptReach`]),
//! so a change holds from the next request on;
//! the member is told in the inbox. A member given a role loses the invite codes they have not
//! used yet: those took one person, a role holder's take two.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use jifen_shared::api::{GrantRoleRequest, RoleHolder, UnitRoles};
use jifen_shared::domain::{MemberStatus, OrgKind, Role};
use jifen_shared::words::Word;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, ModelTrait, PaginatorTrait, QueryFilter, QueryOrder,
    SqlErr,
};
use serde_json::json;

use super::scope;
use crate::entity::{invite_code, member, org_unit, role_assignment, stored};
use crate::error::{AppError, AppResult, FieldIssue, Missing, OrgRefusal, Refusal};
use crate::infra::db::Db;
use crate::infra::ids;
use crate::services::access::Access;
use crate::services::audit::{self, Event};
use crate::services::orgs::tree;
use crate::services::{notify, orgs};

/// Whether the caller, whose highest role over the unit is `mine`, may revoke `held`.
fn revocable(access: &Access, mine: Role, held: &role_assignment::Model, role: Role) -> bool {
    mine.can_manage()
        && role.rank() <= mine.rank()
        && !(held.member_id == access.id() && role == mine)
}

/// The roles other than membership held on the unit, for anyone holding one over it.
pub async fn list(
    db: &impl ConnectionTrait,
    access: &Access,
    unit_id: &str,
) -> AppResult<UnitRoles> {
    let over = scope::over(db, access, unit_id).await?;
    let rows = role_assignment::Entity::find()
        .filter(role_assignment::Column::OrgUnitId.eq(over.unit.id.as_str()))
        .filter(role_assignment::Column::Role.ne(Role::Member.as_str()))
        .all(db)
        .await?;
    let members: HashMap<String, member::Model> = member::Entity::find()
        .filter(member::Column::Id.is_in(rows.iter().map(|r| r.member_id.clone())))
        .all(db)
        .await?
        .into_iter()
        .map(|m| (m.id.clone(), m))
        .collect();
    let branches: HashMap<String, String> = org_unit::Entity::find()
        .filter(org_unit::Column::Id.is_in(members.values().map(|m| m.home_branch_id.clone())))
        .all(db)
        .await?
        .into_iter()
        .map(|u| (u.id, u.name))
        .collect();
    let mut holders = rows
        .into_iter()
        .map(|r| {
            let role = stored::role(&r.member_id, &r.org_unit_id, &r.role)?;
            let m = members.get(&r.member_id);
            Ok(RoleHolder {
                revocable: revocable(access, over.role, &r, role),
                member_name: m.map(|m| m.name.clone()).unwrap_or_default(),
                home_branch_name: m
                    .and_then(|m| branches.get(&m.home_branch_id).cloned())
                    .unwrap_or_default(),
                id: r.id,
                member_id: r.member_id,
                org_unit_id: r.org_unit_id,
                role,
                granted_at: r.created_at,
            })
        })
        .collect::<AppResult<Vec<_>>>()?;
    holders.sort_by(|a, b| {
        (b.role.rank(), &a.member_name, &a.id).cmp(&(a.role.rank(), &b.member_name, &b.id))
    });
    Ok(UnitRoles {
        org_unit_id: over.unit.id,
        grantable: over.role.grantable(),
        holders,
    })
}

/// Whether the member belongs where the role is held: at home (or attached as a migrant member)
/// in the unit or below it; for a party group, in its branch.
async fn belongs_under(
    db: &impl ConnectionTrait,
    m: &member::Model,
    unit: &org_unit::Model,
) -> AppResult<bool> {
    let anchor = match unit.kind()? {
        OrgKind::Group => unit.parent_id.clone().unwrap_or_else(|| unit.id.clone()),
        _ => unit.id.clone(),
    };
    if tree::ancestor_ids(db, &m.home_branch_id)
        .await?
        .contains(&anchor)
    {
        return Ok(true);
    }
    Ok(match &m.migrant_org_id {
        Some(org) => tree::ancestor_ids(db, org).await?.contains(&anchor),
        None => false,
    })
}

/// What granting gave: the role, and whether it is new (a role held already is not granted
/// again).
pub struct Granted {
    pub holder: RoleHolder,
    pub created: bool,
}

/// Whether `e` is the unique key on (member, unit, role): the same grant made at the same moment.
fn held_already(e: &AppError) -> bool {
    matches!(e, AppError::Db(db) if matches!(db.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))))
}

/// Revokes the member's invite codes not yet used, as they take a role beyond membership: a code
/// issued for a plain member (one person's decision) must not bind a role holder's account,
/// which takes two (see [`crate::services::wechat::invites`]). Audited in the member's branch,
/// where their invites are; nothing is recorded when there was no code.
async fn revoke_open_codes(
    db: &impl ConnectionTrait,
    now: DateTime<Utc>,
    actor: &str,
    grantee: &member::Model,
    role_id: &str,
) -> AppResult<()> {
    let open: Vec<String> = invite_code::Entity::find()
        .filter(invite_code::Column::MemberId.eq(grantee.id.as_str()))
        .filter(invite_code::Column::UsedAt.is_null())
        .filter(invite_code::Column::RevokedAt.is_null())
        .order_by_asc(invite_code::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(|c| c.id)
        .collect();
    if open.is_empty() {
        return Ok(());
    }
    invite_code::Entity::update_many()
        .col_expr(invite_code::Column::RevokedAt, Expr::value(now))
        .filter(invite_code::Column::Id.is_in(open.iter().cloned()))
        .filter(invite_code::Column::UsedAt.is_null())
        .filter(invite_code::Column::RevokedAt.is_null())
        .exec(db)
        .await?;
    audit::record(
        db,
        Event {
            chain_id: &grantee.home_branch_id,
            actor_id: Some(actor),
            action: "wechat.invite_revoked",
            entity_type: "member",
            entity_id: &grantee.id,
            before: None,
            after: Some(json!({"invite_ids": open, "role_assignment_id": role_id})),
            reason: Some("role.granted"),
        },
        now,
    )
    .await
}

/// Grants a role on the unit to a member of it.
pub async fn grant(
    db: &Db,
    now: DateTime<Utc>,
    access: &Access,
    unit_id: &str,
    request: GrantRoleRequest,
) -> AppResult<Granted> {
    if request.role == Role::Member {
        return Err(AppError::Validation(vec![FieldIssue::worded(
            "role",
            "role.membership",
            Word::AdminMembershipNotGranted,
        )]));
    }
    let txn = db.begin_write().await?;
    // Grants and revocations on one unit take turns (on PostgreSQL; SQLite has one writer).
    audit::lock_chain(&*txn, unit_id).await?;
    let over = scope::over(&*txn, access, unit_id).await?;
    if !over.role.can_manage() {
        return Err(AppError::Forbidden(Refusal::Role));
    }
    if request.role.rank() > over.role.rank() {
        return Err(AppError::Forbidden(Refusal::RoleAboveOwn));
    }
    let outside = || {
        AppError::Validation(vec![FieldIssue::worded(
            "member_id",
            "role.member_outside",
            Word::AdminGranteeOutside,
        )])
    };
    if !ids::is_valid(&request.member_id) {
        return Err(outside());
    }
    let grantee = member::Entity::find_by_id(request.member_id.clone())
        .one(&*txn)
        .await?
        .filter(|m| m.status != MemberStatus::Transferred.as_str())
        .ok_or_else(outside)?;
    if !belongs_under(&*txn, &grantee, &over.unit).await? {
        return Err(outside());
    }
    let find = || {
        role_assignment::Entity::find()
            .filter(role_assignment::Column::MemberId.eq(grantee.id.as_str()))
            .filter(role_assignment::Column::OrgUnitId.eq(over.unit.id.as_str()))
            .filter(role_assignment::Column::Role.eq(request.role.as_str()))
    };
    let mut created = find().one(&*txn).await?.is_none();
    if created {
        let granted = orgs::grant_role(
            &*txn,
            &grantee.id,
            &over.unit.id,
            request.role,
            Some(access.id()),
            now,
        )
        .await;
        match granted {
            // Granted by someone else at the same moment: held already, as asked.
            Err(e) if held_already(&e) => created = false,
            other => other?,
        }
    }
    let row = if created {
        let row = find()
            .one(&*txn)
            .await?
            .ok_or_else(|| AppError::Internal(anyhow::anyhow!("the granted role is not there")))?;
        revoke_open_codes(&*txn, now, access.id(), &grantee, &row.id).await?;
        notify::role_changed(&*txn, &grantee.id, true, &over.unit.name, request.role, now).await?;
        txn.commit().await?;
        row
    } else {
        // Read outside the transaction: after a failed insert PostgreSQL takes no more queries in it.
        drop(txn);
        find()
            .one(db.conn())
            .await?
            .ok_or_else(|| AppError::Internal(anyhow::anyhow!("the role held is not there")))?
    };
    let home = org_unit::Entity::find_by_id(grantee.home_branch_id.clone())
        .one(db.conn())
        .await?
        .map(|u| u.name)
        .unwrap_or_default();
    Ok(Granted {
        holder: RoleHolder {
            revocable: revocable(access, over.role, &row, request.role),
            id: row.id,
            member_id: row.member_id,
            member_name: grantee.name,
            home_branch_name: home,
            org_unit_id: row.org_unit_id,
            role: request.role,
            granted_at: row.created_at,
        },
        created,
    })
}

/// Revokes a role (not membership) held on a unit.
pub async fn revoke(db: &Db, now: DateTime<Utc>, access: &Access, id: &str) -> AppResult<()> {
    let missing = || AppError::NotFound(Missing::Role);
    if !ids::is_valid(id) {
        return Err(missing());
    }
    let txn = db.begin_write().await?;
    let held = role_assignment::Entity::find_by_id(id.to_owned())
        .one(&*txn)
        .await?
        .ok_or_else(missing)?;
    // Revocations on one unit take turns, and what is counted below is read after the lock: two
    // secretaries revoked at once must not both go (on PostgreSQL; SQLite has one writer).
    audit::lock_chain(&*txn, &held.org_unit_id).await?;
    let held = role_assignment::Entity::find_by_id(id.to_owned())
        .one(&*txn)
        .await?
        .ok_or_else(missing)?;
    let role = stored::role(&held.member_id, &held.org_unit_id, &held.role)?;
    if role == Role::Member {
        return Err(missing());
    }
    let over = match scope::over(&*txn, access, &held.org_unit_id).await {
        Err(AppError::NotFound(_)) => return Err(missing()),
        other => other?,
    };
    if !over.role.can_manage() {
        return Err(AppError::Forbidden(Refusal::Role));
    }
    if role.rank() > over.role.rank() {
        return Err(AppError::Forbidden(Refusal::RoleAboveOwn));
    }
    if held.member_id == access.id() && role == over.role {
        return Err(AppError::Forbidden(Refusal::OwnHighestRole));
    }
    if role == Role::Secretary && over.unit.kind()? == OrgKind::Branch {
        let secretaries = role_assignment::Entity::find()
            .filter(role_assignment::Column::OrgUnitId.eq(over.unit.id.as_str()))
            .filter(role_assignment::Column::Role.eq(Role::Secretary.as_str()))
            .count(&*txn)
            .await?;
        if secretaries <= 1 {
            return Err(AppError::Organisation(OrgRefusal::LastSecretary));
        }
    }
    let (member_id, unit_id) = (held.member_id.clone(), held.org_unit_id.clone());
    held.delete(&*txn).await?;
    // Who sees what changes: every kept answer goes (see crate::infra::changes).
    crate::infra::changes::touch(&*txn, crate::infra::changes::EVERYTHING).await?;
    audit::record(
        &*txn,
        Event {
            chain_id: &unit_id,
            actor_id: Some(access.id()),
            action: "role.revoked",
            entity_type: "role_assignment",
            entity_id: id,
            before: Some(json!({"member_id": member_id, "org_unit_id": unit_id, "role": role})),
            after: None,
            reason: None,
        },
        now,
    )
    .await?;
    notify::role_changed(&*txn, &member_id, false, &over.unit.name, role, now).await?;
    txn.commit().await?;
    Ok(())
}
