//! The period statistics are counted over: a cycle year or one of its quarters, cut in
//! Asia/Shanghai time like every quarter of the ledger.

use std::ops::RangeInclusive;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use jifen_shared::domain::{CycleQuarter, QuarterError, SHANGHAI_OFFSET_SECS};

use crate::error::{invalid, AppError, AppResult};

/// A cycle year (`quarter` absent) or one quarter of it. Built only from a checked year and
/// quarter, so its bounds always exist.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    year: i32,
    quarter: Option<u8>,
}

impl Period {
    /// The year 2000–2100, or one quarter 1–4 of it.
    pub fn parse(year: i32, quarter: Option<u8>) -> Result<Self, QuarterError> {
        let checked = CycleQuarter::parse(year, quarter.unwrap_or(1))?;
        Ok(Self {
            year: checked.year,
            quarter,
        })
    }

    /// `?year=&quarter=` checked at the boundary: the current cycle year (Asia/Shanghai) when no
    /// year is given; 422 for a year or a quarter out of range.
    pub fn asked(year: Option<i32>, quarter: Option<u8>, now: DateTime<Utc>) -> AppResult<Self> {
        let year = invalid::year_or_current(year, now)?;
        Self::parse(year, quarter).map_err(|_| AppError::Validation(vec![invalid::quarter()]))
    }

    /// The whole cycle year of `quarter`.
    pub fn year_of(quarter: CycleQuarter) -> Self {
        Self {
            year: quarter.year,
            quarter: None,
        }
    }

    /// One quarter.
    pub fn quarter_of(quarter: CycleQuarter) -> Self {
        Self {
            year: quarter.year,
            quarter: Some(quarter.quarter),
        }
    }

    pub fn year(&self) -> i32 {
        self.year
    }

    /// Absent for the whole year.
    pub fn quarter(&self) -> Option<u8> {
        self.quarter
    }

    /// For file names: `2026` or `2026-q3`.
    pub fn slug(&self) -> String {
        match self.quarter {
            Some(q) => format!("{}-q{q}", self.year),
            None => self.year.to_string(),
        }
    }

    /// The quarters of the year the period covers.
    pub fn quarters(&self) -> RangeInclusive<u8> {
        match self.quarter {
            Some(q) => q..=q,
            None => 1..=4,
        }
    }

    /// Whether the period covers quarter `quarter` of year `year`.
    pub fn covers(&self, year: i32, quarter: u8) -> bool {
        year == self.year && self.quarters().contains(&quarter)
    }

    /// Whether the instant falls in the period, read on a Shanghai wall clock.
    pub fn contains(&self, at: DateTime<Utc>) -> bool {
        let q = CycleQuarter::of(at);
        self.covers(q.year, q.quarter)
    }

    /// The last quarter of the period: the alert line is drawn at its end.
    pub fn last_quarter(&self) -> CycleQuarter {
        CycleQuarter {
            year: self.year,
            quarter: self.quarter.unwrap_or(4),
        }
    }

    /// The first instant of the period (Shanghai midnight, in UTC).
    pub fn starts_at(&self) -> DateTime<Utc> {
        quarter_start(self.year, *self.quarters().start())
    }

    /// The first instant after the period.
    pub fn ends_at(&self) -> DateTime<Utc> {
        match self.quarter {
            Some(q) if q < 4 => quarter_start(self.year, q + 1),
            _ => quarter_start(self.year + 1, 1),
        }
    }
}

/// Shanghai midnight on the first day of `quarter`, as a UTC instant.
fn quarter_start(year: i32, quarter: u8) -> DateTime<Utc> {
    let month = u32::from(quarter - 1) * 3 + 1;
    let local_midnight = NaiveDate::from_ymd_opt(year, month, 1)
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .expect("a checked year and quarter have a first day");
    (local_midnight - Duration::seconds(i64::from(SHANGHAI_OFFSET_SECS))).and_utc()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn a_quarter_is_cut_at_shanghai_midnight() {
        let q1 = Period::parse(2026, Some(1)).unwrap();
        assert_eq!(q1.starts_at(), at("2025-12-31T16:00:00Z"));
        assert_eq!(q1.ends_at(), at("2026-03-31T16:00:00Z"));
        assert!(q1.contains(at("2026-03-31T15:30:00Z")), "23:30 on 31 March");
        assert!(!q1.contains(at("2026-03-31T16:30:00Z")), "00:30 on 1 April");
        let q4 = Period::parse(2026, Some(4)).unwrap();
        assert_eq!(q4.ends_at(), at("2026-12-31T16:00:00Z"));
    }

    #[test]
    fn a_year_covers_its_four_quarters() {
        let y = Period::parse(2026, None).unwrap();
        assert_eq!(y.quarters(), 1..=4);
        assert_eq!(y.starts_at(), at("2025-12-31T16:00:00Z"));
        assert_eq!(y.ends_at(), at("2026-12-31T16:00:00Z"));
        assert_eq!(y.last_quarter().quarter, 4);
        assert!(
            !y.contains(at("2026-12-31T16:30:00Z")),
            "new year in Shanghai"
        );
    }

    #[test]
    fn impossible_periods_are_refused() {
        assert!(Period::parse(2026, Some(0)).is_err());
        assert!(Period::parse(2026, Some(5)).is_err());
        assert!(Period::parse(1999, None).is_err());
    }
}
