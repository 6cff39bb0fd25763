//! A branch's stars from its facts: one star per criterion met, each with the numbers behind it.
//! Pure, so every boundary is checked by unit tests; shares are compared in whole numbers
//! (`count × 100 ≥ percent × of`), so a threshold exactly reached is met.
//!
//! When there is nothing to count (`of` = 0): participation and attendance are not met (a branch
//! without members or without a single meeting earns no star for them); on-time review and
//! feedback handled are met (nothing was waiting); members under the alert line are within any
//! ceiling; quarters signed on time ask for the quarters due, none early in the year.

use chrono::{DateTime, Duration, Utc};
use jifen_shared::api::{IndicatorRating, IndicatorThreshold, RatingIndicator, Share};

use super::scheme::{Criterion, Scheme};
use crate::services::stats::Period;

/// When a deed of the year was submitted and first decided (approved, rejected or returned).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DeedTiming {
    pub submitted_at: DateTime<Utc>,
    pub decided_at: Option<DateTime<Utc>>,
    /// Still waiting for its first decision (not withdrawn).
    pub waiting: bool,
}

/// What is known of one branch for the year.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct BranchFacts {
    pub participation: Share,
    /// Over the meetings closed in the year; `of` 0 when none was held.
    pub attendance: Share,
    pub feedback_handled: Share,
    pub under_alert: Share,
    pub deeds: Vec<DeedTiming>,
    /// When each quarter of the year was signed, if it was.
    pub signed_at: [Option<DateTime<Utc>>; 4],
}

/// Every criterion of `scheme` judged on `facts` for `year`, as seen at `now`.
pub fn rate(
    scheme: &Scheme,
    facts: &BranchFacts,
    year: i32,
    now: DateTime<Utc>,
) -> Vec<IndicatorRating> {
    scheme
        .criteria()
        .iter()
        .map(|&c| judge(c, facts, year, now))
        .collect()
}

fn judge(c: Criterion, facts: &BranchFacts, year: i32, now: DateTime<Utc>) -> IndicatorRating {
    let (share, threshold, within_days, met) = match c {
        Criterion::AtLeast { indicator, percent } => {
            let (share, empty_meets) = match indicator {
                RatingIndicator::Participation => (facts.participation, false),
                RatingIndicator::Attendance => (facts.attendance, false),
                _ => (facts.feedback_handled, true),
            };
            (
                share,
                IndicatorThreshold::AtLeastPercent { percent },
                None,
                at_least(share, percent, empty_meets),
            )
        }
        Criterion::UnderAlertAtMost { percent } => {
            let s = facts.under_alert;
            (
                s,
                IndicatorThreshold::AtMostPercent { percent },
                None,
                u64::from(s.count) * 100 <= u64::from(percent) * u64::from(s.of),
            )
        }
        Criterion::ReviewOnTime { days, percent } => {
            let share = on_time_review(&facts.deeds, days, now);
            (
                share,
                IndicatorThreshold::AtLeastPercent { percent },
                Some(days),
                at_least(share, percent, true),
            )
        }
        Criterion::SignedOnTime { days, quarters } => {
            let share = signed_on_time(&facts.signed_at, year, days, now);
            let required = quarters.min(share.of as u8);
            (
                share,
                IndicatorThreshold::AtLeastQuarters {
                    quarters: required,
                    configured: quarters,
                },
                Some(days),
                share.count >= u32::from(required),
            )
        }
    };
    IndicatorRating {
        indicator: c.indicator(),
        count: share.count,
        of: share.of,
        rate: share.rate,
        threshold,
        within_days,
        met,
    }
}

fn at_least(s: Share, percent: u8, empty_meets: bool) -> bool {
    if s.of == 0 {
        return empty_meets;
    }
    u64::from(s.count) * 100 >= u64::from(percent) * u64::from(s.of)
}

/// Deeds first decided within `days` of their submission, out of those decided and those still
/// waiting longer than that.
fn on_time_review(deeds: &[DeedTiming], days: u16, now: DateTime<Utc>) -> Share {
    let allowed = Duration::days(i64::from(days));
    let (mut count, mut of) = (0, 0);
    for d in deeds {
        match d.decided_at {
            Some(at) => {
                of += 1;
                if at - d.submitted_at <= allowed {
                    count += 1;
                }
            }
            None if d.waiting && now - d.submitted_at > allowed => of += 1,
            None => {}
        }
    }
    Share::new(count, of)
}

/// Quarters signed within `days` after their end, out of those due: a quarter is due once its
/// time to sign has run out, or earlier when it was signed already.
fn signed_on_time(
    signed_at: &[Option<DateTime<Utc>>; 4],
    year: i32,
    days: u16,
    now: DateTime<Utc>,
) -> Share {
    let (mut count, mut of) = (0, 0);
    for (i, signed) in signed_at.iter().enumerate() {
        let Ok(quarter) = Period::parse(year, Some(i as u8 + 1)) else {
            continue;
        };
        let deadline = quarter.ends_at() + Duration::days(i64::from(days));
        let on_time = signed.is_some_and(|at| at <= deadline);
        if on_time || now > deadline {
            of += 1;
        }
        if on_time {
            count += 1;
        }
    }
    Share::new(count, of)
}

/// The stars: the criteria met.
pub fn stars(ratings: &[IndicatorRating]) -> u8 {
    ratings.iter().filter(|r| r.met).count() as u8
}

#[cfg(test)]
mod tests {
    use super::*;
    use jifen_shared::api::{
        AtLeastPercent, AtMostPercent, OnTimeReview, RatingRules, SignedOnTime,
    };

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    fn only(rules: RatingRules) -> Scheme {
        Scheme::parse(&rules).unwrap()
    }

    fn none() -> RatingRules {
        RatingRules {
            participation: None,
            attendance: None,
            review_on_time: None,
            feedback_handled: None,
            under_alert: None,
            quarters_signed: None,
        }
    }

    #[test]
    fn a_share_exactly_at_the_threshold_is_met_and_one_below_is_not() {
        let scheme = only(RatingRules {
            participation: Some(AtLeastPercent { min_percent: 60 }),
            under_alert: Some(AtMostPercent { max_percent: 20 }),
            ..none()
        });
        let now = at("2026-12-31T12:00:00+08:00");
        let facts = |took_part, under| BranchFacts {
            participation: Share::new(took_part, 15),
            under_alert: Share::new(under, 15),
            ..Default::default()
        };
        let met = |f: &BranchFacts| -> Vec<bool> {
            rate(&scheme, f, 2026, now).iter().map(|r| r.met).collect()
        };
        assert_eq!(met(&facts(9, 3)), [true, true], "9/15 = 60 %, 3/15 = 20 %");
        assert_eq!(
            met(&facts(8, 4)),
            [false, false],
            "8/15 < 60 %, 4/15 > 20 %"
        );
    }

    #[test]
    fn nothing_to_count_meets_only_what_was_never_waiting() {
        let scheme = Scheme::parse(&RatingRules {
            feedback_handled: Some(AtLeastPercent { min_percent: 90 }),
            ..RatingRules::default()
        })
        .unwrap();
        let now = at("2026-02-01T12:00:00+08:00");
        let ratings = rate(&scheme, &BranchFacts::default(), 2026, now);
        let met: Vec<_> = ratings.iter().map(|r| (r.indicator, r.met)).collect();
        assert_eq!(
            met,
            [
                (RatingIndicator::Participation, false),
                (RatingIndicator::Attendance, false),
                (RatingIndicator::ReviewOnTime, true),
                (RatingIndicator::FeedbackHandled, true),
                (RatingIndicator::UnderAlert, true),
                (RatingIndicator::QuartersSigned, true),
            ]
        );
    }

    #[test]
    fn a_deed_decided_exactly_on_the_last_day_is_on_time_and_an_overdue_one_counts_against() {
        let submitted = at("2026-03-01T09:00:00+08:00");
        let deeds = [
            DeedTiming {
                submitted_at: submitted,
                decided_at: Some(submitted + Duration::days(7)),
                waiting: false,
            },
            DeedTiming {
                submitted_at: submitted,
                decided_at: Some(submitted + Duration::days(7) + Duration::seconds(1)),
                waiting: false,
            },
            // Waiting 10 days: overdue.
            DeedTiming {
                submitted_at: at("2026-03-20T09:00:00+08:00"),
                decided_at: None,
                waiting: true,
            },
            // Waiting 2 days: not due yet.
            DeedTiming {
                submitted_at: at("2026-03-28T09:00:00+08:00"),
                decided_at: None,
                waiting: true,
            },
            // Withdrawn before any decision: not counted.
            DeedTiming {
                submitted_at: submitted,
                decided_at: None,
                waiting: false,
            },
        ];
        let share = on_time_review(&deeds, 7, at("2026-03-30T09:00:00+08:00"));
        assert_eq!((share.count, share.of), (1, 3));
    }

    #[test]
    fn quarters_are_due_once_their_time_to_sign_runs_out() {
        let signed = [
            Some(at("2026-04-15T23:59:59+08:00")), // the 15th day after Q1: on time
            Some(at("2026-07-16T00:00:01+08:00")), // a second into the 16th day: late
            None,
            None,
        ];
        // 10 October: Q3 ended 10 days ago and may still be signed.
        let share = signed_on_time(&signed, 2026, 15, at("2026-10-10T12:00:00+08:00"));
        assert_eq!((share.count, share.of), (1, 2));
        let scheme = only(RatingRules {
            quarters_signed: Some(SignedOnTime {
                within_days: 15,
                min_quarters: 1,
            }),
            ..none()
        });
        let facts = BranchFacts {
            signed_at: signed,
            ..Default::default()
        };
        let r = &rate(&scheme, &facts, 2026, at("2026-10-10T12:00:00+08:00"))[0];
        assert!(r.met, "one of two due, one asked");
        // After the year: all four due, asked for all four.
        let scheme = only(RatingRules {
            quarters_signed: Some(SignedOnTime {
                within_days: 15,
                min_quarters: 4,
            }),
            review_on_time: Some(OnTimeReview {
                within_days: 7,
                min_percent: 90,
            }),
            ..none()
        });
        let r = &rate(&scheme, &facts, 2026, at("2027-02-01T12:00:00+08:00"))[1];
        assert_eq!((r.count, r.of, r.met), (1, 4, false));
        assert_eq!(
            r.threshold,
            IndicatorThreshold::AtLeastQuarters {
                quarters: 4,
                configured: 4
            }
        );
    }

    #[test]
    fn the_stars_are_the_criteria_met() {
        let scheme = Scheme::parse(&RatingRules::default()).unwrap();
        let facts = BranchFacts {
            participation: Share::new(8, 10),
            attendance: Share::new(7, 10),
            under_alert: Share::new(1, 10),
            ..Default::default()
        };
        let ratings = rate(&scheme, &facts, 2026, at("2026-02-01T12:00:00+08:00"));
        // participation 80 % met, attendance 70 % not, review nothing waiting, 10 % under the
        // line met, no quarter due yet.
        assert_eq!(stars(&ratings), 4);
    }
}
