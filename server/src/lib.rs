//! Jifen's server: the JSON API, its services and the `jifen` command.
//!
//! The map, from the outside in. [`http`] is the web layer: thin handlers in `http::routes` that
//! parse a request into domain values, take the caller from the [`services::access::Access`]
//! extractor, call one service and shape the answer; only it, [`startup`] and [`cli`] know the
//! application state ([`http::state`]). [`services`] holds what Jifen does (deeds, the ledger,
//! quarters and the public board, feedback, rules, organisations, notices, sign-in): each function
//! takes a connection or transaction (or the [`infra::db::Db`] when it opens one), the time, domain
//! values and the one collaborator it needs, and says who may do what. [`infra`] is what they stand
//! on: the database and its change watch, the read cache, configuration, the clock, ids, the outbox
//! worker and the WeChat client. [`entity`] are the rows (with their stored words read back as
//! enums), `migrations/` the history of the schema. [`error`] turns every failure into
//! problem+json; [`seed`] makes the demo; [`startup::Application`] wires it all and `main.rs` only
//! parses the command line.

pub mod cli;
pub mod entity;
pub mod error;
pub mod http;
pub mod infra;
pub mod seed;
pub mod services;
pub mod startup;
