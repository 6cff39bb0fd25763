//! Deductions the committee decides (违规扣分), with two people: `POST /members/{id}/deductions`
//! proposes, `POST /deductions/{id}/confirm` (a second person) writes the entry,
//! `POST /deductions/{id}/drop` ends it without one; `GET /branches/{id}/deductions` lists them.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

#[cfg(feature = "openapi")]
use utoipa::{IntoParams, ToSchema};

use crate::domain::DeductionStatus;

/// A committee member proposes a deduction for a member of the branch: a deduction item of the
/// branch's catalogue, its standard points unless `points` (negative) is given, and a reason the
/// member will read. `feedback_id` names the masses' feedback it answers, if any (the same as
/// accepting that feedback).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct ProposeDeductionRequest {
    pub rule_id: String,
    #[serde(default)]
    pub points: Option<i32>,
    /// Required; a missing reason is reported like an empty one.
    #[serde(default)]
    pub reason: String,
    #[serde(default)]
    pub feedback_id: Option<String>,
}

/// A proposed deduction and what became of it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct DeductionView {
    pub id: String,
    pub branch_id: String,
    pub member_id: String,
    pub member_name: String,
    pub rule_id: String,
    pub rule_name: String,
    /// The item's version when proposed; the entry is written with it.
    pub rule_version: i32,
    /// Negative.
    pub points: i32,
    pub reason: String,
    /// The masses' feedback it answers, if any.
    pub feedback_id: Option<String>,
    pub status: DeductionStatus,
    pub proposed_by: String,
    pub proposed_by_name: String,
    pub proposed_at: DateTime<Utc>,
    /// Who confirmed or dropped it, and when.
    pub decided_by: Option<String>,
    pub decided_by_name: Option<String>,
    pub decided_at: Option<DateTime<Utc>>,
    /// Why it was dropped.
    pub drop_reason: Option<String>,
    /// The ledger entry the confirmation wrote.
    pub ledger_entry_id: Option<String>,
}

/// One page of a branch's deductions, oldest first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct DeductionPage {
    pub items: Vec<DeductionView>,
    /// Pass as `cursor` for the next page; absent on the last page.
    pub next_cursor: Option<String>,
}

/// Query of `GET /branches/{id}/deductions`: `status` is `proposed` (waiting for a second
/// person), `confirmed` or `dropped`; all when left out.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
pub struct DeductionQuery {
    pub status: Option<String>,
    pub cursor: Option<String>,
    /// Page size, 1 to 100 (default 50).
    #[cfg_attr(feature = "openapi", param(minimum = 1, maximum = 100))]
    pub limit: Option<u64>,
}
