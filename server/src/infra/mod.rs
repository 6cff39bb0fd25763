//! What the services stand on: the database and its change watch, the clock, configuration,
//! ids, the read cache, the outbox worker and the WeChat client, logging and backups.

pub mod backup;
pub mod changes;
pub mod clock;
pub mod config;
pub mod db;
pub mod ids;
// Issue 15: operations
pub mod metrics;
pub mod outbox;
// Issue 15: photos in object storage
pub mod photo_store;
pub mod read_cache;
pub mod secret;
pub mod telemetry;
pub mod wechat;
