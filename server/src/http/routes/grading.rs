//! The year end (年终评定): closing a year into grades, reading them (JSON, CSV, XLSX), the
//! committee's adjustments and the secretary's confirmation.

use actix_web::{get, patch, post, web, HttpRequest, HttpResponse};
use jifen_shared::api::{AdjustGradeRequest, GradesQuery, GradesView};
use jifen_shared::domain::Reason;

use crate::error::{invalid, AppError, AppResult};
use crate::http::state::AppState;
use crate::http::{answers, download};
use crate::services::access::Access;
use crate::services::grading::{self as service, export};

/// Close the year (secretary, once its fourth quarter is signed): every member is graded from the
/// year's total by the branch's thresholds, 优秀 within the cap by rank (members tied at the cap
/// are kept out of 优秀 together). Once only; audited.
#[utoipa::path(post, path = "/api/v1/branches/{id}/years/{year}/close", tag = "year",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "branch id"), ("year" = i32, Path, minimum = 2000, maximum = 2100)),
    responses((status = 201, body = GradesView),
        (status = 400, response = answers::BadRequest),
        (status = 401, response = answers::Unauthorized),
        (status = 403, response = answers::Forbidden),
        (status = 404, response = answers::NotFound),
        (status = 409, response = answers::Conflict),
        (status = 422, response = answers::Unprocessable)))]
#[post("/branches/{id}/years/{year}/close")]
pub async fn close(
    state: web::Data<AppState>,
    access: Access,
    path: web::Path<(String, i32)>,
) -> AppResult<HttpResponse> {
    let (branch, year) = path.into_inner();
    let year = invalid::checked_year(year)?;
    Ok(HttpResponse::Created()
        .json(service::close(&state.db, state.now(), &access, &branch, year).await?))
}

/// The grades of a closed year, by rank (the branch's committee and those above it): JSON, or
/// `?format=csv` (UTF-8 with a byte-order mark) or `?format=xlsx`, worded per `Accept-Language`.
#[utoipa::path(get, path = "/api/v1/branches/{id}/years/{year}/grades", tag = "year",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "branch id"), ("year" = i32, Path, minimum = 2000, maximum = 2100), GradesQuery),
    responses((status = 200, description = "the grades", content((GradesView = "application/json"), (String = "text/csv"), (Vec<u8> = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))),
        (status = 400, response = answers::BadRequest),
        (status = 401, response = answers::Unauthorized),
        (status = 403, response = answers::Forbidden),
        (status = 404, response = answers::NotFound),
        (status = 422, response = answers::Unprocessable)))]
#[get("/branches/{id}/years/{year}/grades")]
pub async fn grades(
    req: HttpRequest,
    state: web::Data<AppState>,
    access: Access,
    path: web::Path<(String, i32)>,
    query: web::Query<GradesQuery>,
) -> AppResult<HttpResponse> {
    let (branch, year) = path.into_inner();
    let year = invalid::checked_year(year)?;
    let view = service::grades(state.db.conn(), &access, &branch, year).await?;
    download::respond(&req, query.format, &view, export::export).await
}

/// Change one member's grade with a reason (the committee, before the secretary confirms; not
/// one's own; 优秀 only within the cap). Audited.
#[utoipa::path(patch, path = "/api/v1/branches/{id}/years/{year}/grades/{member_id}", tag = "year",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "branch id"), ("year" = i32, Path, minimum = 2000, maximum = 2100), ("member_id" = String, Path, description = "member id")),
    request_body = AdjustGradeRequest,
    responses((status = 200, body = GradesView),
        (status = 400, response = answers::BadRequest),
        (status = 401, response = answers::Unauthorized),
        (status = 403, response = answers::Forbidden),
        (status = 404, response = answers::NotFound),
        (status = 409, response = answers::Conflict),
        (status = 422, response = answers::Unprocessable)))]
#[patch("/branches/{id}/years/{year}/grades/{member_id}")]
pub async fn adjust(
    state: web::Data<AppState>,
    access: Access,
    path: web::Path<(String, i32, String)>,
    body: web::Json<AdjustGradeRequest>,
) -> AppResult<web::Json<GradesView>> {
    let (branch, year, member_id) = path.into_inner();
    let year = invalid::checked_year(year)?;
    let AdjustGradeRequest { grade, reason } = body.into_inner();
    let reason = Reason::parse(&reason).map_err(|e| AppError::field("reason", &e))?;
    Ok(web::Json(
        service::adjust(
            &state.db,
            state.now(),
            &access,
            &branch,
            year,
            service::Adjustment {
                member_id: &member_id,
                grade,
                reason,
            },
        )
        .await?,
    ))
}

/// The secretary confirms the year's grades; they no longer change. Audited.
#[utoipa::path(post, path = "/api/v1/branches/{id}/years/{year}/grades/confirm", tag = "year",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "branch id"), ("year" = i32, Path, minimum = 2000, maximum = 2100)),
    responses((status = 200, body = GradesView),
        (status = 400, response = answers::BadRequest),
        (status = 401, response = answers::Unauthorized),
        (status = 403, response = answers::Forbidden),
        (status = 404, response = answers::NotFound),
        (status = 409, response = answers::Conflict),
        (status = 422, response = answers::Unprocessable)))]
#[post("/branches/{id}/years/{year}/grades/confirm")]
pub async fn confirm(
    state: web::Data<AppState>,
    access: Access,
    path: web::Path<(String, i32)>,
) -> AppResult<web::Json<GradesView>> {
    let (branch, year) = path.into_inner();
    let year = invalid::checked_year(year)?;
    Ok(web::Json(
        service::confirm(&state.db, state.now(), &access, &branch, year).await?,
    ))
}
