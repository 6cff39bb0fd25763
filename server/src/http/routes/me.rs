use actix_web::{get, put, web, HttpResponse};
use jifen_shared::api::{MeResponse, SetPasswordRequest};

use crate::error::AppResult;
use crate::http::answers;
use crate::http::extract::AuthUser;
use crate::http::state::AppState;
use crate::services::access::Access;
use crate::services::auth::account::{self, Proof};
use crate::services::orgs;

/// The signed-in member and their roles per org unit.
#[utoipa::path(get, path = "/api/v1/me", tag = "members", security(("bearer" = [])),
    responses((status = 200, body = MeResponse),
        (status = 401, response = answers::Unauthorized)))]
#[get("/me")]
pub async fn me(state: web::Data<AppState>, access: Access) -> AppResult<web::Json<MeResponse>> {
    Ok(web::Json(orgs::profile(state.db.conn(), access).await?))
}

/// Set my password for the web app; the current one is needed when one is set, and a WeChat
/// login code or an invite code from the secretary for the first one. My other sessions end.
#[utoipa::path(put, path = "/api/v1/me/password", tag = "members", security(("bearer" = [])),
    request_body = SetPasswordRequest,
    responses((status = 204, description = "password set; the member's other sessions ended"),
        (status = 400, response = answers::BadRequest),
        (status = 401, response = answers::Unauthorized),
        (status = 404, response = answers::NotFound),
        (status = 422, response = answers::Unprocessable),
        (status = 429, response = answers::TooManyRequests),
        (status = 503, response = answers::ServiceBusy)))]
#[put("/me/password")]
pub async fn set_password(
    state: web::Data<AppState>,
    user: AuthUser,
    body: web::Json<SetPasswordRequest>,
) -> AppResult<HttpResponse> {
    let proof = Proof {
        current_password: body.current_password.as_deref(),
        wechat_code: body.wechat_code.as_deref(),
        invite_code: body.invite_code.as_deref(),
    };
    account::set_password(
        &state.db,
        &state.auth,
        state.wechat.as_deref(),
        state.now(),
        &user.bearer(),
        proof,
        &body.new_password,
    )
    .await?;
    Ok(HttpResponse::NoContent().finish())
}
