use std::future::{ready, Ready};

use actix_web::dev::Payload;
use actix_web::{get, post, web, FromRequest, HttpRequest, HttpResponse};
use jifen_shared::api::{
    AcceptFeedbackRequest, BoardQuery, BoardView, BulkDismissRequest, BulkDismissed, ExportQuery,
    FeedbackPage, FeedbackQuery, FeedbackRequest, FeedbackView, QuarterReviewView, ReasonRequest,
};
use jifen_shared::domain::CycleQuarter;
use jifen_shared::words::Word;

use crate::error::{invalid, AppError, AppResult, FieldIssue};
use crate::http::answers;
use crate::http::client::ClientAddr;
use crate::http::download::{self, FileFormat};
use crate::http::state::AppState;
use crate::infra::read_cache::Key;
use crate::services::access::Access;
use crate::services::admin::codes;
use crate::services::feedback::{ListFilter, NewFeedback};
use crate::services::{self, quarters};

fn quarter_of(year: i32, quarter: u8) -> AppResult<CycleQuarter> {
    CycleQuarter::parse(year, quarter).map_err(|_| AppError::Validation(vec![invalid::quarter()]))
}

/// The branch and quarter a `/branches/{id}/quarters/{year}/{quarter}…` path names, parsed once
/// for every route under it.
pub struct BranchQuarter {
    pub branch: String,
    pub quarter: CycleQuarter,
}

impl FromRequest for BranchQuarter {
    type Error = AppError;
    type Future = Ready<Result<Self, AppError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let parsed = web::Path::<(String, i32, u8)>::extract(req)
            .into_inner()
            .map_err(|e| AppError::Malformed(e.to_string()))
            .and_then(|path| {
                let (branch, year, quarter) = path.into_inner();
                Ok(BranchQuarter {
                    branch,
                    quarter: quarter_of(year, quarter)?,
                })
            });
        ready(parsed)
    }
}

/// The secretary signs the quarter (书记签字确认); every deed of it must be decided. Members below
/// the branch's alert line are told (积分预警).
#[utoipa::path(post, path = "/api/v1/branches/{id}/quarters/{year}/{quarter}/sign", tag = "quarters",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "branch id"), ("year" = i32, Path, minimum = 2000, maximum = 2100), ("quarter" = u8, Path, minimum = 1, maximum = 4)),
    responses((status = 200, body = QuarterReviewView),
        (status = 400, response = answers::BadRequest),
        (status = 401, response = answers::Unauthorized),
        (status = 403, response = answers::Forbidden),
        (status = 404, response = answers::NotFound),
        (status = 409, response = answers::Conflict),
        (status = 422, response = answers::Unprocessable)))]
#[post("/branches/{id}/quarters/{year}/{quarter}/sign")]
pub async fn sign(
    state: web::Data<AppState>,
    access: Access,
    at: BranchQuarter,
) -> AppResult<web::Json<QuarterReviewView>> {
    let BranchQuarter { branch, quarter } = at;
    let (review, queued) = quarters::sign(
        &state.db,
        state.now(),
        &state.templates,
        &access,
        &branch,
        quarter,
    )
    .await?;
    state.sent(queued);
    Ok(web::Json(review))
}

/// Where a branch's quarter stands: open, signed or published, and how many reports still wait
/// (the branch's committee). With `?format=csv` (UTF-8 with a byte-order mark) or
/// `?format=xlsx`: the quarter's board as posted, to keep or print (the members' standings, and in
/// the workbook a second sheet of the quarter's additions and deductions), names as the board
/// shows them; 404 `board.not_found` until the quarter is posted.
#[utoipa::path(get, path = "/api/v1/branches/{id}/quarters/{year}/{quarter}", tag = "quarters",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "branch id"), ("year" = i32, Path, minimum = 2000, maximum = 2100), ("quarter" = u8, Path, minimum = 1, maximum = 4), ExportQuery),
    responses((status = 200, description = "the quarter's status, or its posted board as a file", content((QuarterReviewView = "application/json"), (String = "text/csv"), (Vec<u8> = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))),
        (status = 400, response = answers::BadRequest),
        (status = 401, response = answers::Unauthorized),
        (status = 403, response = answers::Forbidden),
        (status = 404, response = answers::NotFound),
        (status = 422, response = answers::Unprocessable)))]
#[get("/branches/{id}/quarters/{year}/{quarter}")]
pub async fn status(
    req: HttpRequest,
    state: web::Data<AppState>,
    access: Access,
    at: BranchQuarter,
    query: web::Query<ExportQuery>,
) -> AppResult<HttpResponse> {
    let BranchQuarter { branch, quarter } = at;
    let db = state.db.conn();
    match FileFormat::asked(query.format) {
        None => Ok(HttpResponse::Ok().json(quarters::status(db, &access, &branch, quarter).await?)),
        Some(file) => {
            let posted = quarters::posted_board(db, &access, &branch, quarter).await?;
            download::download(&req, file, services::export::board::export(&posted)).await
        }
    }
}

/// The secretary posts a signed quarter on the public board (张榜公布); members are told.
#[utoipa::path(post, path = "/api/v1/branches/{id}/quarters/{year}/{quarter}/publish", tag = "quarters",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "branch id"), ("year" = i32, Path, minimum = 2000, maximum = 2100), ("quarter" = u8, Path, minimum = 1, maximum = 4)),
    responses((status = 200, body = QuarterReviewView),
        (status = 400, response = answers::BadRequest),
        (status = 401, response = answers::Unauthorized),
        (status = 403, response = answers::Forbidden),
        (status = 404, response = answers::NotFound),
        (status = 409, response = answers::Conflict),
        (status = 422, response = answers::Unprocessable)))]
#[post("/branches/{id}/quarters/{year}/{quarter}/publish")]
pub async fn publish(
    state: web::Data<AppState>,
    access: Access,
    at: BranchQuarter,
) -> AppResult<web::Json<QuarterReviewView>> {
    let BranchQuarter { branch, quarter } = at;
    let (review, queued) = quarters::publish(
        &state.db,
        state.now(),
        &state.templates,
        &access,
        &branch,
        quarter,
    )
    .await?;
    state.sent(queued);
    Ok(web::Json(review))
}

/// A branch's public board for the masses, without sign-in: the latest posted quarter, or the one
/// asked for.
#[utoipa::path(get, path = "/api/v1/public/branches/{code}/board", tag = "quarters",
    params(("code" = String, Path, description = "the branch's public code"), BoardQuery),
    responses((status = 200, body = BoardView),
        (status = 400, response = answers::BadRequest),
        (status = 404, response = answers::NotFound),
        (status = 422, response = answers::Unprocessable)))]
#[get("/public/branches/{code}/board")]
pub async fn board(
    state: web::Data<AppState>,
    path: web::Path<String>,
    query: web::Query<BoardQuery>,
) -> AppResult<HttpResponse> {
    let quarter = match (query.year, query.quarter) {
        (None, None) => None,
        (Some(y), Some(q)) => Some(quarter_of(y, q)?),
        _ => {
            return Err(AppError::Validation(vec![FieldIssue::worded(
                "quarter",
                "query.invalid",
                Word::GiveYearAndQuarterTogether,
            )]));
        }
    };
    // Issue 15: a board changes only when its branch writes, and a popular one (a QR code on
    // the village wall) is opened by many phones at once, so it is kept per branch. Only a
    // code that found a board is ever kept under its key.
    let asked = path.into_inner();
    let key = Key::Board {
        code: asked.clone(),
        quarter: quarter.map(|q| (q.year, q.quarter)),
    };
    state
        .reads
        .json(key, async {
            // A code the branch gave up still finds it: mini program links shared before the
            // change.
            let code = codes::resolve(state.db.conn(), &asked).await?;
            quarters::board(state.db.conn(), &code, quarter).await
        })
        .await
}

/// Give feedback on a posted quarter, optionally about one member on the board; no sign-in.
/// One sender (client address) may keep a limited number waiting on a quarter.
#[utoipa::path(post, path = "/api/v1/public/branches/{code}/feedback", tag = "quarters",
    params(("code" = String, Path, description = "the branch's public code")),
    request_body = FeedbackRequest,
    responses((status = 202, body = FeedbackView),
        (status = 400, response = answers::BadRequest),
        (status = 404, response = answers::NotFound),
        (status = 422, response = answers::Unprocessable),
        (status = 429, response = answers::TooManyRequests)))]
#[post("/public/branches/{code}/feedback")]
pub async fn give_feedback(
    state: web::Data<AppState>,
    client: ClientAddr,
    path: web::Path<String>,
    body: web::Json<FeedbackRequest>,
) -> AppResult<HttpResponse> {
    let given = NewFeedback::try_from(&*body)?;
    let sender = state.feedback_senders.hash(&client.client().to_string());
    let code = codes::resolve(state.db.conn(), &path).await?;
    let received =
        services::feedback::receive(&state.db, state.now(), &code, given, &sender).await?;
    Ok(HttpResponse::Accepted().json(received))
}

/// The masses' feedback on a quarter, for the branch's committee: oldest first, a page at a
/// time, optionally only one status (`received` is waiting), with the quarter's counts.
#[utoipa::path(get, path = "/api/v1/branches/{id}/quarters/{year}/{quarter}/feedback", tag = "quarters",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "branch id"), ("year" = i32, Path, minimum = 2000, maximum = 2100), ("quarter" = u8, Path, minimum = 1, maximum = 4), FeedbackQuery),
    responses((status = 200, body = FeedbackPage),
        (status = 400, response = answers::BadRequest),
        (status = 401, response = answers::Unauthorized),
        (status = 403, response = answers::Forbidden),
        (status = 404, response = answers::NotFound),
        (status = 422, response = answers::Unprocessable)))]
#[get("/branches/{id}/quarters/{year}/{quarter}/feedback")]
pub async fn feedback(
    state: web::Data<AppState>,
    access: Access,
    at: BranchQuarter,
    query: web::Query<FeedbackQuery>,
) -> AppResult<web::Json<FeedbackPage>> {
    let BranchQuarter { branch, quarter } = at;
    let filter = ListFilter::try_from(query.into_inner())?;
    Ok(web::Json(
        services::feedback::list(state.db.conn(), &access, &branch, quarter, filter).await?,
    ))
}

/// The committee sets many waiting pieces of feedback of the quarter aside at once (a flood of
/// spam), with one reason; feedback decided before is left as it is.
#[utoipa::path(post, path = "/api/v1/branches/{id}/quarters/{year}/{quarter}/feedback/dismiss", tag = "quarters",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "branch id"), ("year" = i32, Path, minimum = 2000, maximum = 2100), ("quarter" = u8, Path, minimum = 1, maximum = 4)),
    request_body = BulkDismissRequest,
    responses((status = 200, body = BulkDismissed),
        (status = 400, response = answers::BadRequest),
        (status = 401, response = answers::Unauthorized),
        (status = 403, response = answers::Forbidden),
        (status = 404, response = answers::NotFound),
        (status = 422, response = answers::Unprocessable)))]
#[post("/branches/{id}/quarters/{year}/{quarter}/feedback/dismiss")]
pub async fn dismiss_many_feedback(
    state: web::Data<AppState>,
    access: Access,
    at: BranchQuarter,
    body: web::Json<BulkDismissRequest>,
) -> AppResult<web::Json<BulkDismissed>> {
    let BranchQuarter { branch, quarter } = at;
    Ok(web::Json(
        services::feedback::dismiss_many(
            &state.db,
            state.now(),
            &access,
            &branch,
            quarter,
            body.into_inner(),
        )
        .await?,
    ))
}

/// The committee turns feedback into a proposed deduction for the member it is about (or
/// `member_id` when it names nobody; another member than the one named is 422), with a deduction
/// item of the branch's catalogue and a reason. A second committee member confirms it
/// (`POST /deductions/{deduction_id}/confirm`); only then is the entry written and the member told.
#[utoipa::path(post, path = "/api/v1/feedback/{id}/accept", tag = "quarters", security(("bearer" = [])),
    params(("id" = String, Path)), request_body = AcceptFeedbackRequest,
    responses((status = 200, body = FeedbackView),
        (status = 400, response = answers::BadRequest),
        (status = 401, response = answers::Unauthorized),
        (status = 403, response = answers::Forbidden),
        (status = 404, response = answers::NotFound),
        (status = 409, response = answers::Conflict),
        (status = 422, response = answers::Unprocessable)))]
#[post("/feedback/{id}/accept")]
pub async fn accept_feedback(
    state: web::Data<AppState>,
    access: Access,
    id: web::Path<String>,
    body: web::Json<AcceptFeedbackRequest>,
) -> AppResult<web::Json<FeedbackView>> {
    let decision = services::feedback::Decision::Accept(body.into_inner());
    Ok(web::Json(
        services::feedback::decide(&state.db, state.now(), &access, &id, decision).await?,
    ))
}

/// The committee sets feedback aside, with a reason.
#[utoipa::path(post, path = "/api/v1/feedback/{id}/dismiss", tag = "quarters", security(("bearer" = [])),
    params(("id" = String, Path)), request_body = ReasonRequest,
    responses((status = 200, body = FeedbackView),
        (status = 400, response = answers::BadRequest),
        (status = 401, response = answers::Unauthorized),
        (status = 403, response = answers::Forbidden),
        (status = 404, response = answers::NotFound),
        (status = 409, response = answers::Conflict),
        (status = 422, response = answers::Unprocessable)))]
#[post("/feedback/{id}/dismiss")]
pub async fn dismiss_feedback(
    state: web::Data<AppState>,
    access: Access,
    id: web::Path<String>,
    body: web::Json<ReasonRequest>,
) -> AppResult<web::Json<FeedbackView>> {
    let decision = services::feedback::Decision::Dismiss(body.into_inner().reason);
    Ok(web::Json(
        services::feedback::decide(&state.db, state.now(), &access, &id, decision).await?,
    ))
}
