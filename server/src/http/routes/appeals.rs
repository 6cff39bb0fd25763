use actix_web::{get, post, web, HttpResponse};
use jifen_shared::api::{AppealPage, AppealQuery, AppealView, FileAppealRequest, ReasonRequest};
use jifen_shared::domain::Reason;

use crate::error::{AppError, AppResult};
use crate::http::answers;
use crate::http::state::AppState;
use crate::services::access::Access;
use crate::services::appeals::decide::{decide, Verdict};
use crate::services::appeals::file::{file as file_appeal, Filing};
use crate::services::appeals::list::{list as list_appeals, Filter};
use crate::services::appeals::{view_one, visible};

/// Appeal a rejected or returned deed of one's own, or a deduction from one's own account
/// (积分申述): exactly one of `deed_id` and `ledger_entry_id`, with a reason; once, and only
/// before the quarter it concerns is signed. Audited.
#[utoipa::path(post, path = "/api/v1/appeals", tag = "appeals", security(("bearer" = [])),
    request_body = FileAppealRequest,
    responses((status = 201, body = AppealView),
        (status = 400, response = answers::BadRequest),
        (status = 401, response = answers::Unauthorized),
        (status = 403, response = answers::Forbidden),
        (status = 404, response = answers::NotFound),
        (status = 409, response = answers::Conflict),
        (status = 422, response = answers::Unprocessable)))]
#[post("/appeals")]
pub async fn file(
    state: web::Data<AppState>,
    access: Access,
    body: web::Json<FileAppealRequest>,
) -> AppResult<HttpResponse> {
    let filing = Filing::try_from(body.into_inner())?;
    Ok(HttpResponse::Created().json(file_appeal(&state.db, state.now(), &access, filing).await?))
}

/// My appeals (`scope=mine`, the default) or those of the branches I review (`scope=review`),
/// newest first; `status=waiting` for those still to decide.
#[utoipa::path(get, path = "/api/v1/appeals", tag = "appeals", security(("bearer" = [])),
    params(AppealQuery),
    responses((status = 200, body = AppealPage),
        (status = 400, response = answers::BadRequest),
        (status = 401, response = answers::Unauthorized),
        (status = 403, response = answers::Forbidden),
        (status = 404, response = answers::NotFound),
        (status = 422, response = answers::Unprocessable)))]
#[get("/appeals")]
pub async fn list(
    state: web::Data<AppState>,
    access: Access,
    q: web::Query<AppealQuery>,
) -> AppResult<web::Json<AppealPage>> {
    let filter = Filter::try_from(q.into_inner())?;
    Ok(web::Json(
        list_appeals(state.db.conn(), &access, filter).await?,
    ))
}

/// One appeal, for its member and those who review the branch.
#[utoipa::path(get, path = "/api/v1/appeals/{id}", tag = "appeals", security(("bearer" = [])),
    params(("id" = String, Path, description = "appeal id")),
    responses((status = 200, body = AppealView),
        (status = 400, response = answers::BadRequest),
        (status = 401, response = answers::Unauthorized),
        (status = 404, response = answers::NotFound)))]
#[get("/appeals/{id}")]
pub async fn get(
    state: web::Data<AppState>,
    access: Access,
    id: web::Path<String>,
) -> AppResult<web::Json<AppealView>> {
    let (found, _) = visible(state.db.conn(), &access, &id).await?;
    Ok(web::Json(view_one(state.db.conn(), &access, found).await?))
}

fn reason(raw: &str) -> AppResult<Reason> {
    Reason::parse(raw).map_err(|e| AppError::field("reason", &e))
}

/// The decision appealed stands. By a committee member, the secretary or an administrator of the
/// branch other than the member and whoever made the decision; with a reason the member reads.
#[utoipa::path(post, path = "/api/v1/appeals/{id}/uphold", tag = "appeals", security(("bearer" = [])),
    params(("id" = String, Path, description = "appeal id")), request_body = ReasonRequest,
    responses((status = 200, body = AppealView),
        (status = 400, response = answers::BadRequest),
        (status = 401, response = answers::Unauthorized),
        (status = 403, response = answers::Forbidden),
        (status = 404, response = answers::NotFound),
        (status = 409, response = answers::Conflict),
        (status = 422, response = answers::Unprocessable)))]
#[post("/appeals/{id}/uphold")]
pub async fn uphold(
    state: web::Data<AppState>,
    access: Access,
    id: web::Path<String>,
    body: web::Json<ReasonRequest>,
) -> AppResult<web::Json<AppealView>> {
    let reason = reason(&body.reason)?;
    Ok(web::Json(
        decide(
            &state.db,
            state.now(),
            &access,
            &id,
            Verdict::Uphold,
            reason,
        )
        .await?,
    ))
}

/// The decision appealed falls: a rejected or returned deed waits for review again; a deduction
/// is given back by a reversal entry. Same people as upholding; with a reason the member reads.
#[utoipa::path(post, path = "/api/v1/appeals/{id}/overturn", tag = "appeals", security(("bearer" = [])),
    params(("id" = String, Path, description = "appeal id")), request_body = ReasonRequest,
    responses((status = 200, body = AppealView),
        (status = 400, response = answers::BadRequest),
        (status = 401, response = answers::Unauthorized),
        (status = 403, response = answers::Forbidden),
        (status = 404, response = answers::NotFound),
        (status = 409, response = answers::Conflict),
        (status = 422, response = answers::Unprocessable)))]
#[post("/appeals/{id}/overturn")]
pub async fn overturn(
    state: web::Data<AppState>,
    access: Access,
    id: web::Path<String>,
    body: web::Json<ReasonRequest>,
) -> AppResult<web::Json<AppealView>> {
    let reason = reason(&body.reason)?;
    Ok(web::Json(
        decide(
            &state.db,
            state.now(),
            &access,
            &id,
            Verdict::Overturn,
            reason,
        )
        .await?,
    ))
}
