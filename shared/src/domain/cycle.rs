use chrono::{DateTime, Datelike, FixedOffset, Utc};
use serde::{Deserialize, Serialize};

/// Quarters and cycle years are cut in Asia/Shanghai time, which has been UTC+8 without daylight
/// saving since 1991, so a fixed offset is exact for every date the product can hold.
pub const SHANGHAI_OFFSET_SECS: i32 = 8 * 3600;

fn shanghai() -> FixedOffset {
    FixedOffset::east_opt(SHANGHAI_OFFSET_SECS).expect("UTC+8 is a valid offset")
}

/// One quarter of one cycle year, e.g. 2026 Q1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CycleQuarter {
    pub year: i32,
    pub quarter: u8,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum QuarterError {
    #[error("quarter must be between 1 and 4")]
    OutOfRange,
    #[error("year must be between 2000 and 2100")]
    YearOutOfRange,
}

impl CycleQuarter {
    pub fn parse(year: i32, quarter: u8) -> Result<Self, QuarterError> {
        if !(2000..=2100).contains(&year) {
            return Err(QuarterError::YearOutOfRange);
        }
        if !(1..=4).contains(&quarter) {
            return Err(QuarterError::OutOfRange);
        }
        Ok(Self { year, quarter })
    }

    /// The quarter an instant falls in, read on a Shanghai wall clock.
    pub fn of(at: DateTime<Utc>) -> Self {
        let local = at.with_timezone(&shanghai());
        Self {
            year: local.year(),
            quarter: (local.month0() / 3 + 1) as u8,
        }
    }

    /// Checks a cycle year given on its own, e.g. in `?year=`.
    pub fn check_year(year: i32) -> Result<i32, QuarterError> {
        Self::parse(year, 1).map(|q| q.year)
    }
}

impl std::fmt::Display for CycleQuarter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} Q{}", self.year, self.quarter)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn late_evening_of_march_31_in_shanghai_is_still_q1() {
        assert_eq!(
            CycleQuarter::of(at("2026-03-31T23:30:00+08:00")),
            CycleQuarter {
                year: 2026,
                quarter: 1
            }
        );
    }

    #[test]
    fn new_years_eve_afternoon_utc_is_already_next_cycle_in_shanghai() {
        assert_eq!(
            CycleQuarter::of(at("2026-12-31T16:30:00Z")),
            CycleQuarter {
                year: 2027,
                quarter: 1
            }
        );
        assert_eq!(
            CycleQuarter::of(at("2026-12-31T15:59:59Z")),
            CycleQuarter {
                year: 2026,
                quarter: 4
            }
        );
    }

    #[test]
    fn parse_refuses_impossible_quarters() {
        assert_eq!(CycleQuarter::parse(2026, 0), Err(QuarterError::OutOfRange));
        assert_eq!(CycleQuarter::parse(2026, 5), Err(QuarterError::OutOfRange));
        assert_eq!(
            CycleQuarter::parse(1999, 1),
            Err(QuarterError::YearOutOfRange)
        );
        assert!(CycleQuarter::parse(2026, 4).is_ok());
    }
}
