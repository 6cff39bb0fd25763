//! Database rows, one module per table, and [`stored`]: their stored words read back as enums.
//! No behaviour lives here.

pub mod appeal;
pub mod audit_event;
pub mod audit_seal;
pub mod branch_settings;
pub mod cycle_year;
pub mod deduction;
pub mod deed;
pub mod deed_attestation;
pub mod feedback;
pub mod invite_code;
pub mod invite_request;
pub mod leave_request;
pub mod ledger_entry;
pub mod login_failure;
pub mod meeting;
pub mod meeting_attendance;
pub mod member;
pub mod notification;
pub mod org_unit;
pub mod outbox;
pub mod photo;
pub mod point_rule;
pub mod point_rule_version;
pub mod points_alert;
pub mod quarter_review;
pub mod rating_adjustment;
pub mod rating_rules;
pub mod refresh_token;
pub mod retired_code;
pub mod role_assignment;
pub mod statement;
pub mod subscription_consent;
pub mod wechat_identity;
pub mod wechat_ticket;
pub mod wechat_token;
pub mod year_grade;
pub mod year_grading;

pub mod stored;
