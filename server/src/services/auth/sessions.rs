//! Sign-in sessions: a login starts a family of refresh tokens; each refresh replaces the token
//! it was given. Presenting a token that was already replaced means it leaked (or was replayed),
//! so the whole family is revoked and everyone holding it must sign in again.

use chrono::{DateTime, Duration, Utc};
use jifen_shared::api::TokenResponse;
use jifen_shared::domain::MemberStatus;
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};

use super::one_time::{digest, random_token};
use super::tokens::TokenKeys;
use crate::entity::{member, refresh_token};
use crate::error::{AppError, AppResult, AuthFailure};
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
        access_token: keys.issue(member_id, now)?,
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

/// Checks a username and password and starts a session.
pub async fn login(
    db: &Db,
    now: DateTime<Utc>,
    keys: &TokenKeys,
    username: &str,
    password: &str,
) -> AppResult<TokenResponse> {
    let conn = db.conn();
    let found = member::Entity::find()
        .filter(member::Column::Username.eq(username.trim()))
        .one(conn)
        .await?;
    let password = password.to_owned();
    let member = match found {
        Some(m) if m.password_hash.is_some() && m.status()? != MemberStatus::Transferred => {
            let stored = m.password_hash.clone().unwrap_or_default();
            let ok =
                tokio::task::spawn_blocking(move || super::password::verify(&password, &stored))
                    .await
                    .map_err(|e| AppError::Internal(e.into()))?;
            if !ok {
                return Err(AppError::Unauthorized(AuthFailure::BadCredentials));
            }
            m
        }
        _ => {
            tokio::task::spawn_blocking(move || super::password::verify_dummy(&password))
                .await
                .map_err(|e| AppError::Internal(e.into()))?;
            return Err(AppError::Unauthorized(AuthFailure::BadCredentials));
        }
    };
    let txn = db.begin_write().await?;
    let tokens = issue(&*txn, keys, &member.id, &ids::new(), now).await?;
    txn.commit().await?;
    Ok(tokens)
}

/// Replaces a refresh token with a new one (and a new access token).
pub async fn refresh(
    db: &Db,
    now: DateTime<Utc>,
    keys: &TokenKeys,
    presented: &str,
) -> AppResult<TokenResponse> {
    let txn = db.begin_write().await?;
    let Some(token) = refresh_token::Entity::find()
        .filter(refresh_token::Column::TokenHash.eq(digest(presented.trim())))
        .one(&*txn)
        .await?
    else {
        return Err(AppError::Unauthorized(AuthFailure::InvalidRefreshToken));
    };
    if token.replaced_at.is_some() {
        revoke_family(&*txn, &token.family_id, now).await?;
        txn.commit().await?;
        tracing::warn!(family = %token.family_id, member = %token.member_id, "refresh token reused; session revoked");
        return Err(AppError::Unauthorized(AuthFailure::RefreshTokenReused));
    }
    if token.revoked_at.is_some() || token.expires_at <= now {
        return Err(AppError::Unauthorized(AuthFailure::InvalidRefreshToken));
    }
    let still_member = member::Entity::find_by_id(token.member_id.clone())
        .one(&*txn)
        .await?
        .map(|m| m.status())
        .transpose()?
        .is_some_and(|s| s != MemberStatus::Transferred);
    if !still_member {
        return Err(AppError::Unauthorized(AuthFailure::InvalidRefreshToken));
    }
    refresh_token::Entity::update_many()
        .col_expr(refresh_token::Column::ReplacedAt, Expr::value(now))
        .filter(refresh_token::Column::Id.eq(token.id.clone()))
        .exec(&*txn)
        .await?;
    let tokens = issue(&*txn, keys, &token.member_id, &token.family_id, now).await?;
    txn.commit().await?;
    Ok(tokens)
}

/// Ends the session the refresh token belongs to. Unknown tokens are ignored: logging out twice
/// is not an error.
pub async fn logout(db: &Db, now: DateTime<Utc>, presented: &str) -> AppResult<()> {
    let txn = db.begin_write().await?;
    if let Some(token) = refresh_token::Entity::find()
        .filter(refresh_token::Column::TokenHash.eq(digest(presented.trim())))
        .one(&*txn)
        .await?
    {
        revoke_family(&*txn, &token.family_id, now).await?;
    }
    txn.commit().await?;
    Ok(())
}

async fn revoke_family(
    db: &impl ConnectionTrait,
    family_id: &str,
    now: DateTime<Utc>,
) -> AppResult<()> {
    refresh_token::Entity::update_many()
        .col_expr(refresh_token::Column::RevokedAt, Expr::value(now))
        .filter(refresh_token::Column::FamilyId.eq(family_id))
        .filter(refresh_token::Column::RevokedAt.is_null())
        .exec(db)
        .await?;
    Ok(())
}
