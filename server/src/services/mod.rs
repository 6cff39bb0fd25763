//! What Jifen does, one module per part of the practice. A service function takes a connection
//! or transaction (or the [`crate::infra::db::Db`] when it opens one itself), the time, domain
//! values and the one collaborator it needs; it never sees the HTTP layer.

pub mod access;
pub mod audit;
pub mod auth;
pub mod deeds;
pub mod feedback;
pub mod ledger;
pub mod notify;
pub mod orgs;
pub mod photos;
pub mod quarters;
pub mod rules;
pub mod wechat;
