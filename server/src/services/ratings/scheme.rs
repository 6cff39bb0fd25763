//! A unit's rating rules read into typed criteria once: percentages within 0–100, days within
//! 1–90, quarters within 1–4. The wire document ([`RatingRules`]) carries plain numbers so that a
//! client sending 300 % hears which field is wrong instead of a malformed body.

use jifen_shared::api::{
    AtLeastPercent, AtMostPercent, OnTimeReview, RatingIndicator, RatingRules, SignedOnTime,
};
use jifen_shared::words::Word;

use crate::error::FieldIssue;

const MAX_DAYS: i32 = 90;

/// What one star asks of a branch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Criterion {
    /// The indicator's share reaches `percent`.
    AtLeast {
        indicator: RatingIndicator,
        percent: u8,
    },
    /// Members under the alert line stay at or below `percent`.
    UnderAlertAtMost { percent: u8 },
    /// Deeds decided within `days` reach `percent`.
    ReviewOnTime { days: u16, percent: u8 },
    /// At least `quarters` (or all those due, when fewer) signed within `days` of their end.
    SignedOnTime { days: u16, quarters: u8 },
}

impl Criterion {
    pub fn indicator(self) -> RatingIndicator {
        match self {
            Criterion::AtLeast { indicator, .. } => indicator,
            Criterion::UnderAlertAtMost { .. } => RatingIndicator::UnderAlert,
            Criterion::ReviewOnTime { .. } => RatingIndicator::ReviewOnTime,
            Criterion::SignedOnTime { .. } => RatingIndicator::QuartersSigned,
        }
    }
}

/// Validated rules: one criterion per star, in the order the stars are shown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scheme {
    criteria: Vec<Criterion>,
}

impl Scheme {
    /// Every problem of the rules at once, each naming its field.
    pub fn parse(rules: &RatingRules) -> Result<Self, Vec<FieldIssue>> {
        let mut issues = Vec::new();
        let mut criteria = Vec::new();
        let at_least =
            |indicator, field: &str, rule: Option<AtLeastPercent>, issues: &mut Vec<_>| {
                if let Some(AtLeastPercent { min_percent }) = rule {
                    if let Some(percent) =
                        within(&format!("{field}.min_percent"), min_percent, 1, 100, issues)
                    {
                        return Some(Criterion::AtLeast {
                            indicator,
                            percent: percent as u8,
                        });
                    }
                }
                None
            };
        for indicator in RatingIndicator::ALL {
            let criterion = match indicator {
                RatingIndicator::Participation => {
                    at_least(indicator, "participation", rules.participation, &mut issues)
                }
                RatingIndicator::Attendance => {
                    at_least(indicator, "attendance", rules.attendance, &mut issues)
                }
                RatingIndicator::FeedbackHandled => at_least(
                    indicator,
                    "feedback_handled",
                    rules.feedback_handled,
                    &mut issues,
                ),
                RatingIndicator::UnderAlert => {
                    rules.under_alert.and_then(|AtMostPercent { max_percent }| {
                        within("under_alert.max_percent", max_percent, 0, 100, &mut issues)
                            .map(|p| Criterion::UnderAlertAtMost { percent: p as u8 })
                    })
                }
                RatingIndicator::ReviewOnTime => rules.review_on_time.and_then(
                    |OnTimeReview {
                         within_days,
                         min_percent,
                     }| {
                        let days = within(
                            "review_on_time.within_days",
                            within_days,
                            1,
                            MAX_DAYS,
                            &mut issues,
                        );
                        let percent = within(
                            "review_on_time.min_percent",
                            min_percent,
                            1,
                            100,
                            &mut issues,
                        );
                        Some(Criterion::ReviewOnTime {
                            days: days? as u16,
                            percent: percent? as u8,
                        })
                    },
                ),
                RatingIndicator::QuartersSigned => rules.quarters_signed.and_then(
                    |SignedOnTime {
                         within_days,
                         min_quarters,
                     }| {
                        let days = within(
                            "quarters_signed.within_days",
                            within_days,
                            1,
                            MAX_DAYS,
                            &mut issues,
                        );
                        let quarters = within(
                            "quarters_signed.min_quarters",
                            min_quarters,
                            1,
                            4,
                            &mut issues,
                        );
                        Some(Criterion::SignedOnTime {
                            days: days? as u16,
                            quarters: quarters? as u8,
                        })
                    },
                ),
            };
            criteria.extend(criterion);
        }
        if rules.indicators().is_empty() {
            issues.push(FieldIssue::worded(
                "rules",
                "rating.no_indicator",
                Word::RatingNoIndicator,
            ));
        }
        if issues.is_empty() {
            Ok(Self { criteria })
        } else {
            Err(issues)
        }
    }

    pub fn criteria(&self) -> &[Criterion] {
        &self.criteria
    }

    /// The most stars a branch can have.
    pub fn max_stars(&self) -> u8 {
        self.criteria.len() as u8
    }
}

/// `value` when it lies in `min..=max`; otherwise a field issue saying so.
fn within(
    field: &str,
    value: i32,
    min: i32,
    max: i32,
    issues: &mut Vec<FieldIssue>,
) -> Option<i32> {
    if (min..=max).contains(&value) {
        Some(value)
    } else {
        issues.push(FieldIssue::filled(
            field,
            "rating.out_of_range",
            Word::SettingsOutOfRange,
            &[("min", &min), ("max", &max)],
        ));
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_defaults_are_five_valid_stars() {
        let scheme = Scheme::parse(&RatingRules::default()).unwrap();
        assert_eq!(scheme.max_stars(), 5);
        assert_eq!(RatingRules::default().max_stars(), 5);
    }

    #[test]
    fn every_field_out_of_range_is_named() {
        let rules = RatingRules {
            participation: Some(AtLeastPercent { min_percent: 0 }),
            attendance: Some(AtLeastPercent { min_percent: 101 }),
            review_on_time: Some(OnTimeReview {
                within_days: 0,
                min_percent: 90,
            }),
            feedback_handled: None,
            under_alert: Some(AtMostPercent { max_percent: -1 }),
            quarters_signed: Some(SignedOnTime {
                within_days: 15,
                min_quarters: 5,
            }),
        };
        let issues = Scheme::parse(&rules).unwrap_err();
        let fields: Vec<_> = issues.iter().map(|i| i.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "participation.min_percent",
                "attendance.min_percent",
                "review_on_time.within_days",
                "under_alert.max_percent",
                "quarters_signed.min_quarters",
            ]
        );
    }

    #[test]
    fn rules_without_any_indicator_are_refused() {
        let none = RatingRules {
            participation: None,
            attendance: None,
            review_on_time: None,
            feedback_handled: None,
            under_alert: None,
            quarters_signed: None,
        };
        let issues = Scheme::parse(&none).unwrap_err();
        assert_eq!(issues[0].code, "rating.no_indicator");
    }

    #[test]
    fn the_bounds_themselves_are_accepted() {
        let rules = RatingRules {
            participation: Some(AtLeastPercent { min_percent: 100 }),
            attendance: Some(AtLeastPercent { min_percent: 1 }),
            review_on_time: Some(OnTimeReview {
                within_days: 90,
                min_percent: 100,
            }),
            feedback_handled: Some(AtLeastPercent { min_percent: 1 }),
            under_alert: Some(AtMostPercent { max_percent: 0 }),
            quarters_signed: Some(SignedOnTime {
                within_days: 1,
                min_quarters: 4,
            }),
        };
        assert_eq!(Scheme::parse(&rules).unwrap().max_stars(), 6);
    }
}
