//! What the branch does about members' WeChat accounts: the secretary issues one-time invite
//! codes to bind them, and an administrator unbinds an account (a lost or handed-on phone).
//!
//! An invite code for a member who holds a role (committee, secretary, administrator) takes two
//! people: whoever asks for it gets a pending request, and only a different role holder of the
//! branch can confirm it, receiving the code. Otherwise a secretary could invite a fellow
//! committee member, bind their own second WeChat to it and approve their own deeds as that
//! member. The member is told in the inbox whenever a WeChat account is bound or unbound.

use chrono::{DateTime, Utc};
use jifen_shared::api::{InviteView, PendingInviteView};
use jifen_shared::domain::Role;
use sea_orm::sea_query::{Expr, LockType};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, ModelTrait,
    PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
};
use serde_json::json;

use crate::entity::{
    self, invite_request, member, outbox, role_assignment, subscription_consent, wechat_identity,
};
use crate::error::{AppError, AppResult, Missing, Refusal, WechatFailure};
use crate::infra::db::Db;
use crate::infra::ids;
use crate::services::access::Access;
use crate::services::audit::{self, Event};
use crate::services::auth::one_time::{digest, invite_code, normalise_invite};

/// How long an invite code stays valid, and how long a request for one waits for confirmation.
pub const INVITE_DAYS: i64 = 7;

/// A member the caller may see; 404 for anyone else, as if they did not exist.
async fn visible_member(
    db: &impl ConnectionTrait,
    access: &Access,
    member_id: &str,
) -> AppResult<member::Model> {
    let missing = AppError::NotFound(Missing::Member);
    if !ids::is_valid(member_id) {
        return Err(missing);
    }
    let found = member::Entity::find_by_id(member_id.to_owned())
        .one(db)
        .await?
        .ok_or(missing)?;
    if found.id != access.id() && !access.can_see(db, &found.home_branch_id).await? {
        return Err(AppError::NotFound(Missing::Member));
    }
    Ok(found)
}

/// Whether the member holds any role beyond plain membership somewhere.
async fn holds_role(db: &impl ConnectionTrait, member_id: &str) -> AppResult<bool> {
    Ok(role_assignment::Entity::find()
        .filter(role_assignment::Column::MemberId.eq(member_id))
        .filter(role_assignment::Column::Role.ne(Role::Member.as_str()))
        .count(db)
        .await?
        > 0)
}

/// Whether an invite code may be redeemed as far as the two-person rule goes: a code for a
/// member who holds a role now (granted after the code was issued, for instance from the command
/// line) is good only when a second role holder confirmed it.
pub(crate) async fn confirmed_where_needed(
    db: &impl ConnectionTrait,
    code: &entity::invite_code::Model,
) -> AppResult<bool> {
    if !holds_role(db, &code.member_id).await? {
        return Ok(true);
    }
    Ok(invite_request::Entity::find()
        .filter(invite_request::Column::InviteId.eq(code.id.as_str()))
        .filter(invite_request::Column::MemberId.eq(code.member_id.as_str()))
        .count(db)
        .await?
        > 0)
}

/// Whether the caller holds a role beyond plain membership over the branch.
async fn role_holder_of(
    db: &impl ConnectionTrait,
    access: &Access,
    branch_id: &str,
) -> AppResult<bool> {
    Ok(access
        .roles_over(db, branch_id)
        .await?
        .iter()
        .any(|r| *r != Role::Member))
}

/// What issuing an invite gave: the code itself, or, for a role holder, a request that waits
/// for a second role holder.
#[derive(Debug)]
pub enum Issued {
    Code(InviteView),
    Pending(PendingInviteView),
}

/// Issues a new invite code for the member, replacing any unused one; for a member who holds a
/// role, asks for one instead (see the module's note).
pub async fn issue(
    db: &Db,
    now: DateTime<Utc>,
    access: &Access,
    member_id: &str,
) -> AppResult<Issued> {
    let conn = db.conn();
    let member = visible_member(conn, access, member_id).await?;
    if !access.can_manage(conn, &member.home_branch_id).await? {
        return Err(AppError::Forbidden(Refusal::Role));
    }
    if member.status == "transferred" {
        return Err(AppError::NotFound(Missing::Member));
    }
    if holds_role(conn, &member.id).await? {
        return request(db, now, access, member).await.map(Issued::Pending);
    }
    let txn = db.begin_write().await?;
    let invite = write_code(&*txn, now, access.id(), &member, None).await?;
    txn.commit().await?;
    Ok(Issued::Code(invite))
}

/// Replaces the member's unused codes with a new one and records it; the code is returned once.
pub(crate) async fn write_code(
    db: &impl ConnectionTrait,
    now: DateTime<Utc>,
    actor_id: &str,
    member: &member::Model,
    request: Option<&invite_request::Model>,
) -> AppResult<InviteView> {
    let code = invite_code();
    let expires_at = now + chrono::Duration::days(INVITE_DAYS);
    entity::invite_code::Entity::update_many()
        .col_expr(entity::invite_code::Column::RevokedAt, Expr::value(now))
        .filter(entity::invite_code::Column::MemberId.eq(member.id.as_str()))
        .filter(entity::invite_code::Column::UsedAt.is_null())
        .filter(entity::invite_code::Column::RevokedAt.is_null())
        .exec(db)
        .await?;
    let id = ids::new();
    entity::invite_code::Entity::insert(entity::invite_code::ActiveModel {
        id: Set(id.clone()),
        member_id: Set(member.id.clone()),
        code_hash: Set(digest(&normalise_invite(&code))),
        created_by: Set(actor_id.to_owned()),
        created_at: Set(now),
        expires_at: Set(expires_at),
        used_at: Set(None),
        revoked_at: Set(None),
    })
    .exec(db)
    .await?;
    let mut after = json!({ "invite_id": id, "expires_at": expires_at });
    if let Some(r) = request {
        after["request_id"] = json!(r.id);
        after["requested_by"] = json!(r.requested_by);
    }
    audit::record(
        db,
        Event {
            chain_id: &member.home_branch_id,
            actor_id: Some(actor_id),
            action: "wechat.invite_issued",
            entity_type: "member",
            entity_id: &member.id,
            before: None,
            after: Some(after),
            reason: None,
        },
        now,
    )
    .await?;
    if let Some(r) = request {
        invite_request::Entity::update_many()
            .col_expr(invite_request::Column::ConfirmedBy, Expr::value(actor_id))
            .col_expr(invite_request::Column::ConfirmedAt, Expr::value(now))
            .col_expr(invite_request::Column::InviteId, Expr::value(id))
            .filter(invite_request::Column::Id.eq(r.id.as_str()))
            .exec(db)
            .await?;
    }
    Ok(InviteView {
        member_id: member.id.clone(),
        code,
        expires_at,
    })
}

/// Asks for an invite code for a role holder, replacing any request still waiting for them.
async fn request(
    db: &Db,
    now: DateTime<Utc>,
    access: &Access,
    member: member::Model,
) -> AppResult<PendingInviteView> {
    let txn = db.begin_write().await?;
    invite_request::Entity::update_many()
        .col_expr(invite_request::Column::RevokedAt, Expr::value(now))
        .filter(invite_request::Column::MemberId.eq(member.id.as_str()))
        .filter(invite_request::Column::ConfirmedAt.is_null())
        .filter(invite_request::Column::RevokedAt.is_null())
        .exec(&*txn)
        .await?;
    let row = invite_request::Model {
        id: ids::new(),
        member_id: member.id.clone(),
        requested_by: access.id().to_owned(),
        requested_at: now,
        expires_at: now + chrono::Duration::days(INVITE_DAYS),
        confirmed_by: None,
        confirmed_at: None,
        invite_id: None,
        revoked_at: None,
    };
    invite_request::Entity::insert(invite_request::ActiveModel {
        id: Set(row.id.clone()),
        member_id: Set(row.member_id.clone()),
        requested_by: Set(row.requested_by.clone()),
        requested_at: Set(row.requested_at),
        expires_at: Set(row.expires_at),
        ..Default::default()
    })
    .exec(&*txn)
    .await?;
    audit::record(
        &*txn,
        Event {
            chain_id: &member.home_branch_id,
            actor_id: Some(access.id()),
            action: "wechat.invite_requested",
            entity_type: "member",
            entity_id: &member.id,
            before: None,
            after: Some(json!({ "request_id": row.id, "expires_at": row.expires_at })),
            reason: None,
        },
        now,
    )
    .await?;
    txn.commit().await?;
    Ok(pending_view(row, member.name, access.member.name.clone()))
}

fn pending_view(
    row: invite_request::Model,
    member_name: String,
    requested_by_name: String,
) -> PendingInviteView {
    PendingInviteView {
        id: row.id,
        member_id: row.member_id,
        member_name,
        requested_by: row.requested_by,
        requested_by_name,
        requested_at: row.requested_at,
        expires_at: row.expires_at,
    }
}

fn is_pending(r: &invite_request::Model, now: DateTime<Utc>) -> bool {
    r.confirmed_at.is_none() && r.revoked_at.is_none() && r.expires_at > now
}

/// A second role holder of the member's branch confirms a request: the code is made and shown to
/// them, to hand to the member. Whoever asked cannot confirm their own request.
pub async fn confirm(
    db: &Db,
    now: DateTime<Utc>,
    access: &Access,
    request_id: &str,
) -> AppResult<InviteView> {
    let conn = db.conn();
    let missing = || AppError::NotFound(Missing::Invite);
    if !ids::is_valid(request_id) {
        return Err(missing());
    }
    let found = invite_request::Entity::find_by_id(request_id.to_owned())
        .one(conn)
        .await?
        .filter(|r| is_pending(r, now))
        .ok_or_else(missing)?;
    let member = member::Entity::find_by_id(found.member_id.clone())
        .one(conn)
        .await?
        .filter(|m| m.status != "transferred")
        .ok_or_else(missing)?;
    if !access.can_see(conn, &member.home_branch_id).await? {
        return Err(missing());
    }
    if !role_holder_of(conn, access, &member.home_branch_id).await? {
        return Err(AppError::Forbidden(Refusal::Role));
    }
    if found.requested_by == access.id() {
        return Err(AppError::Forbidden(Refusal::SecondPerson));
    }
    let txn = db.begin_write().await?;
    audit::lock_chain(&*txn, &member.home_branch_id).await?;
    let mut again = invite_request::Entity::find_by_id(found.id.clone());
    if txn.get_database_backend() == DbBackend::Postgres {
        again = again.lock(LockType::Update);
    }
    let request = again
        .one(&*txn)
        .await?
        .filter(|r| is_pending(r, now))
        .ok_or_else(missing)?;
    let invite = write_code(&*txn, now, access.id(), &member, Some(&request)).await?;
    txn.commit().await?;
    Ok(invite)
}

/// The requests waiting for confirmation for members of a branch, oldest first, for the
/// branch's role holders.
pub async fn pending(
    db: &impl ConnectionTrait,
    now: DateTime<Utc>,
    access: &Access,
    branch_id: &str,
) -> AppResult<Vec<PendingInviteView>> {
    if !ids::is_valid(branch_id) || !access.can_see(db, branch_id).await? {
        return Err(AppError::NotFound(Missing::OrgUnit));
    }
    if !role_holder_of(db, access, branch_id).await? {
        return Err(AppError::Forbidden(Refusal::Role));
    }
    let members: std::collections::HashMap<String, String> = member::Entity::find()
        .filter(member::Column::HomeBranchId.eq(branch_id))
        .all(db)
        .await?
        .into_iter()
        .map(|m| (m.id, m.name))
        .collect();
    let rows = invite_request::Entity::find()
        .filter(invite_request::Column::MemberId.is_in(members.keys().cloned()))
        .filter(invite_request::Column::ConfirmedAt.is_null())
        .filter(invite_request::Column::RevokedAt.is_null())
        .filter(invite_request::Column::ExpiresAt.gt(now))
        .order_by_asc(invite_request::Column::Id)
        .all(db)
        .await?;
    let askers: std::collections::HashMap<String, String> = member::Entity::find()
        .filter(member::Column::Id.is_in(rows.iter().map(|r| r.requested_by.clone())))
        .all(db)
        .await?
        .into_iter()
        .map(|m| (m.id, m.name))
        .collect();
    Ok(rows
        .into_iter()
        .map(|r| {
            let member_name = members.get(&r.member_id).cloned().unwrap_or_default();
            let asker = askers.get(&r.requested_by).cloned().unwrap_or_default();
            pending_view(r, member_name, asker)
        })
        .collect())
}

/// Unbinds the member's WeChat account: its unspent subscriptions go, and messages not yet sent
/// to it are cancelled. Administrators only.
pub async fn unbind(
    db: &Db,
    now: DateTime<Utc>,
    access: &Access,
    member_id: &str,
) -> AppResult<()> {
    let conn = db.conn();
    let member = visible_member(conn, access, member_id).await?;
    let roles = access.roles_over(conn, &member.home_branch_id).await?;
    if !roles.contains(&Role::OrgAdmin) {
        return Err(AppError::Forbidden(Refusal::Role));
    }
    let txn = db.begin_write().await?;
    let identity = wechat_identity::Entity::find()
        .filter(wechat_identity::Column::MemberId.eq(member.id.as_str()))
        .one(&*txn)
        .await?
        .ok_or(AppError::Wechat(WechatFailure::NotBound))?;
    let openid = identity.openid.clone();
    identity.delete(&*txn).await?;
    subscription_consent::Entity::delete_many()
        .filter(subscription_consent::Column::MemberId.eq(member.id.as_str()))
        .filter(subscription_consent::Column::SpentAt.is_null())
        .exec(&*txn)
        .await?;
    outbox::Entity::update_many()
        .col_expr(outbox::Column::Status, Expr::value("failed"))
        .col_expr(
            outbox::Column::LastError,
            Expr::value("the member's WeChat account was unbound"),
        )
        .filter(outbox::Column::MemberId.eq(member.id.as_str()))
        .filter(outbox::Column::Status.eq("pending"))
        .exec(&*txn)
        .await?;
    audit::record(
        &*txn,
        Event {
            chain_id: &member.home_branch_id,
            actor_id: Some(access.id()),
            action: "wechat.unbound",
            entity_type: "member",
            entity_id: &member.id,
            before: Some(json!({ "openid": openid })),
            after: None,
            reason: None,
        },
        now,
    )
    .await?;
    crate::services::notify::wechat_binding(&*txn, &member.id, false, now).await?;
    txn.commit().await?;
    Ok(())
}
