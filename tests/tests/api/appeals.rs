//! A member who disagrees with the committee appeals (积分申述): a rejected or returned deed, or a
//! deduction, once, with a reason, before the quarter is signed. A committee member other than the
//! one who decided upholds or overturns it; an overturned deed waits for review again, an
//! overturned deduction is given back. The quarter cannot be signed while an appeal waits.

use chrono::{DateTime, Utc};
use jifen_server::infra::config::Secret;
use jifen_server::seed::{HAIRCUT, SNOW, VILLAGE_RULES};
use jifen_server::services::audit::{self, SealKey};
use jifen_shared::api::{
    AppealPage, AppealView, DeductionView, DeedHistory, DeedPage, DeedView, FileAppealRequest,
    ProposeDeductionRequest, ReasonRequest, TokenResponse,
};
use jifen_shared::domain::{AppealStatus, DeedStatus, LedgerKind, NotificationKind};
use jifen_tests::{problem, Instance, QuarterStep, Review, TestApp, User, AUDIT_KEY, PASSWORD};
use reqwest::{Response, StatusCode};

/// Early January 2027: the fourth quarter of 2026 has just ended and waits to be signed.
const NEW_YEAR: &str = "2027-01-05T10:00:00+08:00";
/// Early April 2027: the first quarter of 2027 has ended.
const APRIL: &str = "2027-04-06T10:00:00+08:00";

/// `member` reports a deed of December 2026 under `rule`.
async fn report_in_december(app: &TestApp, member: &User, rule: &str) -> DeedView {
    let mut form = app.deed_form(rule);
    form.occurred_at = DateTime::parse_from_rfc3339("2026-12-20T09:00:00+08:00")
        .unwrap()
        .with_timezone(&Utc);
    app.submit(member, &form).await
}

fn about_deed(deed_id: &str, reason: &str) -> FileAppealRequest {
    FileAppealRequest {
        deed_id: Some(deed_id.to_owned()),
        ledger_entry_id: None,
        reason: reason.to_owned(),
    }
}

fn about_entry(entry_id: &str, reason: &str) -> FileAppealRequest {
    FileAppealRequest {
        deed_id: None,
        ledger_entry_id: Some(entry_id.to_owned()),
        reason: reason.to_owned(),
    }
}

async fn appeal(app: &TestApp, member: &User, body: &FileAppealRequest) -> Response {
    app.post(member, "/api/v1/appeals", body).await
}

/// Files an appeal that must be accepted.
async fn appealed(app: &TestApp, member: &User, body: &FileAppealRequest) -> AppealView {
    let res = appeal(app, member, body).await;
    assert_eq!(res.status(), StatusCode::CREATED, "the appeal is filed");
    res.json().await.unwrap()
}

/// `who` upholds (`"uphold"`) or overturns (`"overturn"`) an appeal.
async fn decide(
    app: &TestApp,
    who: &User,
    appeal_id: &str,
    verdict: &str,
    reason: &str,
) -> Response {
    let body = ReasonRequest {
        reason: reason.to_owned(),
    };
    app.post(
        who,
        &format!("/api/v1/appeals/{appeal_id}/{verdict}"),
        &body,
    )
    .await
}

async fn deed(app: &TestApp, who: &User, id: &str) -> DeedView {
    app.get(who, &format!("/api/v1/deeds/{id}"))
        .await
        .json()
        .await
        .unwrap()
}

async fn history(app: &TestApp, who: &User, id: &str) -> Vec<String> {
    let h: DeedHistory = app
        .get(who, &format!("/api/v1/deeds/{id}/history"))
        .await
        .json()
        .await
        .unwrap();
    h.events.into_iter().map(|e| e.action).collect()
}

/// A confirmed deduction of `points` from `member`: committee1 proposes it, secretary1 confirms.
async fn deducted(app: &TestApp, member: &User, points: i32, reason: &str) -> String {
    let committee = app.login_as("committee1").await;
    let secretary = app.login_as("secretary1").await;
    let res = app
        .post(
            &committee,
            &format!("/api/v1/members/{}/deductions", member.member_id),
            &ProposeDeductionRequest {
                rule_id: app.demo.rule("demo-1", VILLAGE_RULES).to_owned(),
                points: Some(points),
                reason: reason.to_owned(),
                feedback_id: None,
            },
        )
        .await;
    assert_eq!(
        res.status(),
        StatusCode::CREATED,
        "the deduction is proposed"
    );
    let proposed: DeductionView = res.json().await.unwrap();
    let res = app
        .post(
            &secretary,
            &format!("/api/v1/deductions/{}/confirm", proposed.id),
            &serde_json::json!({}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK, "a second person confirms it");
    let confirmed: DeductionView = res.json().await.unwrap();
    confirmed
        .ledger_entry_id
        .expect("the confirmation wrote the entry")
}

/// Signs `username` in on another instance (whose clock may read another day).
async fn login_on(app: &TestApp, instance: &Instance, username: &str) -> String {
    let res = app
        .client
        .post(format!("{}/api/v1/auth/login", instance.address))
        .json(&serde_json::json!({ "username": username, "password": PASSWORD }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    res.json::<TokenResponse>().await.unwrap().access_token
}

async fn post_on(
    app: &TestApp,
    instance: &Instance,
    token: &str,
    path: &str,
    body: &impl serde::Serialize,
) -> Response {
    app.client
        .post(format!("{}{path}", instance.address))
        .bearer_auth(token)
        .json(body)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn a_rejection_overturned_on_appeal_puts_the_deed_back_in_the_review_queue() {
    let app = TestApp::spawn_at(NEW_YEAR).await;
    let member = app.login_as("member3").await;
    let committee = app.login_as("committee1").await;
    let secretary = app.login_as("secretary1").await;
    let snow = report_in_december(&app, &member, SNOW).await;
    let res = app
        .review(&committee, &snow.id, Review::Reject("当天未安排扫雪"))
        .await;
    assert_eq!(res.status(), StatusCode::OK);

    // The member appeals with a reason; the appeal concerns the deed's quarter.
    let filed = appealed(
        &app,
        &member,
        &about_deed(&snow.id, "当天村委会临时通知扫雪，有照片和同组三人作证"),
    )
    .await;
    assert_eq!(filed.status, AppealStatus::Waiting);
    assert_eq!((filed.year, filed.quarter), (2026, 4));
    assert_eq!(filed.deed_status, Some(DeedStatus::Rejected));
    assert_eq!(filed.decision_appealed.as_deref(), Some("当天未安排扫雪"));
    assert_eq!(filed.subject, snow.title);
    assert!(
        !filed.can_decide,
        "the member does not decide their own appeal"
    );

    // The quarter cannot be signed while it waits.
    let res = app
        .quarter_step(&secretary, "demo-1", QuarterStep::Sign, 2026, 4)
        .await;
    let p = problem(res, StatusCode::CONFLICT).await;
    assert_eq!(p.code, "quarter.appeals_waiting");
    assert!(p.message.contains('1'), "says how many wait: {}", p.message);

    // The committee sees it waiting; whoever rejected the deed may not decide it.
    let waiting: AppealPage = app
        .get(&committee, "/api/v1/appeals?scope=review&status=waiting")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(waiting.items.len(), 1);
    assert!(!waiting.items[0].can_decide, "committee1 rejected the deed");
    let res = decide(&app, &committee, &filed.id, "overturn", "我再看看").await;
    assert_eq!(
        problem(res, StatusCode::FORBIDDEN).await.code,
        "appeal.same_decider"
    );
    let res = decide(&app, &member, &filed.id, "overturn", "我自己说了算").await;
    assert_eq!(
        problem(res, StatusCode::FORBIDDEN).await.code,
        "auth.forbidden"
    );

    // The secretary overturns it: the deed waits for review again.
    let seen: AppealView = app
        .get(&secretary, &format!("/api/v1/appeals/{}", filed.id))
        .await
        .json()
        .await
        .unwrap();
    assert!(seen.can_decide);
    let res = decide(
        &app,
        &secretary,
        &filed.id,
        "overturn",
        "经核实当天确有临时通知",
    )
    .await;
    assert_eq!(res.status(), StatusCode::OK);
    let decided: AppealView = res.json().await.unwrap();
    assert_eq!(decided.status, AppealStatus::Overturned);
    assert_eq!(
        decided.decided_by.as_deref(),
        Some(secretary.member_id.as_str())
    );
    assert_eq!(
        decided.decision_reason.as_deref(),
        Some("经核实当天确有临时通知")
    );
    let reopened = deed(&app, &member, &snow.id).await;
    assert_eq!(reopened.status, DeedStatus::Submitted);
    assert_eq!(reopened.decision_reason, None);
    let queue: DeedPage = app
        .get(&committee, "/api/v1/deeds?scope=review&status=submitted")
        .await
        .json()
        .await
        .unwrap();
    assert!(
        queue.items.iter().any(|d| d.id == snow.id),
        "back in the review queue"
    );

    // Both sides read it in the deed's history; the member is told.
    for who in [&member, &committee] {
        let actions = history(&app, who, &snow.id).await;
        let at = |a: &str| actions.iter().position(|x| x == a);
        let (rejected, filed_at, reopened, overturned) = (
            at("deed.rejected").expect("the rejection"),
            at("appeal.filed").expect("the appeal"),
            at("deed.reopened").expect("the deed reopened"),
            at("appeal.overturned").expect("the decision"),
        );
        assert!(
            rejected < filed_at && filed_at < reopened && reopened < overturned,
            "{actions:?}"
        );
    }
    let inbox = app.inbox(&member).await;
    let notice = inbox
        .items
        .iter()
        .find(|n| n.kind == NotificationKind::AppealOverturned)
        .expect("the member is told");
    assert_eq!(notice.deed_id.as_deref(), Some(snow.id.as_str()));
    assert!(
        notice.body.contains("经核实当天确有临时通知"),
        "{}",
        notice.body
    );

    // Decided once; appealed once. The deed is reviewed as any other.
    let res = decide(&app, &admin(&app).await, &filed.id, "uphold", "改主意了").await;
    assert_eq!(
        problem(res, StatusCode::CONFLICT).await.code,
        "appeal.already_decided"
    );
    let res = app.review(&committee, &snow.id, Review::APPROVE).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(app.points(&member, &member.member_id, 2026).await.bonus, 1);
    let res = appeal(&app, &member, &about_deed(&snow.id, "再申述一次")).await;
    assert_eq!(
        problem(res, StatusCode::CONFLICT).await.code,
        "appeal.already_filed"
    );
    let res = app
        .quarter_step(&secretary, "demo-1", QuarterStep::Sign, 2026, 4)
        .await;
    assert_eq!(res.status(), StatusCode::OK, "nothing waits any more");
}

async fn admin(app: &TestApp) -> User {
    app.login_as("admin1").await
}

#[tokio::test]
async fn an_upheld_appeal_leaves_the_decision_standing_and_tells_the_member() {
    let app = TestApp::spawn_at(NEW_YEAR).await;
    let member = app.login_as("member3").await;
    let committee = app.login_as("committee1").await;
    let secretary = app.login_as("secretary1").await;
    let haircut = report_in_december(&app, &member, HAIRCUT).await;
    app.review(&committee, &haircut.id, Review::Return("请补充理发的人数"))
        .await;
    let filed = appealed(
        &app,
        &member,
        &about_deed(&haircut.id, "人数已经写在经过里了"),
    )
    .await;
    assert_eq!(filed.deed_status, Some(DeedStatus::Returned));

    let res = decide(&app, &secretary, &filed.id, "uphold", "经过里没有写人数").await;
    assert_eq!(res.status(), StatusCode::OK);
    let decided: AppealView = res.json().await.unwrap();
    assert_eq!(decided.status, AppealStatus::Upheld);
    assert_eq!(decided.reversal_entry_id, None);
    assert_eq!(
        deed(&app, &member, &haircut.id).await.status,
        DeedStatus::Returned,
        "the decision stands"
    );
    let mine: AppealPage = app
        .get(&member, "/api/v1/appeals?scope=mine")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(mine.items.len(), 1);
    assert_eq!(mine.items[0].status, AppealStatus::Upheld);
    assert!(mine.items[0].decided_by_name.is_some());
    let inbox = app.inbox(&member).await;
    let notice = inbox
        .items
        .iter()
        .find(|n| n.kind == NotificationKind::AppealUpheld)
        .expect("the member is told");
    assert!(notice.body.contains("经过里没有写人数"), "{}", notice.body);
    let actions = history(&app, &committee, &haircut.id).await;
    assert!(actions.contains(&"appeal.upheld".to_owned()), "{actions:?}");

    let waiting: AppealPage = app
        .get(&secretary, "/api/v1/appeals?scope=review&status=waiting")
        .await
        .json()
        .await
        .unwrap();
    assert!(waiting.items.is_empty(), "nothing waits");
    let res = appeal(&app, &member, &about_deed(&haircut.id, "我还是不服")).await;
    assert_eq!(
        problem(res, StatusCode::CONFLICT).await.code,
        "appeal.already_filed"
    );
}

#[tokio::test]
async fn once_the_quarter_is_signed_its_decisions_can_no_longer_be_appealed() {
    let app = TestApp::spawn_at(NEW_YEAR).await;
    let member = app.login_as("member3").await;
    let committee = app.login_as("committee1").await;
    let secretary = app.login_as("secretary1").await;
    let snow = report_in_december(&app, &member, SNOW).await;
    app.review(&committee, &snow.id, Review::Reject("当天未安排扫雪"))
        .await;
    let res = app
        .quarter_step(&secretary, "demo-1", QuarterStep::Sign, 2026, 4)
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let res = appeal(&app, &member, &about_deed(&snow.id, "当天确实扫了雪")).await;
    assert_eq!(
        problem(res, StatusCode::CONFLICT).await.code,
        "appeal.quarter_signed"
    );
}

#[tokio::test]
async fn only_the_member_appeals_and_only_a_rejection_return_or_deduction() {
    let app = TestApp::spawn_at(NEW_YEAR).await;
    let member = app.login_as("member3").await;
    let committee = app.login_as("committee1").await;
    let snow = report_in_december(&app, &member, SNOW).await;
    app.review(&committee, &snow.id, Review::Reject("当天未安排扫雪"))
        .await;
    let haircut = report_in_december(&app, &member, HAIRCUT).await;
    app.review(&committee, &haircut.id, Review::APPROVE).await;
    // Sign-ins from one address are limited; each person signs in once.
    let neighbour = app.login_as("member4").await;
    let elsewhere = app.login_as("member16").await;
    let other_secretary = app.login_as("secretary2").await;
    let other_committee = app.login_as("committee2").await;
    let secretary = app.login_as("secretary1").await;

    // Someone else's deed: not there for another member or another branch, refused to its reviewers.
    for (who, status, code) in [
        (&neighbour, StatusCode::NOT_FOUND, "deed.not_found"),
        (&elsewhere, StatusCode::NOT_FOUND, "deed.not_found"),
        (&other_secretary, StatusCode::NOT_FOUND, "deed.not_found"),
        (&secretary, StatusCode::FORBIDDEN, "appeal.not_own"),
    ] {
        let res = appeal(&app, who, &about_deed(&snow.id, "替他申述")).await;
        assert_eq!(problem(res, status).await.code, code, "{}", who.username);
    }

    // Only a decision against the member: not an approval, not a bonus.
    let res = appeal(&app, &member, &about_deed(&haircut.id, "分给少了")).await;
    assert_eq!(
        problem(res, StatusCode::CONFLICT).await.code,
        "appeal.not_appealable"
    );
    let bonus = app
        .points(&member, &member.member_id, 2026)
        .await
        .entries
        .into_iter()
        .find(|e| e.kind == LedgerKind::Bonus)
        .expect("the haircut's award")
        .id;
    let res = appeal(&app, &member, &about_entry(&bonus, "分给少了")).await;
    let p = problem(res, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(
        (p.errors[0].field.as_str(), p.errors[0].code.as_str()),
        ("ledger_entry_id", "appeal.not_deduction")
    );

    // Exactly one subject, and a reason.
    for (body, field, code, case) in [
        (
            FileAppealRequest {
                deed_id: Some(snow.id.clone()),
                ledger_entry_id: Some(bonus.clone()),
                reason: "两个都申述".into(),
            },
            "deed_id",
            "appeal.one_subject",
            "both",
        ),
        (
            FileAppealRequest {
                deed_id: None,
                ledger_entry_id: None,
                reason: "申述".into(),
            },
            "deed_id",
            "appeal.one_subject",
            "neither",
        ),
        (
            about_deed(&snow.id, "  "),
            "reason",
            "text.empty",
            "no reason",
        ),
    ] {
        let res = appeal(&app, &member, &body).await;
        let p = problem(res, StatusCode::UNPROCESSABLE_ENTITY).await;
        assert_eq!(
            (p.errors[0].field.as_str(), p.errors[0].code.as_str()),
            (field, code),
            "{case}"
        );
    }
    let res = appeal(&app, &member, &about_deed("not-an-id", "申述")).await;
    assert_eq!(
        problem(res, StatusCode::NOT_FOUND).await.code,
        "deed.not_found"
    );

    // The appeal itself: the member and the branch's reviewers see it; no one else.
    let filed = appealed(&app, &member, &about_deed(&snow.id, "当天确实扫了雪")).await;
    for other in [&neighbour, &other_secretary, &other_committee] {
        let res = app
            .get(other, &format!("/api/v1/appeals/{}", filed.id))
            .await;
        assert_eq!(
            problem(res, StatusCode::NOT_FOUND).await.code,
            "appeal.not_found",
            "{}",
            other.username
        );
        let res = decide(&app, other, &filed.id, "overturn", "属实").await;
        assert_eq!(
            problem(res, StatusCode::NOT_FOUND).await.code,
            "appeal.not_found",
            "{}",
            other.username
        );
    }
    let res = app.get(&member, "/api/v1/appeals?scope=review").await;
    assert_eq!(
        problem(res, StatusCode::FORBIDDEN).await.code,
        "auth.forbidden"
    );
    let theirs: AppealPage = app
        .get(&other_secretary, "/api/v1/appeals?scope=review")
        .await
        .json()
        .await
        .unwrap();
    assert!(theirs.items.is_empty(), "demo-2 sees nothing of demo-1");
    let res = decide(&app, &secretary, &filed.id, "overturn", " ").await;
    assert_eq!(
        problem(res, StatusCode::UNPROCESSABLE_ENTITY).await.errors[0].field,
        "reason"
    );
}

#[tokio::test]
async fn an_overturned_deduction_is_given_back_by_a_reversal_entry() {
    let app = TestApp::spawn_at(NEW_YEAR).await;
    let member = app.login_as("member3").await;
    let committee = app.login_as("committee1").await;
    let secretary = app.login_as("secretary1").await;
    let before = app.points(&member, &member.member_id, 2027).await;
    let entry = deducted(&app, &member, -3, "十二月在村里乱倒垃圾").await;
    assert_eq!(
        app.points(&member, &member.member_id, 2027).await.total,
        before.total - 3
    );

    let filed = appealed(
        &app,
        &member,
        &about_entry(&entry, "那天倒垃圾的是邻居，不是我"),
    )
    .await;
    assert_eq!(filed.points, Some(-3));
    assert_eq!(filed.subject, VILLAGE_RULES);
    assert_eq!((filed.year, filed.quarter), (2027, 1));

    // Neither who proposed it nor who confirmed it decides the appeal.
    for who in [&committee, &secretary] {
        let res = decide(&app, who, &filed.id, "overturn", "属实").await;
        assert_eq!(
            problem(res, StatusCode::FORBIDDEN).await.code,
            "appeal.same_decider",
            "{}",
            who.username
        );
    }
    let admin = admin(&app).await;
    let res = decide(
        &app,
        &admin,
        &filed.id,
        "overturn",
        "经走访核实，倒垃圾的是邻居",
    )
    .await;
    assert_eq!(res.status(), StatusCode::OK);
    let decided: AppealView = res.json().await.unwrap();
    assert_eq!(decided.status, AppealStatus::Overturned);
    let reversal_id = decided.reversal_entry_id.clone().expect("a reversal entry");

    let after = app.points(&member, &member.member_id, 2027).await;
    assert_eq!(after.total, before.total, "the points are given back");
    let reversal = after
        .entries
        .iter()
        .find(|e| e.id == reversal_id)
        .expect("the reversal is in the account");
    assert_eq!(reversal.kind, LedgerKind::Reversal);
    assert_eq!(reversal.points, 3);
    assert_eq!(reversal.reverses_id.as_deref(), Some(entry.as_str()));
    assert_eq!(reversal.note, "经走访核实，倒垃圾的是邻居");
    assert!(
        after.entries.iter().any(|e| e.id == entry),
        "the deduction stays visible next to its reversal"
    );
    let inbox = app.inbox(&member).await;
    let notice = inbox
        .items
        .iter()
        .find(|n| n.kind == NotificationKind::AppealOverturned)
        .expect("the member is told");
    assert!(notice.body.contains('3'), "{}", notice.body);

    let res = decide(&app, &admin, &filed.id, "overturn", "再退一次").await;
    assert_eq!(
        problem(res, StatusCode::CONFLICT).await.code,
        "appeal.already_decided"
    );
    assert_eq!(
        app.points(&member, &member.member_id, 2027).await.total,
        before.total,
        "given back once"
    );
    let res = appeal(&app, &member, &about_entry(&entry, "再申述")).await;
    assert_eq!(
        problem(res, StatusCode::CONFLICT).await.code,
        "appeal.already_filed"
    );
    // The reversal is in the audit history like any other entry.
    audit::verify_with(
        &app.database().await,
        Some(&SealKey::new(&Secret::new(AUDIT_KEY))),
    )
    .await
    .expect("the history verifies with its ledger");
}

#[tokio::test]
async fn a_waiting_appeal_of_a_deduction_holds_the_signature_and_after_it_none_is_heard() {
    let app = TestApp::spawn_at(NEW_YEAR).await;
    let member = app.login_as("member3").await;
    let upheld_later = deducted(&app, &member, -2, "无故缺席").await;
    let too_late = deducted(&app, &member, -1, "违反村规民约").await;
    let filed = appealed(&app, &member, &about_entry(&upheld_later, "那天请过假")).await;

    // April: the first quarter of 2027 has ended; the secretary comes to sign it.
    let april = app.another_instance_at(APRIL).await;
    let secretary = login_on(&app, &april, "secretary1").await;
    let branch = app.demo.branch("demo-1").to_owned();
    let sign = format!("/api/v1/branches/{branch}/quarters/2027/1/sign");
    let res = post_on(&app, &april, &secretary, &sign, &serde_json::json!({})).await;
    assert_eq!(
        problem(res, StatusCode::CONFLICT).await.code,
        "quarter.appeals_waiting"
    );
    let admin = login_on(&app, &april, "admin1").await;
    let res = post_on(
        &app,
        &april,
        &admin,
        &format!("/api/v1/appeals/{}/uphold", filed.id),
        &ReasonRequest {
            reason: "没有请假记录".into(),
        },
    )
    .await;
    assert_eq!(res.status(), StatusCode::OK);
    let res = post_on(&app, &april, &secretary, &sign, &serde_json::json!({})).await;
    assert_eq!(res.status(), StatusCode::OK, "signed once nothing waits");

    let member = login_on(&app, &april, "member3").await;
    let res = post_on(
        &app,
        &april,
        &member,
        "/api/v1/appeals",
        &about_entry(&too_late, "我没有违反"),
    )
    .await;
    assert_eq!(
        problem(res, StatusCode::CONFLICT).await.code,
        "appeal.quarter_signed"
    );
    april.stop().await;
}
