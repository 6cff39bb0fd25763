use actix_web::{get, patch, post, web, HttpResponse};
use jifen_shared::api::{CreateRuleRequest, PatchRuleRequest, RuleVersionView, RuleView};

use crate::error::AppResult;
use crate::http::answers;
use crate::http::state::AppState;
use crate::services::access::Access;
use crate::services::rules::{self as service, RulePatch, RuleSpec};

/// The branch's rules catalogue, inactive items included.
#[utoipa::path(get, path = "/api/v1/branches/{id}/rules", tag = "rules", security(("bearer" = [])),
    params(("id" = String, Path, description = "branch id")),
    responses((status = 200, body = Vec<RuleView>),
        (status = 400, response = answers::BadRequest),
        (status = 401, response = answers::Unauthorized),
        (status = 403, response = answers::Forbidden),
        (status = 404, response = answers::NotFound)))]
#[get("/branches/{id}/rules")]
pub async fn list(
    state: web::Data<AppState>,
    access: Access,
    id: web::Path<String>,
) -> AppResult<web::Json<Vec<RuleView>>> {
    Ok(web::Json(
        service::list(state.db.conn(), &access, &id).await?,
    ))
}

/// Add an item to the catalogue (secretary or administrator).
#[utoipa::path(post, path = "/api/v1/branches/{id}/rules", tag = "rules", security(("bearer" = [])),
    params(("id" = String, Path, description = "branch id")), request_body = CreateRuleRequest,
    responses((status = 201, body = RuleView),
        (status = 400, response = answers::BadRequest),
        (status = 401, response = answers::Unauthorized),
        (status = 403, response = answers::Forbidden),
        (status = 404, response = answers::NotFound),
        (status = 422, response = answers::Unprocessable)))]
#[post("/branches/{id}/rules")]
pub async fn create(
    state: web::Data<AppState>,
    access: Access,
    id: web::Path<String>,
    body: web::Json<CreateRuleRequest>,
) -> AppResult<HttpResponse> {
    let spec = RuleSpec::try_from(body.into_inner())?;
    Ok(HttpResponse::Created()
        .json(service::create(&state.db, state.now(), &access, &id, spec).await?))
}

/// Change an item. A change of its name, description, standard points, caps or evidence rule
/// makes a new version (`version` goes up by one); `active: false` retires it and `active: true`
/// brings it back, without a new version. Its category never changes.
#[utoipa::path(patch, path = "/api/v1/rules/{id}", tag = "rules", security(("bearer" = [])),
    params(("id" = String, Path, description = "rule id")), request_body = PatchRuleRequest,
    responses((status = 200, body = RuleView),
        (status = 400, response = answers::BadRequest),
        (status = 401, response = answers::Unauthorized),
        (status = 403, response = answers::Forbidden),
        (status = 404, response = answers::NotFound),
        (status = 422, response = answers::Unprocessable)))]
#[patch("/rules/{id}")]
pub async fn patch(
    state: web::Data<AppState>,
    access: Access,
    id: web::Path<String>,
    body: web::Json<PatchRuleRequest>,
) -> AppResult<web::Json<RuleView>> {
    Ok(web::Json(
        service::patch(
            &state.db,
            state.now(),
            &access,
            &id,
            RulePatch::try_from(body.into_inner())?,
        )
        .await?,
    ))
}

/// An item's versions, newest first: what it was worth and meant, who changed it and when.
#[utoipa::path(get, path = "/api/v1/rules/{id}/versions", tag = "rules", security(("bearer" = [])),
    params(("id" = String, Path, description = "rule id")),
    responses((status = 200, body = Vec<RuleVersionView>),
        (status = 400, response = answers::BadRequest),
        (status = 401, response = answers::Unauthorized),
        (status = 404, response = answers::NotFound)))]
#[get("/rules/{id}/versions")]
pub async fn versions(
    state: web::Data<AppState>,
    access: Access,
    id: web::Path<String>,
) -> AppResult<web::Json<Vec<RuleVersionView>>> {
    Ok(web::Json(
        service::versions(state.db.conn(), &access, &id).await?,
    ))
}
