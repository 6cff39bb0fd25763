//! Request ids and tracing spans, limits per client, and problem bodies in the caller's language.

use actix_web::body::{BoxBody, EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderMap, HeaderName, HeaderValue, ACCEPT_LANGUAGE};
use actix_web::middleware::Next;
use actix_web::{web, HttpMessage};
use jifen_shared::i18n::Lang;
use tracing::Instrument;

use crate::error::AppError;
use crate::http::client::ClientAddr;
use crate::http::limits::Limits;
use crate::http::state::AppState;

pub const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// The id of the request being served, also sent back as `X-Request-Id`.
#[derive(Debug, Clone)]
pub struct RequestId(pub String);

/// Gives every request an id (or keeps a sane one the client sent), a tracing span and a log line.
pub async fn request_id(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let id = req
        .headers()
        .get(&REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .filter(|v| {
            !v.is_empty()
                && v.len() <= 64
                && v.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        })
        .map(str::to_owned)
        .unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
    req.extensions_mut().insert(RequestId(id.clone()));
    let span = tracing::info_span!("request", request_id = %id, method = %req.method(), path = %req.path());
    let started = std::time::Instant::now();
    let mut res = next.call(req).instrument(span.clone()).await?;
    span.in_scope(|| {
        tracing::debug!(
            status = res.status().as_u16(),
            ms = started.elapsed().as_millis() as u64,
            "served"
        );
    });
    if let Ok(v) = HeaderValue::from_str(&id) {
        res.headers_mut().insert(REQUEST_ID, v);
    }
    Ok(res)
}

/// The reader's language from `Accept-Language`; zh-CN when absent.
pub fn lang_of(headers: &HeaderMap) -> Lang {
    headers
        .get(ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .map(Lang::from_accept_language)
        .unwrap_or_default()
}

/// Re-renders errors in the language of `Accept-Language`, with the request id in the body.
pub async fn problems(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let lang = lang_of(req.headers());
    let request_id = req.extensions().get::<RequestId>().map(|r| r.0.clone());
    let res = next.call(req).await?;
    let rendered = res
        .response()
        .error()
        .and_then(|e| e.as_error::<AppError>())
        .map(|e| e.render(lang, request_id));
    Ok(match rendered {
        Some(body) => res.into_response(body),
        None => res.map_into_boxed_body(),
    })
}

/// Finds who is calling ([`ClientAddr`], kept in the request for handlers), and answers 429
/// before routing when that client has used up its share of a limited route.
pub async fn per_client(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, actix_web::Error> {
    let Some(state) = req.app_data::<web::Data<AppState>>().cloned() else {
        return Ok(next.call(req).await?.map_into_left_body());
    };
    let client = ClientAddr::of_service_request(&req, &state.config.limits);
    req.extensions_mut().insert(client);
    if let Some(throttle) = Limits::applying_to(req.method(), req.path()) {
        if let Err(refused) = state.limits.check(throttle, client) {
            // An answer, not an Err: the problem middleware then words it for the caller.
            return Ok(req.error_response(refused).map_into_right_body());
        }
    }
    Ok(next.call(req).await?.map_into_left_body())
}
