//! Meetings (三会一课, 主题党日): scheduling, check-in with the rotating code or from afar, leave,
//! closing into base points, and the attendance figures.

use actix_web::{get, post, web, HttpResponse};
use jifen_shared::api::{
    AttendanceQuery, AttendanceReport, CheckinCode, CheckinRequest, CheckinView, LeaveRequestBody,
    LeaveRequestView, MeetingClosed, MeetingDetail, MeetingList, NewMeetingRequest, ReasonRequest,
};
use jifen_shared::domain::Reason;
use jifen_shared::i18n::Lang;
use jifen_shared::words::Word;

use crate::error::{invalid, AppError, AppResult};
use crate::http::answers;
use crate::http::html::qr_svg;
use crate::http::state::AppState;
use crate::services::access::Access;
use crate::services::meetings::checkin::{checkin as check_in, Presence};
use crate::services::meetings::close::close as close_meeting;
use crate::services::meetings::leave::{ask, decide, Decision};
use crate::services::meetings::report::report;
use crate::services::meetings::schedule::{schedule as schedule_meeting, NewMeeting};
use crate::services::meetings::{self as service};

fn reason(raw: &str) -> AppResult<Reason> {
    Reason::parse(raw).map_err(|e| AppError::field("reason", &e))
}

/// Schedule a meeting of the branch (or migrant members' organisation): its secretary or an
/// administrator above it. `attendance_rule_id` (a base item) and `absence_rule_id` (a
/// deduction item) are what closing writes; either may be left out. Audited.
#[utoipa::path(post, path = "/api/v1/branches/{id}/meetings", tag = "meetings", security(("bearer" = [])),
    params(("id" = String, Path, description = "branch or migrant organisation id")),
    request_body = NewMeetingRequest,
    responses((status = 201, body = jifen_shared::api::MeetingView),
        (status = 400, response = answers::BadRequest),
        (status = 401, response = answers::Unauthorized),
        (status = 403, response = answers::Forbidden),
        (status = 404, response = answers::NotFound),
        (status = 422, response = answers::Unprocessable)))]
#[post("/branches/{id}/meetings")]
pub async fn schedule(
    state: web::Data<AppState>,
    access: Access,
    id: web::Path<String>,
    body: web::Json<NewMeetingRequest>,
) -> AppResult<HttpResponse> {
    let new = NewMeeting::try_from(body.into_inner())?;
    Ok(HttpResponse::Created()
        .json(schedule_meeting(&state.db, state.now(), &access, &id, new).await?))
}

/// The meetings of a branch (or migrant organisation), the latest first (at most 200), each
/// with the caller's own part in it.
#[utoipa::path(get, path = "/api/v1/branches/{id}/meetings", tag = "meetings", security(("bearer" = [])),
    params(("id" = String, Path, description = "branch or migrant organisation id")),
    responses((status = 200, body = MeetingList),
        (status = 400, response = answers::BadRequest),
        (status = 401, response = answers::Unauthorized),
        (status = 404, response = answers::NotFound)))]
#[get("/branches/{id}/meetings")]
pub async fn list(
    state: web::Data<AppState>,
    access: Access,
    id: web::Path<String>,
) -> AppResult<web::Json<MeetingList>> {
    Ok(web::Json(MeetingList {
        items: service::list(state.db.conn(), &access, &id).await?,
    }))
}

/// One meeting; for its committee, with the attendance sheet: who checked in on site or
/// remotely, who is on leave, who is missing, and the rate.
#[utoipa::path(get, path = "/api/v1/meetings/{id}", tag = "meetings", security(("bearer" = [])),
    params(("id" = String, Path, description = "meeting id")),
    responses((status = 200, body = MeetingDetail),
        (status = 400, response = answers::BadRequest),
        (status = 401, response = answers::Unauthorized),
        (status = 404, response = answers::NotFound)))]
#[get("/meetings/{id}")]
pub async fn get(
    state: web::Data<AppState>,
    access: Access,
    id: web::Path<String>,
) -> AppResult<web::Json<MeetingDetail>> {
    Ok(web::Json(
        service::detail(state.db.conn(), &access, &id).await?,
    ))
}

/// The current check-in code and a QR code of it, for the screen at the meeting (committee,
/// secretary, administrators). It changes every 30 s at `expires_at`; the one before stays
/// valid 30 s more.
#[utoipa::path(get, path = "/api/v1/meetings/{id}/checkin-code", tag = "meetings", security(("bearer" = [])),
    params(("id" = String, Path, description = "meeting id")),
    responses((status = 200, body = CheckinCode),
        (status = 400, response = answers::BadRequest),
        (status = 401, response = answers::Unauthorized),
        (status = 403, response = answers::Forbidden),
        (status = 404, response = answers::NotFound)))]
#[get("/meetings/{id}/checkin-code")]
pub async fn checkin_code(
    state: web::Data<AppState>,
    access: Access,
    id: web::Path<String>,
    req: actix_web::HttpRequest,
) -> AppResult<HttpResponse> {
    let lang: Lang = crate::http::middleware::lang_of(req.headers());
    let m = service::reviewed(state.db.conn(), &access, &id).await?;
    let (code, expires_at) = state.checkin_codes.current(&m.id, state.now());
    let qr = qr_svg(&code, Word::MeetingCheckinScan.text(lang)).into_string();
    Ok(HttpResponse::Ok()
        .insert_header((actix_web::http::header::CACHE_CONTROL, "no-store"))
        .json(CheckinCode {
            code,
            expires_at,
            qr_svg: qr,
        }))
}

/// Check in: `{code}` with the code on the screen at the meeting, or `{remote: true}` where the
/// meeting allows remote attendance; from 30 minutes before the start to the end, once (409
/// the second time). A wrong, stale or other meeting's code is 422 `meeting.code_invalid`.
#[utoipa::path(post, path = "/api/v1/meetings/{id}/checkin", tag = "meetings", security(("bearer" = [])),
    params(("id" = String, Path, description = "meeting id")), request_body = CheckinRequest,
    responses((status = 201, body = CheckinView),
        (status = 400, response = answers::BadRequest),
        (status = 401, response = answers::Unauthorized),
        (status = 403, response = answers::Forbidden),
        (status = 404, response = answers::NotFound),
        (status = 409, response = answers::Conflict),
        (status = 422, response = answers::Unprocessable)))]
#[post("/meetings/{id}/checkin")]
pub async fn checkin(
    state: web::Data<AppState>,
    access: Access,
    id: web::Path<String>,
    body: web::Json<CheckinRequest>,
) -> AppResult<HttpResponse> {
    let presence = Presence::try_from(body.into_inner())?;
    let done = check_in(
        &state.db,
        state.now(),
        &state.checkin_codes,
        &access,
        &id,
        presence,
    )
    .await?;
    Ok(HttpResponse::Created().json(done))
}

/// Ask for leave from a meeting one is expected at, with a reason; once, before it closes.
#[utoipa::path(post, path = "/api/v1/meetings/{id}/leave-requests", tag = "meetings", security(("bearer" = [])),
    params(("id" = String, Path, description = "meeting id")), request_body = LeaveRequestBody,
    responses((status = 201, body = LeaveRequestView),
        (status = 400, response = answers::BadRequest),
        (status = 401, response = answers::Unauthorized),
        (status = 403, response = answers::Forbidden),
        (status = 404, response = answers::NotFound),
        (status = 409, response = answers::Conflict),
        (status = 422, response = answers::Unprocessable)))]
#[post("/meetings/{id}/leave-requests")]
pub async fn ask_leave(
    state: web::Data<AppState>,
    access: Access,
    id: web::Path<String>,
    body: web::Json<LeaveRequestBody>,
) -> AppResult<HttpResponse> {
    let reason = reason(&body.reason)?;
    Ok(HttpResponse::Created().json(ask(&state.db, state.now(), &access, &id, reason).await?))
}

/// Grant leave (the meeting's secretary or an administrator above), once, before it closes.
#[utoipa::path(post, path = "/api/v1/leave-requests/{id}/grant", tag = "meetings", security(("bearer" = [])),
    params(("id" = String, Path, description = "leave request id")),
    responses((status = 200, body = LeaveRequestView),
        (status = 400, response = answers::BadRequest),
        (status = 401, response = answers::Unauthorized),
        (status = 403, response = answers::Forbidden),
        (status = 404, response = answers::NotFound),
        (status = 409, response = answers::Conflict)))]
#[post("/leave-requests/{id}/grant")]
pub async fn grant_leave(
    state: web::Data<AppState>,
    access: Access,
    id: web::Path<String>,
) -> AppResult<web::Json<LeaveRequestView>> {
    Ok(web::Json(
        decide(&state.db, state.now(), &access, &id, Decision::Grant).await?,
    ))
}

/// Refuse leave, with a reason the member reads; same people and times as granting.
#[utoipa::path(post, path = "/api/v1/leave-requests/{id}/refuse", tag = "meetings", security(("bearer" = [])),
    params(("id" = String, Path, description = "leave request id")), request_body = ReasonRequest,
    responses((status = 200, body = LeaveRequestView),
        (status = 400, response = answers::BadRequest),
        (status = 401, response = answers::Unauthorized),
        (status = 403, response = answers::Forbidden),
        (status = 404, response = answers::NotFound),
        (status = 409, response = answers::Conflict),
        (status = 422, response = answers::Unprocessable)))]
#[post("/leave-requests/{id}/refuse")]
pub async fn refuse_leave(
    state: web::Data<AppState>,
    access: Access,
    id: web::Path<String>,
    body: web::Json<ReasonRequest>,
) -> AppResult<web::Json<LeaveRequestView>> {
    let reason = reason(&body.reason)?;
    Ok(web::Json(
        decide(
            &state.db,
            state.now(),
            &access,
            &id,
            Decision::Refuse(reason),
        )
        .await?,
    ))
}

/// Close the meeting (its secretary or an administrator above), once, after it ends: everyone
/// expected who did not check in and has no granted leave is absent; attendance earns the
/// meeting's attendance item, absence without leave takes its absence item; one transaction,
/// audited. A second close is 409 and writes nothing.
#[utoipa::path(post, path = "/api/v1/meetings/{id}/close", tag = "meetings", security(("bearer" = [])),
    params(("id" = String, Path, description = "meeting id")),
    responses((status = 200, body = MeetingClosed),
        (status = 400, response = answers::BadRequest),
        (status = 401, response = answers::Unauthorized),
        (status = 403, response = answers::Forbidden),
        (status = 404, response = answers::NotFound),
        (status = 409, response = answers::Conflict)))]
#[post("/meetings/{id}/close")]
pub async fn close(
    state: web::Data<AppState>,
    access: Access,
    id: web::Path<String>,
) -> AppResult<web::Json<MeetingClosed>> {
    Ok(web::Json(
        close_meeting(&state.db, state.now(), &access, &id).await?,
    ))
}

/// Attendance over the closed meetings of a cycle year, per member and per meeting, for the
/// committee, the secretary and administrators above.
#[utoipa::path(get, path = "/api/v1/branches/{id}/attendance", tag = "meetings", security(("bearer" = [])),
    params(("id" = String, Path, description = "branch or migrant organisation id"), AttendanceQuery),
    responses((status = 200, body = AttendanceReport),
        (status = 400, response = answers::BadRequest),
        (status = 401, response = answers::Unauthorized),
        (status = 403, response = answers::Forbidden),
        (status = 404, response = answers::NotFound),
        (status = 422, response = answers::Unprocessable)))]
#[get("/branches/{id}/attendance")]
pub async fn attendance(
    state: web::Data<AppState>,
    access: Access,
    id: web::Path<String>,
    q: web::Query<AttendanceQuery>,
) -> AppResult<web::Json<AttendanceReport>> {
    if q.year.is_some_and(|y| !(2000..=2100).contains(&y)) {
        return Err(AppError::Validation(vec![invalid::year()]));
    }
    Ok(web::Json(
        report(state.db.conn(), state.now(), &access, &id, q.year).await?,
    ))
}
