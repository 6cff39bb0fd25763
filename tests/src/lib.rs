//! Helpers for Jifen's black-box tests: start the real server on a free port against a fresh
//! database, sign in as the demo people, and call the API with the shared wire types.

pub mod fake_wechat;
// Issue 15: what the loadtest and scalebench binaries share
pub mod load;
pub mod pictures;
pub mod png;
// Issue 15: photos in object storage
pub mod s3;
pub mod webdriver;

use std::path::PathBuf;
use std::time::Duration;

use actix_web::web;
use chrono::{DateTime, Utc};
use jifen_server::http::state::AppState;
use jifen_server::infra::clock::Clock;
use jifen_server::infra::config::{Config, Secret};
use jifen_server::seed::{self, Demo};
use jifen_server::startup::Application;
use jifen_shared::api::{
    ApproveRequest, BindingRequired, DeedView, FeedbackRequest, InviteView, LoginRequest,
    NotificationPage, PlaceDto, PointsSummary, ReasonRequest, RefreshRequest, SubmitDeedRequest,
    SubscriptionConsents, TokenResponse, WechatBindRequest, WechatLoginRequest,
};
use jifen_shared::problem::Problem;
use reqwest::{Response, StatusCode};
use sea_orm::{ConnectionTrait, Database, DbBackend, Statement};
use serde::Serialize;

/// Every demo account's password in tests.
pub const PASSWORD: &str = "correct-horse-42";
/// The key tests sign with; a test that forges tokens uses another.
pub const JWT_SECRET: &str = "test-secret-test-secret-test-secret-0123";
/// The key every test server seals the audit history with (one per process: see
/// `jifen_server::services::audit::seal::install`).
pub const AUDIT_KEY: &str = "audit-key-audit-key-audit-key-audit-0123";

/// A running server with the demo organisation (no deeds yet) on its own database.
pub struct TestApp {
    pub address: String,
    pub client: reqwest::Client,
    pub demo: Demo,
    pub state: web::Data<AppState>,
    /// Issue 15: operations. `http://127.0.0.1:PORT` of the second server serving `/metrics`,
    /// when the configuration binds one.
    pub metrics_address: Option<String>,
    config: Config,
    clock: Clock,
    server: actix_web::dev::ServerHandle,
    running: tokio::task::JoinHandle<std::io::Result<()>>,
    database: TestDatabase,
}

/// Another server sharing a [`TestApp`]'s database.
pub struct Instance {
    pub address: String,
    pub state: web::Data<AppState>,
    server: actix_web::dev::ServerHandle,
}

impl Instance {
    pub async fn stop(self) {
        self.server.stop(true).await;
        self.state.outbox.shutdown().await;
    }
}

/// A signed-in person.
#[derive(Debug, Clone)]
pub struct User {
    pub username: String,
    pub member_id: String,
    pub access_token: String,
    pub refresh_token: String,
}

impl TestApp {
    pub async fn spawn() -> Self {
        Self::spawn_with_clock(Clock::System).await
    }

    /// Starts the server serving the built web app from `app/dist` (see `scripts/build-app.sh`).
    pub async fn spawn_with_web_app() -> Self {
        Self::spawn_web_app_with_clock(Clock::System).await
    }

    /// The web app, with the server's clock pinned at `at` (the browser keeps its own).
    pub async fn spawn_with_web_app_at(at: &str) -> Self {
        let at = DateTime::parse_from_rfc3339(at)
            .expect("valid RFC 3339")
            .with_timezone(&Utc);
        Self::spawn_web_app_with_clock(Clock::Fixed(at)).await
    }

    async fn spawn_web_app_with_clock(clock: Clock) -> Self {
        Self::spawn_inner(clock, Some(built_web_app()), |_| {}).await
    }

    /// The web app, with the server's configuration adjusted first.
    pub async fn spawn_with_web_app_and_config(adjust: impl FnOnce(&mut Config)) -> Self {
        Self::spawn_inner(Clock::System, Some(built_web_app()), adjust).await
    }

    /// Starts the server with its clock pinned at `at`.
    pub async fn spawn_at(at: &str) -> Self {
        let at = DateTime::parse_from_rfc3339(at)
            .expect("valid RFC 3339")
            .with_timezone(&Utc);
        Self::spawn_with_clock(Clock::Fixed(at)).await
    }

    async fn spawn_with_clock(clock: Clock) -> Self {
        Self::spawn_inner(clock, None, |_| {}).await
    }

    /// Starts the server with its configuration adjusted first (limits, lifetimes, ...).
    pub async fn spawn_with_config(adjust: impl FnOnce(&mut Config)) -> Self {
        Self::spawn_inner(Clock::System, None, adjust).await
    }

    /// Starts the server with its clock pinned at `at` and its configuration adjusted first.
    pub async fn spawn_at_with_config(at: &str, adjust: impl FnOnce(&mut Config)) -> Self {
        let at = DateTime::parse_from_rfc3339(at)
            .expect("valid RFC 3339")
            .with_timezone(&Utc);
        Self::spawn_inner(Clock::Fixed(at), None, adjust).await
    }

    /// Starts the server with WeChat pointed at `fake`, and an outbox that retries within
    /// fractions of a second.
    pub async fn spawn_with_wechat(fake: &fake_wechat::FakeWechat) -> Self {
        let base = fake.base.clone();
        Self::spawn_inner(Clock::System, None, move |config| {
            config.wechat.appid = Some(fake_wechat::APPID.into());
            config.wechat.secret = Some(Secret::new(fake_wechat::SECRET));
            config.wechat.api_base = base;
            config.wechat.template_deed_result = Some(fake_wechat::TEMPLATE_DEED_RESULT.into());
            config.wechat.template_board_published = Some(fake_wechat::TEMPLATE_BOARD.into());
            config.wechat.miniprogram_state = "trial".into();
            config.wechat.timeout_secs = 2;
            config.outbox.poll_ms = 50;
            config.outbox.retry_base_ms = 100;
            config.outbox.retry_max_secs = 1;
        })
        .await
    }

    async fn spawn_inner(
        clock: Clock,
        app_dir: Option<PathBuf>,
        adjust: impl FnOnce(&mut Config),
    ) -> Self {
        let database = TestDatabase::create().await;
        let mut config = Config {
            bind: "127.0.0.1:0".into(),
            database_url: database.url.clone(),
            jwt_secret: Some(Secret::new(JWT_SECRET)),
            secret_file: database.dir.join("jifen.secret"),
            audit_key: Some(Secret::new(AUDIT_KEY)),
            photo_dir: database.dir.join("photos"),
            app_dir: app_dir.unwrap_or_else(|| database.dir.join("dist")),
            workers: 2,
            ..Config::default()
        };
        // A story signs in a dozen people within a second, where a real server sees a few a
        // second; the budget's own test sets it low again.
        config.limits.password_hashes_per_second = 1_000;
        adjust(&mut config);
        let app = Application::build_with_clock(config.clone(), clock)
            .await
            .expect("server starts");
        let address = format!("http://127.0.0.1:{}", app.port());
        let metrics_address = app
            .metrics_port()
            .map(|port| format!("http://127.0.0.1:{port}"));
        let state = app.state();
        let server = app.handle();
        let running = tokio::spawn(app.run_until_stopped());
        let demo = seed::organisation(&state.db, state.now(), PASSWORD)
            .await
            .expect("demo organisation");
        // The server closes a keep-alive connection idle for 5 s; letting the client drop its
        // idle ones first keeps a request from going out on a connection closing under it.
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(30))
            .pool_idle_timeout(Duration::from_secs(2))
            .build()
            .expect("http client");
        Self {
            address,
            client,
            demo,
            state,
            metrics_address,
            config,
            clock,
            server,
            running,
            database,
        }
    }

    /// Starts a second server on the same database, as a second instance behind a load balancer.
    pub async fn another_instance(&self) -> Instance {
        let app = Application::build_with_clock(self.config.clone(), self.clock)
            .await
            .expect("second instance starts");
        let instance = Instance {
            address: format!("http://127.0.0.1:{}", app.port()),
            state: app.state(),
            server: app.handle(),
        };
        tokio::spawn(app.run_until_stopped());
        instance
    }

    /// Starts a second server on the same database whose clock reads `at`, as an instance that
    /// serves its first request after New Year while this one still lives in the old year.
    pub async fn another_instance_at(&self, at: &str) -> Instance {
        let at = DateTime::parse_from_rfc3339(at)
            .expect("valid RFC 3339")
            .with_timezone(&Utc);
        let app = Application::build_with_clock(self.config.clone(), Clock::Fixed(at))
            .await
            .expect("second instance starts");
        let instance = Instance {
            address: format!("http://127.0.0.1:{}", app.port()),
            state: app.state(),
            server: app.handle(),
        };
        tokio::spawn(app.run_until_stopped());
        instance
    }

    /// Stops the server as SIGTERM would (requests in flight finish, the outbox worker stops) and
    /// starts a new one on the same database, as after a deployment or a crash-restart.
    pub async fn restart(&mut self) {
        self.server.stop(true).await;
        let running = std::mem::replace(&mut self.running, tokio::spawn(async { Ok(()) }));
        running
            .await
            .expect("server task")
            .expect("server stopped cleanly");
        let app = Application::build_with_clock(self.config.clone(), self.clock)
            .await
            .expect("server restarts");
        self.address = format!("http://127.0.0.1:{}", app.port());
        self.metrics_address = app
            .metrics_port()
            .map(|port| format!("http://127.0.0.1:{port}"));
        self.state = app.state();
        self.server = app.handle();
        self.running = tokio::spawn(app.run_until_stopped());
    }

    /// Stops the server for good: nothing answers at its address any more, as when the network
    /// is gone (the web app's offline stories).
    pub async fn go_dark(&self) {
        self.server.stop(true).await;
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.address, path)
    }

    /// The database the server writes to, for tests that look behind its back.
    pub async fn database(&self) -> sea_orm::DatabaseConnection {
        Database::connect(&self.database.url)
            .await
            .expect("test database")
    }

    pub fn backend(&self) -> DbBackend {
        self.state.db.backend()
    }

    /// A request without an account: signing in, the public board, the masses' feedback.
    /// `by` opens an org unit of `kind` under `parent` through the administration API; its id.
    pub async fn open_unit(&self, by: &User, parent: &str, kind: &str, name: &str) -> String {
        let res = self
            .post(
                by,
                "/api/v1/orgs",
                &serde_json::json!({"parent_id": parent, "kind": kind, "name": name}),
            )
            .await;
        assert_eq!(res.status(), StatusCode::CREATED, "{name} is opened");
        let unit: serde_json::Value = res.json().await.expect("the new unit");
        unit["id"].as_str().expect("its id").to_owned()
    }

    pub async fn post_anonymous(&self, path: &str, body: &impl Serialize) -> Response {
        self.client
            .post(self.url(path))
            .json(body)
            .send()
            .await
            .expect("POST request")
    }

    /// Signs in with a username and password.
    pub async fn login(&self, username: &str, password: &str) -> Response {
        let body = LoginRequest {
            username: username.to_owned(),
            password: password.to_owned(),
        };
        self.post_anonymous("/api/v1/auth/login", &body).await
    }

    /// Trades a refresh token for a new pair.
    pub async fn refresh(&self, refresh_token: &str) -> Response {
        let body = RefreshRequest {
            refresh_token: refresh_token.to_owned(),
        };
        self.post_anonymous("/api/v1/auth/refresh", &body).await
    }

    /// Signs in from the mini program with a `wx.login()` code.
    pub async fn wechat_login(&self, code: &str) -> Response {
        let body = WechatLoginRequest {
            code: code.to_owned(),
        };
        self.post_anonymous("/api/v1/auth/wechat", &body).await
    }

    /// Binds the WeChat user behind `binding_ticket` with an invite code.
    pub async fn wechat_bind(&self, binding_ticket: &str, invite_code: &str) -> Response {
        let body = WechatBindRequest {
            binding_ticket: binding_ticket.to_owned(),
            invite_code: invite_code.to_owned(),
        };
        self.post_anonymous("/api/v1/auth/wechat/bind", &body).await
    }

    /// `by` issues a WeChat invite code for demo member `member`.
    pub async fn issue_invite(&self, by: &User, member: &str) -> Response {
        let member_id = self.demo.member(member).to_owned();
        let path = format!("/api/v1/members/{member_id}/invites");
        self.post(by, &path, &serde_json::json!({})).await
    }

    /// The member answers `accept` to one subscription request for `template`.
    pub async fn subscribe(&self, member: &User, template: &str) -> Response {
        let body = SubscriptionConsents {
            results: [(template.to_owned(), "accept".to_owned())].into(),
        };
        self.post(member, "/api/v1/me/subscriptions", &body).await
    }

    /// The first page of the member's inbox.
    pub async fn inbox(&self, member: &User) -> NotificationPage {
        let res = self.get(member, "/api/v1/me/notifications").await;
        assert_eq!(res.status(), StatusCode::OK, "the inbox answers");
        res.json().await.expect("inbox body")
    }

    /// The secretary's step on a quarter of demo branch `branch_code`.
    pub async fn quarter_step(
        &self,
        who: &User,
        branch_code: &str,
        step: QuarterStep,
        year: i32,
        quarter: u8,
    ) -> Response {
        let branch = self.demo.branch(branch_code).to_owned();
        let path = format!(
            "/api/v1/branches/{branch}/quarters/{year}/{quarter}/{}",
            step.action()
        );
        self.post(who, &path, &serde_json::json!({})).await
    }

    /// A branch's public board, as anyone reads it (`query` like `?year=2026&quarter=4`).
    pub async fn public_board(&self, branch_code: &str, query: &str) -> Response {
        self.client
            .get(self.url(&format!(
                "/api/v1/public/branches/{branch_code}/board{query}"
            )))
            .send()
            .await
            .expect("GET request")
    }

    /// Someone from the masses answers on a branch's posted board.
    pub async fn give_feedback(&self, branch_code: &str, feedback: &FeedbackRequest) -> Response {
        let path = format!("/api/v1/public/branches/{branch_code}/feedback");
        self.post_anonymous(&path, feedback).await
    }

    pub async fn login_as(&self, username: &str) -> User {
        let res = self.login(username, PASSWORD).await;
        assert_eq!(
            res.status(),
            StatusCode::OK,
            "{username} should be able to sign in"
        );
        let tokens: TokenResponse = res.json().await.expect("token body");
        User {
            username: username.to_owned(),
            member_id: self.demo.member(username).to_owned(),
            access_token: tokens.access_token,
            refresh_token: tokens.refresh_token,
        }
    }

    pub async fn get(&self, user: &User, path: &str) -> Response {
        self.client
            .get(self.url(path))
            .bearer_auth(&user.access_token)
            .send()
            .await
            .expect("GET request")
    }

    pub async fn post(&self, user: &User, path: &str, body: &impl Serialize) -> Response {
        self.client
            .post(self.url(path))
            .bearer_auth(&user.access_token)
            .json(body)
            .send()
            .await
            .expect("POST request")
    }

    pub async fn patch(&self, user: &User, path: &str, body: &impl Serialize) -> Response {
        self.client
            .patch(self.url(path))
            .bearer_auth(&user.access_token)
            .json(body)
            .send()
            .await
            .expect("PATCH request")
    }

    /// A complete, valid report under `rule` of demo-1 that happened an hour ago.
    pub fn deed_form(&self, rule: &str) -> SubmitDeedRequest {
        self.deed_form_in("demo-1", rule)
    }

    pub fn deed_form_in(&self, branch_code: &str, rule: &str) -> SubmitDeedRequest {
        SubmitDeedRequest {
            rule_id: self.demo.rule(branch_code, rule).to_owned(),
            title: "清扫村口积雪".into(),
            account: "早上和几位党员一起清扫村口到乡道的积雪。".into(),
            occurred_at: self.state.clock.now() - chrono::Duration::hours(1),
            place: PlaceDto {
                name: "东关村村口".into(),
                lat: Some(34.7481),
                lng: Some(113.6302),
            },
            photo_ids: vec![],
            client_request_id: uuid::Uuid::new_v4().to_string(),
            member_id: None,
        }
    }

    /// Submits a report and expects it to be accepted as a new deed.
    pub async fn submit(&self, user: &User, form: &SubmitDeedRequest) -> DeedView {
        let res = self.post(user, "/api/v1/deeds", form).await;
        assert_eq!(
            res.status(),
            StatusCode::CREATED,
            "submission should be accepted"
        );
        res.json().await.expect("deed body")
    }

    /// Decides on a deed as `user` would from the app: the review actions and the member's
    /// withdrawal, each sent with the request type the API documents.
    pub async fn review(&self, user: &User, deed_id: &str, review: Review<'_>) -> Response {
        let path = format!("/api/v1/deeds/{deed_id}/{}", review.action());
        match review {
            Review::Approve { points, comment } => {
                let body = ApproveRequest {
                    points,
                    comment: comment.map(str::to_owned),
                };
                self.post(user, &path, &body).await
            }
            Review::Reject(reason) | Review::Return(reason) | Review::Revoke(reason) => {
                let body = ReasonRequest {
                    reason: reason.to_owned(),
                };
                self.post(user, &path, &body).await
            }
            Review::Withdraw => self.post(user, &path, &serde_json::json!({})).await,
        }
    }

    /// `username` signs in from the mini program as WeChat user `openid` for the first time and
    /// binds with an invite code from their branch's secretary.
    pub async fn bind_wechat(
        &self,
        fake: &fake_wechat::FakeWechat,
        username: &str,
        openid: &str,
    ) -> User {
        let code = format!("code-{}", uuid::Uuid::new_v4().simple());
        fake.user(&code, openid, None);
        let res = self.wechat_login(&code).await;
        assert_eq!(res.status(), StatusCode::OK, "WeChat login answers");
        let ticket: BindingRequired = res.json().await.expect("binding ticket");
        let branch = self.demo_branch_of(username);
        let secretary = self.login_as(&format!("secretary{branch}")).await;
        let member_id = self.demo.member(username).to_owned();
        let res = self.issue_invite(&secretary, username).await;
        assert_eq!(
            res.status(),
            StatusCode::CREATED,
            "the secretary issues an invite"
        );
        let invite: InviteView = res.json().await.expect("invite");
        let res = self.wechat_bind(&ticket.binding_ticket, &invite.code).await;
        assert_eq!(res.status(), StatusCode::OK, "binding succeeds");
        let tokens: TokenResponse = res.json().await.expect("tokens");
        User {
            username: username.to_owned(),
            member_id,
            access_token: tokens.access_token,
            refresh_token: tokens.refresh_token,
        }
    }

    /// 1 for the people of demo-1, 2 for those of demo-2.
    fn demo_branch_of(&self, username: &str) -> u8 {
        let n: u32 = username
            .trim_start_matches(|c: char| c.is_ascii_alphabetic())
            .parse()
            .unwrap_or(1);
        if username.starts_with("member") && n >= 16 || !username.starts_with("member") && n == 2 {
            2
        } else {
            1
        }
    }

    pub async fn points(&self, user: &User, member_id: &str, year: i32) -> PointsSummary {
        let res = self
            .get(
                user,
                &format!("/api/v1/members/{member_id}/points?year={year}"),
            )
            .await;
        assert_eq!(res.status(), StatusCode::OK, "points should be visible");
        res.json().await.expect("points body")
    }
}

/// What a reviewer (or the member, for a withdrawal) does with a deed.
#[derive(Debug, Clone, Copy)]
pub enum Review<'a> {
    Approve {
        points: Option<i32>,
        comment: Option<&'a str>,
    },
    Reject(&'a str),
    Return(&'a str),
    Revoke(&'a str),
    Withdraw,
}

/// The secretary's steps at the end of a quarter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QuarterStep {
    Sign,
    Publish,
}

impl QuarterStep {
    pub fn action(self) -> &'static str {
        match self {
            QuarterStep::Sign => "sign",
            QuarterStep::Publish => "publish",
        }
    }
}

impl Review<'_> {
    /// Approval with the rule's standard points.
    pub const APPROVE: Review<'static> = Review::Approve {
        points: None,
        comment: None,
    };

    /// The last segment of the action's path.
    pub fn action(&self) -> &'static str {
        match self {
            Review::Approve { .. } => "approve",
            Review::Reject(_) => "reject",
            Review::Return(_) => "return",
            Review::Revoke(_) => "revoke",
            Review::Withdraw => "withdraw",
        }
    }
}

fn built_web_app() -> PathBuf {
    let dist = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../app/dist");
    assert!(
        dist.join("index.html").is_file(),
        "the web app is not built: run scripts/build-app.sh first"
    );
    dist
}

/// Waits, polling every 50 ms for up to 20 s, until `check` answers `Some`; panics naming `what`.
pub async fn eventually<T, F, Fut>(what: &str, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    loop {
        if let Some(found) = check().await {
            return found;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "timed out waiting until {what}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Reads a problem response, checking its status and content type.
pub async fn problem(res: Response, status: StatusCode) -> Problem {
    assert_eq!(res.status(), status, "unexpected status");
    let content_type = res
        .headers()
        .get(reqwest::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    assert_eq!(content_type, "application/problem+json");
    res.json().await.expect("problem body")
}

/// A migrated database with nothing in it (no demo organisation), for what only an empty one
/// does: `jifen seed-scale` without `--into-existing`. Dropped with the value.
pub struct EmptyDatabase {
    pub db: jifen_server::infra::db::Db,
    _database: TestDatabase,
}

impl EmptyDatabase {
    pub async fn migrated() -> Self {
        let database = TestDatabase::create().await;
        let db = jifen_server::infra::db::Db::connect(&database.url)
            .await
            .expect("database reachable");
        jifen_server::startup::migrate(&db)
            .await
            .expect("migrations apply");
        Self {
            db,
            _database: database,
        }
    }
}

/// A database of its own for one test: a SQLite file in a temporary directory, or, when
/// `JIFEN_TEST_DATABASE_URL` names a PostgreSQL server, a new database there, dropped afterwards.
struct TestDatabase {
    url: String,
    dir: std::path::PathBuf,
    postgres_admin: Option<(String, String)>,
}

impl TestDatabase {
    async fn create() -> Self {
        let dir =
            std::env::temp_dir().join(format!("jifen-test-{}", uuid::Uuid::new_v4().simple()));
        std::fs::create_dir_all(&dir).expect("temporary directory");
        match std::env::var("JIFEN_TEST_DATABASE_URL")
            .ok()
            .filter(|u| u.starts_with("postgres"))
        {
            Some(admin_url) => {
                let name = format!("jifen_t_{}", uuid::Uuid::new_v4().simple());
                let admin = Database::connect(&admin_url)
                    .await
                    .expect("PostgreSQL reachable");
                admin
                    .execute(Statement::from_string(
                        DbBackend::Postgres,
                        format!("CREATE DATABASE {name}"),
                    ))
                    .await
                    .expect("create test database");
                admin.close().await.ok();
                let base = admin_url
                    .rsplit_once('/')
                    .map(|(b, _)| b)
                    .unwrap_or(&admin_url);
                Self {
                    url: format!("{base}/{name}"),
                    dir,
                    postgres_admin: Some((admin_url.clone(), name)),
                }
            }
            None => Self {
                url: format!("sqlite://{}?mode=rwc", dir.join("jifen.db").display()),
                dir,
                postgres_admin: None,
            },
        }
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
        if let Some((admin_url, name)) = self.postgres_admin.take() {
            // Dropping happens outside any async context we could borrow, so use a thread of its own.
            let _ = std::thread::spawn(move || {
                let rt = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .ok()?;
                rt.block_on(async {
                    let admin = Database::connect(&admin_url).await.ok()?;
                    admin
                        .execute(Statement::from_string(
                            DbBackend::Postgres,
                            format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"),
                        ))
                        .await
                        .ok()?;
                    admin.close().await.ok()
                })
            })
            .join();
        }
    }
}
