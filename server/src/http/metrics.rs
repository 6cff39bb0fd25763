//! `/metrics` for Prometheus, and the middleware that counts and times every request.
//!
//! Where it is served is configuration ([`crate::infra::config::MetricsConfig`]):
//! - `JIFEN_METRICS_BIND=127.0.0.1:9100`: a second, small actix server that answers only
//!   `GET /metrics`, with no token: the address itself is the protection (loopback or a private
//!   network the scraper sits on);
//! - `JIFEN_METRICS_TOKEN`: the main address answers `GET /metrics` to
//!   `Authorization: Bearer <token>`, and 401 problem+json to anyone else;
//! - neither: the main address answers 404 like any unknown path, and nothing is recorded.
//!
//! `/metrics` is not in the OpenAPI document: it is an operator's endpoint in Prometheus' own
//! text format, not part of the API the apps are built against.

use std::net::TcpListener;
use std::time::Instant;

use actix_web::body::MessageBody;
use actix_web::dev::{Server, ServerHandle, ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderValue};
use actix_web::http::Method;
use actix_web::middleware::Next;
use actix_web::{web, App, HttpRequest, HttpResponse, HttpServer};
use metrics::Label;
use sha2::{Digest, Sha256};

use crate::error::{AppError, AuthFailure, Missing};
use crate::http::state::AppState;
use crate::infra::metrics::{self as m, HTTP_DURATION, HTTP_REQUESTS};

/// The `route` of requests no route pattern matched (the web app's pages, unknown paths).
const UNMATCHED: &str = "unmatched";

/// Counts and times each request by method, route pattern and status class; does nothing when
/// this process records no metrics.
pub async fn record(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    if !m::installed() {
        return next.call(req).await;
    }
    let method = m::method_label(req.method());
    let started = Instant::now();
    let result = next.call(req).await;
    let seconds = started.elapsed().as_secs_f64();
    let (route, status) = match &result {
        // After routing the pattern is read from the matched resource, not searched for.
        Ok(res) => (res.request().match_pattern(), res.status().as_u16()),
        Err(e) => (None, e.as_response_error().status_code().as_u16()),
    };
    let labels = vec![
        Label::new("method", method),
        Label::new("route", route.unwrap_or_else(|| UNMATCHED.to_owned())),
        Label::new("status", m::status_class(status)),
    ];
    metrics::counter!(HTTP_REQUESTS, labels.clone()).increment(1);
    metrics::histogram!(HTTP_DURATION, labels).record(seconds);
    result
}

/// `/metrics` on the main address: served only with the configured token.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/metrics").to(scrape_with_token));
}

async fn scrape_with_token(
    req: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let Some(token) = state.config.metrics.token.as_ref() else {
        return Err(AppError::NotFound(Missing::Route));
    };
    // HEAD arrives here as GET (see `http::headers`).
    if req.method() != Method::GET {
        return Err(AppError::NotFound(Missing::Route));
    }
    let presented = crate::http::extract::bearer_token(&req)?;
    // Digests of equal length compared whole: the time taken says nothing about the token.
    if Sha256::digest(presented.as_bytes()) != Sha256::digest(token.expose().as_bytes()) {
        return Err(AppError::Unauthorized(AuthFailure::InvalidToken));
    }
    scrape(&state).await
}

async fn scrape(state: &AppState) -> Result<HttpResponse, AppError> {
    let text = m::scrape(&state.db)
        .await
        .ok_or(AppError::NotFound(Missing::Route))?;
    Ok(HttpResponse::Ok()
        .insert_header((
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8"),
        ))
        .insert_header((header::CACHE_CONTROL, HeaderValue::from_static("no-store")))
        .body(text))
}

/// The second server that serves `/metrics` on its own address.
pub struct Apart {
    port: u16,
    handle: ServerHandle,
    running: tokio::task::JoinHandle<std::io::Result<()>>,
}

impl Apart {
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Stops it (the main server has stopped).
    pub async fn stop(self) {
        self.handle.stop(true).await;
        if let Ok(Err(e)) = self.running.await {
            tracing::warn!(error = %e, "the metrics server stopped with an error");
        }
    }
}

/// Installs the recorder when `/metrics` is served anywhere, and starts the second server when
/// `metrics.bind` is set.
pub fn start(state: &web::Data<AppState>) -> anyhow::Result<Option<Apart>> {
    let config = &state.config.metrics;
    if config.bind.is_none() && config.token.is_none() {
        return Ok(None);
    }
    m::install();
    let Some(bind) = config.bind.as_deref() else {
        return Ok(None);
    };
    let listener = TcpListener::bind(bind)
        .map_err(|e| anyhow::anyhow!("cannot listen for metrics on {bind}: {e}"))?;
    let port = listener.local_addr()?.port();
    let data = state.clone();
    let server: Server = HttpServer::new(move || {
        App::new()
            .app_data(data.clone())
            .route("/metrics", web::get().to(scrape_apart))
            .default_service(web::to(|| async {
                Err::<HttpResponse, _>(AppError::NotFound(Missing::Route))
            }))
    })
    .workers(1)
    // The main server owns SIGINT/SIGTERM and stops this one after itself.
    .disable_signals()
    .shutdown_timeout(5)
    .listen(listener)?
    .run();
    let handle = server.handle();
    tracing::info!(port, "serving /metrics on its own address");
    Ok(Some(Apart {
        port,
        handle,
        running: tokio::spawn(server),
    }))
}

async fn scrape_apart(state: web::Data<AppState>) -> Result<HttpResponse, AppError> {
    scrape(&state).await
}
