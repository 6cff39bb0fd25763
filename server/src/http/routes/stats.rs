//! Statistics (统计) of a branch or any unit above it for a year or a quarter.

use actix_web::{get, web, HttpRequest, HttpResponse};
use jifen_shared::api::{OrgStats, StatsQuery};

use crate::error::AppResult;
use crate::http::answers;
use crate::http::download;
use crate::http::state::AppState;
use crate::services::access::Access;
use crate::services::stats::{self as service, Period};

/// The figures of a county, town or branch for `year` (the current one when left out) or one
/// `quarter` of it (cut in Asia/Shanghai): for the unit, each county, town or branch directly
/// below it, for a branch each member, and the year's quarters so far. For a branch's committee,
/// its secretary and those above; for a unit above branches, committee members, secretaries and
/// administrators on it or above it.
///
/// What each figure counts: **members** are those at home in the unit's branches, active or
/// migrant. A member's whole year (points, participation, under the alert line) counts under the
/// branch they are at home in now, as the alerts and the year-end grades count it, even for
/// points earned in another branch before a transfer; the ledger (`GET /orgs/{id}/ledger`)
/// instead lists each entry under the branch it was earned in. **participation**: members with a deed approved now whose points the ledger put in
/// the period (the quarter the deed happened in, or the quarter it was approved in when the
/// first was already signed). **points** by category from the ledger (deductions as positive
/// amounts), each with the sum, the median of the members' totals (even counts: mean of the
/// middle two) and bands 10 points wide from 0 (lower when a total is negative, down to -50 at
/// most, with one band below -50 holding every lower total) up to 120, the last band 120 and
/// above. **deeds**: those that happened in the period, by status now.
/// **review_time**: hours from submission to the first decision (approve, reject, return), over
/// deeds first decided in the period; median and nearest-rank 90th percentile. **meetings**:
/// the branches' closed meetings that started in the period; attendance is present out of
/// expected, leave counting as neither; absent when none was held. **feedback** received in the
/// period and how much of it is handled (accepted or dismissed). **under_alert**: members whose
/// year total to the end of the period is below their branch's alert line.
///
/// `?format=xlsx` gives a workbook (units, the quarter trend and, for a branch, its members);
/// `?format=csv` the first of those tables (members for a branch, units above), UTF-8 with a
/// byte-order mark for Excel.
#[utoipa::path(get, path = "/api/v1/orgs/{id}/stats", tag = "stats",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "county, town or branch id"), StatsQuery),
    responses((status = 200, description = "the figures", content((OrgStats = "application/json"), (String = "text/csv"), (Vec<u8> = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))),
        (status = 400, response = answers::BadRequest),
        (status = 401, response = answers::Unauthorized),
        (status = 403, response = answers::Forbidden),
        (status = 404, response = answers::NotFound),
        (status = 422, response = answers::Unprocessable)))]
#[get("/orgs/{id}/stats")]
pub async fn stats(
    req: HttpRequest,
    state: web::Data<AppState>,
    access: Access,
    id: web::Path<String>,
    query: web::Query<StatsQuery>,
) -> AppResult<HttpResponse> {
    let now = state.now();
    let period = Period::asked(query.year, query.quarter, now)?;
    let figures =
        service::org_stats(state.db.conn(), &state.stats, &access, &id, period, now).await?;
    download::respond(
        &req,
        query.format,
        &figures,
        crate::services::export::stats::export,
    )
    .await
}
