//! The shared error answers of the OpenAPI document, each `application/problem+json` with the
//! [`Problem`] schema; routes refer to them as `(status = 404, response = answers::NotFound)`,
//! so that every error a route can send is described once.

use jifen_shared::problem::Problem;
use utoipa::ToResponse;

/// The request cannot be read: not JSON or not of the expected shape, a path or query value of
/// the wrong type, or control characters in the address.
#[derive(ToResponse)]
#[response(content_type = "application/problem+json")]
pub struct BadRequest(pub Problem);

/// No valid access token: missing, malformed, expired or ended (`auth.*`); or, on sign-in, a
/// wrong username or password, or a refresh token that is unknown or used before.
#[derive(ToResponse)]
#[response(content_type = "application/problem+json", headers(("WWW-Authenticate" = String, description = "`Bearer` when a token was missing or not valid")))]
pub struct Unauthorized(pub Problem);

/// The caller may not do this (their roles, their own deed, the second person of a two-person act).
#[derive(ToResponse)]
#[response(content_type = "application/problem+json")]
pub struct Forbidden(pub Problem);

/// Nothing of that id or code that the caller may see, or WeChat not configured on this server.
#[derive(ToResponse)]
#[response(content_type = "application/problem+json")]
pub struct NotFound(pub Problem);

/// The thing is not in a state that allows this (already decided, signed, published, bound, taken).
#[derive(ToResponse)]
#[response(content_type = "application/problem+json")]
pub struct Conflict(pub Problem);

/// The request is well formed but its values are not valid; `errors` names each field.
#[derive(ToResponse)]
#[response(content_type = "application/problem+json")]
pub struct Unprocessable(pub Problem);

/// This client or account asked too often; try again after `Retry-After` seconds.
#[derive(ToResponse)]
#[response(content_type = "application/problem+json", headers(("Retry-After" = u64, description = "seconds to wait before trying again")))]
pub struct TooManyRequests(pub Problem);

/// The server is at capacity for this work (password hashing, uploads) or cannot reach a service
/// it needs; try again after `Retry-After` seconds when it is given.
#[derive(ToResponse)]
#[response(content_type = "application/problem+json", headers(("Retry-After" = u64, description = "seconds to wait before trying again")))]
pub struct ServiceBusy(pub Problem);

/// The database cannot be reached; try again later.
#[derive(ToResponse)]
#[response(content_type = "application/problem+json")]
pub struct Unavailable(pub Problem);

/// Something failed on the server; quote `request_id` when reporting it.
#[derive(ToResponse)]
#[response(content_type = "application/problem+json")]
pub struct InternalError(pub Problem);
