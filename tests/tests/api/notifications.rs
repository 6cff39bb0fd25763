//! Members hear about the committee's decisions: in the app's inbox always, and by a WeChat
//! subscribe message when they are bound and subscribed. Messages go through the outbox, so
//! WeChat being down, a refused subscription or a restart loses none and sends none twice.

use jifen_server::entity::outbox;
use jifen_server::seed::SNOW;
use jifen_shared::api::{NotificationPage, SubscriptionBalance, SubscriptionConsents};
use jifen_shared::domain::NotificationKind;
use jifen_tests::fake_wechat::{FakeWechat, TEMPLATE_DEED_RESULT};
use jifen_tests::{eventually, problem, Review, TestApp, User};
use reqwest::StatusCode;
use sea_orm::EntityTrait;
use serde_json::json;

const SEND: &str = "/cgi-bin/message/subscribe/send";
const TOKEN: &str = "/cgi-bin/stable_token";

/// The member accepts `n` subscriptions to the deed-result template in the mini program.
async fn subscribe(app: &TestApp, member: &User, n: usize) -> SubscriptionBalance {
    let mut balance = None;
    for _ in 0..n {
        let res = app.subscribe(member, TEMPLATE_DEED_RESULT).await;
        assert_eq!(res.status(), StatusCode::OK);
        balance = Some(res.json().await.unwrap());
    }
    balance.expect("at least one subscription")
}

/// The member reports a deed and committee1 approves it; returns the deed id.
async fn approved_deed(app: &TestApp, member: &User, committee: &User) -> String {
    let deed = app.submit(member, &app.deed_form(SNOW)).await;
    let res = app.review(committee, &deed.id, Review::APPROVE).await;
    assert_eq!(res.status(), StatusCode::OK);
    deed.id
}

async fn outbox_rows(app: &TestApp) -> Vec<outbox::Model> {
    outbox::Entity::find()
        .all(app.state.db.conn())
        .await
        .unwrap()
}

async fn all_settled(app: &TestApp, status: &str, n: usize) -> Option<Vec<outbox::Model>> {
    let rows = outbox_rows(app).await;
    (rows.len() == n && rows.iter().all(|r| r.status == status)).then_some(rows)
}

#[tokio::test]
async fn an_approved_deed_reaches_the_member_by_wechat_and_in_the_inbox() {
    let fake = FakeWechat::start().await;
    let app = TestApp::spawn_with_wechat(&fake).await;
    let member = app.bind_wechat(&fake, "member3", "openid-liu").await;
    let committee = app.login_as("committee1").await;
    let balance = subscribe(&app, &member, 1).await;
    assert_eq!(balance.available[TEMPLATE_DEED_RESULT], 1);

    let deed_id = approved_deed(&app, &member, &committee).await;
    eventually("WeChat accepted the message", || async {
        (fake.delivered().len() == 1).then_some(())
    })
    .await;

    let sent = &fake.delivered()[0];
    assert_eq!(sent["touser"], "openid-liu");
    assert_eq!(sent["template_id"], TEMPLATE_DEED_RESULT);
    assert_eq!(sent["page"], format!("pages/deed/detail?id={deed_id}"));
    assert_eq!(sent["miniprogram_state"], "trial");
    assert_eq!(sent["lang"], "zh_CN");
    assert_eq!(sent["data"]["thing1"]["value"], "清扫村口积雪");
    assert_eq!(sent["data"]["phrase2"]["value"], "已通过");
    assert_eq!(sent["data"]["thing3"]["value"], "获得1分");
    let token_calls = fake.received(TOKEN);
    assert_eq!(token_calls.len(), 1);
    assert_eq!(token_calls[0].body["force_refresh"], false);
    assert_eq!(
        fake.received(SEND)[0].query["access_token"],
        "ACCESS-TOKEN-1"
    );

    // The subscription is spent: the next decision reaches the inbox only.
    let balance: SubscriptionBalance = app
        .get(&member, "/api/v1/me/subscriptions")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(balance.available[TEMPLATE_DEED_RESULT], 0);
    let second = app.submit(&member, &app.deed_form(SNOW)).await;
    let res = app
        .review(&committee, &second.id, Review::Return("请补充照片"))
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(
        outbox_rows(&app).await.len(),
        1,
        "no subscription, no message"
    );

    let inbox = app.inbox(&member).await;
    assert_eq!(
        inbox.unread, 3,
        "the two decisions, and the WeChat account bound"
    );
    assert_eq!(inbox.items[0].kind, NotificationKind::DeedReturned);
    assert!(inbox.items[0].body.contains("请补充照片"));
    assert_eq!(inbox.items[1].kind, NotificationKind::DeedApproved);
    assert_eq!(inbox.items[1].deed_id.as_deref(), Some(deed_id.as_str()));

    let english: NotificationPage = app
        .client
        .get(app.url("/api/v1/me/notifications"))
        .bearer_auth(&member.access_token)
        .header("Accept-Language", "en")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(english.items[1].title, "Deed approved");

    let res = app
        .post(
            &member,
            &format!("/api/v1/me/notifications/{}/read", inbox.items[0].id),
            &json!({}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    let committees_try = app
        .post(
            &committee,
            &format!("/api/v1/me/notifications/{}/read", inbox.items[1].id),
            &json!({}),
        )
        .await;
    assert_eq!(
        problem(committees_try, StatusCode::NOT_FOUND).await.code,
        "notification.not_found",
        "nobody reads another member's messages"
    );
    let inbox = app.inbox(&member).await;
    assert_eq!(inbox.unread, 2);
}

#[tokio::test]
async fn an_unknown_template_is_refused() {
    let fake = FakeWechat::start().await;
    let app = TestApp::spawn_with_wechat(&fake).await;
    let member = app.login_as("member3").await;
    let res = app
        .post(
            &member,
            "/api/v1/me/subscriptions",
            &SubscriptionConsents {
                results: [("somebody-elses-template".into(), "accept".into())].into(),
            },
        )
        .await;
    let p = problem(res, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(p.errors[0].code, "subscription.unknown_template");
}

#[tokio::test]
async fn concurrent_senders_share_one_access_token_refresh() {
    let fake = FakeWechat::start().await;
    let app = TestApp::spawn_with_wechat(&fake).await;
    let wechat = app.state.wechat.clone().expect("WeChat configured");
    let tokens = futures_util::future::join_all((0..20).map(|_| wechat.tokens.get())).await;
    for token in tokens {
        assert_eq!(token.expect("a token"), "ACCESS-TOKEN-1");
    }
    assert_eq!(
        fake.received(TOKEN).len(),
        1,
        "one refresh for twenty callers"
    );

    // A server restarted later finds the shared token in the database and asks for none.
    let mut app = app;
    app.restart().await;
    let token = app
        .state
        .wechat
        .clone()
        .unwrap()
        .tokens
        .get()
        .await
        .unwrap();
    assert_eq!(token, "ACCESS-TOKEN-1");
    assert_eq!(fake.received(TOKEN).len(), 1);
}

#[tokio::test]
async fn an_expired_token_is_refreshed_once_and_the_message_sent() {
    let fake = FakeWechat::start().await;
    let app = TestApp::spawn_with_wechat(&fake).await;
    let member = app.bind_wechat(&fake, "member3", "openid-liu").await;
    let committee = app.login_as("committee1").await;
    subscribe(&app, &member, 2).await;

    approved_deed(&app, &member, &committee).await;
    eventually("the first message is delivered", || async {
        (fake.delivered().len() == 1).then_some(())
    })
    .await;

    fake.expire_tokens();
    approved_deed(&app, &member, &committee).await;
    eventually("the second message is delivered", || async {
        (fake.delivered().len() == 2).then_some(())
    })
    .await;

    let refreshes = fake.received(TOKEN);
    assert_eq!(refreshes.len(), 2);
    assert_eq!(refreshes[1].body["force_refresh"], true);
    let sends: Vec<String> = fake
        .received(SEND)
        .iter()
        .map(|r| r.query["access_token"].clone())
        .collect();
    assert_eq!(
        sends,
        vec!["ACCESS-TOKEN-1", "ACCESS-TOKEN-1", "ACCESS-TOKEN-2"],
        "the refused send is repeated once with the new token"
    );
}

#[tokio::test]
async fn messages_wait_out_a_wechat_outage_and_arrive_exactly_once() {
    let fake = FakeWechat::start().await;
    let app = TestApp::spawn_with_wechat(&fake).await;
    let member = app.bind_wechat(&fake, "member3", "openid-liu").await;
    let committee = app.login_as("committee1").await;
    subscribe(&app, &member, 3).await;

    fake.set_down(true);
    let mut deeds = Vec::new();
    for _ in 0..3 {
        deeds.push(approved_deed(&app, &member, &committee).await);
    }
    eventually("every message has been tried at least twice", || async {
        let rows = outbox_rows(&app).await;
        (rows.len() == 3 && rows.iter().all(|r| r.attempts >= 2)).then_some(())
    })
    .await;
    assert!(fake.delivered().is_empty());
    let rows = outbox_rows(&app).await;
    assert!(rows.iter().all(|r| r.status == "pending"));
    assert!(rows[0]
        .last_error
        .as_deref()
        .unwrap_or_default()
        .contains("502"));

    fake.set_down(false);
    all_settled_eventually(&app, "sent", 3).await;
    let mut pages: Vec<String> = fake
        .delivered()
        .iter()
        .map(|m| m["page"].as_str().unwrap().to_owned())
        .collect();
    pages.sort();
    let mut expected: Vec<String> = deeds
        .iter()
        .map(|id| format!("pages/deed/detail?id={id}"))
        .collect();
    expected.sort();
    assert_eq!(pages, expected, "each deed's message exactly once");
}

async fn all_settled_eventually(app: &TestApp, status: &str, n: usize) -> Vec<outbox::Model> {
    eventually(&format!("{n} outbox messages are {status}"), || {
        all_settled(app, status, n)
    })
    .await
}

#[tokio::test]
async fn a_refused_subscription_is_recorded_and_not_retried() {
    let fake = FakeWechat::start().await;
    let app = TestApp::spawn_with_wechat(&fake).await;
    let member = app.bind_wechat(&fake, "member3", "openid-liu").await;
    let committee = app.login_as("committee1").await;
    subscribe(&app, &member, 1).await;
    fake.refuse("openid-liu");

    approved_deed(&app, &member, &committee).await;
    let rows = all_settled_eventually(&app, "refused", 1).await;
    assert_eq!(rows[0].attempts, 1);
    assert!(rows[0].last_error.as_deref().unwrap().contains("43101"));

    // Another message wakes the worker; the refused one is still not tried again.
    fake.set_down(true);
    let other = app.bind_wechat(&fake, "member4", "openid-zhao").await;
    subscribe(&app, &other, 1).await;
    approved_deed(&app, &other, &committee).await;
    eventually("the other message was tried", || async {
        (fake.received(SEND).len() >= 2).then_some(())
    })
    .await;
    let to_liu = fake
        .received(SEND)
        .iter()
        .filter(|r| r.body["touser"] == "openid-liu")
        .count();
    assert_eq!(to_liu, 1, "43101 is final");
}

#[tokio::test]
async fn messages_pending_at_a_restart_are_sent_by_the_next_server() {
    let fake = FakeWechat::start().await;
    let mut app = TestApp::spawn_with_wechat(&fake).await;
    let member = app.bind_wechat(&fake, "member3", "openid-liu").await;
    let committee = app.login_as("committee1").await;
    subscribe(&app, &member, 2).await;

    fake.set_down(true);
    approved_deed(&app, &member, &committee).await;
    approved_deed(&app, &member, &committee).await;
    eventually("both messages were tried", || async {
        let rows = outbox_rows(&app).await;
        (rows.len() == 2 && rows.iter().all(|r| r.attempts >= 1)).then_some(())
    })
    .await;

    app.restart().await;
    fake.set_down(false);
    all_settled_eventually(&app, "sent", 2).await;
    assert_eq!(fake.delivered().len(), 2, "each message once");
}

#[tokio::test]
async fn two_servers_share_the_outbox_and_the_access_token() {
    let fake = FakeWechat::start().await;
    let app = TestApp::spawn_with_wechat(&fake).await;
    let member = app.bind_wechat(&fake, "member3", "openid-liu").await;
    let committee = app.login_as("committee1").await;
    subscribe(&app, &member, 6).await;

    fake.set_down(true);
    let second = app.another_instance().await;
    let mut deeds = Vec::new();
    for _ in 0..6 {
        deeds.push(approved_deed(&app, &member, &committee).await);
    }
    // Both workers now poll the same six messages and the same token row.
    eventually("every message has been tried", || async {
        let rows = outbox_rows(&app).await;
        (rows.len() == 6 && rows.iter().all(|r| r.attempts >= 1)).then_some(())
    })
    .await;
    fake.set_down(false);
    all_settled_eventually(&app, "sent", 6).await;

    let mut pages: Vec<String> = fake
        .delivered()
        .iter()
        .map(|m| m["page"].as_str().unwrap().to_owned())
        .collect();
    pages.sort();
    pages.dedup();
    assert_eq!(fake.delivered().len(), 6, "no message sent twice");
    assert_eq!(pages.len(), 6, "every deed's message sent");
    assert_eq!(
        fake.received(TOKEN).len(),
        1,
        "one access token for both servers"
    );
    second.stop().await;
}
