use actix_web::{get, patch, web};
use jifen_shared::api::{BranchSettings, PatchBranchSettings};

use crate::error::AppResult;
use crate::http::answers;
use crate::http::state::AppState;
use crate::services::access::Access;
use crate::services::settings as service;

/// The branch's settings for the points year (its committee and those above it).
#[utoipa::path(get, path = "/api/v1/branches/{id}/settings", tag = "year", security(("bearer" = [])),
    params(("id" = String, Path, description = "branch id")),
    responses((status = 200, body = BranchSettings),
        (status = 400, response = answers::BadRequest),
        (status = 401, response = answers::Unauthorized),
        (status = 403, response = answers::Forbidden),
        (status = 404, response = answers::NotFound)))]
#[get("/branches/{id}/settings")]
pub async fn get(
    state: web::Data<AppState>,
    access: Access,
    id: web::Path<String>,
) -> AppResult<web::Json<BranchSettings>> {
    Ok(web::Json(
        service::get(state.db.conn(), &access, &id).await?,
    ))
}

/// Change the settings (secretary or administrator); fields left out stay as they are. Audited.
#[utoipa::path(patch, path = "/api/v1/branches/{id}/settings", tag = "year", security(("bearer" = [])),
    params(("id" = String, Path, description = "branch id")), request_body = PatchBranchSettings,
    responses((status = 200, body = BranchSettings),
        (status = 400, response = answers::BadRequest),
        (status = 401, response = answers::Unauthorized),
        (status = 403, response = answers::Forbidden),
        (status = 404, response = answers::NotFound),
        (status = 422, response = answers::Unprocessable)))]
#[patch("/branches/{id}/settings")]
pub async fn patch(
    state: web::Data<AppState>,
    access: Access,
    id: web::Path<String>,
    body: web::Json<PatchBranchSettings>,
) -> AppResult<web::Json<BranchSettings>> {
    Ok(web::Json(
        service::patch(&state.db, state.now(), &access, &id, body.into_inner()).await?,
    ))
}
