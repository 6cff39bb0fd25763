//! The roster (党员名册): members of a branch listed, added, edited, transferred and deactivated
//! by its secretary or an administrator above it, and imported from a spreadsheet
//! (`POST /branches/{id}/roster?dry_run=true|false`).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

#[cfg(feature = "openapi")]
use utoipa::{IntoParams, ToSchema};

use super::GradesFormat;
use crate::domain::MemberStatus;

macro_rules! wire {
    ($($item:item)*) => {
        $(
            #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
            #[cfg_attr(feature = "openapi", derive(ToSchema))]
            $item
        )*
    };
}

/// Query of `GET /orgs/{id}/members`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
pub struct MemberQuery {
    /// Part of a name, username or phone number (at most 40 characters).
    pub q: Option<String>,
    /// `active`, `migrant` or `transferred` (left); members still taking part (active and
    /// migrant) when absent.
    pub status: Option<String>,
    /// The `next_cursor` of the previous page.
    pub cursor: Option<String>,
    /// Page size, 1 to 100 (default 50).
    #[cfg_attr(feature = "openapi", param(minimum = 1, maximum = 100))]
    pub limit: Option<u64>,
}

/// Query of `POST /branches/{id}/roster`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
pub struct RosterImportQuery {
    /// `true` (the default): only say what the file would do. `false`: do it, all or nothing.
    pub dry_run: Option<bool>,
}

/// Query of `GET /branches/{id}/roster/template`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
pub struct RosterTemplateQuery {
    /// `xlsx` (the default, when left out) or `csv` (UTF-8 with BOM); `json` is no template.
    #[serde(default)]
    pub format: Option<GradesFormat>,
}

wire! {
    /// A member as the roster shows them.
    pub struct RosterMember {
        pub id: String,
        pub name: String,
        pub username: String,
        pub phone: Option<String>,
        pub status: MemberStatus,
        /// The home branch.
        pub branch_id: String,
        pub branch_name: String,
        pub branch_code: Option<String>,
        /// Whether a WeChat account is bound to the member.
        pub wechat_bound: bool,
    }

    /// A page of the roster, by name.
    pub struct RosterPage {
        pub items: Vec<RosterMember>,
        /// Pass as `cursor` for the next page; absent on the last page.
        pub next_cursor: Option<String>,
    }

    /// A member to add to the branch. Without a username one is made from the branch's code and a
    /// number (`demo-2-007`).
    pub struct NewRosterMember {
        pub name: String,
        #[serde(default)]
        pub phone: Option<String>,
        /// `active` (the default) or `migrant`.
        #[serde(default)]
        pub status: Option<MemberStatus>,
        #[serde(default)]
        pub username: Option<String>,
    }

    /// What to change of a member; fields left out stay as they are. An empty `phone` removes it.
    /// `status` is `active` or `migrant`: leaving is `POST /members/{id}/deactivate`.
    #[derive(Default)]
    pub struct PatchRosterMember {
        #[serde(default)]
        pub name: Option<String>,
        #[serde(default)]
        pub phone: Option<String>,
        #[serde(default)]
        pub status: Option<MemberStatus>,
    }

    /// Where a member moves (组织关系转接): a branch's id or its public code.
    pub struct TransferRequest {
        pub branch_id: String,
    }

    /// A row of the file that makes a new member.
    pub struct RosterAdd {
        /// The row as the spreadsheet numbers it (the header is row 1).
        pub row: u32,
        pub name: String,
        pub username: String,
        pub phone: Option<String>,
        pub status: MemberStatus,
    }

    /// One field a row changes: `name`, `phone` or `status`.
    pub struct RosterChange {
        pub field: String,
        pub from: Option<String>,
        pub to: Option<String>,
    }

    /// A row of the file that changes a member already in the roster.
    pub struct RosterUpdate {
        pub row: u32,
        pub member_id: String,
        pub name: String,
        pub username: String,
        pub changes: Vec<RosterChange>,
    }

    /// A row of the file that matches a member as they are.
    pub struct RosterUnchanged {
        pub row: u32,
        pub member_id: String,
        pub name: String,
        pub username: String,
    }

    /// What is wrong with a cell (or a row) of the file.
    pub struct RosterProblem {
        pub row: u32,
        /// The column's header as the file names it (`手机号`, `phone`).
        pub column: String,
        /// Stable identifier such as `roster.duplicate_phone`.
        pub code: String,
        pub message: String,
    }

    /// A new member's one-time invite code to bind WeChat, shown once.
    pub struct RosterInvite {
        pub member_id: String,
        pub name: String,
        pub username: String,
        pub code: String,
        pub expires_at: DateTime<Utc>,
    }

    /// What a roster file does (`dry_run=true`) or did (`committed`). A file with problems
    /// changes nothing. Members of the branch that no row names are listed in `not_in_file` and
    /// left as they are: an import never removes anyone.
    pub struct RosterImport {
        pub branch_id: String,
        pub branch_name: String,
        pub branch_code: Option<String>,
        pub committed: bool,
        /// Rows read, the header not counted.
        pub rows: u32,
        pub add: Vec<RosterAdd>,
        pub update: Vec<RosterUpdate>,
        pub unchanged: Vec<RosterUnchanged>,
        pub not_in_file: Vec<RosterMember>,
        pub problems: Vec<RosterProblem>,
        /// After a commit, an invite code for each new member; never retrievable again.
        pub invites: Vec<RosterInvite>,
    }
}
