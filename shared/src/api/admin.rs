//! Administration of the organisation: the tree of units (`/orgs`), the roles held on them
//! (`/orgs/{id}/roles`, `/roles/{id}`) and a branch's WeChat invites (`/branches/{id}/invites`).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

#[cfg(feature = "openapi")]
use utoipa::ToSchema;

use super::PendingInviteView;
use crate::domain::{OrgKind, Role};

macro_rules! wire {
    ($($item:item)*) => {
        $(
            #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
            #[cfg_attr(feature = "openapi", derive(ToSchema))]
            $item
        )*
    };
}

wire! {
    /// A unit of the organisation as someone who holds a role over it sees it.
    pub struct OrgNode {
        pub id: String,
        /// Absent for a top-level unit, and for the top of what the caller sees.
        pub parent_id: Option<String>,
        pub kind: OrgKind,
        pub name: String,
        /// The public code of a branch or migrant organisation: its board is `/board/{code}`.
        pub code: Option<String>,
        /// The caller's highest role over the unit, held on it or on a unit above it.
        pub role: Role,
        /// The roles the caller may grant and revoke on the unit (none for a committee member).
        pub grantable: Vec<Role>,
    }

    /// Every unit the caller holds a role other than membership on, with everything below
    /// them, as a flat list: each unit comes after its parent, siblings by name. The top units
    /// are those whose `parent_id` is absent or not in the list.
    pub struct OrgTree {
        pub units: Vec<OrgNode>,
    }

    /// A unit and the units directly below it.
    pub struct OrgUnitView {
        pub unit: OrgNode,
        pub children: Vec<OrgNode>,
    }

    /// A new unit under `parent_id`, which the caller administers. `kind` must fit under the
    /// parent's (county → town → branch → group; `migrant` under a county or a town); only
    /// branches and migrant organisations have a `code`.
    pub struct NewOrgUnit {
        pub parent_id: String,
        pub kind: OrgKind,
        pub name: String,
        #[serde(default)]
        pub code: Option<String>,
    }

    /// What to change of a unit; fields left out stay. `parent_id` moves the unit (with
    /// everything below it) under another unit the caller administers. A new `code` moves the
    /// public board to `/board/{code}`; the old address keeps leading there (the old code stays
    /// the unit's and no other unit can take it).
    #[derive(Default)]
    pub struct PatchOrgUnit {
        #[serde(default)]
        pub name: Option<String>,
        #[serde(default)]
        pub parent_id: Option<String>,
        #[serde(default)]
        pub code: Option<String>,
    }

    /// A role someone holds on a unit.
    pub struct RoleHolder {
        /// The role assignment's id, for `DELETE /roles/{id}`.
        pub id: String,
        pub member_id: String,
        pub member_name: String,
        pub home_branch_name: String,
        pub org_unit_id: String,
        pub role: Role,
        pub granted_at: DateTime<Utc>,
        /// Whether the caller may revoke it (a role not above their own, and not their own
        /// highest).
        pub revocable: bool,
    }

    /// Who holds what on a unit (membership itself is the roster's: `GET /orgs/{id}/members`).
    pub struct UnitRoles {
        pub org_unit_id: String,
        /// The roles the caller may grant here.
        pub grantable: Vec<Role>,
        /// By role, highest first, then by name.
        pub holders: Vec<RoleHolder>,
    }

    /// Grant `role` on the unit to a member of it (or of a unit below it).
    pub struct GrantRoleRequest {
        pub member_id: String,
        pub role: Role,
    }

    /// An invite code issued and not yet used, revoked or expired. The code itself is shown
    /// only once, when it is issued.
    pub struct OpenInvite {
        pub id: String,
        pub member_id: String,
        pub member_name: String,
        pub issued_by: String,
        pub issued_by_name: String,
        pub issued_at: DateTime<Utc>,
        pub expires_at: DateTime<Utc>,
    }

    /// A branch's open invite codes and the requests for role holders' codes waiting for a
    /// second person, oldest first.
    pub struct BranchInvites {
        pub open: Vec<OpenInvite>,
        pub requests: Vec<PendingInviteView>,
    }
}
