//! Times as people read them: the phone's local wall clock, which the browser knows.

use chrono::{DateTime, Duration, NaiveDateTime, Utc};

/// Minutes to add to local time to get UTC (JavaScript's convention; -480 in China).
fn offset_minutes() -> i64 {
    js_sys::Date::new_0().get_timezone_offset() as i64
}

/// For `<input type="datetime-local">`.
pub fn to_input(at: DateTime<Utc>) -> String {
    (at.naive_utc() - Duration::minutes(offset_minutes()))
        .format("%Y-%m-%dT%H:%M")
        .to_string()
}

pub fn from_input(s: &str) -> Option<DateTime<Utc>> {
    let naive = NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M")
        .or_else(|_| NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S"))
        .ok()?;
    Some((naive + Duration::minutes(offset_minutes())).and_utc())
}

/// e.g. `2026-11-22 07:30`.
pub fn show(at: DateTime<Utc>) -> String {
    (at.naive_utc() - Duration::minutes(offset_minutes()))
        .format("%Y-%m-%d %H:%M")
        .to_string()
}

pub fn current_year() -> i32 {
    jifen_shared::domain::CycleQuarter::of(Utc::now()).year
}
