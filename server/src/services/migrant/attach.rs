//! Attaching a member to a migrant members' organisation, and detaching them: the secretary of
//! their home branch, or an administrator over both the branch and the organisation. Recorded in
//! the home branch's chain; the member also holds the `member` role on the organisation while
//! attached, as the organisation's roll.

use chrono::{DateTime, Utc};
use jifen_shared::api::MigrantOrgView;
use jifen_shared::domain::{MemberStatus, OrgKind, Role};
use jifen_shared::words::Word;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter,
};
use serde_json::json;

use crate::entity::{member, org_unit, role_assignment};
use crate::error::{AppError, AppResult, FieldIssue, Missing, Refusal};
use crate::infra::db::Db;
use crate::infra::ids;
use crate::services::access::Access;
use crate::services::audit::{self, Event};
use crate::services::orgs;

/// The member, if the caller may see them (their home branch is one the caller sees).
async fn visible_member(
    db: &impl ConnectionTrait,
    access: &Access,
    member_id: &str,
) -> AppResult<member::Model> {
    let missing = AppError::NotFound(Missing::Member);
    if !ids::is_valid(member_id) {
        return Err(missing);
    }
    let m = member::Entity::find_by_id(member_id.to_owned())
        .one(db)
        .await?
        .ok_or(AppError::NotFound(Missing::Member))?;
    if !access.can_see(db, &m.home_branch_id).await? {
        return Err(missing);
    }
    Ok(m)
}

/// The migrant organisation named in the body; anything else is a field error.
async fn migrant_org(db: &impl ConnectionTrait, raw: &str) -> AppResult<org_unit::Model> {
    let not_migrant = || {
        AppError::Validation(vec![FieldIssue::worded(
            "org_unit_id",
            "org_unit.not_migrant",
            Word::OrgUnitNotMigrant,
        )])
    };
    if !ids::is_valid(raw) {
        return Err(not_migrant());
    }
    org_unit::Entity::find_by_id(raw.to_owned())
        .one(db)
        .await?
        .filter(|u| u.kind == OrgKind::Migrant.as_str())
        .ok_or_else(not_migrant)
}

/// The secretary of the member's home branch, or an administrator over the branch and over
/// `unit` (the organisation attached to or detached from), if any.
async fn may_attach(
    db: &impl ConnectionTrait,
    access: &Access,
    m: &member::Model,
    unit: Option<&str>,
) -> AppResult<()> {
    let over_home = access.roles_over(db, &m.home_branch_id).await?;
    if over_home.contains(&Role::Secretary) {
        return Ok(());
    }
    let over_unit = match unit {
        Some(u) => access.roles_over(db, u).await?.contains(&Role::OrgAdmin),
        None => true,
    };
    if over_home.contains(&Role::OrgAdmin) && over_unit {
        return Ok(());
    }
    Err(AppError::Forbidden(Refusal::Role))
}

/// Takes the `member` role on a migrant organisation back when the member leaves it.
async fn leave_roll(
    db: &impl ConnectionTrait,
    actor: &str,
    member_id: &str,
    unit: &str,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let held = role_assignment::Entity::find()
        .filter(role_assignment::Column::MemberId.eq(member_id))
        .filter(role_assignment::Column::OrgUnitId.eq(unit))
        .filter(role_assignment::Column::Role.eq(Role::Member.as_str()))
        .all(db)
        .await?;
    for grant in held {
        role_assignment::Entity::delete_by_id(grant.id.clone())
            .exec(db)
            .await?;
        crate::infra::changes::touch(db, crate::infra::changes::EVERYTHING).await?;
        audit::record(
            db,
            Event {
                chain_id: unit,
                actor_id: Some(actor),
                action: "role.revoked",
                entity_type: "role_assignment",
                entity_id: &grant.id,
                before: Some(
                    json!({"member_id": member_id, "org_unit_id": unit, "role": Role::Member}),
                ),
                after: None,
                reason: None,
            },
            now,
        )
        .await?;
    }
    Ok(())
}

fn snapshot(m: &member::Model) -> serde_json::Value {
    json!({"migrant_org_id": m.migrant_org_id, "status": m.status})
}

/// Attaches the member to the migrant organisation `org_unit_id`, replacing any earlier one.
pub async fn attach(
    db: &Db,
    now: DateTime<Utc>,
    access: &Access,
    member_id: &str,
    org_unit_id: &str,
) -> AppResult<MigrantOrgView> {
    let conn = db.conn();
    let found = visible_member(conn, access, member_id).await?;
    let unit = migrant_org(conn, org_unit_id).await?;
    may_attach(conn, access, &found, Some(&unit.id)).await?;
    if let Some(old) = found.migrant_org_id.as_deref().filter(|o| *o != unit.id) {
        may_attach(conn, access, &found, Some(old)).await?;
    }
    let txn = db.begin_write().await?;
    audit::lock_chain(&*txn, &found.home_branch_id).await?;
    let before = member::Entity::find_by_id(found.id.clone())
        .one(&*txn)
        .await?
        .ok_or(AppError::NotFound(Missing::Member))?;
    if before.migrant_org_id.as_deref() != Some(unit.id.as_str()) {
        if let Some(old) = before.migrant_org_id.as_deref() {
            leave_roll(&*txn, access.id(), &before.id, old, now).await?;
        }
        let mut active: member::ActiveModel = before.clone().into();
        active.migrant_org_id = Set(Some(unit.id.clone()));
        if before.status()? == MemberStatus::Active {
            active.status = Set(MemberStatus::Migrant.as_str().to_owned());
        }
        let after = active.update(&*txn).await?;
        audit::record(
            &*txn,
            Event {
                chain_id: &after.home_branch_id,
                actor_id: Some(access.id()),
                action: "member.migrant_org_attached",
                entity_type: "member",
                entity_id: &after.id,
                before: Some(snapshot(&before)),
                after: Some(snapshot(&after)),
                reason: None,
            },
            now,
        )
        .await?;
        orgs::grant_role(
            &*txn,
            &after.id,
            &unit.id,
            Role::Member,
            Some(access.id()),
            now,
        )
        .await?;
    }
    txn.commit().await?;
    Ok(MigrantOrgView {
        member_id: found.id,
        org_unit_id: unit.id,
        org_unit_name: unit.name,
    })
}

/// Detaches the member from their migrant organisation; detaching one not attached does nothing.
pub async fn detach(
    db: &Db,
    now: DateTime<Utc>,
    access: &Access,
    member_id: &str,
) -> AppResult<()> {
    let conn = db.conn();
    let found = visible_member(conn, access, member_id).await?;
    may_attach(conn, access, &found, found.migrant_org_id.as_deref()).await?;
    let txn = db.begin_write().await?;
    audit::lock_chain(&*txn, &found.home_branch_id).await?;
    let before = member::Entity::find_by_id(found.id.clone())
        .one(&*txn)
        .await?
        .ok_or(AppError::NotFound(Missing::Member))?;
    let Some(old) = before.migrant_org_id.clone() else {
        return Ok(());
    };
    let mut active: member::ActiveModel = before.clone().into();
    active.migrant_org_id = Set(None);
    if before.status()? == MemberStatus::Migrant {
        active.status = Set(MemberStatus::Active.as_str().to_owned());
    }
    let after = active.update(&*txn).await?;
    audit::record(
        &*txn,
        Event {
            chain_id: &after.home_branch_id,
            actor_id: Some(access.id()),
            action: "member.migrant_org_detached",
            entity_type: "member",
            entity_id: &after.id,
            before: Some(snapshot(&before)),
            after: Some(snapshot(&after)),
            reason: None,
        },
        now,
    )
    .await?;
    leave_roll(&*txn, access.id(), &after.id, &old, now).await?;
    txn.commit().await?;
    Ok(())
}
