//! Falling behind (积分预警): the committee sees who is below the branch's alert line at a quarter's
//! end, members are told once per quarter (when the committee asks and when the quarter is
//! signed), and a member sees how far behind they are and what could help.

use jifen_server::seed::CLEAN_AREA;
use jifen_server::services::ledger::{self, NewEntry};
use jifen_shared::api::{AlertsNotified, AlertsView, MemberStanding, NotificationView};
use jifen_shared::domain::{CycleQuarter, LedgerKind, NotificationKind, RuleCategory};
use jifen_tests::{problem, QuarterStep, TestApp, User};
use reqwest::StatusCode;
use serde_json::json;

/// Everyone demo-1 counts: its fifteen members, its committee member, secretary and the town's
/// administrator, whose home branch it is.
const DEMO_1: [&str; 18] = [
    "member1",
    "member2",
    "member3",
    "member4",
    "member5",
    "member6",
    "member7",
    "member8",
    "member9",
    "member10",
    "member11",
    "member12",
    "member13",
    "member14",
    "member15",
    "committee1",
    "secretary1",
    "admin1",
];

/// Writes a movement into a demo-1 member's account, as the committee's decisions do.
async fn give(app: &TestApp, username: &str, year: i32, quarter: u8, points: i32) {
    let txn = app.state.db.begin_write().await.expect("write transaction");
    let category = if points < 0 {
        RuleCategory::Deduction
    } else {
        RuleCategory::Base
    };
    ledger::write(
        &*txn,
        NewEntry {
            member_id: app.demo.member(username),
            branch_id: app.demo.branch("demo-1"),
            quarter: CycleQuarter { year, quarter },
            kind: LedgerKind::from(category),
            category,
            points,
            deed_id: None,
            rule_id: None,
            reverses_id: None,
            rule_version: None,
            note: "test",
            actor_id: None,
        },
        app.state.now(),
    )
    .await
    .expect("ledger entry");
    txn.commit().await.expect("commit");
}

/// 2026: everyone 30 in Q1; member1 +20 (50), member2 −10 (20) in Q1, member3 −5 in Q2 (25).
async fn a_year_with_two_members_behind(app: &TestApp) {
    for who in DEMO_1 {
        give(app, who, 2026, 1, 30).await;
    }
    give(app, "member1", 2026, 1, 20).await;
    give(app, "member2", 2026, 1, -10).await;
    give(app, "member3", 2026, 2, -5).await;
}

async fn set_alert(app: &TestApp, secretary: &User, alert: serde_json::Value) {
    let path = format!("/api/v1/branches/{}/settings", app.demo.branch("demo-1"));
    let res = app
        .patch(secretary, &path, &json!({ "alert": alert }))
        .await;
    assert_eq!(res.status(), StatusCode::OK, "the secretary sets the line");
}

fn alerts_path(app: &TestApp, quarter: u8) -> String {
    format!(
        "/api/v1/branches/{}/quarters/2026/{quarter}/alerts",
        app.demo.branch("demo-1")
    )
}

async fn alerts(app: &TestApp, who: &User, quarter: u8) -> AlertsView {
    let res = app.get(who, &alerts_path(app, quarter)).await;
    assert_eq!(
        res.status(),
        StatusCode::OK,
        "the committee reads the alerts"
    );
    res.json().await.expect("alerts body")
}

async fn notify(app: &TestApp, who: &User, quarter: u8) -> AlertsNotified {
    let path = format!("{}/notify", alerts_path(app, quarter));
    let res = app.post(who, &path, &json!({})).await;
    assert_eq!(res.status(), StatusCode::OK, "the committee tells them");
    res.json().await.expect("notify body")
}

fn below(view: &AlertsView) -> Vec<(&str, i32, i32)> {
    view.below
        .iter()
        .map(|r| (r.member_id.as_str(), r.total, r.behind))
        .collect()
}

async fn alerts_in_inbox(app: &TestApp, who: &User) -> Vec<NotificationView> {
    app.inbox(who)
        .await
        .items
        .into_iter()
        .filter(|n| n.kind == NotificationKind::PointsAlert)
        .collect()
}

#[tokio::test]
async fn the_committee_sees_who_is_below_an_absolute_line_quarter_by_quarter() {
    let app = TestApp::spawn_at("2026-05-20T10:00:00+08:00").await;
    a_year_with_two_members_behind(&app).await;
    let secretary = app.login_as("secretary1").await;
    let committee = app.login_as("committee1").await;
    set_alert(&app, &secretary, json!({"kind": "points", "points": 28})).await;
    let (m2, m3) = (app.demo.member("member2"), app.demo.member("member3"));

    let q1 = alerts(&app, &committee, 1).await;
    assert_eq!(q1.threshold, 28);
    assert_eq!(q1.members, 18);
    assert_eq!(
        below(&q1),
        [(m2, 20, 8)],
        "member3 still had 30 at the end of Q1"
    );

    let q2 = alerts(&app, &committee, 2).await;
    assert_eq!(
        below(&q2),
        [(m2, 20, 8), (m3, 25, 3)],
        "the quarter running counts so far, lowest first"
    );
    assert!(q2.below.iter().all(|r| !r.notified));
}

#[tokio::test]
async fn a_share_of_the_median_draws_the_line_from_the_branch_itself() {
    let app = TestApp::spawn_at("2026-05-20T10:00:00+08:00").await;
    a_year_with_two_members_behind(&app).await;
    let secretary = app.login_as("secretary1").await;
    let committee = app.login_as("committee1").await;

    // Q2 totals: 20, 25, fifteen times 30, 50: the median of eighteen is (30 + 30) / 2 = 30.
    let by_default = alerts(&app, &committee, 2).await;
    assert_eq!(by_default.threshold, 18, "60% of 30 by default");
    assert!(by_default.below.is_empty());

    set_alert(
        &app,
        &secretary,
        json!({"kind": "median_share", "percent": 80}),
    )
    .await;
    let strict = alerts(&app, &committee, 2).await;
    assert_eq!(strict.threshold, 24, "80% of 30");
    assert_eq!(below(&strict), [(app.demo.member("member2"), 20, 4)]);
}

#[tokio::test]
async fn members_below_the_line_are_told_once_however_often_the_committee_asks() {
    let app = TestApp::spawn_at("2026-05-20T10:00:00+08:00").await;
    a_year_with_two_members_behind(&app).await;
    let secretary = app.login_as("secretary1").await;
    let committee = app.login_as("committee1").await;
    let member2 = app.login_as("member2").await;
    let member1 = app.login_as("member1").await;
    set_alert(&app, &secretary, json!({"kind": "points", "points": 28})).await;

    let first = notify(&app, &committee, 2).await;
    assert_eq!((first.notified, first.already_notified), (2, 0));
    let again = notify(&app, &committee, 2).await;
    assert_eq!((again.notified, again.already_notified), (0, 2));

    let told = alerts_in_inbox(&app, &member2).await;
    assert_eq!(told.len(), 1, "one notice, not two");
    assert!(
        told[0].body.contains("20") && told[0].body.contains("28") && told[0].body.contains('8'),
        "the notice says the total, the line and the gap: {}",
        told[0].body
    );
    assert!(alerts_in_inbox(&app, &member1).await.is_empty());
    let view = alerts(&app, &committee, 2).await;
    assert!(view.below.iter().all(|r| r.notified));

    // A quarter is its own: Q1's alert is another notice.
    let q1 = notify(&app, &committee, 1).await;
    assert_eq!((q1.notified, q1.already_notified), (1, 0));
    assert_eq!(alerts_in_inbox(&app, &member2).await.len(), 2);
}

#[tokio::test]
async fn signing_the_quarter_tells_those_behind_and_the_committee_does_not_tell_them_twice() {
    let app = TestApp::spawn_at("2026-07-10T10:00:00+08:00").await;
    a_year_with_two_members_behind(&app).await;
    let secretary = app.login_as("secretary1").await;
    let committee = app.login_as("committee1").await;
    let member3 = app.login_as("member3").await;
    set_alert(&app, &secretary, json!({"kind": "points", "points": 28})).await;

    let res = app
        .quarter_step(&secretary, "demo-1", QuarterStep::Sign, 2026, 2)
        .await;
    assert_eq!(res.status(), StatusCode::OK, "the secretary signs Q2");
    assert_eq!(alerts_in_inbox(&app, &member3).await.len(), 1);
    let later = notify(&app, &committee, 2).await;
    assert_eq!((later.notified, later.already_notified), (0, 2));
    assert_eq!(alerts_in_inbox(&app, &member3).await.len(), 1);
}

#[tokio::test]
async fn alerts_are_the_committees_and_stay_in_their_branch() {
    let app = TestApp::spawn_at("2026-05-20T10:00:00+08:00").await;
    let member = app.login_as("member2").await;
    let other_secretary = app.login_as("secretary2").await;
    let committee = app.login_as("committee1").await;

    let res = app.get(&member, &alerts_path(&app, 2)).await;
    assert_eq!(
        problem(res, StatusCode::FORBIDDEN).await.code,
        "auth.forbidden"
    );
    let res = app
        .post(
            &member,
            &format!("{}/notify", alerts_path(&app, 2)),
            &json!({}),
        )
        .await;
    assert_eq!(
        problem(res, StatusCode::FORBIDDEN).await.code,
        "auth.forbidden"
    );
    let res = app.get(&other_secretary, &alerts_path(&app, 2)).await;
    assert_eq!(
        res.status(),
        StatusCode::NOT_FOUND,
        "another branch is not seen"
    );
    let res = app.get(&committee, &alerts_path(&app, 5)).await;
    assert_eq!(
        problem(res, StatusCode::UNPROCESSABLE_ENTITY).await.code,
        "validation.failed"
    );
}

async fn standing(app: &TestApp, who: &User) -> MemberStanding {
    let path = format!("/api/v1/members/{}/standing?year=2026", who.member_id);
    let res = app.get(who, &path).await;
    assert_eq!(
        res.status(),
        StatusCode::OK,
        "the member reads their standing"
    );
    res.json().await.expect("standing body")
}

#[tokio::test]
async fn a_member_behind_sees_the_gap_and_the_items_that_could_help() {
    let app = TestApp::spawn_at("2026-05-20T10:00:00+08:00").await;
    a_year_with_two_members_behind(&app).await;
    let secretary = app.login_as("secretary1").await;
    set_alert(&app, &secretary, json!({"kind": "points", "points": 28})).await;
    let member2 = app.login_as("member2").await;
    let member1 = app.login_as("member1").await;
    let behind = standing(&app, &member2).await;
    assert_eq!((behind.total, behind.threshold, behind.behind), (20, 28, 8));
    assert_eq!(behind.quarter, 2);
    assert!(!behind.helpful.is_empty() && behind.helpful.len() <= 5);
    assert_eq!(
        behind.helpful[0].rule_id,
        app.demo.rule("demo-1", CLEAN_AREA),
        "the item one deed brings most for comes first"
    );
    assert!(behind
        .helpful
        .iter()
        .all(|i| i.category != RuleCategory::Deduction));

    let ahead = standing(&app, &member1).await;
    assert_eq!((ahead.total, ahead.behind), (50, 0));
    assert!(
        ahead.helpful.is_empty(),
        "nothing to suggest to a member ahead"
    );

    let res = app
        .get(
            &member1,
            &format!("/api/v1/members/{}/standing", member2.member_id),
        )
        .await;
    assert_eq!(
        res.status(),
        StatusCode::NOT_FOUND,
        "another member's is not seen"
    );
}
