//! Adding a member to a branch's roster and editing one: name, phone and whether they are at
//! home (`active`) or away working elsewhere (`migrant`). Every change is audited in the branch's
//! chain with what it was before.

use chrono::{DateTime, Utc};
use jifen_shared::api::{NewRosterMember, PatchRosterMember, RosterChange, RosterMember};
use jifen_shared::domain::{MemberStatus, MobilePhone, RuleName, Username};
use jifen_shared::words::Word;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter,
    SqlErr,
};
use serde_json::{json, Map, Value};

use super::usernames::Usernames;
use super::views::roster_member;
use super::{managed_member, refuse_left};
use crate::entity::{member, org_unit};
use crate::error::{AppError, AppResult, FieldIssue};
use crate::infra::db::Db;
use crate::services::access::{managed_branch, Access};
use crate::services::audit::{self, Event};
use crate::services::orgs::{self, NewMember};

/// What to change of a member, already checked; `None` leaves a field as it is.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Edit {
    pub name: Option<String>,
    /// `Some(None)` removes the phone number.
    pub phone: Option<Option<String>>,
    pub status: Option<MemberStatus>,
}

impl Edit {
    /// The fields that differ from the member as they are, worded for the preview.
    pub fn changes(&self, m: &member::Model) -> Vec<RosterChange> {
        let mut out = Vec::new();
        if let Some(name) = self.name.as_ref().filter(|n| **n != m.name) {
            out.push(RosterChange {
                field: "name".into(),
                from: Some(m.name.clone()),
                to: Some(name.clone()),
            });
        }
        if let Some(phone) = self.phone.as_ref().filter(|p| **p != m.phone) {
            out.push(RosterChange {
                field: "phone".into(),
                from: m.phone.clone(),
                to: phone.clone(),
            });
        }
        if let Some(status) = self.status.filter(|s| s.as_str() != m.status) {
            out.push(RosterChange {
                field: "status".into(),
                from: Some(m.status.clone()),
                to: Some(status.as_str().to_owned()),
            });
        }
        out
    }
}

/// A member's name as the roster takes it (the same rule [`orgs::add_member`] applies).
pub fn parse_name(raw: &str) -> Result<String, FieldIssue> {
    RuleName::parse(raw)
        .map(RuleName::into_inner)
        .map_err(|e| FieldIssue::explained("name", &e))
}

/// A phone number as typed; empty means none.
pub fn parse_phone(raw: &str) -> Result<Option<String>, FieldIssue> {
    if raw.trim().is_empty() {
        return Ok(None);
    }
    MobilePhone::parse(raw)
        .map(|p| Some(p.into_inner()))
        .map_err(|e| FieldIssue::explained("phone", &e))
}

/// Only `active` and `migrant` are set on the roster; leaving is its own act.
fn editable_status(s: MemberStatus) -> Result<MemberStatus, FieldIssue> {
    match s {
        MemberStatus::Active | MemberStatus::Migrant => Ok(s),
        MemberStatus::Transferred => Err(FieldIssue::worded(
            "status",
            "member.status_not_editable",
            Word::RosterStatusNotEditable,
        )),
    }
}

fn phone_taken() -> AppError {
    AppError::Validation(vec![FieldIssue::worded(
        "phone",
        "member.phone_taken",
        Word::PhoneTaken,
    )])
}

/// The member of the branch who has this phone number, other than `except`.
pub async fn phone_holder(
    db: &impl ConnectionTrait,
    branch_id: &str,
    phone: &str,
    except: Option<&str>,
) -> AppResult<Option<member::Model>> {
    let mut q = member::Entity::find()
        .filter(member::Column::HomeBranchId.eq(branch_id))
        .filter(member::Column::Phone.eq(phone));
    if let Some(id) = except {
        q = q.filter(member::Column::Id.ne(id));
    }
    Ok(q.one(db).await?)
}

/// Writes an edit and its audit event (nothing when nothing changes); the phone's uniqueness in
/// the branch is the caller's to check first (the index refuses a duplicate all the same).
pub async fn apply(
    db: &impl ConnectionTrait,
    m: &member::Model,
    edit: &Edit,
    actor: Option<&str>,
    now: DateTime<Utc>,
) -> AppResult<member::Model> {
    apply_as(db, m, edit, "member.updated", actor, now).await
}

/// [`apply`], audited as `action`.
pub async fn apply_as(
    db: &impl ConnectionTrait,
    m: &member::Model,
    edit: &Edit,
    action: &str,
    actor: Option<&str>,
    now: DateTime<Utc>,
) -> AppResult<member::Model> {
    let changes = edit.changes(m);
    if changes.is_empty() {
        return Ok(m.clone());
    }
    let mut row: member::ActiveModel = m.clone().into();
    let (mut before, mut after) = (Map::new(), Map::new());
    for c in &changes {
        before.insert(c.field.clone(), json!(c.from));
        after.insert(c.field.clone(), json!(c.to));
        match c.field.as_str() {
            "name" => row.name = Set(c.to.clone().unwrap_or_default()),
            "phone" => row.phone = Set(c.to.clone()),
            _ => row.status = Set(c.to.clone().unwrap_or_default()),
        }
    }
    let updated = row.update(db).await.map_err(|e| match e.sql_err() {
        Some(SqlErr::UniqueConstraintViolation(_)) => phone_taken(),
        _ => e.into(),
    })?;
    audit::record(
        db,
        Event {
            chain_id: &m.home_branch_id,
            actor_id: actor,
            action,
            entity_type: "member",
            entity_id: &m.id,
            before: Some(Value::Object(before)),
            after: Some(Value::Object(after)),
            reason: None,
        },
        now,
    )
    .await?;
    Ok(updated)
}

/// A checked new member.
#[derive(Debug, Clone)]
pub struct Newcomer {
    pub name: String,
    pub phone: Option<String>,
    pub status: MemberStatus,
    /// None: one is made (see [`Usernames`]).
    pub username: Option<String>,
}

/// Creates the member (role, base points: [`orgs::add_member`]) with their phone number.
pub async fn create(
    db: &impl ConnectionTrait,
    branch: &org_unit::Model,
    new: Newcomer,
    usernames: &mut Usernames,
    actor: Option<&str>,
    now: DateTime<Utc>,
) -> AppResult<member::Model> {
    let username = new.username.unwrap_or_else(|| usernames.make());
    let row = orgs::add_member(
        db,
        NewMember {
            branch_id: &branch.id,
            name: &new.name,
            username: &username,
            password_hash: None,
            status: new.status,
            migrant_org_id: None,
        },
        actor,
        now,
    )
    .await?;
    let edit = Edit {
        phone: Some(new.phone),
        ..Edit::default()
    };
    apply(db, &row, &edit, actor, now).await
}

/// Adds a member to the branch (its secretary or an administrator above it).
pub async fn add(
    db: &Db,
    now: DateTime<Utc>,
    access: &Access,
    branch_id: &str,
    req: NewRosterMember,
) -> AppResult<RosterMember> {
    let branch = managed_branch(db.conn(), access, branch_id).await?;
    let mut issues = Vec::new();
    let name = parse_name(&req.name).map_err(|i| issues.push(i)).ok();
    let phone = parse_phone(req.phone.as_deref().unwrap_or(""))
        .map_err(|i| issues.push(i))
        .ok()
        .flatten();
    let status = editable_status(req.status.unwrap_or(MemberStatus::Active))
        .map_err(|i| issues.push(i))
        .ok();
    let username = req
        .username
        .as_deref()
        .filter(|u| !u.trim().is_empty())
        .and_then(|u| {
            Username::parse(u)
                .map(Username::into_inner)
                .map_err(|e| issues.push(FieldIssue::explained("username", &e)))
                .ok()
        });
    let (Some(name), Some(status), true) = (name, status, issues.is_empty()) else {
        return Err(AppError::Validation(issues));
    };
    let txn = db.begin_write().await?;
    audit::lock_chain(&*txn, &branch.id).await?;
    if let Some(p) = &phone {
        if phone_holder(&*txn, &branch.id, p, None).await?.is_some() {
            return Err(phone_taken());
        }
    }
    let mut usernames = Usernames::for_branch(&*txn, &branch).await?;
    let new = Newcomer {
        name,
        phone,
        status,
        username,
    };
    let row = create(&*txn, &branch, new, &mut usernames, Some(access.id()), now).await?;
    txn.commit().await?;
    roster_member(db.conn(), row).await
}

/// Changes a member's name, phone or status (`active` or `migrant`).
pub async fn edit(
    db: &Db,
    now: DateTime<Utc>,
    access: &Access,
    member_id: &str,
    req: PatchRosterMember,
) -> AppResult<RosterMember> {
    let (found, branch) = managed_member(db.conn(), access, member_id).await?;
    refuse_left(&found)?;
    let mut issues = Vec::new();
    let mut edit = Edit::default();
    if let Some(raw) = &req.name {
        edit.name = parse_name(raw).map_err(|i| issues.push(i)).ok();
    }
    if let Some(raw) = &req.phone {
        edit.phone = parse_phone(raw).map_err(|i| issues.push(i)).ok();
    }
    if let Some(s) = req.status {
        edit.status = editable_status(s).map_err(|i| issues.push(i)).ok();
    }
    if !issues.is_empty() {
        return Err(AppError::Validation(issues));
    }
    let txn = db.begin_write().await?;
    audit::lock_chain(&*txn, &branch.id).await?;
    // Read again under the chain's lock: the member as this edit changes them.
    let current = member::Entity::find_by_id(found.id.clone())
        .one(&*txn)
        .await?
        .filter(|m| m.home_branch_id == branch.id)
        .ok_or(AppError::NotFound(crate::error::Missing::Member))?;
    refuse_left(&current)?;
    if let Some(Some(p)) = &edit.phone {
        if phone_holder(&*txn, &branch.id, p, Some(&current.id))
            .await?
            .is_some()
        {
            return Err(phone_taken());
        }
    }
    let updated = apply(&*txn, &current, &edit, Some(access.id()), now).await?;
    txn.commit().await?;
    roster_member(db.conn(), updated).await
}
