use actix_multipart::Multipart;
use actix_web::http::header::{
    CacheControl, CacheDirective, CONTENT_LENGTH, CONTENT_SECURITY_POLICY, X_CONTENT_TYPE_OPTIONS,
};
use actix_web::{get, post, web, HttpRequest, HttpResponse};
use futures_util::StreamExt;
use jifen_shared::api::PhotoView;

use crate::error::{AppError, AppResult};
use crate::http::answers;
use crate::http::state::AppState;
use crate::services::access::Access;
use crate::services::photos;

/// What a photo answer may do in a browser: nothing. Opened on its own, an image still shows;
/// a file that only claims to be one cannot run script or load anything.
const PHOTO_POLICY: &str = "default-src 'none'; sandbox";

/// Upload a photo (multipart form, field `file`): JPEG, PNG or WebP, at most 5 MB, while the
/// member's photos stay within their quota (422 `photo.quota_exceeded`). Attach the returned id
/// to a deed in `photo_ids`; photos never attached are removed after a day. 503 with
/// Retry-After when this instance is receiving as many uploads as it takes (`service.busy`), or
/// when the photo store cannot be reached (`photo.store_unavailable`: nothing was kept).
#[utoipa::path(post, path = "/api/v1/photos", tag = "photos", security(("bearer" = [])),
    request_body(content_type = "multipart/form-data", description = "field `file`: the image"),
    responses((status = 201, body = PhotoView),
        (status = 400, response = answers::BadRequest),
        (status = 401, response = answers::Unauthorized),
        (status = 422, response = answers::Unprocessable),
        (status = 429, response = answers::TooManyRequests),
        (status = 503, response = answers::ServiceBusy)))]
#[post("/photos")]
pub async fn upload(
    state: web::Data<AppState>,
    access: Access,
    req: HttpRequest,
    form: Multipart,
) -> AppResult<HttpResponse> {
    // Held until the photo is stored: at most `concurrent_uploads` bodies in memory at once.
    let _slot = state.uploads.slot()?;
    let declared = req
        .headers()
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > photos::MAX_BODY_BYTES as u64) {
        return Err(photos::too_large());
    }
    let bytes = tokio::time::timeout(photos::UPLOAD_DEADLINE, receive(form))
        .await
        .map_err(|_| AppError::Malformed("the upload took too long".into()))??;
    let row = photos::store(
        &state.db,
        state.now(),
        &state.photo_store,
        &state.uploads,
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

/// The `file` field's bytes, read as they arrive; the whole body, framing and other fields
/// included, stops being read the moment it passes [`photos::MAX_BODY_BYTES`], and the file the
/// moment it passes [`photos::MAX_BYTES`].
async fn receive(mut form: Multipart) -> AppResult<Vec<u8>> {
    let malformed = |e: actix_multipart::MultipartError| AppError::Malformed(e.to_string());
    let mut read = 0usize;
    while let Some(field) = form.next().await {
        let mut field = field.map_err(malformed)?;
        let is_file = field.name() == Some("file");
        let mut bytes = Vec::new();
        while let Some(chunk) = field.next().await {
            let chunk = chunk.map_err(malformed)?;
            read += chunk.len();
            let file_too_large = is_file && bytes.len() + chunk.len() > photos::MAX_BYTES;
            if read > photos::MAX_BODY_BYTES || file_too_large {
                return Err(photos::too_large());
            }
            if is_file {
                bytes.extend_from_slice(&chunk);
            }
        }
        if is_file {
            return Ok(bytes);
        }
    }
    Ok(Vec::new())
}

/// A photo's bytes, for its owner and for the committee of the owner's branch; 503
/// `photo.store_unavailable` with Retry-After while the photo store cannot be reached.
#[utoipa::path(get, path = "/api/v1/photos/{id}", tag = "photos", security(("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 200, description = "the image, as stored", content((Vec<u8> = "image/jpeg"), (Vec<u8> = "image/png"), (Vec<u8> = "image/webp"))),
        (status = 400, response = answers::BadRequest),
        (status = 401, response = answers::Unauthorized),
        (status = 404, response = answers::NotFound),
        (status = 503, response = answers::ServiceBusy)))]
#[get("/photos/{id}")]
pub async fn download(
    state: web::Data<AppState>,
    access: Access,
    id: web::Path<String>,
) -> AppResult<HttpResponse> {
    let (row, bytes) = photos::load(state.db.conn(), &state.photo_store, &access, &id).await?;
    Ok(HttpResponse::Ok()
        .insert_header((actix_web::http::header::CONTENT_TYPE, row.content_type))
        .insert_header((X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .insert_header((CONTENT_SECURITY_POLICY, PHOTO_POLICY))
        .insert_header(CacheControl(vec![
            CacheDirective::Private,
            CacheDirective::MaxAge(86_400),
        ]))
        .body(bytes))
}
