//! A branch's WeChat invites as its secretary keeps them: listed and revoked. Issuing is
//! `POST /members/{id}/invites` ([`super::wechat::issue_invite`]). See
//! [`crate::services::admin::invites`].

use actix_web::{get, post, web, HttpResponse};
use jifen_shared::api::BranchInvites;

use crate::error::AppResult;
use crate::http::answers;
use crate::http::state::AppState;
use crate::services::access::Access;
use crate::services::admin::invites;

/// The branch's invite codes issued and not yet used, revoked or expired (never the codes
/// themselves: they are shown once, when issued), and the requests for role holders' codes
/// waiting for a second person. Secretary or administrator.
#[utoipa::path(get, path = "/api/v1/branches/{id}/invites", tag = "admin", security(("bearer" = [])),
    params(("id" = String, Path, description = "branch id")),
    responses((status = 200, body = BranchInvites),
        (status = 400, response = answers::BadRequest),
        (status = 401, response = answers::Unauthorized),
        (status = 403, response = answers::Forbidden),
        (status = 404, response = answers::NotFound)))]
#[get("/branches/{id}/invites")]
pub async fn list(
    state: web::Data<AppState>,
    access: Access,
    id: web::Path<String>,
) -> AppResult<web::Json<BranchInvites>> {
    Ok(web::Json(
        invites::list(state.db.conn(), state.now(), &access, &id).await?,
    ))
}

/// Revoke an open invite code (it no longer binds) or a request waiting for confirmation.
/// Secretary of the member's branch or an administrator above it. Audited.
#[utoipa::path(post, path = "/api/v1/invites/{id}/revoke", tag = "admin", security(("bearer" = [])),
    params(("id" = String, Path, description = "the invite code's or the request's id")),
    responses((status = 204, description = "revoked"),
        (status = 400, response = answers::BadRequest),
        (status = 401, response = answers::Unauthorized),
        (status = 403, response = answers::Forbidden),
        (status = 404, response = answers::NotFound)))]
#[post("/invites/{id}/revoke")]
pub async fn revoke(
    state: web::Data<AppState>,
    access: Access,
    id: web::Path<String>,
) -> AppResult<HttpResponse> {
    invites::revoke(&state.db, state.now(), &access, &id).await?;
    Ok(HttpResponse::NoContent().finish())
}
