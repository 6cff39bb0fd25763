use actix_web::{get, web, HttpResponse};
use jifen_shared::api::{PointsQuery, PointsSummary};
use jifen_shared::domain::CycleQuarter;
use jifen_shared::problem::Problem;
use sea_orm::EntityTrait;

use crate::access::Access;
use crate::auth::AuthUser;
use crate::entity::member;
use crate::error::{AppError, AppResult, FieldIssue, Missing};
use crate::ids;
use crate::read_cache::Key;
use crate::startup::AppState;

/// A member's points for one cycle year: base, bonus, deduction and total, by quarter, with entries.
/// Visible to the member and to those who review their branch.
#[utoipa::path(get, path = "/api/v1/members/{id}/points", tag = "points", security(("bearer" = [])),
    params(("id" = String, Path, description = "member id"), PointsQuery),
    responses((status = 200, body = PointsSummary), (status = 404, body = Problem), (status = 422, body = Problem)))]
#[get("/members/{id}/points")]
pub async fn member_points(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<String>,
    query: web::Query<PointsQuery>,
) -> AppResult<HttpResponse> {
    let db = state.db.conn();
    let year = match query.year {
        Some(y) => CycleQuarter::check_year(y).map_err(|_| {
            AppError::Validation(vec![FieldIssue::new(
                "year",
                "query.invalid",
                "年度须在 2000 到 2100 之间",
                "year must be between 2000 and 2100",
            )])
        })?,
        None => CycleQuarter::of(state.clock.now()).year,
    };
    let not_found = AppError::NotFound(Missing::Member);
    if !ids::is_valid(&id) {
        return Err(not_found);
    }
    if *id != user.member_id {
        let access = Access::load(db, &user.member_id).await?;
        let target = member::Entity::find_by_id(id.clone())
            .one(db)
            .await?
            .ok_or(not_found)?;
        if !access.can_review(db, &target.home_branch_id).await? {
            return Err(AppError::NotFound(Missing::Member));
        }
    }
    let key = Key::Points {
        member: id.clone(),
        year,
    };
    state
        .reads
        .json(key, crate::ledger::summary(db, &id, year))
        .await
}
