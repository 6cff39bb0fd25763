//! Database rows, one module per table, and [`stored`]: their stored words read back as enums.
//! No behaviour lives here.

pub mod audit_event;
pub mod audit_seal;
pub mod deed;
pub mod feedback;
pub mod invite_code;
pub mod invite_request;
pub mod ledger_entry;
pub mod login_failure;
pub mod member;
pub mod notification;
pub mod org_unit;
pub mod outbox;
pub mod photo;
pub mod point_rule;
pub mod quarter_review;
pub mod refresh_token;
pub mod role_assignment;
pub mod subscription_consent;
pub mod wechat_identity;
pub mod wechat_ticket;
pub mod wechat_token;

pub mod stored;
