//! Sensitive acts take two people, and the member is told: an invite code for someone who holds a
//! role is only made when a second role holder confirms it, and a member hears in the inbox when
//! a WeChat account is bound to them or unbound.

use jifen_shared::api::{
    BindingRequired, InviteView, NotificationPage, PendingInviteView, TokenResponse,
};
use jifen_shared::domain::NotificationKind;
use jifen_tests::fake_wechat::FakeWechat;
use jifen_tests::{problem, TestApp};
use reqwest::StatusCode;

async fn inbox_of(app: &TestApp, access_token: &str) -> NotificationPage {
    let res = app
        .client
        .get(app.url("/api/v1/me/notifications"))
        .bearer_auth(access_token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    res.json().await.unwrap()
}

#[tokio::test]
async fn an_invite_for_a_committee_member_needs_a_second_role_holder() {
    let fake = FakeWechat::start().await;
    let app = TestApp::spawn_with_wechat(&fake).await;
    let secretary = app.login_as("secretary1").await;

    // The secretary asks for a code for a fellow committee member: no code yet.
    let res = app.issue_invite(&secretary, "committee1").await;
    assert_eq!(res.status(), StatusCode::ACCEPTED);
    let text = res.text().await.unwrap();
    assert!(
        !text.contains("\"code\""),
        "no code before a second person: {text}"
    );
    let pending: PendingInviteView = serde_json::from_str(&text).unwrap();
    assert_eq!(pending.member_id, app.demo.member("committee1"));
    let confirm = |who: &jifen_tests::User| {
        let path = format!("/api/v1/invites/{}/confirm", pending.id);
        let app = &app;
        let who = who.clone();
        async move { app.post(&who, &path, &serde_json::json!({})).await }
    };

    // Whoever asked cannot confirm; nor can a plain member, nor another branch.
    assert_eq!(
        problem(confirm(&secretary).await, StatusCode::FORBIDDEN)
            .await
            .code,
        "invite.second_person"
    );
    let member = app.login_as("member3").await;
    assert_eq!(
        problem(confirm(&member).await, StatusCode::FORBIDDEN)
            .await
            .code,
        "auth.forbidden"
    );
    let elsewhere = app.login_as("secretary2").await;
    assert_eq!(
        problem(confirm(&elsewhere).await, StatusCode::NOT_FOUND)
            .await
            .code,
        "invite.not_found"
    );

    // The administrator sees it waiting and confirms it; the code goes to them, once.
    let admin = app.login_as("admin1").await;
    let branch = app.demo.branch("demo-1").to_owned();
    let waiting: Vec<PendingInviteView> = app
        .get(
            &admin,
            &format!("/api/v1/branches/{branch}/invites/pending"),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(waiting.len(), 1);
    assert_eq!(waiting[0].requested_by, secretary.member_id);
    let res = confirm(&admin).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let invite: InviteView = res.json().await.unwrap();
    assert_eq!(
        problem(confirm(&admin).await, StatusCode::NOT_FOUND)
            .await
            .code,
        "invite.not_found",
        "confirmed once"
    );

    // The committee member binds with it, and hears of it.
    fake.user("committee-phone", "openid-committee", None);
    let ticket: BindingRequired = app
        .wechat_login("committee-phone")
        .await
        .json()
        .await
        .unwrap();
    let res = app.wechat_bind(&ticket.binding_ticket, &invite.code).await;
    assert_eq!(res.status(), StatusCode::OK);
    let tokens: TokenResponse = res.json().await.unwrap();
    let inbox = inbox_of(&app, &tokens.access_token).await;
    assert_eq!(inbox.items[0].kind, NotificationKind::WechatBound);

    // A plain member's invite is made at once, as before.
    let res = app.issue_invite(&secretary, "member4").await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let _: InviteView = res.json().await.unwrap();
}

#[tokio::test]
async fn the_member_is_told_when_a_wechat_account_is_bound_and_unbound() {
    let fake = FakeWechat::start().await;
    let app = TestApp::spawn_with_wechat(&fake).await;
    let member = app.login_as("member5").await;
    let before = inbox_of(&app, &member.access_token).await;
    assert!(before
        .items
        .iter()
        .all(|n| n.kind != NotificationKind::WechatBound));

    app.bind_wechat(&fake, "member5", "openid-wang").await;
    let inbox = inbox_of(&app, &member.access_token).await;
    let told = &inbox.items[0];
    assert_eq!(told.kind, NotificationKind::WechatBound);
    assert!(told.body.contains("书记"), "{}", told.body);
    assert!(!told.read);

    let admin = app.login_as("admin1").await;
    let res = app
        .client
        .delete(app.url(&format!("/api/v1/members/{}/wechat", member.member_id)))
        .bearer_auth(&admin.access_token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    let inbox = inbox_of(&app, &member.access_token).await;
    assert_eq!(inbox.items[0].kind, NotificationKind::WechatUnbound);
    assert_eq!(inbox.items[1].kind, NotificationKind::WechatBound);
}
