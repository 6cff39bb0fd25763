//! Building the application: one function that connects, migrates, binds its own listener and
//! reports the port, so tests start the real server on port 0.

use std::net::TcpListener;
use std::sync::Arc;

use actix_web::dev::{Server, ServerHandle};
use actix_web::middleware::from_fn;
use actix_web::{web, App, HttpServer};
use migration::{Migrator, MigratorTrait};

use crate::http::state::AppState;
use crate::infra::clock::Clock;
use crate::infra::config::Config;
use crate::infra::db::Db;
use crate::infra::outbox::Outbox;
use crate::infra::read_cache::ReadCache;
use crate::infra::wechat::Wechat;
use crate::services::auth::tokens::TokenKeys;
use crate::services::deeds::writer::SubmissionWriter;
use crate::services::notify::Templates;

/// Connects to the database, applies pending migrations, loads the signing key and starts the
/// background workers (submission writer, outbox).
async fn state(config: Config, clock: Clock) -> anyhow::Result<AppState> {
    let db = Db::connect(&config.database_url).await?;
    if config.migrate {
        migrate(&db).await?;
    } else {
        check_migrated(&db).await?;
    }
    db.watch_changes();
    let reads = Arc::new(ReadCache::new(db.changes().clone()));
    let stats = Arc::new(crate::services::stats::KeptBranches::new(
        db.changes().clone(),
    ));
    let reach = Arc::new(crate::services::access::KeptReach::new(
        db.changes().clone(),
    ));
    let secret = crate::infra::secret::load_or_create(&config)?;
    let audit_key = crate::infra::secret::audit_key(&config)?;
    anyhow::ensure!(
        audit_key.expose() != secret.expose(),
        "the audit key must not be the JWT key"
    );
    crate::services::audit::seal::install(crate::services::audit::SealKey::new(&audit_key))?;
    let statements = crate::services::statements::StatementKey::new(&audit_key);
    let checkin_codes = crate::services::meetings::code::CheckinKey::new(&audit_key);
    let keys = TokenKeys::new(
        &secret,
        config.access_token_ttl_secs,
        config.refresh_token_ttl_days,
    );
    let submissions = SubmissionWriter::start(db.clone());
    let wechat = Wechat::from_config(&config.wechat, &db)?.map(Arc::new);
    let templates = wechat
        .as_ref()
        .map(|w| Templates::of(&w.config))
        .unwrap_or_default();
    let outbox = Outbox::start(db.clone(), wechat.clone(), config.outbox.clone());
    let limits = crate::http::limits::Limits::new(&config.limits);
    let feedback_senders = crate::services::feedback::ClientKey::new(&secret);
    let uploads = crate::services::photos::Uploads::new(&config.limits);
    // Issue 15: photos in object storage
    let photo_store = crate::infra::photo_store::PhotoStore::from_config(&config)?;
    tracing::info!(store = %photo_store.describe(), "photos are kept in");
    let photo_sweep = crate::services::photos::Sweeper::start(
        db.clone(),
        clock,
        photo_store.clone(),
        uploads.keep_unattached,
    );
    let auth = crate::services::auth::Guards::new(&config, db.changes().clone());
    Ok(AppState {
        auth,
        limits,
        config,
        db,
        keys,
        clock,
        submissions,
        wechat,
        templates,
        outbox,
        reads,
        stats,
        reach,
        feedback_senders,
        uploads,
        photo_sweep,
        photo_store,
        new_year: Default::default(),
        statements,
        checkin_codes,
    })
}

/// Applies pending migrations, as the role that owns the schema: `jifen migrate`, or start-up
/// with `migrate` on.
pub async fn migrate(db: &Db) -> anyhow::Result<()> {
    Migrator::up(db.conn(), None).await?;
    Ok(())
}

/// With `migrate` off the serving role may not touch the schema; it only reads which migrations
/// were applied (sea-orm-migration's own readers first create the migrations table if missing,
/// which needs DDL rights).
async fn check_migrated(db: &Db) -> anyhow::Result<()> {
    use sea_orm::{ConnectionTrait, Statement};
    let rows = db
        .conn()
        .query_all(Statement::from_string(
            db.backend(),
            "SELECT version FROM seaql_migrations",
        ))
        .await
        .map_err(|e| {
            anyhow::anyhow!(
                "reading the applied migrations (run `jifen migrate` as the schema's owner \
                 first): {e}"
            )
        })?;
    let applied = rows
        .iter()
        .map(|r| r.try_get::<String>("", "version"))
        .collect::<Result<std::collections::HashSet<_>, _>>()?;
    let pending: Vec<String> = Migrator::migrations()
        .iter()
        .map(|m| m.name().to_owned())
        .filter(|name| !applied.contains(name))
        .collect();
    anyhow::ensure!(
        pending.is_empty(),
        "migrations are pending ({}) and JIFEN_MIGRATE is off: run `jifen migrate` as the schema's owner",
        pending.join(", ")
    );
    Ok(())
}

pub struct Application {
    port: u16,
    server: Server,
    state: web::Data<AppState>,
    // Issue 15: operations
    /// The second server answering `/metrics` on `metrics.bind`, when configured.
    metrics: Option<crate::http::metrics::Apart>,
}

impl Application {
    pub async fn build(config: Config) -> anyhow::Result<Self> {
        Self::build_with_clock(config, Clock::System).await
    }

    pub async fn build_with_clock(config: Config, clock: Clock) -> anyhow::Result<Self> {
        let listener = TcpListener::bind(&config.bind)
            .map_err(|e| anyhow::anyhow!("cannot listen on {}: {e}", config.bind))?;
        let port = listener.local_addr()?.port();
        let workers = match config.workers {
            0 => std::thread::available_parallelism()
                .map(|n| n.get())
                .unwrap_or(2),
            n => n,
        };
        let state = web::Data::new(state(config, clock).await?);
        // Issue 15: operations: the metrics recorder, and `/metrics` on its own address.
        let metrics = crate::http::metrics::start(&state)?;
        let data = state.clone();
        let server = HttpServer::new(move || {
            App::new()
                .app_data(data.clone())
                .configure(crate::http::configure)
                .wrap(from_fn(crate::http::new_year::open_due_years))
                .wrap(from_fn(crate::http::input::guard))
                .wrap(from_fn(crate::http::middleware::per_client))
                .wrap(from_fn(crate::http::middleware::problems))
                .wrap(actix_web::middleware::Compress::default())
                .wrap(from_fn(crate::http::headers::secure))
                .wrap(from_fn(crate::http::middleware::request_id))
                // Issue 15: operations: outermost, so that its time covers every middleware.
                .wrap(from_fn(crate::http::metrics::record))
        })
        .workers(workers)
        .shutdown_timeout(20)
        .listen(listener)?
        .run();
        Ok(Self {
            port,
            server,
            state,
            metrics,
        })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// The port `/metrics` is served on by its own server, when `metrics.bind` is set.
    pub fn metrics_port(&self) -> Option<u16> {
        self.metrics.as_ref().map(|m| m.port())
    }

    pub fn state(&self) -> web::Data<AppState> {
        self.state.clone()
    }

    /// Stops the server from elsewhere (what SIGTERM does): `stop(true)` finishes the requests
    /// in flight first.
    pub fn handle(&self) -> ServerHandle {
        self.server.handle()
    }

    /// Serves until SIGINT or SIGTERM, then finishes the requests in flight, stops the outbox
    /// worker and the photo sweep and closes the pool.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        let result = self.server.await;
        if let Some(metrics) = self.metrics {
            metrics.stop().await;
        }
        self.state.outbox.shutdown().await;
        self.state.photo_sweep.shutdown().await;
        if let Err(e) = self.state.db.clone().close().await {
            tracing::warn!(error = %e, "closing the database pool");
        }
        result
    }
}
