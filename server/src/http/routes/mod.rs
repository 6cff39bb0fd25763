//! HTTP routes: thin handlers that parse, call one service function and map the result.

pub mod auth;
pub mod deeds;
pub mod health;
pub mod me;
pub mod notifications;
pub mod photos;
pub mod points;
pub mod quarters;
pub mod rules;
pub mod wechat;

pub mod app;

use actix_web::{error::JsonPayloadError, web, HttpRequest};

use crate::error::AppError;

/// Largest JSON body accepted; a deed's account is at most 2000 characters.
const JSON_LIMIT: usize = 64 * 1024;

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
            .service(quarters::status)
            .service(quarters::accept_feedback)
            .service(quarters::dismiss_feedback)
            .service(photos::upload)
            .service(photos::download)
            .default_service(web::to(not_found)),
    )
    .service(health::healthz)
    .service(health::readyz);
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
