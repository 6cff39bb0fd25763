//! Moving a member to another branch (组织关系转接). The origin sends: its secretary or an
//! administrator above it transfers the member to another branch of the same county (the same
//! top-level unit), found by id or public code; the destination need not be managed by the
//! sender, as a transfer letter goes from one branch to another. A branch outside the county is
//! answered as one that does not exist (404), so that the ids of other counties cannot be
//! probed. The destination's secretaries are told in the inbox.
//!
//! Where the points count afterwards: ledger entries keep the `branch_id` of the branch that
//! wrote them, so the branch ledger and its export still list them under the branch where they
//! were earned, and the member's own account (all their entries, whatever the branch) keeps its
//! total. Statistics, the quarter board, alerts and grades count a member and their year's
//! points under the branch they belong to now: after the move the old branch's figures no
//! longer include the member, and the new branch's include them with the points earned before
//! it. The member joins the destination without a new share of the year's base points: they
//! received their share in the origin. Both chains record the move.

use chrono::{DateTime, Utc};
use jifen_shared::api::{RosterMember, TransferRequest};
use jifen_shared::domain::{OrgKind, Role};
use jifen_shared::words::Word;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter,
};
use serde_json::json;

use super::members::phone_holder;
use super::views::roster_member;
use super::{managed_member, refuse_left, refuse_office_holder};
use crate::entity::{member, org_unit, role_assignment};
use crate::error::{AppError, AppResult, FieldIssue, Missing};
use crate::infra::db::Db;
use crate::services::access::Access;
use crate::services::audit::{self, Event};
use crate::services::orgs::tree;
use crate::services::{notify, orgs};

pub async fn transfer(
    db: &Db,
    now: DateTime<Utc>,
    access: &Access,
    member_id: &str,
    req: TransferRequest,
) -> AppResult<RosterMember> {
    let (found, origin) = managed_member(db.conn(), access, member_id).await?;
    refuse_left(&found)?;
    let dest = destination(db.conn(), &origin, req.branch_id.trim()).await?;
    if dest.id == origin.id {
        return Err(AppError::Validation(vec![FieldIssue::worded(
            "branch_id",
            "member.same_branch",
            Word::RosterSameBranch,
        )]));
    }
    refuse_office_holder(db.conn(), &found.id).await?;
    let txn = db.begin_write().await?;
    // Both chains, in a fixed order so that two opposite transfers cannot wait on each other.
    let (first, second) = if origin.id < dest.id {
        (&origin.id, &dest.id)
    } else {
        (&dest.id, &origin.id)
    };
    audit::lock_chain(&*txn, first).await?;
    audit::lock_chain(&*txn, second).await?;
    let current = member::Entity::find_by_id(found.id.clone())
        .one(&*txn)
        .await?
        .filter(|m| m.home_branch_id == origin.id)
        .ok_or(AppError::NotFound(Missing::Member))?;
    refuse_left(&current)?;
    refuse_office_holder(&*txn, &current.id).await?;
    if let Some(p) = &current.phone {
        if phone_holder(&*txn, &dest.id, p, Some(&current.id))
            .await?
            .is_some()
        {
            return Err(AppError::Validation(vec![FieldIssue::worded(
                "branch_id",
                "member.phone_taken",
                Word::PhoneTaken,
            )]));
        }
    }
    let mut row: member::ActiveModel = current.clone().into();
    row.home_branch_id = Set(dest.id.clone());
    let moved = row.update(&*txn).await?;
    // Who sees what changes: every kept answer goes (see crate::infra::changes).
    crate::infra::changes::touch(&*txn, crate::infra::changes::EVERYTHING).await?;
    // The plain membership moves with the member; offices were refused above.
    let old_roles = role_assignment::Entity::find()
        .filter(role_assignment::Column::MemberId.eq(current.id.as_str()))
        .filter(role_assignment::Column::OrgUnitId.eq(origin.id.as_str()))
        .all(&*txn)
        .await?;
    role_assignment::Entity::delete_many()
        .filter(role_assignment::Column::MemberId.eq(current.id.as_str()))
        .filter(role_assignment::Column::OrgUnitId.eq(origin.id.as_str()))
        .exec(&*txn)
        .await?;
    let moves = json!({
        "from_branch_id": origin.id, "from_branch": origin.name,
        "to_branch_id": dest.id, "to_branch": dest.name,
    });
    for (chain, action) in [
        (&origin.id, "member.transferred_out"),
        (&dest.id, "member.transferred_in"),
    ] {
        audit::record(
            &*txn,
            Event {
                chain_id: chain,
                actor_id: Some(access.id()),
                action,
                entity_type: "member",
                entity_id: &current.id,
                before: Some(json!({ "home_branch_id": origin.id })),
                after: Some(json!({ "home_branch_id": dest.id, "transfer": moves })),
                reason: None,
            },
            now,
        )
        .await?;
    }
    for r in old_roles {
        audit::record(
            &*txn,
            Event {
                chain_id: &origin.id,
                actor_id: Some(access.id()),
                action: "role.revoked",
                entity_type: "role_assignment",
                entity_id: &r.id,
                before: Some(
                    json!({"member_id": r.member_id, "org_unit_id": r.org_unit_id, "role": r.role}),
                ),
                after: None,
                reason: None,
            },
            now,
        )
        .await?;
    }
    orgs::grant_role(
        &*txn,
        &current.id,
        &dest.id,
        Role::Member,
        Some(access.id()),
        now,
    )
    .await?;
    let secretaries = role_assignment::Entity::find()
        .filter(role_assignment::Column::OrgUnitId.eq(dest.id.as_str()))
        .filter(role_assignment::Column::Role.eq(Role::Secretary.as_str()))
        .all(&*txn)
        .await?;
    for s in secretaries {
        notify::member_transferred_in(&*txn, &s.member_id, &current.name, &origin.name, now)
            .await?;
    }
    txn.commit().await?;
    roster_member(db.conn(), moved).await
}

/// The branch named by `wanted` (an id or a public code), if it is in the origin's county:
/// 404 alike for a unit that does not exist, one that is no branch and one of another county.
async fn destination(
    db: &impl ConnectionTrait,
    origin: &org_unit::Model,
    wanted: &str,
) -> AppResult<org_unit::Model> {
    let missing = || AppError::NotFound(Missing::OrgUnit);
    if wanted.is_empty() {
        return Err(missing());
    }
    let dest = orgs::find_org(db, wanted).await?;
    if dest.kind()? != OrgKind::Branch {
        return Err(missing());
    }
    let county_of = |chain: Vec<String>| chain.last().cloned();
    let county = county_of(tree::ancestor_ids(db, &origin.id).await?);
    if county.is_none() || county != county_of(tree::ancestor_ids(db, &dest.id).await?) {
        return Err(missing());
    }
    Ok(dest)
}
