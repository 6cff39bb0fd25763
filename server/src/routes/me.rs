use std::collections::HashMap;

use actix_web::{get, put, web, HttpResponse};
use jifen_shared::api::{MeResponse, RoleGrant, SetPasswordRequest};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

use crate::access::Access;
use crate::auth::AuthUser;
use crate::entity::org_unit;
use crate::error::AppResult;
use crate::startup::AppState;

/// The signed-in member and their roles per org unit.
#[utoipa::path(get, path = "/api/v1/me", tag = "members", security(("bearer" = [])),
    responses((status = 200, body = MeResponse), (status = 401, body = jifen_shared::problem::Problem)))]
#[get("/me")]
pub async fn me(state: web::Data<AppState>, user: AuthUser) -> AppResult<web::Json<MeResponse>> {
    let db = state.db.conn();
    let access = Access::load(db, &user.member_id).await?;
    let mut unit_ids: Vec<String> = access.grants.iter().map(|(u, _)| u.clone()).collect();
    unit_ids.push(access.member.home_branch_id.clone());
    let units: HashMap<String, org_unit::Model> = org_unit::Entity::find()
        .filter(org_unit::Column::Id.is_in(unit_ids))
        .all(db)
        .await?
        .into_iter()
        .map(|u| (u.id.clone(), u))
        .collect();
    let name = |id: &str| units.get(id).map(|u| u.name.clone()).unwrap_or_default();
    let m = access.member;
    Ok(web::Json(MeResponse {
        roles: access
            .grants
            .into_iter()
            .map(|(unit, role)| RoleGrant {
                org_unit_name: name(&unit),
                org_unit_id: unit,
                role,
            })
            .collect(),
        home_branch_name: name(&m.home_branch_id),
        home_branch_code: units.get(&m.home_branch_id).and_then(|u| u.code.clone()),
        id: m.id,
        name: m.name,
        username: m.username,
        status: m.status,
        home_branch_id: m.home_branch_id,
    }))
}

/// Set my password for the web app; the current one is needed when one is set.
#[utoipa::path(put, path = "/api/v1/me/password", tag = "members", security(("bearer" = [])),
    request_body = SetPasswordRequest,
    responses((status = 204, description = "password set"), (status = 401, body = jifen_shared::problem::Problem),
        (status = 422, body = jifen_shared::problem::Problem)))]
#[put("/me/password")]
pub async fn set_password(
    state: web::Data<AppState>,
    user: AuthUser,
    body: web::Json<SetPasswordRequest>,
) -> AppResult<HttpResponse> {
    crate::auth::account::set_password(
        &state,
        &user.member_id,
        body.current_password.as_deref(),
        &body.new_password,
    )
    .await?;
    Ok(HttpResponse::NoContent().finish())
}
