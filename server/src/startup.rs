//! Building the application: one function that connects, migrates, binds its own listener and
//! reports the port, so tests start the real server on port 0.

use std::net::TcpListener;
use std::sync::Arc;

use actix_web::dev::{Server, ServerHandle};
use actix_web::middleware::from_fn;
use actix_web::{web, App, HttpServer};
use migration::{Migrator, MigratorTrait};

use crate::auth::tokens::TokenKeys;
use crate::clock::Clock;
use crate::config::Config;
use crate::db::Db;
use crate::notify::outbox::Outbox;
use crate::read_cache::ReadCache;
use crate::wechat::Wechat;

/// What every request handler can reach.
pub struct AppState {
    pub config: Config,
    pub db: Db,
    pub keys: TokenKeys,
    pub clock: Clock,
    /// Writes submitted deeds in batches; see [`crate::deeds::writer`].
    pub submissions: crate::deeds::writer::SubmissionWriter,
    /// The WeChat mini program, when configured.
    pub wechat: Option<Arc<Wechat>>,
    /// Sends queued WeChat messages; see [`crate::notify::outbox`].
    pub outbox: Outbox,
    /// Answers of hot reads while the database has not changed; see [`crate::read_cache`].
    pub reads: Arc<ReadCache>,
}

impl AppState {
    /// Connects to the database, applies pending migrations and loads the signing key.
    pub async fn init(config: Config, clock: Clock) -> anyhow::Result<Self> {
        let db = Db::connect(&config.database_url).await?;
        Migrator::up(db.conn(), None).await?;
        db.watch_changes();
        let reads = Arc::new(ReadCache::new(db.changes().clone()));
        let secret = crate::auth::secret::load_or_create(&config)?;
        let keys = TokenKeys::new(&secret, config.access_token_ttl_secs);
        let submissions = crate::deeds::writer::SubmissionWriter::start(db.clone());
        let wechat = Wechat::from_config(&config.wechat, &db)?.map(Arc::new);
        let outbox = Outbox::start(db.clone(), wechat.clone(), config.outbox.clone());
        Ok(Self {
            config,
            db,
            keys,
            clock,
            submissions,
            wechat,
            outbox,
            reads,
        })
    }
}

pub struct Application {
    port: u16,
    server: Server,
    state: web::Data<AppState>,
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
        let state = web::Data::new(AppState::init(config, clock).await?);
        let data = state.clone();
        let server = HttpServer::new(move || {
            App::new()
                .app_data(data.clone())
                .configure(crate::routes::configure)
                .wrap(from_fn(crate::middleware::problems))
                .wrap(actix_web::middleware::Compress::default())
                .wrap(from_fn(crate::middleware::request_id))
        })
        .workers(workers)
        .shutdown_timeout(20)
        .listen(listener)?
        .run();
        Ok(Self {
            port,
            server,
            state,
        })
    }

    pub fn port(&self) -> u16 {
        self.port
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
    /// worker and closes the pool.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        let result = self.server.await;
        self.state.outbox.shutdown().await;
        if let Err(e) = self.state.db.clone().close().await {
            tracing::warn!(error = %e, "closing the database pool");
        }
        result
    }
}
