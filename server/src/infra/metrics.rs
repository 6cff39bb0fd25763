//! What an operator scrapes at `/metrics`: the process's Prometheus recorder, the names of
//! Jifen's metrics, and the gauges sampled from the database at scrape time.
//!
//! Any module counts through the `metrics` facade (`metrics::counter!(READ_CACHE_HITS)`); the
//! recorder behind it is [`metrics_exporter_prometheus`]'s, installed once per process when the
//! configuration serves `/metrics` at all ([`install`]), and rendered as text by our own actix
//! routes ([`crate::http::metrics`]). Without it every `counter!` goes to the facade's no-op
//! recorder and the request middleware skips its work, so an instance that serves no metrics
//! pays nothing for them.
//!
//! Label values are bounded: routes are actix's route patterns (`/api/v1/deeds/{id}`), never
//! raw paths; methods outside the usual seven are `other`; statuses are classes (`2xx`).

use std::sync::OnceLock;
use std::time::Duration;

use chrono::{DateTime, Utc};
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, DbBackend, EntityTrait, QueryFilter, QuerySelect};

use crate::entity::outbox;
use crate::error::Throttle;
use crate::infra::db::Db;
use crate::infra::outbox::OutboxStatus;

/// Requests served, by `method`, `route` (pattern) and `status` (class).
pub const HTTP_REQUESTS: &str = "jifen_http_requests_total";
/// Time from the request's arrival to its response head, same labels, as a histogram.
pub const HTTP_DURATION: &str = "jifen_http_request_duration_seconds";
/// Connections the database pool holds now, busy or idle.
pub const DB_POOL_SIZE: &str = "jifen_db_pool_connections";
/// Of those, the idle ones.
pub const DB_POOL_IDLE: &str = "jifen_db_pool_idle_connections";
/// The most the pool opens.
pub const DB_POOL_MAX: &str = "jifen_db_pool_max_connections";
/// WeChat messages waiting in the outbox (pending, whether due or backing off).
pub const OUTBOX_DEPTH: &str = "jifen_outbox_pending_messages";
/// Age of the oldest pending message; 0 when none waits.
pub const OUTBOX_OLDEST_AGE: &str = "jifen_outbox_oldest_pending_age_seconds";
/// Answers the read cache served from memory.
pub const READ_CACHE_HITS: &str = "jifen_read_cache_hits_total";
/// Reads the cache had to send to the database.
pub const READ_CACHE_MISSES: &str = "jifen_read_cache_misses_total";
/// Requests refused by a limit, by `limit` (see [`Limit`]).
pub const RATE_LIMIT_REFUSALS: &str = "jifen_rate_limit_refusals_total";

/// Upper bounds of the latency buckets, in seconds: fine below the budgets (10, 30, 50 ms), coarse
/// above a second.
const LATENCY_BUCKETS: &[f64] = &[
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

/// How often histogram samples are folded into their buckets when nobody scrapes, so that
/// memory stays flat between scrapes (the exporter leaves this to its user without its own
/// HTTP listener).
const UPKEEP_EVERY: Duration = Duration::from_secs(5);

/// The longest a scrape waits for the outbox query; past it the outbox gauges keep their last
/// values and a warning is logged, rather than the scraper timing out on everything.
const SAMPLE_TIMEOUT: Duration = Duration::from_secs(2);

static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();

/// Installs the process's recorder (once; later calls return the same handle). Called at start-up
/// when `/metrics` is served somewhere. Several servers in one process (the tests) share it, as
/// they share the process.
pub fn install() -> &'static PrometheusHandle {
    HANDLE.get_or_init(|| {
        let builder = PrometheusBuilder::new()
            .set_buckets_for_metric(Matcher::Full(HTTP_DURATION.into()), LATENCY_BUCKETS)
            .expect("the latency buckets are not empty");
        let recorder = builder.build_recorder();
        let handle = recorder.handle();
        if metrics::set_global_recorder(recorder).is_err() {
            tracing::warn!(
                "another metrics recorder is installed; /metrics shows only the sampled gauges"
            );
        }
        describe();
        let upkeep = handle.clone();
        let spawned = std::thread::Builder::new()
            .name("metrics-upkeep".into())
            .spawn(move || loop {
                std::thread::sleep(UPKEEP_EVERY);
                upkeep.run_upkeep();
            });
        if let Err(e) = spawned {
            tracing::warn!(error = %e, "cannot start the metrics upkeep thread");
        }
        handle
    })
}

/// Whether this process records metrics (some server in it serves `/metrics`).
pub fn installed() -> bool {
    HANDLE.get().is_some()
}

/// Help lines, and the counters others increment set to zero so that a scraper sees the series
/// (and a rate of 0) before the first hit.
fn describe() {
    use metrics::{describe_counter, describe_gauge, describe_histogram, Unit};
    describe_counter!(
        HTTP_REQUESTS,
        "HTTP requests served, by method, route pattern and status class"
    );
    describe_histogram!(
        HTTP_DURATION,
        Unit::Seconds,
        "HTTP request latency, by method, route pattern and status class"
    );
    describe_gauge!(
        DB_POOL_SIZE,
        "Connections the database pool holds, busy or idle (sampled at scrape)"
    );
    describe_gauge!(
        DB_POOL_IDLE,
        "Idle connections in the database pool (sampled at scrape)"
    );
    describe_gauge!(DB_POOL_MAX, "The most connections the database pool opens");
    describe_gauge!(
        OUTBOX_DEPTH,
        "WeChat messages pending in the outbox (sampled at scrape)"
    );
    describe_gauge!(
        OUTBOX_OLDEST_AGE,
        Unit::Seconds,
        "Age of the oldest pending outbox message, 0 when none (sampled at scrape)"
    );
    describe_counter!(READ_CACHE_HITS, "Reads answered from the read cache");
    describe_counter!(
        READ_CACHE_MISSES,
        "Reads the read cache sent to the database"
    );
    describe_counter!(RATE_LIMIT_REFUSALS, "Requests refused by a limit, by limit");
    metrics::counter!(READ_CACHE_HITS).absolute(0);
    metrics::counter!(READ_CACHE_MISSES).absolute(0);
}

/// The limits that refuse requests (429 or 503), as the `limit` label names them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Limit {
    /// A client address or account past its allowance (the 429s).
    Throttled(Throttle),
    /// Password hashes the server starts per second.
    PasswordHashes,
    /// No password hasher free within the wait.
    PasswordHashers,
    /// Refresh-token lookups at once.
    TokenLookups,
    /// Photo uploads received at once.
    ConcurrentUploads,
}

impl Limit {
    pub fn as_str(self) -> &'static str {
        match self {
            Limit::Throttled(t) => match t {
                Throttle::Login => "login",
                Throttle::Account => "account",
                Throttle::Refresh => "refresh",
                Throttle::Wechat => "wechat",
                Throttle::Feedback => "feedback",
                Throttle::FeedbackWaiting => "feedback_waiting",
                Throttle::Upload => "upload",
                Throttle::Verify => "verify",
            },
            Limit::PasswordHashes => "password_hashes",
            Limit::PasswordHashers => "password_hashers",
            Limit::TokenLookups => "token_lookups",
            Limit::ConcurrentUploads => "concurrent_uploads",
        }
    }
}

impl From<Throttle> for Limit {
    fn from(t: Throttle) -> Self {
        Limit::Throttled(t)
    }
}

/// Counts one refusal by `limit`.
pub fn refused(limit: impl Into<Limit>) {
    let limit: Limit = limit.into();
    metrics::counter!(RATE_LIMIT_REFUSALS, "limit" => limit.as_str()).increment(1);
}

/// The method as a label: the usual seven by name, anything else `other`.
pub fn method_label(method: &actix_web::http::Method) -> &'static str {
    use actix_web::http::Method;
    match *method {
        Method::GET => "GET",
        Method::HEAD => "HEAD",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::PATCH => "PATCH",
        Method::DELETE => "DELETE",
        Method::OPTIONS => "OPTIONS",
        _ => "other",
    }
}

/// `2xx`, `4xx`, ...
pub fn status_class(status: u16) -> &'static str {
    match status / 100 {
        1 => "1xx",
        2 => "2xx",
        3 => "3xx",
        4 => "4xx",
        _ => "5xx",
    }
}

/// Samples the gauges (pool use, outbox depth and age), then renders every metric as Prometheus
/// text; `None` when this process records no metrics.
pub async fn scrape(db: &Db) -> Option<String> {
    let handle = HANDLE.get()?;
    sample_pool(db);
    match tokio::time::timeout(SAMPLE_TIMEOUT, outbox_backlog(db)).await {
        Ok(Ok((depth, oldest))) => {
            metrics::gauge!(OUTBOX_DEPTH).set(depth as f64);
            let age = oldest.map_or(0.0, |at| {
                (Utc::now() - at).num_milliseconds().max(0) as f64 / 1000.0
            });
            metrics::gauge!(OUTBOX_OLDEST_AGE).set(age);
        }
        Ok(Err(e)) => tracing::warn!(error = %e, "metrics: reading the outbox backlog"),
        Err(_) => tracing::warn!("metrics: reading the outbox backlog timed out"),
    }
    Some(handle.render())
}

/// The pool's size and idle connections, read from sqlx's pool behind sea-orm (no query).
fn sample_pool(db: &Db) {
    let (size, idle, max) = match db.backend() {
        DbBackend::Postgres => {
            let pool = db.conn().get_postgres_connection_pool();
            (
                pool.size(),
                pool.num_idle(),
                pool.options().get_max_connections(),
            )
        }
        DbBackend::Sqlite => {
            let pool = db.conn().get_sqlite_connection_pool();
            (
                pool.size(),
                pool.num_idle(),
                pool.options().get_max_connections(),
            )
        }
        DbBackend::MySql => return,
    };
    metrics::gauge!(DB_POOL_SIZE).set(f64::from(size));
    metrics::gauge!(DB_POOL_IDLE).set(idle as f64);
    metrics::gauge!(DB_POOL_MAX).set(f64::from(max));
}

/// How many messages are pending and when the oldest was queued: one aggregate over the
/// `(status, next_attempt_at)` index, which holds only a handful of pending rows in a healthy
/// system.
async fn outbox_backlog(db: &Db) -> Result<(i64, Option<DateTime<Utc>>), sea_orm::DbErr> {
    let row: Option<(i64, Option<DateTime<Utc>>)> = outbox::Entity::find()
        .select_only()
        .column_as(Expr::col(outbox::Column::Id).count(), "depth")
        .column_as(Expr::col(outbox::Column::CreatedAt).min(), "oldest")
        .filter(outbox::Column::Status.eq(OutboxStatus::Pending.as_str()))
        .into_tuple()
        .one(db.conn())
        .await?;
    Ok(row.unwrap_or((0, None)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_stay_within_a_fixed_set() {
        assert_eq!(status_class(204), "2xx");
        assert_eq!(status_class(429), "4xx");
        assert_eq!(status_class(503), "5xx");
        assert_eq!(method_label(&actix_web::http::Method::PATCH), "PATCH");
        let odd = actix_web::http::Method::from_bytes(b"PROPFIND").unwrap();
        assert_eq!(method_label(&odd), "other");
        assert_eq!(
            Limit::from(Throttle::FeedbackWaiting).as_str(),
            "feedback_waiting"
        );
    }
}
