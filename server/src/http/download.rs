//! Answering a GET as JSON or, with `?format=csv|xlsx`, as a file to download: the right
//! `Content-Type`, an attachment with an ASCII file name (kept as given by every browser), and
//! a body streamed as it is produced, never built whole in memory.

use std::fs::File;
use std::io::{self, Read};

use actix_web::http::header::{
    self, ContentDisposition, ContentEncoding, DispositionParam, DispositionType,
};
use actix_web::web::{self, Bytes};
use actix_web::{HttpRequest, HttpResponse};
use futures_util::stream::{self, Stream};
use jifen_shared::api::GradesFormat;
use serde::Serialize;

use crate::error::{AppError, AppResult};
use crate::http::middleware::lang_of;
use crate::services::export::{csv, xlsx, Export};

pub const CSV: &str = "text/csv; charset=utf-8";
pub const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// Bytes read from the finished workbook per chunk sent.
const CHUNK: usize = 64 * 1024;

/// The two kinds of file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileFormat {
    Csv,
    Xlsx,
}

impl FileFormat {
    /// The file asked for by `?format=`, or `None` for JSON.
    pub fn asked(format: Option<GradesFormat>) -> Option<Self> {
        match format.unwrap_or_default() {
            GradesFormat::Json => None,
            GradesFormat::Csv => Some(Self::Csv),
            GradesFormat::Xlsx => Some(Self::Xlsx),
        }
    }
}

/// `view` as JSON, or as the file `export` makes of it (in the language of `Accept-Language`).
pub async fn respond<T: Serialize>(
    req: &HttpRequest,
    format: Option<GradesFormat>,
    view: &T,
    export: impl FnOnce(&T) -> Export,
) -> AppResult<HttpResponse> {
    match FileFormat::asked(format) {
        None => Ok(HttpResponse::Ok().json(view)),
        Some(file) => download(req, file, export(view)).await,
    }
}

/// An export as a file to download.
pub async fn download(
    req: &HttpRequest,
    format: FileFormat,
    export: Export,
) -> AppResult<HttpResponse> {
    match format {
        FileFormat::Csv => csv_file(req, export).await,
        FileFormat::Xlsx => xlsx_file(req, export).await,
    }
}

/// `Content-Disposition: attachment; filename="{name}.{extension}"`; `name` is ASCII (see
/// [`crate::services::export::board::ascii_or`]).
pub fn attachment(name: &str, extension: &str) -> ContentDisposition {
    ContentDisposition {
        disposition: DispositionType::Attachment,
        parameters: vec![DispositionParam::Filename(format!("{name}.{extension}"))],
    }
}

/// The export's first table as CSV (written into a temporary file page by page, then sent from
/// it in chunks with its length).
async fn csv_file(req: &HttpRequest, export: Export) -> AppResult<HttpResponse> {
    let lang = lang_of(req.headers());
    let Some(sheet) = export.sheets.into_iter().next() else {
        return Err(AppError::Internal(anyhow::anyhow!(
            "export {} has no table",
            export.name
        )));
    };
    let file = csv::spooled(sheet.table, lang, sheet.pages).await?;
    file_response(file, CSV, attachment(&export.name, "csv"))
}

/// A finished file as the answer: its length, and its bytes a chunk at a time. Neither CSV nor
/// the workbook (already a zip) is compressed again on the way.
fn file_response(
    file: File,
    content_type: &'static str,
    disposition: ContentDisposition,
) -> AppResult<HttpResponse> {
    let length = file
        .metadata()
        .map_err(|e| AppError::Internal(anyhow::anyhow!("the file's size: {e}")))?
        .len();
    Ok(HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, content_type))
        .insert_header(disposition)
        .insert_header(ContentEncoding::Identity)
        .no_chunking(length)
        .streaming(chunks(file)))
}

/// The export as a workbook: written into a temporary file, then sent from it in chunks with its
/// length. The workbook is already compressed (a zip), so it goes out as it is.
async fn xlsx_file(req: &HttpRequest, export: Export) -> AppResult<HttpResponse> {
    let lang = lang_of(req.headers());
    let file = xlsx::workbook(export.sheets, lang).await?;
    file_response(file, XLSX, attachment(&export.name, "xlsx"))
}

/// A file's bytes, a chunk at a time, each read on the blocking pool.
fn chunks(file: File) -> impl Stream<Item = Result<Bytes, io::Error>> + 'static {
    stream::try_unfold(file, |mut file| async move {
        let (file, chunk) = web::block(move || {
            let mut buf = vec![0; CHUNK];
            let n = file.read(&mut buf)?;
            buf.truncate(n);
            Ok::<_, io::Error>((file, buf))
        })
        .await
        .map_err(io::Error::other)??;
        Ok((!chunk.is_empty()).then(|| (Bytes::from(chunk), file)))
    })
}
