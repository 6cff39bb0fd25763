//! Opening a branch's points year with its base allotment (`POST /branches/{id}/years/{year}/open`,
//! `GET /branches/{id}/years/{year}`) and awarding a base item to many members at once
//! (`POST /branches/{id}/awards`).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

#[cfg(feature = "openapi")]
use utoipa::ToSchema;

use crate::domain::MemberStatus;

/// A branch's points year as its committee sees it: whether it is open, and each member's base
/// points in it so far.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct YearView {
    pub branch_id: String,
    pub year: i32,
    /// `null` while the year has not been opened.
    pub opened: Option<OpenedYear>,
    /// What opening the year now would give each member (the branch's settings).
    pub base_points_per_year: i32,
    /// Whether the caller may open this year now: the secretary or an administrator, the year not
    /// open yet, and the current year or the next.
    pub may_open: bool,
    /// The branch's members who take part in the year (active and migrant), by name.
    pub members: Vec<YearMember>,
}

/// When and by whom a year was opened.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct OpenedYear {
    pub opened_at: DateTime<Utc>,
    /// `null` when the year opened on its own on the first request after New Year.
    pub opened_by: Option<String>,
    pub opened_by_name: Option<String>,
    /// The allotment the year was opened with; members joining later get their share of it.
    pub base_points: i32,
    /// How many members received it when the year opened.
    pub members_given: u32,
}

/// A member of the branch and their base points (基础积分) in the year so far.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct YearMember {
    pub id: String,
    pub name: String,
    pub status: MemberStatus,
    pub base: i32,
}

/// Award one base item of the branch's catalogue (e.g. 按时交纳党费, dues paid on time) to many
/// members at once: one entry each with the item's standard points, all or none.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct AwardRequest {
    pub rule_id: String,
    /// 1 to 500 members of the branch; an id given twice counts once.
    #[serde(default)]
    pub member_ids: Vec<String>,
    /// Required; the members read it in their inbox and their points.
    #[serde(default)]
    pub reason: String,
}

/// The entries an award wrote, one per member.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct AwardResult {
    pub rule_id: String,
    pub rule_name: String,
    pub points: i32,
    pub year: i32,
    pub quarter: u8,
    pub entries: Vec<AwardedEntry>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct AwardedEntry {
    pub member_id: String,
    pub member_name: String,
    pub entry_id: String,
}
