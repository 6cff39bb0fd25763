//! The server's one error type, and how it becomes `application/problem+json`.
//!
//! Every failure a client can see has a stable `code` and words in zh-CN and en. Unexpected
//! failures are logged with their whole cause chain and answered with a generic message, so no
//! SQL or stack text ever reaches a response.

use actix_web::http::header::{self, HeaderValue};
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};
use jifen_shared::domain::DeedStatus;
use jifen_shared::explain::Explain;
use jifen_shared::i18n::Lang;
use jifen_shared::problem::{FieldError, Problem};
use jifen_shared::words::Word;
use sea_orm::DbErr;

/// Things that may be looked up and not be there (or not be visible to the caller).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Missing {
    Deed,
    Rule,
    Member,
    OrgUnit,
    Photo,
    Notification,
    Board,
    Feedback,
    Route,
    /// An invite waiting for a second role holder's confirmation.
    Invite,
    /// A points statement by its check code.
    Statement,
    /// A deduction the committee proposed.
    Deduction,
    /// A member's appeal.
    Appeal,
    /// A points movement of the ledger.
    LedgerEntry,
    /// A branch's year-end grades: the year is not closed (or the member is not graded in it).
    Grades,
    /// A meeting of a unit the caller belongs to or oversees.
    Meeting,
    /// A member's request for leave from a meeting.
    LeaveRequest,
    /// A role assignment (who holds what on a unit).
    Role,
    /// An invite code or request that is still open (not used, revoked or expired).
    OpenInvite,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthFailure {
    MissingToken,
    InvalidToken,
    ExpiredToken,
    BadCredentials,
    InvalidRefreshToken,
    RefreshTokenReused,
    /// The access token's session was ended (signed out, refresh token reused, password
    /// changed) or its member transferred.
    SessionEnded,
}

/// Why signing in or binding through WeChat did not work.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WechatFailure {
    /// This server has no WeChat mini program configured.
    NotConfigured,
    /// WeChat did not accept the login code (40029).
    InvalidCode,
    /// The login code was used already (40163).
    CodeUsed,
    /// WeChat limits how often we may ask (45011).
    RateLimited,
    /// WeChat blocks this user as high-risk (40226).
    BlockedUser,
    /// WeChat is busy or cannot be reached.
    Unavailable,
    /// The binding ticket is unknown, used, expired or worn out by wrong codes.
    TicketInvalid,
    /// The invite code is wrong, used, expired or replaced by a newer one.
    InviteInvalid,
    /// The code's member has been given a role since it was issued: a role holder's code takes
    /// a second role holder's confirmation (see [`crate::services::wechat::invites`]).
    InviteUnconfirmed,
    /// The member, or the WeChat account, is bound already.
    AlreadyBound,
    /// The member has no WeChat account bound.
    NotBound,
}

/// Why a quarter cannot be signed or published (yet).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QuarterRefusal {
    /// The quarter has not ended yet.
    NotEnded,
    /// Deeds of the quarter still wait for the committee.
    PendingDeeds(u64),
    AlreadySigned,
    NotSigned,
    AlreadyPublished,
    /// Appeals of the quarter still wait for a decision.
    AppealsWaiting(u64),
}

/// Why an appeal cannot be filed or decided (409).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AppealRefusal {
    /// The deed or deduction was appealed before; each decision is appealed once.
    AlreadyFiled,
    /// The deed is not rejected or returned.
    NotAppealable,
    /// The quarter it concerns is signed.
    QuarterSigned,
    /// The appeal was upheld or overturned already.
    AlreadyDecided,
    /// The deed moved on since the appeal (revised, withdrawn): it can only be upheld.
    DeedMoved,
}

/// Why a year cannot be closed or its grades changed (409).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GradingRefusal {
    /// The year's fourth quarter is not signed yet.
    FourthQuarterNotSigned,
    /// The year was closed before.
    AlreadyClosed,
    /// The secretary confirmed the grades; they no longer change.
    Confirmed,
    /// Raising this member to 优秀 would take the count past the branch's cap.
    ExcellentCap(u32),
}

/// Why a meeting's check-in, leave or closing cannot happen now (409).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MeetingRefusal {
    /// The member checked in before.
    AlreadyCheckedIn,
    /// Outside [starts_at - 30 min, ends_at].
    NotOpen,
    /// The meeting was closed; attendance no longer changes.
    Closed,
    /// Closing before the meeting's end.
    NotEnded,
    /// The leave request was granted or refused already.
    LeaveDecided,
    /// The member asked for leave from this meeting before.
    LeaveAlreadyAsked,
    /// Asking for leave after checking in.
    LeaveAfterCheckin,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// The caller's roles do not allow this action.
    Role,
    /// Reviewing one's own deed.
    SelfReview,
    /// Only the member who reported a deed may withdraw or revise it.
    NotOwner,
    /// An act that needs two people, done twice by one (confirming one's own invite request).
    SecondPerson,
    /// Confirming a deduction one proposed oneself: a second committee member must.
    DeductionSecondPerson,
    /// Proposing or confirming a deduction of one's own points.
    OwnDeduction,
    /// Appealing a deed or deduction of someone else.
    AppealNotOwn,
    /// Deciding one's own appeal.
    OwnAppeal,
    /// Deciding an appeal of a decision one made (or proposed) oneself.
    AppealSameDecider,
    /// Checking in to, or asking leave from, a meeting one is not expected at.
    NotExpected,
    /// Adjusting one's own year-end grade.
    OwnGrade,
    /// Deciding a deed one registered for its member: someone else of the committee must.
    RegistrarReview,
    /// Granting or revoking a role ranked above one's own.
    RoleAboveOwn,
    /// Revoking one's own highest role over a unit.
    OwnHighestRole,
}

/// Why a migrant members' organisation cannot attest a deed (409).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AttestRefusal {
    /// The organisation attested this deed before; one co-signature each.
    Already,
    /// The deed was withdrawn, rejected or revoked: there is nothing left to vouch for.
    Closed,
}

/// Why a roster change cannot be made (409).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RosterRefusal {
    /// Moving or deactivating a member who holds an office: their roles are revoked first.
    HoldsOffice,
    /// Changing a member who has left the branch.
    Left,
}

/// Why a change to the organisation cannot be made (409).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OrgRefusal {
    /// Another unit has the public code, or had it (retired codes keep leading to their unit).
    CodeTaken,
    /// Revoking the only secretary of a branch: the successor is appointed first.
    LastSecretary,
}

/// One invalid field, worded in both languages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldIssue {
    pub field: String,
    pub code: &'static str,
    pub zh: String,
    pub en: String,
}

impl FieldIssue {
    pub fn new(
        field: impl Into<String>,
        code: &'static str,
        zh: impl Into<String>,
        en: impl Into<String>,
    ) -> Self {
        Self {
            field: field.into(),
            code,
            zh: zh.into(),
            en: en.into(),
        }
    }

    /// An invalid field worded from the table.
    pub fn worded(field: impl Into<String>, code: &'static str, word: Word) -> Self {
        Self::new(field, code, word.text(Lang::ZhCn), word.text(Lang::En))
    }

    /// An invalid field worded from the table, its blanks filled.
    pub fn filled(
        field: impl Into<String>,
        code: &'static str,
        word: Word,
        values: &[(&str, &dyn std::fmt::Display)],
    ) -> Self {
        Self::new(
            field,
            code,
            word.fill(Lang::ZhCn, values),
            word.fill(Lang::En, values),
        )
    }

    pub fn explained(field: impl Into<String>, err: &impl Explain) -> Self {
        Self::new(
            field,
            err.code(),
            err.explain(Lang::ZhCn),
            err.explain(Lang::En),
        )
    }
}

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("{0:?} not found")]
    NotFound(Missing),
    #[error("unauthorized: {0:?}")]
    Unauthorized(AuthFailure),
    #[error("forbidden: {0:?}")]
    Forbidden(Refusal),
    #[error("validation failed: {0:?}")]
    Validation(Vec<FieldIssue>),
    #[error("malformed request: {0}")]
    Malformed(String),
    #[error("a deed that is {from} cannot be {action}")]
    InvalidTransition {
        from: DeedStatus,
        action: DeedChange,
    },
    #[error("username already taken")]
    UsernameTaken,
    #[error("WeChat: {0:?}")]
    Wechat(WechatFailure),
    #[error("quarter: {0:?}")]
    Quarter(QuarterRefusal),
    #[error("too much feedback waiting")]
    FeedbackFull,
    /// A client or account asked too often; try again after `retry_after_secs`.
    #[error("too many requests ({limit:?}); retry after {retry_after_secs}s")]
    TooMany {
        limit: Throttle,
        retry_after_secs: u64,
    },
    /// The server is at capacity for this kind of work (password hashing, uploads); answered
    /// at once rather than queued.
    #[error("busy; retry after {retry_after_secs}s")]
    Busy { retry_after_secs: u64 },
    #[error("feedback already decided")]
    FeedbackDecided,
    #[error("deduction already confirmed or dropped")]
    DeductionDecided,
    #[error("appeal: {0:?}")]
    Appeal(AppealRefusal),
    #[error("grading: {0:?}")]
    Grading(GradingRefusal),
    #[error("attest: {0:?}")]
    Attest(AttestRefusal),
    /// The branch opened this points year already (its base points were given).
    #[error("meeting: {0:?}")]
    Meeting(MeetingRefusal),
    #[error("roster: {0:?}")]
    Roster(RosterRefusal),
    /// Rating rules are set on towns and counties, not on branches or other units.
    #[error("rating rules are set above the branches")]
    RatingRulesNotHere,
    #[error("organisation: {0:?}")]
    Organisation(OrgRefusal),
    #[error("year {year} already open")]
    YearAlreadyOpen { year: i32 },
    #[error("rule cap exceeded; {remaining} points remain this {period:?}")]
    CapExceeded { remaining: i32, period: CapPeriod },
    #[error("database unavailable")]
    Unavailable(#[source] DbErr),
    // Issue 15: photos in object storage
    /// The photo store (the bucket, or the photo directory's disk) failed; nothing was kept.
    #[error("photo store unavailable")]
    PhotoStore(#[source] crate::infra::photo_store::StoreError),
    #[error("database error")]
    Db(#[source] DbErr),
    #[error("internal error")]
    Internal(#[from] anyhow::Error),
}

/// What was asked of a deed that its status does not allow.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeedChange {
    /// A decision or withdrawal that would move it to this status.
    To(DeedStatus),
    /// The member's revision of a returned deed.
    Revise,
}

impl DeedChange {
    fn word(self) -> Word {
        match self {
            DeedChange::To(DeedStatus::Approved) => Word::ActionApproved,
            DeedChange::To(DeedStatus::Rejected) => Word::ActionRejected,
            DeedChange::To(DeedStatus::Returned) => Word::ActionReturned,
            DeedChange::To(DeedStatus::Withdrawn) => Word::ActionWithdrawn,
            DeedChange::To(DeedStatus::Revoked) => Word::ActionRevoked,
            DeedChange::To(DeedStatus::Submitted) | DeedChange::Revise => Word::ActionRevised,
        }
    }
}

impl std::fmt::Display for DeedChange {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.word().text(Lang::En))
    }
}

/// Which limit a client or account reached (see `crate::http::limits`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Throttle {
    /// Sign-in attempts from one client address.
    Login,
    /// Failed sign-ins for one account, from wherever they came.
    Account,
    /// Refresh-token and sign-out requests from one client address.
    Refresh,
    /// WeChat sign-in and binding from one client address.
    Wechat,
    /// Feedback on public boards from one client address.
    Feedback,
    /// Feedback from one sender still waiting for the committee on one quarter.
    FeedbackWaiting,
    /// Photo uploads from one client address.
    Upload,
    /// Statement check codes looked up from one client address.
    Verify,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CapPeriod {
    Quarter,
    Year,
}

impl AppError {
    /// One invalid field.
    pub fn field(field: impl Into<String>, err: &impl Explain) -> Self {
        AppError::Validation(vec![FieldIssue::explained(field, err)])
    }

    pub fn code(&self) -> &'static str {
        match self {
            AppError::NotFound(m) => match m {
                Missing::Deed => "deed.not_found",
                Missing::Rule => "rule.not_found",
                Missing::Member => "member.not_found",
                Missing::OrgUnit => "org_unit.not_found",
                Missing::Photo => "photo.not_found",
                Missing::Notification => "notification.not_found",
                Missing::Board => "board.not_found",
                Missing::Feedback => "feedback.not_found",
                Missing::Route => "route.not_found",
                Missing::Invite => "invite.not_found",
                Missing::Statement => "statement.not_found",
                Missing::Deduction => "deduction.not_found",
                Missing::Appeal => "appeal.not_found",
                Missing::LedgerEntry => "ledger_entry.not_found",
                Missing::Grades => "grades.not_found",
                Missing::Meeting => "meeting.not_found",
                Missing::LeaveRequest => "leave_request.not_found",
                Missing::Role => "role.not_found",
                Missing::OpenInvite => "invite.not_found",
            },
            AppError::Unauthorized(f) => match f {
                AuthFailure::MissingToken => "auth.missing_token",
                AuthFailure::InvalidToken => "auth.invalid_token",
                AuthFailure::ExpiredToken => "auth.token_expired",
                AuthFailure::BadCredentials => "auth.bad_credentials",
                AuthFailure::InvalidRefreshToken => "auth.refresh_invalid",
                AuthFailure::RefreshTokenReused => "auth.refresh_reused",
                AuthFailure::SessionEnded => "auth.session_ended",
            },
            AppError::Forbidden(r) => match r {
                Refusal::Role => "auth.forbidden",
                Refusal::SelfReview => "deed.self_review",
                Refusal::NotOwner => "deed.not_owner",
                Refusal::SecondPerson => "invite.second_person",
                Refusal::DeductionSecondPerson => "deduction.second_person",
                Refusal::OwnDeduction => "deduction.own",
                Refusal::AppealNotOwn => "appeal.not_own",
                Refusal::OwnAppeal => "appeal.own",
                Refusal::AppealSameDecider => "appeal.same_decider",
                Refusal::NotExpected => "meeting.not_expected",
                Refusal::OwnGrade => "grades.own_grade",
                Refusal::RegistrarReview => "deed.registrar_review",
                Refusal::RoleAboveOwn => "role.above_own",
                Refusal::OwnHighestRole => "role.own_highest",
            },
            AppError::Validation(_) => "validation.failed",
            AppError::Malformed(_) => "request.malformed",
            AppError::InvalidTransition { .. } => "deed.invalid_transition",
            AppError::UsernameTaken => "member.username_taken",
            AppError::FeedbackFull => "feedback.too_many",
            AppError::TooMany { limit, .. } => match limit {
                Throttle::Account => "auth.account_throttled",
                Throttle::FeedbackWaiting => "feedback.sender_waiting",
                _ => "request.too_many",
            },
            AppError::Busy { .. } => "service.busy",
            AppError::FeedbackDecided => "feedback.already_decided",
            AppError::DeductionDecided => "deduction.already_decided",
            AppError::Appeal(r) => match r {
                AppealRefusal::AlreadyFiled => "appeal.already_filed",
                AppealRefusal::NotAppealable => "appeal.not_appealable",
                AppealRefusal::QuarterSigned => "appeal.quarter_signed",
                AppealRefusal::AlreadyDecided => "appeal.already_decided",
                AppealRefusal::DeedMoved => "appeal.deed_changed",
            },
            AppError::Grading(r) => match r {
                GradingRefusal::FourthQuarterNotSigned => "year.q4_not_signed",
                GradingRefusal::AlreadyClosed => "year.already_closed",
                GradingRefusal::Confirmed => "grades.confirmed",
                GradingRefusal::ExcellentCap(_) => "grades.excellent_cap",
            },
            AppError::Meeting(r) => match r {
                MeetingRefusal::AlreadyCheckedIn => "meeting.already_checked_in",
                MeetingRefusal::NotOpen => "meeting.checkin_not_open",
                MeetingRefusal::Closed => "meeting.closed",
                MeetingRefusal::NotEnded => "meeting.not_ended",
                MeetingRefusal::LeaveDecided => "leave_request.already_decided",
                MeetingRefusal::LeaveAlreadyAsked => "leave_request.already_asked",
                MeetingRefusal::LeaveAfterCheckin => "leave_request.checked_in",
            },
            AppError::Roster(r) => match r {
                RosterRefusal::HoldsOffice => "member.holds_office",
                RosterRefusal::Left => "member.left",
            },
            AppError::Organisation(r) => match r {
                OrgRefusal::CodeTaken => "org_unit.code_taken",
                OrgRefusal::LastSecretary => "role.last_secretary",
            },
            AppError::RatingRulesNotHere => "rating.rules_not_here",
            AppError::YearAlreadyOpen { .. } => "year.already_open",
            AppError::Attest(r) => match r {
                AttestRefusal::Already => "deed.already_attested",
                AttestRefusal::Closed => "deed.not_attestable",
            },
            AppError::Quarter(r) => match r {
                QuarterRefusal::NotEnded => "quarter.not_ended",
                QuarterRefusal::PendingDeeds(_) => "quarter.pending_deeds",
                QuarterRefusal::AlreadySigned => "quarter.already_signed",
                QuarterRefusal::NotSigned => "quarter.not_signed",
                QuarterRefusal::AlreadyPublished => "quarter.already_published",
                QuarterRefusal::AppealsWaiting(_) => "quarter.appeals_waiting",
            },
            AppError::Wechat(f) => match f {
                WechatFailure::NotConfigured => "wechat.not_configured",
                WechatFailure::InvalidCode => "wechat.invalid_code",
                WechatFailure::CodeUsed => "wechat.code_used",
                WechatFailure::RateLimited => "wechat.rate_limited",
                WechatFailure::BlockedUser => "wechat.blocked_user",
                WechatFailure::Unavailable => "wechat.unavailable",
                WechatFailure::TicketInvalid => "wechat.ticket_invalid",
                WechatFailure::InviteInvalid => "wechat.invite_invalid",
                WechatFailure::InviteUnconfirmed => "wechat.invite_unconfirmed",
                WechatFailure::AlreadyBound => "wechat.already_bound",
                WechatFailure::NotBound => "wechat.not_bound",
            },
            AppError::CapExceeded { .. } => "rule.cap_exceeded",
            AppError::Unavailable(_) => "service.unavailable",
            AppError::PhotoStore(_) => "photo.store_unavailable",
            AppError::Db(_) | AppError::Internal(_) => "internal",
        }
    }

    fn status(&self) -> StatusCode {
        match self {
            AppError::NotFound(_) => StatusCode::NOT_FOUND,
            AppError::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            AppError::Forbidden(_) => StatusCode::FORBIDDEN,
            AppError::Validation(_) | AppError::CapExceeded { .. } => {
                StatusCode::UNPROCESSABLE_ENTITY
            }
            AppError::Malformed(_) => StatusCode::BAD_REQUEST,
            AppError::InvalidTransition { .. }
            | AppError::UsernameTaken
            | AppError::Quarter(_)
            | AppError::FeedbackDecided
            | AppError::DeductionDecided
            | AppError::Appeal(_) => StatusCode::CONFLICT,
            AppError::Grading(_) | AppError::Attest(_) => StatusCode::CONFLICT,
            AppError::Meeting(_) => StatusCode::CONFLICT,
            AppError::YearAlreadyOpen { .. } => StatusCode::CONFLICT,
            AppError::Roster(_) => StatusCode::CONFLICT,
            AppError::RatingRulesNotHere => StatusCode::CONFLICT,
            AppError::Organisation(_) => StatusCode::CONFLICT,
            AppError::FeedbackFull | AppError::TooMany { .. } => StatusCode::TOO_MANY_REQUESTS,
            AppError::Busy { .. } => StatusCode::SERVICE_UNAVAILABLE,
            AppError::Wechat(f) => match f {
                WechatFailure::NotConfigured | WechatFailure::NotBound => StatusCode::NOT_FOUND,
                WechatFailure::InvalidCode
                | WechatFailure::CodeUsed
                | WechatFailure::TicketInvalid
                | WechatFailure::InviteInvalid
                | WechatFailure::InviteUnconfirmed => StatusCode::BAD_REQUEST,
                WechatFailure::RateLimited => StatusCode::TOO_MANY_REQUESTS,
                WechatFailure::BlockedUser => StatusCode::FORBIDDEN,
                WechatFailure::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
                WechatFailure::AlreadyBound => StatusCode::CONFLICT,
            },
            AppError::Unavailable(_) | AppError::PhotoStore(_) => StatusCode::SERVICE_UNAVAILABLE,
            AppError::Db(_) | AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn message(&self, lang: Lang) -> String {
        let p = |w: Word| w.text(lang).to_owned();
        match self {
            AppError::NotFound(m) => match m {
                Missing::Deed => p(Word::DeedNotFound),
                Missing::Rule => p(Word::RuleNotFound),
                Missing::Member => p(Word::MemberNotFound),
                Missing::OrgUnit => p(Word::OrgUnitNotFound),
                Missing::Photo => p(Word::PhotoNotFound),
                Missing::Board => p(Word::BoardNotFound),
                Missing::Feedback => p(Word::FeedbackNotFound),
                Missing::Notification => p(Word::NotificationNotFound),
                Missing::Route => p(Word::RouteNotFound),
                Missing::Invite => p(Word::InviteNotFound),
                Missing::Statement => p(Word::StatementNotFound),
                Missing::Deduction => p(Word::DeductionNotFound),
                Missing::Appeal => p(Word::AppealNotFound),
                Missing::LedgerEntry => p(Word::LedgerEntryNotFound),
                Missing::Grades => p(Word::GradesNotFound),
                Missing::Meeting => p(Word::MeetingNotFound),
                Missing::LeaveRequest => p(Word::LeaveRequestNotFound),
                Missing::Role => p(Word::AdminRoleNotFound),
                Missing::OpenInvite => p(Word::AdminInviteNotFound),
            },
            AppError::Unauthorized(f) => match f {
                AuthFailure::MissingToken => p(Word::MissingToken),
                AuthFailure::InvalidToken => p(Word::InvalidToken),
                AuthFailure::ExpiredToken => p(Word::TokenExpired),
                AuthFailure::BadCredentials => p(Word::BadCredentials),
                AuthFailure::InvalidRefreshToken => p(Word::RefreshInvalid),
                AuthFailure::RefreshTokenReused => p(Word::RefreshReused),
                AuthFailure::SessionEnded => p(Word::SessionEnded),
            },
            AppError::Forbidden(r) => match r {
                Refusal::Role => p(Word::Forbidden),
                Refusal::SelfReview => p(Word::SelfReview),
                Refusal::NotOwner => p(Word::NotOwner),
                Refusal::SecondPerson => p(Word::InviteSecondPerson),
                Refusal::DeductionSecondPerson => p(Word::DeductionSecondPerson),
                Refusal::OwnDeduction => p(Word::OwnDeduction),
                Refusal::AppealNotOwn => p(Word::AppealNotOwn),
                Refusal::OwnAppeal => p(Word::AppealOwnDecision),
                Refusal::AppealSameDecider => p(Word::AppealSameDecider),
                Refusal::NotExpected => p(Word::MeetingNotExpected),
                Refusal::OwnGrade => p(Word::GradeOwn),
                Refusal::RegistrarReview => p(Word::RegistrarReview),
                Refusal::RoleAboveOwn => p(Word::AdminRoleAboveOwn),
                Refusal::OwnHighestRole => p(Word::AdminOwnHighestRole),
            },
            AppError::Validation(_) => p(Word::ValidationFailed),
            AppError::Malformed(_) => p(Word::Malformed),
            AppError::InvalidTransition { from, action } => {
                let status = Word::from(*from).text(lang).to_lowercase();
                let action = action.word().text(lang);
                Word::InvalidTransition.fill(lang, &[("status", &status), ("action", &action)])
            }
            AppError::UsernameTaken => p(Word::UsernameTaken),
            AppError::FeedbackFull => p(Word::FeedbackFull),
            AppError::TooMany {
                limit,
                retry_after_secs,
            } => match limit {
                Throttle::Account => Word::AccountThrottled,
                Throttle::FeedbackWaiting => Word::FeedbackSenderWaiting,
                _ => Word::TooManyRequests,
            }
            .fill(lang, &[("secs", retry_after_secs)]),
            AppError::Busy { retry_after_secs } => {
                Word::ServerBusy.fill(lang, &[("secs", retry_after_secs)])
            }
            AppError::FeedbackDecided => p(Word::FeedbackDecided),
            AppError::DeductionDecided => p(Word::DeductionDecided),
            AppError::Appeal(r) => p(match r {
                AppealRefusal::AlreadyFiled => Word::AppealAlreadyFiled,
                AppealRefusal::NotAppealable => Word::AppealNotAppealable,
                AppealRefusal::QuarterSigned => Word::AppealQuarterSigned,
                AppealRefusal::AlreadyDecided => Word::AppealAlreadyDecided,
                AppealRefusal::DeedMoved => Word::AppealDeedMoved,
            }),
            AppError::Grading(r) => match r {
                GradingRefusal::FourthQuarterNotSigned => p(Word::YearFourthQuarterNotSigned),
                GradingRefusal::AlreadyClosed => p(Word::YearAlreadyClosed),
                GradingRefusal::Confirmed => p(Word::GradesConfirmed),
                GradingRefusal::ExcellentCap(cap) => {
                    Word::GradesExcellentCap.fill(lang, &[("cap", cap)])
                }
            },
            AppError::Attest(r) => p(match r {
                AttestRefusal::Already => Word::AttestAlready,
                AttestRefusal::Closed => Word::AttestClosed,
            }),
            AppError::Meeting(r) => p(match r {
                MeetingRefusal::AlreadyCheckedIn => Word::MeetingAlreadyCheckedIn,
                MeetingRefusal::NotOpen => Word::MeetingNotOpen,
                MeetingRefusal::Closed => Word::MeetingClosed,
                MeetingRefusal::NotEnded => Word::MeetingNotEnded,
                MeetingRefusal::LeaveDecided => Word::LeaveDecided,
                MeetingRefusal::LeaveAlreadyAsked => Word::LeaveAlreadyAsked,
                MeetingRefusal::LeaveAfterCheckin => Word::LeaveAfterCheckin,
            }),
            AppError::Roster(r) => p(match r {
                RosterRefusal::HoldsOffice => Word::RosterHoldsOffice,
                RosterRefusal::Left => Word::RosterMemberLeft,
            }),
            AppError::Organisation(r) => p(match r {
                OrgRefusal::CodeTaken => Word::AdminCodeTaken,
                OrgRefusal::LastSecretary => Word::AdminLastSecretary,
            }),
            AppError::RatingRulesNotHere => p(Word::RatingRulesNotHere),
            AppError::YearAlreadyOpen { year } => {
                Word::YearAlreadyOpen.fill(lang, &[("year", year)])
            }
            AppError::Quarter(r) => match (r, lang) {
                (QuarterRefusal::NotEnded, _) => p(Word::QuarterNotEnded),
                (QuarterRefusal::PendingDeeds(n), _) => Word::PendingDeeds.fill(lang, &[("n", n)]),
                (QuarterRefusal::AlreadySigned, _) => p(Word::QuarterAlreadySigned),
                (QuarterRefusal::NotSigned, _) => p(Word::QuarterNotSigned),
                (QuarterRefusal::AlreadyPublished, _) => p(Word::QuarterAlreadyPosted),
                (QuarterRefusal::AppealsWaiting(n), _) => {
                    Word::AppealsWaiting.fill(lang, &[("n", n)])
                }
            },
            AppError::Wechat(f) => match f {
                WechatFailure::NotConfigured => p(Word::WechatNotConfigured),
                WechatFailure::InvalidCode => p(Word::WechatInvalidCode),
                WechatFailure::CodeUsed => p(Word::WechatCodeUsed),
                WechatFailure::RateLimited => p(Word::WechatRateLimited),
                WechatFailure::BlockedUser => p(Word::WechatBlockedUser),
                WechatFailure::Unavailable => p(Word::WechatUnavailable),
                WechatFailure::TicketInvalid => p(Word::WechatTicketInvalid),
                WechatFailure::InviteInvalid => p(Word::WechatInviteInvalid),
                WechatFailure::InviteUnconfirmed => p(Word::AdminInviteUnconfirmed),
                WechatFailure::AlreadyBound => p(Word::WechatAlreadyBound),
                WechatFailure::NotBound => p(Word::WechatNotBound),
            },
            AppError::CapExceeded { remaining, period } => match period {
                CapPeriod::Quarter => Word::QuarterCapExceeded,
                CapPeriod::Year => Word::YearCapExceeded,
            }
            .fill(lang, &[("remaining", remaining)]),
            AppError::Unavailable(_) => p(Word::ServiceUnavailable),
            AppError::PhotoStore(_) => p(Word::PhotoStoreUnavailable),
            AppError::Db(_) | AppError::Internal(_) => p(Word::InternalError),
        }
    }

    /// The problem body in the reader's language.
    pub fn problem(&self, lang: Lang, request_id: Option<String>) -> Problem {
        let errors = match self {
            AppError::Validation(issues) => issues
                .iter()
                .map(|i| FieldError {
                    field: i.field.clone(),
                    code: i.code.to_owned(),
                    message: match lang {
                        Lang::ZhCn => i.zh.clone(),
                        Lang::En => i.en.clone(),
                    },
                })
                .collect(),
            AppError::Malformed(detail) => vec![FieldError {
                field: "body".into(),
                code: "request.malformed".into(),
                message: detail.clone(),
            }],
            _ => Vec::new(),
        };
        Problem {
            status: self.status().as_u16(),
            code: self.code().to_owned(),
            message: self.message(lang),
            errors,
            remaining: match self {
                AppError::CapExceeded { remaining, .. } => Some(*remaining),
                _ => None,
            },
            request_id,
        }
    }

    /// The response in the reader's language.
    pub fn render(&self, lang: Lang, request_id: Option<String>) -> HttpResponse {
        let mut res = HttpResponse::build(self.status());
        res.insert_header((
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        ));
        match self {
            AppError::Unauthorized(_) => {
                res.insert_header((header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer")));
            }
            AppError::Wechat(WechatFailure::RateLimited) => {
                res.insert_header((header::RETRY_AFTER, HeaderValue::from_static("60")));
            }
            AppError::Wechat(WechatFailure::Unavailable) | AppError::PhotoStore(_) => {
                res.insert_header((header::RETRY_AFTER, HeaderValue::from_static("5")));
            }
            AppError::TooMany {
                retry_after_secs, ..
            }
            | AppError::Busy { retry_after_secs } => {
                res.insert_header((header::RETRY_AFTER, HeaderValue::from(*retry_after_secs)));
            }
            _ => {}
        }
        res.body(serde_json::to_string(&self.problem(lang, request_id)).unwrap_or_default())
    }
}

fn log_chain(err: &AppError) {
    let mut chain = String::new();
    let mut source = std::error::Error::source(err);
    while let Some(s) = source {
        chain.push_str(" <- ");
        chain.push_str(&s.to_string());
        source = s.source();
    }
    tracing::error!(error = %err, cause = %chain, "request failed");
}

impl ResponseError for AppError {
    fn status_code(&self) -> StatusCode {
        self.status()
    }

    /// Rendered in zh-CN; the `problem` middleware re-renders it in the caller's language.
    fn error_response(&self) -> HttpResponse {
        if self.status().is_server_error() {
            log_chain(self);
        }
        self.render(Lang::ZhCn, None)
    }
}

impl From<sea_orm::TransactionError<AppError>> for AppError {
    fn from(e: sea_orm::TransactionError<AppError>) -> Self {
        match e {
            sea_orm::TransactionError::Connection(db) => db.into(),
            sea_orm::TransactionError::Transaction(app) => app,
        }
    }
}

impl From<crate::infra::photo_store::StoreError> for AppError {
    fn from(e: crate::infra::photo_store::StoreError) -> Self {
        AppError::PhotoStore(e)
    }
}

/// A database failure is 503 when the database cannot be reached (or the connection was lost
/// while a statement ran: a restart, a failover), 500 otherwise. A write that answered 503 was
/// not acknowledged; a retry with the same request id is safe.
impl From<DbErr> for AppError {
    fn from(e: DbErr) -> Self {
        if lost_database(&e) {
            AppError::Unavailable(e)
        } else {
            AppError::Db(e)
        }
    }
}

fn lost_database(e: &DbErr) -> bool {
    use sea_orm::sqlx::Error as Sqlx;
    use sea_orm::RuntimeErr;
    match e {
        DbErr::ConnectionAcquire(_) | DbErr::Conn(_) => true,
        DbErr::Exec(RuntimeErr::SqlxError(e)) | DbErr::Query(RuntimeErr::SqlxError(e)) => {
            match e {
                Sqlx::Io(_) | Sqlx::PoolTimedOut | Sqlx::PoolClosed | Sqlx::WorkerCrashed => true,
                // SQLSTATE class 08 (connection exception) and 57P01..57P03 (the server is
                // shutting down, crashed or starting).
                Sqlx::Database(db) => db
                    .code()
                    .is_some_and(|c| c.starts_with("08") || c.starts_with("57P0")),
                _ => false,
            }
        }
        _ => false,
    }
}

pub type AppResult<T> = Result<T, AppError>;

/// Request values outside their range, worded once for every route that takes them.
pub mod invalid {
    use super::{FieldIssue, Word};

    /// A cycle year outside 2000..=2100.
    pub fn year() -> FieldIssue {
        FieldIssue::worded("year", "query.invalid", Word::InvalidYear)
    }

    /// A year from a path or query, checked: 422 naming `year` outside 2000..=2100.
    pub fn checked_year(year: i32) -> Result<i32, super::AppError> {
        jifen_shared::domain::CycleQuarter::check_year(year)
            .map_err(|_| super::AppError::Validation(vec![self::year()]))
    }

    /// The year asked for, checked, or the current one in Asia/Shanghai when none was.
    pub fn year_or_current(
        asked: Option<i32>,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<i32, super::AppError> {
        match asked {
            Some(y) => checked_year(y),
            None => Ok(jifen_shared::domain::CycleQuarter::of(now).year),
        }
    }

    /// A year and quarter that do not make a cycle quarter.
    pub fn quarter() -> FieldIssue {
        FieldIssue::worded("quarter", "query.invalid", Word::InvalidQuarter)
    }

    /// A page size outside 1..=100 (422 on every list).
    pub fn limit() -> FieldIssue {
        FieldIssue::worded("limit", "query.invalid", Word::LimitInvalid)
    }

    /// A paging cursor this server did not give (422 on every list).
    pub fn cursor() -> FieldIssue {
        FieldIssue::worded("cursor", "query.invalid", Word::InvalidCursor)
    }
}

#[cfg(test)]
mod tests {
    use sea_orm::sqlx::Error as Sqlx;
    use sea_orm::{DbErr, RuntimeErr};

    use super::AppError;

    #[test]
    fn a_database_lost_mid_statement_is_unavailable_not_a_server_error() {
        let lost = [
            DbErr::Query(RuntimeErr::SqlxError(Sqlx::PoolTimedOut)),
            DbErr::Exec(RuntimeErr::SqlxError(Sqlx::Io(std::io::Error::from(
                std::io::ErrorKind::ConnectionReset,
            )))),
        ];
        for e in lost {
            assert!(matches!(AppError::from(e), AppError::Unavailable(_)));
        }
        let broken = DbErr::Custom("a constraint the code did not expect".into());
        assert!(matches!(AppError::from(broken), AppError::Db(_)));
    }
}
