use jifen_server::infra::config::Rate;
use jifen_shared::api::{LoginRequest, RefreshRequest};
use jifen_tests::{problem, TestApp, PASSWORD};
use reqwest::StatusCode;

fn from(app: &TestApp, client: &str, path: &str) -> reqwest::RequestBuilder {
    app.client
        .post(app.url(path))
        .header("x-forwarded-for", client)
}

async fn login_from(app: &TestApp, client: &str, username: &str, password: &str) -> StatusCode {
    from(app, client, "/api/v1/auth/login")
        .json(&LoginRequest {
            username: username.into(),
            password: password.into(),
        })
        .send()
        .await
        .unwrap()
        .status()
}

/// Someone hammering the sign-in form from one address is told to wait, in words and in
/// `Retry-After`, before any password is checked; a member signing in from elsewhere is not.
#[tokio::test]
async fn a_client_guessing_passwords_is_told_to_wait_and_others_sign_in() {
    let app = TestApp::spawn_with_config(|c| {
        c.limits.client_ip_header = Some("x-forwarded-for".into());
        c.limits.login = Rate::new(3, 3);
    })
    .await;
    for _ in 0..3 {
        assert_eq!(
            login_from(&app, "198.51.100.9", "member3", "guess").await,
            StatusCode::UNAUTHORIZED
        );
    }
    let res = from(&app, "198.51.100.9", "/api/v1/auth/login")
        .header("Accept-Language", "en")
        .json(&LoginRequest {
            username: "member3".into(),
            password: PASSWORD.into(),
        })
        .send()
        .await
        .unwrap();
    let retry_after: u64 = res.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=60).contains(&retry_after), "{retry_after}");
    let p = problem(res, StatusCode::TOO_MANY_REQUESTS).await;
    assert_eq!(p.code, "request.too_many");
    assert!(p.message.contains("try again in"), "{}", p.message);

    assert_eq!(
        login_from(&app, "203.0.113.20", "member3", PASSWORD).await,
        StatusCode::OK,
        "another address is not held up"
    );
}

/// Junk refresh tokens and feedback from one address run out; the board's readers do not.
#[tokio::test]
async fn junk_refreshes_and_feedback_floods_run_out_per_client() {
    let app = TestApp::spawn_with_config(|c| {
        c.limits.client_ip_header = Some("x-forwarded-for".into());
        c.limits.refresh = Rate::new(2, 2);
        c.limits.feedback = Rate::new(1, 1);
    })
    .await;
    let mut statuses = Vec::new();
    for i in 0..3 {
        let res = from(&app, "198.51.100.7", "/api/v1/auth/refresh")
            .json(&RefreshRequest {
                refresh_token: format!("junk-{i}"),
            })
            .send()
            .await
            .unwrap();
        statuses.push(res.status());
    }
    assert_eq!(
        statuses,
        [
            StatusCode::UNAUTHORIZED,
            StatusCode::UNAUTHORIZED,
            StatusCode::TOO_MANY_REQUESTS
        ]
    );

    let feedback = serde_json::json!({ "year": 2026, "quarter": 1, "body": "公示很清楚" });
    let first = from(
        &app,
        "198.51.100.7",
        "/api/v1/public/branches/demo-1/feedback",
    )
    .json(&feedback)
    .send()
    .await
    .unwrap();
    assert_ne!(first.status(), StatusCode::TOO_MANY_REQUESTS);
    let second = from(
        &app,
        "198.51.100.7",
        "/api/v1/public/branches/demo-1/feedback",
    )
    .json(&feedback)
    .send()
    .await
    .unwrap();
    problem(second, StatusCode::TOO_MANY_REQUESTS).await;
    let board = app.public_board("demo-1", "").await;
    assert_ne!(
        board.status(),
        StatusCode::TOO_MANY_REQUESTS,
        "reading the board is not limited"
    );
}

/// Behind a proxy the limits count the address the proxy saw; a client cannot dodge them by
/// writing its own `X-Forwarded-For` when it talks to the server directly.
#[tokio::test]
async fn a_forged_forwarded_header_does_not_dodge_the_limit() {
    let app = TestApp::spawn_with_config(|c| {
        c.limits.client_ip_header = Some("x-forwarded-for".into());
        c.limits.trusted_proxies = vec![]; // nobody in front: the peer is the client
        c.limits.login = Rate::new(2, 2);
    })
    .await;
    let mut last = StatusCode::OK;
    for i in 0..3 {
        last = login_from(&app, &format!("198.51.100.{i}"), "member3", "guess").await;
    }
    assert_eq!(last, StatusCode::TOO_MANY_REQUESTS);
}
