//! Who is calling: the signed-in member from the access token ([`AuthUser`]), and with their
//! role grants ([`Access`]) for the handlers that decide what the caller may see or do.

use std::future::{ready, Future, Ready};
use std::pin::Pin;

use actix_web::{web, FromRequest, HttpRequest};

use crate::error::{AppError, AuthFailure};
use crate::http::state::AppState;
use crate::services::access::Access;

/// The signed-in member, from a valid `Authorization: Bearer` access token.
#[derive(Debug, Clone)]
pub struct AuthUser {
    pub member_id: String,
}

impl FromRequest for AuthUser {
    type Error = AppError;
    type Future = Ready<Result<Self, AppError>>;

    fn from_request(req: &HttpRequest, _: &mut actix_web::dev::Payload) -> Self::Future {
        ready(authenticate(req))
    }
}

impl FromRequest for Access {
    type Error = AppError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, AppError>>>>;

    fn from_request(req: &HttpRequest, _: &mut actix_web::dev::Payload) -> Self::Future {
        let user = authenticate(req);
        let state = state(req).cloned();
        Box::pin(async move {
            let (user, state) = (user?, state?);
            Access::load(state.db.conn(), &user.member_id).await
        })
    }
}

fn state(req: &HttpRequest) -> Result<&web::Data<AppState>, AppError> {
    req.app_data::<web::Data<AppState>>()
        .ok_or_else(|| AppError::Internal(anyhow::anyhow!("application state missing")))
}

fn authenticate(req: &HttpRequest) -> Result<AuthUser, AppError> {
    let state = state(req)?;
    let header = req
        .headers()
        .get(actix_web::http::header::AUTHORIZATION)
        .ok_or(AppError::Unauthorized(AuthFailure::MissingToken))?;
    let token = header
        .to_str()
        .ok()
        .and_then(|v| {
            v.strip_prefix("Bearer ")
                .or_else(|| v.strip_prefix("bearer "))
        })
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .ok_or(AppError::Unauthorized(AuthFailure::InvalidToken))?;
    let member_id = state
        .keys
        .verify(token, state.clock.now())
        .map_err(AppError::Unauthorized)?;
    Ok(AuthUser { member_id })
}
