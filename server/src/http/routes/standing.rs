//! Falling behind (积分预警): the committee's list of members below the branch's alert line, telling
//! them, and a member's own standing.

use actix_web::{get, post, web, HttpResponse};
use jifen_shared::api::{AlertsNotified, AlertsView, MemberStanding, StandingQuery};

use crate::error::{invalid, AppResult};
use crate::http::answers;
use crate::http::extract::AuthUser;
use crate::http::routes::quarters::BranchQuarter;
use crate::http::state::AppState;
use crate::services::access::Access;
use crate::services::standing as service;

/// The members whose points this year, up to the end of the quarter (so far, for the quarter
/// running), are below the branch's alert line; lowest first, with how far behind and whether
/// they were told. For the branch's committee and those above it.
#[utoipa::path(get, path = "/api/v1/branches/{id}/quarters/{year}/{quarter}/alerts", tag = "year",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "branch id"), ("year" = i32, Path, minimum = 2000, maximum = 2100), ("quarter" = u8, Path, minimum = 1, maximum = 4)),
    responses((status = 200, body = AlertsView),
        (status = 400, response = answers::BadRequest),
        (status = 401, response = answers::Unauthorized),
        (status = 403, response = answers::Forbidden),
        (status = 404, response = answers::NotFound),
        (status = 422, response = answers::Unprocessable)))]
#[get("/branches/{id}/quarters/{year}/{quarter}/alerts")]
pub async fn alerts(
    state: web::Data<AppState>,
    access: Access,
    at: BranchQuarter,
) -> AppResult<web::Json<AlertsView>> {
    let BranchQuarter { branch, quarter } = at;
    Ok(web::Json(
        service::alerts(state.db.conn(), &access, &branch, quarter).await?,
    ))
}

/// Tell the members below the line (inbox, and WeChat when subscribed), each once per quarter:
/// asking again tells only those not told yet. Signing the quarter does the same on its own.
#[utoipa::path(post, path = "/api/v1/branches/{id}/quarters/{year}/{quarter}/alerts/notify", tag = "year",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "branch id"), ("year" = i32, Path, minimum = 2000, maximum = 2100), ("quarter" = u8, Path, minimum = 1, maximum = 4)),
    responses((status = 200, body = AlertsNotified),
        (status = 400, response = answers::BadRequest),
        (status = 401, response = answers::Unauthorized),
        (status = 403, response = answers::Forbidden),
        (status = 404, response = answers::NotFound),
        (status = 422, response = answers::Unprocessable)))]
#[post("/branches/{id}/quarters/{year}/{quarter}/alerts/notify")]
pub async fn notify(
    state: web::Data<AppState>,
    access: Access,
    at: BranchQuarter,
) -> AppResult<web::Json<AlertsNotified>> {
    let BranchQuarter { branch, quarter } = at;
    let (done, queued) = service::notify(
        &state.db,
        state.now(),
        &state.templates,
        &access,
        &branch,
        quarter,
    )
    .await?;
    state.sent(queued);
    Ok(web::Json(done))
}

/// Where a member stands this year against the branch's alert line and, when behind, the
/// catalogue items that could still help. For the member and those who review their branch.
#[utoipa::path(get, path = "/api/v1/members/{id}/standing", tag = "points", security(("bearer" = [])),
    params(("id" = String, Path, description = "member id"), StandingQuery),
    responses((status = 200, body = MemberStanding),
        (status = 400, response = answers::BadRequest),
        (status = 401, response = answers::Unauthorized),
        (status = 404, response = answers::NotFound),
        (status = 422, response = answers::Unprocessable)))]
#[get("/members/{id}/standing")]
pub async fn member_standing(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<String>,
    query: web::Query<StandingQuery>,
) -> AppResult<HttpResponse> {
    let now = state.now();
    let year = invalid::year_or_current(query.year, now)?;
    let standing =
        service::member_standing(state.db.conn(), &user.member_id, &id, year, now).await?;
    Ok(HttpResponse::Ok().json(standing))
}
