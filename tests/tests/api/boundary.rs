use jifen_server::seed::SNOW;
use jifen_tests::{problem, TestApp};
use reqwest::StatusCode;
use serde_json::json;

/// A server whose web app is one page.
async fn with_a_page() -> TestApp {
    let app = TestApp::spawn().await;
    let dist = app.state.config.app_dir.clone();
    std::fs::create_dir_all(&dist).unwrap();
    std::fs::write(
        dist.join("index.html"),
        "<!doctype html><title>积分</title>",
    )
    .unwrap();
    app
}

/// The browser is told to run only this server's scripts, never to frame the app, not to guess
/// types and not to leak addresses, on the app's pages and on the API alike.
#[tokio::test]
async fn every_answer_carries_the_security_headers() {
    let app = with_a_page().await;
    let member = app.login_as("member3").await;

    for res in [
        app.client.get(app.url("/report")).send().await.unwrap(),
        app.get(&member, "/api/v1/me").await,
        app.client.get(app.url("/api/v1/me")).send().await.unwrap(),
    ] {
        let csp = res.headers()["content-security-policy"].to_str().unwrap();
        for directive in [
            "default-src 'self'",
            "script-src 'self' 'wasm-unsafe-eval'",
            "frame-ancestors 'none'",
            "object-src 'none'",
        ] {
            assert!(csp.contains(directive), "{directive} missing from {csp}");
        }
        assert_eq!(res.headers()["x-content-type-options"], "nosniff");
        assert_eq!(res.headers()["referrer-policy"], "no-referrer");
        assert_eq!(res.headers()["x-frame-options"], "DENY");
    }
}

/// Link checkers and monitors ask with HEAD: they get what GET would say, without the body.
#[tokio::test]
async fn head_is_answered_wherever_get_is() {
    let app = with_a_page().await;
    let member = app.login_as("member3").await;

    for path in ["/", "/report", "/healthz", "/api/openapi.json"] {
        let res = app.client.head(app.url(path)).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::OK, "HEAD {path}");
        assert!(res.bytes().await.unwrap().is_empty(), "no body for {path}");
    }
    let res = app
        .client
        .head(app.url("/api/v1/me"))
        .bearer_auth(&member.access_token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(
        res.headers()["content-type"],
        "application/json",
        "the type GET would send"
    );
    let res = app.client.head(app.url("/api/v1/me")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
}

/// A NUL or an escape sequence in a username, a branch code, an id or a query value never reaches
/// the database: the caller is told which field holds it.
#[tokio::test]
async fn control_characters_are_refused_wherever_text_enters() {
    let app = TestApp::spawn().await;
    let member = app.login_as("member3").await;

    let res = app
        .client
        .post(app.url("/api/v1/auth/login"))
        .json(&json!({ "username": "member3\u{0}", "password": "x" }))
        .send()
        .await
        .unwrap();
    let p = problem(res, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(p.errors[0].field, "username");
    assert_eq!(p.errors[0].code, "text.control_characters");

    let res = app
        .client
        .get(app.url("/api/v1/public/branches/demo%00-1/board"))
        .send()
        .await
        .unwrap();
    problem(res, StatusCode::BAD_REQUEST).await;

    let res = app.get(&member, "/api/v1/deeds/abc%1b%5b31m").await;
    problem(res, StatusCode::BAD_REQUEST).await;

    let res = app.get(&member, "/api/v1/deeds?scope=mine%00").await;
    let p = problem(res, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(p.errors[0].field, "scope");
}

/// A name that reorders itself could pass for someone else's on the public board: refused. A
/// zero-width space pasted along from a chat is quietly dropped.
#[tokio::test]
async fn hidden_direction_characters_are_refused_and_zero_width_ones_dropped() {
    let app = TestApp::spawn().await;
    let member = app.login_as("member3").await;

    let mut form = serde_json::to_value(app.deed_form(SNOW)).unwrap();
    form["place"]["name"] = json!("东关村\u{202E}口村");
    let res = app.post(&member, "/api/v1/deeds", &form).await;
    let p = problem(res, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(p.errors[0].field, "place.name");
    assert_eq!(p.errors[0].code, "text.direction_characters");

    let mut form = serde_json::to_value(app.deed_form(SNOW)).unwrap();
    form["title"] = json!("清扫\u{200B}积雪");
    let res = app.post(&member, "/api/v1/deeds", &form).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let deed: serde_json::Value = res.json().await.unwrap();
    assert_eq!(deed["title"], "清扫积雪");
}

/// A committee member whose client sends a broken approval body is told so: the deed is not
/// approved at the standard points by accident.
#[tokio::test]
async fn a_malformed_approval_is_refused_not_taken_as_empty() {
    let app = TestApp::spawn().await;
    let member = app.login_as("member3").await;
    let committee = app.login_as("committee1").await;
    let deed = app.submit(&member, &app.deed_form(SNOW)).await;

    let res = app
        .client
        .post(app.url(&format!("/api/v1/deeds/{}/approve", deed.id)))
        .bearer_auth(&committee.access_token)
        .header("content-type", "application/json")
        .body("{\"points\": 3")
        .send()
        .await
        .unwrap();
    problem(res, StatusCode::BAD_REQUEST).await;
    let res = app
        .client
        .post(app.url(&format!("/api/v1/deeds/{}/approve", deed.id)))
        .bearer_auth(&committee.access_token)
        .header("content-type", "text/plain")
        .body("points=3")
        .send()
        .await
        .unwrap();
    problem(res, StatusCode::BAD_REQUEST).await;
    let still: serde_json::Value = app
        .get(&member, &format!("/api/v1/deeds/{}", deed.id))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(still["status"], "submitted");

    let res = app
        .client
        .post(app.url(&format!("/api/v1/deeds/{}/approve", deed.id)))
        .bearer_auth(&committee.access_token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK, "no body: the standard points");
}

/// Every list answers the same to a page size it does not give: 422 naming `limit`, rather than
/// quietly serving another size.
#[tokio::test]
async fn every_list_refuses_a_page_size_out_of_range() {
    let app = TestApp::spawn().await;
    let member = app.login_as("member3").await;
    for path in [
        "/api/v1/me/notifications?limit=101",
        "/api/v1/me/notifications?limit=0",
        "/api/v1/deeds?limit=101",
    ] {
        let p = problem(
            app.get(&member, path).await,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
        assert_eq!(p.errors[0].field, "limit", "{path}");
    }
    let res = app.get(&member, "/api/v1/me/notifications?limit=100").await;
    assert_eq!(res.status(), StatusCode::OK);
}
