//! A member checks in: on site with the code on the secretary's screen, or from afar where the
//! meeting allows it; within [starts_at − 30 min, ends_at], once.

use chrono::{DateTime, Utc};
use jifen_shared::api::{CheckinRequest, CheckinView};
use jifen_shared::domain::AttendanceMode;
use jifen_shared::words::Word;
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use serde_json::json;

use super::code::CheckinKey;
use crate::entity::{meeting, meeting_attendance};
use crate::error::{AppError, AppResult, FieldIssue, MeetingRefusal, Refusal};
use crate::infra::db::Db;
use crate::infra::ids;
use crate::services::access::Access;
use crate::services::audit::{self, Event};

/// How the member says they are there.
pub enum Presence {
    OnSite { code: String },
    Remote,
}

impl TryFrom<CheckinRequest> for Presence {
    type Error = AppError;

    fn try_from(r: CheckinRequest) -> AppResult<Self> {
        match (r.remote, r.code.filter(|c| !c.trim().is_empty())) {
            (true, _) => Ok(Presence::Remote),
            (false, Some(code)) => Ok(Presence::OnSite { code }),
            (false, None) => Err(AppError::Validation(vec![FieldIssue::worded(
                "code",
                "meeting.code_missing",
                Word::MeetingCodeMissing,
            )])),
        }
    }
}

pub async fn checkin(
    db: &Db,
    now: DateTime<Utc>,
    key: &CheckinKey,
    access: &Access,
    meeting_id: &str,
    presence: Presence,
) -> AppResult<CheckinView> {
    let conn = db.conn();
    let m = super::visible(conn, access, meeting_id).await?;
    if !super::is_expected(conn, &m, access.id()).await? {
        return Err(AppError::Forbidden(Refusal::NotExpected));
    }
    if m.closed_at.is_some() {
        return Err(AppError::Meeting(MeetingRefusal::Closed));
    }
    if now < super::checkin_opens_at(&m) || now > m.ends_at {
        return Err(AppError::Meeting(MeetingRefusal::NotOpen));
    }
    let mode = match presence {
        Presence::Remote if !m.remote_allowed => {
            return Err(AppError::Validation(vec![FieldIssue::worded(
                "remote",
                "meeting.remote_not_allowed",
                Word::MeetingRemoteNotAllowed,
            )]))
        }
        Presence::Remote => AttendanceMode::Remote,
        Presence::OnSite { code } if key.accepts(&m.id, &code, now) => AttendanceMode::OnSite,
        Presence::OnSite { .. } => {
            return Err(AppError::Validation(vec![FieldIssue::worded(
                "code",
                "meeting.code_invalid",
                Word::MeetingCodeInvalid,
            )]))
        }
    };
    let txn = db.begin_write().await?;
    audit::lock_chain(&*txn, &m.org_unit_id).await?;
    // Read again under the lock: a close or a first check-in may have landed meanwhile.
    let m = meeting::Entity::find_by_id(m.id.clone())
        .one(&*txn)
        .await?
        .ok_or(AppError::NotFound(crate::error::Missing::Meeting))?;
    if m.closed_at.is_some() {
        return Err(AppError::Meeting(MeetingRefusal::Closed));
    }
    if attendance_of(&*txn, &m.id, access.id()).await?.is_some() {
        return Err(AppError::Meeting(MeetingRefusal::AlreadyCheckedIn));
    }
    let row = record(&*txn, &m, access.id(), mode, None, now).await?;
    audit::record(
        &*txn,
        Event {
            chain_id: &m.org_unit_id,
            actor_id: Some(access.id()),
            action: "meeting.checked_in",
            entity_type: "meeting",
            entity_id: &m.id,
            before: None,
            after: Some(json!({ "member_id": access.id(), "mode": mode.as_str() })),
            reason: None,
        },
        now,
    )
    .await?;
    txn.commit().await?;
    Ok(CheckinView {
        meeting_id: m.id,
        member_id: row.member_id,
        mode,
        checked_in_at: row.recorded_at,
    })
}

pub async fn attendance_of(
    db: &impl ConnectionTrait,
    meeting_id: &str,
    member_id: &str,
) -> AppResult<Option<meeting_attendance::Model>> {
    Ok(meeting_attendance::Entity::find()
        .filter(meeting_attendance::Column::MeetingId.eq(meeting_id))
        .filter(meeting_attendance::Column::MemberId.eq(member_id))
        .one(db)
        .await?)
}

/// Writes one attendance line; call inside the write transaction that decides it.
pub async fn record(
    db: &impl ConnectionTrait,
    m: &meeting::Model,
    member_id: &str,
    mode: AttendanceMode,
    ledger_entry_id: Option<String>,
    now: DateTime<Utc>,
) -> AppResult<meeting_attendance::Model> {
    let row = meeting_attendance::Model {
        id: ids::new(),
        meeting_id: m.id.clone(),
        member_id: member_id.to_owned(),
        mode: mode.as_str().to_owned(),
        recorded_at: now,
        ledger_entry_id,
    };
    meeting_attendance::Entity::insert(meeting_attendance::ActiveModel {
        id: Set(row.id.clone()),
        meeting_id: Set(row.meeting_id.clone()),
        member_id: Set(row.member_id.clone()),
        mode: Set(row.mode.clone()),
        recorded_at: Set(row.recorded_at),
        ledger_entry_id: Set(row.ledger_entry_id.clone()),
    })
    .exec(db)
    .await?;
    Ok(row)
}
