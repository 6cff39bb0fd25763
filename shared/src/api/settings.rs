//! A branch's settings for the points year (`GET`/`PATCH /branches/{id}/settings`).

use serde::{Deserialize, Serialize};

#[cfg(feature = "openapi")]
use utoipa::ToSchema;

use crate::domain::BoardNames;

/// When a member counts as falling behind (积分预警).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum AlertThreshold {
    /// Below this many points in the year so far.
    Points { points: i32 },
    /// Below this share (percent, 1–100) of the branch's median for the year so far.
    MedianShare { percent: u8 },
}

/// The year-end grades (民主评议党员) by total points: 优秀 from `excellent` up, 合格 from
/// `qualified`, 基本合格 from `basic`, 不合格 below. `excellent_cap_percent`, when set, limits 优秀 to
/// that share of the branch's members, by rank.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct GradeThresholds {
    pub excellent: i32,
    pub qualified: i32,
    pub basic: i32,
    pub excellent_cap_percent: Option<u8>,
}

/// The branch's usual area, for the evidence checks: a centre and a radius in metres.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct EvidenceArea {
    pub lat: f64,
    pub lng: f64,
    pub radius_m: u32,
}

/// Everything a branch decides about its points year.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct BranchSettings {
    /// Base points (基础积分) each active member receives when the year opens.
    pub base_points_per_year: i32,
    /// Whether the public board shows members' full names or masked ones (王*恩).
    pub board_names: BoardNames,
    pub alert: AlertThreshold,
    pub grades: GradeThresholds,
    /// `null` when the branch has not set one (the median of its approved places is used).
    pub evidence_area: Option<EvidenceArea>,
}

impl Default for BranchSettings {
    fn default() -> Self {
        BranchSettings {
            base_points_per_year: 60,
            board_names: BoardNames::Full,
            alert: AlertThreshold::MedianShare { percent: 60 },
            grades: GradeThresholds {
                excellent: 90,
                qualified: 70,
                basic: 60,
                excellent_cap_percent: None,
            },
            evidence_area: None,
        }
    }
}

/// A change to the settings: only the fields given change. `evidence_area: null` clears the area;
/// leaving it out keeps it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct PatchBranchSettings {
    #[serde(default)]
    pub base_points_per_year: Option<i32>,
    #[serde(default)]
    pub board_names: Option<BoardNames>,
    #[serde(default)]
    pub alert: Option<AlertThreshold>,
    #[serde(default)]
    pub grades: Option<GradeThresholds>,
    #[serde(default, deserialize_with = "super::double_option")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<EvidenceArea>))]
    pub evidence_area: Option<Option<EvidenceArea>>,
}
