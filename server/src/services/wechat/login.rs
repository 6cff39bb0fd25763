//! Signing in from the mini program: `wx.login()`'s code is traded for the user's openid. A
//! bound openid gets a session; an unknown one gets a short-lived ticket to bind with an invite
//! code from the branch secretary.

use chrono::{DateTime, Utc};
use std::time::Duration;

use jifen_shared::api::{BindingRequired, TokenResponse, WechatLoginResponse};
use jifen_shared::words::Word;
use sea_orm::sea_query::{Expr, LockType};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, QueryFilter,
    QuerySelect,
};
use serde_json::json;

use crate::entity::{invite_code, member, wechat_identity, wechat_ticket};
use crate::error::{AppError, AppResult, FieldIssue, Refusal, WechatFailure};
use crate::infra::db::Db;
use crate::infra::ids;
use crate::infra::wechat::client::{
    Session, WechatClient, WechatError, BUSY, CODE_USED, HIGH_RISK_USER, INVALID_CODE, RATE_LIMITED,
};
use crate::infra::wechat::Wechat;
use crate::services::audit::{self, Event};
use crate::services::auth::one_time::{digest, normalise_invite, random_token};
use crate::services::auth::sessions;
use crate::services::auth::tokens::TokenKeys;

/// How long a binding ticket lasts.
pub const TICKET_SECS: i64 = 10 * 60;
/// Wrong invite codes a ticket survives; then the user must sign in from WeChat again.
pub const TICKET_ATTEMPTS: i32 = 5;
/// The wait before asking a busy WeChat once more.
const BUSY_RETRY: Duration = Duration::from_millis(300);

/// Trades a `wx.login()` code for a session (a bound account) or a binding ticket.
pub async fn login(
    db: &Db,
    now: DateTime<Utc>,
    wechat: &Wechat,
    keys: &TokenKeys,
    code: &str,
) -> AppResult<WechatLoginResponse> {
    let code = code.trim();
    if code.is_empty() || code.len() > 128 || !code.chars().all(|c| c.is_ascii_graphic()) {
        return Err(AppError::Validation(vec![FieldIssue::worded(
            "code",
            "wechat.code_malformed",
            Word::WechatCodeMalformed,
        )]));
    }
    let session = code2session(&wechat.client, code).await?;
    let txn = db.begin_write().await?;
    let bound = wechat_identity::Entity::find()
        .filter(wechat_identity::Column::Openid.eq(session.openid.as_str()))
        .one(&*txn)
        .await?;
    if let Some(identity) = bound {
        let member = member::Entity::find_by_id(identity.member_id.clone())
            .one(&*txn)
            .await?
            .filter(|m| m.status != "transferred")
            .ok_or(AppError::Forbidden(Refusal::Role))?;
        if identity.unionid.is_none() && session.unionid.is_some() {
            wechat_identity::Entity::update_many()
                .col_expr(
                    wechat_identity::Column::Unionid,
                    Expr::value(session.unionid),
                )
                .filter(wechat_identity::Column::Id.eq(identity.id))
                .exec(&*txn)
                .await?;
        }
        let tokens = sessions::start(&*txn, keys, &member.id, now).await?;
        txn.commit().await?;
        return Ok(WechatLoginResponse::Tokens(tokens));
    }

    let ticket = random_token();
    wechat_ticket::Entity::insert(wechat_ticket::ActiveModel {
        id: Set(ids::new()),
        ticket_hash: Set(digest(&ticket)),
        openid: Set(session.openid),
        unionid: Set(session.unionid),
        failed_attempts: Set(0),
        created_at: Set(now),
        expires_at: Set(now + chrono::Duration::seconds(TICKET_SECS)),
        used_at: Set(None),
    })
    .exec(&*txn)
    .await?;
    txn.commit().await?;
    Ok(WechatLoginResponse::BindingRequired(BindingRequired {
        binding_required: true,
        binding_ticket: ticket,
        expires_in: TICKET_SECS,
    }))
}

/// Asks WeChat who the code belongs to; a busy WeChat is asked once more after a pause.
pub async fn code2session(client: &WechatClient, code: &str) -> AppResult<Session> {
    let first = client.code2session(code).await;
    let answer = match first {
        Err(e) if e.errcode() == Some(BUSY) => {
            tokio::time::sleep(BUSY_RETRY).await;
            client.code2session(code).await
        }
        other => other,
    };
    answer.map_err(login_failure)
}

fn login_failure(e: WechatError) -> AppError {
    let failure = match e.errcode() {
        Some(INVALID_CODE) => WechatFailure::InvalidCode,
        Some(CODE_USED) => WechatFailure::CodeUsed,
        Some(RATE_LIMITED) => WechatFailure::RateLimited,
        Some(HIGH_RISK_USER) => WechatFailure::BlockedUser,
        _ => {
            tracing::warn!(error = %e, "jscode2session failed");
            WechatFailure::Unavailable
        }
    };
    AppError::Wechat(failure)
}

/// Links the ticket's WeChat account to the member the invite code was issued for, spends both,
/// and signs the member in.
pub async fn bind(
    db: &Db,
    now: DateTime<Utc>,
    keys: &TokenKeys,
    ticket: &str,
    invite: &str,
) -> AppResult<TokenResponse> {
    let ticket_hash = digest(ticket.trim());
    let usable = |t: &wechat_ticket::Model| {
        t.used_at.is_none() && t.expires_at > now && t.failed_attempts < TICKET_ATTEMPTS
    };
    // An unknown, used or expired ticket is answered from a plain read: junk never waits for,
    // nor holds, the write lock. A real ticket (WeChat vouched for its user) takes the lock even
    // with a wrong invite code, because the wrong attempt must be counted: that count is what
    // makes invite codes impossible to guess.
    wechat_ticket::Entity::find()
        .filter(wechat_ticket::Column::TicketHash.eq(ticket_hash.as_str()))
        .one(db.conn())
        .await?
        .filter(usable)
        .ok_or(AppError::Wechat(WechatFailure::TicketInvalid))?;
    let txn = db.begin_write().await?;
    let mut find_ticket =
        wechat_ticket::Entity::find().filter(wechat_ticket::Column::TicketHash.eq(ticket_hash));
    if txn.get_database_backend() == DbBackend::Postgres {
        // Two binds with one ticket at once: the second waits and then finds it used.
        // (SQLite runs one write transaction at a time already.)
        find_ticket = find_ticket.lock(LockType::Update);
    }
    let ticket = find_ticket
        .one(&*txn)
        .await?
        .filter(usable)
        .ok_or(AppError::Wechat(WechatFailure::TicketInvalid))?;
    let invite = invite_code::Entity::find()
        .filter(invite_code::Column::CodeHash.eq(digest(&normalise_invite(invite))))
        .filter(invite_code::Column::UsedAt.is_null())
        .filter(invite_code::Column::RevokedAt.is_null())
        .filter(invite_code::Column::ExpiresAt.gt(now))
        .one(&*txn)
        .await?;
    let member = match invite {
        Some(invite) => member::Entity::find_by_id(invite.member_id.clone())
            .one(&*txn)
            .await?
            .filter(|m| m.status != "transferred")
            .map(|m| (invite, m)),
        None => None,
    };
    let Some((invite, member)) = member else {
        wechat_ticket::Entity::update_many()
            .col_expr(
                wechat_ticket::Column::FailedAttempts,
                Expr::col(wechat_ticket::Column::FailedAttempts).add(1),
            )
            .filter(wechat_ticket::Column::Id.eq(ticket.id))
            .exec(&*txn)
            .await?;
        txn.commit().await?;
        return Err(AppError::Wechat(WechatFailure::InviteInvalid));
    };
    if !super::invites::confirmed_where_needed(&*txn, &invite).await? {
        return Err(AppError::Wechat(WechatFailure::InviteUnconfirmed));
    }
    let taken = wechat_identity::Entity::find()
        .filter(
            sea_orm::Condition::any()
                .add(wechat_identity::Column::MemberId.eq(member.id.as_str()))
                .add(wechat_identity::Column::Openid.eq(ticket.openid.as_str())),
        )
        .one(&*txn)
        .await?;
    if taken.is_some() {
        return Err(AppError::Wechat(WechatFailure::AlreadyBound));
    }

    wechat_identity::Entity::insert(wechat_identity::ActiveModel {
        id: Set(ids::new()),
        member_id: Set(member.id.clone()),
        openid: Set(ticket.openid.clone()),
        unionid: Set(ticket.unionid.clone()),
        bound_at: Set(now),
    })
    .exec(&*txn)
    .await?;
    wechat_ticket::Entity::update_many()
        .col_expr(wechat_ticket::Column::UsedAt, Expr::value(now))
        .filter(wechat_ticket::Column::Id.eq(ticket.id))
        .exec(&*txn)
        .await?;
    invite_code::Entity::update_many()
        .col_expr(invite_code::Column::UsedAt, Expr::value(now))
        .filter(invite_code::Column::Id.eq(invite.id.as_str()))
        .exec(&*txn)
        .await?;
    audit::record(
        &*txn,
        Event {
            chain_id: &member.home_branch_id,
            actor_id: Some(&member.id),
            action: "wechat.bound",
            entity_type: "member",
            entity_id: &member.id,
            before: None,
            after: Some(json!({
                "openid": ticket.openid,
                "unionid": ticket.unionid,
                "invite_id": invite.id,
            })),
            reason: None,
        },
        now,
    )
    .await?;
    crate::services::notify::wechat_binding(&*txn, &member.id, true, now).await?;
    let tokens = sessions::start(&*txn, keys, &member.id, now).await?;
    txn.commit().await?;
    Ok(tokens)
}
