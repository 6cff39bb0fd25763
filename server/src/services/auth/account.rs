//! A member's own sign-in settings: the password for the web app. A member who came in through
//! WeChat has none until they set one here.

use chrono::{DateTime, Utc};
use jifen_shared::domain::NewPassword;
use jifen_shared::words::Word;
use sea_orm::{ActiveModelTrait, ActiveValue::Set, EntityTrait};

use crate::entity::member;
use crate::error::{AppError, AppResult, AuthFailure, FieldIssue, Missing};
use crate::infra::db::Db;
use crate::services::audit::{self, Event};

/// Sets the member's password. When one is set already, `current` must match it.
pub async fn set_password(
    db: &Db,
    now: DateTime<Utc>,
    member_id: &str,
    current: Option<&str>,
    new: &str,
) -> AppResult<()> {
    let new = NewPassword::parse(new).map_err(|e| AppError::field("new_password", &e))?;
    let found = member::Entity::find_by_id(member_id.to_owned())
        .one(db.conn())
        .await?
        .ok_or(AppError::NotFound(Missing::Member))?;
    if let Some(stored) = found.password_hash.clone() {
        let Some(current) = current.map(str::to_owned) else {
            return Err(AppError::Validation(vec![FieldIssue::worded(
                "current_password",
                "password.current_required",
                Word::EnterYourCurrentPassword,
            )]));
        };
        let ok = tokio::task::spawn_blocking(move || super::password::verify(&current, &stored))
            .await
            .map_err(|e| AppError::Internal(e.into()))?;
        if !ok {
            return Err(AppError::Unauthorized(AuthFailure::BadCredentials));
        }
    }
    let secret = new.expose().to_owned();
    let hash = tokio::task::spawn_blocking(move || super::password::hash(&secret))
        .await
        .map_err(|e| AppError::Internal(e.into()))??;
    let txn = db.begin_write().await?;
    let had_password = found.password_hash.is_some();
    let branch = found.home_branch_id.clone();
    let mut active: member::ActiveModel = found.into();
    active.password_hash = Set(Some(hash));
    active.update(&*txn).await?;
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
            after: None,
            reason: None,
        },
        now,
    )
    .await?;
    txn.commit().await?;
    Ok(())
}
