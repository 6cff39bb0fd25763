use actix_web::{get, post, web, HttpRequest, HttpResponse};
use jifen_shared::api::{
    NotificationPage, NotificationQuery, SubscriptionBalance, SubscriptionConsents,
};

use crate::error::AppResult;
use crate::http::answers;
use crate::http::extract::AuthUser;
use crate::http::state::AppState;
use crate::services::notify::{consent, inbox};

/// My messages, newest first: decisions on my deeds, worded in the request's language.
#[utoipa::path(get, path = "/api/v1/me/notifications", tag = "notifications", security(("bearer" = [])),
    params(NotificationQuery),
    responses((status = 200, body = NotificationPage),
        (status = 400, response = answers::BadRequest),
        (status = 401, response = answers::Unauthorized),
        (status = 422, response = answers::Unprocessable)))]
#[get("/me/notifications")]
pub async fn list(
    state: web::Data<AppState>,
    user: AuthUser,
    req: HttpRequest,
    query: web::Query<NotificationQuery>,
) -> AppResult<web::Json<NotificationPage>> {
    let lang = crate::http::middleware::lang_of(req.headers());
    Ok(web::Json(
        inbox::page(
            state.db.conn(),
            &user.member_id,
            query.cursor.as_deref(),
            query.limit,
            lang,
        )
        .await?,
    ))
}

/// Mark one of my messages read.
#[utoipa::path(post, path = "/api/v1/me/notifications/{id}/read", tag = "notifications", security(("bearer" = [])),
    params(("id" = String, Path, description = "notification id")),
    responses((status = 204, description = "read"),
        (status = 400, response = answers::BadRequest),
        (status = 401, response = answers::Unauthorized),
        (status = 404, response = answers::NotFound)))]
#[post("/me/notifications/{id}/read")]
pub async fn mark_read(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<String>,
) -> AppResult<HttpResponse> {
    inbox::mark_read(&state.db, state.now(), &user.member_id, &path).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Mark all my messages read.
#[utoipa::path(post, path = "/api/v1/me/notifications/read-all", tag = "notifications", security(("bearer" = [])),
    responses((status = 204, description = "read"),
        (status = 401, response = answers::Unauthorized)))]
#[post("/me/notifications/read-all")]
pub async fn mark_all_read(state: web::Data<AppState>, user: AuthUser) -> AppResult<HttpResponse> {
    inbox::mark_all_read(&state.db, state.now(), &user.member_id).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Record what `wx.requestSubscribeMessage` answered; each `accept` allows one WeChat message
/// of that template.
#[utoipa::path(post, path = "/api/v1/me/subscriptions", tag = "notifications", security(("bearer" = [])),
    request_body = SubscriptionConsents,
    responses((status = 200, body = SubscriptionBalance),
        (status = 400, response = answers::BadRequest),
        (status = 401, response = answers::Unauthorized),
        (status = 404, response = answers::NotFound),
        (status = 422, response = answers::Unprocessable)))]
#[post("/me/subscriptions")]
pub async fn subscribe(
    state: web::Data<AppState>,
    user: AuthUser,
    body: web::Json<SubscriptionConsents>,
) -> AppResult<web::Json<SubscriptionBalance>> {
    let templates = state.wechat_templates()?;
    let balance = consent::record(
        &state.db,
        state.now(),
        templates,
        &user.member_id,
        &body.results,
    )
    .await?;
    Ok(web::Json(balance))
}

/// How many WeChat messages each template may still send me.
#[utoipa::path(get, path = "/api/v1/me/subscriptions", tag = "notifications", security(("bearer" = [])),
    responses((status = 200, body = SubscriptionBalance),
        (status = 401, response = answers::Unauthorized),
        (status = 404, response = answers::NotFound)))]
#[get("/me/subscriptions")]
pub async fn subscriptions(
    state: web::Data<AppState>,
    user: AuthUser,
) -> AppResult<web::Json<SubscriptionBalance>> {
    let templates = state.wechat_templates()?;
    Ok(web::Json(
        consent::balance(state.db.conn(), templates, &user.member_id).await?,
    ))
}
