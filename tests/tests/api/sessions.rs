use chrono::Duration;
use jifen_server::infra::config::Secret;
use jifen_server::services::auth::tokens::TokenKeys;
use jifen_shared::api::{LogoutRequest, TokenResponse};
use jifen_tests::{problem, TestApp, JWT_SECRET};
use reqwest::StatusCode;

async fn me_with(app: &TestApp, token: Option<&str>) -> reqwest::Response {
    let mut req = app.client.get(app.url("/api/v1/me"));
    if let Some(t) = token {
        req = req.header("Authorization", t);
    }
    req.send().await.unwrap()
}

#[tokio::test]
async fn requests_without_a_valid_token_are_refused() {
    let app = TestApp::spawn().await;
    let member_id = app.demo.member("member3");
    let now = app.state.clock.now();
    let forged = TokenKeys::new(&Secret::new("someone-elses-key-someone-elses-key"), 900, 30)
        .issue(member_id, "a-session", now)
        .unwrap();
    let expired = TokenKeys::new(&Secret::new(JWT_SECRET), 900, 30)
        .issue(member_id, "a-session", now - Duration::hours(1))
        .unwrap();
    let valid = TokenKeys::new(&Secret::new(JWT_SECRET), 900, 30)
        .issue(member_id, "a-session", now)
        .unwrap();

    let cases = [
        (None, "auth.missing_token", "no Authorization header"),
        (
            Some("Basic bWVtYmVyMzpwdw==".to_string()),
            "auth.invalid_token",
            "not a bearer token",
        ),
        (
            Some("Bearer not-a-jwt".to_string()),
            "auth.invalid_token",
            "garbage token",
        ),
        (
            Some(format!("Bearer {forged}")),
            "auth.invalid_token",
            "signed with another key",
        ),
        (
            Some(format!("Bearer {expired}")),
            "auth.token_expired",
            "expired an hour ago",
        ),
    ];
    for (header, code, why) in cases {
        let res = me_with(&app, header.as_deref()).await;
        let p = problem(res, StatusCode::UNAUTHORIZED).await;
        assert_eq!(p.code, code, "{why}");
    }
    let res = me_with(&app, Some(&format!("Bearer {valid}"))).await;
    assert_eq!(
        res.status(),
        StatusCode::OK,
        "a token signed with the server's key works"
    );
}

#[tokio::test]
async fn a_wrong_password_is_refused_without_saying_which_part_was_wrong() {
    let app = TestApp::spawn().await;
    for (username, password) in [
        ("member3", "wrong-password"),
        ("nobody-here", "correct-horse-42"),
    ] {
        let res = app.login(username, password).await;
        assert_eq!(
            problem(res, StatusCode::UNAUTHORIZED).await.code,
            "auth.bad_credentials"
        );
    }
}

#[tokio::test]
async fn a_refresh_token_works_once_and_reusing_it_ends_the_session() {
    let app = TestApp::spawn().await;
    let user = app.login_as("member3").await;

    let res = app.refresh(&user.refresh_token).await;
    assert_eq!(res.status(), StatusCode::OK);
    let second: TokenResponse = res.json().await.unwrap();
    assert_ne!(second.refresh_token, user.refresh_token);
    let res = me_with(&app, Some(&format!("Bearer {}", second.access_token))).await;
    assert_eq!(res.status(), StatusCode::OK);

    // The old token again: someone replayed it, so the whole family is revoked.
    let res = app.refresh(&user.refresh_token).await;
    assert_eq!(
        problem(res, StatusCode::UNAUTHORIZED).await.code,
        "auth.refresh_reused"
    );
    let res = app.refresh(&second.refresh_token).await;
    assert_eq!(
        problem(res, StatusCode::UNAUTHORIZED).await.code,
        "auth.refresh_invalid"
    );

    // Another login is a separate session and unaffected.
    let other = app.login_as("member3").await;
    assert_eq!(
        app.refresh(&other.refresh_token).await.status(),
        StatusCode::OK
    );
}

#[tokio::test]
async fn logging_out_ends_the_session() {
    let app = TestApp::spawn().await;
    let user = app.login_as("member3").await;
    let res = app
        .post_anonymous(
            "/api/v1/auth/logout",
            &LogoutRequest {
                refresh_token: user.refresh_token.clone(),
            },
        )
        .await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    let res = app.refresh(&user.refresh_token).await;
    assert_eq!(
        problem(res, StatusCode::UNAUTHORIZED).await.code,
        "auth.refresh_invalid"
    );
}

#[tokio::test]
async fn errors_speak_english_when_asked() {
    let app = TestApp::spawn().await;
    let res = app
        .client
        .get(app.url("/api/v1/me"))
        .header("Accept-Language", "en-GB,en;q=0.8")
        .send()
        .await
        .unwrap();
    let p = problem(res, StatusCode::UNAUTHORIZED).await;
    assert_eq!(p.message, "Please sign in first.");
    let res = app.client.get(app.url("/api/v1/me")).send().await.unwrap();
    assert_eq!(
        problem(res, StatusCode::UNAUTHORIZED).await.message,
        "请先登录"
    );
}
