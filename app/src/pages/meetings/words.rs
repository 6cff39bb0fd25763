//! How a meeting's closed sets read.

use jifen_shared::domain::{AttendanceMode, LeaveStatus, MeetingKind};
use jifen_shared::words::Word;

pub fn kind(k: MeetingKind) -> Word {
    match k {
        MeetingKind::BranchAssembly => Word::MeetingKindBranchAssembly,
        MeetingKind::CommitteeMeeting => Word::MeetingKindCommitteeMeeting,
        MeetingKind::GroupMeeting => Word::MeetingKindGroupMeeting,
        MeetingKind::PartyLecture => Word::MeetingKindPartyLecture,
        MeetingKind::ThemeDay => Word::MeetingKindThemeDay,
    }
}

/// A member's part in a meeting, with the badge class it shows in.
pub fn mode(m: AttendanceMode) -> (Word, &'static str) {
    match m {
        AttendanceMode::OnSite => (Word::AttendanceOnSite, "badge-approved"),
        AttendanceMode::Remote => (Word::AttendanceRemote, "badge-approved"),
        AttendanceMode::Leave => (Word::AttendanceLeave, "badge-withdrawn"),
        AttendanceMode::Absent => (Word::AttendanceAbsent, "badge-rejected"),
    }
}

/// A request for leave, with the badge class it shows in.
pub fn leave(s: LeaveStatus) -> (Word, &'static str) {
    match s {
        LeaveStatus::Waiting => (Word::LeaveWaiting, "badge-submitted"),
        LeaveStatus::Granted => (Word::LeaveGranted, "badge-withdrawn"),
        LeaveStatus::Refused => (Word::LeaveRefused, "badge-rejected"),
    }
}
