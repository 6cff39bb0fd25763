//! Figures for a branch and the units above it: `GET /orgs/{id}/stats?year=&quarter=`.
//!
//! One shape for every level: the unit asked about, each unit directly below it (towns under a
//! county, branches under a town), and for a branch each of its members. A period is a cycle
//! year or one of its quarters, cut in Asia/Shanghai time.

use serde::{Deserialize, Serialize};

#[cfg(feature = "openapi")]
use utoipa::{IntoParams, ToSchema};

use super::GradesFormat;
use crate::domain::{MemberStatus, OrgKind};

/// `?year=&quarter=&format=` of the statistics. Without a year, the current cycle year; without a
/// quarter, the whole year.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
pub struct StatsQuery {
    #[serde(default)]
    pub year: Option<i32>,
    /// 1–4; leave out for the whole year.
    #[serde(default)]
    pub quarter: Option<u8>,
    /// `json` (the default), `csv` or `xlsx`.
    #[serde(default)]
    pub format: Option<GradesFormat>,
}

/// A count out of a whole, with the share when the whole is not empty.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Share {
    pub count: u32,
    pub of: u32,
    /// `count / of` between 0 and 1; absent when `of` is 0.
    pub rate: Option<f64>,
}

impl Share {
    pub fn new(count: u32, of: u32) -> Self {
        Self {
            count,
            of,
            rate: (of > 0).then(|| f64::from(count) / f64::from(of)),
        }
    }
}

/// Members counted in a unit: those at home in its branches, active or migrant (transferred
/// members have left).
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct MemberCounts {
    pub active: u32,
    pub migrant: u32,
}

/// How many members' totals of a category fall in `[from, to)` (`to` absent: and above).
///
/// Bands are 10 points wide from 0 (or from the ten at or below the lowest total, when some total
/// is negative) up to the last band, 120 and above. They reach down to -50 at most: below it a
/// single band `[from, -50)` holds every lower total, its `from` being the ten at or below the
/// lowest, so a total far in the red adds one band, not one per ten points. Every band is listed,
/// empty ones too.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Band {
    pub from: i32,
    pub to: Option<i32>,
    pub members: u32,
}

/// One category's points over the members of a unit in the period: the sum, the median of the
/// members' totals, and how the totals spread over bands.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct PointsFigures {
    pub sum: i64,
    /// Absent when the unit has no members.
    pub median: Option<f64>,
    pub bands: Vec<Band>,
}

/// Points by category (deductions as positive amounts taken away) and the net total.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct PointsByCategory {
    pub base: PointsFigures,
    pub bonus: PointsFigures,
    pub deduction: PointsFigures,
    pub total: PointsFigures,
}

/// Deeds of the period (the quarter they happened in, as `GET /deeds?year=&quarter=` files them),
/// by where they stand now.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct DeedCounts {
    pub submitted: u32,
    pub approved: u32,
    pub rejected: u32,
    pub returned: u32,
    pub withdrawn: u32,
    pub revoked: u32,
}

/// Time from a deed's submission to its first decision, over the deeds decided in the period.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct ReviewTime {
    pub decided: u32,
    pub median_hours: Option<f64>,
    pub p90_hours: Option<f64>,
}

/// Meetings closed in the period and the share of expected attendances that were present
/// (leave granted counts as neither).
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct MeetingFigures {
    pub held: u32,
    pub attendance: Share,
}

/// Feedback from the masses received in the period and how much of it has been handled
/// (accepted or dismissed).
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct FeedbackFigures {
    pub received: u32,
    pub handled: u32,
}

/// Everything counted for one unit in the period.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct UnitFigures {
    pub org_unit_id: String,
    pub name: String,
    pub kind: OrgKind,
    /// Branches counted in it (1 for a branch).
    pub branches: u32,
    pub members: MemberCounts,
    /// Members with at least one deed approved (now) whose points the ledger put in the period,
    /// out of the members.
    pub participation: Share,
    pub points: PointsByCategory,
    pub deeds: DeedCounts,
    pub review_time: ReviewTime,
    /// Absent when no meeting was held in the period.
    pub meetings: Option<MeetingFigures>,
    pub feedback: FeedbackFigures,
    /// Members whose total at the end of the period (or now, for the running one) is below their
    /// branch's alert line.
    pub under_alert: u32,
}

/// One member of a branch in the period.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct MemberFigures {
    pub member_id: String,
    pub name: String,
    pub status: MemberStatus,
    pub base: i32,
    pub bonus: i32,
    /// Taken away, as a positive number.
    pub deduction: i32,
    pub total: i32,
    pub deeds_approved: u32,
    pub deeds_waiting: u32,
    /// Of the period's meetings the member was expected at without leave, those present at.
    pub attendance: Share,
    pub under_alert: bool,
}

/// One quarter of the year, for the trend charts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct QuarterTrend {
    pub quarter: u8,
    pub base: i64,
    pub bonus: i64,
    pub deduction: i64,
    pub review_time: ReviewTime,
}

/// `GET /orgs/{id}/stats`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct OrgStats {
    pub year: i32,
    /// Absent for the whole year.
    pub quarter: Option<u8>,
    pub unit: UnitFigures,
    /// Each unit directly below, by name (empty for a branch).
    pub children: Vec<UnitFigures>,
    /// For a branch, each member taking part, by name; empty above branches.
    pub members: Vec<MemberFigures>,
    /// The year's four quarters (up to the current one) for the unit, whatever `quarter` asked.
    pub trend: Vec<QuarterTrend>,
}
