//! Marking a member as having left the branch (status `transferred`: moved away with no branch
//! in Jifen to receive them, or passed away). Their record and ledger entries stay; they are no
//! longer counted as taking part ([`crate::services::orgs::taking_part`]), and their sessions end:
//! the session check refuses every access token of a transferred member within about a second,
//! and their refresh tokens no longer refresh (see [`crate::services::auth::revocations`]).
//! Unused invite codes are revoked, so nobody binds WeChat to the record afterwards.

use chrono::{DateTime, Utc};
use jifen_shared::api::RosterMember;
use jifen_shared::domain::MemberStatus;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

use super::members::{apply_as, Edit};
use super::views::roster_member;
use super::{managed_member, refuse_left, refuse_office_holder};
use crate::entity::{invite_code, member};
use crate::error::{AppError, AppResult, Missing};
use crate::infra::db::Db;
use crate::services::access::Access;
use crate::services::audit;

pub async fn deactivate(
    db: &Db,
    now: DateTime<Utc>,
    access: &Access,
    member_id: &str,
) -> AppResult<RosterMember> {
    let (found, branch) = managed_member(db.conn(), access, member_id).await?;
    refuse_left(&found)?;
    refuse_office_holder(db.conn(), &found.id).await?;
    let txn = db.begin_write().await?;
    audit::lock_chain(&*txn, &branch.id).await?;
    let current = member::Entity::find_by_id(found.id.clone())
        .one(&*txn)
        .await?
        .filter(|m| m.home_branch_id == branch.id)
        .ok_or(AppError::NotFound(Missing::Member))?;
    refuse_left(&current)?;
    refuse_office_holder(&*txn, &current.id).await?;
    let edit = Edit {
        status: Some(MemberStatus::Transferred),
        ..Edit::default()
    };
    let left = apply_as(
        &*txn,
        &current,
        &edit,
        "member.left",
        Some(access.id()),
        now,
    )
    .await?;
    // Who sees what changes: every kept answer goes (see crate::infra::changes).
    crate::infra::changes::touch(&*txn, crate::infra::changes::EVERYTHING).await?;
    invite_code::Entity::update_many()
        .col_expr(invite_code::Column::RevokedAt, Expr::value(now))
        .filter(invite_code::Column::MemberId.eq(current.id.as_str()))
        .filter(invite_code::Column::UsedAt.is_null())
        .filter(invite_code::Column::RevokedAt.is_null())
        .exec(&*txn)
        .await?;
    txn.commit().await?;
    roster_member(db.conn(), left).await
}
