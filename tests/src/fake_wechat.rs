//! A stand-in for WeChat's server API on loopback, answering in WeChat's documented shapes
//! (HTTP 200 with `errcode` for errors, labelled `text/plain`), scriptable per test, and keeping
//! every request it received so that tests can assert exactly what Jifen sent.

use std::collections::{HashMap, HashSet, VecDeque};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};

use actix_web::dev::ServerHandle;
use actix_web::{web, App, HttpRequest, HttpResponse, HttpServer};
use serde_json::{json, Value};

pub const APPID: &str = "wx-test-appid";
pub const SECRET: &str = "wx-test-secret";
pub const TEMPLATE_DEED_RESULT: &str = "tmpl-deed-result";
pub const TEMPLATE_BOARD: &str = "tmpl-board-published";

/// One request as the fake received it.
#[derive(Debug, Clone)]
pub struct Received {
    pub path: String,
    pub query: HashMap<String, String>,
    pub body: Value,
}

#[derive(Default)]
struct State {
    /// wx.login() codes → (openid, unionid).
    users: HashMap<String, (String, Option<String>)>,
    /// errcodes to answer for a code before it works.
    scripted: HashMap<String, VecDeque<i64>>,
    used_codes: HashSet<String>,
    issued_tokens: u32,
    valid_tokens: HashSet<String>,
    current_token: Option<String>,
    /// Sends answer HTTP 502 while WeChat is "down".
    down: bool,
    /// openids that have no subscription left (43101).
    refusing: HashSet<String>,
    /// How long a send takes to be answered (a slow WeChat keeps sends in flight).
    send_delay: std::time::Duration,
    received: Vec<Received>,
    delivered: Vec<Value>,
}

pub struct FakeWechat {
    pub base: String,
    state: Arc<Mutex<State>>,
    handle: ServerHandle,
}

impl FakeWechat {
    pub async fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").expect("fake WeChat listens");
        let port = listener.local_addr().expect("local address").port();
        let state = Arc::new(Mutex::new(State::default()));
        let data = web::Data::from(state.clone());
        let server = HttpServer::new(move || {
            App::new()
                .app_data(data.clone())
                .app_data(web::PayloadConfig::new(1 << 20))
                .route("/sns/jscode2session", web::get().to(jscode2session))
                .route("/cgi-bin/stable_token", web::post().to(stable_token))
                .route(
                    "/cgi-bin/message/subscribe/send",
                    web::post().to(subscribe_send),
                )
        })
        .workers(1)
        .listen(listener)
        .expect("fake WeChat serves")
        .run();
        let handle = server.handle();
        tokio::spawn(server);
        Self {
            base: format!("http://127.0.0.1:{port}"),
            state,
            handle,
        }
    }

    fn with<T>(&self, f: impl FnOnce(&mut State) -> T) -> T {
        f(&mut self.state.lock().expect("fake WeChat state"))
    }

    /// `code` signs in the WeChat user `openid`.
    pub fn user(&self, code: &str, openid: &str, unionid: Option<&str>) {
        self.with(|s| {
            s.users.insert(
                code.to_owned(),
                (openid.to_owned(), unionid.map(str::to_owned)),
            )
        });
    }

    /// `code` is answered with these errcodes, one per call, before it works (if it is a user's).
    pub fn script(&self, code: &str, errcodes: &[i64]) {
        self.with(|s| {
            s.scripted
                .insert(code.to_owned(), errcodes.iter().copied().collect())
        });
    }

    /// Sends are answered only after `delay` (and accepted then).
    pub fn set_send_delay(&self, delay: std::time::Duration) {
        self.with(|s| s.send_delay = delay);
    }

    pub fn set_down(&self, down: bool) {
        self.with(|s| s.down = down);
    }

    /// The WeChat user has used up their subscriptions: sends to them answer 43101.
    pub fn refuse(&self, openid: &str) {
        self.with(|s| s.refusing.insert(openid.to_owned()));
    }

    /// Every access token issued so far stops working (42001), as when one expires.
    pub fn expire_tokens(&self) {
        self.with(|s| {
            s.valid_tokens.clear();
            s.current_token = None;
        });
    }

    pub fn received(&self, path: &str) -> Vec<Received> {
        self.with(|s| {
            s.received
                .iter()
                .filter(|r| r.path == path)
                .cloned()
                .collect()
        })
    }

    /// The subscribe messages WeChat accepted, in order.
    pub fn delivered(&self) -> Vec<Value> {
        self.with(|s| s.delivered.clone())
    }

    pub async fn stop(&self) {
        self.handle.stop(false).await;
    }
}

fn answer(body: Value) -> HttpResponse {
    // WeChat labels its JSON as text/plain more often than not.
    HttpResponse::Ok()
        .content_type("text/plain")
        .body(body.to_string())
}

fn error(errcode: i64, errmsg: &str) -> HttpResponse {
    answer(json!({ "errcode": errcode, "errmsg": errmsg }))
}

/// Keeps the request and hands back its query parameters.
fn record(state: &mut State, req: &HttpRequest, body: Value) -> HashMap<String, String> {
    let query = web::Query::<HashMap<String, String>>::from_query(req.query_string())
        .map(|q| q.into_inner())
        .unwrap_or_default();
    state.received.push(Received {
        path: req.path().to_owned(),
        query: query.clone(),
        body,
    });
    query
}

async fn jscode2session(req: HttpRequest, state: web::Data<Mutex<State>>) -> HttpResponse {
    let mut s = state.lock().expect("state");
    let q = record(&mut s, &req, Value::Null);
    let get = |k: &str| q.get(k).map(String::as_str).unwrap_or("");
    if get("appid") != APPID {
        return error(40013, "invalid appid");
    }
    if get("secret") != SECRET {
        return error(40125, "invalid appsecret");
    }
    if get("grant_type") != "authorization_code" {
        return error(40002, "invalid grant_type");
    }
    let code = get("js_code").to_owned();
    if let Some(errcode) = s.scripted.get_mut(&code).and_then(VecDeque::pop_front) {
        return error(errcode, "scripted");
    }
    if s.used_codes.contains(&code) {
        return error(40163, "code been used");
    }
    let Some((openid, unionid)) = s.users.get(&code).cloned() else {
        return error(40029, "invalid code");
    };
    s.used_codes.insert(code);
    let mut body = json!({ "openid": openid, "session_key": "SESSION-KEY-NEVER-SHOWN" });
    if let Some(unionid) = unionid {
        body["unionid"] = json!(unionid);
    }
    answer(body)
}

async fn stable_token(
    req: HttpRequest,
    state: web::Data<Mutex<State>>,
    body: web::Bytes,
) -> HttpResponse {
    let body: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    let mut s = state.lock().expect("state");
    record(&mut s, &req, body.clone());
    if body["grant_type"] != "client_credential" || body["appid"] != APPID {
        return error(40013, "invalid appid");
    }
    if body["secret"] != SECRET {
        return error(40125, "invalid appsecret");
    }
    let force = body["force_refresh"].as_bool().unwrap_or(false);
    let token = match (&s.current_token, force) {
        (Some(current), false) => current.clone(),
        _ => {
            s.issued_tokens += 1;
            let token = format!("ACCESS-TOKEN-{}", s.issued_tokens);
            s.valid_tokens.clear();
            s.valid_tokens.insert(token.clone());
            s.current_token = Some(token.clone());
            token
        }
    };
    answer(json!({ "access_token": token, "expires_in": 7200 }))
}

async fn subscribe_send(
    req: HttpRequest,
    state: web::Data<Mutex<State>>,
    body: web::Bytes,
) -> HttpResponse {
    let body: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    let delay = state.lock().expect("state").send_delay;
    if !delay.is_zero() {
        tokio::time::sleep(delay).await;
    }
    let mut s = state.lock().expect("state");
    let query = record(&mut s, &req, body.clone());
    if s.down {
        return HttpResponse::BadGateway().finish();
    }
    let token = query.get("access_token").cloned().unwrap_or_default();
    if !s.valid_tokens.contains(&token) {
        return error(42001, "access_token expired");
    }
    if body["template_id"] != TEMPLATE_DEED_RESULT && body["template_id"] != TEMPLATE_BOARD {
        return error(40037, "invalid template_id");
    }
    let touser = body["touser"].as_str().unwrap_or_default().to_owned();
    if touser.is_empty() {
        return error(40003, "invalid openid");
    }
    if s.refusing.contains(&touser) {
        return error(43101, "user refuse to accept the msg");
    }
    if let Some(data) = body["data"].as_object() {
        for (key, value) in data {
            let text = value["value"].as_str().unwrap_or_default();
            let limit = if key.starts_with("thing") {
                20
            } else if key.starts_with("phrase") {
                5
            } else {
                usize::MAX
            };
            if text.chars().count() > limit {
                return error(47003, &format!("argument invalid! data.{key}.value"));
            }
        }
    }
    s.delivered.push(body);
    let msgid = s.delivered.len();
    answer(json!({ "errcode": 0, "errmsg": "ok", "msgid": msgid }))
}
