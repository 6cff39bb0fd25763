//! The points ledger of a branch or of every branch below a town or a county, for those who
//! oversee it: JSON pages, or the whole period as CSV or XLSX.

use actix_web::{get, web, HttpRequest, HttpResponse};
use jifen_shared::api::{UnitLedgerPage, UnitLedgerQuery};

use crate::error::AppResult;
use crate::http::answers;
use crate::http::download::{self, FileFormat};
use crate::http::state::AppState;
use crate::services::access::Access;
use crate::services::export;
use crate::services::unit_ledger::{self, PageRequest, Period};

/// The ledger entries written in the unit's branches (a branch, a town's, a county's) in a cycle
/// year or one quarter of it, oldest first, with the branch, member, item and its version, points,
/// cause and reason. A branch's committee or secretary reads its branch; an administrator or
/// committee above reads every branch below. JSON comes a page at a time (`next_cursor` into
/// `?cursor=`); `?format=csv` (UTF-8 with a byte-order mark) or `?format=xlsx` carries the whole
/// period, streamed, worded per `Accept-Language`, times in Asia/Shanghai. A file is one snapshot
/// of the ledger (read in one transaction); JSON pages are read one request at a time, so an
/// entry written while paging may land behind the cursor. Each entry is listed under the branch
/// it was earned in (the statistics count a member's year under their home branch now).
#[utoipa::path(get, path = "/api/v1/orgs/{id}/ledger", tag = "ledger",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "org unit id (a branch, a town, a county)"), UnitLedgerQuery),
    responses((status = 200, description = "the ledger", content((UnitLedgerPage = "application/json"), (String = "text/csv"), (Vec<u8> = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))),
        (status = 400, response = answers::BadRequest),
        (status = 401, response = answers::Unauthorized),
        (status = 403, response = answers::Forbidden),
        (status = 404, response = answers::NotFound),
        (status = 422, response = answers::Unprocessable)))]
#[get("/orgs/{id}/ledger")]
pub async fn ledger(
    req: HttpRequest,
    state: web::Data<AppState>,
    access: Access,
    id: web::Path<String>,
    query: web::Query<UnitLedgerQuery>,
) -> AppResult<HttpResponse> {
    let db = state.db.conn();
    match FileFormat::asked(query.format) {
        None => {
            let request = PageRequest::parse(&query, state.now())?;
            Ok(HttpResponse::Ok().json(unit_ledger::list(db, &access, &id, request).await?))
        }
        Some(file) => {
            let period = Period::asked(query.year, query.quarter, state.now())?;
            let scope = unit_ledger::scope(db, &access, &id, period).await?;
            let export = export::ledger::export(db.clone(), scope);
            download::download(&req, file, export).await
        }
    }
}
