//! Falling behind (积分预警) and the year end (年终评定): `GET /branches/{id}/quarters/{y}/{q}/alerts`
//! and its `/notify`, `GET /members/{id}/standing`, `POST /branches/{id}/years/{year}/close`,
//! `GET /branches/{id}/years/{year}/grades` (JSON, CSV or XLSX), the committee's adjustment of one
//! grade and the secretary's confirmation.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

#[cfg(feature = "openapi")]
use utoipa::{IntoParams, ToSchema};

use super::{AlertThreshold, GradeThresholds};
use crate::domain::{Grade, GradingStatus, RuleCategory};

/// A member below the alert line.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct AlertRow {
    pub member_id: String,
    pub member_name: String,
    /// The member's points this year up to the end of the quarter.
    pub total: i32,
    /// Points missing to reach the line (always at least 1).
    pub behind: i32,
    /// Whether the member was already told about this quarter.
    pub notified: bool,
}

/// The members of a branch who are behind at the end of a quarter (or so far, for the quarter
/// running), lowest total first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct AlertsView {
    pub branch_id: String,
    pub year: i32,
    pub quarter: u8,
    /// The branch's setting the line was drawn from.
    pub rule: AlertThreshold,
    /// The alert line in points: a total below it is behind.
    pub threshold: i32,
    /// How many members were counted (the branch's members, transferred ones excepted).
    pub members: u32,
    pub below: Vec<AlertRow>,
}

/// What `POST …/alerts/notify` did: members told now, and members told before (not told again).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct AlertsNotified {
    pub notified: u32,
    pub already_notified: u32,
}

/// A catalogue item that could still earn the member points this year.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct HelpfulItem {
    pub rule_id: String,
    pub category: RuleCategory,
    pub name: String,
    pub description: String,
    pub standard_points: i32,
    /// What the item's caps still allow this quarter and year; `null` when it has no cap.
    pub remaining: Option<i32>,
}

/// Where a member stands in the year: their total so far, the branch's alert line, how far behind
/// they are and, when behind, the active base and bonus items of their branch that could help,
/// best first (most points still to be had).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct MemberStanding {
    pub member_id: String,
    pub year: i32,
    /// The quarter the total runs to: the current one for this year, Q4 for a past year.
    pub quarter: u8,
    pub total: i32,
    pub threshold: i32,
    /// 0 when the member is not behind.
    pub behind: i32,
    pub helpful: Vec<HelpfulItem>,
}

/// `?year=` of a member's standing; this year when absent.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
pub struct StandingQuery {
    #[cfg_attr(feature = "openapi", param(minimum = 2000, maximum = 2100))]
    pub year: Option<i32>,
}

/// One member's year-end grade.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct GradeRow {
    pub member_id: String,
    pub member_name: String,
    /// The year's total when the year was closed.
    pub total: i32,
    /// 1 for the highest total; equal totals share a rank (1, 2, 2, 4).
    pub rank: u32,
    /// The grade the thresholds and the cap gave.
    pub computed: Grade,
    /// The grade that counts: `computed`, unless the committee adjusted it.
    pub grade: Grade,
    pub adjusted_by: Option<String>,
    pub adjusted_by_name: Option<String>,
    pub adjust_reason: Option<String>,
    pub adjusted_at: Option<DateTime<Utc>>,
}

/// A branch's year-end grades (年终评定), by rank.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct GradesView {
    pub branch_id: String,
    pub branch_name: String,
    pub year: i32,
    /// `draft` while the committee may adjust, `confirmed` once the secretary has confirmed.
    pub status: GradingStatus,
    /// The thresholds the grades were computed with (the branch's settings when it closed).
    pub thresholds: GradeThresholds,
    /// Most members that may be 优秀 under the cap; `null` without a cap.
    pub excellent_cap: Option<u32>,
    pub closed_by: String,
    pub closed_at: DateTime<Utc>,
    pub confirmed_by: Option<String>,
    pub confirmed_at: Option<DateTime<Utc>>,
    pub rows: Vec<GradeRow>,
}

/// The form of `GET …/grades`: JSON (the default), CSV (UTF-8 with a byte-order mark, for Excel)
/// or an XLSX workbook.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum GradesFormat {
    #[default]
    Json,
    Csv,
    Xlsx,
}

/// `?format=` of the grades.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
pub struct GradesQuery {
    #[serde(default)]
    pub format: Option<GradesFormat>,
}

/// The committee changes one member's grade before the secretary confirms; the reason is kept.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct AdjustGradeRequest {
    pub grade: Grade,
    /// Required; a missing reason is reported like an empty one.
    #[serde(default)]
    pub reason: String,
}
