//! Sessions end when they should: signing out, a stolen refresh token coming back, a password
//! change or a transfer ends the access tokens too, within seconds and on every instance; a first
//! password needs more than a stolen access token; sign-in cannot be flooded or guessed at.

use std::time::Duration;

use jifen_server::infra::config::Rate;
use jifen_shared::api::{InviteView, LogoutRequest, TokenResponse};
use jifen_shared::domain::NotificationKind;
use jifen_tests::fake_wechat::FakeWechat;
use jifen_tests::{eventually, problem, TestApp, User, PASSWORD};
use reqwest::StatusCode;
use sea_orm::{ConnectionTrait, Statement};
use serde_json::json;

/// `GET /me` at `address` with an access token; the status and the problem code, if any.
async fn me_at(app: &TestApp, address: &str, access_token: &str) -> (StatusCode, Option<String>) {
    let res = app
        .client
        .get(format!("{address}/api/v1/me"))
        .bearer_auth(access_token)
        .send()
        .await
        .unwrap();
    let status = res.status();
    let code = if status.is_success() {
        None
    } else {
        res.json::<serde_json::Value>()
            .await
            .ok()
            .and_then(|p| p["code"].as_str().map(str::to_owned))
    };
    (status, code)
}

/// Waits until the token is refused at `address` as belonging to an ended session.
async fn until_ended(app: &TestApp, address: &str, access_token: &str, what: &str) {
    eventually(what, || async {
        let (status, code) = me_at(app, address, access_token).await;
        (status == StatusCode::UNAUTHORIZED)
            .then(|| assert_eq!(code.as_deref(), Some("auth.session_ended"), "{what}"))
    })
    .await;
}

async fn logout(app: &TestApp, refresh_token: &str) -> reqwest::Response {
    app.post_anonymous(
        "/api/v1/auth/logout",
        &LogoutRequest {
            refresh_token: refresh_token.to_owned(),
        },
    )
    .await
}

async fn execute(app: &TestApp, sql: &str) {
    let db = app.database().await;
    db.execute(Statement::from_string(app.backend(), sql.to_owned()))
        .await
        .unwrap();
}

async fn count(app: &TestApp, sql: &str) -> i64 {
    let db = app.database().await;
    let row = db
        .query_one(Statement::from_string(app.backend(), sql.to_owned()))
        .await
        .unwrap()
        .unwrap();
    row.try_get_by_index::<i64>(0).unwrap()
}

#[tokio::test]
async fn signing_out_ends_the_access_token_within_seconds_on_every_instance() {
    let app = TestApp::spawn().await;
    let other = app.another_instance().await;
    let me = app.login_as("member3").await;
    assert_eq!(
        me_at(&app, &app.address, &me.access_token).await.0,
        StatusCode::OK
    );
    assert_eq!(
        me_at(&app, &other.address, &me.access_token).await.0,
        StatusCode::OK
    );

    assert_eq!(
        logout(&app, &me.refresh_token).await.status(),
        StatusCode::NO_CONTENT
    );
    until_ended(
        &app,
        &app.address,
        &me.access_token,
        "the signed-out token is refused here",
    )
    .await;
    until_ended(
        &app,
        &other.address,
        &me.access_token,
        "and on the other instance",
    )
    .await;

    // Another session of the same member goes on.
    let again = app.login_as("member3").await;
    assert_eq!(
        me_at(&app, &app.address, &again.access_token).await.0,
        StatusCode::OK
    );
    other.stop().await;
}

#[tokio::test]
async fn a_reused_refresh_token_ends_the_access_tokens_of_its_session() {
    let app = TestApp::spawn().await;
    let me = app.login_as("member3").await;
    let elsewhere = app.login_as("member3").await;
    let res = app.refresh(&me.refresh_token).await;
    assert_eq!(res.status(), StatusCode::OK);
    let renewed: TokenResponse = res.json().await.unwrap();
    assert_eq!(
        me_at(&app, &app.address, &renewed.access_token).await.0,
        StatusCode::OK
    );

    // Someone replays the old refresh token: the session ends, for the thief and for me.
    let res = app.refresh(&me.refresh_token).await;
    assert_eq!(
        problem(res, StatusCode::UNAUTHORIZED).await.code,
        "auth.refresh_reused"
    );
    until_ended(
        &app,
        &app.address,
        &renewed.access_token,
        "the renewed access token is refused",
    )
    .await;
    until_ended(&app, &app.address, &me.access_token, "and the first one").await;
    assert_eq!(
        me_at(&app, &app.address, &elsewhere.access_token).await.0,
        StatusCode::OK,
        "a separate sign-in is unaffected"
    );
}

#[tokio::test]
async fn changing_my_password_ends_my_other_sessions_but_not_mine_and_tells_me() {
    let app = TestApp::spawn().await;
    let phone = app.login_as("member4").await;
    let laptop = app.login_as("member4").await;
    let res = app
        .client
        .put(app.url("/api/v1/me/password"))
        .bearer_auth(&laptop.access_token)
        .json(&json!({ "current_password": PASSWORD, "new_password": "a-new-secret-77" }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NO_CONTENT);

    until_ended(
        &app,
        &app.address,
        &phone.access_token,
        "the phone's session is ended",
    )
    .await;
    let res = app.refresh(&phone.refresh_token).await;
    assert_eq!(
        problem(res, StatusCode::UNAUTHORIZED).await.code,
        "auth.refresh_invalid"
    );

    // Mine goes on: now, after the revocation view has certainly been read again, and renewed.
    tokio::time::sleep(Duration::from_millis(2_500)).await;
    assert_eq!(
        me_at(&app, &app.address, &laptop.access_token).await.0,
        StatusCode::OK
    );
    assert_eq!(
        app.refresh(&laptop.refresh_token).await.status(),
        StatusCode::OK
    );

    let inbox = app.inbox(&laptop).await;
    assert_eq!(inbox.items[0].kind, NotificationKind::PasswordChanged);
    assert!(!inbox.items[0].title.is_empty() && !inbox.items[0].body.is_empty());
    assert_eq!(
        app.login("member4", PASSWORD).await.status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        app.login("member4", "a-new-secret-77").await.status(),
        StatusCode::OK
    );
}

#[tokio::test]
async fn a_transferred_members_token_stops_working() {
    let app = TestApp::spawn().await;
    let me = app.login_as("member5").await;
    assert_eq!(
        me_at(&app, &app.address, &me.access_token).await.0,
        StatusCode::OK
    );
    // The transfer is recorded elsewhere (the county's system, an administrator's SQL).
    let id = app.demo.member("member5").to_owned();
    execute(
        &app,
        &format!("UPDATE member SET status = 'transferred' WHERE id = '{id}'"),
    )
    .await;
    until_ended(
        &app,
        &app.address,
        &me.access_token,
        "the transferred member's token is refused",
    )
    .await;
    let res = app.refresh(&me.refresh_token).await;
    assert_eq!(
        problem(res, StatusCode::UNAUTHORIZED).await.code,
        "auth.refresh_invalid"
    );
}

#[tokio::test]
async fn two_refreshes_of_one_token_at_once_exactly_one_wins() {
    let app = TestApp::spawn().await;
    let other = app.another_instance().await;
    for round in 0..4 {
        let me = app.login_as("member6").await;
        let here = app.client.post(app.url("/api/v1/auth/refresh"));
        let there = app
            .client
            .post(format!("{}/api/v1/auth/refresh", other.address));
        // Odd rounds both on one instance, even rounds one on each.
        let second = if round % 2 == 0 {
            there
        } else {
            app.client.post(app.url("/api/v1/auth/refresh"))
        };
        let body = json!({ "refresh_token": me.refresh_token });
        let (a, b) = tokio::join!(here.json(&body).send(), second.json(&body).send());
        let mut statuses = [a.unwrap().status(), b.unwrap().status()];
        statuses.sort();
        assert_eq!(
            statuses,
            [StatusCode::OK, StatusCode::UNAUTHORIZED],
            "round {round}: exactly one of two uses wins"
        );
    }
    other.stop().await;
}

#[tokio::test]
async fn a_junk_or_ended_refresh_token_is_answered_while_someone_holds_the_write_lock() {
    let app = TestApp::spawn().await;
    let me = app.login_as("member7").await;
    assert_eq!(
        logout(&app, &me.refresh_token).await.status(),
        StatusCode::NO_CONTENT
    );

    let writing = app.state.db.begin_write().await.unwrap();
    let second = Duration::from_secs(1);
    let quick = |res| tokio::time::timeout(second, res);
    let res = quick(app.refresh("no-such-token"))
        .await
        .expect("answered without waiting");
    assert_eq!(
        problem(res, StatusCode::UNAUTHORIZED).await.code,
        "auth.refresh_invalid"
    );
    let res = quick(app.refresh(&me.refresh_token))
        .await
        .expect("an ended session too");
    assert_eq!(
        problem(res, StatusCode::UNAUTHORIZED).await.code,
        "auth.refresh_invalid"
    );
    let res = tokio::time::timeout(second, logout(&app, "no-such-token"))
        .await
        .expect("and a junk sign-out");
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    drop(writing);
}

/// `username` came in through WeChat (bound as `openid`) and has no password yet.
async fn without_password(app: &TestApp, fake: &FakeWechat, username: &str, openid: &str) -> User {
    let id = app.demo.member(username).to_owned();
    execute(
        app,
        &format!("UPDATE member SET password_hash = NULL WHERE id = '{id}'"),
    )
    .await;
    app.bind_wechat(fake, username, openid).await
}

async fn set_password(app: &TestApp, who: &User, body: serde_json::Value) -> reqwest::Response {
    app.client
        .put(app.url("/api/v1/me/password"))
        .bearer_auth(&who.access_token)
        .json(&body)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn a_first_password_needs_an_invite_code_or_my_wechat_not_just_an_access_token() {
    let fake = FakeWechat::start().await;
    let app = TestApp::spawn_with_wechat(&fake).await;
    let liu = without_password(&app, &fake, "member8", "openid-liu").await;

    // A stolen access token alone cannot make itself a lasting sign-in.
    let res = set_password(&app, &liu, json!({ "new_password": "liu-secret-123" })).await;
    let p = problem(res, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(p.errors[0].code, "password.proof_required");
    let res = set_password(
        &app,
        &liu,
        json!({ "new_password": "liu-secret-123", "invite_code": "ABCD-EFGH" }),
    )
    .await;
    assert_eq!(
        problem(res, StatusCode::UNPROCESSABLE_ENTITY).await.errors[0].code,
        "password.invite_invalid"
    );
    // Another WeChat user's code is not mine.
    fake.user("someone-elses", "openid-zhao", None);
    let res = set_password(
        &app,
        &liu,
        json!({ "new_password": "liu-secret-123", "wechat_code": "someone-elses" }),
    )
    .await;
    assert_eq!(
        problem(res, StatusCode::UNPROCESSABLE_ENTITY).await.errors[0].code,
        "password.wechat_not_bound"
    );
    assert_eq!(
        app.login("member8", "liu-secret-123").await.status(),
        StatusCode::UNAUTHORIZED
    );

    // With an invite code from the secretary it works, and spends the code.
    let res = app
        .issue_invite(&app.login_as("secretary1").await, "member8")
        .await;
    let invite: InviteView = res.json().await.unwrap();
    let res = set_password(
        &app,
        &liu,
        json!({ "new_password": "liu-secret-123", "invite_code": invite.code }),
    )
    .await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        app.login("member8", "liu-secret-123").await.status(),
        StatusCode::OK
    );
    assert_eq!(
        count(
            &app,
            &format!(
                "SELECT COUNT(*) FROM invite_code WHERE member_id = '{}' AND used_at IS NULL",
                liu.member_id
            )
        )
        .await,
        0,
        "the invite code is spent"
    );

    // A fresh WeChat login code of my own bound account works as well.
    let wang = without_password(&app, &fake, "member9", "openid-wang").await;
    fake.user("wang-fresh", "openid-wang", None);
    let res = set_password(
        &app,
        &wang,
        json!({ "new_password": "wang-secret-456", "wechat_code": "wang-fresh" }),
    )
    .await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        app.login("member9", "wang-secret-456").await.status(),
        StatusCode::OK
    );
}

#[tokio::test]
async fn guessing_one_accounts_password_is_stopped_on_every_instance() {
    let app = TestApp::spawn_with_config(|c| {
        c.limits.login = Rate::new(1_000, 1_000);
        c.limits.account_failures = 3;
    })
    .await;
    let other = app.another_instance().await;

    // A success starts the count afresh.
    for _ in 0..2 {
        assert_eq!(
            app.login("member10", "guess").await.status(),
            StatusCode::UNAUTHORIZED
        );
    }
    assert_eq!(
        app.login("member10", PASSWORD).await.status(),
        StatusCode::OK
    );
    for _ in 0..3 {
        assert_eq!(
            app.login("member10", "guess").await.status(),
            StatusCode::UNAUTHORIZED
        );
    }
    // The fourth try waits, even with the right password, and even at the other instance.
    for (address, what) in [
        (&app.address, "here"),
        (&other.address, "at the other instance"),
    ] {
        let res = app
            .client
            .post(format!("{address}/api/v1/auth/login"))
            .json(&json!({ "username": "member10", "password": PASSWORD }))
            .send()
            .await
            .unwrap();
        let retry_after: u64 = res.headers()["retry-after"]
            .to_str()
            .unwrap()
            .parse()
            .unwrap();
        assert!((1..=900).contains(&retry_after), "{what}: {retry_after}");
        assert_eq!(
            problem(res, StatusCode::TOO_MANY_REQUESTS).await.code,
            "auth.account_throttled",
            "{what}"
        );
    }
    // Other accounts sign in; unknown usernames are refused as before and write nothing.
    assert_eq!(
        app.login("member11", PASSWORD).await.status(),
        StatusCode::OK
    );
    for i in 0..5 {
        assert_eq!(
            app.login(&format!("nobody-{i}"), "guess").await.status(),
            StatusCode::UNAUTHORIZED
        );
    }
    assert_eq!(count(&app, "SELECT COUNT(*) FROM login_failure").await, 1);
    other.stop().await;
}

#[tokio::test]
async fn a_flood_of_sign_ins_is_answered_busy_at_once_instead_of_queued() {
    let app = TestApp::spawn_with_config(|c| {
        c.limits.login = Rate::new(10_000, 10_000);
        c.limits.password_hashers = 1;
        c.limits.password_wait_ms = 50;
    })
    .await;
    let attempts = (0..40).map(|i| {
        let req = app
            .client
            .post(app.url("/api/v1/auth/login"))
            .json(&json!({ "username": format!("nobody-{i}"), "password": "guess" }));
        async move {
            let res = req.send().await.unwrap();
            let retry_after = res
                .headers()
                .get("retry-after")
                .map(|v| v.to_str().unwrap().to_owned());
            (res.status(), retry_after)
        }
    });
    let answers = tokio::time::timeout(
        Duration::from_secs(20),
        futures_util::future::join_all(attempts),
    )
    .await
    .expect("every sign-in is answered, none hangs");
    let busy: Vec<_> = answers
        .iter()
        .filter(|(s, _)| *s == StatusCode::SERVICE_UNAVAILABLE)
        .collect();
    assert!(!busy.is_empty(), "a full pool answers 503: {answers:?}");
    assert!(
        busy.iter().all(|(_, r)| r.as_deref() == Some("1")),
        "with Retry-After: {busy:?}"
    );
    assert!(
        answers
            .iter()
            .all(|(s, _)| [StatusCode::UNAUTHORIZED, StatusCode::SERVICE_UNAVAILABLE].contains(s)),
        "no other answer: {answers:?}"
    );
    assert!(
        answers.iter().any(|(s, _)| *s == StatusCode::UNAUTHORIZED),
        "some were checked"
    );
}

#[tokio::test]
async fn the_web_app_keeps_its_refresh_token_in_a_strict_cookie() {
    let app = TestApp::spawn().await;
    let res = app.login("member12", PASSWORD).await;
    let cookie = res.headers()["set-cookie"].to_str().unwrap().to_owned();
    let tokens: TokenResponse = res.json().await.unwrap();
    assert!(
        cookie.starts_with(&format!("jifen_refresh={};", tokens.refresh_token)),
        "{cookie}"
    );
    for part in ["HttpOnly", "Secure", "SameSite=Strict", "Path=/api/v1/auth"] {
        assert!(cookie.split("; ").any(|p| p == part), "{part} in {cookie}");
    }

    // The app sends an empty body and the cookie.
    let with_cookie = |path: &str, token: &str| {
        app.client
            .post(app.url(path))
            .header("cookie", format!("theme=dark; jifen_refresh={token}"))
            .json(&json!({}))
    };
    let res = with_cookie("/api/v1/auth/refresh", &tokens.refresh_token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let renewed_cookie = res.headers()["set-cookie"].to_str().unwrap().to_owned();
    let renewed: TokenResponse = res.json().await.unwrap();
    assert!(renewed_cookie.starts_with(&format!("jifen_refresh={};", renewed.refresh_token)));

    // Not from a form: the body must be JSON.
    let res = app
        .client
        .post(app.url("/api/v1/auth/refresh"))
        .header("cookie", format!("jifen_refresh={}", renewed.refresh_token))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("refresh_token=")
        .send()
        .await
        .unwrap();
    assert!(res.status().is_client_error(), "{}", res.status());

    let res = with_cookie("/api/v1/auth/logout", &renewed.refresh_token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    let cleared = res.headers()["set-cookie"].to_str().unwrap().to_owned();
    assert!(
        cleared.starts_with("jifen_refresh=;") && cleared.contains("Max-Age=0"),
        "{cleared}"
    );
    until_ended(
        &app,
        &app.address,
        &renewed.access_token,
        "signed out through the cookie",
    )
    .await;
    let res = with_cookie("/api/v1/auth/refresh", &renewed.refresh_token)
        .send()
        .await
        .unwrap();
    assert_eq!(
        problem(res, StatusCode::UNAUTHORIZED).await.code,
        "auth.refresh_invalid"
    );
}
