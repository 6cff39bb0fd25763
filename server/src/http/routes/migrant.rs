//! The migrant members' organisation: attaching a member to one, and its co-signature on a deed.

use actix_web::{delete, post, put, web, HttpResponse};
use jifen_shared::api::{AttestRequest, DeedView, MigrantOrgRequest, MigrantOrgView};
use jifen_shared::domain::Reason;

use crate::error::{AppError, AppResult};
use crate::http::answers;
use crate::http::state::AppState;
use crate::services::access::Access;
use crate::services::deeds::view_one;
use crate::services::migrant::{attach as attachment, attest as attestation};

/// Attach a member to a migrant members' organisation (an org unit of kind `migrant`) in the city
/// where they work, replacing any earlier one (secretary of the home branch, or an administrator
/// over both). The home branch still reviews and awards all their points.
#[utoipa::path(put, path = "/api/v1/members/{id}/migrant-org", tag = "members", security(("bearer" = [])),
    params(("id" = String, Path, description = "member id")), request_body = MigrantOrgRequest,
    responses((status = 200, body = MigrantOrgView),
        (status = 400, response = answers::BadRequest),
        (status = 401, response = answers::Unauthorized),
        (status = 403, response = answers::Forbidden),
        (status = 404, response = answers::NotFound),
        (status = 422, response = answers::Unprocessable)))]
#[put("/members/{id}/migrant-org")]
pub async fn attach(
    state: web::Data<AppState>,
    access: Access,
    id: web::Path<String>,
    body: web::Json<MigrantOrgRequest>,
) -> AppResult<web::Json<MigrantOrgView>> {
    Ok(web::Json(
        attachment::attach(&state.db, state.now(), &access, &id, &body.org_unit_id).await?,
    ))
}

/// Detach a member from their migrant members' organisation (same people as attaching).
#[utoipa::path(delete, path = "/api/v1/members/{id}/migrant-org", tag = "members", security(("bearer" = [])),
    params(("id" = String, Path, description = "member id")),
    responses((status = 204, description = "the member belongs to no migrant organisation now"),
        (status = 400, response = answers::BadRequest),
        (status = 401, response = answers::Unauthorized),
        (status = 403, response = answers::Forbidden),
        (status = 404, response = answers::NotFound)))]
#[delete("/members/{id}/migrant-org")]
pub async fn detach(
    state: web::Data<AppState>,
    access: Access,
    id: web::Path<String>,
) -> AppResult<HttpResponse> {
    attachment::detach(&state.db, state.now(), &access, &id).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Co-sign a deed done in the migrant organisation's city (its committee only, once). The deed
/// is still decided by the home branch; the co-signature shows in its history and on its view.
#[utoipa::path(post, path = "/api/v1/deeds/{id}/attest", tag = "review", security(("bearer" = [])),
    params(("id" = String, Path)), request_body = AttestRequest,
    responses((status = 200, body = DeedView),
        (status = 400, response = answers::BadRequest),
        (status = 401, response = answers::Unauthorized),
        (status = 403, response = answers::Forbidden),
        (status = 404, response = answers::NotFound),
        (status = 409, response = answers::Conflict),
        (status = 422, response = answers::Unprocessable)))]
#[post("/deeds/{id}/attest")]
pub async fn attest(
    state: web::Data<AppState>,
    access: Access,
    id: web::Path<String>,
    body: web::Json<AttestRequest>,
) -> AppResult<web::Json<DeedView>> {
    let comment = Reason::parse(&body.comment).map_err(|e| AppError::field("comment", &e))?;
    let deed = attestation::attest(&state.db, state.now(), &access, &id, comment).await?;
    Ok(web::Json(view_one(state.db.conn(), deed).await?))
}
