//! The server-rendered pages: the public board at `/board/{code}` with its feedback form, the
//! check of a statement's code at `/verify/{code}`, both outside `/api/v1` and without an
//! account; and a member's printable statement at `/api/v1/members/{id}/statement`.
//!
//! The pages answer people, not programs: what a villager can get wrong (a quarter not posted,
//! a form with an empty field, too many tries) comes back as a page in their language, never as
//! a problem document. The two anonymous pages that can be abused take from the per-client
//! buckets of [`crate::http::limits`] here in the handler, before any database work, so that
//! the refusal can be a page too.

use actix_web::http::header::{HeaderValue, ACCEPT, RETRY_AFTER};
use actix_web::http::StatusCode;
use actix_web::{get, web, HttpRequest, HttpResponse};
use jifen_shared::api::{BoardQuery, FeedbackRequest, StatementQuery};
use jifen_shared::domain::CycleQuarter;
use jifen_shared::i18n::Lang;
use jifen_shared::words::Word;
use serde::Deserialize;

use crate::error::{invalid, AppError, AppResult, FieldIssue, Missing, Throttle};
use crate::http::answers;
use crate::http::client::ClientAddr;
use crate::http::extract::AuthUser;
use crate::http::html::{self, board, statement, verify};
use crate::http::middleware::lang_of;
use crate::http::state::AppState;
use crate::services::feedback::NewFeedback;
use crate::services::public_board::{self, Shown};
use crate::services::{feedback, statements};

/// Largest feedback form accepted: the text is at most 500 characters.
const FORM_LIMIT: usize = 16 * 1024;

/// The pages outside `/api/v1`.
pub fn pages(cfg: &mut web::ServiceConfig) {
    cfg.service(board_page)
        .service(
            web::resource("/board/{code}/feedback")
                .app_data(
                    web::FormConfig::default()
                        .limit(FORM_LIMIT)
                        .error_handler(|e, _| AppError::Malformed(e.to_string()).into()),
                )
                .route(web::post().to(give_feedback)),
        )
        .service(verify_page);
}

fn asked(year: Option<i32>, quarter: Option<u8>) -> AppResult<Option<CycleQuarter>> {
    match (year, quarter) {
        (None, None) => Ok(None),
        (Some(y), Some(q)) => CycleQuarter::parse(y, q)
            .map(Some)
            .map_err(|_| AppError::Validation(vec![invalid::quarter()])),
        _ => Err(AppError::Validation(vec![FieldIssue::worded(
            "quarter",
            "query.invalid",
            Word::GiveYearAndQuarterTogether,
        )])),
    }
}

/// The board page of `code` for `quarter`, the form filled with `draft` and its `problems`.
async fn show_board(
    state: &AppState,
    req: &HttpRequest,
    code: &str,
    quarter: Option<CycleQuarter>,
    draft: &board::Draft,
    problems: &board::Problems,
    status: StatusCode,
) -> AppResult<HttpResponse> {
    let lang = lang_of(req.headers());
    let base = html::public_base(req, &state.config);
    match public_board::find(state.db.conn(), code, quarter).await {
        Ok(Shown::Posted {
            board: view,
            signed_at,
        }) => {
            let address = board::address(&base, &view.branch_code, view.year, view.quarter);
            Ok(html::respond(
                status,
                board::render(&board::Board {
                    lang,
                    view: &view,
                    signed_at,
                    address: &address,
                    draft,
                    problems,
                }),
            ))
        }
        Ok(Shown::NotPosted {
            branch_name,
            latest,
        }) => {
            let asked = quarter.map(|q| (q.year, q.quarter));
            let latest = latest.map(|q| {
                (
                    board::address("", code, q.year, q.quarter),
                    q.year,
                    q.quarter,
                )
            });
            // Nothing posted yet is how every branch starts, not a failure; a quarter asked for
            // by its address that is not posted is missing.
            let status = if asked.is_some() {
                StatusCode::NOT_FOUND
            } else {
                StatusCode::OK
            };
            Ok(html::respond(
                status,
                board::not_posted(lang, &branch_name, asked, latest),
            ))
        }
        Err(AppError::NotFound(Missing::OrgUnit)) => Ok(html::respond(
            StatusCode::NOT_FOUND,
            board::unknown_branch(lang),
        )),
        Err(e) => Err(e),
    }
}

/// A branch's posted quarter as a page for phones and for print: the latest posted, or the one
/// asked for with `?year=&quarter=`.
#[get("/board/{code}")]
pub async fn board_page(
    state: web::Data<AppState>,
    req: HttpRequest,
    code: web::Path<String>,
    query: web::Query<BoardQuery>,
) -> AppResult<HttpResponse> {
    let quarter = asked(query.year, query.quarter)?;
    // A code the branch gave up leads to its board under the new one: posters and QR codes
    // printed with the old address keep working. Not permanent, as the code may change again.
    // The present code wins: a unit that has `code` now is shown, whoever had it before.
    if let Some(current) = crate::services::admin::codes::successor(state.db.conn(), &code).await? {
        let mut to = format!("/board/{current}");
        if let Some(q) = req.uri().query() {
            to.push('?');
            to.push_str(q);
        }
        return Ok(HttpResponse::Found()
            .insert_header((actix_web::http::header::LOCATION, to))
            .finish());
    }
    show_board(
        &state,
        &req,
        &code,
        quarter,
        &board::Draft::default(),
        &board::Problems::default(),
        StatusCode::OK,
    )
    .await
}

/// The board's feedback form as the browser posts it (`application/x-www-form-urlencoded`).
/// Every field is text, so that anything a browser sends is read and answered with the form.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct FeedbackForm {
    year: String,
    quarter: String,
    about: String,
    body: String,
    contact: String,
}

/// Feedback sent from the board page without JavaScript: the same service and limits as the
/// JSON feedback; a thank-you page, or the board again with the problem next to what was typed.
pub async fn give_feedback(
    state: web::Data<AppState>,
    req: HttpRequest,
    client: ClientAddr,
    code: web::Path<String>,
    form: web::Form<FeedbackForm>,
) -> AppResult<HttpResponse> {
    let lang = lang_of(req.headers());
    let form = form.into_inner();
    // A form posted to a code the branch gave up still reaches it.
    let code = crate::services::admin::codes::resolve(state.db.conn(), &code).await?;
    let draft = board::Draft {
        about: form.about.clone(),
        body: form.body.clone(),
        contact: form.contact.clone(),
    };
    let quarter = match (form.year.trim().parse(), form.quarter.trim().parse()) {
        (Ok(y), Ok(q)) => CycleQuarter::parse(y, q).ok(),
        _ => None,
    };
    let Some(quarter) = quarter else {
        let problems = board::Problems {
            general: Some(worded(&invalid::quarter(), lang)),
            ..Default::default()
        };
        return show_board(
            &state,
            &req,
            &code,
            None,
            &draft,
            &problems,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    };
    let refused = match state.limits.check(Throttle::Feedback, client) {
        Err(e) => e,
        Ok(()) => {
            let request = FeedbackRequest {
                year: quarter.year,
                quarter: quarter.quarter,
                about_member_id: Some(form.about).filter(|a| !a.trim().is_empty()),
                body: form.body,
                contact: Some(form.contact).filter(|c| !c.trim().is_empty()),
            };
            let sender = state.feedback_senders.hash(&client.client().to_string());
            let received = match NewFeedback::try_from(&request) {
                Ok(given) => feedback::receive(&state.db, state.now(), &code, given, &sender).await,
                Err(e) => Err(e),
            };
            match received {
                Ok(_) => {
                    let back = board::address("", &code, quarter.year, quarter.quarter);
                    return Ok(html::respond(StatusCode::OK, board::thanks(lang, &back)));
                }
                Err(e) => e,
            }
        }
    };
    let (problems, status) = match refused {
        AppError::Validation(issues) => (
            board::Problems {
                fields: issues
                    .iter()
                    .map(|i| (i.field.clone(), worded(i, lang)))
                    .collect(),
                general: None,
            },
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        e @ (AppError::TooMany { .. } | AppError::FeedbackFull) => (
            board::Problems {
                fields: Vec::new(),
                general: Some(e.problem(lang, None).message),
            },
            StatusCode::TOO_MANY_REQUESTS,
        ),
        // The quarter is not posted (any more) or the branch unknown: the board says so.
        AppError::NotFound(_) => Default::default(),
        e => return Err(e),
    };
    let status = if problems.fields.is_empty() && problems.general.is_none() {
        StatusCode::OK
    } else {
        status
    };
    let mut res = show_board(
        &state,
        &req,
        &code,
        Some(quarter),
        &draft,
        &problems,
        status,
    )
    .await?;
    if status == StatusCode::TOO_MANY_REQUESTS {
        res.headers_mut()
            .insert(RETRY_AFTER, HeaderValue::from_static("60"));
    }
    Ok(res)
}

fn worded(issue: &FieldIssue, lang: Lang) -> String {
    match lang {
        Lang::ZhCn => issue.zh.clone(),
        Lang::En => issue.en.clone(),
    }
}

fn wants_json(req: &HttpRequest) -> bool {
    req.headers()
        .get(ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("application/json") && !v.contains("text/html"))
}

/// Checks a statement's code for anyone: a page, or JSON ([`jifen_shared::api::StatementCheck`])
/// for `Accept: application/json`. Limited per client, so that codes cannot be found by trying.
#[get("/verify/{check_code}")]
pub async fn verify_page(
    state: web::Data<AppState>,
    req: HttpRequest,
    client: ClientAddr,
    code: web::Path<String>,
) -> AppResult<HttpResponse> {
    let lang = lang_of(req.headers());
    let json = wants_json(&req);
    if let Err(refused) = state.limits.check(Throttle::Verify, client) {
        if json {
            return Err(refused);
        }
        let message = refused.problem(lang, None).message;
        let title = Word::VerifyTitle.text(lang);
        let mut res = html::respond(
            StatusCode::TOO_MANY_REQUESTS,
            html::page(
                lang,
                title,
                maud::html! { h1 { (title) } p.card.calm role="status" { (message) } },
            ),
        );
        res.headers_mut()
            .insert(RETRY_AFTER, HeaderValue::from_static("60"));
        return Ok(res);
    }
    match statements::check(state.db.conn(), &state.statements, &code).await {
        Ok(found) if json => Ok(HttpResponse::Ok().json(found)),
        Ok(found) => Ok(html::respond(StatusCode::OK, verify::found(lang, &found))),
        Err(AppError::NotFound(Missing::Statement)) if !json => {
            Ok(html::respond(StatusCode::NOT_FOUND, verify::unknown(lang)))
        }
        Err(e) => Err(e),
    }
}

/// A member's points statement of one cycle year as a printable A4 page (积分证明), with a check
/// code anyone can verify at `/verify/{code}`. For the member and those who review their branch.
/// Printing again while the account is unchanged gives the same statement; after a change, a
/// new one, and the older one reads as superseded.
#[utoipa::path(get, path = "/api/v1/members/{id}/statement", tag = "points", security(("bearer" = [])),
    params(("id" = String, Path, description = "member id"), StatementQuery),
    responses((status = 200, description = "the statement, printable HTML", content_type = "text/html", body = String),
        (status = 400, response = answers::BadRequest),
        (status = 401, response = answers::Unauthorized),
        (status = 404, response = answers::NotFound),
        (status = 422, response = answers::Unprocessable)))]
#[get("/members/{id}/statement")]
pub async fn member_statement(
    state: web::Data<AppState>,
    req: HttpRequest,
    user: AuthUser,
    id: web::Path<String>,
    query: web::Query<StatementQuery>,
) -> AppResult<HttpResponse> {
    let year = invalid::year_or_current(query.year, state.now())?;
    let issued = statements::issue(
        &state.db,
        state.now(),
        &state.statements,
        &user.member_id,
        &id,
        year,
    )
    .await?;
    let lang: Lang = lang_of(req.headers());
    let base = html::public_base(&req, &state.config);
    Ok(html::respond(
        StatusCode::OK,
        statement::render(lang, &issued, &base),
    ))
}
