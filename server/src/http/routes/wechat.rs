use actix_web::{delete, post, web, HttpResponse};
use jifen_shared::api::{
    InviteView, TokenResponse, WechatBindRequest, WechatLoginRequest, WechatLoginResponse,
};
use jifen_shared::problem::Problem;

use crate::error::AppResult;
use crate::http::state::AppState;
use crate::services::access::Access;
use crate::services::wechat::{invites, login};

/// Sign in from the WeChat mini program with `wx.login()`'s code. A bound WeChat account gets
/// tokens; an unknown one gets a binding ticket for `POST /auth/wechat/bind`.
#[utoipa::path(post, path = "/api/v1/auth/wechat", tag = "wechat", request_body = WechatLoginRequest,
    responses((status = 200, body = WechatLoginResponse),
        (status = 400, description = "WeChat refused the code", body = Problem),
        (status = 403, description = "WeChat blocks this user as high-risk", body = Problem),
        (status = 429, description = "WeChat's rate limit; see Retry-After", body = Problem),
        (status = 503, description = "WeChat is busy or unreachable; see Retry-After", body = Problem)))]
#[post("/auth/wechat")]
pub async fn wechat_login(
    state: web::Data<AppState>,
    body: web::Json<WechatLoginRequest>,
) -> AppResult<web::Json<WechatLoginResponse>> {
    let wechat = state.wechat()?;
    Ok(web::Json(
        login::login(&state.db, state.now(), wechat, &state.keys, &body.code).await?,
    ))
}

/// Bind the WeChat account behind a binding ticket to the member an invite code was issued for,
/// and sign in.
#[utoipa::path(post, path = "/api/v1/auth/wechat/bind", tag = "wechat", request_body = WechatBindRequest,
    responses((status = 200, body = TokenResponse),
        (status = 400, description = "ticket or invite code not valid", body = Problem),
        (status = 409, description = "member or WeChat account bound already", body = Problem)))]
#[post("/auth/wechat/bind")]
pub async fn wechat_bind(
    state: web::Data<AppState>,
    body: web::Json<WechatBindRequest>,
) -> AppResult<web::Json<TokenResponse>> {
    state.wechat()?;
    let tokens = login::bind(
        &state.db,
        state.now(),
        &state.keys,
        &body.binding_ticket,
        &body.invite_code,
    )
    .await?;
    Ok(web::Json(tokens))
}

/// Issue a one-time invite code for a member to bind their WeChat (secretary or administrator).
/// The code is shown this once; issuing another replaces it.
#[utoipa::path(post, path = "/api/v1/members/{id}/invites", tag = "wechat", security(("bearer" = [])),
    params(("id" = String, Path, description = "member id")),
    responses((status = 201, body = InviteView), (status = 403, body = Problem), (status = 404, body = Problem)))]
#[post("/members/{id}/invites")]
pub async fn issue_invite(
    state: web::Data<AppState>,
    access: Access,
    path: web::Path<String>,
) -> AppResult<HttpResponse> {
    state.wechat()?;
    let invite = invites::issue(&state.db, state.now(), &access, &path).await?;
    Ok(HttpResponse::Created().json(invite))
}

/// Unbind a member's WeChat account (administrator).
#[utoipa::path(delete, path = "/api/v1/members/{id}/wechat", tag = "wechat", security(("bearer" = [])),
    params(("id" = String, Path, description = "member id")),
    responses((status = 204, description = "unbound"), (status = 403, body = Problem), (status = 404, body = Problem)))]
#[delete("/members/{id}/wechat")]
pub async fn unbind(
    state: web::Data<AppState>,
    access: Access,
    path: web::Path<String>,
) -> AppResult<HttpResponse> {
    invites::unbind(&state.db, state.now(), &access, &path).await?;
    Ok(HttpResponse::NoContent().finish())
}
