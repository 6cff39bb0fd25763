use actix_web::{delete, get, post, web, HttpResponse};
use jifen_shared::api::{
    InviteView, PendingInviteView, TokenResponse, WechatBindRequest, WechatLoginRequest,
    WechatLoginResponse,
};

use crate::error::AppResult;
use crate::http::answers;
use crate::http::state::AppState;
use crate::services::access::Access;
use crate::services::wechat::{invites, login};

/// Sign in from the WeChat mini program with `wx.login()`'s code. A bound WeChat account gets
/// tokens; an unknown one gets a binding ticket for `POST /auth/wechat/bind`.
#[utoipa::path(post, path = "/api/v1/auth/wechat", tag = "wechat", request_body = WechatLoginRequest,
    responses((status = 200, body = WechatLoginResponse),
        (status = 400, response = answers::BadRequest),
        (status = 403, response = answers::Forbidden),
        (status = 404, response = answers::NotFound),
        (status = 422, response = answers::Unprocessable),
        (status = 429, response = answers::TooManyRequests),
        (status = 503, response = answers::ServiceBusy)))]
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
        (status = 400, response = answers::BadRequest),
        (status = 404, response = answers::NotFound),
        (status = 409, response = answers::Conflict),
        (status = 422, response = answers::Unprocessable),
        (status = 429, response = answers::TooManyRequests)))]
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
/// The code is shown this once; issuing another replaces it. For a member who holds a role
/// (committee, secretary, administrator) the answer is 202 with a request instead: a different
/// role holder of the branch confirms it (`POST /invites/{id}/confirm`) and receives the code.
#[utoipa::path(post, path = "/api/v1/members/{id}/invites", tag = "wechat", security(("bearer" = [])),
    params(("id" = String, Path, description = "member id")),
    responses((status = 201, body = InviteView),
        (status = 202, description = "the member holds a role: a second role holder must confirm", body = PendingInviteView),
        (status = 400, response = answers::BadRequest),
        (status = 401, response = answers::Unauthorized),
        (status = 403, response = answers::Forbidden),
        (status = 404, response = answers::NotFound)))]
#[post("/members/{id}/invites")]
pub async fn issue_invite(
    state: web::Data<AppState>,
    access: Access,
    path: web::Path<String>,
) -> AppResult<HttpResponse> {
    state.wechat()?;
    Ok(
        match invites::issue(&state.db, state.now(), &access, &path).await? {
            invites::Issued::Code(invite) => HttpResponse::Created().json(invite),
            invites::Issued::Pending(pending) => HttpResponse::Accepted().json(pending),
        },
    )
}

/// A second role holder of the member's branch confirms an invite asked for a role holder, and
/// receives the code to hand over. Whoever asked for it cannot confirm it.
#[utoipa::path(post, path = "/api/v1/invites/{id}/confirm", tag = "wechat", security(("bearer" = [])),
    params(("id" = String, Path, description = "the pending invite's id")),
    responses((status = 201, body = InviteView),
        (status = 400, response = answers::BadRequest),
        (status = 401, response = answers::Unauthorized),
        (status = 403, response = answers::Forbidden),
        (status = 404, response = answers::NotFound)))]
#[post("/invites/{id}/confirm")]
pub async fn confirm_invite(
    state: web::Data<AppState>,
    access: Access,
    path: web::Path<String>,
) -> AppResult<HttpResponse> {
    state.wechat()?;
    let invite = invites::confirm(&state.db, state.now(), &access, &path).await?;
    Ok(HttpResponse::Created().json(invite))
}

/// Invites for role holders of a branch that wait for a second role holder's confirmation.
#[utoipa::path(get, path = "/api/v1/branches/{id}/invites/pending", tag = "wechat", security(("bearer" = [])),
    params(("id" = String, Path, description = "branch id")),
    responses((status = 200, body = Vec<PendingInviteView>),
        (status = 400, response = answers::BadRequest),
        (status = 401, response = answers::Unauthorized),
        (status = 403, response = answers::Forbidden),
        (status = 404, response = answers::NotFound)))]
#[get("/branches/{id}/invites/pending")]
pub async fn pending_invites(
    state: web::Data<AppState>,
    access: Access,
    path: web::Path<String>,
) -> AppResult<web::Json<Vec<PendingInviteView>>> {
    Ok(web::Json(
        invites::pending(state.db.conn(), state.now(), &access, &path).await?,
    ))
}

/// Unbind a member's WeChat account (administrator).
#[utoipa::path(delete, path = "/api/v1/members/{id}/wechat", tag = "wechat", security(("bearer" = [])),
    params(("id" = String, Path, description = "member id")),
    responses((status = 204, description = "unbound"),
        (status = 400, response = answers::BadRequest),
        (status = 401, response = answers::Unauthorized),
        (status = 403, response = answers::Forbidden),
        (status = 404, response = answers::NotFound)))]
#[delete("/members/{id}/wechat")]
pub async fn unbind(
    state: web::Data<AppState>,
    access: Access,
    path: web::Path<String>,
) -> AppResult<HttpResponse> {
    invites::unbind(&state.db, state.now(), &access, &path).await?;
    Ok(HttpResponse::NoContent().finish())
}
