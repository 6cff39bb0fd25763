//! What Jifen does, one module per part of the practice. A service function takes a connection
//! or transaction (or the [`crate::infra::db::Db`] when it opens one itself), the time, domain
//! values and the one collaborator it needs; it never sees the HTTP layer.

pub mod access;
pub mod appeals;
pub mod audit;
pub mod auth;
pub mod awards;
pub mod deductions;
pub mod deeds;
pub mod evidence;
pub mod feedback;
pub mod grading;
pub mod ledger;
pub mod meetings;
pub mod migrant;
pub mod notify;
pub mod orgs;
pub mod photos;
pub mod public_board;
pub mod quarters;
pub mod rules;
pub mod settings;
pub mod standing;
pub mod statements;
pub mod wechat;
pub mod years;
// Issue 14: stats, exports, roster, ratings, admin (add this part's modules below this line)
pub mod admin;
pub mod export;
pub mod ratings;
pub mod roster;
pub mod stats;
pub mod unit_ledger;
