//! HTTP routes: thin handlers that parse, call one service function and map the result.

pub mod appeals;
pub mod auth;
pub mod deductions;
pub mod deeds;
pub mod grading;
pub mod health;
pub mod invites;
pub mod ledger;
pub mod me;
pub mod meetings;
pub mod migrant;
pub mod notifications;
pub mod orgs;
pub mod photos;
pub mod points;
pub mod public_pages;
pub mod quarters;
pub mod ratings;
pub mod roles;
pub mod roster;
pub mod rules;
pub mod settings;
pub mod standing;
pub mod stats;
pub mod wechat;
pub mod year;

pub mod app;

use actix_web::{error::JsonPayloadError, web, HttpRequest};

use crate::error::AppError;

/// Largest JSON body accepted; a deed's account is at most 2000 characters.
pub const JSON_LIMIT: usize = 64 * 1024;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.app_data(
        web::JsonConfig::default()
            .limit(JSON_LIMIT)
            .error_handler(|e, _| json_error(e).into()),
    )
    .app_data(
        web::QueryConfig::default().error_handler(|e, _| AppError::Malformed(e.to_string()).into()),
    )
    .app_data(
        web::PathConfig::default().error_handler(|e, _| AppError::Malformed(e.to_string()).into()),
    )
    .service(
        web::scope("/api/v1")
            .service(auth::login)
            .service(auth::refresh)
            .service(auth::logout)
            .service(wechat::wechat_login)
            .service(wechat::wechat_bind)
            .service(wechat::issue_invite)
            .service(wechat::confirm_invite)
            .service(wechat::pending_invites)
            .service(wechat::unbind)
            .service(me::me)
            .service(me::set_password)
            .service(notifications::list)
            .service(notifications::mark_all_read)
            .service(notifications::mark_read)
            .service(notifications::subscribe)
            .service(notifications::subscriptions)
            .service(rules::list)
            .service(rules::create)
            .service(rules::patch)
            .service(deeds::submit)
            .service(deeds::list)
            .service(deeds::get)
            .service(deeds::revise)
            .service(deeds::history)
            .service(deeds::approve)
            .service(deeds::reject)
            .service(deeds::return_for_information)
            .service(deeds::withdraw)
            .service(deeds::revoke)
            .service(points::member_points)
            .service(quarters::sign)
            .service(quarters::publish)
            .service(quarters::board)
            .service(quarters::give_feedback)
            .service(quarters::feedback)
            .service(quarters::dismiss_many_feedback)
            .service(quarters::status)
            .service(quarters::accept_feedback)
            .service(quarters::dismiss_feedback)
            .service(photos::upload)
            .service(photos::download)
            // Issue 12: meetings (register this part's routes below this line)
            .service(meetings::schedule)
            .service(meetings::list)
            .service(meetings::get)
            .service(meetings::checkin_code)
            .service(meetings::checkin)
            .service(meetings::ask_leave)
            .service(meetings::grant_leave)
            .service(meetings::refuse_leave)
            .service(meetings::close)
            .service(meetings::attendance)
            // Issue 12: migrant_and_registered (register this part's routes below this line)
            .service(migrant::attach)
            .service(migrant::detach)
            .service(migrant::attest)
            // Issue 12: evidence (register this part's routes below this line)
            // Issue 12: offline (register this part's routes below this line)
            // Issue 13
            .service(settings::get)
            .service(settings::patch)
            // Issue 13: catalogue (register this part's routes below this line)
            .service(rules::versions)
            // Issue 13: year (register this part's routes below this line)
            .service(year::get)
            .service(year::open)
            .service(year::award)
            // Issue 13: deductions (register this part's routes below this line)
            .service(deductions::propose)
            .service(deductions::confirm)
            .service(deductions::drop_proposal)
            .service(deductions::list)
            // Issue 13: appeals (register this part's routes below this line)
            .service(appeals::file)
            .service(appeals::list)
            .service(appeals::get)
            .service(appeals::uphold)
            .service(appeals::overturn)
            // Issue 13: standing (register this part's routes below this line)
            .service(standing::alerts)
            .service(standing::notify)
            .service(standing::member_standing)
            .service(grading::close)
            .service(grading::grades)
            .service(grading::confirm)
            .service(grading::adjust)
            // Issue 13: public_pages (register this part's routes below this line)
            .service(public_pages::member_statement)
            // Issue 14: stats (register this part's routes below this line)
            .service(stats::stats)
            // Issue 14: exports (register this part's routes below this line)
            .service(ledger::ledger)
            // Issue 14: roster (register this part's routes below this line)
            .service(roster::list)
            .service(roster::add)
            .service(roster::edit)
            .service(roster::transfer)
            .service(roster::deactivate)
            .service(roster::import)
            .service(roster::template)
            // Issue 14: ratings (register this part's routes below this line)
            .service(ratings::rules)
            .service(ratings::put_rules)
            .service(ratings::ratings)
            .service(ratings::adjust)
            // Issue 14: admin (register this part's routes below this line)
            .service(orgs::tree)
            .service(orgs::create)
            .service(orgs::unit)
            .service(orgs::patch)
            .service(roles::list)
            .service(roles::grant)
            .service(roles::revoke)
            .service(invites::list)
            .service(invites::revoke)
            .default_service(web::to(not_found)),
    )
    .service(health::healthz)
    .service(health::readyz);
    // Issue 13: public_pages, outside /api/v1: the board and the check of a statement.
    public_pages::pages(cfg);
}

/// A body that may be left out: none at all is `None`; anything sent must be JSON of the right
/// shape (a malformed body is 400, never taken as "no body").
pub fn optional_json<T: serde::de::DeserializeOwned>(
    req: &HttpRequest,
    body: &web::Bytes,
) -> Result<Option<T>, AppError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(None);
    }
    let json = req
        .headers()
        .get(actix_web::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|m| m.trim().eq_ignore_ascii_case("application/json"));
    if !json {
        return Err(json_error(JsonPayloadError::ContentType));
    }
    if body.len() > JSON_LIMIT {
        return Err(json_error(JsonPayloadError::Overflow { limit: JSON_LIMIT }));
    }
    serde_json::from_slice(body)
        .map(Some)
        .map_err(|e| AppError::Malformed(e.to_string()))
}

fn json_error(e: JsonPayloadError) -> AppError {
    match e {
        JsonPayloadError::ContentType => {
            AppError::Malformed("expected a JSON body with Content-Type: application/json".into())
        }
        JsonPayloadError::Overflow { limit }
        | JsonPayloadError::OverflowKnownLength { limit, .. } => {
            AppError::Malformed(format!("the body is larger than {limit} bytes"))
        }
        JsonPayloadError::Deserialize(e) => AppError::Malformed(e.to_string()),
        other => AppError::Malformed(other.to_string()),
    }
}

async fn not_found(_: HttpRequest) -> Result<actix_web::HttpResponse, AppError> {
    Err(AppError::NotFound(crate::error::Missing::Route))
}
