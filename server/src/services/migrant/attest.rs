//! The migrant organisation's co-signature (证明) on a deed of one of its attached members: it
//! does not decide the deed, which stays with the home branch, but tells the home committee that
//! someone in the city vouches for it. Recorded once per organisation, in the home branch's
//! chain, so it shows in the deed's history.

use chrono::{DateTime, Utc};
use jifen_shared::domain::{DeedStatus, Reason};
use sea_orm::{ConnectionTrait, EntityTrait, SqlErr};
use serde_json::json;

use crate::entity::{deed, deed_attestation, member};
use crate::error::{AppError, AppResult, AttestRefusal, Missing, Refusal};
use crate::infra::db::Db;
use crate::infra::ids;
use crate::services::access::Access;
use crate::services::audit::{self, Event};
use crate::services::deeds;

/// The unit the caller attests for: the migrant organisation the deed's member is attached to,
/// if the caller sits on its committee.
async fn attesting_unit(
    db: &impl ConnectionTrait,
    access: &Access,
    d: &deed::Model,
) -> AppResult<String> {
    let unit = member::Entity::find_by_id(d.member_id.clone())
        .one(db)
        .await?
        .and_then(|m| m.migrant_org_id)
        .filter(|u| super::sits_on(access, u));
    unit.ok_or(AppError::Forbidden(Refusal::Role))
}

/// Co-signs a deed; the caller must sit on the committee of the member's migrant organisation.
/// Anyone who cannot see the deed gets 404; its home committee, who can, 403.
pub async fn attest(
    db: &Db,
    now: DateTime<Utc>,
    access: &Access,
    deed_id: &str,
    comment: Reason,
) -> AppResult<deed::Model> {
    let conn = db.conn();
    let (found, standing) = deeds::visible(conn, access, deed_id).await?;
    if !standing.attestor && standing.owner {
        return Err(AppError::Forbidden(Refusal::SelfReview));
    }
    let unit = attesting_unit(conn, access, &found).await?;
    let txn = db.begin_write().await?;
    audit::lock_chain(&*txn, &found.branch_id).await?;
    let current = deed::Entity::find_by_id(found.id.clone())
        .one(&*txn)
        .await?
        .ok_or(AppError::NotFound(Missing::Deed))?;
    if matches!(
        current.status()?,
        DeedStatus::Withdrawn | DeedStatus::Rejected | DeedStatus::Revoked
    ) {
        return Err(AppError::Attest(AttestRefusal::Closed));
    }
    let row = deed_attestation::Model {
        id: ids::new(),
        deed_id: current.id.clone(),
        org_unit_id: unit,
        attested_by: access.id().to_owned(),
        comment: comment.as_str().to_owned(),
        created_at: now,
    };
    if let Err(e) =
        deed_attestation::Entity::insert(deed_attestation::ActiveModel::from(row.clone()))
            .exec(&*txn)
            .await
    {
        return Err(match e.sql_err() {
            Some(SqlErr::UniqueConstraintViolation(_)) => AppError::Attest(AttestRefusal::Already),
            _ => e.into(),
        });
    }
    audit::record(
        &*txn,
        Event {
            chain_id: &current.branch_id,
            actor_id: Some(access.id()),
            action: "deed.attested",
            entity_type: "deed",
            entity_id: &current.id,
            before: None,
            after: Some(json!({"status": current.status, "org_unit_id": row.org_unit_id, "comment": row.comment})),
            reason: Some(&row.comment),
        },
        now,
    )
    .await?;
    txn.commit().await?;
    Ok(current)
}
