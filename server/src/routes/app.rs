//! The web app: built files from `app/dist` at `/`, `index.html` for any other page address so
//! that the client-side router can take it, and a 404 problem for unknown API paths.

use actix_files::NamedFile;
use actix_web::dev::{fn_service, ServiceRequest, ServiceResponse};
use actix_web::http::header::{CacheControl, CacheDirective};
use actix_web::web;

use crate::error::{AppError, Missing};
use crate::startup::AppState;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.default_service(fn_service(fallback));
}

/// Serves a file of the built app, or the app's `index.html`, or a 404 problem.
async fn fallback(req: ServiceRequest) -> Result<ServiceResponse, actix_web::Error> {
    let (req, _) = req.into_parts();
    let path = req.path().to_owned();
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
        // Asset names carry a content hash, so they never change under the same name.
        (
            candidate,
            relative.starts_with("assets/")
                || relative.contains("-") && relative.ends_with(".wasm"),
        )
    } else {
        (dir.join("index.html"), false)
    };
    let named = NamedFile::open_async(&file)
        .await
        .map_err(|_| AppError::NotFound(Missing::Route))?;
    let mut res = named.use_etag(true).into_response(&req);
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
