//! A branch's WeChat invites as its secretary (or an administrator above it) keeps them: the
//! codes issued and not yet used, the requests for role holders' codes that wait for a second
//! person (see [`crate::services::wechat::invites`], which issues both), and revoking either.
//! A code is never shown again after it is issued: only its hash is stored.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use jifen_shared::api::{BranchInvites, OpenInvite};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use serde_json::json;

use crate::entity::{invite_code, invite_request, member};
use crate::error::{AppError, AppResult, Missing};
use crate::infra::db::Db;
use crate::infra::ids;
use crate::services::access::{managed_branch, Access};
use crate::services::audit::{self, Event};
use crate::services::wechat::invites as issued;

async fn names(
    db: &impl ConnectionTrait,
    ids: impl IntoIterator<Item = String>,
) -> AppResult<HashMap<String, String>> {
    Ok(member::Entity::find()
        .filter(member::Column::Id.is_in(ids))
        .all(db)
        .await?
        .into_iter()
        .map(|m| (m.id, m.name))
        .collect())
}

/// The branch's open codes and waiting requests, oldest first.
pub async fn list(
    db: &impl ConnectionTrait,
    now: DateTime<Utc>,
    access: &Access,
    branch_id: &str,
) -> AppResult<BranchInvites> {
    if !ids::is_valid(branch_id) {
        return Err(AppError::NotFound(Missing::OrgUnit));
    }
    let branch = managed_branch(db, access, branch_id).await?;
    let members = names(
        db,
        member::Entity::find()
            .filter(member::Column::HomeBranchId.eq(branch.id.as_str()))
            .all(db)
            .await?
            .into_iter()
            .map(|m| m.id),
    )
    .await?;
    let codes = invite_code::Entity::find()
        .filter(invite_code::Column::MemberId.is_in(members.keys().cloned()))
        .filter(invite_code::Column::UsedAt.is_null())
        .filter(invite_code::Column::RevokedAt.is_null())
        .filter(invite_code::Column::ExpiresAt.gt(now))
        .order_by_asc(invite_code::Column::CreatedAt)
        .order_by_asc(invite_code::Column::Id)
        .all(db)
        .await?;
    let issuers = names(db, codes.iter().map(|c| c.created_by.clone())).await?;
    let open = codes
        .into_iter()
        .map(|c| OpenInvite {
            member_name: members.get(&c.member_id).cloned().unwrap_or_default(),
            issued_by_name: issuers.get(&c.created_by).cloned().unwrap_or_default(),
            id: c.id,
            member_id: c.member_id,
            issued_by: c.created_by,
            issued_at: c.created_at,
            expires_at: c.expires_at,
        })
        .collect();
    let requests = issued::pending(db, now, access, &branch.id).await?;
    Ok(BranchInvites { open, requests })
}

/// What an invite id names: an open code or a waiting request, with its member.
enum Open {
    Code(invite_code::Model),
    Request(invite_request::Model),
}

async fn find_open(db: &impl ConnectionTrait, now: DateTime<Utc>, id: &str) -> AppResult<Open> {
    if let Some(c) = invite_code::Entity::find_by_id(id.to_owned())
        .one(db)
        .await?
        .filter(|c| c.used_at.is_none() && c.revoked_at.is_none() && c.expires_at > now)
    {
        return Ok(Open::Code(c));
    }
    invite_request::Entity::find_by_id(id.to_owned())
        .one(db)
        .await?
        .filter(|r| r.confirmed_at.is_none() && r.revoked_at.is_none() && r.expires_at > now)
        .map(Open::Request)
        .ok_or(AppError::NotFound(Missing::OpenInvite))
}

/// Revokes an open code (it no longer binds) or a waiting request (it can no longer be
/// confirmed), for the secretary of the member's branch or an administrator above it.
pub async fn revoke(db: &Db, now: DateTime<Utc>, access: &Access, id: &str) -> AppResult<()> {
    let missing = || AppError::NotFound(Missing::OpenInvite);
    if !ids::is_valid(id) {
        return Err(missing());
    }
    let txn = db.begin_write().await?;
    let open = find_open(&*txn, now, id).await?;
    let member_id = match &open {
        Open::Code(c) => c.member_id.clone(),
        Open::Request(r) => r.member_id.clone(),
    };
    let member = member::Entity::find_by_id(member_id)
        .one(&*txn)
        .await?
        .ok_or_else(missing)?;
    if let Err(e) = managed_branch(&*txn, access, &member.home_branch_id).await {
        return Err(match e {
            AppError::NotFound(_) => missing(),
            other => other,
        });
    }
    // Only what is still open: a code used, or a request confirmed, at this moment stays so.
    let (revoked, after) = match &open {
        Open::Code(c) => (
            invite_code::Entity::update_many()
                .col_expr(invite_code::Column::RevokedAt, Expr::value(now))
                .filter(invite_code::Column::Id.eq(c.id.as_str()))
                .filter(invite_code::Column::UsedAt.is_null())
                .filter(invite_code::Column::RevokedAt.is_null())
                .exec(&*txn)
                .await?
                .rows_affected,
            json!({"invite_id": c.id}),
        ),
        Open::Request(r) => (
            invite_request::Entity::update_many()
                .col_expr(invite_request::Column::RevokedAt, Expr::value(now))
                .filter(invite_request::Column::Id.eq(r.id.as_str()))
                .filter(invite_request::Column::ConfirmedAt.is_null())
                .filter(invite_request::Column::RevokedAt.is_null())
                .exec(&*txn)
                .await?
                .rows_affected,
            json!({"request_id": r.id}),
        ),
    };
    if revoked != 1 {
        return Err(missing());
    }
    audit::record(
        &*txn,
        Event {
            chain_id: &member.home_branch_id,
            actor_id: Some(access.id()),
            action: "wechat.invite_revoked",
            entity_type: "member",
            entity_id: &member.id,
            before: None,
            after: Some(after),
            reason: None,
        },
        now,
    )
    .await?;
    txn.commit().await?;
    Ok(())
}
