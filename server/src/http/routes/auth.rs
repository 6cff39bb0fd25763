//! Signing in with a password, renewing and ending sessions.
//!
//! The refresh token is answered in the body (the WeChat mini program keeps it there) and, for
//! the web app, also set as the cookie `jifen_refresh` (`HttpOnly; Secure; SameSite=Strict;
//! Path=/api/v1/auth`), so that no script in the page, nor anything injected into it, can read a
//! 30-day credential. Refresh and sign-out take the token from the body or, when the body leaves
//! it out, from that cookie.
//!
//! Why the cookie cannot be used across sites (CSRF):
//! - `SameSite=Strict`: the browser sends it only on requests started by Jifen's own pages;
//! - `Path=/api/v1/auth`: it goes to refresh and sign-out only, never to an action on points;
//! - both routes take a JSON body (`Content-Type: application/json`, or 400): a cross-site form
//!   cannot send that, and a cross-site script cannot without a CORS preflight, which Jifen never
//!   grants;
//! - the cookie only mints tokens that are answered in the response body, which a cross-site page
//!   cannot read; at worst a forged refresh rotates the token, the new one going to the same
//!   cookie. A forged sign-out only signs the member out.

use actix_web::http::header;
use actix_web::{post, web, HttpRequest, HttpResponse};
use jifen_shared::api::{LoginRequest, LogoutRequest, RefreshRequest, TokenResponse};

use crate::error::AppResult;
use crate::http::answers;
use crate::http::state::AppState;
use crate::services::auth::sessions;

/// The web app's refresh-token cookie.
pub const REFRESH_COOKIE: &str = "jifen_refresh";
const COOKIE_PATH: &str = "/api/v1/auth";

/// The `Set-Cookie` value; refresh tokens are URL-safe base64, so they need no quoting.
fn refresh_cookie(value: &str, max_age_secs: i64) -> String {
    format!(
        "{REFRESH_COOKIE}={value}; Path={COOKIE_PATH}; Max-Age={max_age_secs}; HttpOnly; Secure; SameSite=Strict"
    )
}

/// The tokens in the body, the refresh token also in the cookie.
fn with_cookie(state: &AppState, tokens: TokenResponse) -> HttpResponse {
    let cookie = refresh_cookie(&tokens.refresh_token, state.keys.refresh_ttl_days * 86_400);
    HttpResponse::Ok()
        .insert_header((header::SET_COOKIE, cookie))
        .json(tokens)
}

/// The refresh token from the body, else from the cookie.
fn presented(req: &HttpRequest, in_body: &str) -> String {
    if !in_body.trim().is_empty() {
        return in_body.to_owned();
    }
    req.headers()
        .get_all(header::COOKIE)
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .find_map(|pair| {
            let (name, value) = pair.trim().split_once('=')?;
            (name == REFRESH_COOKIE).then(|| value.trim_matches('"').to_owned())
        })
        .unwrap_or_default()
}

/// Sign in with username and password. After too many failed sign-ins an account waits (429,
/// counted across instances); when every password hasher is busy the answer is 503 at once.
#[utoipa::path(post, path = "/api/v1/auth/login", tag = "auth", request_body = LoginRequest,
    responses((status = 200, body = TokenResponse,
            headers(("Set-Cookie" = String, description = "`jifen_refresh`: the refresh token, for the web app"))),
        (status = 400, response = answers::BadRequest),
        (status = 401, response = answers::Unauthorized),
        (status = 422, response = answers::Unprocessable),
        (status = 429, response = answers::TooManyRequests),
        (status = 503, response = answers::ServiceBusy)))]
#[post("/auth/login")]
pub async fn login(
    state: web::Data<AppState>,
    body: web::Json<LoginRequest>,
) -> AppResult<HttpResponse> {
    let tokens = sessions::login(
        &state.db,
        &state.auth,
        state.now(),
        &state.keys,
        &body.username,
        &body.password,
    )
    .await?;
    Ok(with_cookie(&state, tokens))
}

/// Trade a refresh token (in the body, or the `jifen_refresh` cookie when the body leaves it
/// out) for a new pair. Each refresh token works once; using one again ends the session.
#[utoipa::path(post, path = "/api/v1/auth/refresh", tag = "auth", request_body = RefreshRequest,
    responses((status = 200, body = TokenResponse,
            headers(("Set-Cookie" = String, description = "`jifen_refresh`: the new refresh token"))),
        (status = 400, response = answers::BadRequest),
        (status = 401, response = answers::Unauthorized),
        (status = 422, response = answers::Unprocessable),
        (status = 429, response = answers::TooManyRequests),
        (status = 503, response = answers::ServiceBusy)))]
#[post("/auth/refresh")]
pub async fn refresh(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: web::Json<RefreshRequest>,
) -> AppResult<HttpResponse> {
    let _turn = state.auth.lookup_turn()?;
    let token = presented(&req, &body.refresh_token);
    let tokens = sessions::refresh(&state.db, state.now(), &state.keys, &token).await?;
    Ok(with_cookie(&state, tokens))
}

/// End the session the refresh token (body or cookie) belongs to; its access tokens stop
/// working within seconds.
#[utoipa::path(post, path = "/api/v1/auth/logout", tag = "auth", request_body = LogoutRequest,
    responses((status = 204, description = "signed out; the cookie is cleared"),
        (status = 400, response = answers::BadRequest),
        (status = 422, response = answers::Unprocessable),
        (status = 429, response = answers::TooManyRequests),
        (status = 503, response = answers::ServiceBusy)))]
#[post("/auth/logout")]
pub async fn logout(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: web::Json<LogoutRequest>,
) -> AppResult<HttpResponse> {
    let _turn = state.auth.lookup_turn()?;
    let token = presented(&req, &body.refresh_token);
    sessions::logout(&state.db, state.now(), &token).await?;
    Ok(HttpResponse::NoContent()
        .insert_header((header::SET_COOKIE, refresh_cookie("", 0)))
        .finish())
}
