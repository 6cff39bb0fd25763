//! Feedback on the public board cannot be drowned: one sender floods it, the others still get
//! through, the committee pages to the earliest feedback, filters it and sets the flood aside in
//! one go, and the history keeps proof of each text without the text itself.

use std::time::Duration;

use chrono::{DateTime, Utc};
use jifen_server::infra::config::Rate;
use jifen_server::seed::HAIRCUT;
use jifen_server::services::audit;
use jifen_shared::api::{
    BulkDismissRequest, BulkDismissed, FeedbackPage, FeedbackRequest, FeedbackView,
};
use jifen_shared::domain::FeedbackStatus;
use jifen_tests::{problem, QuarterStep, Review, TestApp, User};
use reqwest::{Response, StatusCode};
use sea_orm::{ConnectionTrait, Statement};

/// Early January 2027: the fourth quarter of 2026 has just ended.
const NEW_YEAR: &str = "2027-01-05T10:00:00+08:00";
/// The flooding sender's address, and a villager's, as the trusted proxy reports them.
const FLOODER: &str = "203.0.113.7";
const VILLAGER: &str = "198.51.100.20";

/// A server behind a proxy that names the client in `X-Forwarded-For`, with the per-minute limit
/// on feedback out of the way (this story is about what waits, not how fast it comes).
async fn behind_a_proxy() -> TestApp {
    TestApp::spawn_at_with_config(NEW_YEAR, |c| {
        c.limits.client_ip_header = Some("x-forwarded-for".into());
        c.limits.feedback = Rate::new(10_000, 10_000);
    })
    .await
}

/// demo-1's fourth quarter of 2026 decided, signed and posted, so the masses can write about it.
async fn post_the_quarter(app: &TestApp) {
    let member = app.login_as("member3").await;
    let committee = app.login_as("committee1").await;
    let secretary = app.login_as("secretary1").await;
    let mut form = app.deed_form(HAIRCUT);
    form.occurred_at = DateTime::parse_from_rfc3339("2026-12-20T09:00:00+08:00")
        .unwrap()
        .with_timezone(&Utc);
    let deed = app.submit(&member, &form).await.id;
    app.review(&committee, &deed, Review::APPROVE).await;
    for step in [QuarterStep::Sign, QuarterStep::Publish] {
        let res = app.quarter_step(&secretary, "demo-1", step, 2026, 4).await;
        assert_eq!(res.status(), StatusCode::OK, "{step:?}");
    }
}

fn about_the_board(body: &str) -> FeedbackRequest {
    FeedbackRequest {
        year: 2026,
        quarter: 4,
        about_member_id: None,
        body: body.to_owned(),
        contact: None,
    }
}

/// Feedback on demo-1's board from the client at `from`.
async fn give_from(app: &TestApp, from: &str, code: &str, body: &str) -> Response {
    app.client
        .post(app.url(&format!("/api/v1/public/branches/{code}/feedback")))
        .header("x-forwarded-for", from)
        .json(&about_the_board(body))
        .send()
        .await
        .expect("POST request")
}

async fn given_from(app: &TestApp, from: &str, body: &str) -> FeedbackView {
    let res = give_from(app, from, "demo-1", body).await;
    assert_eq!(res.status(), StatusCode::ACCEPTED, "{body}");
    res.json().await.unwrap()
}

fn feedback_path(app: &TestApp) -> String {
    let branch = app.demo.branch("demo-1").to_owned();
    format!("/api/v1/branches/{branch}/quarters/2026/4/feedback")
}

async fn page(app: &TestApp, who: &User, query: &str) -> FeedbackPage {
    let res = app
        .get(who, &format!("{}{query}", feedback_path(app)))
        .await;
    assert_eq!(res.status(), StatusCode::OK, "the list answers {query}");
    res.json().await.unwrap()
}

async fn dismiss_many(app: &TestApp, who: &User, ids: &[String], reason: &str) -> Response {
    let body = BulkDismissRequest {
        ids: ids.to_vec(),
        reason: reason.to_owned(),
    };
    app.post(who, &format!("{}/dismiss", feedback_path(app)), &body)
        .await
}

/// The answer, which must come within a second (not after the write lock is free).
async fn in_time<T>(answer: impl std::future::Future<Output = T>) -> T {
    tokio::time::timeout(Duration::from_secs(1), answer)
        .await
        .expect("answered without waiting for the write lock")
}

#[tokio::test]
async fn a_board_that_does_not_exist_is_answered_while_a_write_is_under_way() {
    let app = behind_a_proxy().await;
    post_the_quarter(&app).await;

    // Someone holds the write lock (a long approval, say): junk must not queue behind it.
    let held = app.state.db.begin_write().await.unwrap();
    let res = in_time(give_from(&app, FLOODER, "no-such-branch", "垃圾")).await;
    assert_eq!(
        problem(res, StatusCode::NOT_FOUND).await.code,
        "org_unit.not_found",
        "an unknown branch code"
    );
    let not_posted = FeedbackRequest {
        quarter: 3,
        ..about_the_board("第三季度")
    };
    let res = in_time(
        app.client
            .post(app.url("/api/v1/public/branches/demo-1/feedback"))
            .header("x-forwarded-for", FLOODER)
            .json(&not_posted)
            .send(),
    )
    .await
    .unwrap();
    assert_eq!(
        problem(res, StatusCode::NOT_FOUND).await.code,
        "board.not_found",
        "a quarter not posted"
    );
    held.commit().await.unwrap();
}

#[tokio::test]
async fn one_sender_cannot_drown_the_others_and_the_history_keeps_no_text() {
    let app = behind_a_proxy().await;
    post_the_quarter(&app).await;
    let committee = app.login_as("committee1").await;

    // A villager writes first; then someone floods the board from one address.
    let genuine = given_from(&app, VILLAGER, "公示栏里刘凤霞的理发次数写少了").await;
    let mut flood = Vec::new();
    for i in 0..20 {
        flood.push(given_from(&app, FLOODER, &format!("刷屏 {i}")).await.id);
    }
    let res = give_from(&app, FLOODER, "demo-1", "刷屏 20").await;
    let retry_after = res
        .headers()
        .get(reqwest::header::RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    assert!(retry_after.is_some_and(|s| s > 0), "told when to come back");
    assert_eq!(
        problem(res, StatusCode::TOO_MANY_REQUESTS).await.code,
        "feedback.sender_waiting",
        "twenty waiting is all one sender may have"
    );
    // The refusal needs no write lock either.
    let held = app.state.db.begin_write().await.unwrap();
    let res = in_time(give_from(&app, FLOODER, "demo-1", "刷屏 21")).await;
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    held.commit().await.unwrap();

    // Anyone else still gets through.
    let second = given_from(&app, "198.51.100.21", "村口的路灯坏了").await;

    // The committee sees the flood as coming from one sender, and the first feedback first.
    let waiting = page(&app, &committee, "?status=received&limit=100").await;
    assert_eq!(waiting.counts.received, 22);
    assert_eq!(waiting.items[0].id, genuine.id, "the earliest comes first");
    assert_eq!(waiting.items.last().unwrap().id, second.id);
    let senders: std::collections::HashSet<_> = waiting.items[1..21]
        .iter()
        .map(|f| f.sender.clone().expect("a sender tag for the committee"))
        .collect();
    assert_eq!(senders.len(), 1, "the flood shares one sender tag");
    assert_ne!(waiting.items[0].sender, waiting.items[1].sender);
    assert!(
        !waiting.items[0]
            .sender
            .as_deref()
            .unwrap()
            .contains(VILLAGER),
        "the tag is a hash, not the address"
    );

    // The history proves what came in without keeping it.
    let db = app.database().await;
    let rows = db
        .query_all(Statement::from_string(
            app.backend(),
            format!(
                "SELECT after FROM audit_event WHERE action = 'feedback.received' AND entity_id = '{}'",
                genuine.id
            ),
        ))
        .await
        .unwrap();
    assert_eq!(rows.len(), 1);
    let after: String = rows[0].try_get("", "after").unwrap();
    let after: serde_json::Value = serde_json::from_str(&after).unwrap();
    // SHA-256 of the text, as `printf %s 公示栏里… | sha256sum` gives it.
    assert_eq!(
        after["body_sha256"],
        "11551e090c9587607a36138a0c8b68ed33641200fd5611161e7cedd5099bb644"
    );
    assert!(after.get("body").is_none());
    let texts = db
        .query_all(Statement::from_string(
            app.backend(),
            "SELECT id FROM audit_event WHERE after LIKE '%刷屏%' OR after LIKE '%路灯%'"
                .to_owned(),
        ))
        .await
        .unwrap();
    assert!(texts.is_empty(), "no feedback text in the audit history");
    let stored = db
        .query_all(Statement::from_string(
            app.backend(),
            format!("SELECT client_hash FROM feedback WHERE client_hash LIKE '%{FLOODER}%'"),
        ))
        .await
        .unwrap();
    assert!(stored.is_empty(), "no address is stored");

    // Set aside in one go, the flood stops counting against its sender.
    let res = dismiss_many(&app, &committee, &flood, "同一来源重复刷屏").await;
    assert_eq!(res.status(), StatusCode::OK);
    let done: BulkDismissed = res.json().await.unwrap();
    assert_eq!(done.dismissed.len(), 20);
    given_from(&app, FLOODER, "这次是认真提的意见").await;
    assert!(audit::verify(app.state.db.conn()).await.is_ok());
}

#[tokio::test]
async fn the_committee_pages_through_all_feedback_filters_it_and_sets_many_aside_at_once() {
    let app = behind_a_proxy().await;
    post_the_quarter(&app).await;
    let committee = app.login_as("committee1").await;
    let member = app.login_as("member3").await;

    let mut given = Vec::new();
    for i in 0..25 {
        let from = format!("198.51.100.{}", i % 5 + 1);
        given.push(given_from(&app, &from, &format!("意见 {i}")).await.id);
    }

    // Page by page, oldest first, every piece is reachable.
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let query = match &cursor {
            Some(c) => format!("?limit=10&cursor={c}"),
            None => "?limit=10".to_owned(),
        };
        let p = page(&app, &committee, &query).await;
        assert!(p.items.len() <= 10);
        assert_eq!(p.counts.received, 25);
        seen.extend(p.items.into_iter().map(|f| f.id));
        match p.next_cursor {
            Some(next) => cursor = Some(next),
            None => break,
        }
    }
    assert_eq!(seen, given, "all 25, in the order they came");

    // Eight set aside at once, with one reason; one audit event for the batch.
    let chosen: Vec<String> = given[..8].to_vec();
    let res = dismiss_many(&app, &member, &chosen, "刷屏").await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN, "a plain member cannot");
    let res = dismiss_many(&app, &committee, &chosen, " ").await;
    assert_eq!(
        problem(res, StatusCode::UNPROCESSABLE_ENTITY).await.errors[0].field,
        "reason"
    );
    let too_many: Vec<String> = (0..501).map(|_| uuid::Uuid::now_v7().to_string()).collect();
    let res = dismiss_many(&app, &committee, &too_many, "刷屏").await;
    assert_eq!(
        problem(res, StatusCode::UNPROCESSABLE_ENTITY).await.errors[0].code,
        "feedback.bulk_size"
    );
    let mut with_a_stranger = chosen.clone();
    with_a_stranger.push(uuid::Uuid::now_v7().to_string());
    let res = dismiss_many(&app, &committee, &with_a_stranger, "刷屏").await;
    assert_eq!(
        problem(res, StatusCode::UNPROCESSABLE_ENTITY).await.errors[0].code,
        "feedback.unknown",
        "an id that is not this quarter's feedback refuses the batch"
    );
    let res = dismiss_many(&app, &committee, &chosen, "内容重复，与积分无关").await;
    assert_eq!(res.status(), StatusCode::OK);
    let done: BulkDismissed = res.json().await.unwrap();
    assert_eq!(done.dismissed, chosen);
    assert!(done.already_decided.is_empty());
    let again = dismiss_many(&app, &committee, &given[6..10], "再来一次").await;
    let again: BulkDismissed = again.json().await.unwrap();
    assert_eq!(again.already_decided, given[6..8].to_vec());
    assert_eq!(again.dismissed, given[8..10].to_vec());
    let db = app.database().await;
    let batches = db
        .query_all(Statement::from_string(
            app.backend(),
            "SELECT after, reason FROM audit_event WHERE action = 'feedback.dismissed_many' ORDER BY seq"
                .to_owned(),
        ))
        .await
        .unwrap();
    assert_eq!(batches.len(), 2, "one event per batch");
    let after: String = batches[0].try_get("", "after").unwrap();
    let after: serde_json::Value = serde_json::from_str(&after).unwrap();
    assert_eq!(after["ids"], serde_json::json!(chosen));

    // Filtered by status, with the counts of the whole quarter.
    let dismissed = page(&app, &committee, "?status=dismissed").await;
    assert_eq!(dismissed.items.len(), 10);
    assert!(dismissed
        .items
        .iter()
        .all(|f| f.status == FeedbackStatus::Dismissed && f.decision_reason.is_some()));
    let waiting = page(&app, &committee, "?status=received").await;
    assert_eq!(waiting.items.len(), 15);
    assert_eq!(
        waiting.items[0].id, given[10],
        "the oldest still waiting first"
    );
    assert_eq!(
        (
            waiting.counts.received,
            waiting.counts.accepted,
            waiting.counts.dismissed
        ),
        (15, 0, 10)
    );

    // A query the list does not know is refused, not ignored.
    for (query, field) in [
        ("?status=waiting-forever", "status"),
        ("?cursor=not-a-cursor", "cursor"),
        ("?limit=0", "limit"),
    ] {
        let res = app
            .get(&committee, &format!("{}{query}", feedback_path(&app)))
            .await;
        assert_eq!(
            problem(res, StatusCode::UNPROCESSABLE_ENTITY).await.errors[0].field,
            field,
            "{query}"
        );
    }
    assert!(audit::verify(app.state.db.conn()).await.is_ok());
}
