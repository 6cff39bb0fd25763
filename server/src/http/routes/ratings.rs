//! Branch ratings (星级评定): the rules a town or county rates its branches by, the year's stars
//! with the figures behind each, and an administrator's adjustment.

use actix_web::{get, post, put, web, HttpResponse};
use jifen_shared::api::{
    AdjustRatingRequest, BranchRating, RatingRules, RatingRulesView, RatingsQuery, RatingsView,
};
use jifen_shared::domain::Reason;

use crate::error::{invalid, AppError, AppResult};
use crate::http::answers;
use crate::http::state::AppState;
use crate::services::access::Access;
use crate::services::ratings::{self as service, Adjustment};
use crate::services::stats::Period;

fn year_period(year: i32) -> AppResult<Period> {
    Period::parse(year, None).map_err(|_| AppError::Validation(vec![invalid::year()]))
}

/// The rating rules that apply at a unit and where they come from (a unit configured them, an
/// ancestor did, or the defaults apply), for those who oversee the unit.
#[utoipa::path(get, path = "/api/v1/orgs/{id}/rating-rules", tag = "ratings", security(("bearer" = [])),
    params(("id" = String, Path, description = "org unit id")),
    responses((status = 200, body = RatingRulesView),
        (status = 400, response = answers::BadRequest),
        (status = 401, response = answers::Unauthorized),
        (status = 403, response = answers::Forbidden),
        (status = 404, response = answers::NotFound)))]
#[get("/orgs/{id}/rating-rules")]
pub async fn rules(
    state: web::Data<AppState>,
    access: Access,
    id: web::Path<String>,
) -> AppResult<web::Json<RatingRulesView>> {
    Ok(web::Json(
        service::rules::get(state.db.conn(), &access, &id).await?,
    ))
}

/// Replace a town's or county's rating rules as a whole (an administrator of it or above). Each
/// indicator given is one star; `null` switches it off; at least one must be on. The branches
/// beneath inherit them unless a nearer unit has its own. Audited.
#[utoipa::path(put, path = "/api/v1/orgs/{id}/rating-rules", tag = "ratings", security(("bearer" = [])),
    params(("id" = String, Path, description = "org unit id of a town or county")),
    request_body = RatingRules,
    responses((status = 200, body = RatingRulesView),
        (status = 400, response = answers::BadRequest),
        (status = 401, response = answers::Unauthorized),
        (status = 403, response = answers::Forbidden),
        (status = 404, response = answers::NotFound),
        (status = 409, response = answers::Conflict),
        (status = 422, response = answers::Unprocessable)))]
#[put("/orgs/{id}/rating-rules")]
pub async fn put_rules(
    state: web::Data<AppState>,
    access: Access,
    id: web::Path<String>,
    body: web::Json<RatingRules>,
) -> AppResult<web::Json<RatingRulesView>> {
    Ok(web::Json(
        service::rules::put(&state.db, state.now(), &access, &id, body.into_inner()).await?,
    ))
}

/// Each branch beneath the unit (or the branch itself) with its stars for the year: every
/// indicator's figure, threshold, whether it was met and the numbers behind it, and the
/// adjustment that counts instead, if any. For those who oversee the unit; a branch's committee
/// sees its own branch.
#[utoipa::path(get, path = "/api/v1/orgs/{id}/ratings", tag = "ratings", security(("bearer" = [])),
    params(("id" = String, Path, description = "org unit id"), RatingsQuery),
    responses((status = 200, body = RatingsView),
        (status = 400, response = answers::BadRequest),
        (status = 401, response = answers::Unauthorized),
        (status = 403, response = answers::Forbidden),
        (status = 404, response = answers::NotFound),
        (status = 422, response = answers::Unprocessable)))]
#[get("/orgs/{id}/ratings")]
pub async fn ratings(
    state: web::Data<AppState>,
    access: Access,
    id: web::Path<String>,
    query: web::Query<RatingsQuery>,
) -> AppResult<web::Json<RatingsView>> {
    let now = state.now();
    let year = year_period(invalid::year_or_current(query.year, now)?)?;
    Ok(web::Json(
        service::rating::of_unit(state.db.conn(), &access, &id, year, now).await?,
    ))
}

/// Set a branch's stars for a year with a reason (an administrator above the branch, not its own
/// committee); replaces an earlier adjustment. Audited in the branch's history.
#[utoipa::path(post, path = "/api/v1/orgs/{id}/ratings/adjustments", tag = "ratings",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "org unit id: the branch or a unit above it")),
    request_body = AdjustRatingRequest,
    responses((status = 201, body = BranchRating),
        (status = 400, response = answers::BadRequest),
        (status = 401, response = answers::Unauthorized),
        (status = 403, response = answers::Forbidden),
        (status = 404, response = answers::NotFound),
        (status = 422, response = answers::Unprocessable)))]
#[post("/orgs/{id}/ratings/adjustments")]
pub async fn adjust(
    state: web::Data<AppState>,
    access: Access,
    id: web::Path<String>,
    body: web::Json<AdjustRatingRequest>,
) -> AppResult<HttpResponse> {
    let AdjustRatingRequest {
        branch_id,
        year,
        stars,
        reason,
    } = body.into_inner();
    let year = year_period(year)?;
    let reason = Reason::parse(&reason).map_err(|e| AppError::field("reason", &e))?;
    let rating = service::adjust(
        &state.db,
        state.now(),
        &access,
        &id,
        Adjustment {
            branch_id: &branch_id,
            year,
            stars,
            reason,
        },
    )
    .await?;
    Ok(HttpResponse::Created().json(rating))
}
