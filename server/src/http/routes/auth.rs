use actix_web::{post, web, HttpResponse};
use jifen_shared::api::{LoginRequest, LogoutRequest, RefreshRequest, TokenResponse};
use jifen_shared::problem::Problem;

use crate::error::AppResult;
use crate::http::state::AppState;
use crate::services::auth::sessions;

/// Sign in with username and password.
#[utoipa::path(post, path = "/api/v1/auth/login", tag = "auth", request_body = LoginRequest,
    responses((status = 200, body = TokenResponse), (status = 401, description = "wrong username or password", body = Problem)))]
#[post("/auth/login")]
pub async fn login(
    state: web::Data<AppState>,
    body: web::Json<LoginRequest>,
) -> AppResult<web::Json<TokenResponse>> {
    Ok(web::Json(
        sessions::login(
            &state.db,
            state.now(),
            &state.keys,
            &body.username,
            &body.password,
        )
        .await?,
    ))
}

/// Trade a refresh token for a new pair. Each refresh token works once; using one again ends the session.
#[utoipa::path(post, path = "/api/v1/auth/refresh", tag = "auth", request_body = RefreshRequest,
    responses((status = 200, body = TokenResponse), (status = 401, body = Problem)))]
#[post("/auth/refresh")]
pub async fn refresh(
    state: web::Data<AppState>,
    body: web::Json<RefreshRequest>,
) -> AppResult<web::Json<TokenResponse>> {
    Ok(web::Json(
        sessions::refresh(&state.db, state.now(), &state.keys, &body.refresh_token).await?,
    ))
}

/// End the session the refresh token belongs to.
#[utoipa::path(post, path = "/api/v1/auth/logout", tag = "auth", request_body = LogoutRequest,
    responses((status = 204, description = "signed out")))]
#[post("/auth/logout")]
pub async fn logout(
    state: web::Data<AppState>,
    body: web::Json<LogoutRequest>,
) -> AppResult<HttpResponse> {
    sessions::logout(&state.db, state.now(), &body.refresh_token).await?;
    Ok(HttpResponse::NoContent().finish())
}
