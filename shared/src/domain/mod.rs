//! Domain values that validate on construction, and the pure rules of the points practice.

mod allotment;
mod cycle;
mod enums;
mod evidence;
mod grades;
mod names;
mod org_tree;
mod password;
mod phone;
mod place;
mod points;
mod standing;
mod text;
mod username;

pub use allotment::{pro_rata, ProRata};
pub use cycle::{CycleQuarter, QuarterError, SHANGHAI_OFFSET_SECS};
pub use enums::AppealStatus;
pub use enums::DeductionStatus;
pub use enums::GradingStatus;
pub use enums::{AttendanceMode, LeaveStatus, MeetingKind};
pub use enums::{
    BoardNames, DeedStatus, FeedbackStatus, Grade, LedgerKind, MemberStatus, NotificationKind,
    OrgKind, QuarterStatus, Role, RuleCategory, UnknownVariant,
};
pub use evidence::{
    distance_m, median_centre, place_agreement, time_agreement, Agreement, LatLng,
    MEDIAN_AREA_RADIUS_M, PLACE_TOLERANCE_M, TIME_TOLERANCE,
};
pub use grades::{by_thresholds, excellent_cap, grade_year, Graded};
pub use names::mask_name;
pub use org_tree::{OrgCode, OrgCodeError};
pub use password::{NewPassword, PasswordError};
pub use phone::{MobilePhone, PhoneError};
pub use place::{Place, PlaceError};
pub use points::{Points, PointsError};
pub use standing::{alert_line, behind};
pub use text::{
    sanitize, CharKind, DeedAccount, DeedTitle, FeedbackBody, FeedbackContact, PlaceName, Reason,
    RuleName, TextError,
};
pub use username::{Username, UsernameError};
