use actix_web::{get, web, HttpResponse};
use jifen_shared::api::Health;

use crate::error::AppResult;
use crate::http::state::AppState;

/// The process is up.
#[utoipa::path(get, path = "/healthz", tag = "health", responses((status = 200, body = Health)))]
#[get("/healthz")]
pub async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(Health {
        status: "ok".into(),
    })
}

/// The process can serve: the database answers.
#[utoipa::path(get, path = "/readyz", tag = "health",
    responses((status = 200, body = Health), (status = 503, response = crate::http::answers::Unavailable)))]
#[get("/readyz")]
pub async fn readyz(state: web::Data<AppState>) -> AppResult<HttpResponse> {
    state
        .db
        .ping()
        .await
        .map_err(crate::error::AppError::Unavailable)?;
    Ok(HttpResponse::Ok().json(Health {
        status: "ready".into(),
    }))
}
