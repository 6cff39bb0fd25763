use actix_web::{get, web, HttpResponse};
use jifen_shared::api::{PointsQuery, PointsSummary};

use crate::error::{invalid, AppResult};
use crate::http::answers;
use crate::http::extract::AuthUser;
use crate::http::state::AppState;
use crate::infra::read_cache::Key;
use crate::services::ledger;

/// A member's points for one cycle year: base, bonus, deduction and total, by quarter, with entries.
/// Visible to the member and to those who review their branch.
#[utoipa::path(get, path = "/api/v1/members/{id}/points", tag = "points", security(("bearer" = [])),
    params(("id" = String, Path, description = "member id"), PointsQuery),
    responses((status = 200, body = PointsSummary),
        (status = 400, response = answers::BadRequest),
        (status = 401, response = answers::Unauthorized),
        (status = 403, response = answers::Forbidden),
        (status = 404, response = answers::NotFound),
        (status = 422, response = answers::Unprocessable)))]
#[get("/members/{id}/points")]
pub async fn member_points(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<String>,
    query: web::Query<PointsQuery>,
) -> AppResult<HttpResponse> {
    let year = invalid::year_or_current(query.year, state.now())?;
    let db = state.db.conn();
    ledger::check_reader(db, &user.member_id, &id).await?;
    let key = Key::Points {
        member: id.clone(),
        year,
    };
    state
        .reads
        .json(key, async {
            let summary = ledger::summary(db, &id, year).await?;
            Ok((summary, ledger::deps_of(&id)))
        })
        .await
}
