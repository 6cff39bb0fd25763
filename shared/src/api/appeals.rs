//! Appeals (积分申述): `POST /appeals` files one, `POST /appeals/{id}/uphold|overturn` decides it,
//! `GET /appeals` lists the member's own (`scope=mine`) or those the caller decides
//! (`scope=review`), `GET /appeals/{id}` shows one.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

#[cfg(feature = "openapi")]
use utoipa::{IntoParams, ToSchema};

use crate::domain::{AppealStatus, DeedStatus};

/// A member appeals, once and with a reason, either a deed of theirs that the committee rejected
/// or returned (`deed_id`), or a deduction from their account (`ledger_entry_id`); exactly one of
/// the two. Only before the quarter it concerns is signed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct FileAppealRequest {
    #[serde(default)]
    pub deed_id: Option<String>,
    #[serde(default)]
    pub ledger_entry_id: Option<String>,
    /// Required; a missing reason is reported like an empty one.
    #[serde(default)]
    pub reason: String,
}

/// An appeal, what it is about and what became of it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct AppealView {
    pub id: String,
    pub branch_id: String,
    /// The member who appealed.
    pub member_id: String,
    pub member_name: String,
    /// The deed appealed, when it is a rejection or a return.
    pub deed_id: Option<String>,
    /// The deduction appealed, when it is one.
    pub ledger_entry_id: Option<String>,
    /// What is appealed, in a few words: the deed's title or the deduction's item.
    pub subject: String,
    /// The deed's status when the appeal was filed (rejected or returned); none for a deduction.
    pub deed_status: Option<DeedStatus>,
    /// The deduction's points (negative); none for a deed.
    pub points: Option<i32>,
    /// The committee's reason for the decision appealed.
    pub decision_appealed: Option<String>,
    /// The quarter the appeal concerns; it cannot be signed while the appeal waits.
    pub year: i32,
    pub quarter: u8,
    /// The member's reason.
    pub reason: String,
    pub status: AppealStatus,
    pub filed_at: DateTime<Utc>,
    /// Who upheld or overturned it, when and why.
    pub decided_by: Option<String>,
    pub decided_by_name: Option<String>,
    pub decided_at: Option<DateTime<Utc>>,
    pub decision_reason: Option<String>,
    /// The entry that gave the points back, when a deduction was overturned.
    pub reversal_entry_id: Option<String>,
    /// Whether the caller may uphold or overturn it now: it waits, the caller reviews the branch,
    /// and is neither the member nor one who made the decision appealed.
    pub can_decide: bool,
}

/// One page of appeals, newest first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct AppealPage {
    pub items: Vec<AppealView>,
    /// Pass as `cursor` for the next page; absent on the last page.
    pub next_cursor: Option<String>,
}

/// Query of `GET /appeals`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
pub struct AppealQuery {
    /// `mine` (default): my own appeals; `review`: appeals in the branches I review.
    pub scope: Option<String>,
    /// `waiting`, `upheld` or `overturned`; all when left out.
    pub status: Option<String>,
    /// With `scope=review`: only this branch (an id).
    pub branch_id: Option<String>,
    pub cursor: Option<String>,
    /// Page size, 1 to 100 (default 50).
    #[cfg_attr(feature = "openapi", param(minimum = 1, maximum = 100))]
    pub limit: Option<u64>,
}
