//! Taking part from afar and through the branch. `PUT|DELETE /members/{id}/migrant-org` attaches a
//! member to a migrant members' organisation in the city where they work (dual organisational
//! life); its committee sees their deeds (`GET /deeds?scope=attest`) and co-signs one done in its
//! city (`POST /deeds/{id}/attest`). `POST /deeds` with `member_id` registers a deed for a member
//! without a phone (登记建账).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

#[cfg(feature = "openapi")]
use utoipa::ToSchema;

/// Attach the member to this migrant members' organisation (an org unit of kind `migrant`),
/// replacing any earlier one. Their home branch still reviews and awards all their points.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct MigrantOrgRequest {
    pub org_unit_id: String,
}

/// The migrant members' organisation a member is attached to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct MigrantOrgView {
    pub member_id: String,
    pub org_unit_id: String,
    pub org_unit_name: String,
}

/// The migrant organisation's committee vouches for a deed done in its city.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct AttestRequest {
    /// What the organisation saw or checked, 1 to 500 characters. Required; a missing comment is
    /// reported like an empty one.
    #[serde(default)]
    pub comment: String,
}

/// A co-signature on a deed by the migrant members' organisation its member is attached to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct AttestationView {
    pub id: String,
    pub org_unit_id: String,
    pub org_unit_name: String,
    pub attested_by: String,
    pub attested_by_name: String,
    pub comment: String,
    pub created_at: DateTime<Utc>,
}
