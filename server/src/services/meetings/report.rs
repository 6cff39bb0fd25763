//! Attendance over a cycle year's closed meetings, per member and per meeting, for the committee:
//! the figure (到会率) that shows the quality of organisational life.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use jifen_shared::api::{rate_percent, AttendanceReport, MeetingAttendance, MemberAttendance};
use jifen_shared::domain::{AttendanceMode, CycleQuarter};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};

use crate::entity::{meeting, meeting_attendance, member};
use crate::error::{AppError, AppResult, Refusal};
use crate::services::access::Access;

pub async fn report(
    db: &impl ConnectionTrait,
    now: DateTime<Utc>,
    access: &Access,
    unit_id: &str,
    year: Option<i32>,
) -> AppResult<AttendanceReport> {
    let unit = super::meeting_unit(db, access, unit_id).await?;
    if !access.can_review(db, &unit.id).await? {
        return Err(AppError::Forbidden(Refusal::Role));
    }
    let year = year.unwrap_or(CycleQuarter::of(now).year);
    let meetings: Vec<meeting::Model> = meeting::Entity::find()
        .filter(meeting::Column::OrgUnitId.eq(unit.id.clone()))
        .filter(meeting::Column::ClosedAt.is_not_null())
        .order_by_asc(meeting::Column::StartsAt)
        .all(db)
        .await?
        .into_iter()
        .filter(|m| CycleQuarter::of(m.starts_at).year == year)
        .collect();
    let lines = meeting_attendance::Entity::find()
        .filter(meeting_attendance::Column::MeetingId.is_in(meetings.iter().map(|m| m.id.clone())))
        .all(db)
        .await?;
    let mut per_member: BTreeMap<String, MemberAttendance> = BTreeMap::new();
    let mut per_meeting: BTreeMap<String, (u32, u32)> = BTreeMap::new();
    for a in &lines {
        let mode = a.mode()?;
        let row = per_member
            .entry(a.member_id.clone())
            .or_insert_with(|| MemberAttendance {
                member_id: a.member_id.clone(),
                member_name: String::new(),
                expected: 0,
                attended: 0,
                on_leave: 0,
                absent: 0,
                rate_percent: 0,
            });
        row.expected += 1;
        let counts = per_meeting.entry(a.meeting_id.clone()).or_default();
        counts.0 += 1;
        match mode {
            AttendanceMode::OnSite | AttendanceMode::Remote => {
                row.attended += 1;
                counts.1 += 1;
            }
            AttendanceMode::Leave => row.on_leave += 1,
            AttendanceMode::Absent => row.absent += 1,
        }
    }
    let names = member::Entity::find()
        .filter(member::Column::Id.is_in(per_member.keys().cloned()))
        .all(db)
        .await?;
    for n in names {
        if let Some(row) = per_member.get_mut(&n.id) {
            row.member_name = n.name;
        }
    }
    let mut members: Vec<MemberAttendance> = per_member
        .into_values()
        .map(|mut r| {
            r.rate_percent = rate_percent(r.attended, r.expected);
            r
        })
        .collect();
    members.sort_by(|a, b| a.member_name.cmp(&b.member_name));
    let meetings = meetings
        .into_iter()
        .map(|m| {
            let (expected, attended) = per_meeting.get(&m.id).copied().unwrap_or_default();
            Ok(MeetingAttendance {
                kind: m.kind()?,
                meeting_id: m.id,
                title: m.title,
                starts_at: m.starts_at,
                expected,
                attended,
                rate_percent: rate_percent(attended, expected),
            })
        })
        .collect::<AppResult<_>>()?;
    Ok(AttendanceReport {
        branch_id: unit.id,
        year,
        members,
        meetings,
    })
}
