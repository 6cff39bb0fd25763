//! The organisation tree (`/orgs`): read by anyone holding a role other than membership, kept by
//! org admins. See [`crate::services::admin::units`].

use actix_web::{get, patch, post, web, HttpResponse};
use jifen_shared::api::{NewOrgUnit, OrgNode, OrgTree, OrgUnitView, PatchOrgUnit};

use crate::error::AppResult;
use crate::http::answers;
use crate::http::state::AppState;
use crate::services::access::Access;
use crate::services::admin::units;

/// The units the caller holds a role other than membership on, each with everything below it,
/// as one flat list (parents first), with the caller's highest role over each and the roles
/// they may grant there. A member without such a role gets an empty list.
#[utoipa::path(get, path = "/api/v1/orgs", tag = "admin", security(("bearer" = [])),
    responses((status = 200, body = OrgTree),
        (status = 401, response = answers::Unauthorized)))]
#[get("/orgs")]
pub async fn tree(state: web::Data<AppState>, access: Access) -> AppResult<web::Json<OrgTree>> {
    Ok(web::Json(units::tree(state.db.conn(), &access).await?))
}

/// A unit and the units directly below it.
#[utoipa::path(get, path = "/api/v1/orgs/{id}", tag = "admin", security(("bearer" = [])),
    params(("id" = String, Path, description = "org unit id")),
    responses((status = 200, body = OrgUnitView),
        (status = 400, response = answers::BadRequest),
        (status = 401, response = answers::Unauthorized),
        (status = 403, response = answers::Forbidden),
        (status = 404, response = answers::NotFound)))]
#[get("/orgs/{id}")]
pub async fn unit(
    state: web::Data<AppState>,
    access: Access,
    id: web::Path<String>,
) -> AppResult<web::Json<OrgUnitView>> {
    Ok(web::Json(units::unit(state.db.conn(), &access, &id).await?))
}

/// Create a unit under one the caller administers (org admin). Its kind must fit under the
/// parent's; only branches and migrant organisations take a `code`, unique among present and
/// former codes (409 `org_unit.code_taken`). Audited in the new unit's chain.
#[utoipa::path(post, path = "/api/v1/orgs", tag = "admin", security(("bearer" = [])),
    request_body = NewOrgUnit,
    responses((status = 201, body = OrgNode),
        (status = 400, response = answers::BadRequest),
        (status = 401, response = answers::Unauthorized),
        (status = 403, response = answers::Forbidden),
        (status = 404, response = answers::NotFound),
        (status = 409, response = answers::Conflict),
        (status = 422, response = answers::Unprocessable)))]
#[post("/orgs")]
pub async fn create(
    state: web::Data<AppState>,
    access: Access,
    body: web::Json<NewOrgUnit>,
) -> AppResult<HttpResponse> {
    let created = units::create(&state.db, state.now(), &access, body.into_inner()).await?;
    Ok(HttpResponse::Created().json(created))
}

/// Rename a unit, move it (with everything below it) under another unit the caller administers
/// (never under itself or below itself: 422 `org_unit.cycle`), or change a branch's public code.
/// The board then lives at `/board/{new code}`; the old address redirects there, and the old
/// code stays reserved to the unit. Org admins of the unit (and of the destination). Audited in
/// the unit's chain.
#[utoipa::path(patch, path = "/api/v1/orgs/{id}", tag = "admin", security(("bearer" = [])),
    params(("id" = String, Path, description = "org unit id")), request_body = PatchOrgUnit,
    responses((status = 200, body = OrgNode),
        (status = 400, response = answers::BadRequest),
        (status = 401, response = answers::Unauthorized),
        (status = 403, response = answers::Forbidden),
        (status = 404, response = answers::NotFound),
        (status = 409, response = answers::Conflict),
        (status = 422, response = answers::Unprocessable)))]
#[patch("/orgs/{id}")]
pub async fn patch(
    state: web::Data<AppState>,
    access: Access,
    id: web::Path<String>,
    body: web::Json<PatchOrgUnit>,
) -> AppResult<web::Json<OrgNode>> {
    Ok(web::Json(
        units::patch(&state.db, state.now(), &access, &id, body.into_inner()).await?,
    ))
}
