//! Times and numbers as people read them: the phone's local wall clock, which the browser knows.
//! Formatting is done by hand (and by the browser for decimals) to keep chrono's and core's
//! general-purpose formatters out of the download.

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveDateTime, Timelike, Utc};

/// Minutes to add to local time to get UTC (JavaScript's convention; -480 in China).
fn offset_minutes() -> i64 {
    js_sys::Date::new_0().get_timezone_offset() as i64
}

fn local(at: DateTime<Utc>) -> NaiveDateTime {
    at.naive_utc() - Duration::minutes(offset_minutes())
}

fn ymd_hm(l: NaiveDateTime, sep: char) -> String {
    format!(
        "{:04}-{:02}-{:02}{sep}{:02}:{:02}",
        l.year(),
        l.month(),
        l.day(),
        l.hour(),
        l.minute()
    )
}

/// For `<input type="datetime-local">`.
pub fn to_input(at: DateTime<Utc>) -> String {
    ymd_hm(local(at), 'T')
}

/// Reads `YYYY-MM-DDTHH:MM` (seconds optional) as local time.
pub fn from_input(s: &str) -> Option<DateTime<Utc>> {
    let (date, time) = s.trim().split_once('T')?;
    let mut d = date.split('-').map(|p| p.parse::<u32>().ok());
    let (y, m, day) = (d.next()??, d.next()??, d.next()??);
    let mut t = time.split(':').map(|p| p.parse::<u32>().ok());
    let (h, mi) = (t.next()??, t.next()??);
    let sec = t.next().flatten().unwrap_or(0);
    let naive = NaiveDate::from_ymd_opt(y as i32, m, day)?.and_hms_opt(h, mi, sec)?;
    Some((naive + Duration::minutes(offset_minutes())).and_utc())
}

/// e.g. `2026-11-22 07:30`.
pub fn show(at: DateTime<Utc>) -> String {
    ymd_hm(local(at), ' ')
}

pub fn current_year() -> i32 {
    jifen_shared::domain::CycleQuarter::of(Utc::now()).year
}

/// A coordinate with five decimals (about a metre).
pub fn coordinate(x: f64) -> String {
    js_sys::Number::from(x)
        .to_fixed(5)
        .map(String::from)
        .unwrap_or_default()
}
