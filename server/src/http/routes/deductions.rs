use actix_web::{get, post, web, HttpResponse};
use jifen_shared::api::{
    DeductionPage, DeductionQuery, DeductionView, ProposeDeductionRequest, ReasonRequest,
};

use crate::error::AppResult;
use crate::http::answers;
use crate::http::state::AppState;
use crate::services::access::Access;
use crate::services::deductions::{self as service, ListFilter};

/// Propose a deduction (违规扣分) for a member of the branch (committee, secretary or administrator;
/// not for oneself): a deduction item of the catalogue, its standard points unless `points`
/// (negative) is given, and a reason. Nothing is deducted until a second committee member
/// confirms it. With `feedback_id`, it answers that feedback of the masses (the same as accepting
/// it; feedback decided already is 409).
#[utoipa::path(post, path = "/api/v1/members/{id}/deductions", tag = "deductions",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "member id")), request_body = ProposeDeductionRequest,
    responses((status = 201, body = DeductionView),
        (status = 400, response = answers::BadRequest),
        (status = 401, response = answers::Unauthorized),
        (status = 403, response = answers::Forbidden),
        (status = 404, response = answers::NotFound),
        (status = 409, response = answers::Conflict),
        (status = 422, response = answers::Unprocessable)))]
#[post("/members/{id}/deductions")]
pub async fn propose(
    state: web::Data<AppState>,
    access: Access,
    id: web::Path<String>,
    body: web::Json<ProposeDeductionRequest>,
) -> AppResult<HttpResponse> {
    Ok(HttpResponse::Created()
        .json(service::propose(&state.db, state.now(), &access, &id, body.into_inner()).await?))
}

/// A second committee member confirms a proposed deduction (whoever proposed it cannot: 403
/// `deduction.second_person`): the ledger entry is written and the member told with the reason.
/// A proposal confirmed or dropped already is 409; a deduction past the item's cap is 422.
#[utoipa::path(post, path = "/api/v1/deductions/{id}/confirm", tag = "deductions",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "deduction id")),
    responses((status = 200, body = DeductionView),
        (status = 400, response = answers::BadRequest),
        (status = 401, response = answers::Unauthorized),
        (status = 403, response = answers::Forbidden),
        (status = 404, response = answers::NotFound),
        (status = 409, response = answers::Conflict),
        (status = 422, response = answers::Unprocessable)))]
#[post("/deductions/{id}/confirm")]
pub async fn confirm(
    state: web::Data<AppState>,
    access: Access,
    id: web::Path<String>,
) -> AppResult<web::Json<DeductionView>> {
    Ok(web::Json(
        service::confirm(&state.db, state.now(), &access, &id).await?,
    ))
}

/// Any committee member, the proposer included, drops a proposed deduction with a reason (不予扣分);
/// nothing is deducted. Feedback it answered is set aside with that reason.
#[utoipa::path(post, path = "/api/v1/deductions/{id}/drop", tag = "deductions",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "deduction id")), request_body = ReasonRequest,
    responses((status = 200, body = DeductionView),
        (status = 400, response = answers::BadRequest),
        (status = 401, response = answers::Unauthorized),
        (status = 403, response = answers::Forbidden),
        (status = 404, response = answers::NotFound),
        (status = 409, response = answers::Conflict),
        (status = 422, response = answers::Unprocessable)))]
#[post("/deductions/{id}/drop")]
pub async fn drop_proposal(
    state: web::Data<AppState>,
    access: Access,
    id: web::Path<String>,
    body: web::Json<ReasonRequest>,
) -> AppResult<web::Json<DeductionView>> {
    Ok(web::Json(
        service::drop_proposal(&state.db, state.now(), &access, &id, &body.reason).await?,
    ))
}

/// A branch's deductions for its committee, oldest first, a page at a time; `status=proposed`
/// lists those waiting for a second person.
#[utoipa::path(get, path = "/api/v1/branches/{id}/deductions", tag = "deductions",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "branch id"), DeductionQuery),
    responses((status = 200, body = DeductionPage),
        (status = 400, response = answers::BadRequest),
        (status = 401, response = answers::Unauthorized),
        (status = 403, response = answers::Forbidden),
        (status = 404, response = answers::NotFound),
        (status = 422, response = answers::Unprocessable)))]
#[get("/branches/{id}/deductions")]
pub async fn list(
    state: web::Data<AppState>,
    access: Access,
    id: web::Path<String>,
    query: web::Query<DeductionQuery>,
) -> AppResult<web::Json<DeductionPage>> {
    let filter = ListFilter::try_from(query.into_inner())?;
    Ok(web::Json(
        service::list(state.db.conn(), &access, &id, filter).await?,
    ))
}
