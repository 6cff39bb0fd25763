//! The OpenAPI description, generated from the handlers, and the Swagger UI page.
//!
//! The document is a contract: the WeChat mini program is generated from it, and
//! `scripts/contract.sh` fuzzes the running server against it. Every error answer is one of the
//! shared responses of [`answers`] (`application/problem+json`, the `Problem` schema); each route lists
//! every status it can send by referring to them, and [`ServerFailures`] adds 500 and 503 to every
//! API operation.

use actix_web::web;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{Ref, RefOr};
use utoipa::{Modify, OpenApi};
use utoipa_swagger_ui::SwaggerUi;

use crate::http::answers;
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
        routes::wechat::wechat_login, routes::wechat::wechat_bind, routes::wechat::issue_invite, routes::wechat::confirm_invite, routes::wechat::pending_invites, routes::wechat::unbind,
        routes::me::me, routes::me::set_password,
        routes::notifications::list, routes::notifications::mark_read, routes::notifications::mark_all_read,
        routes::notifications::subscribe, routes::notifications::subscriptions,
        routes::rules::list, routes::rules::create, routes::rules::patch,
        routes::rules::versions,
        routes::deeds::submit, routes::deeds::list, routes::deeds::get, routes::deeds::revise, routes::deeds::history,
        routes::deeds::approve, routes::deeds::reject, routes::deeds::return_for_information, routes::deeds::withdraw,
        routes::deeds::revoke,
        routes::points::member_points,
        routes::quarters::sign, routes::quarters::publish, routes::quarters::board,
        routes::quarters::give_feedback, routes::quarters::feedback, routes::quarters::status,
        routes::quarters::accept_feedback, routes::quarters::dismiss_feedback, routes::quarters::dismiss_many_feedback,
        routes::photos::upload, routes::photos::download,
        routes::deductions::propose, routes::deductions::confirm, routes::deductions::drop_proposal, routes::deductions::list,
        routes::settings::get, routes::settings::patch,
        routes::standing::alerts, routes::standing::notify, routes::standing::member_standing, routes::grading::close, routes::grading::grades, routes::grading::adjust, routes::grading::confirm,
        routes::appeals::file, routes::appeals::list, routes::appeals::get, routes::appeals::uphold, routes::appeals::overturn,
        routes::year::get, routes::year::open, routes::year::award,
        routes::public_pages::member_statement,
        routes::migrant::attach, routes::migrant::detach, routes::migrant::attest,
        routes::meetings::schedule, routes::meetings::list, routes::meetings::get, routes::meetings::checkin_code, routes::meetings::checkin, routes::meetings::ask_leave, routes::meetings::grant_leave, routes::meetings::refuse_leave, routes::meetings::close, routes::meetings::attendance,
        // Issue 14: stats (add this part's paths below this line)
        routes::stats::stats,
        // Issue 14: exports (add this part's paths below this line)
        routes::ledger::ledger,
        // Issue 14: roster (add this part's paths below this line)
        routes::roster::list, routes::roster::add, routes::roster::edit, routes::roster::transfer, routes::roster::deactivate, routes::roster::import, routes::roster::template,
        // Issue 14: ratings (add this part's paths below this line)
        routes::ratings::rules, routes::ratings::put_rules, routes::ratings::ratings, routes::ratings::adjust,
        // Issue 14: admin (add this part's paths below this line)
        routes::orgs::tree, routes::orgs::unit, routes::orgs::create, routes::orgs::patch, routes::roles::list, routes::roles::grant, routes::roles::revoke, routes::invites::list, routes::invites::revoke,
        routes::health::healthz, routes::health::readyz,
    ),
    components(
        schemas(jifen_shared::problem::Problem, jifen_shared::problem::FieldError),
        responses(answers::BadRequest, answers::Unauthorized, answers::Forbidden, answers::NotFound,
            answers::Conflict, answers::Unprocessable, answers::TooManyRequests, answers::ServiceBusy,
            answers::Unavailable, answers::InternalError),
    ),
    modifiers(&BearerAuth, &ServerFailures)
)]
pub struct ApiDoc;

/// Adds what every API operation can answer whatever it is asked: 500 (a failure on the server)
/// and 503 (the database cannot be reached; operations that can also be busy list
/// [`answers::ServiceBusy`] themselves).
struct ServerFailures;

impl Modify for ServerFailures {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let answer = |name: &str| RefOr::Ref(Ref::from_response_name(name));
        for (path, item) in openapi.paths.paths.iter_mut() {
            if !path.starts_with("/api/") {
                continue;
            }
            for op in [
                &mut item.get,
                &mut item.put,
                &mut item.post,
                &mut item.delete,
                &mut item.patch,
            ]
            .into_iter()
            .flatten()
            {
                let listed = &mut op.responses.responses;
                listed
                    .entry("500".into())
                    .or_insert_with(|| answer("InternalError"));
                listed
                    .entry("503".into())
                    .or_insert_with(|| answer("Unavailable"));
            }
        }
    }
}

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
