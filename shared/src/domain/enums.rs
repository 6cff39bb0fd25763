//! The closed sets of the practice, stored as lower-case words in the database and on the wire.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown value {0:?}")]
pub struct UnknownVariant(pub String);

macro_rules! word_enum {
    ($(#[$doc:meta])* $name:ident { $($variant:ident => $word:tt),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
        pub enum $name {
            $(#[serde(rename = $word)] $variant),+
        }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $word),+
                }
            }
        }

        impl std::str::FromStr for $name {
            type Err = UnknownVariant;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                match s {
                    $($word => Ok($name::$variant),)+
                    other => Err(UnknownVariant(other.to_owned())),
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

word_enum!(
    /// What a role assignment lets a person do within an org unit and the units below it.
    Role {
        Member => "member",
        Committee => "committee",
        Secretary => "secretary",
        OrgAdmin => "org_admin",
    }
);

impl Role {
    /// Committee members, the secretary and administrators above the branch review deeds.
    pub fn can_review(self) -> bool {
        matches!(self, Role::Committee | Role::Secretary | Role::OrgAdmin)
    }

    /// The secretary and administrators manage the rules catalogue and members.
    pub fn can_manage(self) -> bool {
        matches!(self, Role::Secretary | Role::OrgAdmin)
    }
}

word_enum!(
    /// The three parts of a points account.
    RuleCategory {
        Base => "base",
        Bonus => "bonus",
        Deduction => "deduction",
    }
);

impl RuleCategory {
    /// Whether `points` has the sign this category demands (deductions are negative).
    pub fn accepts(self, points: i32) -> bool {
        match self {
            RuleCategory::Base | RuleCategory::Bonus => points > 0,
            RuleCategory::Deduction => points < 0,
        }
    }
}

word_enum!(
    /// Where a self-reported deed stands.
    DeedStatus {
        Submitted => "submitted",
        Approved => "approved",
        Rejected => "rejected",
        Returned => "returned",
        Withdrawn => "withdrawn",
        Revoked => "revoked",
    }
);

impl DeedStatus {
    /// The lifecycle: submitted → approved | rejected | returned | withdrawn; returned → submitted;
    /// approved → revoked. Everything else is final.
    pub fn can_become(self, next: DeedStatus) -> bool {
        use DeedStatus::*;
        matches!(
            (self, next),
            (Submitted, Approved)
                | (Submitted, Rejected)
                | (Submitted, Returned)
                | (Submitted, Withdrawn)
                | (Returned, Submitted)
                | (Returned, Withdrawn)
                | (Approved, Revoked)
        )
    }
}

impl DeedStatus {
    /// Whether a member may appeal this decision (积分申述): a rejection or a return. Overturning
    /// the appeal makes the deed pending again, a path outside the lifecycle of [`can_become`]
    /// that only an appeal takes.
    ///
    /// [`can_become`]: DeedStatus::can_become
    pub fn appealable(self) -> bool {
        matches!(self, DeedStatus::Rejected | DeedStatus::Returned)
    }
}

word_enum!(
    /// Kinds of movement in the append-only points ledger.
    LedgerKind {
        Base => "base",
        Bonus => "bonus",
        Deduction => "deduction",
        Reversal => "reversal",
    }
);

impl From<RuleCategory> for LedgerKind {
    fn from(c: RuleCategory) -> Self {
        match c {
            RuleCategory::Base => LedgerKind::Base,
            RuleCategory::Bonus => LedgerKind::Bonus,
            RuleCategory::Deduction => LedgerKind::Deduction,
        }
    }
}

word_enum!(
    /// Where a branch's quarter stands: open to entries, signed by the secretary (closed), or
    /// posted on the public board.
    QuarterStatus {
        Open => "open",
        Signed => "signed",
        Published => "published",
    }
);

word_enum!(
    /// What became of the masses' feedback on a posted board.
    FeedbackStatus {
        Received => "received",
        Accepted => "accepted",
        Dismissed => "dismissed",
    }
);

word_enum!(
    /// Where a deduction the committee decides stands: proposed by one, then confirmed (the entry
    /// is written) or dropped by a second person.
    DeductionStatus {
        Proposed => "proposed",
        Confirmed => "confirmed",
        Dropped => "dropped",
    }
);

word_enum!(
    /// A member's standing in their branch: migrant members (流动党员) live away from home;
    /// transferred members have left and no longer appear on the board.
    MemberStatus {
        Active => "active",
        Migrant => "migrant",
        Transferred => "transferred",
    }
);

word_enum!(
    /// The levels of the organisation tree: a county's committee over towns over branches; a
    /// branch may have party groups, and migrant members may form an organisation of their own.
    OrgKind {
        County => "county",
        Town => "town",
        Branch => "branch",
        Group => "group",
        Migrant => "migrant",
    }
);

word_enum!(
    /// How the public board shows members' names: in full, or masked (王*恩).
    BoardNames {
        Full => "full",
        Masked => "masked",
    }
);

word_enum!(
    /// The year-end grade of the members' annual democratic appraisal (民主评议党员).
    Grade {
        Excellent => "excellent",
        Qualified => "qualified",
        BasicallyQualified => "basically_qualified",
        Unqualified => "unqualified",
    }
);

word_enum!(
    /// Where a member's appeal (积分申述) stands: waiting for a committee member other than the one
    /// who decided, then upheld (the decision stands) or overturned.
    AppealStatus {
        Waiting => "waiting",
        Upheld => "upheld",
        Overturned => "overturned",
    }
);

word_enum!(
    /// Where a branch's year-end grading stands: computed when the year is closed and adjustable
    /// by the committee (draft), then confirmed by the secretary and final.
    GradingStatus {
        Draft => "draft",
        Confirmed => "confirmed",
    }
);

word_enum!(
    /// The kinds of organisational life a branch holds (三会一课, 主题党日): 支部党员大会, 支委会,
    /// 党小组会, 党课, 主题党日.
    MeetingKind {
        BranchAssembly => "branch_assembly",
        CommitteeMeeting => "committee_meeting",
        GroupMeeting => "group_meeting",
        PartyLecture => "party_lecture",
        ThemeDay => "theme_day",
    }
);

word_enum!(
    /// How a member took part in a meeting: checked in on site (with the rotating code) or
    /// remotely, on leave granted by the secretary, or absent (written when the meeting closes).
    AttendanceMode {
        OnSite => "on_site",
        Remote => "remote",
        Leave => "leave",
        Absent => "absent",
    }
);

impl AttendanceMode {
    /// Whether the member was there, in the room or from afar.
    pub fn attended(self) -> bool {
        matches!(self, AttendanceMode::OnSite | AttendanceMode::Remote)
    }
}

word_enum!(
    /// Where a member's request for leave from a meeting stands.
    LeaveStatus {
        Waiting => "waiting",
        Granted => "granted",
        Refused => "refused",
    }
);

word_enum!(
    /// What an inbox notice tells the member.
    NotificationKind {
        DeedApproved => "deed.approved",
        DeedRejected => "deed.rejected",
        DeedReturned => "deed.returned",
        DeedRevoked => "deed.revoked",
        BoardPublished => "board.published",
        PointsDeducted => "points.deducted",
        WechatBound => "wechat.bound",
        WechatUnbound => "wechat.unbound",
        PasswordChanged => "password.changed",
        PointsAwarded => "points.awarded",
        PointsAlert => "points.alert",
        AppealUpheld => "appeal.upheld",
        AppealOverturned => "appeal.overturned",
        MemberTransferredIn => "member.transferred_in",
        RoleGranted => "role.granted",
        RoleRevoked => "role.revoked",
    }
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_round_trip() {
        for s in DeedStatus::ALL {
            assert_eq!(s.as_str().parse::<DeedStatus>().unwrap(), *s);
        }
        assert!("approve".parse::<DeedStatus>().is_err());
        for k in NotificationKind::ALL {
            assert_eq!(k.as_str().parse::<NotificationKind>().unwrap(), *k);
            let wire = serde_json::to_string(k).unwrap();
            assert_eq!(wire, format!("\"{}\"", k.as_str()), "wire word of {k:?}");
        }
    }

    #[test]
    fn only_the_documented_transitions_are_allowed() {
        use DeedStatus::*;
        assert!(Submitted.can_become(Approved));
        assert!(Returned.can_become(Submitted));
        assert!(Approved.can_become(Revoked));
        assert!(!Approved.can_become(Rejected));
        assert!(!Rejected.can_become(Submitted));
        assert!(!Withdrawn.can_become(Submitted));
        assert!(!Revoked.can_become(Approved));
    }

    #[test]
    fn only_rejections_and_returns_are_appealed_and_the_lifecycle_stays_as_it_was() {
        use DeedStatus::*;
        let appealable: Vec<_> = DeedStatus::ALL.iter().filter(|s| s.appealable()).collect();
        assert_eq!(appealable, [&Rejected, &Returned]);
        assert!(
            !Rejected.can_become(Submitted),
            "reopening a rejection is the appeal's path alone"
        );
    }

    #[test]
    fn deductions_are_negative_and_bonuses_positive() {
        assert!(RuleCategory::Deduction.accepts(-5));
        assert!(!RuleCategory::Deduction.accepts(5));
        assert!(RuleCategory::Bonus.accepts(1));
        assert!(!RuleCategory::Base.accepts(-1));
    }
}
