//! The points ledger of a branch, or of every branch below a town or a county:
//! `GET /orgs/{id}/ledger?year=&quarter=&format=&cursor=&limit=`. JSON a page at a time in the
//! order the entries were written; `csv` and `xlsx` carry the whole period.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

#[cfg(feature = "openapi")]
use utoipa::{IntoParams, ToSchema};

use super::GradesFormat;
use crate::domain::{LedgerKind, RuleCategory};

/// `?year=&quarter=&format=&cursor=&limit=` of the ledger. Without a year, the current cycle
/// year; without a quarter, the whole year. `cursor` and `limit` page the JSON; a file holds the
/// whole period and ignores them.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
pub struct UnitLedgerQuery {
    #[serde(default)]
    #[cfg_attr(feature = "openapi", param(minimum = 2000, maximum = 2100))]
    pub year: Option<i32>,
    /// 1–4; leave out for the whole year.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", param(minimum = 1, maximum = 4))]
    pub quarter: Option<u8>,
    /// `json` (the default), `csv` or `xlsx`.
    #[serde(default)]
    pub format: Option<GradesFormat>,
    /// `next_cursor` of the previous page.
    #[serde(default)]
    pub cursor: Option<String>,
    /// Page size, 1 to 100 (default 50).
    #[serde(default)]
    #[cfg_attr(feature = "openapi", param(minimum = 1, maximum = 100))]
    pub limit: Option<u64>,
}

/// Why an entry was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum LedgerCause {
    /// A member's report (or one registered for them), approved.
    Deed,
    /// The branch decided it without a report: a deduction, an award, a meeting's attendance.
    Decision,
    /// It cancels an earlier entry (a revoked approval, an upheld appeal).
    Reversal,
    /// The year's base points given when the year opened or the member joined.
    Allotment,
}

/// One entry of the ledger with the names a reader needs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct UnitLedgerEntry {
    /// Also the paging cursor: ids grow in the order entries are written.
    pub id: String,
    pub created_at: DateTime<Utc>,
    /// The cycle quarter the entry counts in (a correction of a signed quarter counts in the
    /// quarter open when it was written).
    pub year: i32,
    pub quarter: u8,
    pub branch_id: String,
    pub branch_name: String,
    pub member_id: String,
    pub member_name: String,
    pub kind: LedgerKind,
    pub category: RuleCategory,
    pub rule_id: Option<String>,
    /// The item's name as it read in the version the entry was written under.
    pub rule_name: Option<String>,
    pub rule_version: Option<i32>,
    pub points: i32,
    pub cause: LedgerCause,
    pub deed_id: Option<String>,
    pub reverses_id: Option<String>,
    /// The deed's title, the decision's reason, or the note of the allotment.
    pub reason: String,
}

/// A page of the ledger, oldest first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct UnitLedgerPage {
    pub year: i32,
    pub quarter: Option<u8>,
    pub items: Vec<UnitLedgerEntry>,
    /// Absent on the last page.
    pub next_cursor: Option<String>,
}

/// `?format=` of a GET that can also answer as a file: `json` (the default), `csv` (UTF-8 with a
/// byte-order mark, for Excel) or `xlsx`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
pub struct ExportQuery {
    #[serde(default)]
    pub format: Option<GradesFormat>,
}
