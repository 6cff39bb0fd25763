//! Jifen's API, told as the stories of the people who use it. Every test starts the real server
//! on a free port with a fresh database (SQLite, or PostgreSQL when JIFEN_TEST_DATABASE_URL is set).

mod appeals;
mod audit_history;
mod base_points;
mod boundary;
mod bounded;
mod branch_settings;
mod catalogue_versions;
mod contract;
mod deductions;
mod deed_lifecycle;
mod evidence;
mod feedback_flood;
mod fresh_reads;
mod least_privilege;
mod limits;
mod meetings;
mod migrant_and_registered;
mod notifications;
mod offline_retry;
// Issue 15: photos in object storage
mod photo_store;
mod photos;
mod points_alerts;
mod points_and_quarters;
mod public_pages;
mod quarter_board;
mod role_kinds;
mod rules_catalogue;
// Issue 15: the scale data generator
mod seed_scale;
mod session_end;
mod sessions;
mod stored_words;
mod two_people;
mod validation;
mod web_app;
mod wechat_sign_in;
mod who_sees_what;
mod year_end_grades;
// Issue 14: (add each part's test module below this line)
mod administration;
mod exports;
mod ratings;
mod roster;
mod stats;
// Issue 15: operations
mod metrics;
