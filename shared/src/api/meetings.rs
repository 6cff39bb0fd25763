//! Meetings (三会一课, 主题党日): the secretary schedules one (`POST /branches/{id}/meetings`),
//! members check in with the code shown on the secretary's screen (`POST /meetings/{id}/checkin`),
//! from afar where the meeting allows it, or ask for leave; closing the meeting
//! (`POST /meetings/{id}/close`) marks everyone else absent and writes the base points.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

#[cfg(feature = "openapi")]
use utoipa::{IntoParams, ToSchema};

use crate::domain::{AttendanceMode, LeaveStatus, MeetingKind};

macro_rules! wire {
    ($($item:item)*) => {
        $(
            #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
            #[cfg_attr(feature = "openapi", derive(ToSchema))]
            $item
        )*
    };
}

wire! {
    /// A meeting to schedule. Attendance earns `attendance_rule_id` (an active base item of the
    /// branch's catalogue, e.g. 按时参加组织生活) when the meeting closes; absence without leave
    /// costs `absence_rule_id` (an active deduction item, e.g. 无故缺席组织生活). Either may be left
    /// out: then that part writes no points.
    pub struct NewMeetingRequest {
        pub kind: MeetingKind,
        pub title: String,
        /// RFC 3339 with an offset.
        pub starts_at: DateTime<Utc>,
        pub ends_at: DateTime<Utc>,
        pub place: String,
        #[serde(default)]
        pub online_url: Option<String>,
        /// Whether members may take part from afar (`POST /meetings/{id}/checkin {remote: true}`).
        #[serde(default)]
        pub remote_allowed: bool,
        #[serde(default)]
        pub attendance_rule_id: Option<String>,
        #[serde(default)]
        pub absence_rule_id: Option<String>,
    }

    /// A meeting as everyone who belongs to its unit sees it, with the caller's own part in it.
    pub struct MeetingView {
        pub id: String,
        /// The branch (or migrant members' organisation) that holds it.
        pub branch_id: String,
        pub kind: MeetingKind,
        pub title: String,
        pub starts_at: DateTime<Utc>,
        pub ends_at: DateTime<Utc>,
        pub place: String,
        pub online_url: Option<String>,
        pub remote_allowed: bool,
        pub attendance_rule_id: Option<String>,
        pub absence_rule_id: Option<String>,
        /// Check-in is open from 30 minutes before the start until the end.
        pub checkin_opens_at: DateTime<Utc>,
        pub closed_at: Option<DateTime<Utc>>,
        /// How the caller took part, once checked in (or, after closing, on leave or absent).
        pub my_attendance: Option<AttendanceMode>,
        /// The caller's request for leave, if any.
        pub my_leave: Option<LeaveRequestView>,
        /// Whether the caller is expected at it.
        pub expected: bool,
    }

    /// The meetings of a branch, the latest first.
    pub struct MeetingList {
        pub items: Vec<MeetingView>,
    }

    /// One expected member's line on the attendance sheet.
    pub struct AttendanceLine {
        pub member_id: String,
        pub member_name: String,
        /// None while the meeting is open and the member has not checked in (missing so far).
        pub mode: Option<AttendanceMode>,
        pub checked_in_at: Option<DateTime<Utc>>,
        pub leave: Option<LeaveRequestView>,
        /// The points entry closing wrote for this member, if any.
        pub ledger_entry_id: Option<String>,
    }

    /// Who is there, for the committee: every expected member, with counts and the rate.
    pub struct AttendanceSheet {
        pub lines: Vec<AttendanceLine>,
        pub expected: u32,
        pub on_site: u32,
        pub remote: u32,
        pub on_leave: u32,
        /// Not checked in and not on granted leave (absent once closed).
        pub missing: u32,
        /// Attended (on site or remote) per hundred expected, rounded down.
        pub rate_percent: u32,
    }

    /// A meeting with, for its committee, the attendance sheet.
    pub struct MeetingDetail {
        pub meeting: MeetingView,
        /// Only for the committee, the secretary and administrators above the unit.
        pub attendance: Option<AttendanceSheet>,
    }

    /// The current check-in code and a QR code of it, for the secretary's screen. The code
    /// changes every 30 seconds at `expires_at`; the code before the current one stays valid
    /// for 30 seconds more, so a member who scanned it just before the change is not refused.
    pub struct CheckinCode {
        pub code: String,
        pub expires_at: DateTime<Utc>,
        /// An inline SVG image of a QR code holding `code`.
        pub qr_svg: String,
    }

    /// Checking in: `{code}` with the code shown at the meeting, or `{remote: true}` from afar
    /// where the meeting allows it.
    pub struct CheckinRequest {
        #[serde(default)]
        pub code: Option<String>,
        #[serde(default)]
        pub remote: bool,
    }

    /// A member's check-in.
    pub struct CheckinView {
        pub meeting_id: String,
        pub member_id: String,
        pub mode: AttendanceMode,
        pub checked_in_at: DateTime<Utc>,
    }

    /// A member asks for leave from a meeting, with a reason the secretary reads.
    pub struct LeaveRequestBody {
        #[serde(default)]
        pub reason: String,
    }

    /// A request for leave and what became of it.
    pub struct LeaveRequestView {
        pub id: String,
        pub meeting_id: String,
        pub member_id: String,
        pub member_name: String,
        pub reason: String,
        pub status: LeaveStatus,
        pub created_at: DateTime<Utc>,
        pub decided_by: Option<String>,
        pub decided_at: Option<DateTime<Utc>>,
        /// Why it was refused.
        pub decision_reason: Option<String>,
    }

    /// What closing a meeting did.
    pub struct MeetingClosed {
        pub meeting: MeetingView,
        pub attendance: AttendanceSheet,
        /// Points entries written: one per member who attended (when the meeting has an
        /// attendance item) and one per member absent without leave (when it has an absence item).
        pub entries_written: u32,
    }

    /// One member's attendance over a year's closed meetings.
    pub struct MemberAttendance {
        pub member_id: String,
        pub member_name: String,
        pub expected: u32,
        pub attended: u32,
        pub on_leave: u32,
        pub absent: u32,
        pub rate_percent: u32,
    }

    /// One closed meeting's attendance.
    pub struct MeetingAttendance {
        pub meeting_id: String,
        pub title: String,
        pub kind: MeetingKind,
        pub starts_at: DateTime<Utc>,
        pub expected: u32,
        pub attended: u32,
        pub rate_percent: u32,
    }

    /// A branch's attendance over the closed meetings of a cycle year, for the committee.
    pub struct AttendanceReport {
        pub branch_id: String,
        pub year: i32,
        pub members: Vec<MemberAttendance>,
        pub meetings: Vec<MeetingAttendance>,
    }
}

/// Query of `GET /branches/{id}/attendance`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
pub struct AttendanceQuery {
    /// Cycle year; the current one in Asia/Shanghai when absent.
    #[cfg_attr(feature = "openapi", param(minimum = 2000, maximum = 2100))]
    pub year: Option<i32>,
}

/// Attended per hundred expected, rounded down; 0 when nobody was expected.
pub fn rate_percent(attended: u32, expected: u32) -> u32 {
    (attended * 100).checked_div(expected).unwrap_or(0)
}
