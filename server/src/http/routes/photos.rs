use actix_multipart::Multipart;
use actix_web::http::header::{CacheControl, CacheDirective};
use actix_web::{get, post, web, HttpResponse};
use futures_util::StreamExt;
use jifen_shared::api::PhotoView;
use jifen_shared::problem::Problem;

use crate::error::{AppError, AppResult};
use crate::http::state::AppState;
use crate::services::access::Access;
use crate::services::photos;

/// Upload a photo (multipart form, field `file`): JPEG, PNG or WebP, at most 5 MB. Attach the
/// returned id to a deed in `photo_ids`.
#[utoipa::path(post, path = "/api/v1/photos", tag = "photos", security(("bearer" = [])),
    request_body(content_type = "multipart/form-data", description = "field `file`: the image"),
    responses((status = 201, body = PhotoView), (status = 422, body = Problem)))]
#[post("/photos")]
pub async fn upload(
    state: web::Data<AppState>,
    access: Access,
    mut form: Multipart,
) -> AppResult<HttpResponse> {
    let mut bytes = Vec::new();
    while let Some(field) = form.next().await {
        let mut field = field.map_err(|e| AppError::Malformed(e.to_string()))?;
        if field.name() != Some("file") {
            continue;
        }
        while let Some(chunk) = field.next().await {
            let chunk = chunk.map_err(|e| AppError::Malformed(e.to_string()))?;
            if bytes.len() + chunk.len() > photos::MAX_BYTES {
                return Err(photos::too_large());
            }
            bytes.extend_from_slice(&chunk);
        }
        break;
    }
    let row = photos::store(
        &state.db,
        state.now(),
        &state.config.photo_dir,
        &access,
        bytes,
    )
    .await?;
    Ok(HttpResponse::Created().json(PhotoView {
        id: row.id,
        content_type: row.content_type,
        byte_size: row.byte_size,
    }))
}

/// A photo's bytes, for its owner and for the committee of the owner's branch.
#[utoipa::path(get, path = "/api/v1/photos/{id}", tag = "photos", security(("bearer" = [])),
    params(("id" = String, Path)), responses((status = 200, description = "the image"), (status = 404, body = Problem)))]
#[get("/photos/{id}")]
pub async fn download(
    state: web::Data<AppState>,
    access: Access,
    id: web::Path<String>,
) -> AppResult<HttpResponse> {
    let (row, bytes) = photos::load(state.db.conn(), &state.config.photo_dir, &access, &id).await?;
    Ok(HttpResponse::Ok()
        .insert_header((actix_web::http::header::CONTENT_TYPE, row.content_type))
        .insert_header(CacheControl(vec![
            CacheDirective::Private,
            CacheDirective::MaxAge(86_400),
        ]))
        .body(bytes))
}
