//! Sign-in sessions: a login starts a family of refresh tokens; each refresh replaces the token
//! it was given. Presenting a token that was already replaced means it leaked (or was replayed),
//! so the whole family is revoked and everyone holding it must sign in again. A family's id is
//! the session id its access tokens carry (`sid`), so a revoked family also ends its access
//! tokens within seconds (see [`super::revocations`]).
//!
//! Refresh and sign-out look the presented token up on a plain read first: a token that does
//! not exist, or can no longer be used, is answered without waiting for or taking the write lock,
//! so junk tokens never queue in front of the members' writes.

use chrono::{DateTime, Duration, Utc};
use jifen_shared::api::TokenResponse;
use jifen_shared::domain::MemberStatus;
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};

use super::one_time::{digest, random_token};
use super::throttle::AccountThrottle;
use super::tokens::TokenKeys;
use super::Guards;
use crate::entity::{member, refresh_token};
use crate::error::{AppError, AppResult, AuthFailure};
use crate::infra::changes;
use crate::infra::db::Db;
use crate::infra::ids;

async fn issue(
    db: &impl ConnectionTrait,
    keys: &TokenKeys,
    member_id: &str,
    family_id: &str,
    now: DateTime<Utc>,
) -> AppResult<TokenResponse> {
    let refresh = random_token();
    refresh_token::Entity::insert(refresh_token::ActiveModel {
        id: Set(ids::new()),
        family_id: Set(family_id.to_owned()),
        member_id: Set(member_id.to_owned()),
        token_hash: Set(digest(&refresh)),
        created_at: Set(now),
        expires_at: Set(now + Duration::days(keys.refresh_ttl_days)),
        replaced_at: Set(None),
        revoked_at: Set(None),
    })
    .exec(db)
    .await?;
    Ok(TokenResponse {
        access_token: keys.issue(member_id, family_id, now)?,
        refresh_token: refresh,
        token_type: "Bearer".into(),
        expires_in: keys.ttl_secs,
    })
}

/// Starts a session for a member who proved who they are another way (WeChat), inside the
/// caller's transaction.
pub async fn start(
    db: &impl ConnectionTrait,
    keys: &TokenKeys,
    member_id: &str,
    now: DateTime<Utc>,
) -> AppResult<TokenResponse> {
    issue(db, keys, member_id, &ids::new(), now).await
}

/// Checks a username and password and starts a session. An account with too many recent
/// failures is refused before its password is checked; every check waits for a free hasher.
pub async fn login(
    db: &Db,
    guards: &Guards,
    now: DateTime<Utc>,
    keys: &TokenKeys,
    username: &str,
    password: &str,
) -> AppResult<TokenResponse> {
    let conn = db.conn();
    let found = member::Entity::find()
        .filter(member::Column::Username.eq(username.trim()))
        .one(conn)
        .await?
        .filter(|m| m.password_hash.is_some() && m.status != MemberStatus::Transferred.as_str());
    let Some(member) = found else {
        // As long as a real check, so that an unknown username cannot be told by timing; and
        // nothing is written for it.
        guards.hashers.verify_dummy(password).await?;
        return Err(AppError::Unauthorized(AuthFailure::BadCredentials));
    };
    guards.throttle.check(conn, &member.id, now).await?;
    let stored = member.password_hash.clone().unwrap_or_default();
    let ok = guards.hashers.verify(password, &stored).await?;
    let txn = db.begin_write().await?;
    if !ok {
        guards.throttle.failed(&*txn, &member.id, now).await?;
        txn.commit().await?;
        return Err(AppError::Unauthorized(AuthFailure::BadCredentials));
    }
    AccountThrottle::succeeded(&*txn, &member.id).await?;
    let tokens = issue(&*txn, keys, &member.id, &ids::new(), now).await?;
    txn.commit().await?;
    Ok(tokens)
}

async fn find(
    db: &impl ConnectionTrait,
    presented: &str,
) -> AppResult<Option<refresh_token::Model>> {
    let presented = presented.trim();
    if presented.is_empty() {
        return Ok(None);
    }
    Ok(refresh_token::Entity::find()
        .filter(refresh_token::Column::TokenHash.eq(digest(presented)))
        .one(db)
        .await?)
}

/// Replaces a refresh token with a new one (and a new access token). Of two uses of one token,
/// even at the same moment on two instances, exactly one wins: the replacement is one
/// conditional update, and the loser is taken for a replay.
pub async fn refresh(
    db: &Db,
    now: DateTime<Utc>,
    keys: &TokenKeys,
    presented: &str,
) -> AppResult<TokenResponse> {
    let invalid = AppError::Unauthorized(AuthFailure::InvalidRefreshToken);
    let Some(token) = find(db.conn(), presented).await? else {
        return Err(invalid);
    };
    if token.revoked_at.is_some() {
        // The family has ended already; nothing to write.
        return Err(if token.replaced_at.is_some() {
            AppError::Unauthorized(AuthFailure::RefreshTokenReused)
        } else {
            invalid
        });
    }
    if token.replaced_at.is_some() {
        return Err(reused(db, &token, now).await?);
    }
    if token.expires_at <= now {
        return Err(invalid);
    }
    let still_member = member::Entity::find_by_id(token.member_id.clone())
        .one(db.conn())
        .await?
        .is_some_and(|m| m.status != MemberStatus::Transferred.as_str());
    if !still_member {
        return Err(invalid);
    }
    let txn = db.begin_write().await?;
    let replaced = refresh_token::Entity::update_many()
        .col_expr(refresh_token::Column::ReplacedAt, Expr::value(now))
        .filter(refresh_token::Column::Id.eq(token.id.as_str()))
        .filter(refresh_token::Column::ReplacedAt.is_null())
        .filter(refresh_token::Column::RevokedAt.is_null())
        .exec(&*txn)
        .await?
        .rows_affected;
    if replaced != 1 {
        // Another use of the same token got there first.
        drop(txn);
        return Err(reused(db, &token, now).await?);
    }
    let tokens = issue(&*txn, keys, &token.member_id, &token.family_id, now).await?;
    txn.commit().await?;
    Ok(tokens)
}

/// A replaced token came back: the whole family is revoked. Answers the error to return.
async fn reused(db: &Db, token: &refresh_token::Model, now: DateTime<Utc>) -> AppResult<AppError> {
    let txn = db.begin_write().await?;
    revoke_family(&*txn, &token.family_id, now).await?;
    txn.commit().await?;
    tracing::warn!(family = %token.family_id, member = %token.member_id, "refresh token reused; session revoked");
    Ok(AppError::Unauthorized(AuthFailure::RefreshTokenReused))
}

/// Ends the session the refresh token belongs to. Unknown or ended tokens are ignored, without
/// the write lock: logging out twice is not an error.
pub async fn logout(db: &Db, now: DateTime<Utc>, presented: &str) -> AppResult<()> {
    let Some(token) = find(db.conn(), presented).await? else {
        return Ok(());
    };
    if token.revoked_at.is_some() {
        return Ok(());
    }
    let txn = db.begin_write().await?;
    revoke_family(&*txn, &token.family_id, now).await?;
    txn.commit().await?;
    Ok(())
}

/// Ends every session of the member but `keep` (the caller's own), inside the caller's
/// transaction; their access tokens stop working within seconds.
pub async fn end_others(
    db: &impl ConnectionTrait,
    member_id: &str,
    keep: &str,
    now: DateTime<Utc>,
) -> AppResult<u64> {
    changes::touch(db, changes::SESSIONS).await?;
    Ok(refresh_token::Entity::update_many()
        .col_expr(refresh_token::Column::RevokedAt, Expr::value(now))
        .filter(refresh_token::Column::MemberId.eq(member_id))
        .filter(refresh_token::Column::FamilyId.ne(keep))
        .filter(refresh_token::Column::RevokedAt.is_null())
        .exec(db)
        .await?
        .rows_affected)
}

async fn revoke_family(
    db: &impl ConnectionTrait,
    family_id: &str,
    now: DateTime<Utc>,
) -> AppResult<()> {
    changes::touch(db, changes::SESSIONS).await?;
    refresh_token::Entity::update_many()
        .col_expr(refresh_token::Column::RevokedAt, Expr::value(now))
        .filter(refresh_token::Column::FamilyId.eq(family_id))
        .filter(refresh_token::Column::RevokedAt.is_null())
        .exec(db)
        .await?;
    Ok(())
}
