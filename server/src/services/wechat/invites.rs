//! What the branch does about members' WeChat accounts: the secretary issues one-time invite
//! codes to bind them, and an administrator unbinds an account (a lost or handed-on phone).

use chrono::{DateTime, Utc};
use jifen_shared::api::InviteView;
use jifen_shared::domain::Role;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, ModelTrait, QueryFilter,
};
use serde_json::json;

use crate::entity::{self, member, outbox, subscription_consent, wechat_identity};
use crate::error::{AppError, AppResult, Missing, Refusal, WechatFailure};
use crate::infra::db::Db;
use crate::infra::ids;
use crate::services::access::Access;
use crate::services::audit::{self, Event};
use crate::services::auth::one_time::{digest, invite_code, normalise_invite};

/// How long an invite code stays valid.
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

/// Issues a new invite code for the member, replacing any unused one.
pub async fn issue(
    db: &Db,
    now: DateTime<Utc>,
    access: &Access,
    member_id: &str,
) -> AppResult<InviteView> {
    let conn = db.conn();
    let member = visible_member(conn, access, member_id).await?;
    if !access.can_manage(conn, &member.home_branch_id).await? {
        return Err(AppError::Forbidden(Refusal::Role));
    }
    if member.status == "transferred" {
        return Err(AppError::NotFound(Missing::Member));
    }
    let code = invite_code();
    let expires_at = now + chrono::Duration::days(INVITE_DAYS);
    let txn = db.begin_write().await?;
    entity::invite_code::Entity::update_many()
        .col_expr(entity::invite_code::Column::RevokedAt, Expr::value(now))
        .filter(entity::invite_code::Column::MemberId.eq(member.id.as_str()))
        .filter(entity::invite_code::Column::UsedAt.is_null())
        .filter(entity::invite_code::Column::RevokedAt.is_null())
        .exec(&*txn)
        .await?;
    let id = ids::new();
    entity::invite_code::Entity::insert(entity::invite_code::ActiveModel {
        id: Set(id.clone()),
        member_id: Set(member.id.clone()),
        code_hash: Set(digest(&normalise_invite(&code))),
        created_by: Set(access.id().to_owned()),
        created_at: Set(now),
        expires_at: Set(expires_at),
        used_at: Set(None),
        revoked_at: Set(None),
    })
    .exec(&*txn)
    .await?;
    audit::record(
        &*txn,
        Event {
            chain_id: &member.home_branch_id,
            actor_id: Some(access.id()),
            action: "wechat.invite_issued",
            entity_type: "member",
            entity_id: &member.id,
            before: None,
            after: Some(json!({ "invite_id": id, "expires_at": expires_at })),
            reason: None,
        },
        now,
    )
    .await?;
    txn.commit().await?;
    Ok(InviteView {
        member_id: member.id,
        code,
        expires_at,
    })
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
    txn.commit().await?;
    Ok(())
}
