//! The OpenAPI description, generated from the handlers, and the Swagger UI page.

use actix_web::web;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_swagger_ui::SwaggerUi;

use crate::http::routes;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Jifen API",
        description = "党员积分管理 — members report deeds, committees review them, points accumulate per cycle year. \
Errors are `application/problem+json` with a stable `code` and a `message` in zh-CN or en (per `Accept-Language`)."
    ),
    paths(
        routes::auth::login, routes::auth::refresh, routes::auth::logout,
        routes::wechat::wechat_login, routes::wechat::wechat_bind, routes::wechat::issue_invite, routes::wechat::unbind,
        routes::me::me, routes::me::set_password,
        routes::notifications::list, routes::notifications::mark_read, routes::notifications::mark_all_read,
        routes::notifications::subscribe, routes::notifications::subscriptions,
        routes::rules::list, routes::rules::create, routes::rules::patch,
        routes::deeds::submit, routes::deeds::list, routes::deeds::get, routes::deeds::revise, routes::deeds::history,
        routes::deeds::approve, routes::deeds::reject, routes::deeds::return_for_information, routes::deeds::withdraw,
        routes::deeds::revoke,
        routes::points::member_points,
        routes::quarters::sign, routes::quarters::publish, routes::quarters::board,
        routes::quarters::give_feedback, routes::quarters::feedback, routes::quarters::status,
        routes::quarters::accept_feedback, routes::quarters::dismiss_feedback,
        routes::photos::upload, routes::photos::download,
        routes::health::healthz, routes::health::readyz,
    ),
    components(schemas(jifen_shared::problem::Problem, jifen_shared::problem::FieldError)),
    modifiers(&BearerAuth)
)]
pub struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .build(),
            ),
        );
    }
}

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(SwaggerUi::new("/api/docs/{_:.*}").url("/api/openapi.json", ApiDoc::openapi()))
        .route(
            "/api/docs",
            web::get().to(|| async {
                actix_web::HttpResponse::Found()
                    .insert_header((actix_web::http::header::LOCATION, "/api/docs/"))
                    .finish()
            }),
        );
}
