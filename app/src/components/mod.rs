//! Pieces the pages share: loading, error and empty states, status badges, field errors.

mod field;
mod states;
mod status;
mod timeline;

pub use field::FieldErrorText;
pub use states::{EmptyState, ErrorState, LoadingState};
pub use status::StatusBadge;
pub use timeline::Timeline;
