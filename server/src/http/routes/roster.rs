//! The roster: listing and searching members, adding, editing, transferring and deactivating
//! them, and importing a branch's roster from a spreadsheet.

use actix_multipart::Multipart;
use actix_web::http::header::{CacheControl, CacheDirective, CONTENT_LENGTH, CONTENT_TYPE};
use actix_web::{get, patch, post, web, HttpRequest, HttpResponse};
use futures_util::StreamExt;
use jifen_shared::api::{
    MemberQuery, NewRosterMember, PatchRosterMember, RosterImport, RosterImportQuery, RosterMember,
    RosterPage, RosterTemplateQuery, TransferRequest,
};
use jifen_shared::words::Word;

use crate::error::{AppError, AppResult, FieldIssue};
use crate::http::answers;
use crate::http::download::{self, FileFormat};
use crate::http::middleware::lang_of;
use crate::http::state::AppState;
use crate::services::access::{managed_branch, Access};
use crate::services::export::board::ascii_or;
use crate::services::photos::UPLOAD_DEADLINE;
use crate::services::roster::import::{self as importing, MAX_BODY_BYTES, MAX_FILE_BYTES};
use crate::services::roster::list::{list as list_members, Filter};
use crate::services::roster::{leave, members, template as template_file, transfer as moving};

/// The members at home in a branch, or in every branch beneath a town or county, by name (then
/// id), a page at a time. `q` searches names, usernames and phone numbers; `status` is `active`,
/// `migrant` or `transferred` (members who left), those still taking part when absent. For the
/// branch's secretary and administrators at or above the unit.
#[utoipa::path(get, path = "/api/v1/orgs/{id}/members", tag = "roster", security(("bearer" = [])),
    params(("id" = String, Path, description = "org unit id (a branch, town or county)"), MemberQuery),
    responses((status = 200, body = RosterPage),
        (status = 400, response = answers::BadRequest),
        (status = 401, response = answers::Unauthorized),
        (status = 403, response = answers::Forbidden),
        (status = 404, response = answers::NotFound),
        (status = 422, response = answers::Unprocessable)))]
#[get("/orgs/{id}/members")]
pub async fn list(
    state: web::Data<AppState>,
    access: Access,
    id: web::Path<String>,
    q: web::Query<MemberQuery>,
) -> AppResult<web::Json<RosterPage>> {
    let filter = Filter::try_from(q.into_inner())?;
    Ok(web::Json(
        list_members(state.db.conn(), &access, &id, filter).await?,
    ))
}

/// Add a member to the branch (its secretary or an administrator above it): the member role and
/// the year's share of base points come with it. Without a username one is made from the
/// branch's code (`demo-2-007`). 409 `member.username_taken`; 422 `member.phone_taken` when
/// another member of the branch has the phone number. Audited.
#[utoipa::path(post, path = "/api/v1/branches/{id}/members", tag = "roster", security(("bearer" = [])),
    params(("id" = String, Path, description = "branch id")), request_body = NewRosterMember,
    responses((status = 201, body = RosterMember),
        (status = 400, response = answers::BadRequest),
        (status = 401, response = answers::Unauthorized),
        (status = 403, response = answers::Forbidden),
        (status = 404, response = answers::NotFound),
        (status = 409, response = answers::Conflict),
        (status = 422, response = answers::Unprocessable)))]
#[post("/branches/{id}/members")]
pub async fn add(
    state: web::Data<AppState>,
    access: Access,
    id: web::Path<String>,
    body: web::Json<NewRosterMember>,
) -> AppResult<HttpResponse> {
    let added = members::add(&state.db, state.now(), &access, &id, body.into_inner()).await?;
    Ok(HttpResponse::Created().json(added))
}

/// Change a member's name, phone (empty removes it) or status (`active` / `migrant`); fields
/// left out stay. 409 `member.left` for a member who has left. Audited.
#[utoipa::path(patch, path = "/api/v1/members/{id}", tag = "roster", security(("bearer" = [])),
    params(("id" = String, Path, description = "member id")), request_body = PatchRosterMember,
    responses((status = 200, body = RosterMember),
        (status = 400, response = answers::BadRequest),
        (status = 401, response = answers::Unauthorized),
        (status = 403, response = answers::Forbidden),
        (status = 404, response = answers::NotFound),
        (status = 409, response = answers::Conflict),
        (status = 422, response = answers::Unprocessable)))]
#[patch("/members/{id}")]
pub async fn edit(
    state: web::Data<AppState>,
    access: Access,
    id: web::Path<String>,
    body: web::Json<PatchRosterMember>,
) -> AppResult<web::Json<RosterMember>> {
    Ok(web::Json(
        members::edit(&state.db, state.now(), &access, &id, body.into_inner()).await?,
    ))
}

/// Transfer a member to another branch of the same county (组织关系转接), named by id or public
/// code: sent by the origin's secretary or an administrator above it; the destination's
/// secretary is told in the inbox. 404 alike for a branch that does not exist and one in
/// another county. Ledger entries keep the branch that awarded them; statistics, the board,
/// alerts and grades count the member under their new branch. 409 `member.holds_office` while
/// the member holds a role beyond membership. Audited on both branches' chains.
#[utoipa::path(post, path = "/api/v1/members/{id}/transfer", tag = "roster", security(("bearer" = [])),
    params(("id" = String, Path, description = "member id")), request_body = TransferRequest,
    responses((status = 200, body = RosterMember),
        (status = 400, response = answers::BadRequest),
        (status = 401, response = answers::Unauthorized),
        (status = 403, response = answers::Forbidden),
        (status = 404, response = answers::NotFound),
        (status = 409, response = answers::Conflict),
        (status = 422, response = answers::Unprocessable)))]
#[post("/members/{id}/transfer")]
pub async fn transfer(
    state: web::Data<AppState>,
    access: Access,
    id: web::Path<String>,
    body: web::Json<TransferRequest>,
) -> AppResult<web::Json<RosterMember>> {
    Ok(web::Json(
        moving::transfer(&state.db, state.now(), &access, &id, body.into_inner()).await?,
    ))
}

/// Mark a member as having left (status `transferred`): no longer counted as taking part, their
/// sessions end and unused invite codes are revoked; their points stay in the ledger. 409
/// `member.holds_office` while they hold a role beyond membership. Audited.
#[utoipa::path(post, path = "/api/v1/members/{id}/deactivate", tag = "roster", security(("bearer" = [])),
    params(("id" = String, Path, description = "member id")),
    responses((status = 200, body = RosterMember),
        (status = 400, response = answers::BadRequest),
        (status = 401, response = answers::Unauthorized),
        (status = 403, response = answers::Forbidden),
        (status = 404, response = answers::NotFound),
        (status = 409, response = answers::Conflict)))]
#[post("/members/{id}/deactivate")]
pub async fn deactivate(
    state: web::Data<AppState>,
    access: Access,
    id: web::Path<String>,
) -> AppResult<web::Json<RosterMember>> {
    Ok(web::Json(
        leave::deactivate(&state.db, state.now(), &access, &id).await?,
    ))
}

/// Import the branch's roster from a file (multipart, field `file`): XLSX (first sheet) or CSV in
/// UTF-8, at most 2 MB and 5000 rows, the header naming the columns (姓名 required; 手机号, 状态,
/// 用户名; or name, phone, status, username). `dry_run=true` (the default) answers what each row
/// would do and every problem with its row and column; `dry_run=false` does it in one
/// transaction and returns each new member's invite code, once. A file with any problem changes
/// nothing: 422 with an error per problem (`rows[3].手机号`). Rows find members by phone, then
/// username, then a name only one member has; members no row names are listed, never removed.
#[utoipa::path(post, path = "/api/v1/branches/{id}/roster", tag = "roster", security(("bearer" = [])),
    params(("id" = String, Path, description = "branch id"), RosterImportQuery),
    request_body(content_type = "multipart/form-data", description = "field `file`: the roster"),
    responses((status = 200, body = RosterImport),
        (status = 400, response = answers::BadRequest),
        (status = 401, response = answers::Unauthorized),
        (status = 403, response = answers::Forbidden),
        (status = 404, response = answers::NotFound),
        (status = 409, response = answers::Conflict),
        (status = 422, response = answers::Unprocessable),
        (status = 503, response = answers::ServiceBusy)))]
#[post("/branches/{id}/roster")]
pub async fn import(
    state: web::Data<AppState>,
    access: Access,
    req: HttpRequest,
    id: web::Path<String>,
    q: web::Query<RosterImportQuery>,
    form: Multipart,
) -> AppResult<web::Json<RosterImport>> {
    // Checked before the body is read: whoever may not import sends no file through.
    managed_branch(state.db.conn(), &access, &id).await?;
    let _slot = state.uploads.slot()?;
    let declared = req
        .headers()
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > MAX_BODY_BYTES as u64) {
        return Err(importing::too_large());
    }
    let bytes = tokio::time::timeout(UPLOAD_DEADLINE, receive(form))
        .await
        .map_err(|_| AppError::Malformed("the upload took too long".into()))??
        .ok_or_else(importing::missing_file)?;
    let lang = lang_of(req.headers());
    let done = if q.dry_run.unwrap_or(true) {
        importing::preview(&state.db, &access, &id, bytes, lang).await?
    } else {
        importing::commit(&state.db, state.now(), &access, &id, bytes, lang).await?
    };
    Ok(web::Json(done))
}

/// The `file` field's bytes, read as they arrive; reading stops the moment the body passes
/// [`MAX_BODY_BYTES`] or the file [`MAX_FILE_BYTES`].
async fn receive(mut form: Multipart) -> AppResult<Option<Vec<u8>>> {
    let malformed = |e: actix_multipart::MultipartError| AppError::Malformed(e.to_string());
    let mut read = 0usize;
    while let Some(field) = form.next().await {
        let mut field = field.map_err(malformed)?;
        let is_file = field.name() == Some("file");
        let mut bytes = Vec::new();
        while let Some(chunk) = field.next().await {
            let chunk = chunk.map_err(malformed)?;
            read += chunk.len();
            if read > MAX_BODY_BYTES || (is_file && bytes.len() + chunk.len() > MAX_FILE_BYTES) {
                return Err(importing::too_large());
            }
            if is_file {
                bytes.extend_from_slice(&chunk);
            }
        }
        if is_file {
            return Ok(Some(bytes));
        }
    }
    Ok(None)
}

/// The roster template: `xlsx` when `format` is left out (its second sheet explains each
/// column) or `csv` (UTF-8 with BOM); `format=json` is 422. Its first sheet is the header alone:
/// fill in rows below it and import it.
#[utoipa::path(get, path = "/api/v1/branches/{id}/roster/template", tag = "roster", security(("bearer" = [])),
    params(("id" = String, Path, description = "branch id"), RosterTemplateQuery),
    responses((status = 200, description = "the template: XLSX unless `format=csv`",
            content((Vec<u8> = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"), (String = "text/csv"))),
        (status = 400, response = answers::BadRequest),
        (status = 401, response = answers::Unauthorized),
        (status = 403, response = answers::Forbidden),
        (status = 404, response = answers::NotFound),
        (status = 422, response = answers::Unprocessable)))]
#[get("/branches/{id}/roster/template")]
pub async fn template(
    state: web::Data<AppState>,
    access: Access,
    id: web::Path<String>,
    q: web::Query<RosterTemplateQuery>,
) -> AppResult<HttpResponse> {
    let format = match q.format {
        None => FileFormat::Xlsx,
        Some(asked) => FileFormat::asked(Some(asked)).ok_or_else(|| {
            AppError::Validation(vec![FieldIssue::worded(
                "format",
                "query.invalid",
                Word::RosterFormatInvalid,
            )])
        })?,
    };
    let branch = managed_branch(state.db.conn(), &access, &id).await?;
    let name = format!(
        "roster-{}",
        ascii_or(branch.code.as_deref().unwrap_or(""), "template")
    );
    let (content_type, extension, bytes) = match format {
        FileFormat::Csv => (download::CSV, "csv", template_file::csv()),
        FileFormat::Xlsx => (download::XLSX, "xlsx", template_file::xlsx()?),
    };
    Ok(HttpResponse::Ok()
        .insert_header((CONTENT_TYPE, content_type))
        .insert_header(download::attachment(&name, extension))
        .insert_header(CacheControl(vec![CacheDirective::NoStore]))
        .body(bytes))
}
