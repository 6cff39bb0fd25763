//! The web app: built files from `app/dist` at `/`, `index.html` for any other page address so
//! that the client-side router can take it, and a 404 problem for unknown API paths.

use actix_files::NamedFile;
use actix_web::dev::{fn_service, ServiceRequest, ServiceResponse};
use actix_web::http::header::{CacheControl, CacheDirective};
use actix_web::web;

use crate::error::{AppError, Missing};
use crate::http::state::AppState;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.default_service(fn_service(fallback));
}

/// Serves a file of the built app, or the app's `index.html`, or a 404 problem.
async fn fallback(req: ServiceRequest) -> Result<ServiceResponse, actix_web::Error> {
    let (req, _) = req.into_parts();
    let path = req.path().to_owned();
    // HEAD arrives here as GET (see `http::headers`).
    if path.starts_with("/api/") || path == "/api" || req.method() != actix_web::http::Method::GET {
        return Err(AppError::NotFound(Missing::Route).into());
    }
    let Some(state) = req.app_data::<web::Data<AppState>>() else {
        return Err(AppError::NotFound(Missing::Route).into());
    };
    let dir = state.config.app_dir.clone();
    let relative = path.trim_start_matches('/');
    let candidate = dir.join(relative);
    let safe = !relative
        .split('/')
        .any(|seg| seg == ".." || seg.starts_with('.'));
    let (file, immutable) = if safe && !relative.is_empty() && candidate.is_file() {
        // Asset paths carry a content hash, so they never change under the same name.
        (candidate, relative.starts_with("assets/"))
    } else if relative.starts_with("assets/") {
        // A missing asset (an old build's chunk, say) is a 404, not the app's page under a
        // script or wasm name.
        return Err(AppError::NotFound(Missing::Route).into());
    } else {
        (dir.join("index.html"), false)
    };
    let named = open_preferring_gzip(&req, &file)
        .await
        .ok_or(AppError::NotFound(Missing::Route))?;
    let mut res = named.use_etag(true).into_response(&req);
    res.headers_mut().insert(
        actix_web::http::header::VARY,
        actix_web::http::header::HeaderValue::from_static("accept-encoding"),
    );
    let cache = if immutable {
        CacheControl(vec![
            CacheDirective::Public,
            CacheDirective::MaxAge(31_536_000),
            CacheDirective::Extension("immutable".into(), None),
        ])
    } else {
        CacheControl(vec![CacheDirective::NoCache])
    };
    res.headers_mut().insert(
        actix_web::http::header::CACHE_CONTROL,
        cache.to_string().parse().expect("valid header"),
    );
    Ok(ServiceResponse::new(req, res))
}

/// The build writes `name.gz` beside each file, compressed at gzip's highest level; a client that
/// accepts gzip gets that copy as it is.
async fn open_preferring_gzip(
    req: &actix_web::HttpRequest,
    file: &std::path::Path,
) -> Option<NamedFile> {
    let accepts_gzip = req
        .headers()
        .get(actix_web::http::header::ACCEPT_ENCODING)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|e| e.trim().starts_with("gzip")));
    let mut gz = file.as_os_str().to_owned();
    gz.push(".gz");
    let gz = std::path::PathBuf::from(gz);
    if accepts_gzip && gz.is_file() {
        let mime = actix_files::file_extension_to_mime(
            file.extension().and_then(|e| e.to_str()).unwrap_or(""),
        );
        if let Ok(named) = NamedFile::open_async(&gz).await {
            return Some(
                named
                    .disable_content_disposition()
                    .set_content_type(mime)
                    .set_content_encoding(actix_web::http::header::ContentEncoding::Gzip),
            );
        }
    }
    NamedFile::open_async(file).await.ok()
}
