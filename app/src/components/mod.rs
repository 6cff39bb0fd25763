//! Pieces the pages share: a loaded resource with its loading, error and empty states, a paged
//! list, a form's submission, status badges, field errors.

mod branches;
pub mod charts;
mod field;
mod form;
mod last_seen;
mod loaded;
mod paged;
mod points_cell;
mod states;
mod status;
mod timeline;

pub use branches::{committee_branches, my_branches, BranchPicker, MyBranch};
pub use field::{field_error, field_message, FieldErrorText};
pub use form::{FormError, FormSubmit};
pub use last_seen::LastSeenBanner;
pub use loaded::Loaded;
pub use paged::PagedList;
pub use points_cell::PointsCell;
pub use states::{EmptyState, ErrorState, LoadingState};
pub use status::StatusBadge;
pub use timeline::Timeline;
