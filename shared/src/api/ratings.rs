//! Branch ratings (星级党支部, 五星支部): a unit above the branches sets the indicators and their
//! thresholds (`GET|PUT /orgs/{id}/rating-rules`); `GET /orgs/{id}/ratings?year=` gives each
//! branch beneath its stars with the figures behind each one; an administrator above a branch may
//! adjust its stars with a reason (`POST /orgs/{id}/ratings/adjustments`).
//!
//! **One star per indicator.** Each indicator a unit switches on is worth one star when the branch
//! meets it; an indicator left out (`null`) gives no star and is not shown. A scheme of five
//! indicators is the usual 五星 rating. There is no separate mapping of indicators to stars: a
//! unit that wants a star to stand for something else switches indicators on or off.
//!
//! **Inheritance.** A branch is rated by the rules of its nearest ancestor that configured any;
//! when none did, by [`RatingRules::default`].

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

#[cfg(feature = "openapi")]
use utoipa::{IntoParams, ToSchema};

use crate::domain::OrgKind;

/// What a star can stand for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum RatingIndicator {
    /// Members with at least one deed approved in the year, out of the members.
    Participation,
    /// Attendances present at the meetings closed in the year, out of those expected.
    Attendance,
    /// Deeds of the year decided within the days allowed, out of those decided or overdue.
    ReviewOnTime,
    /// Feedback of the masses received in the year and handled, out of that received.
    FeedbackHandled,
    /// Members under the branch's alert line, out of the members (at most the threshold).
    UnderAlert,
    /// Quarters of the year signed within the days allowed after their end, out of those due.
    QuartersSigned,
}

impl RatingIndicator {
    /// In the order the stars are shown.
    pub const ALL: [RatingIndicator; 6] = [
        RatingIndicator::Participation,
        RatingIndicator::Attendance,
        RatingIndicator::ReviewOnTime,
        RatingIndicator::FeedbackHandled,
        RatingIndicator::UnderAlert,
        RatingIndicator::QuartersSigned,
    ];
}

/// A share that must reach `min_percent` (1–100).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct AtLeastPercent {
    pub min_percent: i32,
}

/// A share that must stay at or below `max_percent` (0–100).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct AtMostPercent {
    pub max_percent: i32,
}

/// Deeds decided within `within_days` (1–90) of their submission must reach `min_percent` (1–100).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct OnTimeReview {
    pub within_days: i32,
    pub min_percent: i32,
}

/// At least `min_quarters` (1–4) quarters signed within `within_days` (1–90) after their end.
/// While the year runs, fewer quarters are due: the star then asks for all of those due, up to
/// `min_quarters`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct SignedOnTime {
    pub within_days: i32,
    pub min_quarters: i32,
}

/// A unit's rating scheme: each indicator given is one star; `null` (or left out) switches it off.
/// At least one indicator must be on.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct RatingRules {
    #[serde(default)]
    pub participation: Option<AtLeastPercent>,
    #[serde(default)]
    pub attendance: Option<AtLeastPercent>,
    #[serde(default)]
    pub review_on_time: Option<OnTimeReview>,
    #[serde(default)]
    pub feedback_handled: Option<AtLeastPercent>,
    #[serde(default)]
    pub under_alert: Option<AtMostPercent>,
    #[serde(default)]
    pub quarters_signed: Option<SignedOnTime>,
}

/// The five stars used where no unit above a branch configured any: participation ≥ 80 %,
/// attendance ≥ 80 %, 90 % of deeds decided within 7 days, at most 10 % of members under the
/// alert line, and every quarter due signed within 15 days of its end. Feedback handled is off:
/// most villages receive little feedback, and a star for none says nothing.
impl Default for RatingRules {
    fn default() -> Self {
        RatingRules {
            participation: Some(AtLeastPercent { min_percent: 80 }),
            attendance: Some(AtLeastPercent { min_percent: 80 }),
            review_on_time: Some(OnTimeReview {
                within_days: 7,
                min_percent: 90,
            }),
            feedback_handled: None,
            under_alert: Some(AtMostPercent { max_percent: 10 }),
            quarters_signed: Some(SignedOnTime {
                within_days: 15,
                min_quarters: 4,
            }),
        }
    }
}

impl RatingRules {
    /// The indicators switched on, in the order the stars are shown.
    pub fn indicators(&self) -> Vec<RatingIndicator> {
        RatingIndicator::ALL
            .into_iter()
            .filter(|i| match i {
                RatingIndicator::Participation => self.participation.is_some(),
                RatingIndicator::Attendance => self.attendance.is_some(),
                RatingIndicator::ReviewOnTime => self.review_on_time.is_some(),
                RatingIndicator::FeedbackHandled => self.feedback_handled.is_some(),
                RatingIndicator::UnderAlert => self.under_alert.is_some(),
                RatingIndicator::QuartersSigned => self.quarters_signed.is_some(),
            })
            .collect()
    }

    /// The most stars a branch can have under these rules.
    pub fn max_stars(&self) -> u8 {
        self.indicators().len() as u8
    }
}

/// `GET /orgs/{id}/rating-rules`: the rules that apply at a unit and where they come from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct RatingRulesView {
    pub org_unit_id: String,
    pub org_unit_name: String,
    pub kind: OrgKind,
    pub rules: RatingRules,
    pub max_stars: u8,
    /// The unit that configured these rules: this one, an ancestor, or `null` for the defaults.
    pub source_org_unit_id: Option<String>,
    pub source_org_unit_name: Option<String>,
    /// When and by whom the source unit last changed them (`null` for the defaults).
    pub updated_at: Option<DateTime<Utc>>,
    pub updated_by_name: Option<String>,
    /// Whether the caller may change the rules here: an administrator of this unit or above, on a
    /// unit above the branches.
    pub editable: bool,
}

/// `?year=` of the ratings; without it, the current cycle year.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
pub struct RatingsQuery {
    #[serde(default)]
    pub year: Option<i32>,
}

/// What an indicator asked of the branch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum IndicatorThreshold {
    /// `count / of` at least `percent` %.
    AtLeastPercent { percent: u8 },
    /// `count / of` at most `percent` %.
    AtMostPercent { percent: u8 },
    /// `count` at least `quarters`: the configured number, or all the quarters due when fewer are.
    AtLeastQuarters { quarters: u8, configured: u8 },
}

/// One indicator of one branch: the figure, the threshold and whether it was met, with the
/// numbers behind it, so the branch sees why it has (or lacks) the star.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct IndicatorRating {
    pub indicator: RatingIndicator,
    pub count: u32,
    pub of: u32,
    /// `count / of` between 0 and 1; `null` when `of` is 0.
    pub rate: Option<f64>,
    pub threshold: IndicatorThreshold,
    /// The days allowed, for on-time review and quarters signed on time.
    pub within_days: Option<u16>,
    pub met: bool,
}

/// The stars an administrator set for a branch's year instead of the computed ones, and why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct RatingAdjustment {
    pub stars: u8,
    /// What the figures gave when the adjustment was made.
    pub computed_stars: u8,
    pub reason: String,
    pub adjusted_by: String,
    pub adjusted_by_name: String,
    pub adjusted_at: DateTime<Utc>,
}

/// One branch's rating for the year.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct BranchRating {
    pub branch_id: String,
    pub branch_name: String,
    /// The unit directly above the branch (its town), for lists that span a county.
    pub parent_id: Option<String>,
    pub parent_name: Option<String>,
    /// The unit whose rules rate the branch; `null` for the defaults.
    pub rules_from_id: Option<String>,
    pub rules_from_name: Option<String>,
    pub max_stars: u8,
    /// The indicators met.
    pub computed_stars: u8,
    /// The stars that count: the adjustment's when there is one, else the computed ones.
    pub stars: u8,
    pub indicators: Vec<IndicatorRating>,
    pub adjustment: Option<RatingAdjustment>,
    /// Whether the caller may adjust this branch's stars (an administrator above the branch).
    pub may_adjust: bool,
}

/// `GET /orgs/{id}/ratings`: every branch beneath the unit (or the branch itself), by name.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct RatingsView {
    pub org_unit_id: String,
    pub org_unit_name: String,
    pub kind: OrgKind,
    pub year: i32,
    pub branches: Vec<BranchRating>,
}

/// `POST /orgs/{id}/ratings/adjustments`: set a branch's stars for a year, with a reason. A newer
/// adjustment replaces the older; each is kept in the audit history.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct AdjustRatingRequest {
    pub branch_id: String,
    pub year: i32,
    /// 0 up to the branch's most stars.
    pub stars: i32,
    /// Required; a missing reason is reported like an empty one.
    #[serde(default)]
    pub reason: String,
}
