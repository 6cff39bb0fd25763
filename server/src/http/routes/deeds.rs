use actix_web::{get, post, put, web, HttpResponse};
use jifen_shared::api::{
    ApproveRequest, DeedHistory, DeedPage, DeedQuery, DeedView, ReasonRequest, ReviseDeedRequest,
    SubmitDeedRequest,
};
use jifen_shared::domain::{Points, Reason};

use crate::error::{AppError, AppResult};
use crate::http::answers;
use crate::http::extract::AuthUser;
use crate::http::state::AppState;
use crate::infra::read_cache::Key;
use crate::services::access::Access;
use crate::services::deeds::input::{self, RawForm};
use crate::services::deeds::query::{self, Filter};
use crate::services::deeds::registered;
use crate::services::deeds::review::{decide, Decision};
use crate::services::deeds::submit::{self as submission, Outcome};
use crate::services::deeds::{view_one, visible};
use crate::services::evidence;

/// Report a deed: time, place and what happened. Repeating a `client_request_id` returns the
/// first deed with 200 instead of 201. With `member_id`, a committee member or the secretary
/// registers the deed for a member of their branch who has no phone (登记建账); someone else of the
/// committee reviews it.
#[utoipa::path(post, path = "/api/v1/deeds", tag = "deeds", security(("bearer" = [])), request_body = SubmitDeedRequest,
    responses((status = 201, body = DeedView),
        (status = 200, description = "the same client_request_id was sent before", body = DeedView),
        (status = 400, response = answers::BadRequest),
        (status = 401, response = answers::Unauthorized),
        (status = 403, response = answers::Forbidden),
        (status = 404, response = answers::NotFound),
        (status = 422, response = answers::Unprocessable)))]
#[post("/deeds")]
pub async fn submit(
    state: web::Data<AppState>,
    user: AuthUser,
    body: web::Json<SubmitDeedRequest>,
) -> AppResult<HttpResponse> {
    let sender = crate::services::access::load_member(state.db.conn(), &user.member_id).await?;
    let member = match body.member_id.as_deref().filter(|m| *m != sender.id) {
        None => sender.clone(),
        Some(for_member) => {
            let access = Access::load_kept(state.db.conn(), &state.reach, &sender.id).await?;
            registered::for_member(state.db.conn(), &access, for_member).await?
        }
    };
    let client_request_id = input::parse_client_request_id(&body.client_request_id)?;
    let form = input::parse(
        RawForm {
            rule_id: &body.rule_id,
            title: &body.title,
            account: &body.account,
            occurred_at: body.occurred_at,
            place: &body.place,
            photo_ids: &body.photo_ids,
        },
        state.now(),
    )?;
    let (view, outcome) = submission::submit_as(
        state.db.conn(),
        &state.submissions,
        state.now(),
        &member,
        &sender,
        form,
        client_request_id,
    )
    .await?;
    Ok(match outcome {
        Outcome::Created => HttpResponse::Created().json(view),
        Outcome::Replayed => HttpResponse::Ok().json(view),
    })
}

/// My deeds (`scope=mine`) or the review queue of the branches I review (`scope=review`), newest first.
#[utoipa::path(get, path = "/api/v1/deeds", tag = "deeds", security(("bearer" = [])), params(DeedQuery),
    responses((status = 200, body = DeedPage),
        (status = 400, response = answers::BadRequest),
        (status = 401, response = answers::Unauthorized),
        (status = 403, response = answers::Forbidden),
        (status = 404, response = answers::NotFound),
        (status = 422, response = answers::Unprocessable)))]
#[get("/deeds")]
pub async fn list(
    state: web::Data<AppState>,
    user: AuthUser,
    q: web::Query<DeedQuery>,
) -> AppResult<HttpResponse> {
    let filter = Filter::try_from(q.into_inner())?;
    let key = Key::Deeds {
        viewer: user.member_id.clone(),
        filter: filter.key(),
    };
    // Who may see what is decided inside: a cached page is one this viewer was shown.
    let db = state.db.conn();
    state
        .reads
        .json(key, async {
            // The queue needs only what the viewer's roles reach, usually kept: one query.
            if filter.scope == query::Scope::Review {
                let reach = state.reach.of(db, &user.member_id).await?;
                return query::review_queue(db, &reach, filter).await;
            }
            let access = Access::load_kept(db, &state.reach, &user.member_id).await?;
            query::list(db, &access, filter).await
        })
        .await
}

#[utoipa::path(get, path = "/api/v1/deeds/{id}", tag = "deeds", security(("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 200, body = DeedView),
        (status = 400, response = answers::BadRequest),
        (status = 401, response = answers::Unauthorized),
        (status = 404, response = answers::NotFound)))]
#[get("/deeds/{id}")]
pub async fn get(
    state: web::Data<AppState>,
    access: Access,
    id: web::Path<String>,
) -> AppResult<web::Json<DeedView>> {
    let (deed, standing) = visible(state.db.conn(), &access, &id).await?;
    // The evidence warnings (with the photos' capture time and place) are for the reviewing
    // committee alone, never for the member.
    let evidence = if standing.reviewer && !standing.owner {
        Some(evidence::warnings::of(state.db.conn(), &access, &deed).await?)
    } else {
        None
    };
    let mut view = view_one(state.db.conn(), deed).await?;
    view.evidence = evidence;
    Ok(web::Json(view))
}

/// Revise a returned deed; it goes back to the committee as submitted.
#[utoipa::path(put, path = "/api/v1/deeds/{id}", tag = "deeds", security(("bearer" = [])),
    params(("id" = String, Path)), request_body = ReviseDeedRequest,
    responses((status = 200, body = DeedView),
        (status = 400, response = answers::BadRequest),
        (status = 401, response = answers::Unauthorized),
        (status = 403, response = answers::Forbidden),
        (status = 404, response = answers::NotFound),
        (status = 409, response = answers::Conflict),
        (status = 422, response = answers::Unprocessable)))]
#[put("/deeds/{id}")]
pub async fn revise(
    state: web::Data<AppState>,
    access: Access,
    id: web::Path<String>,
    body: web::Json<ReviseDeedRequest>,
) -> AppResult<web::Json<DeedView>> {
    let form = input::parse(
        RawForm {
            rule_id: &body.rule_id,
            title: &body.title,
            account: &body.account,
            occurred_at: body.occurred_at,
            place: &body.place,
            photo_ids: &body.photo_ids,
        },
        state.now(),
    )?;
    let deed = submission::revise(&state.db, state.now(), &access, &id, form).await?;
    Ok(web::Json(view_one(state.db.conn(), deed).await?))
}

/// The deed's history from the audit trail, oldest first.
#[utoipa::path(get, path = "/api/v1/deeds/{id}/history", tag = "deeds", security(("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 200, body = DeedHistory),
        (status = 400, response = answers::BadRequest),
        (status = 401, response = answers::Unauthorized),
        (status = 404, response = answers::NotFound)))]
#[get("/deeds/{id}/history")]
pub async fn history(
    state: web::Data<AppState>,
    access: Access,
    id: web::Path<String>,
) -> AppResult<web::Json<DeedHistory>> {
    Ok(web::Json(
        query::history(state.db.conn(), &access, &id).await?,
    ))
}

fn reason(raw: &str) -> AppResult<Reason> {
    Reason::parse(raw).map_err(|e| AppError::field("reason", &e))
}

async fn decided(
    state: &AppState,
    access: &Access,
    id: &str,
    decision: Decision,
) -> AppResult<web::Json<DeedView>> {
    let (deed, queued) = decide(
        &state.db,
        state.now(),
        &state.templates,
        access,
        id,
        decision,
    )
    .await?;
    state.sent(queued);
    Ok(web::Json(view_one(state.db.conn(), deed).await?))
}

/// Approve a submitted deed, with the rule's standard points or adjusted `points`; writes the ledger entry.
#[utoipa::path(post, path = "/api/v1/deeds/{id}/approve", tag = "review", security(("bearer" = [])),
    params(("id" = String, Path)), request_body = ApproveRequest,
    responses((status = 200, body = DeedView),
        (status = 400, response = answers::BadRequest),
        (status = 401, response = answers::Unauthorized),
        (status = 403, response = answers::Forbidden),
        (status = 404, response = answers::NotFound),
        (status = 409, response = answers::Conflict),
        (status = 422, response = answers::Unprocessable)))]
#[post("/deeds/{id}/approve")]
pub async fn approve(
    state: web::Data<AppState>,
    access: Access,
    id: web::Path<String>,
    req: actix_web::HttpRequest,
    body: web::Bytes,
) -> AppResult<web::Json<DeedView>> {
    let body = super::optional_json::<ApproveRequest>(&req, &body)?.unwrap_or(ApproveRequest {
        points: None,
        comment: None,
    });
    let points = body
        .points
        .map(Points::parse)
        .transpose()
        .map_err(|e| AppError::field("points", &e))?;
    let comment = body
        .comment
        .filter(|c| !c.trim().is_empty())
        .map(|c| Reason::parse(&c).map_err(|e| AppError::field("comment", &e)))
        .transpose()?;
    decided(&state, &access, &id, Decision::Approve { points, comment }).await
}

/// Reject a submitted deed; the reason is shown to the member.
#[utoipa::path(post, path = "/api/v1/deeds/{id}/reject", tag = "review", security(("bearer" = [])),
    params(("id" = String, Path)), request_body = ReasonRequest,
    responses((status = 200, body = DeedView),
        (status = 400, response = answers::BadRequest),
        (status = 401, response = answers::Unauthorized),
        (status = 403, response = answers::Forbidden),
        (status = 404, response = answers::NotFound),
        (status = 409, response = answers::Conflict),
        (status = 422, response = answers::Unprocessable)))]
#[post("/deeds/{id}/reject")]
pub async fn reject(
    state: web::Data<AppState>,
    access: Access,
    id: web::Path<String>,
    body: web::Json<ReasonRequest>,
) -> AppResult<web::Json<DeedView>> {
    decided(
        &state,
        &access,
        &id,
        Decision::Reject(reason(&body.reason)?),
    )
    .await
}

/// Return a submitted deed for more information; the member may revise and resubmit it.
#[utoipa::path(post, path = "/api/v1/deeds/{id}/return", tag = "review", security(("bearer" = [])),
    params(("id" = String, Path)), request_body = ReasonRequest,
    responses((status = 200, body = DeedView),
        (status = 400, response = answers::BadRequest),
        (status = 401, response = answers::Unauthorized),
        (status = 403, response = answers::Forbidden),
        (status = 404, response = answers::NotFound),
        (status = 409, response = answers::Conflict),
        (status = 422, response = answers::Unprocessable)))]
#[post("/deeds/{id}/return")]
pub async fn return_for_information(
    state: web::Data<AppState>,
    access: Access,
    id: web::Path<String>,
    body: web::Json<ReasonRequest>,
) -> AppResult<web::Json<DeedView>> {
    decided(
        &state,
        &access,
        &id,
        Decision::Return(reason(&body.reason)?),
    )
    .await
}

/// Withdraw one's own deed before it is decided.
#[utoipa::path(post, path = "/api/v1/deeds/{id}/withdraw", tag = "deeds", security(("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 200, body = DeedView),
        (status = 400, response = answers::BadRequest),
        (status = 401, response = answers::Unauthorized),
        (status = 403, response = answers::Forbidden),
        (status = 404, response = answers::NotFound),
        (status = 409, response = answers::Conflict)))]
#[post("/deeds/{id}/withdraw")]
pub async fn withdraw(
    state: web::Data<AppState>,
    access: Access,
    id: web::Path<String>,
) -> AppResult<web::Json<DeedView>> {
    decided(&state, &access, &id, Decision::Withdraw).await
}

/// Revoke an approval; writes a reversal entry so the points come off the account.
#[utoipa::path(post, path = "/api/v1/deeds/{id}/revoke", tag = "review", security(("bearer" = [])),
    params(("id" = String, Path)), request_body = ReasonRequest,
    responses((status = 200, body = DeedView),
        (status = 400, response = answers::BadRequest),
        (status = 401, response = answers::Unauthorized),
        (status = 403, response = answers::Forbidden),
        (status = 404, response = answers::NotFound),
        (status = 409, response = answers::Conflict),
        (status = 422, response = answers::Unprocessable)))]
#[post("/deeds/{id}/revoke")]
pub async fn revoke(
    state: web::Data<AppState>,
    access: Access,
    id: web::Path<String>,
    body: web::Json<ReasonRequest>,
) -> AppResult<web::Json<DeedView>> {
    decided(
        &state,
        &access,
        &id,
        Decision::Revoke(reason(&body.reason)?),
    )
    .await
}
