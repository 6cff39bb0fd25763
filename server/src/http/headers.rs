//! What every answer says about itself to the browser: a content security policy that lets only
//! this server's own scripts and WebAssembly run and no other site frame it, no MIME sniffing, no
//! referrer; and `HEAD` answered wherever `GET` is.
//!
//! HSTS is left to the TLS proxy in front (the README shows it): this server speaks plain HTTP on
//! loopback and cannot know the name it is reached by.

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{
    HeaderMap, HeaderName, HeaderValue, CONTENT_SECURITY_POLICY, REFERRER_POLICY,
    X_CONTENT_TYPE_OPTIONS, X_FRAME_OPTIONS,
};
use actix_web::http::Method;
use actix_web::middleware::Next;
use std::sync::OnceLock;

/// The web app and the API: scripts and WebAssembly from this origin only, no plugins, no frames;
/// styles from this origin and the server-rendered pages' one stylesheet (the app opens a points
/// statement as a document of its own, which keeps this policy).
fn app_policy() -> &'static str {
    static POLICY: OnceLock<String> = OnceLock::new();
    POLICY.get_or_init(|| {
        format!(
            "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self' {}; \
             img-src 'self' data: blob:; connect-src 'self'; manifest-src 'self'; \
             frame-ancestors 'none'; object-src 'none'; base-uri 'none'; form-action 'self'",
            crate::http::html::stylesheet_source()
        )
    })
}

/// Swagger UI styles its elements inline and draws its icons as `data:` images.
const DOCS_POLICY: &str =
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
img-src 'self' data:; frame-ancestors 'none'; object-src 'none'; base-uri 'none'";

fn set_if_absent(headers: &mut HeaderMap, name: HeaderName, value: &'static str) {
    if !headers.contains_key(&name) {
        headers.insert(
            name,
            HeaderValue::from_str(value).expect("policies are visible ASCII"),
        );
    }
}

/// Adds the security headers to every answer (a route that sets a stricter policy keeps it), and
/// serves `HEAD` as `GET`: the connection writes the headers, with the length, and drops the body.
pub async fn secure(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    if req.method() == Method::HEAD {
        req.head_mut().method = Method::GET;
    }
    let docs = req.path().starts_with("/api/docs");
    let mut res = next.call(req).await?;
    let headers = res.headers_mut();
    set_if_absent(
        headers,
        CONTENT_SECURITY_POLICY,
        if docs { DOCS_POLICY } else { app_policy() },
    );
    set_if_absent(headers, X_CONTENT_TYPE_OPTIONS, "nosniff");
    set_if_absent(headers, REFERRER_POLICY, "no-referrer");
    set_if_absent(headers, X_FRAME_OPTIONS, "DENY");
    Ok(res)
}
