//! Meetings (三会一课, 主题党日), the main source of base points. A branch, or a migrant members'
//! organisation, holds them; the members of that unit are expected (for a 支委会, only its
//! committee). Members check in with the rotating code on the secretary's screen ([`code`]), or
//! from afar where allowed, or ask for leave ([`leave`]); closing ([`close`]) marks everyone else
//! absent and writes base points by the items the meeting names.
//!
//! Which catalogue items closing writes is chosen per meeting when it is scheduled
//! (`attendance_rule_id`, a base item; `absence_rule_id`, a deduction item), so a branch whose
//! 党课 earns differently from its 主题党日 says so, and a migrant organisation (which has no
//! catalogue: the home branch awards all points) holds meetings that write none.

pub mod checkin;
pub mod close;
pub mod code;
pub mod leave;
pub mod report;
pub mod schedule;

use std::collections::HashMap;

use chrono::{DateTime, Duration, Utc};
use jifen_shared::api::{
    rate_percent, AttendanceLine, AttendanceSheet, LeaveRequestView, MeetingDetail, MeetingView,
};
use jifen_shared::domain::{AttendanceMode, LeaveStatus, MeetingKind, MemberStatus, OrgKind, Role};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};

use crate::entity::{
    leave_request, meeting, meeting_attendance, member, org_unit, role_assignment,
};
use crate::error::{AppError, AppResult, Missing, Refusal};
use crate::infra::ids;
use crate::services::access::Access;

/// Check-in opens this long before the start.
pub const EARLY_CHECKIN_MINUTES: i64 = 30;

/// When check-in opens for `m`.
pub fn checkin_opens_at(m: &meeting::Model) -> DateTime<Utc> {
    m.starts_at - Duration::minutes(EARLY_CHECKIN_MINUTES)
}

/// The unit that holds meetings: a branch or a migrant members' organisation the caller belongs
/// to or holds a role over; 404 for anything else.
pub async fn meeting_unit(
    db: &impl ConnectionTrait,
    access: &Access,
    unit_id: &str,
) -> AppResult<org_unit::Model> {
    let not_found = || AppError::NotFound(Missing::OrgUnit);
    if !ids::is_valid(unit_id) {
        return Err(not_found());
    }
    let unit = org_unit::Entity::find_by_id(unit_id.to_owned())
        .one(db)
        .await?
        .ok_or_else(not_found)?;
    if !matches!(unit.kind()?, OrgKind::Branch | OrgKind::Migrant) {
        return Err(not_found());
    }
    if !access.can_see(db, &unit.id).await? {
        return Err(not_found());
    }
    Ok(unit)
}

/// A meeting the caller may see (they belong to its unit or hold a role over it); 404 otherwise.
pub async fn visible(
    db: &impl ConnectionTrait,
    access: &Access,
    meeting_id: &str,
) -> AppResult<meeting::Model> {
    let not_found = || AppError::NotFound(Missing::Meeting);
    if !ids::is_valid(meeting_id) {
        return Err(not_found());
    }
    let m = meeting::Entity::find_by_id(meeting_id.to_owned())
        .one(db)
        .await?
        .ok_or_else(not_found)?;
    if !access.can_see(db, &m.org_unit_id).await? {
        return Err(not_found());
    }
    Ok(m)
}

/// A visible meeting, if the caller manages its unit (its secretary or an administrator above).
pub async fn managed(
    db: &impl ConnectionTrait,
    access: &Access,
    meeting_id: &str,
) -> AppResult<meeting::Model> {
    let m = visible(db, access, meeting_id).await?;
    if !access.can_manage(db, &m.org_unit_id).await? {
        return Err(AppError::Forbidden(Refusal::Role));
    }
    Ok(m)
}

/// A visible meeting, if the caller reviews its unit (committee, secretary, administrators).
pub async fn reviewed(
    db: &impl ConnectionTrait,
    access: &Access,
    meeting_id: &str,
) -> AppResult<meeting::Model> {
    let m = visible(db, access, meeting_id).await?;
    if !access.can_review(db, &m.org_unit_id).await? {
        return Err(AppError::Forbidden(Refusal::Role));
    }
    Ok(m)
}

/// The members expected at `m`, by name: the unit's members who have not left (for a migrant
/// organisation, those attached to it); for a 支委会, only those holding a committee or
/// secretary role on the unit.
pub async fn expected(
    db: &impl ConnectionTrait,
    m: &meeting::Model,
) -> AppResult<Vec<member::Model>> {
    let unit = org_unit::Entity::find_by_id(m.org_unit_id.clone())
        .one(db)
        .await?
        .ok_or(AppError::NotFound(Missing::OrgUnit))?;
    let belongs = match unit.kind()? {
        OrgKind::Migrant => member::Column::MigrantOrgId.eq(unit.id.clone()),
        _ => member::Column::HomeBranchId.eq(unit.id.clone()),
    };
    let mut members: Vec<member::Model> = member::Entity::find()
        .filter(belongs)
        .filter(member::Column::Status.ne(MemberStatus::Transferred.as_str()))
        .order_by_asc(member::Column::Name)
        .order_by_asc(member::Column::Id)
        .all(db)
        .await?;
    if m.kind()? == MeetingKind::CommitteeMeeting {
        let committee: Vec<String> = role_assignment::Entity::find()
            .filter(role_assignment::Column::OrgUnitId.eq(unit.id.clone()))
            .filter(
                role_assignment::Column::Role
                    .is_in([Role::Committee.as_str(), Role::Secretary.as_str()]),
            )
            .all(db)
            .await?
            .into_iter()
            .map(|r| r.member_id)
            .collect();
        members.retain(|mb| committee.contains(&mb.id));
    }
    Ok(members)
}

/// Whether `member_id` is expected at `m`.
pub async fn is_expected(
    db: &impl ConnectionTrait,
    m: &meeting::Model,
    member_id: &str,
) -> AppResult<bool> {
    Ok(expected(db, m).await?.iter().any(|mb| mb.id == member_id))
}

pub fn leave_view(l: leave_request::Model, member_name: String) -> AppResult<LeaveRequestView> {
    Ok(LeaveRequestView {
        status: l.status()?,
        id: l.id,
        meeting_id: l.meeting_id,
        member_id: l.member_id,
        member_name,
        reason: l.reason,
        created_at: l.created_at,
        decided_by: l.decided_by,
        decided_at: l.decided_at,
        decision_reason: l.decision_reason,
    })
}

/// The meeting as `viewer` sees it, with their own part in it.
pub async fn view(
    db: &impl ConnectionTrait,
    m: meeting::Model,
    viewer: &member::Model,
) -> AppResult<MeetingView> {
    let mine = meeting_attendance::Entity::find()
        .filter(meeting_attendance::Column::MeetingId.eq(m.id.clone()))
        .filter(meeting_attendance::Column::MemberId.eq(viewer.id.clone()))
        .one(db)
        .await?;
    let my_leave = leave_request::Entity::find()
        .filter(leave_request::Column::MeetingId.eq(m.id.clone()))
        .filter(leave_request::Column::MemberId.eq(viewer.id.clone()))
        .one(db)
        .await?
        .map(|l| leave_view(l, viewer.name.clone()))
        .transpose()?;
    let expected = is_expected(db, &m, &viewer.id).await?;
    Ok(MeetingView {
        kind: m.kind()?,
        checkin_opens_at: checkin_opens_at(&m),
        my_attendance: mine.map(|a| a.mode()).transpose()?,
        my_leave,
        expected,
        id: m.id,
        branch_id: m.org_unit_id,
        title: m.title,
        starts_at: m.starts_at,
        ends_at: m.ends_at,
        place: m.place,
        online_url: m.online_url,
        remote_allowed: m.remote_allowed,
        attendance_rule_id: m.attendance_rule_id,
        absence_rule_id: m.absence_rule_id,
        closed_at: m.closed_at,
    })
}

/// Who is there: every expected member with how they took part so far, and the counts.
pub async fn sheet(db: &impl ConnectionTrait, m: &meeting::Model) -> AppResult<AttendanceSheet> {
    let members = expected(db, m).await?;
    let mut attendance: HashMap<String, meeting_attendance::Model> =
        meeting_attendance::Entity::find()
            .filter(meeting_attendance::Column::MeetingId.eq(m.id.clone()))
            .all(db)
            .await?
            .into_iter()
            .map(|a| (a.member_id.clone(), a))
            .collect();
    let mut leaves: HashMap<String, leave_request::Model> = leave_request::Entity::find()
        .filter(leave_request::Column::MeetingId.eq(m.id.clone()))
        .all(db)
        .await?
        .into_iter()
        .map(|l| (l.member_id.clone(), l))
        .collect();
    let (mut on_site, mut remote, mut on_leave, mut missing) = (0, 0, 0, 0);
    let mut lines = Vec::with_capacity(members.len());
    for mb in members {
        let a = attendance.remove(&mb.id);
        let mode = a.as_ref().map(|a| a.mode()).transpose()?;
        let leave = leaves
            .remove(&mb.id)
            .map(|l| leave_view(l, mb.name.clone()))
            .transpose()?;
        let granted = leave
            .as_ref()
            .is_some_and(|l| l.status == LeaveStatus::Granted);
        match mode {
            Some(AttendanceMode::OnSite) => on_site += 1,
            Some(AttendanceMode::Remote) => remote += 1,
            Some(AttendanceMode::Leave) => on_leave += 1,
            Some(AttendanceMode::Absent) => missing += 1,
            None if granted => on_leave += 1,
            None => missing += 1,
        }
        lines.push(AttendanceLine {
            member_id: mb.id,
            member_name: mb.name,
            checked_in_at: a
                .as_ref()
                .filter(|_| mode.is_some_and(AttendanceMode::attended))
                .map(|a| a.recorded_at),
            ledger_entry_id: a.and_then(|a| a.ledger_entry_id),
            mode,
            leave,
        });
    }
    let expected = lines.len() as u32;
    Ok(AttendanceSheet {
        lines,
        expected,
        on_site,
        remote,
        on_leave,
        missing,
        rate_percent: rate_percent(on_site + remote, expected),
    })
}

/// The meeting, and for those who review its unit, the attendance sheet.
pub async fn detail(
    db: &impl ConnectionTrait,
    access: &Access,
    meeting_id: &str,
) -> AppResult<MeetingDetail> {
    let m = visible(db, access, meeting_id).await?;
    let attendance = if access.can_review(db, &m.org_unit_id).await? {
        Some(sheet(db, &m).await?)
    } else {
        None
    };
    Ok(MeetingDetail {
        meeting: view(db, m, &access.member).await?,
        attendance,
    })
}

/// Most meetings one list answers: a branch holds a few a month.
pub const LIST_LIMIT: u64 = 200;

/// The unit's meetings, the latest first.
pub async fn list(
    db: &impl ConnectionTrait,
    access: &Access,
    unit_id: &str,
) -> AppResult<Vec<MeetingView>> {
    use sea_orm::QuerySelect;
    let unit = meeting_unit(db, access, unit_id).await?;
    let rows = meeting::Entity::find()
        .filter(meeting::Column::OrgUnitId.eq(unit.id))
        .order_by_desc(meeting::Column::StartsAt)
        .order_by_desc(meeting::Column::Id)
        .limit(LIST_LIMIT)
        .all(db)
        .await?;
    let mut items = Vec::with_capacity(rows.len());
    for m in rows {
        items.push(view(db, m, &access.member).await?);
    }
    Ok(items)
}
