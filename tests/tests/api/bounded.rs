//! Nobody grows the server's memory by asking: the answers it keeps are keyed only on checked
//! fields that the query uses, and ids in query strings must be ids.

use jifen_tests::{eventually, problem, TestApp, User};
use reqwest::StatusCode;

/// Asks until an answer is kept (the cache keeps nothing until it knows the database's change
/// generation), and answers how many are.
/// The number of answers kept once `path`'s answer is among them (a write elsewhere while it is
/// served keeps it from being kept; then it is asked again).
async fn kept_after(app: &TestApp, user: &User, path: &str) -> u64 {
    let before = app.state.reads.entry_count();
    eventually("an answer is kept", || async {
        let res = app.get(user, path).await;
        assert_eq!(res.status(), StatusCode::OK);
        let kept = app.state.reads.entry_count();
        (kept > before).then_some(kept)
    })
    .await
}

async fn get_in(app: &TestApp, user: &User, path: &str, lang: &str) -> reqwest::Response {
    app.client
        .get(app.url(path))
        .bearer_auth(&user.access_token)
        .header("accept-language", lang)
        .send()
        .await
        .unwrap()
}

/// A GET written on the socket: an address over 64 KiB is more than HTTP client libraries send,
/// but nothing stops an attacker from sending it. Answers the status.
async fn raw_get(app: &TestApp, user: &User, path: &str) -> u16 {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let address = app.address.trim_start_matches("http://");
    let mut conn = tokio::net::TcpStream::connect(address).await.unwrap();
    let request = format!(
        "GET {path} HTTP/1.1\r\nHost: {address}\r\nAuthorization: Bearer {}\r\n\
         Connection: close\r\n\r\n",
        user.access_token
    );
    conn.write_all(request.as_bytes()).await.unwrap();
    let mut answer = Vec::new();
    conn.read_to_end(&mut answer).await.unwrap();
    String::from_utf8_lossy(&answer[9..12]).parse().unwrap()
}

#[tokio::test]
async fn kilobytes_of_junk_as_a_member_id_are_refused_and_not_kept() {
    let app = TestApp::spawn().await;
    let committee = app.login_as("committee1").await;
    kept_after(&app, &committee, "/api/v1/deeds?scope=review").await;
    let before = app.state.reads.weighted_size();
    for (i, lang) in ["en", "zh-CN"].into_iter().cycle().take(20).enumerate() {
        // About the most an address may hold (64 KiB) and still reach the application.
        let junk = format!("{i}{}", "a".repeat(60 * 1024));
        let path = format!("/api/v1/deeds?scope=review&member_id={junk}");
        let p = problem(
            get_in(&app, &committee, &path, lang).await,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
        assert_eq!(p.code, "validation.failed");
        assert_eq!(p.errors.len(), 1);
        assert_eq!(p.errors[0].field, "member_id");
        let expected = if lang == "en" {
            "not a valid id"
        } else {
            "不是有效的编号"
        };
        assert_eq!(p.errors[0].message, expected);
    }
    let junk = "a".repeat(100 * 1024);
    let status = raw_get(
        &app,
        &committee,
        &format!("/api/v1/deeds?scope=review&member_id={junk}"),
    )
    .await;
    assert_eq!(status, 400, "100 KiB never reaches the application");
    assert!(
        app.state.reads.weighted_size() <= before,
        "the cache did not grow: {} bytes, {before} before",
        app.state.reads.weighted_size()
    );
}

#[tokio::test]
async fn a_branch_or_member_that_is_not_an_id_is_refused_in_any_scope() {
    let app = TestApp::spawn().await;
    let committee = app.login_as("committee1").await;
    let member = app.login_as("member3").await;
    let res = app
        .get(&committee, "/api/v1/deeds?scope=review&branch_id=demo-1")
        .await;
    let p = problem(res, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(p.errors[0].field, "branch_id");
    assert_eq!(p.errors[0].code, "query.invalid");
    let res = app
        .get(&member, "/api/v1/deeds?branch_id=x&member_id=y")
        .await;
    let p = problem(res, StatusCode::UNPROCESSABLE_ENTITY).await;
    let fields: Vec<&str> = p.errors.iter().map(|e| e.field.as_str()).collect();
    assert_eq!(
        fields,
        ["branch_id", "member_id"],
        "each parameter is named"
    );
}

#[tokio::test]
async fn what_a_query_does_not_use_does_not_make_another_kept_answer() {
    let app = TestApp::spawn().await;
    let member = app.login_as("member3").await;
    let committee = app.login_as("committee1").await;
    assert_eq!(kept_after(&app, &member, "/api/v1/deeds").await, 1);
    for i in 0..20 {
        let someone = uuid::Uuid::now_v7();
        let path = format!("/api/v1/deeds?scope=mine&member_id={someone}&branch_id={someone}");
        let res = app.get(&member, &path).await;
        assert_eq!(res.status(), StatusCode::OK);
        assert_eq!(
            app.state.reads.entry_count(),
            1,
            "my own deeds, asked {i} more times with ids they ignore"
        );
    }

    let them = &member.member_id;
    let lower = format!("/api/v1/deeds?scope=review&member_id={them}");
    let upper = format!(
        "/api/v1/deeds?scope=review&member_id={}",
        them.to_uppercase()
    );
    let kept = kept_after(&app, &committee, &lower).await;
    let res = app.get(&committee, &upper).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert!(
        app.state.reads.entry_count() <= kept,
        "one id, however it is spelled"
    );
}
