//! The one API client. Every call returns `Result<T, ApiError>`, uses the `jifen-shared` wire
//! types, sends the reader's language, and renews an expired access token once, transparently.

use std::cell::{Cell, RefCell};

use jifen_shared::api::*;
use jifen_shared::i18n::Lang;
use jifen_shared::problem::Problem;
use jifen_shared::words::Word;
use serde::de::DeserializeOwned;
use serde::Serialize;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{Headers, Request, RequestInit, Response};

use crate::session;

#[derive(Debug, Clone, PartialEq)]
pub enum ApiError {
    /// The server could not be reached: offline, weak signal, server down.
    Network,
    /// The server answered with a problem.
    Problem(Problem),
    /// The answer could not be read (a version mismatch, most likely).
    Decode(String),
    /// The session is over; sign in again.
    SignedOut,
}

impl ApiError {
    pub fn message(&self, lang: Lang) -> String {
        match self {
            ApiError::Network => Word::NetworkDown.text(lang).into(),
            ApiError::Problem(p) => p.message.clone(),
            ApiError::Decode(_) => Word::AnswerUnreadable.text(lang).into(),
            ApiError::SignedOut => Word::SessionEnded.text(lang).into(),
        }
    }

    /// Per-field errors of a validation problem.
    pub fn field_errors(&self) -> Vec<jifen_shared::problem::FieldError> {
        match self {
            ApiError::Problem(p) => p.errors.clone(),
            _ => Vec::new(),
        }
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message(session::stored_lang()))
    }
}

impl std::error::Error for ApiError {}

thread_local! {
    static REFRESHING: Cell<bool> = const { Cell::new(false) };
    static ON_SIGNED_OUT: RefCell<Option<Box<dyn Fn()>>> = const { RefCell::new(None) };
}

/// What to do when the session ends (the app shows the login page).
pub fn on_signed_out(f: impl Fn() + 'static) {
    ON_SIGNED_OUT.with(|c| *c.borrow_mut() = Some(Box::new(f)));
}

fn signed_out() -> ApiError {
    session::clear_tokens();
    ON_SIGNED_OUT.with(|c| {
        if let Some(f) = c.borrow().as_ref() {
            f();
        }
    });
    ApiError::SignedOut
}

enum Body {
    None,
    Json(String),
    Form(web_sys::FormData),
}

async fn fetch(
    method: &str,
    path: &str,
    body: &Body,
    token: Option<&str>,
) -> Result<Response, ApiError> {
    let window = web_sys::window().ok_or(ApiError::Network)?;
    let headers = Headers::new().map_err(|_| ApiError::Network)?;
    let _ = headers.set("Accept-Language", session::stored_lang().tag());
    let _ = headers.set("Accept", "application/json");
    if let Some(t) = token {
        let _ = headers.set("Authorization", &format!("Bearer {t}"));
    }
    let init = RequestInit::new();
    init.set_method(method);
    match body {
        Body::None => {}
        Body::Json(s) => {
            let _ = headers.set("Content-Type", "application/json");
            init.set_body(&JsValue::from_str(s));
        }
        Body::Form(f) => init.set_body(f),
    }
    init.set_headers(&headers);
    // The refresh cookie goes with requests to this origin only (what `fetch` does by default;
    // said here because the session depends on it).
    let _ = js_sys::Reflect::set(&init, &"credentials".into(), &"same-origin".into());
    let request = Request::new_with_str_and_init(path, &init).map_err(|_| ApiError::Network)?;
    let response = JsFuture::from(window.fetch_with_request(&request))
        .await
        .map_err(|_| ApiError::Network)?;
    response.dyn_into().map_err(|_| ApiError::Network)
}

async fn text(response: &Response) -> Result<String, ApiError> {
    let promise = response.text().map_err(|_| ApiError::Network)?;
    let value = JsFuture::from(promise)
        .await
        .map_err(|_| ApiError::Network)?;
    Ok(value.as_string().unwrap_or_default())
}

async fn sleep(ms: i32) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        if let Some(w) = web_sys::window() {
            let _ = w.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms);
        }
    });
    let _ = JsFuture::from(promise).await;
}

/// Renews the access token, once for all callers that found it expired at the same time
/// (a refresh token works only once; two refreshes with it would end the session).
async fn renew(expired: Option<String>) -> Result<(), ApiError> {
    if session::access_token() != expired {
        return Ok(()); // someone else renewed it meanwhile
    }
    if REFRESHING.with(Cell::get) {
        for _ in 0..200 {
            sleep(50).await;
            if !REFRESHING.with(Cell::get) {
                break;
            }
        }
        return if session::access_token().is_some() {
            Ok(())
        } else {
            Err(ApiError::SignedOut)
        };
    }
    if !session::signed_in() {
        return Err(signed_out());
    }
    REFRESHING.with(|r| r.set(true));
    // An empty body: the refresh token is the `jifen_refresh` cookie.
    let body = Body::Json("{}".into());
    let result = fetch("POST", "/api/v1/auth/refresh", &body, None).await;
    REFRESHING.with(|r| r.set(false));
    let response = result?;
    if response.status() == 401 {
        return Err(signed_out());
    }
    let tokens: TokenResponse = parse(&body_of(&response).await?)?;
    session::store_tokens(&tokens);
    Ok(())
}

/// The body of a successful answer, or the problem the server described. Not generic, so the
/// async machinery exists once; only [`parse`] is instantiated per response type.
async fn body_of(response: &Response) -> Result<String, ApiError> {
    let body = text(response).await?;
    if response.ok() {
        return Ok(body);
    }
    Err(ApiError::Problem(
        serde_json::from_str(&body).unwrap_or_else(|_| Problem {
            status: response.status(),
            code: "http.error".into(),
            message: format!("HTTP {}", response.status()),
            errors: vec![],
            remaining: None,
            request_id: None,
        }),
    ))
}

fn parse<T: DeserializeOwned>(body: &str) -> Result<T, ApiError> {
    serde_json::from_str(body).map_err(|e| ApiError::Decode(e.to_string()))
}

/// Sends an authenticated request, renewing the access token once if it has expired.
async fn call(method: &str, path: &str, body: Body) -> Result<Response, ApiError> {
    let token = session::access_token();
    let response = fetch(method, path, &body, token.as_deref()).await?;
    if response.status() != 401 {
        return Ok(response);
    }
    renew(token).await?;
    let response = fetch(method, path, &body, session::access_token().as_deref()).await?;
    if response.status() == 401 {
        return Err(signed_out());
    }
    Ok(response)
}

/// An authenticated request's successful body.
async fn request(method: &str, path: &str, body: Body) -> Result<String, ApiError> {
    body_of(&call(method, path, body).await?).await
}

async fn get<T: DeserializeOwned>(path: &str) -> Result<T, ApiError> {
    parse(&request("GET", path, Body::None).await?)
}

async fn send<B: Serialize, T: DeserializeOwned>(
    method: &str,
    path: &str,
    body: &B,
) -> Result<T, ApiError> {
    let json = serde_json::to_string(body).map_err(|e| ApiError::Decode(e.to_string()))?;
    parse(&request(method, path, Body::Json(json)).await?)
}

fn encode(s: &str) -> String {
    js_sys::encode_uri_component(s)
        .as_string()
        .unwrap_or_default()
}

pub async fn login(username: &str, password: &str) -> Result<TokenResponse, ApiError> {
    let body = LoginRequest {
        username: username.to_owned(),
        password: password.to_owned(),
    };
    let json = serde_json::to_string(&body).map_err(|e| ApiError::Decode(e.to_string()))?;
    let response = fetch("POST", "/api/v1/auth/login", &Body::Json(json), None).await?;
    let tokens: TokenResponse = parse(&body_of(&response).await?)?;
    session::store_tokens(&tokens);
    Ok(tokens)
}

pub async fn logout() {
    // The session to end is the `jifen_refresh` cookie's; the answer clears the cookie.
    let _ = fetch(
        "POST",
        "/api/v1/auth/logout",
        &Body::Json("{}".into()),
        None,
    )
    .await;
    session::clear_tokens();
}

pub async fn me() -> Result<MeResponse, ApiError> {
    get("/api/v1/me").await
}

pub async fn rules(branch_id: &str) -> Result<Vec<RuleView>, ApiError> {
    get(&format!("/api/v1/branches/{}/rules", encode(branch_id))).await
}

pub async fn submit(req: &SubmitDeedRequest) -> Result<DeedView, ApiError> {
    send("POST", "/api/v1/deeds", req).await
}

pub async fn revise(id: &str, req: &ReviseDeedRequest) -> Result<DeedView, ApiError> {
    send("PUT", &format!("/api/v1/deeds/{}", encode(id)), req).await
}

pub async fn deeds(q: &DeedQuery) -> Result<DeedPage, ApiError> {
    let mut params = Vec::new();
    let mut add = |k: &str, v: Option<String>| {
        if let Some(v) = v {
            params.push(format!("{k}={}", encode(&v)));
        }
    };
    add("scope", q.scope.clone());
    add("branch_id", q.branch_id.clone());
    add("status", q.status.clone());
    add("member_id", q.member_id.clone());
    add("year", q.year.map(|y| y.to_string()));
    add("quarter", q.quarter.map(|y| y.to_string()));
    add("cursor", q.cursor.clone());
    add("limit", q.limit.map(|y| y.to_string()));
    get(&format!("/api/v1/deeds?{}", params.join("&"))).await
}

pub async fn deed(id: &str) -> Result<DeedView, ApiError> {
    get(&format!("/api/v1/deeds/{}", encode(id))).await
}

pub async fn history(id: &str) -> Result<DeedHistory, ApiError> {
    get(&format!("/api/v1/deeds/{}/history", encode(id))).await
}

/// What the committee decides on a deed. Everything but an approval needs the committee's reason.
#[derive(Debug, Clone, PartialEq)]
pub enum Decision {
    /// With the rule's standard points, or these.
    Approve {
        points: Option<i32>,
    },
    Reject {
        reason: String,
    },
    /// Back to the member, to add what is missing.
    Return {
        reason: String,
    },
    /// Takes back an approval: the ledger gets a reversal.
    Revoke {
        reason: String,
    },
}

pub async fn decide(id: &str, decision: Decision) -> Result<DeedView, ApiError> {
    let path = |verb: &str| format!("/api/v1/deeds/{}/{verb}", encode(id));
    let (verb, reason) = match decision {
        Decision::Approve { points } => {
            let body = ApproveRequest {
                points,
                comment: None,
            };
            return send("POST", &path("approve"), &body).await;
        }
        Decision::Reject { reason } => ("reject", reason),
        Decision::Return { reason } => ("return", reason),
        Decision::Revoke { reason } => ("revoke", reason),
    };
    send("POST", &path(verb), &ReasonRequest { reason }).await
}

/// The member takes back their own report.
pub async fn withdraw(id: &str) -> Result<DeedView, ApiError> {
    let body = ApproveRequest {
        points: None,
        comment: None,
    };
    send(
        "POST",
        &format!("/api/v1/deeds/{}/withdraw", encode(id)),
        &body,
    )
    .await
}

pub async fn points(member_id: &str, year: i32) -> Result<PointsSummary, ApiError> {
    get(&format!(
        "/api/v1/members/{}/points?year={year}",
        encode(member_id)
    ))
    .await
}

pub async fn upload_photo(blob: &web_sys::Blob) -> Result<PhotoView, ApiError> {
    let form = web_sys::FormData::new().map_err(|_| ApiError::Network)?;
    form.append_with_blob_and_filename("file", blob, "photo.jpg")
        .map_err(|_| ApiError::Network)?;
    parse(&request("POST", "/api/v1/photos", Body::Form(form)).await?)
}

/// What `path` answers, as an object URL the page can show, open or download: for answers that
/// need the access token, which `<img>`, links and new windows cannot send.
async fn object_url(path: &str) -> Result<String, ApiError> {
    let response = call("GET", path, Body::None).await?;
    if !response.ok() {
        return Err(body_of(&response).await.err().unwrap_or(ApiError::Network));
    }
    let blob = JsFuture::from(response.blob().map_err(|_| ApiError::Network)?)
        .await
        .map_err(|_| ApiError::Network)?;
    let blob: web_sys::Blob = blob.dyn_into().map_err(|_| ApiError::Network)?;
    web_sys::Url::create_object_url_with_blob(&blob).map_err(|_| ApiError::Network)
}

/// A photo as an object URL for `<img src>`.
pub async fn photo_url(id: &str) -> Result<String, ApiError> {
    object_url(&format!("/api/v1/photos/{}", encode(id))).await
}

/// Opens the member's printable points statement of `year` in place of the app (the browser's
/// back button returns); it prints on A4 with its check code.
pub async fn open_statement(member_id: &str, year: i32) -> Result<(), ApiError> {
    let url = object_url(&format!(
        "/api/v1/members/{}/statement?year={year}",
        encode(member_id)
    ))
    .await?;
    web_sys::window()
        .ok_or(ApiError::Network)?
        .location()
        .assign(&url)
        .map_err(|_| ApiError::Network)
}

fn quarter_path(branch_id: &str, year: i32, quarter: u8) -> String {
    format!(
        "/api/v1/branches/{}/quarters/{year}/{quarter}",
        encode(branch_id)
    )
}

/// Where a branch's quarter stands, for its committee.
pub async fn quarter(
    branch_id: &str,
    year: i32,
    quarter: u8,
) -> Result<QuarterReviewView, ApiError> {
    get(&quarter_path(branch_id, year, quarter)).await
}

/// The secretary's steps on a quarter: sign it (it takes no new entries), then post it on the
/// public board.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QuarterStep {
    Sign,
    Publish,
}

impl QuarterStep {
    /// The step's word in the API's path, also its button's id.
    pub fn as_str(self) -> &'static str {
        match self {
            QuarterStep::Sign => "sign",
            QuarterStep::Publish => "publish",
        }
    }
}

pub async fn quarter_step(
    branch_id: &str,
    year: i32,
    quarter: u8,
    step: QuarterStep,
) -> Result<QuarterReviewView, ApiError> {
    let path = format!(
        "{}/{}",
        quarter_path(branch_id, year, quarter),
        step.as_str()
    );
    send("POST", &path, &serde_json::json!({})).await
}

/// A page of the masses' feedback on a quarter, oldest first, for the committee; only `status`
/// when given; `cursor` for the page after one already shown.
pub async fn feedback_list(
    branch_id: &str,
    year: i32,
    quarter: u8,
    status: Option<jifen_shared::domain::FeedbackStatus>,
    cursor: Option<String>,
) -> Result<FeedbackPage, ApiError> {
    let mut query = Vec::new();
    if let Some(s) = status {
        query.push(format!("status={}", s.as_str()));
    }
    if let Some(c) = cursor {
        query.push(format!("cursor={}", encode(&c)));
    }
    get(&format!(
        "{}/feedback?{}",
        quarter_path(branch_id, year, quarter),
        query.join("&")
    ))
    .await
}

/// Sets many waiting pieces of a quarter's feedback aside with one reason.
pub async fn dismiss_many_feedback(
    branch_id: &str,
    year: i32,
    quarter: u8,
    req: &BulkDismissRequest,
) -> Result<BulkDismissed, ApiError> {
    send(
        "POST",
        &format!(
            "{}/feedback/dismiss",
            quarter_path(branch_id, year, quarter)
        ),
        req,
    )
    .await
}

pub async fn accept_feedback(
    id: &str,
    req: &AcceptFeedbackRequest,
) -> Result<FeedbackView, ApiError> {
    send(
        "POST",
        &format!("/api/v1/feedback/{}/accept", encode(id)),
        req,
    )
    .await
}

pub async fn dismiss_feedback(id: &str, reason: String) -> Result<FeedbackView, ApiError> {
    send(
        "POST",
        &format!("/api/v1/feedback/{}/dismiss", encode(id)),
        &ReasonRequest { reason },
    )
    .await
}

/// My messages, newest first; `cursor` for the page after one already shown.
pub async fn notifications(cursor: Option<String>) -> Result<NotificationPage, ApiError> {
    let query = cursor
        .map(|c| format!("?cursor={}", encode(&c)))
        .unwrap_or_default();
    get(&format!("/api/v1/me/notifications{query}")).await
}

/// Marks all my messages read.
pub async fn mark_all_read() -> Result<(), ApiError> {
    request("POST", "/api/v1/me/notifications/read-all", Body::None)
        .await
        .map(|_| ())
}

/// The branch's settings for the points year (its committee reads them).
pub async fn branch_settings(branch_id: &str) -> Result<BranchSettings, ApiError> {
    get(&format!("/api/v1/branches/{}/settings", encode(branch_id))).await
}

/// Changes the branch's settings (the secretary).
pub async fn patch_branch_settings(
    branch_id: &str,
    patch: &PatchBranchSettings,
) -> Result<BranchSettings, ApiError> {
    let path = format!("/api/v1/branches/{}/settings", encode(branch_id));
    send("PATCH", &path, patch).await
}

/// Adds an item to the branch's catalogue (the secretary).
pub async fn create_rule(branch_id: &str, req: &CreateRuleRequest) -> Result<RuleView, ApiError> {
    send(
        "POST",
        &format!("/api/v1/branches/{}/rules", encode(branch_id)),
        req,
    )
    .await
}

/// Changes an item: an edit of what it is worth or means makes its next version; `active`
/// retires it or brings it back.
pub async fn patch_rule(id: &str, req: &PatchRuleRequest) -> Result<RuleView, ApiError> {
    send("PATCH", &format!("/api/v1/rules/{}", encode(id)), req).await
}

/// An item's versions, newest first.
pub async fn rule_versions(id: &str) -> Result<Vec<RuleVersionView>, ApiError> {
    get(&format!("/api/v1/rules/{}/versions", encode(id))).await
}

/// A branch's points year: whether it is open, and each member's base points in it (the
/// committee).
pub async fn year(branch_id: &str, year: i32) -> Result<YearView, ApiError> {
    get(&format!(
        "/api/v1/branches/{}/years/{year}",
        encode(branch_id)
    ))
    .await
}

/// Opens the year, giving each member the base points (the secretary).
pub async fn open_year(branch_id: &str, year: i32) -> Result<YearView, ApiError> {
    let path = format!("/api/v1/branches/{}/years/{year}/open", encode(branch_id));
    send("POST", &path, &serde_json::json!({})).await
}

/// Awards a base item to many members at once, one entry each, all or none (the committee).
pub async fn award(branch_id: &str, req: &AwardRequest) -> Result<AwardResult, ApiError> {
    let path = format!("/api/v1/branches/{}/awards", encode(branch_id));
    send("POST", &path, req).await
}

/// Appeals a decision against me (积分申述): a rejected or returned deed, or a deduction.
pub async fn file_appeal(req: &FileAppealRequest) -> Result<AppealView, ApiError> {
    send("POST", "/api/v1/appeals", req).await
}

/// My appeals (`review` false) or those of the branches I review, newest first.
pub async fn appeals(review: bool) -> Result<AppealPage, ApiError> {
    let scope = if review { "review" } else { "mine" };
    get(&format!("/api/v1/appeals?scope={scope}&limit=100")).await
}

/// Upholds (`overturn` false) or overturns an appeal, with the reason the member will read.
pub async fn decide_appeal(
    id: &str,
    overturn: bool,
    reason: String,
) -> Result<AppealView, ApiError> {
    let verb = if overturn { "overturn" } else { "uphold" };
    send(
        "POST",
        &format!("/api/v1/appeals/{}/{verb}", encode(id)),
        &ReasonRequest { reason },
    )
    .await
}

/// Proposes a deduction for a member (违规扣分); it counts once a second committee member confirms.
pub async fn propose_deduction(
    member_id: &str,
    req: &ProposeDeductionRequest,
) -> Result<DeductionView, ApiError> {
    let path = format!("/api/v1/members/{}/deductions", encode(member_id));
    send("POST", &path, req).await
}

/// A branch's proposed deductions waiting for a second person, oldest first.
pub async fn waiting_deductions(branch_id: &str) -> Result<DeductionPage, ApiError> {
    get(&format!(
        "/api/v1/branches/{}/deductions?status=proposed&limit=100",
        encode(branch_id)
    ))
    .await
}

/// Confirms a proposed deduction (a second person): the entry is written, the member told.
pub async fn confirm_deduction(id: &str) -> Result<DeductionView, ApiError> {
    let path = format!("/api/v1/deductions/{}/confirm", encode(id));
    send("POST", &path, &serde_json::json!({})).await
}

/// Drops a proposed deduction with a reason (不予扣分).
pub async fn drop_deduction(id: &str, reason: String) -> Result<DeductionView, ApiError> {
    let path = format!("/api/v1/deductions/{}/drop", encode(id));
    send("POST", &path, &ReasonRequest { reason }).await
}

// Issue 13: standing — alerts (积分预警) and the year end (年终评定).

/// The members of a branch below its alert line at the end of a quarter (so far, while it runs).
pub async fn alerts(branch_id: &str, year: i32, quarter: u8) -> Result<AlertsView, ApiError> {
    get(&format!(
        "{}/alerts",
        quarter_path(branch_id, year, quarter)
    ))
    .await
}

/// Tells the members below the line, each once per quarter.
pub async fn notify_alerts(
    branch_id: &str,
    year: i32,
    quarter: u8,
) -> Result<AlertsNotified, ApiError> {
    let path = format!("{}/alerts/notify", quarter_path(branch_id, year, quarter));
    send("POST", &path, &serde_json::json!({})).await
}

/// Where a member stands against the branch's alert line, and what could help.
pub async fn standing(member_id: &str, year: i32) -> Result<MemberStanding, ApiError> {
    get(&format!(
        "/api/v1/members/{}/standing?year={year}",
        encode(member_id)
    ))
    .await
}

fn year_path(branch_id: &str, year: i32) -> String {
    format!("/api/v1/branches/{}/years/{year}", encode(branch_id))
}

/// A closed year's grades; `None` while the year is not closed (not an error: the screen offers
/// to close it).
pub async fn grades(branch_id: &str, year: i32) -> Result<Option<GradesView>, ApiError> {
    match get(&format!("{}/grades", year_path(branch_id, year))).await {
        Ok(view) => Ok(Some(view)),
        Err(ApiError::Problem(p)) if p.code == "grades.not_found" => Ok(None),
        Err(e) => Err(e),
    }
}

/// The secretary closes the year into grades.
pub async fn close_year(branch_id: &str, year: i32) -> Result<GradesView, ApiError> {
    let path = format!("{}/close", year_path(branch_id, year));
    send("POST", &path, &serde_json::json!({})).await
}

/// The committee changes one member's grade, with a reason.
pub async fn adjust_grade(
    branch_id: &str,
    year: i32,
    member_id: &str,
    req: &AdjustGradeRequest,
) -> Result<GradesView, ApiError> {
    let path = format!(
        "{}/grades/{}",
        year_path(branch_id, year),
        encode(member_id)
    );
    send("PATCH", &path, req).await
}

/// The secretary confirms the year's grades.
pub async fn confirm_grades(branch_id: &str, year: i32) -> Result<GradesView, ApiError> {
    let path = format!("{}/grades/confirm", year_path(branch_id, year));
    send("POST", &path, &serde_json::json!({})).await
}

/// Downloads the grades as a file (`csv` or `xlsx`): the request carries the access token, so a
/// plain link cannot; the answer is handed to the browser as a download.
pub async fn download_grades(branch_id: &str, year: i32, format: &str) -> Result<(), ApiError> {
    let path = format!("{}/grades?format={format}", year_path(branch_id, year));
    download(&path, &format!("grades-{year}.{format}")).await
}

/// Fetches `path` with the access token (which a plain link cannot carry) and hands the answer
/// to the browser as a download named `file_name`.
async fn download(path: &str, file_name: &str) -> Result<(), ApiError> {
    let url = object_url(path).await?;
    let document = web_sys::window()
        .and_then(|w| w.document())
        .ok_or(ApiError::Network)?;
    let link = document
        .create_element("a")
        .map_err(|_| ApiError::Network)?;
    let _ = link.set_attribute("href", &url);
    let _ = link.set_attribute("download", file_name);
    if let Ok(link) = link.dyn_into::<web_sys::HtmlElement>() {
        link.click();
    }
    let _ = web_sys::Url::revoke_object_url(&url);
    Ok(())
}

// Issue 12: meetings (三会一课, 主题党日).

/// The meetings of a branch (or migrant members' organisation), the latest first, each with my
/// part in it.
pub async fn meetings(unit_id: &str) -> Result<MeetingList, ApiError> {
    get(&format!("/api/v1/branches/{}/meetings", encode(unit_id))).await
}

/// Schedules a meeting (the secretary).
pub async fn schedule_meeting(
    unit_id: &str,
    req: &NewMeetingRequest,
) -> Result<MeetingView, ApiError> {
    let path = format!("/api/v1/branches/{}/meetings", encode(unit_id));
    send("POST", &path, req).await
}

/// One meeting; for its committee with the attendance sheet.
pub async fn meeting(id: &str) -> Result<MeetingDetail, ApiError> {
    get(&format!("/api/v1/meetings/{}", encode(id))).await
}

/// The check-in code on the screen at the meeting now, with its QR code (the committee).
pub async fn checkin_code(meeting_id: &str) -> Result<CheckinCode, ApiError> {
    get(&format!(
        "/api/v1/meetings/{}/checkin-code",
        encode(meeting_id)
    ))
    .await
}

/// Checks in with the code shown at the meeting (`code`), or from afar (`None`).
pub async fn check_in(meeting_id: &str, code: Option<String>) -> Result<CheckinView, ApiError> {
    let body = CheckinRequest {
        remote: code.is_none(),
        code,
    };
    let path = format!("/api/v1/meetings/{}/checkin", encode(meeting_id));
    send("POST", &path, &body).await
}

/// Asks the secretary for leave from a meeting.
pub async fn ask_leave(meeting_id: &str, reason: String) -> Result<LeaveRequestView, ApiError> {
    let path = format!("/api/v1/meetings/{}/leave-requests", encode(meeting_id));
    send("POST", &path, &LeaveRequestBody { reason }).await
}

/// Grants leave (`refusal` None) or refuses it with the reason the member reads.
pub async fn decide_leave(id: &str, refusal: Option<String>) -> Result<LeaveRequestView, ApiError> {
    match refusal {
        None => {
            let path = format!("/api/v1/leave-requests/{}/grant", encode(id));
            send("POST", &path, &serde_json::json!({})).await
        }
        Some(reason) => {
            let path = format!("/api/v1/leave-requests/{}/refuse", encode(id));
            send("POST", &path, &ReasonRequest { reason }).await
        }
    }
}

/// Closes the meeting after its end: the absent are marked, the points written.
pub async fn close_meeting(id: &str) -> Result<MeetingClosed, ApiError> {
    let path = format!("/api/v1/meetings/{}/close", encode(id));
    send("POST", &path, &serde_json::json!({})).await
}

/// The migrant organisation's committee co-signs a deed of a member attached to it.
pub async fn attest(deed_id: &str, comment: String) -> Result<DeedView, ApiError> {
    let path = format!("/api/v1/deeds/{}/attest", encode(deed_id));
    send("POST", &path, &AttestRequest { comment }).await
}

/// A branch's attendance over the closed meetings of `year`, per member and per meeting (the
/// committee).
pub async fn attendance(branch_id: &str, year: i32) -> Result<AttendanceReport, ApiError> {
    get(&format!(
        "/api/v1/branches/{}/attendance?year={year}",
        encode(branch_id)
    ))
    .await
}

// Issue 14: stats_app (add this part's calls below this line)

fn stats_path(org_id: &str, year: i32, quarter: Option<u8>) -> String {
    let quarter = quarter.map(|q| format!("&quarter={q}")).unwrap_or_default();
    format!("/api/v1/orgs/{}/stats?year={year}{quarter}", encode(org_id))
}

/// The figures of a unit and of each unit directly below it (for a branch, of each member) in a
/// year, or in one of its quarters.
pub async fn stats(org_id: &str, year: i32, quarter: Option<u8>) -> Result<OrgStats, ApiError> {
    get(&stats_path(org_id, year, quarter)).await
}

/// Downloads the same figures as a file (`csv` or `xlsx`) named `name`, for the paperwork upwards.
pub async fn download_stats(
    org_id: &str,
    year: i32,
    quarter: Option<u8>,
    format: &str,
    name: &str,
) -> Result<(), ApiError> {
    let path = format!("{}&format={format}", stats_path(org_id, year, quarter));
    download(&path, &format!("{name}.{format}")).await
}
// Issue 14: roster (add this part's calls below this line)
/// A page of the roster of a branch (or of every branch below a unit), by name; `status` empty
/// for those still taking part.
pub async fn roster(
    unit_id: &str,
    q: &str,
    status: &str,
    cursor: Option<String>,
) -> Result<RosterPage, ApiError> {
    let mut path = format!(
        "/api/v1/orgs/{}/members?q={}&status={}&limit=50",
        encode(unit_id),
        encode(q),
        encode(status)
    );
    if let Some(c) = cursor {
        path.push_str(&format!("&cursor={}", encode(&c)));
    }
    get(&path).await
}

/// Adds a member to the branch's roster.
pub async fn add_member(branch_id: &str, req: &NewRosterMember) -> Result<RosterMember, ApiError> {
    let path = format!("/api/v1/branches/{}/members", encode(branch_id));
    send("POST", &path, req).await
}

/// Changes a member's name, phone or status.
pub async fn edit_member(id: &str, req: &PatchRosterMember) -> Result<RosterMember, ApiError> {
    send("PATCH", &format!("/api/v1/members/{}", encode(id)), req).await
}

/// Transfers a member to the branch with this public code (or id).
pub async fn transfer_member(id: &str, branch: &str) -> Result<RosterMember, ApiError> {
    let req = TransferRequest {
        branch_id: branch.to_owned(),
    };
    send(
        "POST",
        &format!("/api/v1/members/{}/transfer", encode(id)),
        &req,
    )
    .await
}

/// Marks a member as having left the branch.
pub async fn deactivate_member(id: &str) -> Result<RosterMember, ApiError> {
    let path = format!("/api/v1/members/{}/deactivate", encode(id));
    send("POST", &path, &serde_json::json!({})).await
}

/// Sends a roster file: `dry_run` only previews it; otherwise it is imported, all or nothing.
pub async fn import_roster(
    branch_id: &str,
    file: &web_sys::File,
    dry_run: bool,
) -> Result<RosterImport, ApiError> {
    let form = web_sys::FormData::new().map_err(|_| ApiError::Network)?;
    form.append_with_blob_and_filename("file", file, &file.name())
        .map_err(|_| ApiError::Network)?;
    let path = format!(
        "/api/v1/branches/{}/roster?dry_run={dry_run}",
        encode(branch_id)
    );
    parse(&request("POST", &path, Body::Form(form)).await?)
}

/// Downloads the roster template (`xlsx` or `csv`).
pub async fn download_roster_template(branch_id: &str, format: &str) -> Result<(), ApiError> {
    let path = format!(
        "/api/v1/branches/{}/roster/template?format={format}",
        encode(branch_id)
    );
    download(&path, &format!("roster-template.{format}")).await
}

// Issue 14: ratings (add this part's calls below this line)

/// The branches a unit stands for, each with its stars for `year` and the figures behind them.
pub async fn ratings(org_id: &str, year: i32) -> Result<RatingsView, ApiError> {
    get(&format!(
        "/api/v1/orgs/{}/ratings?year={year}",
        encode(org_id)
    ))
    .await
}

/// The rating rules that apply at a unit, and whether the reader may change them.
pub async fn rating_rules(org_id: &str) -> Result<RatingRulesView, ApiError> {
    get(&format!("/api/v1/orgs/{}/rating-rules", encode(org_id))).await
}

/// Replaces a town's or county's rating rules (its administrators).
pub async fn put_rating_rules(
    org_id: &str,
    rules: &RatingRules,
) -> Result<RatingRulesView, ApiError> {
    let path = format!("/api/v1/orgs/{}/rating-rules", encode(org_id));
    send("PUT", &path, rules).await
}

/// Sets a branch's stars for a year, with the reason (an administrator above the branch).
pub async fn adjust_rating(
    org_id: &str,
    req: &AdjustRatingRequest,
) -> Result<BranchRating, ApiError> {
    let path = format!("/api/v1/orgs/{}/ratings/adjustments", encode(org_id));
    send("POST", &path, req).await
}

// Issue 14: admin (add this part's calls below this line)

/// The units the signed-in member holds a role other than membership on, with everything below
/// them, parents first.
pub async fn org_tree() -> Result<OrgTree, ApiError> {
    get("/api/v1/orgs").await
}

/// Creates a unit (an org admin of the parent).
pub async fn create_org(new: &NewOrgUnit) -> Result<OrgNode, ApiError> {
    send("POST", "/api/v1/orgs", new).await
}

/// Renames, moves or re-codes a unit (an org admin of it).
pub async fn patch_org(id: &str, patch: &PatchOrgUnit) -> Result<OrgNode, ApiError> {
    send("PATCH", &format!("/api/v1/orgs/{}", encode(id)), patch).await
}

/// Who holds which role on a unit, and which roles the member may grant there.
pub async fn unit_roles(id: &str) -> Result<UnitRoles, ApiError> {
    get(&format!("/api/v1/orgs/{}/roles", encode(id))).await
}

pub async fn grant_role(unit_id: &str, req: &GrantRoleRequest) -> Result<RoleHolder, ApiError> {
    send(
        "POST",
        &format!("/api/v1/orgs/{}/roles", encode(unit_id)),
        req,
    )
    .await
}

pub async fn revoke_role(id: &str) -> Result<(), ApiError> {
    request(
        "DELETE",
        &format!("/api/v1/roles/{}", encode(id)),
        Body::None,
    )
    .await
    .map(|_| ())
}

/// Members of a unit (or below it) whose name, username or phone holds `q`: the first ten.
pub async fn member_search(unit_id: &str, q: &str) -> Result<RosterPage, ApiError> {
    get(&format!(
        "/api/v1/orgs/{}/members?q={}&limit=10",
        encode(unit_id),
        encode(q)
    ))
    .await
}

/// A branch's open invite codes (never the codes) and requests waiting for a second person.
pub async fn branch_invites(branch_id: &str) -> Result<BranchInvites, ApiError> {
    get(&format!("/api/v1/branches/{}/invites", encode(branch_id))).await
}

/// What issuing an invite gave: the code, shown this once, or for a member who holds a role a
/// request that a second office holder confirms.
#[derive(Debug, Clone, PartialEq, serde::Deserialize)]
#[serde(untagged)]
pub enum IssuedInvite {
    Waiting(PendingInviteView),
    Code(InviteView),
}

pub async fn issue_invite(member_id: &str) -> Result<IssuedInvite, ApiError> {
    let path = format!("/api/v1/members/{}/invites", encode(member_id));
    send("POST", &path, &serde_json::json!({})).await
}

/// Revokes an open invite code or a waiting request.
pub async fn revoke_invite(id: &str) -> Result<(), ApiError> {
    let path = format!("/api/v1/invites/{}/revoke", encode(id));
    request("POST", &path, Body::Json("{}".into()))
        .await
        .map(|_| ())
}
