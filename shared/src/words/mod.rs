//! Every word a person reads, in one table per language: [`zh`] (简体中文, the default) and
//! [`en`]. The app's screens and the server's problem messages both take their text from here by
//! key, so nothing is worded twice and a test below fails when a key lacks either language.
//!
//! A text may hold named blanks, `{name}`, filled by [`Word::fill`]; both languages of a key must
//! have the same blanks.

mod en;
mod zh;

use crate::domain::DeedStatus;
use crate::i18n::Lang;

macro_rules! keys {
    ($($key:ident,)+) => {
        /// A key of the wording table.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Word {
            $($key,)+
        }

        impl Word {
            /// Every key, for the completeness test.
            pub const ALL: &'static [Word] = &[$(Word::$key,)+];
        }
    };
}

keys! {
    NetworkDown,
    AnswerUnreadable,
    SessionEnded,
    Loading,
    PageNotFound,
    BackToStart,
    Main,
    Report,
    MyDeeds,
    Points,
    Review,
    Me,
    RequestId,
    TryAgain,
    Pending,
    Approved,
    Rejected,
    Returned,
    Withdrawn,
    Revoked,
    Submitted,
    RevisedAndResubmitted,
    TimelineApproved,
    TimelineRejected,
    ReturnedForMoreInformation,
    TimelineWithdrawn,
    ApprovalRevoked,
    PointsRecorded,
    Other,
    PointsBoard,
    SignedByTheSecretary,
    Posted,
    AdditionsAndDeductions,
    AuditAnchor,
    ThisQuarter,
    Name,
    Base,
    Bonus,
    Deduct,
    Quarter,
    Year,
    NoAdditionsOrDeductionsThisQuarter,
    Deduction,
    YourFeedback,
    About,
    TheWholeBoard,
    Feedback,
    FeedbackHint,
    Contact,
    OptionalOnlyTheCommitteeSeesIt,
    FeedbackReceived,
    Sending,
    SendFeedback,
    Status,
    Item,
    DeedPoints,
    When,
    Where,
    WhatHappened,
    Reason,
    Photos,
    DeedPhoto,
    History,
    Deed,
    Withdraw,
    ReviseAndResubmit,
    ChooseAnItem,
    EnterTheTime,
    PhotosStillUploading,
    Title,
    TitleExample,
    AccountHint,
    Submitting,
    Resubmit,
    Submit,
    AddPhotos,
    UploadFailed,
    Uploading,
    Uploaded,
    PlaceExample,
    Locating,
    UseMyLocation,
    LocationUnavailable,
    RuleItem,
    Choose,
    Messages,
    MarkAllRead,
    NoMessagesYet,
    OlderMessages,
    PartyMemberPoints,
    Username,
    Password,
    SigningIn,
    SignIn,
    EnterYourUsernameAndPassword,
    Branch,
    NoUnreadMessages,
    Unread,
    OpenMyBranchsBoard,
    Language,
    LargeText,
    SignOut,
    Member,
    Committee,
    Secretary,
    Administrator,
    NoDeedsYet,
    LoadMore,
    PointsBase,
    PointsBonus,
    Deductions,
    Total,
    ByQuarter,
    PointsQuarter,
    PointsTotal,
    Entries,
    NoEntriesThisYearYet,
    Reversal,
    MyPoints,
    PreviousYear,
    NextYear,
    NoFeedbackOnThisQuarter,
    AboutTheWholeBoard,
    Decision,
    FeedbackDeduction,
    FeedbackPoints,
    FeedbackReason,
    DecisionReasonHint,
    TrueDeduct,
    SetAside,
    ChooseADeductionItem,
    Waiting,
    Deducted,
    FeedbackSetAside,
    QuarterReview,
    FeedbackFromTheMasses,
    PreviousQuarter,
    NextQuarter,
    SignTheQuarter,
    PostOnTheBoard,
    ReportsWaiting,
    Signed,
    DecideThemBeforeSigning,
    Open,
    SignedNotYetPosted,
    PostedOnTheBoard,
    ReportADeed,
    PointsToAward,
    Approve,
    RequiredToReturnOrReject,
    CommonReasons,
    Return,
    Reject,
    WhyRevoke,
    RevokeApproval,
    ReasonAddTimeAndPlace,
    ReasonAddPhoto,
    ReasonDuplicate,
    ReasonNotCovered,
    BackToList,
    OwnDeedHint,
    TotalThisYear,
    OfWhichBonus,
    LeftUnderCap,
    DetailQuarter,
    DetailYear,
    ReviewDeeds,
    QuarterBoard,
    ChooseADeedFromTheList,
    Queue,
    NothingToReview,
    All,
    WholeYear,
    AllMembers,
    ApproveSelected,
    Select,
    DeedNotFound,
    RuleNotFound,
    MemberNotFound,
    OrgUnitNotFound,
    PhotoNotFound,
    BoardNotFound,
    FeedbackNotFound,
    NotificationNotFound,
    RouteNotFound,
    MissingToken,
    InvalidToken,
    TokenExpired,
    BadCredentials,
    RefreshInvalid,
    RefreshReused,
    Forbidden,
    SelfReview,
    NotOwner,
    ValidationFailed,
    Malformed,
    UsernameTaken,
    FeedbackFull,
    FeedbackDecided,
    QuarterNotEnded,
    QuarterAlreadySigned,
    QuarterNotSigned,
    QuarterAlreadyPosted,
    WechatNotConfigured,
    WechatInvalidCode,
    WechatCodeUsed,
    WechatRateLimited,
    WechatBlockedUser,
    WechatUnavailable,
    WechatTicketInvalid,
    WechatInviteInvalid,
    WechatAlreadyBound,
    WechatNotBound,
    ServiceUnavailable,
    AccountThrottled,
    TooManyRequests,
    FeedbackSenderWaiting,
    ServerBusy,
    InternalError,
    InvalidYear,
    InvalidQuarter,
    InvalidCursor,
    GiveYearAndQuarterTogether,
    EnterYourCurrentPassword,
    PasswordProofRequired,
    PasswordProofRefused,
    NoticePasswordChanged,
    NoticePasswordChangedBody,
    RuleNotReportable,
    TimeInFuture,
    TimeTooOld,
    PhotoUnknown,
    ClientRequestIdInvalid,
    ApprovedPointsWrongSign,
    EvidenceRequired,
    PhotoMissing,
    FeedbackUnknownMember,
    ChooseAMemberOfThisBranch,
    FeedbackChooseADeductionItem,
    RuleUnknown,
    DeductionMustBeNegative,
    UnknownTemplate,
    UnknownSubscriptionAnswer,
    RulePointsWrongSign,
    WechatCodeMalformed,
    TextEmpty,
    TextTooLong,
    TextControlCharacters,
    TextDirectionCharacters,
    LatitudeOutOfRange,
    LongitudeOutOfRange,
    HalfCoordinates,
    PointsOutOfRange,
    PointsZero,
    PasswordTooShort,
    PasswordTooLong,
    PhotoTooLarge,
    PhotoNotAnImage,
    PhotoTooManyPixels,
    PhotoEmpty,
    PhotoQuotaExceeded,
    RuleInactive,
    RuleNotSelfReported,
    RuleOtherBranch,
    RuleDoesNotExist,
    OrgCodeInvalid,
    UsernameInvalid,
    ScopeInvalid,
    IdInvalid,
    UnknownStatus,
    QuarterNumberInvalid,
    LimitInvalid,
    RuleCapOutOfRange,
    TooManyPhotos,
    InvalidTransition,
    ActionApproved,
    ActionRejected,
    ActionReturned,
    ActionWithdrawn,
    ActionRevoked,
    ActionRevised,
    PendingDeeds,
    QuarterCapExceeded,
    YearCapExceeded,
    NoticeDeedApproved,
    NoticeDeedApprovedBody,
    NoticeDeedRejected,
    NoticeDeedRejectedBody,
    NoticeDeedReturned,
    NoticeDeedReturnedBody,
    NoticeDeedRevoked,
    NoticeDeedRevokedBody,
    NoticeBoardPublished,
    NoticeBoardPublishedBody,
    NoticePointsDeducted,
    NoticePointsDeductedBody,
    BatchApproved,
    BoardTitle,
    CapPerQuarter,
    FeedbackBulkSize,
    FeedbackNotOfThisQuarter,
    FeedbackNamesItsMember,
    NoticeWechatBound,
    NoticeWechatBoundBody,
    NoticeWechatUnbound,
    NoticeWechatUnboundBody,
    InviteNotFound,
    InviteSecondPerson,
    FeedbackCountsLine,
    FeedbackSelectShown,
    FeedbackSetAsideSelected,
    FeedbackBulkReasonHint,
    FeedbackBulkDone,
    FeedbackSender,
}

impl Word {
    /// The text in `lang`; a key missing in one language falls back to the other (the test below
    /// keeps that from shipping).
    pub fn text(self, lang: Lang) -> &'static str {
        let (first, second) = match lang {
            Lang::ZhCn => (zh::text(self), en::text(self)),
            Lang::En => (en::text(self), zh::text(self)),
        };
        first.or(second).unwrap_or("")
    }

    /// The text in `lang` with its `{name}` blanks filled.
    pub fn fill(self, lang: Lang, values: &[(&str, &dyn std::fmt::Display)]) -> String {
        let mut out = self.text(lang).to_owned();
        for (name, value) in values {
            out = out.replace(&format!("{{{name}}}"), &value.to_string());
        }
        out
    }
}

impl From<DeedStatus> for Word {
    /// The label of a deed's status, the same on the badge and in the server's messages.
    fn from(status: DeedStatus) -> Word {
        match status {
            DeedStatus::Submitted => Word::Pending,
            DeedStatus::Approved => Word::Approved,
            DeedStatus::Rejected => Word::Rejected,
            DeedStatus::Returned => Word::Returned,
            DeedStatus::Withdrawn => Word::Withdrawn,
            DeedStatus::Revoked => Word::Revoked,
        }
    }
}

/// The `{name}` blanks of a text, sorted.
#[cfg(test)]
fn blanks(text: &str) -> Vec<&str> {
    let mut found: Vec<&str> = text
        .split('{')
        .skip(1)
        .filter_map(|rest| rest.split_once('}').map(|(name, _)| name))
        .collect();
    found.sort_unstable();
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    fn is_han(c: char) -> bool {
        ('\u{4e00}'..='\u{9fff}').contains(&c)
    }

    #[test]
    fn every_key_has_its_chinese_and_its_english_text() {
        let mut missing = Vec::new();
        for word in Word::ALL {
            match zh::text(*word) {
                Some(t) if !t.trim().is_empty() => {}
                _ => missing.push(format!("{word:?}: no Chinese")),
            }
            match en::text(*word) {
                Some(t) if !t.trim().is_empty() => {}
                _ => missing.push(format!("{word:?}: no English")),
            }
        }
        assert!(missing.is_empty(), "{missing:#?}");
    }

    #[test]
    fn each_language_is_written_in_its_own_script() {
        for word in Word::ALL {
            let (zh, en) = (word.text(Lang::ZhCn), word.text(Lang::En));
            assert!(zh.chars().any(is_han), "{word:?}: {zh:?} has no Chinese");
            assert!(!en.chars().any(is_han), "{word:?}: {en:?} is not English");
        }
    }

    #[test]
    fn both_languages_have_the_same_blanks() {
        for word in Word::ALL {
            let (zh, en) = (word.text(Lang::ZhCn), word.text(Lang::En));
            assert_eq!(blanks(zh), blanks(en), "{word:?}");
        }
    }

    #[test]
    fn blanks_are_filled_by_name() {
        assert_eq!(
            Word::TextTooLong.fill(Lang::En, &[("max", &20)]),
            "must be at most 20 characters; please shorten it"
        );
    }
}
