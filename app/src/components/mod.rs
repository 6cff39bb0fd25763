//! Pieces the pages share: loading, error and empty states, status badges, field errors.

mod field;
mod points_cell;
mod states;
mod status;
mod timeline;

pub use field::{field_error, FieldErrorText};
pub use points_cell::PointsCell;
pub use states::{EmptyState, ErrorState, LoadingState};
pub use status::StatusBadge;
pub use timeline::Timeline;
