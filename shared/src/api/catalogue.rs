//! The rules catalogue's history (`GET /rules/{id}/versions`).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

#[cfg(feature = "openapi")]
use utoipa::ToSchema;

/// One version of a catalogue item: what it was worth and meant from `created_at` until the next
/// version. Entries and deeds name the version they were given under.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct RuleVersionView {
    pub rule_id: String,
    pub version: i32,
    pub name: String,
    pub description: String,
    pub standard_points: i32,
    pub cap_per_quarter: Option<i32>,
    pub cap_per_year: Option<i32>,
    pub evidence_required: bool,
    pub created_at: DateTime<Utc>,
    /// Who made this version; none for the demo's own catalogue and items older than versions.
    pub created_by: Option<String>,
    pub created_by_name: Option<String>,
}
