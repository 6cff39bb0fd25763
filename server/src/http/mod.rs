//! The HTTP layer: routes (thin handlers), the extractors that say who is calling, the
//! middleware, the OpenAPI document, and [`state::AppState`], which only this layer, startup and
//! the CLI know.

pub mod extract;
pub mod middleware;
pub mod openapi;
pub mod routes;
pub mod state;
