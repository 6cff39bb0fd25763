//! Leave (请假): a member asks, with a reason, before the meeting closes; the secretary grants
//! or refuses (with a reason). Granted leave earns nothing and loses nothing when the meeting
//! closes. Audited.

use chrono::{DateTime, Utc};
use jifen_shared::api::LeaveRequestView;
use jifen_shared::domain::{LeaveStatus, Reason};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel,
    QueryFilter,
};
use serde_json::json;

use crate::entity::{leave_request, meeting, member};
use crate::error::{AppError, AppResult, MeetingRefusal, Missing, Refusal};
use crate::infra::db::Db;
use crate::infra::ids;
use crate::services::access::Access;
use crate::services::audit::{self, Event};

/// The member asks for leave from a meeting they are expected at.
pub async fn ask(
    db: &Db,
    now: DateTime<Utc>,
    access: &Access,
    meeting_id: &str,
    reason: Reason,
) -> AppResult<LeaveRequestView> {
    let conn = db.conn();
    let m = super::visible(conn, access, meeting_id).await?;
    if !super::is_expected(conn, &m, access.id()).await? {
        return Err(AppError::Forbidden(Refusal::NotExpected));
    }
    let txn = db.begin_write().await?;
    audit::lock_chain(&*txn, &m.org_unit_id).await?;
    let m = fresh(&*txn, &m.id).await?;
    if m.closed_at.is_some() {
        return Err(AppError::Meeting(MeetingRefusal::Closed));
    }
    if super::checkin::attendance_of(&*txn, &m.id, access.id())
        .await?
        .is_some()
    {
        return Err(AppError::Meeting(MeetingRefusal::LeaveAfterCheckin));
    }
    let asked = leave_request::Entity::find()
        .filter(leave_request::Column::MeetingId.eq(m.id.clone()))
        .filter(leave_request::Column::MemberId.eq(access.id()))
        .one(&*txn)
        .await?;
    if asked.is_some() {
        return Err(AppError::Meeting(MeetingRefusal::LeaveAlreadyAsked));
    }
    let row = leave_request::Model {
        id: ids::new(),
        meeting_id: m.id.clone(),
        member_id: access.id().to_owned(),
        reason: reason.into_inner(),
        status: LeaveStatus::Waiting.as_str().to_owned(),
        created_at: now,
        decided_by: None,
        decided_at: None,
        decision_reason: None,
    };
    leave_request::Entity::insert(row.clone().into_active_model())
        .exec(&*txn)
        .await?;
    audit::record(
        &*txn,
        Event {
            chain_id: &m.org_unit_id,
            actor_id: Some(access.id()),
            action: "meeting.leave_asked",
            entity_type: "leave_request",
            entity_id: &row.id,
            before: None,
            after: Some(json!({ "meeting_id": m.id, "member_id": row.member_id })),
            reason: Some(&row.reason),
        },
        now,
    )
    .await?;
    txn.commit().await?;
    super::leave_view(row, access.member.name.clone())
}

async fn fresh(db: &impl ConnectionTrait, meeting_id: &str) -> AppResult<meeting::Model> {
    meeting::Entity::find_by_id(meeting_id.to_owned())
        .one(db)
        .await?
        .ok_or(AppError::NotFound(Missing::Meeting))
}

/// What the secretary decides.
pub enum Decision {
    Grant,
    Refuse(Reason),
}

/// The secretary of the meeting's unit (or an administrator above) grants or refuses, once,
/// before the meeting closes.
pub async fn decide(
    db: &Db,
    now: DateTime<Utc>,
    access: &Access,
    leave_id: &str,
    decision: Decision,
) -> AppResult<LeaveRequestView> {
    let conn = db.conn();
    let not_found = || AppError::NotFound(Missing::LeaveRequest);
    if !ids::is_valid(leave_id) {
        return Err(not_found());
    }
    let leave = leave_request::Entity::find_by_id(leave_id.to_owned())
        .one(conn)
        .await?
        .ok_or_else(not_found)?;
    let m = super::visible(conn, access, &leave.meeting_id)
        .await
        .map_err(|_| not_found())?;
    if !access.can_manage(conn, &m.org_unit_id).await? {
        return Err(AppError::Forbidden(Refusal::Role));
    }
    let txn = db.begin_write().await?;
    audit::lock_chain(&*txn, &m.org_unit_id).await?;
    let m = fresh(&*txn, &m.id).await?;
    if m.closed_at.is_some() {
        return Err(AppError::Meeting(MeetingRefusal::Closed));
    }
    let leave = leave_request::Entity::find_by_id(leave_id.to_owned())
        .one(&*txn)
        .await?
        .ok_or_else(not_found)?;
    if leave.status()? != LeaveStatus::Waiting {
        return Err(AppError::Meeting(MeetingRefusal::LeaveDecided));
    }
    let (status, reason) = match decision {
        Decision::Grant => (LeaveStatus::Granted, None),
        Decision::Refuse(r) => (LeaveStatus::Refused, Some(r.into_inner())),
    };
    let mut active = leave.clone().into_active_model();
    active.status = Set(status.as_str().to_owned());
    active.decided_by = Set(Some(access.id().to_owned()));
    active.decided_at = Set(Some(now));
    active.decision_reason = Set(reason.clone());
    let updated = active.update(&*txn).await?;
    audit::record(
        &*txn,
        Event {
            chain_id: &m.org_unit_id,
            actor_id: Some(access.id()),
            action: match status {
                LeaveStatus::Granted => "meeting.leave_granted",
                _ => "meeting.leave_refused",
            },
            entity_type: "leave_request",
            entity_id: &updated.id,
            before: Some(json!({ "status": leave.status })),
            after: Some(json!({ "status": status.as_str(), "meeting_id": m.id })),
            reason: reason.as_deref(),
        },
        now,
    )
    .await?;
    txn.commit().await?;
    let name = member::Entity::find_by_id(updated.member_id.clone())
        .one(conn)
        .await?
        .map(|mb| mb.name)
        .unwrap_or_default();
    super::leave_view(updated, name)
}
