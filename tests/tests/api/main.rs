//! Jifen's API, told as the stories of the people who use it. Every test starts the real server
//! on a free port with a fresh database (SQLite, or PostgreSQL when JIFEN_TEST_DATABASE_URL is set).

mod audit_history;
mod deed_lifecycle;
mod fresh_reads;
mod notifications;
mod photos;
mod points_and_quarters;
mod quarter_board;
mod rules_catalogue;
mod sessions;
mod stored_words;
mod validation;
mod web_app;
mod wechat_sign_in;
mod who_sees_what;
