//! The boundary every text crosses on its way in: the path, the query string and JSON bodies.
//! Control characters (NUL, escapes) and characters that reorder text (bidi overrides, isolates,
//! marks) are refused; invisible ones pasted along (zero-width spaces and joiners, BOMs) are
//! removed. The domain's text types apply the same rule again ([`jifen_shared::domain::sanitize`]),
//! this guard covers what is not free text: usernames, codes, ids, tokens.
//!
//! Passwords are left as they are: they are hashed, never shown, and changing one silently would
//! lock its owner out.

use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::http::header::CONTENT_TYPE;
use actix_web::middleware::Next;
use actix_web::web::{Bytes, BytesMut};
use futures_util::StreamExt;
use jifen_shared::domain::{sanitize, TextError};
use serde_json::Value;

use crate::error::{AppError, FieldIssue};

/// Fields whose text is taken exactly as sent.
const VERBATIM: &[&str] = &["password", "current_password", "new_password"];

/// Refuses or cleans the text of a request before any handler sees it.
pub async fn guard(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, actix_web::Error> {
    if let Err(refused) = check_address(&req) {
        return Ok(req.error_response(refused).map_into_right_body());
    }
    if is_json(&req) {
        let payload = req.parts_mut().1.take();
        let body = match read_body(payload).await {
            Ok(body) => body,
            Err(refused) => return Ok(req.error_response(refused).map_into_right_body()),
        };
        let body = match clean_json(body) {
            Ok(body) => body,
            Err(refused) => return Ok(req.error_response(refused).map_into_right_body()),
        };
        req.set_payload(Payload::from(body));
    }
    Ok(next.call(req).await?.map_into_left_body())
}

fn is_json(req: &ServiceRequest) -> bool {
    req.headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(str::trim)
        .is_some_and(|mime| {
            mime.eq_ignore_ascii_case("application/json") || mime.ends_with("+json")
        })
}

/// The decoded path and every decoded query value, which end up in lookups and logs.
fn check_address(req: &ServiceRequest) -> Result<(), AppError> {
    let path = percent_encoding::percent_decode_str(req.path()).decode_utf8_lossy();
    if let Err(e) = sanitize(&path, false) {
        return Err(AppError::Malformed(format!("the address {e}")));
    }
    for pair in req.query_string().split('&').filter(|p| !p.is_empty()) {
        let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
        let name = percent_encoding::percent_decode_str(name).decode_utf8_lossy();
        let value = value.replace('+', " ");
        let value = percent_encoding::percent_decode_str(&value).decode_utf8_lossy();
        for text in [&name, &value] {
            if let Err(e) = sanitize(text, false) {
                return Err(AppError::field(
                    name.chars().take(40).collect::<String>(),
                    &e,
                ));
            }
        }
    }
    Ok(())
}

/// The whole body, up to the JSON limit (the JSON extractor would refuse more anyway).
async fn read_body(mut payload: Payload) -> Result<Bytes, AppError> {
    let limit = crate::http::routes::JSON_LIMIT;
    let mut body = BytesMut::new();
    while let Some(chunk) = payload.next().await {
        let chunk = chunk.map_err(|e| AppError::Malformed(e.to_string()))?;
        if body.len() + chunk.len() > limit {
            return Err(AppError::Malformed(format!(
                "the body is larger than {limit} bytes"
            )));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body.freeze())
}

/// The body with invisible characters removed, or the first field holding a refused one. A body
/// that is not JSON goes on unchanged: the route's extractor says what is wrong with it.
fn clean_json(body: Bytes) -> Result<Bytes, AppError> {
    let Ok(mut value) = serde_json::from_slice::<Value>(&body) else {
        return Ok(body);
    };
    let mut changed = false;
    clean_value(&mut value, &mut String::new(), &mut changed)
        .map_err(|(field, e)| AppError::Validation(vec![FieldIssue::explained(field, &e)]))?;
    if !changed {
        return Ok(body);
    }
    serde_json::to_vec(&value)
        .map(Bytes::from)
        .map_err(|e| AppError::Internal(e.into()))
}

fn clean_value(
    value: &mut Value,
    at: &mut String,
    changed: &mut bool,
) -> Result<(), (String, TextError)> {
    match value {
        Value::String(text) => {
            let cleaned = sanitize(text, true).map_err(|e| (field_name(at), e))?;
            if cleaned.len() != text.len() {
                *text = cleaned.into_owned();
                *changed = true;
            }
        }
        Value::Array(items) => {
            for (i, item) in items.iter_mut().enumerate() {
                let len = at.len();
                at.push_str(&format!("[{i}]"));
                clean_value(item, at, changed)?;
                at.truncate(len);
            }
        }
        Value::Object(fields) => {
            if let Some(key) = fields.keys().find(|k| sanitize(k, false).is_err()) {
                let e = sanitize(key, false)
                    .err()
                    .unwrap_or(TextError::ControlCharacters);
                return Err((field_name(at), e));
            }
            for (key, item) in fields.iter_mut() {
                if VERBATIM.contains(&key.as_str()) {
                    continue;
                }
                let len = at.len();
                if !at.is_empty() {
                    at.push('.');
                }
                at.push_str(key);
                clean_value(item, at, changed)?;
                at.truncate(len);
            }
        }
        Value::Null | Value::Bool(_) | Value::Number(_) => {}
    }
    Ok(())
}

fn field_name(at: &str) -> String {
    if at.is_empty() {
        "body".into()
    } else {
        at.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cleaned(json: &str) -> Result<String, AppError> {
        clean_json(Bytes::from(json.to_owned())).map(|b| String::from_utf8(b.to_vec()).unwrap())
    }

    fn refused_field(json: &str) -> String {
        match cleaned(json) {
            Err(AppError::Validation(issues)) => issues[0].field.clone(),
            other => panic!("expected a refusal, got {other:?}"),
        }
    }

    #[test]
    fn a_nul_in_a_username_is_refused_and_named() {
        assert_eq!(
            refused_field(r#"{"username":"member3\u0000","password":"x"}"#),
            "username"
        );
    }

    #[test]
    fn direction_characters_deep_in_a_body_are_named_by_their_place() {
        assert_eq!(
            refused_field(r#"{"place":{"name":"村口\u202e"},"photo_ids":["a"]}"#),
            "place.name"
        );
        assert_eq!(
            refused_field(r#"{"photo_ids":["a","b\u0007"]}"#),
            "photo_ids[1]"
        );
    }

    #[test]
    fn zero_width_characters_are_removed_and_clean_bodies_pass_untouched() {
        assert_eq!(
            cleaned(r#"{"title":"扫\u200b雪"}"#).unwrap(),
            r#"{"title":"扫雪"}"#
        );
        let clean = r#"{ "title": "扫雪", "account": "第一行\n第二行" }"#;
        assert_eq!(cleaned(clean).unwrap(), clean, "byte for byte");
        assert_eq!(cleaned("not json").unwrap(), "not json");
    }

    #[test]
    fn passwords_are_taken_as_sent() {
        let body = r#"{"username":"a","password":"p\u200bw"}"#;
        assert_eq!(cleaned(body).unwrap(), body);
    }
}
