//! Database rows, one module per table; no behaviour lives here.

pub mod audit_event;
pub mod deed;
pub mod feedback;
pub mod ledger_entry;
pub mod member;
pub mod org_unit;
pub mod photo;
pub mod point_rule;
pub mod quarter_review;
pub mod refresh_token;
pub mod role_assignment;
