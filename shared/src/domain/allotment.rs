//! The base allotment (基础积分) of a member who joins a branch during a points year.

use chrono::{DateTime, Datelike, FixedOffset, NaiveDate, Utc};

use super::SHANGHAI_OFFSET_SECS;

/// A joining member's share of the year's base allotment, and the days it was reckoned from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProRata {
    pub year: i32,
    pub points: i32,
    /// The days of the year left on joining, the joining day included.
    pub remaining_days: u32,
    pub days_in_year: u32,
}

/// The share of `base` for a member who joins at `joined_at`:
/// `base × remaining_days ÷ days_in_year`, rounded to the nearest whole point with halves
/// rounded up. Days are Shanghai calendar days and the joining day counts as a remaining day, so
/// joining on 1 January gives the whole allotment and joining on 31 December one day's worth
/// (which rounds to nothing unless the allotment is large).
pub fn pro_rata(base: i32, joined_at: DateTime<Utc>) -> ProRata {
    let shanghai = FixedOffset::east_opt(SHANGHAI_OFFSET_SECS).expect("UTC+8 is a valid offset");
    let day = joined_at.with_timezone(&shanghai).date_naive();
    let year = day.year();
    let days_in_year = if NaiveDate::from_ymd_opt(year, 2, 29).is_some() {
        366
    } else {
        365
    };
    let remaining_days = days_in_year - day.ordinal0();
    let (base, remaining, days) = (
        i64::from(base.max(0)),
        i64::from(remaining_days),
        i64::from(days_in_year),
    );
    // Halves up: ⌊(2·b·r + d) ÷ 2d⌋.
    let points = (2 * base * remaining + days) / (2 * days);
    ProRata {
        year,
        points: points as i32,
        remaining_days,
        days_in_year,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn joining_on_new_years_day_gives_the_whole_allotment() {
        let share = pro_rata(60, at("2027-01-01T00:00:00+08:00"));
        assert_eq!((share.year, share.points), (2027, 60));
        assert_eq!((share.remaining_days, share.days_in_year), (365, 365));
    }

    #[test]
    fn joining_at_mid_year_gives_about_half() {
        // 1 July 2027: 184 of 365 days remain; 60 × 184 / 365 = 30.25 → 30.
        let share = pro_rata(60, at("2027-07-01T09:00:00+08:00"));
        assert_eq!((share.remaining_days, share.points), (184, 30));
    }

    #[test]
    fn halves_round_up() {
        // 2 July 2028 (a leap year): 183 of 366 days remain, exactly half a year.
        let share = pro_rata(1, at("2028-07-02T12:00:00+08:00"));
        assert_eq!((share.remaining_days, share.days_in_year), (183, 366));
        assert_eq!(share.points, 1, "1 × 183 / 366 = 0.5 rounds up");
        // 3 July 2028: 182 days remain; 0.497 rounds down.
        assert_eq!(pro_rata(1, at("2028-07-03T12:00:00+08:00")).points, 0);
        // 2 July 2027: 183 of 365 days; 10 × 183 / 365 = 5.01 → 5.
        assert_eq!(pro_rata(10, at("2027-07-02T12:00:00+08:00")).points, 5);
    }

    #[test]
    fn the_day_is_read_in_shanghai() {
        // 31 December 2026 at 17:00 UTC is already 1 January 2027 in Shanghai.
        let share = pro_rata(60, at("2026-12-31T17:00:00Z"));
        assert_eq!((share.year, share.points), (2027, 60));
        let last = pro_rata(60, at("2026-12-31T15:00:00Z"));
        assert_eq!((last.year, last.remaining_days, last.points), (2026, 1, 0));
    }

    #[test]
    fn leap_years_have_366_days() {
        let share = pro_rata(366, at("2028-12-31T10:00:00+08:00"));
        assert_eq!(
            (share.days_in_year, share.remaining_days, share.points),
            (366, 1, 1)
        );
    }
}
