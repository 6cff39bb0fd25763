//! The HTTP layer: routes (thin handlers), the extractors that say who is calling, the
//! middleware, the OpenAPI document, and [`state::AppState`], which only this layer, startup and
//! the CLI know.

pub mod answers;
pub mod client;
pub mod download;
pub mod extract;
pub mod headers;
pub mod html;
pub mod input;
pub mod limits;
// Issue 15: operations
pub mod metrics;
pub mod middleware;
pub mod new_year;
pub mod openapi;
pub mod routes;
pub mod state;

/// Every route: the API and health checks, the OpenAPI document, then the web app, whose page
/// addresses catch whatever is left.
pub fn configure(cfg: &mut actix_web::web::ServiceConfig) {
    routes::configure(cfg);
    openapi::configure(cfg);
    // Issue 15: operations: `/metrics` on the main address (404 unless a token is configured).
    metrics::configure(cfg);
    routes::app::configure(cfg);
}
