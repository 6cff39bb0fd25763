//! Jifen's server: the JSON API, its services and the `jifen` command.
//!
//! `startup::Application` builds the whole app; `main.rs` only parses the command line.

pub mod access;
pub mod audit;
pub mod auth;
pub mod backup;
pub mod changes;
pub mod cli;
pub mod clock;
pub mod config;
pub mod db;
pub mod deeds;
pub mod entity;
pub mod error;
pub mod feedback;
pub mod ids;
pub mod ledger;
pub mod middleware;
pub mod notify;
pub mod openapi;
pub mod orgs;
pub mod photos;
pub mod quarters;
pub mod read_cache;
pub mod routes;
pub mod rules;
pub mod seed;
pub mod startup;
pub mod telemetry;
pub mod wechat;
