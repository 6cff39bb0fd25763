//! Verifiable points statements (`GET /members/{id}/statement?year=`, `GET /verify/{check_code}`).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

#[cfg(feature = "openapi")]
use utoipa::{IntoParams, ToSchema};

/// Query of a member's statement: the cycle year, this year when absent.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
pub struct StatementQuery {
    #[cfg_attr(feature = "openapi", param(minimum = 2000, maximum = 2100))]
    pub year: Option<i32>,
}

/// Whether a printed statement is the member's latest for its year.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum StatementStanding {
    /// No newer statement of the member's year has been issued.
    Current,
    /// The points changed and a newer statement of the same year was issued after this one.
    Superseded,
}

/// What anyone holding a statement's check code may read about it: never the member's full name.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct StatementCheck {
    /// The code as printed, grouped (`ABCD-EFGH-JKMN`).
    pub check_code: String,
    pub standing: StatementStanding,
    /// Masked (王*恩).
    pub member_name: String,
    pub branch_name: String,
    pub year: i32,
    pub base: i32,
    pub bonus: i32,
    pub deduction: i32,
    pub total: i32,
    pub issued_at: DateTime<Utc>,
    /// When the statement that replaced it was issued, if one did.
    pub superseded_at: Option<DateTime<Utc>>,
}
