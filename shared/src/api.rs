//! Request and response bodies of the JSON API under `/api/v1`.
//!
//! Requests carry raw values (strings, numbers) that the server parses into the domain types once;
//! responses carry what the server already holds. Add fields compatibly: new request fields are
//! `#[serde(default)]`, so older clients (the WeChat mini program ships on its own schedule) keep working.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Deserializer, Serialize};

use crate::domain::{
    DeedStatus, FeedbackStatus, LedgerKind, MemberStatus, NotificationKind, OrgKind, QuarterStatus,
    Role, RuleCategory,
};

#[cfg(feature = "openapi")]
use utoipa::{IntoParams, ToSchema};

// Each feature's bodies live in a module of their own beside this file.
mod settings;
pub use settings::*;
mod evidence;
pub use evidence::*;
mod migrant;
pub use migrant::*;
mod meetings;
pub use meetings::*;
mod standing;
pub use standing::*;
mod year;
pub use year::*;
mod appeals;
pub use appeals::*;
mod statements;
pub use statements::*;
mod deductions;
pub use deductions::*;
mod catalogue;
pub use catalogue::*;
// Issue 14: the town and county view
mod stats;
pub use stats::*;
mod unit_ledger;
pub use unit_ledger::*;
// Issue 14: roster, ratings, administration (add this part's modules below this line)
mod admin;
pub use admin::*;
mod ratings;
pub use ratings::*;
mod roster;
pub use roster::*;

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
    pub struct LoginRequest {
        pub username: String,
        pub password: String,
    }

    /// A short-lived access token for `Authorization: Bearer`, and a refresh token that is
    /// replaced on every use.
    pub struct TokenResponse {
        pub access_token: String,
        pub refresh_token: String,
        /// Always `Bearer`.
        pub token_type: String,
        /// Seconds until `access_token` expires.
        pub expires_in: i64,
    }

    /// The refresh token to trade. The web app leaves it out (`{}`): its refresh token travels
    /// only in the `jifen_refresh` cookie, which the server sets on sign-in and refresh.
    pub struct RefreshRequest {
        #[serde(default)]
        pub refresh_token: String,
    }

    /// The refresh token of the session to end; left out by the web app, as for refreshing.
    pub struct LogoutRequest {
        #[serde(default)]
        pub refresh_token: String,
    }

    /// The signed-in person and what they may do where.
    pub struct MeResponse {
        pub id: String,
        pub name: String,
        pub username: String,
        pub status: MemberStatus,
        pub home_branch_id: String,
        pub home_branch_name: String,
        /// The home branch's public code: its board is `/board/{code}` in the web app.
        #[serde(default)]
        pub home_branch_code: Option<String>,
        pub roles: Vec<RoleGrant>,
        /// The migrant members' organisation the member is attached to in the city where they
        /// work, besides their home branch (dual organisational life).
        #[serde(default)]
        pub migrant_org_id: Option<String>,
        #[serde(default)]
        pub migrant_org_name: Option<String>,
    }

    pub struct RoleGrant {
        pub org_unit_id: String,
        pub org_unit_name: String,
        pub role: Role,
        /// What the unit is: the app offers the attest queue to a committee of a `migrant` unit
        /// and registering deeds to one of a `branch`. Added later, so optional on the wire.
        #[serde(default)]
        pub org_unit_kind: Option<OrgKind>,
    }

    /// One item of a branch's rules catalogue (积分细则).
    pub struct RuleView {
        pub id: String,
        pub branch_id: String,
        pub category: RuleCategory,
        pub name: String,
        pub description: String,
        /// Positive for base and bonus items, negative for deductions.
        pub standard_points: i32,
        /// Most points one member may earn from this item in a quarter.
        pub cap_per_quarter: Option<i32>,
        /// Most points one member may earn from this item in a cycle year.
        pub cap_per_year: Option<i32>,
        pub evidence_required: bool,
        pub active: bool,
        /// The item's current version: 1 on creation, one more for each edit of what it is
        /// worth or means (`GET /rules/{id}/versions`).
        pub version: i32,
    }

    pub struct CreateRuleRequest {
        pub category: RuleCategory,
        pub name: String,
        #[serde(default)]
        pub description: String,
        pub standard_points: i32,
        #[serde(default)]
        pub cap_per_quarter: Option<i32>,
        #[serde(default)]
        pub cap_per_year: Option<i32>,
        #[serde(default)]
        pub evidence_required: bool,
    }

    /// Changes to a rule; absent fields stay as they are, `null` caps are removed. Fields left
    /// `None` are not sent, so a client's patch never clears a cap it did not mean to.
    pub struct PatchRuleRequest {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub name: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub description: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub standard_points: Option<i32>,
        #[serde(
            default,
            deserialize_with = "double_option",
            skip_serializing_if = "Option::is_none"
        )]
        #[cfg_attr(feature = "openapi", schema(value_type = Option<i32>))]
        pub cap_per_quarter: Option<Option<i32>>,
        #[serde(
            default,
            deserialize_with = "double_option",
            skip_serializing_if = "Option::is_none"
        )]
        #[cfg_attr(feature = "openapi", schema(value_type = Option<i32>))]
        pub cap_per_year: Option<Option<i32>>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub evidence_required: Option<bool>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub active: Option<bool>,
    }

    pub struct PlaceDto {
        pub name: String,
        #[serde(default)]
        pub lat: Option<f64>,
        #[serde(default)]
        pub lng: Option<f64>,
    }

    /// A member's self-report: time, place and what happened (时间、地点、经过).
    pub struct SubmitDeedRequest {
        pub rule_id: String,
        pub title: String,
        pub account: String,
        /// RFC 3339 with an offset, e.g. `2026-03-31T23:30:00+08:00`.
        pub occurred_at: DateTime<Utc>,
        pub place: PlaceDto,
        #[serde(default)]
        pub photo_ids: Vec<String>,
        /// Chosen by the client once per report; sending it again returns the first result
        /// instead of a second deed, so a retry on a weak network is safe.
        pub client_request_id: String,
        /// Registering for a member without a phone (登记建账): the member of the caller's branch
        /// the deed is for; only its committee members and secretary may. Absent: the caller's
        /// own report. A client request id is then unique per registrar and member.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub member_id: Option<String>,
    }

    /// A returned deed, revised by its member and submitted again.
    pub struct ReviseDeedRequest {
        pub rule_id: String,
        pub title: String,
        pub account: String,
        pub occurred_at: DateTime<Utc>,
        pub place: PlaceDto,
        #[serde(default)]
        pub photo_ids: Vec<String>,
    }

    pub struct DeedView {
        pub id: String,
        pub member_id: String,
        pub member_name: String,
        pub branch_id: String,
        pub rule_id: String,
        pub rule_name: String,
        pub category: RuleCategory,
        pub title: String,
        pub account: String,
        pub occurred_at: DateTime<Utc>,
        pub place: PlaceDto,
        pub photo_ids: Vec<String>,
        pub status: DeedStatus,
        pub points_claimed: i32,
        pub points_awarded: Option<i32>,
        /// Cycle year and quarter of `occurred_at` in Asia/Shanghai.
        pub year: i32,
        pub quarter: u8,
        /// The committee's reason for the last rejection, return or revocation.
        pub decision_reason: Option<String>,
        /// The catalogue version of the rule the deed was approved under; none until approved.
        #[serde(default)]
        pub rule_version: Option<i32>,
        pub client_request_id: String,
        pub created_at: DateTime<Utc>,
        pub updated_at: DateTime<Utc>,
        /// The committee member or secretary who registered the deed for its member (由 X 登记);
        /// absent when the member reported it. They never review it.
        #[serde(default)]
        pub registered_by: Option<String>,
        #[serde(default)]
        pub registered_by_name: Option<String>,
        /// Co-signatures of the migrant members' organisation the member is attached to.
        #[serde(default)]
        pub attestations: Vec<AttestationView>,
        /// The evidence warnings, for the committee reviewing the deed's branch on `GET
        /// /deeds/{id}`; `null` for the member, in lists, and for everyone else.
        #[serde(default)]
        pub evidence: Option<EvidenceView>,
    }

    pub struct DeedPage {
        pub items: Vec<DeedView>,
        /// Pass as `cursor` to get the next page; absent on the last page.
        pub next_cursor: Option<String>,
    }

    pub struct ApproveRequest {
        /// Points to award instead of the rule's standard value.
        #[serde(default)]
        pub points: Option<i32>,
        #[serde(default)]
        pub comment: Option<String>,
    }

    pub struct ReasonRequest {
        /// Required; a missing reason is reported like an empty one.
        #[serde(default)]
        pub reason: String,
    }

    /// One step in a deed's life, read from the audit history.
    pub struct HistoryEntry {
        pub at: DateTime<Utc>,
        pub actor_id: Option<String>,
        pub actor_name: Option<String>,
        /// e.g. `deed.submitted`, `deed.approved`, `ledger.entry_written`.
        pub action: String,
        pub status: Option<DeedStatus>,
        pub reason: Option<String>,
        pub points: Option<i32>,
    }

    pub struct DeedHistory {
        pub deed_id: String,
        pub events: Vec<HistoryEntry>,
    }

    pub struct LedgerEntryView {
        pub id: String,
        pub kind: LedgerKind,
        pub category: RuleCategory,
        pub points: i32,
        pub year: i32,
        pub quarter: u8,
        pub deed_id: Option<String>,
        pub rule_id: Option<String>,
        pub reverses_id: Option<String>,
        /// The catalogue version of `rule_id` the entry was written under; none for entries
        /// without a rule and for entries from before the catalogue had versions.
        #[serde(default)]
        pub rule_version: Option<i32>,
        pub note: String,
        pub created_at: DateTime<Utc>,
    }

    pub struct QuarterPoints {
        pub quarter: u8,
        pub base: i32,
        pub bonus: i32,
        pub deduction: i32,
        pub total: i32,
    }

    /// A member's account for one cycle year. `deduction` is negative; `total` is the sum.
    pub struct PointsSummary {
        pub member_id: String,
        pub year: i32,
        pub base: i32,
        pub bonus: i32,
        pub deduction: i32,
        pub total: i32,
        pub quarters: Vec<QuarterPoints>,
        pub entries: Vec<LedgerEntryView>,
    }

    /// An uploaded photo, to be listed in a deed's `photo_ids`.
    pub struct PhotoView {
        pub id: String,
        pub content_type: String,
        pub byte_size: i64,
    }

    pub struct Health {
        pub status: String,
    }

    /// `wx.login()`'s code, sent by the mini program.
    pub struct WechatLoginRequest {
        pub code: String,
    }

    /// The WeChat user is not bound to a member yet: bind with an invite code from the secretary
    /// (`POST /auth/wechat/bind`) before the ticket expires.
    pub struct BindingRequired {
        /// Always `true`.
        pub binding_required: bool,
        pub binding_ticket: String,
        /// Seconds until `binding_ticket` expires.
        pub expires_in: i64,
    }

    pub struct WechatBindRequest {
        pub binding_ticket: String,
        pub invite_code: String,
    }

    /// A one-time invite code for binding a WeChat account; shown this once and stored hashed.
    pub struct InviteView {
        pub member_id: String,
        /// Like `K7PM-3QXD`; letters and digits that cannot be mistaken for each other.
        pub code: String,
        pub expires_at: DateTime<Utc>,
    }

    /// An invite code asked for a member who holds a role: it exists only once a second role
    /// holder of the branch confirms it (`POST /invites/{id}/confirm`), and the code is shown to
    /// that confirmer.
    pub struct PendingInviteView {
        pub id: String,
        pub member_id: String,
        pub member_name: String,
        pub requested_by: String,
        pub requested_by_name: String,
        pub requested_at: DateTime<Utc>,
        pub expires_at: DateTime<Utc>,
    }

    /// Sets the password for the web app. `current_password` is required when one is set. A
    /// member without one proves who they are with `wechat_code` (a fresh `wx.login()` code of
    /// their bound WeChat account) or `invite_code` (an invite code from the branch secretary,
    /// spent by this). Every other session of the member ends.
    pub struct SetPasswordRequest {
        #[serde(default)]
        pub current_password: Option<String>,
        pub new_password: String,
        #[serde(default)]
        pub wechat_code: Option<String>,
        #[serde(default)]
        pub invite_code: Option<String>,
    }

    /// One message of the in-app inbox, worded in the reader's language.
    pub struct NotificationView {
        pub id: String,
        pub kind: NotificationKind,
        pub title: String,
        pub body: String,
        pub deed_id: Option<String>,
        pub created_at: DateTime<Utc>,
        pub read: bool,
    }

    /// The newest messages first.
    pub struct NotificationPage {
        pub items: Vec<NotificationView>,
        pub unread: u64,
        /// Pass as `cursor` for older messages; absent on the last page.
        pub next_cursor: Option<String>,
    }

    /// What `wx.requestSubscribeMessage` answered: template id → `accept`, `reject`, `ban` or
    /// `filter`. Each `accept` allows one message of that template.
    pub struct SubscriptionConsents {
        pub results: std::collections::BTreeMap<String, String>,
    }

    /// Messages each template may still send the member.
    pub struct SubscriptionBalance {
        pub available: std::collections::BTreeMap<String, u64>,
    }
}

wire! {
    /// Where a branch's quarter stands: `open`, `signed` by the secretary, or `published` on the
    /// public board.
    pub struct QuarterReviewView {
        pub branch_id: String,
        pub year: i32,
        pub quarter: u8,
        pub status: QuarterStatus,
        pub signed_by: Option<String>,
        pub signed_at: Option<DateTime<Utc>>,
        pub published_at: Option<DateTime<Utc>>,
        /// Reports of the quarter still waiting for the committee; the secretary signs at 0.
        #[serde(default)]
        pub pending_deeds: u64,
    }

    /// One member's line on the public board.
    pub struct BoardRow {
        /// For `about_member_id` in feedback.
        pub member_id: String,
        pub member_name: String,
        pub base: i32,
        pub bonus: i32,
        pub deduction: i32,
        /// The quarter's total.
        pub total: i32,
        /// The cycle year's total up to and including this quarter.
        pub year_total: i32,
    }

    /// One addition or deduction of the quarter, as posted.
    pub struct BoardEntry {
        pub member_name: String,
        pub category: RuleCategory,
        pub points: i32,
        pub note: String,
    }

    /// The public board (张榜公布) of one branch's quarter, for the masses, without sign-in.
    pub struct BoardView {
        pub branch_name: String,
        pub branch_code: String,
        pub year: i32,
        pub quarter: u8,
        pub signed_by_name: String,
        pub published_at: DateTime<Utc>,
        /// The branch's audit history as it stood when posted (`CHAIN:SEQ:HASH`). Whoever keeps
        /// it can later check that history was not cut back: `jifen audit verify --anchor`.
        pub audit_anchor: String,
        pub rows: Vec<BoardRow>,
        pub entries: Vec<BoardEntry>,
    }
}

wire! {
    /// Feedback from the masses on a posted quarter, optionally about one member on the board.
    pub struct FeedbackRequest {
        pub year: i32,
        pub quarter: u8,
        #[serde(default)]
        pub about_member_id: Option<String>,
        pub body: String,
        #[serde(default)]
        pub contact: Option<String>,
    }

    /// Feedback as received; `contact` is shown only to the branch's committee.
    pub struct FeedbackView {
        pub id: String,
        pub year: i32,
        pub quarter: u8,
        pub about_member_id: Option<String>,
        pub about_member_name: Option<String>,
        pub body: String,
        pub contact: Option<String>,
        pub status: FeedbackStatus,
        pub created_at: DateTime<Utc>,
        /// When the committee accepted or dismissed it, and why; only shown to the committee.
        #[serde(default)]
        pub decided_at: Option<DateTime<Utc>>,
        #[serde(default)]
        pub decision_reason: Option<String>,
        /// The deduction it led to, when accepted and confirmed by a second person.
        #[serde(default)]
        pub ledger_entry_id: Option<String>,
        /// The proposed deduction an acceptance made, and where it stands (`proposed` waits for
        /// a second person); only shown to the committee. Added with two-person deductions:
        /// absent from older servers.
        #[serde(default)]
        pub deduction_id: Option<String>,
        #[serde(default)]
        pub deduction_status: Option<crate::domain::DeductionStatus>,
        /// Who sent it, as a short tag of a keyed hash of their address (never the address):
        /// feedback with the same tag came from the same sender. Only shown to the committee;
        /// absent for feedback older than the tag.
        #[serde(default)]
        pub sender: Option<String>,
    }

    /// How many of a quarter's feedback are in each status.
    pub struct FeedbackCounts {
        pub received: u64,
        pub accepted: u64,
        pub dismissed: u64,
    }

    /// One page of a quarter's feedback for the committee, oldest first, so that what came early
    /// is never pushed out of reach by what came later.
    pub struct FeedbackPage {
        pub items: Vec<FeedbackView>,
        /// Pass as `cursor` for the next page; absent on the last page.
        pub next_cursor: Option<String>,
        /// The whole quarter's counts, whatever the filter.
        pub counts: FeedbackCounts,
    }

    /// The committee sets many waiting pieces of feedback aside at once (a flood of spam), with
    /// one reason.
    pub struct BulkDismissRequest {
        /// 1 to 500 ids of the quarter's feedback.
        pub ids: Vec<String>,
        pub reason: String,
    }

    /// What a bulk dismissal did: the ids set aside, and those decided before (left as they were).
    pub struct BulkDismissed {
        pub dismissed: Vec<String>,
        pub already_decided: Vec<String>,
    }

    /// The committee turns feedback into a deduction (群众反映 → 违规扣分): a deduction item of the
    /// branch's catalogue, its standard points unless `points` (negative) is given, for the member
    /// the feedback is about (or `member_id` when it names nobody), with the committee's reason.
    pub struct AcceptFeedbackRequest {
        pub rule_id: String,
        #[serde(default)]
        pub points: Option<i32>,
        #[serde(default)]
        pub member_id: Option<String>,
        pub reason: String,
    }
}

/// Query of the public board: the latest published quarter when both are absent.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
pub struct BoardQuery {
    #[cfg_attr(feature = "openapi", param(minimum = 2000, maximum = 2100))]
    pub year: Option<i32>,
    #[cfg_attr(feature = "openapi", param(minimum = 1, maximum = 4))]
    pub quarter: Option<u8>,
}

/// Answer of `POST /auth/wechat`: tokens for a bound WeChat user, or a binding ticket.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(untagged)]
pub enum WechatLoginResponse {
    Tokens(TokenResponse),
    BindingRequired(BindingRequired),
}

/// Query of the committee's feedback list: `status` is `received` (waiting), `accepted` or
/// `dismissed`; all when absent.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
pub struct FeedbackQuery {
    pub status: Option<String>,
    pub cursor: Option<String>,
    /// Page size, 1 to 100 (default 50).
    #[cfg_attr(feature = "openapi", param(minimum = 1, maximum = 100))]
    pub limit: Option<u64>,
}

/// Query of `GET /me/notifications`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
pub struct NotificationQuery {
    pub cursor: Option<String>,
    /// Page size, 1 to 100 (default 20).
    #[cfg_attr(feature = "openapi", param(minimum = 1, maximum = 100))]
    pub limit: Option<u64>,
}

/// Query of `GET /deeds`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
pub struct DeedQuery {
    /// `mine` (default): my own deeds; `review`: deeds of branches I review; `attest`: deeds of
    /// the members attached to the migrant members' organisations whose committee I sit on.
    #[serde(default)]
    pub scope: Option<String>,
    /// With `scope=review`: only this branch (an id); ignored for `mine`. Not an id: 422.
    pub branch_id: Option<String>,
    pub status: Option<String>,
    /// With `scope=review` or `attest`: only this member's deeds (an id); ignored for `mine`.
    /// Not an id: 422.
    pub member_id: Option<String>,
    #[cfg_attr(feature = "openapi", param(minimum = 2000, maximum = 2100))]
    pub year: Option<i32>,
    #[cfg_attr(feature = "openapi", param(minimum = 1, maximum = 4))]
    pub quarter: Option<u8>,
    pub cursor: Option<String>,
    /// Page size, 1 to 100 (default 20).
    #[cfg_attr(feature = "openapi", param(minimum = 1, maximum = 100))]
    pub limit: Option<u64>,
}

/// Query of `GET /members/{id}/points`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
pub struct PointsQuery {
    /// Cycle year; the current one in Asia/Shanghai when absent.
    #[cfg_attr(feature = "openapi", param(minimum = 2000, maximum = 2100))]
    pub year: Option<i32>,
}

/// Tells a field that was sent as `null` (`Some(None)`) from one left out (`None`).
pub(crate) fn double_option<'de, T, D>(d: D) -> Result<Option<Option<T>>, D::Error>
where
    T: Deserialize<'de>,
    D: Deserializer<'de>,
{
    Option::<T>::deserialize(d).map(Some)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_null_cap_clears_it_and_a_missing_cap_keeps_it() {
        let p: PatchRuleRequest = serde_json::from_str(r#"{"cap_per_quarter": null}"#).unwrap();
        assert_eq!(p.cap_per_quarter, Some(None));
        assert_eq!(p.cap_per_year, None);
    }

    #[test]
    fn a_patch_sends_only_what_it_changes_and_a_removed_cap_as_null() {
        let retire = PatchRuleRequest {
            name: None,
            description: None,
            standard_points: None,
            cap_per_quarter: None,
            cap_per_year: Some(None),
            evidence_required: None,
            active: Some(false),
        };
        let sent = serde_json::to_string(&retire).unwrap();
        assert_eq!(sent, r#"{"cap_per_year":null,"active":false}"#);
        assert_eq!(
            serde_json::from_str::<PatchRuleRequest>(&sent).unwrap(),
            retire
        );
    }

    #[test]
    fn occurred_at_with_an_offset_is_read_as_that_instant() {
        let body = r#"{"rule_id":"r","title":"t","account":"a","occurred_at":"2026-03-31T23:30:00+08:00",
            "place":{"name":"p"},"client_request_id":"c"}"#;
        let req: SubmitDeedRequest = serde_json::from_str(body).unwrap();
        assert_eq!(req.occurred_at.to_rfc3339(), "2026-03-31T15:30:00+00:00");
        assert!(req.photo_ids.is_empty());
    }
}
