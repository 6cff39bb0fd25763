//! Who is calling: the signed-in member from the access token ([`AuthUser`]), and with their
//! role grants ([`Access`]) for the handlers that decide what the caller may see or do.
//!
//! A token must be ours (signature, issuer, audience), unexpired, and its session still open: a
//! session that was signed out, revoked for a reused refresh token or ended by a password change,
//! and every session of a transferred member, is refused with `auth.session_ended` within
//! seconds, from a view kept in memory (see [`crate::services::auth::revocations`]).

use std::future::Future;
use std::pin::Pin;

use actix_web::{web, FromRequest, HttpRequest};

use crate::error::{AppError, AuthFailure};
use crate::http::state::AppState;
use crate::services::access::Access;
use crate::services::auth::tokens::Bearer;

/// The signed-in member, from a valid `Authorization: Bearer` access token of an open session.
#[derive(Debug, Clone)]
pub struct AuthUser {
    pub member_id: String,
    /// The session (refresh-token family) the access token belongs to.
    pub session_id: String,
}

impl AuthUser {
    /// What the access token said.
    pub fn bearer(&self) -> Bearer {
        Bearer {
            member_id: self.member_id.clone(),
            session_id: self.session_id.clone(),
        }
    }
}

impl FromRequest for AuthUser {
    type Error = AppError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, AppError>>>>;

    fn from_request(req: &HttpRequest, _: &mut actix_web::dev::Payload) -> Self::Future {
        let found = bearer(req).and_then(|b| Ok((b, state(req)?.clone())));
        Box::pin(async move {
            let (bearer, state) = found?;
            authenticate(&state, bearer).await
        })
    }
}

impl FromRequest for Access {
    type Error = AppError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, AppError>>>>;

    fn from_request(req: &HttpRequest, _: &mut actix_web::dev::Payload) -> Self::Future {
        let found = bearer(req).and_then(|b| Ok((b, state(req)?.clone())));
        Box::pin(async move {
            let (bearer, state) = found?;
            let user = authenticate(&state, bearer).await?;
            Access::load_kept(state.db.conn(), &state.reach, &user.member_id).await
        })
    }
}

fn state(req: &HttpRequest) -> Result<&web::Data<AppState>, AppError> {
    req.app_data::<web::Data<AppState>>()
        .ok_or_else(|| AppError::Internal(anyhow::anyhow!("application state missing")))
}

/// The token of an `Authorization: Bearer …` header: `auth.missing_token` without the header,
/// `auth.invalid_token` when it holds no bearer token.
pub fn bearer_token(req: &HttpRequest) -> Result<&str, AppError> {
    req.headers()
        .get(actix_web::http::header::AUTHORIZATION)
        .ok_or(AppError::Unauthorized(AuthFailure::MissingToken))?
        .to_str()
        .ok()
        .and_then(|v| {
            v.strip_prefix("Bearer ")
                .or_else(|| v.strip_prefix("bearer "))
        })
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .ok_or(AppError::Unauthorized(AuthFailure::InvalidToken))
}

/// The member and session a valid access token names.
fn bearer(req: &HttpRequest) -> Result<Bearer, AppError> {
    let state = state(req)?;
    let token = bearer_token(req)?;
    state
        .keys
        .verify(token, state.clock.now())
        .map_err(AppError::Unauthorized)
}

/// Refuses the token when its session has ended.
async fn authenticate(state: &AppState, bearer: Bearer) -> Result<AuthUser, AppError> {
    state
        .auth
        .revocations
        .check(state.db.conn(), &bearer, state.now())
        .await?;
    Ok(AuthUser {
        member_id: bearer.member_id,
        session_id: bearer.session_id,
    })
}
