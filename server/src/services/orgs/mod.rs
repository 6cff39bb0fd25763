//! Organisations, members and role grants: what `jifen admin` and the demo seed create; and
//! walking the organisation tree ([`tree`]).

pub mod tree;

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use jifen_shared::api::{MeResponse, RoleGrant};
use jifen_shared::domain::{MemberStatus, OrgKind, Role};
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, SqlErr};
use serde_json::json;

use crate::entity::{member, org_unit, role_assignment};
use crate::error::{AppError, AppResult, Missing};
use crate::infra::ids;
use crate::services::access::Access;
use crate::services::audit::{self, Event};

/// Creates an org unit under `parent` (none for a top-level county).
pub async fn create_org(
    db: &impl ConnectionTrait,
    parent_id: Option<&str>,
    kind: OrgKind,
    name: &str,
    code: Option<&str>,
    now: DateTime<Utc>,
) -> AppResult<org_unit::Model> {
    let name = jifen_shared::domain::RuleName::parse(name)
        .map_err(|e| AppError::field("name", &e))?
        .into_inner();
    // The same codes as the app's administration takes: never one another unit has or had.
    let code = code
        .map(|c| jifen_shared::domain::OrgCode::parse(c).map_err(|e| AppError::field("code", &e)))
        .transpose()?;
    if let Some(c) = &code {
        crate::services::admin::codes::ensure_free(db, c, None).await?;
    }
    if let Some(p) = parent_id {
        org_unit::Entity::find_by_id(p.to_owned())
            .one(db)
            .await?
            .ok_or(AppError::NotFound(Missing::OrgUnit))?;
    }
    let row = org_unit::Model {
        id: ids::new(),
        parent_id: parent_id.map(str::to_owned),
        kind: kind.as_str().to_owned(),
        name,
        code: code.map(jifen_shared::domain::OrgCode::into_inner),
        created_at: now,
    };
    insert_unit(db, &row, None, now).await?;
    Ok(row)
}

/// Writes a new unit and its chain's first event; the one writer of new org units (the
/// administration's and `jifen admin`'s). A unique-key failure on the code is someone else taking
/// it at the same moment.
pub async fn insert_unit(
    db: &impl ConnectionTrait,
    row: &org_unit::Model,
    actor: Option<&str>,
    now: DateTime<Utc>,
) -> AppResult<()> {
    org_unit::Entity::insert(org_unit::ActiveModel::from(row.clone()))
        .exec(db)
        .await
        .map_err(code_race)?;
    // Who reviews which branches follows the tree: a town committee's kept reach grows (see
    // crate::services::access::KeptReach), so every kept answer goes.
    crate::infra::changes::touch(db, crate::infra::changes::EVERYTHING).await?;
    audit::record(
        db,
        Event {
            chain_id: &row.id,
            actor_id: actor,
            action: "org_unit.created",
            entity_type: "org_unit",
            entity_id: &row.id,
            before: None,
            after: Some(
                json!({"parent_id": row.parent_id, "kind": row.kind, "name": row.name, "code": row.code}),
            ),
            reason: None,
        },
        now,
    )
    .await
}

/// A unique-key failure on a unit's code is someone else taking it at the same moment.
pub(crate) fn code_race(e: sea_orm::DbErr) -> AppError {
    match e.sql_err() {
        Some(SqlErr::UniqueConstraintViolation(_)) => {
            AppError::Organisation(crate::error::OrgRefusal::CodeTaken)
        }
        _ => e.into(),
    }
}

/// Looks an org unit up by id or by public code.
pub async fn find_org(db: &impl ConnectionTrait, id_or_code: &str) -> AppResult<org_unit::Model> {
    let by_id = if ids::is_valid(id_or_code) {
        org_unit::Entity::find_by_id(id_or_code.to_owned())
            .one(db)
            .await?
    } else {
        None
    };
    match by_id {
        Some(u) => Ok(u),
        None => org_unit::Entity::find()
            .filter(org_unit::Column::Code.eq(id_or_code))
            .one(db)
            .await?
            .ok_or(AppError::NotFound(Missing::OrgUnit)),
    }
}

pub struct NewMember<'a> {
    pub branch_id: &'a str,
    pub name: &'a str,
    pub username: &'a str,
    /// An argon2id hash, never the password.
    pub password_hash: Option<String>,
    pub status: MemberStatus,
    pub migrant_org_id: Option<&'a str>,
}

/// Adds a member to their home branch (with the `member` role there, and their share of the
/// base points of a year the branch has open).
pub async fn add_member(
    db: &impl ConnectionTrait,
    m: NewMember<'_>,
    actor: Option<&str>,
    now: DateTime<Utc>,
) -> AppResult<member::Model> {
    let name = jifen_shared::domain::RuleName::parse(m.name)
        .map_err(|e| AppError::field("name", &e))?
        .into_inner();
    let username = jifen_shared::domain::Username::parse(m.username)
        .map_err(|e| AppError::field("username", &e))?
        .into_inner();
    let branch = org_unit::Entity::find_by_id(m.branch_id.to_owned())
        .one(db)
        .await?
        .filter(|u| u.kind == OrgKind::Branch.as_str())
        .ok_or(AppError::NotFound(Missing::OrgUnit))?;
    let row = member::Model {
        id: ids::new(),
        home_branch_id: branch.id.clone(),
        migrant_org_id: m.migrant_org_id.map(str::to_owned),
        name,
        username,
        password_hash: m.password_hash,
        phone: None,
        status: m.status.as_str().to_owned(),
        created_at: now,
    };
    if let Err(e) = member::Entity::insert(member::ActiveModel::from(row.clone()))
        .exec(db)
        .await
    {
        return Err(match e.sql_err() {
            Some(SqlErr::UniqueConstraintViolation(_)) => AppError::UsernameTaken,
            _ => e.into(),
        });
    }
    audit::record(
        db,
        Event {
            chain_id: &branch.id,
            actor_id: actor,
            action: "member.added",
            entity_type: "member",
            entity_id: &row.id,
            before: None,
            after: Some(json!({"name": row.name, "username": row.username, "status": row.status, "migrant_org_id": row.migrant_org_id})),
            reason: None,
        },
        now,
    )
    .await?;
    grant_role(db, &row.id, &branch.id, Role::Member, actor, now).await?;
    // Joining while the year is open brings a share of its base points.
    crate::services::years::joining::on_joining(db, &row, actor, now).await?;
    Ok(row)
}

/// Grants a role on an org unit; granting one already held is a no-op.
pub async fn grant_role(
    db: &impl ConnectionTrait,
    member_id: &str,
    org_unit_id: &str,
    role: Role,
    actor: Option<&str>,
    now: DateTime<Utc>,
) -> AppResult<()> {
    member::Entity::find_by_id(member_id.to_owned())
        .one(db)
        .await?
        .ok_or(AppError::NotFound(Missing::Member))?;
    org_unit::Entity::find_by_id(org_unit_id.to_owned())
        .one(db)
        .await?
        .ok_or(AppError::NotFound(Missing::OrgUnit))?;
    let exists = role_assignment::Entity::find()
        .filter(role_assignment::Column::MemberId.eq(member_id))
        .filter(role_assignment::Column::OrgUnitId.eq(org_unit_id))
        .filter(role_assignment::Column::Role.eq(role.as_str()))
        .one(db)
        .await?
        .is_some();
    if exists {
        return Ok(());
    }
    let id = ids::new();
    role_assignment::Entity::insert(role_assignment::ActiveModel {
        id: Set(id.clone()),
        member_id: Set(member_id.to_owned()),
        org_unit_id: Set(org_unit_id.to_owned()),
        role: Set(role.as_str().to_owned()),
        created_at: Set(now),
    })
    .exec(db)
    .await?;
    // Who sees what changes: every kept answer goes (see crate::infra::changes).
    crate::infra::changes::touch(db, crate::infra::changes::EVERYTHING).await?;
    audit::record(
        db,
        Event {
            chain_id: org_unit_id,
            actor_id: actor,
            action: "role.granted",
            entity_type: "role_assignment",
            entity_id: &id,
            before: None,
            after: Some(json!({"member_id": member_id, "org_unit_id": org_unit_id, "role": role})),
            reason: None,
        },
        now,
    )
    .await?;
    Ok(())
}

/// The signed-in member as the app shows them: their roles per org unit and their home branch
/// with its public code.
pub async fn profile(db: &impl ConnectionTrait, access: Access) -> AppResult<MeResponse> {
    let mut unit_ids: Vec<String> = access.grants().iter().map(|(u, _)| u.clone()).collect();
    unit_ids.push(access.member.home_branch_id.clone());
    unit_ids.extend(access.member.migrant_org_id.clone());
    let units: HashMap<String, org_unit::Model> = org_unit::Entity::find()
        .filter(org_unit::Column::Id.is_in(unit_ids))
        .all(db)
        .await?
        .into_iter()
        .map(|u| (u.id.clone(), u))
        .collect();
    let name = |id: &str| units.get(id).map(|u| u.name.clone()).unwrap_or_default();
    let status = access.member.status()?;
    let roles = access
        .grants()
        .iter()
        .map(|(unit, role)| {
            Ok(RoleGrant {
                org_unit_name: name(unit),
                org_unit_kind: units.get(unit).map(org_unit::Model::kind).transpose()?,
                org_unit_id: unit.clone(),
                role: *role,
            })
        })
        .collect::<AppResult<Vec<_>>>()?;
    let m = access.member;
    Ok(MeResponse {
        roles,
        home_branch_name: name(&m.home_branch_id),
        home_branch_code: units.get(&m.home_branch_id).and_then(|u| u.code.clone()),
        migrant_org_name: m.migrant_org_id.as_deref().map(name),
        migrant_org_id: m.migrant_org_id,
        id: m.id,
        name: m.name,
        username: m.username,
        status,
        home_branch_id: m.home_branch_id,
    })
}

/// The members who keep their points in a branch: those at home in it, active or migrant
/// (transferred members have left), by name. The year's base points, the board, alerts and
/// grades all count these.
pub async fn taking_part(
    db: &impl ConnectionTrait,
    branch_id: &str,
) -> AppResult<Vec<member::Model>> {
    use jifen_shared::domain::MemberStatus;
    use sea_orm::{ColumnTrait, QueryFilter, QueryOrder};
    Ok(member::Entity::find()
        .filter(member::Column::HomeBranchId.eq(branch_id))
        .filter(member::Column::Status.ne(MemberStatus::Transferred.as_str()))
        .order_by_asc(member::Column::Name)
        .order_by_asc(member::Column::Id)
        .all(db)
        .await?)
}
