//! Members sign in from the WeChat mini program; the first time they bind with an invite code
//! from their secretary. WeChat itself is the fake on loopback.

use jifen_shared::api::{BindingRequired, InviteView, MeResponse, TokenResponse};
use jifen_tests::fake_wechat::{FakeWechat, APPID, SECRET};
use jifen_tests::{problem, TestApp};
use reqwest::StatusCode;
use sea_orm::EntityTrait;
use serde_json::json;

#[tokio::test]
async fn a_member_binds_wechat_once_and_then_signs_straight_in() {
    let fake = FakeWechat::start().await;
    let app = TestApp::spawn_with_wechat(&fake).await;
    fake.user("first-code", "openid-liu", Some("unionid-liu"));

    let res = app.wechat_login("first-code").await;
    assert_eq!(res.status(), StatusCode::OK);
    let text = res.text().await.unwrap();
    assert!(
        !text.contains("SESSION-KEY"),
        "the session key is never returned"
    );
    let ticket: BindingRequired = serde_json::from_str(&text).unwrap();
    assert!(ticket.binding_required);

    let asked = fake.received("/sns/jscode2session");
    assert_eq!(asked.len(), 1);
    let q = &asked[0].query;
    assert_eq!(q["appid"], APPID);
    assert_eq!(q["secret"], SECRET);
    assert_eq!(q["js_code"], "first-code");
    assert_eq!(q["grant_type"], "authorization_code");

    let res = app
        .issue_invite(&app.login_as("secretary1").await, "member3")
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let code: InviteView = res.json().await.unwrap();
    // Typed the way an older member might: lower case, a space for the dash.
    let typed = code.code.to_lowercase().replace('-', " ");
    let res = app.wechat_bind(&ticket.binding_ticket, &typed).await;
    assert_eq!(res.status(), StatusCode::OK);
    let tokens: TokenResponse = res.json().await.unwrap();
    let me: MeResponse = app
        .client
        .get(app.url("/api/v1/me"))
        .bearer_auth(&tokens.access_token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(me.username, "member3");

    // The ticket and the invite code are spent.
    let again = app.wechat_bind(&ticket.binding_ticket, &code.code).await;
    assert_eq!(
        problem(again, StatusCode::BAD_REQUEST).await.code,
        "wechat.ticket_invalid"
    );

    // Next time the same WeChat user is signed in at once.
    fake.user("second-code", "openid-liu", Some("unionid-liu"));
    let res = app.wechat_login("second-code").await;
    assert_eq!(res.status(), StatusCode::OK);
    let tokens: TokenResponse = res.json().await.unwrap();
    assert_eq!(tokens.token_type, "Bearer");

    // The binding is in the branch's audit history, and the history still verifies.
    let verified = jifen_server::services::audit::verify(app.state.db.conn()).await;
    assert!(verified.is_ok(), "{verified:?}");
    let bound: Vec<String> = jifen_server::entity::audit_event::Entity::find()
        .all(app.state.db.conn())
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.action)
        .filter(|a| a.starts_with("wechat."))
        .collect();
    assert_eq!(bound, vec!["wechat.invite_issued", "wechat.bound"]);
}

#[tokio::test]
async fn wechat_refusals_become_clear_answers() {
    let fake = FakeWechat::start().await;
    let app = TestApp::spawn_with_wechat(&fake).await;

    let res = app.wechat_login("never-issued").await;
    assert_eq!(
        problem(res, StatusCode::BAD_REQUEST).await.code,
        "wechat.invalid_code"
    );

    fake.script("limited", &[45011]);
    let res = app.wechat_login("limited").await;
    assert_eq!(res.headers()["retry-after"], "60");
    assert_eq!(
        problem(res, StatusCode::TOO_MANY_REQUESTS).await.code,
        "wechat.rate_limited"
    );

    fake.script("risky", &[40226]);
    let res = app.wechat_login("risky").await;
    assert_eq!(
        problem(res, StatusCode::FORBIDDEN).await.code,
        "wechat.blocked_user"
    );

    let res = app.wechat_login("").await;
    assert_eq!(
        problem(res, StatusCode::UNPROCESSABLE_ENTITY).await.errors[0].field,
        "code"
    );

    fake.user("used-code", "openid-x", None);
    assert_eq!(app.wechat_login("used-code").await.status(), StatusCode::OK);
    let res = app.wechat_login("used-code").await;
    assert_eq!(
        problem(res, StatusCode::BAD_REQUEST).await.code,
        "wechat.code_used"
    );
}

#[tokio::test]
async fn a_busy_wechat_is_asked_once_more_and_then_reported_unavailable() {
    let fake = FakeWechat::start().await;
    let app = TestApp::spawn_with_wechat(&fake).await;

    fake.user("busy-once", "openid-busy", None);
    fake.script("busy-once", &[-1]);
    let res = app.wechat_login("busy-once").await;
    assert_eq!(res.status(), StatusCode::OK, "the retry succeeds");
    assert_eq!(fake.received("/sns/jscode2session").len(), 2);

    fake.user("busy-twice", "openid-busy2", None);
    fake.script("busy-twice", &[-1, -1]);
    let res = app.wechat_login("busy-twice").await;
    assert_eq!(res.headers()["retry-after"], "5");
    let p = problem(res, StatusCode::SERVICE_UNAVAILABLE).await;
    assert_eq!(p.code, "wechat.unavailable");
    assert_eq!(
        fake.received("/sns/jscode2session").len(),
        4,
        "exactly one retry per sign-in"
    );
}

#[tokio::test]
async fn an_unknown_ticket_is_answered_without_waiting_for_the_write_lock() {
    let fake = FakeWechat::start().await;
    let app = TestApp::spawn_with_wechat(&fake).await;
    fake.user("c1", "openid-late", None);
    let ticket: BindingRequired = app.wechat_login("c1").await.json().await.unwrap();
    let expired = app.wechat_bind(&ticket.binding_ticket, "AAAA-AAAA").await;
    assert_eq!(expired.status(), StatusCode::BAD_REQUEST);

    // Someone holds the write lock (a long approval, say): made-up tickets must not queue behind it.
    let held = app.state.db.begin_write().await.unwrap();
    let res = tokio::time::timeout(
        std::time::Duration::from_secs(1),
        app.wechat_bind("made-up-ticket", "AAAA-AAAA"),
    )
    .await
    .expect("an unknown ticket is answered from a plain read");
    assert_eq!(
        problem(res, StatusCode::BAD_REQUEST).await.code,
        "wechat.ticket_invalid"
    );
    held.commit().await.unwrap();
}

#[tokio::test]
async fn wrong_invite_codes_wear_out_the_ticket() {
    let fake = FakeWechat::start().await;
    let app = TestApp::spawn_with_wechat(&fake).await;
    fake.user("c1", "openid-guess", None);
    let ticket: BindingRequired = app.wechat_login("c1").await.json().await.unwrap();
    let right: InviteView = app
        .issue_invite(&app.login_as("secretary1").await, "member4")
        .await
        .json()
        .await
        .unwrap();

    for _ in 0..5 {
        let res = app.wechat_bind(&ticket.binding_ticket, "AAAA-AAAA").await;
        assert_eq!(
            problem(res, StatusCode::BAD_REQUEST).await.code,
            "wechat.invite_invalid"
        );
    }
    let res = app.wechat_bind(&ticket.binding_ticket, &right.code).await;
    assert_eq!(
        problem(res, StatusCode::BAD_REQUEST).await.code,
        "wechat.ticket_invalid",
        "five wrong guesses end the ticket, even before the right code"
    );
}

#[tokio::test]
async fn only_the_members_own_branch_issues_invites_and_only_an_admin_unbinds() {
    let fake = FakeWechat::start().await;
    let app = TestApp::spawn_with_wechat(&fake).await;

    let res = app
        .issue_invite(&app.login_as("committee1").await, "member5")
        .await;
    assert_eq!(
        problem(res, StatusCode::FORBIDDEN).await.code,
        "auth.forbidden"
    );
    let res = app
        .issue_invite(&app.login_as("secretary2").await, "member5")
        .await;
    assert_eq!(
        problem(res, StatusCode::NOT_FOUND).await.code,
        "member.not_found",
        "another branch's secretary cannot tell the member exists"
    );

    app.bind_wechat(&fake, "member5", "openid-wang").await;

    // A second invite cannot bind the same member to another WeChat account.
    fake.user("other-phone", "openid-other", None);
    let ticket: BindingRequired = app.wechat_login("other-phone").await.json().await.unwrap();
    let code: InviteView = app
        .issue_invite(&app.login_as("secretary1").await, "member5")
        .await
        .json()
        .await
        .unwrap();
    let res = app.wechat_bind(&ticket.binding_ticket, &code.code).await;
    assert_eq!(
        problem(res, StatusCode::CONFLICT).await.code,
        "wechat.already_bound"
    );

    let member_id = app.demo.member("member5").to_owned();
    let path = format!("/api/v1/members/{member_id}/wechat");
    let secretary = app.login_as("secretary1").await;
    let res = app
        .client
        .delete(app.url(&path))
        .bearer_auth(&secretary.access_token)
        .send()
        .await
        .unwrap();
    assert_eq!(
        problem(res, StatusCode::FORBIDDEN).await.code,
        "auth.forbidden"
    );

    let admin = app.login_as("admin1").await;
    let res = app
        .client
        .delete(app.url(&path))
        .bearer_auth(&admin.access_token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NO_CONTENT);

    // Unbound, the old WeChat account must bind again.
    fake.user("after-unbind", "openid-wang", None);
    let res = app.wechat_login("after-unbind").await;
    let again: BindingRequired = res.json().await.unwrap();
    assert!(again.binding_required);
}

#[tokio::test]
async fn a_member_sets_a_password_for_the_web_app() {
    let app = TestApp::spawn().await;
    let member = app.login_as("member6").await;
    let put = |body: serde_json::Value| {
        app.client
            .put(app.url("/api/v1/me/password"))
            .bearer_auth(&member.access_token)
            .json(&body)
            .send()
    };

    let res = put(json!({ "new_password": "new-secret-99" }))
        .await
        .unwrap();
    assert_eq!(
        problem(res, StatusCode::UNPROCESSABLE_ENTITY).await.errors[0].code,
        "password.current_required"
    );
    let res = put(json!({ "current_password": "wrong", "new_password": "new-secret-99" }))
        .await
        .unwrap();
    assert_eq!(
        problem(res, StatusCode::UNAUTHORIZED).await.code,
        "auth.bad_credentials"
    );
    let res = put(json!({ "current_password": jifen_tests::PASSWORD, "new_password": "short" }))
        .await
        .unwrap();
    assert_eq!(
        problem(res, StatusCode::UNPROCESSABLE_ENTITY).await.errors[0].code,
        "password.too_short"
    );
    let res =
        put(json!({ "current_password": jifen_tests::PASSWORD, "new_password": "new-secret-99" }))
            .await
            .unwrap();
    assert_eq!(res.status(), StatusCode::NO_CONTENT);

    let res = app
        .client
        .post(app.url("/api/v1/auth/login"))
        .json(&json!({ "username": "member6", "password": "new-secret-99" }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK, "the new password works");
}

#[tokio::test]
async fn without_wechat_configured_the_endpoints_say_so() {
    let app = TestApp::spawn().await;
    let res = app.wechat_login("any").await;
    assert_eq!(
        problem(res, StatusCode::NOT_FOUND).await.code,
        "wechat.not_configured"
    );
}

#[tokio::test]
async fn one_ticket_binds_once_even_when_sent_twice_at_once() {
    let fake = FakeWechat::start().await;
    let app = TestApp::spawn_with_wechat(&fake).await;
    fake.user("double-tap", "openid-double", None);
    let ticket: BindingRequired = app.wechat_login("double-tap").await.json().await.unwrap();
    let code: InviteView = app
        .issue_invite(&app.login_as("secretary1").await, "member7")
        .await
        .json()
        .await
        .unwrap();

    let (a, b) = tokio::join!(
        app.wechat_bind(&ticket.binding_ticket, &code.code),
        app.wechat_bind(&ticket.binding_ticket, &code.code)
    );
    let mut statuses = [a.status().as_u16(), b.status().as_u16()];
    statuses.sort();
    assert_eq!(
        statuses,
        [200, 400],
        "one bind wins, the other finds the ticket spent"
    );
}
