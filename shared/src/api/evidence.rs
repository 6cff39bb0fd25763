//! What the reviewing committee is told about a deed's evidence (`DeedView.evidence`): warnings
//! that inform and never reject. Only the committee reviewing the deed's branch is shown it; the
//! member and the public never see a photo's capture time and place.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

#[cfg(feature = "openapi")]
use utoipa::ToSchema;

use crate::domain::{Agreement, DeedStatus};

/// Where the branch's usual area comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum AreaSource {
    /// The centre and radius set in the branch settings.
    Settings,
    /// The median of the branch's approved places, with a radius of 5 km.
    ApprovedMedian,
}

/// The reported place against the branch's usual area.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct AreaCheck {
    pub source: AreaSource,
    pub radius_m: u32,
    /// From the area's centre to the reported place, in metres.
    pub distance_m: u32,
    /// Whether the reported place lies beyond the radius.
    pub outside: bool,
}

/// Another deed a photo with the same content is attached to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct PhotoReuse {
    /// The other deed, when the viewer reviews its branch; `null` for a deed of another branch
    /// (it is only said that there is one).
    pub deed_id: Option<String>,
    pub title: Option<String>,
    pub member_name: Option<String>,
    pub status: Option<DeedStatus>,
}

/// One photo's own capture data, read from its EXIF before the metadata was stripped, and how it
/// agrees with the deed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct PhotoEvidence {
    pub photo_id: String,
    pub taken_at: Option<DateTime<Utc>>,
    pub taken_lat: Option<f64>,
    pub taken_lng: Option<f64>,
    /// The capture time within 48 hours of the deed's time.
    pub time: Agreement,
    /// Hours between the capture time and the deed's time, when both are known.
    pub hours_apart: Option<i64>,
    /// The capture place within the area's radius (or 2 km) of the reported place.
    pub place: Agreement,
    /// Metres between the capture place and the reported place, when both are known.
    pub metres_apart: Option<u32>,
    /// Other deeds the same picture (by content) is attached to.
    pub also_on: Vec<PhotoReuse>,
}

/// The evidence warnings on one deed, for its reviewers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct EvidenceView {
    /// `null` when the deed has no coordinates or the branch has no usual area yet (no area set
    /// and fewer than three approved places).
    pub area: Option<AreaCheck>,
    pub photos: Vec<PhotoEvidence>,
}

impl EvidenceView {
    /// Whether anything here deserves the reviewer's attention.
    pub fn warns(&self) -> bool {
        self.area.as_ref().is_some_and(|a| a.outside)
            || self.photos.iter().any(|p| {
                p.time == Agreement::Disagrees
                    || p.place == Agreement::Disagrees
                    || !p.also_on.is_empty()
            })
    }
}
