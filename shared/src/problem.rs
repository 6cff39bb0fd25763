//! The one error envelope every API failure uses (`application/problem+json`).

use serde::{Deserialize, Serialize};

/// An error answer: a stable machine `code` for programs, a `message` in the reader's language.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Problem {
    /// The HTTP status, repeated so a body read on its own is complete.
    pub status: u16,
    /// Stable identifier such as `deed.not_found`; clients branch on this, never on `message`.
    pub code: String,
    /// What went wrong and what to do, in zh-CN or en per `Accept-Language`.
    pub message: String,
    /// One entry per invalid field, for `validation.failed`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
    /// For `rule.cap_exceeded`: the points that may still be awarded under the cap.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remaining: Option<i32>,
    /// Quote this when reporting a problem; it finds the request in the server's log.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
}

/// What is wrong with one field of a request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FieldError {
    /// The field's path in the request body, e.g. `place.lat`.
    pub field: String,
    /// Stable identifier such as `text.too_long`.
    pub code: String,
    pub message: String,
}
