//! Domain values that validate on construction, and the pure rules of the points practice.

mod cycle;
mod enums;
mod password;
mod place;
mod points;
mod text;

pub use cycle::{CycleQuarter, QuarterError, SHANGHAI_OFFSET_SECS};
pub use enums::{
    DeedStatus, FeedbackStatus, LedgerKind, MemberStatus, NotificationKind, OrgKind, QuarterStatus,
    Role, RuleCategory, UnknownVariant,
};
pub use password::{NewPassword, PasswordError};
pub use place::{Place, PlaceError};
pub use points::{Points, PointsError};
pub use text::{
    sanitize, CharKind, DeedAccount, DeedTitle, FeedbackBody, FeedbackContact, PlaceName, Reason,
    RuleName, TextError,
};
