//! A member's own sign-in settings: the password for the web app. A member who came in through
//! WeChat has none until they set one here.
//!
//! Setting a password is what turns a short-lived access token into a lasting sign-in, so it
//! asks for more than the access token: the current password when there is one; for the first
//! one, a fresh WeChat login code of the member's bound WeChat account, or an unused invite code
//! the branch secretary issued for the member (spent here). Wrong passwords and wrong codes count
//! towards the account's sign-in throttle. Every other session of the member ends, and the member
//! is told in the inbox.

use chrono::{DateTime, Utc};
use jifen_shared::domain::NewPassword;
use jifen_shared::words::Word;
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter};

use super::one_time::{digest, normalise_invite};
use super::tokens::Bearer;
use super::Guards;
use crate::entity::{invite_code, member, wechat_identity};
use crate::error::{AppError, AppResult, AuthFailure, FieldIssue, Missing};
use crate::infra::db::Db;
use crate::infra::wechat::Wechat;
use crate::services::audit::{self, Event};
use crate::services::auth::sessions;

/// What the member brings to show it is them.
#[derive(Debug, Clone, Copy, Default)]
pub struct Proof<'a> {
    /// The password set now, when there is one.
    pub current_password: Option<&'a str>,
    /// A fresh `wx.login()` code from the mini program, for a first password.
    pub wechat_code: Option<&'a str>,
    /// An invite code from the branch secretary, for a first password.
    pub invite_code: Option<&'a str>,
}

fn given(value: Option<&str>) -> Option<&str> {
    value.map(str::trim).filter(|v| !v.is_empty())
}

/// Sets the caller's password and ends their other sessions.
pub async fn set_password(
    db: &Db,
    guards: &Guards,
    wechat: Option<&Wechat>,
    now: DateTime<Utc>,
    caller: &Bearer,
    proof: Proof<'_>,
    new: &str,
) -> AppResult<()> {
    let new = NewPassword::parse(new).map_err(|e| AppError::field("new_password", &e))?;
    let member_id = caller.member_id.as_str();
    let found = member::Entity::find_by_id(member_id.to_owned())
        .one(db.conn())
        .await?
        .ok_or(AppError::NotFound(Missing::Member))?;
    let invite = match found.password_hash.clone() {
        Some(stored) => {
            let Some(current) = given(proof.current_password) else {
                return Err(AppError::Validation(vec![FieldIssue::worded(
                    "current_password",
                    "password.current_required",
                    Word::EnterYourCurrentPassword,
                )]));
            };
            guards.throttle.check(db.conn(), member_id, now).await?;
            if !guards.hashers.verify(current, &stored).await? {
                failed(db, guards, member_id, now).await?;
                return Err(AppError::Unauthorized(AuthFailure::BadCredentials));
            }
            None
        }
        None => first_password_proof(db, guards, wechat, now, member_id, proof).await?,
    };
    let hash = guards.hashers.hash(new.expose()).await?;

    let txn = db.begin_write().await?;
    if let Some(invite_id) = &invite {
        // Spent once: of two requests with one code, one wins.
        let spent = invite_code::Entity::update_many()
            .col_expr(invite_code::Column::UsedAt, Expr::value(now))
            .filter(invite_code::Column::Id.eq(invite_id.as_str()))
            .filter(invite_code::Column::UsedAt.is_null())
            .filter(invite_code::Column::RevokedAt.is_null())
            .exec(&*txn)
            .await?
            .rows_affected;
        if spent != 1 {
            return Err(proof_refused("invite_code", "password.invite_invalid"));
        }
    }
    let had_password = found.password_hash.is_some();
    let branch = found.home_branch_id.clone();
    let mut active: member::ActiveModel = found.into();
    active.password_hash = Set(Some(hash));
    active.update(&*txn).await?;
    let ended = sessions::end_others(&*txn, member_id, &caller.session_id, now).await?;
    audit::record(
        &*txn,
        Event {
            chain_id: &branch,
            actor_id: Some(member_id),
            action: if had_password {
                "member.password_changed"
            } else {
                "member.password_set"
            },
            entity_type: "member",
            entity_id: member_id,
            before: None,
            after: invite
                .as_ref()
                .map(|id| serde_json::json!({ "invite_id": id })),
            reason: None,
        },
        now,
    )
    .await?;
    crate::services::notify::password_changed(&*txn, member_id, now).await?;
    txn.commit().await?;
    tracing::info!(member = %member_id, sessions_ended = ended, "password set");
    Ok(())
}

/// For a member without a password: checks the WeChat code or the invite code, answering the
/// invite's id to spend with the new password.
async fn first_password_proof(
    db: &Db,
    guards: &Guards,
    wechat: Option<&Wechat>,
    now: DateTime<Utc>,
    member_id: &str,
    proof: Proof<'_>,
) -> AppResult<Option<String>> {
    let conn = db.conn();
    if let Some(code) = given(proof.wechat_code) {
        let wechat = wechat.ok_or(AppError::Wechat(crate::error::WechatFailure::NotConfigured))?;
        guards.throttle.check(conn, member_id, now).await?;
        let session = crate::services::wechat::login::code2session(&wechat.client, code).await?;
        let ours = wechat_identity::Entity::find()
            .filter(wechat_identity::Column::MemberId.eq(member_id))
            .filter(wechat_identity::Column::Openid.eq(session.openid.as_str()))
            .one(conn)
            .await?
            .is_some();
        if !ours {
            failed(db, guards, member_id, now).await?;
            return Err(proof_refused("wechat_code", "password.wechat_not_bound"));
        }
        return Ok(None);
    }
    if let Some(code) = given(proof.invite_code) {
        guards.throttle.check(conn, member_id, now).await?;
        let invite = invite_code::Entity::find()
            .filter(invite_code::Column::CodeHash.eq(digest(&normalise_invite(code))))
            .filter(invite_code::Column::MemberId.eq(member_id))
            .filter(invite_code::Column::UsedAt.is_null())
            .filter(invite_code::Column::RevokedAt.is_null())
            .filter(invite_code::Column::ExpiresAt.gt(now))
            .one(conn)
            .await?;
        let Some(invite) = invite else {
            failed(db, guards, member_id, now).await?;
            return Err(proof_refused("invite_code", "password.invite_invalid"));
        };
        if !crate::services::wechat::invites::confirmed_where_needed(conn, &invite).await? {
            return Err(AppError::Validation(vec![FieldIssue::worded(
                "invite_code",
                "password.invite_unconfirmed",
                Word::AdminInviteUnconfirmed,
            )]));
        }
        return Ok(Some(invite.id));
    }
    Err(AppError::Validation(vec![FieldIssue::worded(
        "invite_code",
        "password.proof_required",
        Word::PasswordProofRequired,
    )]))
}

fn proof_refused(field: &'static str, code: &'static str) -> AppError {
    AppError::Validation(vec![FieldIssue::worded(
        field,
        code,
        Word::PasswordProofRefused,
    )])
}

/// Counts a wrong password or code towards the account's throttle.
async fn failed(db: &Db, guards: &Guards, member_id: &str, now: DateTime<Utc>) -> AppResult<()> {
    let txn = db.begin_write().await?;
    guards.throttle.failed(&*txn, member_id, now).await?;
    txn.commit().await?;
    Ok(())
}
