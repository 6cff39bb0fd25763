//! Roles held on a unit: listed, granted and revoked under the rule that nobody grants or
//! revokes a role above their own. See [`crate::services::admin::roles`].

use actix_web::{delete, get, post, web, HttpResponse};
use jifen_shared::api::{GrantRoleRequest, RoleHolder, UnitRoles};

use crate::error::AppResult;
use crate::http::answers;
use crate::http::state::AppState;
use crate::services::access::Access;
use crate::services::admin::roles;

/// Who holds which role (other than membership) on the unit, and which roles the caller may
/// grant there; for anyone holding a role over it.
#[utoipa::path(get, path = "/api/v1/orgs/{id}/roles", tag = "admin", security(("bearer" = [])),
    params(("id" = String, Path, description = "org unit id")),
    responses((status = 200, body = UnitRoles),
        (status = 400, response = answers::BadRequest),
        (status = 401, response = answers::Unauthorized),
        (status = 403, response = answers::Forbidden),
        (status = 404, response = answers::NotFound)))]
#[get("/orgs/{id}/roles")]
pub async fn list(
    state: web::Data<AppState>,
    access: Access,
    id: web::Path<String>,
) -> AppResult<web::Json<UnitRoles>> {
    Ok(web::Json(roles::list(state.db.conn(), &access, &id).await?))
}

/// Grant a role on the unit to a member of it (or of a unit below it). Secretaries and org
/// admins only, never above their own role (403 `role.above_own`). 201 for a new role, 200 when
/// the member held it already. The member's unused invite codes are revoked (a role holder's
/// code takes a second person). Audited in the unit's chain; the member is told in the inbox.
#[utoipa::path(post, path = "/api/v1/orgs/{id}/roles", tag = "admin", security(("bearer" = [])),
    params(("id" = String, Path, description = "org unit id")), request_body = GrantRoleRequest,
    responses((status = 201, body = RoleHolder),
        (status = 200, description = "the member held the role already", body = RoleHolder),
        (status = 400, response = answers::BadRequest),
        (status = 401, response = answers::Unauthorized),
        (status = 403, response = answers::Forbidden),
        (status = 404, response = answers::NotFound),
        (status = 422, response = answers::Unprocessable)))]
#[post("/orgs/{id}/roles")]
pub async fn grant(
    state: web::Data<AppState>,
    access: Access,
    id: web::Path<String>,
    body: web::Json<GrantRoleRequest>,
) -> AppResult<HttpResponse> {
    let granted = roles::grant(&state.db, state.now(), &access, &id, body.into_inner()).await?;
    Ok(if granted.created {
        HttpResponse::Created().json(granted.holder)
    } else {
        HttpResponse::Ok().json(granted.holder)
    })
}

/// Revoke a role. Not above one's own role, never one's own highest (403 `role.own_highest`),
/// and not a branch's only secretary before the successor is appointed (409
/// `role.last_secretary`). Takes effect on the member's next request. Audited; the member is
/// told in the inbox.
#[utoipa::path(delete, path = "/api/v1/roles/{id}", tag = "admin", security(("bearer" = [])),
    params(("id" = String, Path, description = "role assignment id")),
    responses((status = 204, description = "revoked"),
        (status = 400, response = answers::BadRequest),
        (status = 401, response = answers::Unauthorized),
        (status = 403, response = answers::Forbidden),
        (status = 404, response = answers::NotFound),
        (status = 409, response = answers::Conflict)))]
#[delete("/roles/{id}")]
pub async fn revoke(
    state: web::Data<AppState>,
    access: Access,
    id: web::Path<String>,
) -> AppResult<HttpResponse> {
    roles::revoke(&state.db, state.now(), &access, &id).await?;
    Ok(HttpResponse::NoContent().finish())
}
