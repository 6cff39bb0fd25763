//! Pages the server renders as plain HTML for people without an account or without the app: the
//! public board a villager opens from a QR code or reads on the village wall, the printed points
//! statement and the page that checks one.
//!
//! Templates are [`maud`]: the markup is checked when the server compiles and every value is
//! escaped as it is inserted, so no member's name or note can become markup. A page is one
//! request: its small stylesheet is inline (allowed by its hash in the page's own content
//! security policy), there is no script, font or image to fetch, and it reads the same with
//! JavaScript off.

pub mod board;
mod qr;
pub mod statement;
pub mod verify;

use std::sync::OnceLock;

use actix_web::http::header::{
    HeaderValue, CACHE_CONTROL, CONTENT_SECURITY_POLICY, CONTENT_TYPE, HOST, VARY,
};
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse};
use base64::Engine;
use chrono::{DateTime, Datelike, Timelike, Utc};
use jifen_shared::domain::SHANGHAI_OFFSET_SECS;
use jifen_shared::i18n::Lang;
use maud::{html, Markup, PreEscaped, DOCTYPE};
use sha2::{Digest, Sha256};

pub use qr::qr_svg;

use crate::infra::config::Config;

/// The one stylesheet of every public page, screen and print.
const CSS: &str = include_str!("public.css");

/// The CSP source that allows the pages' inline stylesheet and nothing else inline:
/// `'sha256-…'` of [`CSS`]. The web app's policy names it too, for the statement it opens from
/// the member's points screen (a document the app makes from the fetched page keeps the app's
/// policy).
pub fn stylesheet_source() -> &'static str {
    static SOURCE: OnceLock<String> = OnceLock::new();
    SOURCE.get_or_init(|| {
        let hash = base64::engine::general_purpose::STANDARD.encode(Sha256::digest(CSS));
        format!("'sha256-{hash}'")
    })
}

/// No script at all; the inline stylesheet by its hash; forms post only here; no frames.
fn policy() -> &'static str {
    static POLICY: OnceLock<String> = OnceLock::new();
    POLICY.get_or_init(|| {
        format!(
            "default-src 'none'; style-src {}; img-src data:; \
             form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
            stylesheet_source()
        )
    })
}

/// A whole page: `title` in the head, `body` inside `<main>`.
pub fn page(lang: Lang, title: &str, body: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang=(lang.tag()) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) }
                // No favicon request: the page stays one request.
                link rel="icon" href="data:,";
                style { (PreEscaped(CSS)) }
            }
            body {
                main { (body) }
            }
        }
    }
}

/// The answer for a page: HTML in UTF-8 under the page policy, in the reader's language, never
/// kept by a cache without asking (the board changes when a quarter is posted).
pub fn respond(status: StatusCode, markup: Markup) -> HttpResponse {
    let mut res = HttpResponse::build(status);
    res.insert_header((
        CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    ))
    .insert_header((CONTENT_SECURITY_POLICY, HeaderValue::from_static(policy())))
    .insert_header((VARY, HeaderValue::from_static("accept-language")))
    .insert_header((CACHE_CONTROL, HeaderValue::from_static("no-cache")));
    res.body(markup.into_string())
}

/// The address the public reaches this server at, for printed QR codes: the configured
/// `public_url`, else the host the request was sent to (never a forwarding header, which any
/// client may set).
pub fn public_base(req: &HttpRequest, config: &Config) -> String {
    if let Some(url) = &config.public_url {
        return url.trim_end_matches('/').to_owned();
    }
    let host = req
        .headers()
        .get(HOST)
        .and_then(|h| h.to_str().ok())
        .filter(|h| {
            !h.is_empty()
                && h.len() <= 255
                && h.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"-.:[]".contains(&b))
        })
        .unwrap_or("localhost");
    format!("http://{host}")
}

/// A date in Asia/Shanghai as people write it.
pub fn date(lang: Lang, at: DateTime<Utc>) -> String {
    let local = at + chrono::Duration::seconds(i64::from(SHANGHAI_OFFSET_SECS));
    match lang {
        Lang::ZhCn => format!("{}年{}月{}日", local.year(), local.month(), local.day()),
        Lang::En => format!("{}-{:02}-{:02}", local.year(), local.month(), local.day()),
    }
}

/// A date and time in Asia/Shanghai.
pub fn date_time(lang: Lang, at: DateTime<Utc>) -> String {
    let local = at + chrono::Duration::seconds(i64::from(SHANGHAI_OFFSET_SECS));
    format!(
        "{} {:02}:{:02}",
        date(lang, at),
        local.hour(),
        local.minute()
    )
}

/// Points with their sign, marked when negative.
pub fn points(p: i32) -> Markup {
    html! {
        @if p < 0 { span.neg { (p) } } @else { (p) }
    }
}
