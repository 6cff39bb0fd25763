use actix_web::{get, post, web, HttpResponse};
use jifen_shared::api::{AwardRequest, AwardResult, YearView};

use crate::error::AppResult;
use crate::http::answers;
use crate::http::state::AppState;
use crate::services::access::Access;
use crate::services::{awards, years};

/// The branch's points year: whether it is open (when, by whom, with how many base points) and
/// each member's base points in it so far (its committee and those above it).
#[utoipa::path(get, path = "/api/v1/branches/{id}/years/{year}", tag = "year", security(("bearer" = [])),
    params(("id" = String, Path, description = "branch id"), ("year" = i32, Path, description = "cycle year, 2000–2100")),
    responses((status = 200, body = YearView),
        (status = 400, response = answers::BadRequest),
        (status = 401, response = answers::Unauthorized),
        (status = 403, response = answers::Forbidden),
        (status = 404, response = answers::NotFound),
        (status = 422, response = answers::Unprocessable)))]
#[get("/branches/{id}/years/{year}")]
pub async fn get(
    state: web::Data<AppState>,
    access: Access,
    path: web::Path<(String, i32)>,
) -> AppResult<web::Json<YearView>> {
    let (id, year) = path.into_inner();
    Ok(web::Json(
        years::get(state.db.conn(), state.now(), &access, &id, year).await?,
    ))
}

/// Open the points year (secretary or administrator): each active and migrant member gets the
/// branch's base points as one entry in the year's first quarter. Only the current year or the
/// next; a year opened already (by anyone, or on its own after New Year) answers 409. Audited.
#[utoipa::path(post, path = "/api/v1/branches/{id}/years/{year}/open", tag = "year", security(("bearer" = [])),
    params(("id" = String, Path, description = "branch id"), ("year" = i32, Path, description = "cycle year: the current one or the next")),
    responses((status = 201, body = YearView),
        (status = 400, response = answers::BadRequest),
        (status = 401, response = answers::Unauthorized),
        (status = 403, response = answers::Forbidden),
        (status = 404, response = answers::NotFound),
        (status = 409, response = answers::Conflict),
        (status = 422, response = answers::Unprocessable)))]
#[post("/branches/{id}/years/{year}/open")]
pub async fn open(
    state: web::Data<AppState>,
    access: Access,
    path: web::Path<(String, i32)>,
) -> AppResult<HttpResponse> {
    let (id, year) = path.into_inner();
    let view = years::open(&state.db, state.now(), &access, &id, year).await?;
    Ok(HttpResponse::Created().json(view))
}

/// Award a base item of the catalogue (e.g. dues paid on time) to up to 500 members of the
/// branch at once (committee, secretary or administrator): one entry each with the item's
/// standard points in the current quarter, all or none; `errors` names each member that refuses
/// it (not of the branch, transferred, past the item's cap). Each member is told in the inbox.
#[utoipa::path(post, path = "/api/v1/branches/{id}/awards", tag = "year", security(("bearer" = [])),
    params(("id" = String, Path, description = "branch id")), request_body = AwardRequest,
    responses((status = 201, body = AwardResult),
        (status = 400, response = answers::BadRequest),
        (status = 401, response = answers::Unauthorized),
        (status = 403, response = answers::Forbidden),
        (status = 404, response = answers::NotFound),
        (status = 422, response = answers::Unprocessable)))]
#[post("/branches/{id}/awards")]
pub async fn award(
    state: web::Data<AppState>,
    access: Access,
    id: web::Path<String>,
    body: web::Json<AwardRequest>,
) -> AppResult<HttpResponse> {
    let result: AwardResult =
        awards::award(&state.db, state.now(), &access, &id, body.into_inner()).await?;
    Ok(HttpResponse::Created().json(result))
}
