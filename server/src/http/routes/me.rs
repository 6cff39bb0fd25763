use actix_web::{get, put, web, HttpResponse};
use jifen_shared::api::{MeResponse, SetPasswordRequest};

use crate::error::AppResult;
use crate::http::extract::AuthUser;
use crate::http::state::AppState;
use crate::services::access::Access;
use crate::services::orgs;

/// The signed-in member and their roles per org unit.
#[utoipa::path(get, path = "/api/v1/me", tag = "members", security(("bearer" = [])),
    responses((status = 200, body = MeResponse), (status = 401, body = jifen_shared::problem::Problem)))]
#[get("/me")]
pub async fn me(state: web::Data<AppState>, access: Access) -> AppResult<web::Json<MeResponse>> {
    Ok(web::Json(orgs::profile(state.db.conn(), access).await?))
}

/// Set my password for the web app; the current one is needed when one is set.
#[utoipa::path(put, path = "/api/v1/me/password", tag = "members", security(("bearer" = [])),
    request_body = SetPasswordRequest,
    responses((status = 204, description = "password set"), (status = 401, body = jifen_shared::problem::Problem),
        (status = 422, body = jifen_shared::problem::Problem)))]
#[put("/me/password")]
pub async fn set_password(
    state: web::Data<AppState>,
    user: AuthUser,
    body: web::Json<SetPasswordRequest>,
) -> AppResult<HttpResponse> {
    crate::services::auth::account::set_password(
        &state.db,
        state.now(),
        &user.member_id,
        body.current_password.as_deref(),
        &body.new_password,
    )
    .await?;
    Ok(HttpResponse::NoContent().finish())
}
