//! After a quarter ends the committee decides the last reports, the secretary signs the quarter and
//! posts it on the public board, where the masses read it without an account; members are told.

use chrono::{DateTime, Utc};
use jifen_server::seed::{HAIRCUT, SNOW, VILLAGE_RULES};
use jifen_server::services::audit::{self, Anchor};
use jifen_shared::api::{
    AcceptFeedbackRequest, BoardView, FeedbackPage, FeedbackRequest, FeedbackView,
    NotificationPage, QuarterReviewView, ReasonRequest,
};
use jifen_shared::domain::{FeedbackStatus, NotificationKind, QuarterStatus, RuleCategory};
use jifen_tests::fake_wechat::FakeWechat;
use jifen_tests::{eventually, problem, QuarterStep, Review, TestApp, User};
use reqwest::StatusCode;
use sea_orm::{ConnectionTrait, Statement};

/// Early January 2027: the fourth quarter of 2026 has just ended.
const NEW_YEAR: &str = "2027-01-05T10:00:00+08:00";

async fn report_in_december(app: &TestApp, member: &User, rule: &str) -> String {
    let mut form = app.deed_form(rule);
    form.occurred_at = DateTime::parse_from_rfc3339("2026-12-20T09:00:00+08:00")
        .unwrap()
        .with_timezone(&Utc);
    app.submit(member, &form).await.id
}

/// Feedback from the masses on demo-1's posted fourth quarter of 2026.
fn on_the_board(about_member_id: Option<&str>, body: &str) -> FeedbackRequest {
    FeedbackRequest {
        year: 2026,
        quarter: 4,
        about_member_id: about_member_id.map(str::to_owned),
        body: body.to_owned(),
        contact: None,
    }
}

/// The committee's acceptance of feedback as a deduction under `rule_id`.
fn deduction(rule_id: &str, points: Option<i32>, reason: &str) -> AcceptFeedbackRequest {
    AcceptFeedbackRequest {
        rule_id: rule_id.to_owned(),
        points,
        member_id: None,
        reason: reason.to_owned(),
    }
}

/// Where the fourth quarter of 2026 stands in demo-1, as `who` sees it.
async fn quarter_status(app: &TestApp, who: &User) -> QuarterReviewView {
    let branch = app.demo.branch("demo-1").to_owned();
    let res = app
        .get(who, &format!("/api/v1/branches/{branch}/quarters/2026/4"))
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    res.json().await.unwrap()
}

#[tokio::test]
async fn the_secretary_signs_and_posts_the_quarter_for_the_masses() {
    let app = TestApp::spawn_at(NEW_YEAR).await;
    let member = app.login_as("member3").await;
    let committee = app.login_as("committee1").await;
    let secretary = app.login_as("secretary1").await;

    let haircut = report_in_december(&app, &member, HAIRCUT).await;
    let snow = report_in_december(&app, &member, SNOW).await;
    let res = app.review(&committee, &haircut, Review::APPROVE).await;
    assert_eq!(res.status(), StatusCode::OK);

    let res = app.public_board("demo-1", "").await;
    assert_eq!(
        problem(res, StatusCode::NOT_FOUND).await.code,
        "board.not_found"
    );

    let res = app
        .quarter_step(&committee, "demo-1", QuarterStep::Sign, 2026, 4)
        .await;
    assert_eq!(
        problem(res, StatusCode::FORBIDDEN).await.code,
        "auth.forbidden",
        "only the secretary signs"
    );
    let res = app
        .quarter_step(&secretary, "demo-1", QuarterStep::Sign, 2026, 4)
        .await;
    let p = problem(res, StatusCode::CONFLICT).await;
    assert_eq!(p.code, "quarter.pending_deeds");
    assert!(p.message.contains('1'), "{}", p.message);
    let status = quarter_status(&app, &committee).await;
    assert_eq!((status.status.as_str(), status.pending_deeds), ("open", 1));
    let res = app
        .quarter_step(&secretary, "demo-1", QuarterStep::Sign, 2027, 1)
        .await;
    assert_eq!(
        problem(res, StatusCode::CONFLICT).await.code,
        "quarter.not_ended"
    );
    let res = app
        .quarter_step(&secretary, "demo-1", QuarterStep::Publish, 2026, 4)
        .await;
    assert_eq!(
        problem(res, StatusCode::CONFLICT).await.code,
        "quarter.not_signed"
    );

    let res = app
        .review(&committee, &snow, Review::Reject("当天未安排扫雪"))
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let res = app
        .quarter_step(&secretary, "demo-1", QuarterStep::Sign, 2026, 4)
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let signed: QuarterReviewView = res.json().await.unwrap();
    assert_eq!(signed.status, QuarterStatus::Signed);
    let res = app
        .quarter_step(&secretary, "demo-1", QuarterStep::Sign, 2026, 4)
        .await;
    assert_eq!(
        problem(res, StatusCode::CONFLICT).await.code,
        "quarter.already_signed"
    );

    let res = app
        .quarter_step(&secretary, "demo-1", QuarterStep::Publish, 2026, 4)
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let posted: QuarterReviewView = res.json().await.unwrap();
    assert_eq!(posted.status, QuarterStatus::Published);
    let status = quarter_status(&app, &committee).await;
    assert_eq!(
        (status.status.as_str(), status.pending_deeds),
        ("published", 0)
    );
    assert!(status.signed_at.is_some() && status.published_at.is_some());

    let board: BoardView = app.public_board("demo-1", "").await.json().await.unwrap();
    assert_eq!((board.year, board.quarter), (2026, 4));
    assert_eq!(board.branch_code, "demo-1");
    assert!(!board.signed_by_name.is_empty());
    let row = board
        .rows
        .iter()
        .find(|r| r.member_name == "刘凤霞")
        .expect("the member is on the board");
    assert_eq!((row.bonus, row.total), (5, 5));
    assert_eq!(board.entries.len(), 1, "the rejected report is not posted");
    assert_eq!(board.entries[0].category, RuleCategory::Bonus);
    assert_eq!(board.entries[0].points, 5);
    let same: BoardView = app
        .public_board("demo-1", "?year=2026&quarter=4")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(same, board);
    let res = app.public_board("demo-1", "?year=2026&quarter=3").await;
    assert_eq!(
        problem(res, StatusCode::NOT_FOUND).await.code,
        "board.not_found"
    );

    let inbox: NotificationPage = app
        .get(&member, "/api/v1/me/notifications")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(inbox.items[0].kind, NotificationKind::BoardPublished);
    assert!(
        inbox.items[0].body.contains("2026年第4季度"),
        "{}",
        inbox.items[0].body
    );

    // A later revocation of a posted award lands in the open quarter, not the signed one.
    let res = app
        .review(&committee, &haircut, Review::Revoke("群众反映不属实"))
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let again: BoardView = app
        .public_board("demo-1", "?year=2026&quarter=4")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(again.entries.len(), 1, "the posted board does not change");

    // The board carries the head of the branch's audit history when it was posted. Someone
    // cuts the history back behind the application's back: the shorter chain still links up,
    // but its seals tell of the cut, and so does the posted head.
    let anchor: Anchor = board.audit_anchor.parse().expect("an anchor on the board");
    let db = app.state.db.conn();
    assert!(audit::verify(db).await.is_ok());
    audit::check_anchors(db, std::slice::from_ref(&anchor))
        .await
        .expect("the history holds the posted head");
    let cut = format!(
        "DELETE FROM audit_event WHERE chain_id = '{}' AND seq >= {}",
        anchor.chain_id, anchor.seq
    );
    db.execute(Statement::from_string(app.backend(), cut))
        .await
        .unwrap();
    let err = audit::verify(db).await.unwrap_err();
    assert!(
        err.to_string().contains("cut back"),
        "the seals show the cut: {err}"
    );
    let err = audit::check_anchors(db, &[anchor]).await.unwrap_err();
    assert!(err.to_string().contains("cut back"), "{err}");
}

#[tokio::test]
async fn another_branch_cannot_sign_and_the_masses_see_only_what_is_posted() {
    let app = TestApp::spawn_at(NEW_YEAR).await;
    let other_secretary = app.login_as("secretary2").await;
    let res = app
        .quarter_step(&other_secretary, "demo-1", QuarterStep::Sign, 2026, 4)
        .await;
    assert_eq!(
        problem(res, StatusCode::NOT_FOUND).await.code,
        "org_unit.not_found"
    );

    let res = app
        .client
        .get(app.url("/api/v1/public/branches/no-such-branch/board"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        problem(res, StatusCode::NOT_FOUND).await.code,
        "org_unit.not_found"
    );
    let res = app.public_board("demo-1", "?year=2026").await;
    assert_eq!(
        problem(res, StatusCode::UNPROCESSABLE_ENTITY).await.code,
        "validation.failed"
    );
}

#[tokio::test]
async fn a_subscribed_member_hears_of_the_posted_board_by_wechat() {
    let fake = FakeWechat::start().await;
    let app = TestApp::spawn_with_wechat(&fake).await;
    let member = app.bind_wechat(&fake, "member3", "openid-liu").await;
    let res = app
        .subscribe(&member, jifen_tests::fake_wechat::TEMPLATE_BOARD)
        .await;
    assert_eq!(res.status(), StatusCode::OK);

    // The system clock is in a running quarter; sign and post the one before it.
    let now = jifen_shared::domain::CycleQuarter::of(app.state.clock.now());
    let (year, q) = if now.quarter == 1 {
        (now.year - 1, 4)
    } else {
        (now.year, now.quarter - 1)
    };
    let secretary = app.login_as("secretary1").await;
    assert_eq!(
        app.quarter_step(&secretary, "demo-1", QuarterStep::Sign, year, q)
            .await
            .status(),
        StatusCode::OK
    );
    assert_eq!(
        app.quarter_step(&secretary, "demo-1", QuarterStep::Publish, year, q)
            .await
            .status(),
        StatusCode::OK
    );

    eventually("the board message is delivered", || async {
        (fake.delivered().len() == 1).then_some(())
    })
    .await;
    let sent = &fake.delivered()[0];
    assert_eq!(sent["touser"], "openid-liu");
    assert_eq!(
        sent["template_id"],
        jifen_tests::fake_wechat::TEMPLATE_BOARD
    );
    assert_eq!(sent["data"]["thing1"]["value"], "东关村党支部");
    assert_eq!(
        sent["data"]["thing2"]["value"],
        format!("{year}年第{q}季度党员积分")
    );
    assert_eq!(
        sent["page"],
        format!("pages/board/board?code=demo-1&year={year}&quarter={q}")
    );
}

#[tokio::test]
async fn the_masses_give_feedback_on_the_board_and_the_committee_reads_it() {
    let app = TestApp::spawn_at_with_config(NEW_YEAR, |c| {
        // This story is about what the committee does, not how fast feedback may come.
        c.limits.feedback = jifen_server::infra::config::Rate::new(10_000, 10_000);
    })
    .await;
    let member = app.login_as("member3").await;
    let committee = app.login_as("committee1").await;
    let secretary = app.login_as("secretary1").await;
    let haircut = report_in_december(&app, &member, HAIRCUT).await;
    app.review(&committee, &haircut, Review::APPROVE).await;

    let give = |feedback: FeedbackRequest| {
        let app = &app;
        async move { app.give_feedback("demo-1", &feedback).await }
    };
    let res = give(on_the_board(None, "理发的事我们都看见了")).await;
    assert_eq!(
        problem(res, StatusCode::NOT_FOUND).await.code,
        "board.not_found",
        "nothing to comment on before the board is posted"
    );

    app.quarter_step(&secretary, "demo-1", QuarterStep::Sign, 2026, 4)
        .await;
    app.quarter_step(&secretary, "demo-1", QuarterStep::Publish, 2026, 4)
        .await;
    let board: BoardView = app.public_board("demo-1", "").await.json().await.unwrap();
    let liu = board
        .rows
        .iter()
        .find(|r| r.member_name == "刘凤霞")
        .unwrap()
        .member_id
        .clone();

    let res = give(on_the_board(None, "  ")).await;
    let p = problem(res, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(p.errors[0].field, "body");
    let stranger = app.demo.member("member20").to_owned();
    let res = give(on_the_board(Some(&stranger), "说明")).await;
    assert_eq!(
        problem(res, StatusCode::UNPROCESSABLE_ENTITY).await.errors[0].code,
        "feedback.unknown_member"
    );

    let res = give(FeedbackRequest {
        contact: Some("东关村 王大爷".into()),
        ..on_the_board(Some(&liu), "刘凤霞每月都给村里老人义务理发，属实。")
    })
    .await;
    assert_eq!(res.status(), StatusCode::ACCEPTED);
    let received: FeedbackView = res.json().await.unwrap();
    assert_eq!(
        received.contact, None,
        "the contact is for the committee's eyes"
    );

    let branch = app.demo.branch("demo-1").to_owned();
    let path = format!("/api/v1/branches/{branch}/quarters/2026/4/feedback");
    let page: FeedbackPage = app.get(&committee, &path).await.json().await.unwrap();
    let list = page.items;
    assert_eq!(list.len(), 1);
    assert_eq!(page.counts.received, 1);
    assert_eq!(list[0].about_member_name.as_deref(), Some("刘凤霞"));
    assert_eq!(list[0].contact.as_deref(), Some("东关村 王大爷"));
    assert_eq!(list[0].status, FeedbackStatus::Received);

    let res = app.get(&member, &path).await;
    assert_eq!(
        problem(res, StatusCode::FORBIDDEN).await.code,
        "auth.forbidden"
    );
    let other = app.login_as("committee2").await;
    let res = app.get(&other, &path).await;
    assert_eq!(
        problem(res, StatusCode::NOT_FOUND).await.code,
        "org_unit.not_found"
    );
    assert!(audit::verify(app.state.db.conn()).await.is_ok());
}

#[tokio::test]
async fn the_committee_turns_the_masses_feedback_into_a_deduction_or_sets_it_aside() {
    let app = TestApp::spawn_at_with_config(NEW_YEAR, |c| {
        // This story is about what the committee does, not how fast feedback may come.
        c.limits.feedback = jifen_server::infra::config::Rate::new(10_000, 10_000);
    })
    .await;
    let member = app.login_as("member3").await;
    let committee = app.login_as("committee1").await;
    let secretary = app.login_as("secretary1").await;
    let haircut = report_in_december(&app, &member, HAIRCUT).await;
    app.review(&committee, &haircut, Review::APPROVE).await;
    app.quarter_step(&secretary, "demo-1", QuarterStep::Sign, 2026, 4)
        .await;
    app.quarter_step(&secretary, "demo-1", QuarterStep::Publish, 2026, 4)
        .await;

    // Two villagers write: one about the member, one about the board as a whole.
    let give = |feedback: FeedbackRequest| {
        let app = &app;
        async move {
            let res = app.give_feedback("demo-1", &feedback).await;
            assert_eq!(res.status(), StatusCode::ACCEPTED);
            res.json::<FeedbackView>().await.unwrap()
        }
    };
    let about_liu = give(on_the_board(
        Some(&member.member_id),
        "刘凤霞十二月在村里乱倒垃圾，好几个人看见了",
    ))
    .await;
    let general = give(on_the_board(None, "公示栏的字太小了")).await;
    let accept = |id: String, body: AcceptFeedbackRequest| {
        let committee = &committee;
        let app = &app;
        async move {
            app.post(committee, &format!("/api/v1/feedback/{id}/accept"), &body)
                .await
        }
    };
    let village_rules = app.demo.rule("demo-1", VILLAGE_RULES).to_owned();
    let haircut_rule = app.demo.rule("demo-1", HAIRCUT).to_owned();

    // Only the branch's committee decides, and only with a deduction item, negative points and a reason.
    let res = app
        .post(
            &member,
            &format!("/api/v1/feedback/{}/accept", about_liu.id),
            &deduction(&village_rules, None, "属实"),
        )
        .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let other_committee = app.login_as("committee2").await;
    let res = app
        .post(
            &other_committee,
            &format!("/api/v1/feedback/{}/dismiss", about_liu.id),
            &ReasonRequest {
                reason: "不属实".into(),
            },
        )
        .await;
    assert_eq!(
        problem(res, StatusCode::NOT_FOUND).await.code,
        "feedback.not_found"
    );
    let refused = |id: &str, body: AcceptFeedbackRequest| {
        let (accept, id) = (&accept, id.to_owned());
        async move {
            let p = problem(accept(id, body).await, StatusCode::UNPROCESSABLE_ENTITY).await;
            (p.errors[0].field.clone(), p.errors[0].code.clone())
        }
    };
    for (body, field, code) in [
        (
            deduction(&haircut_rule, None, "属实"),
            "rule_id",
            "rule.not_deduction",
        ),
        (
            deduction(&village_rules, Some(3), "属实"),
            "points",
            "points.wrong_sign",
        ),
        (deduction(&village_rules, None, " "), "reason", "text.empty"),
    ] {
        assert_eq!(
            refused(&about_liu.id, body).await,
            (field.into(), code.into())
        );
    }
    let (field, _) = refused(&general.id, deduction(&village_rules, None, "属实")).await;
    assert_eq!(
        field, "member_id",
        "feedback about nobody needs the committee to name the member"
    );
    // Feedback about one member cannot be turned into a deduction for another.
    let someone_else = AcceptFeedbackRequest {
        member_id: Some(app.demo.member("member4").to_owned()),
        ..deduction(&village_rules, None, "属实")
    };
    assert_eq!(
        refused(&about_liu.id, someone_else).await,
        ("member_id".into(), "feedback.member_named".into()),
        "the member the feedback names is the only one it can cost points"
    );

    // Accepted: a proposed deduction, which counts only when a second committee member confirms
    // it; then it lands in the quarter open now (the fourth is signed), once.
    let before = app.points(&member, &member.member_id, 2027).await;
    let res = accept(
        about_liu.id.clone(),
        deduction(&village_rules, Some(-2), "经核实属实，按村规民约扣分"),
    )
    .await;
    assert_eq!(res.status(), StatusCode::OK);
    let accepted: FeedbackView = res.json().await.unwrap();
    assert_eq!(accepted.status, FeedbackStatus::Accepted);
    assert!(
        accepted.ledger_entry_id.is_none(),
        "no entry before a second person"
    );
    assert_eq!(app.points(&member, &member.member_id, 2027).await, before);
    let proposal = accepted.deduction_id.clone().expect("a proposed deduction");
    let res = app
        .post(
            &secretary,
            &format!("/api/v1/deductions/{proposal}/confirm"),
            &serde_json::json!({}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let confirmed: jifen_shared::api::DeductionView = res.json().await.unwrap();
    let entry_id = confirmed.ledger_entry_id.clone().expect("a deduction");
    let after = app.points(&member, &member.member_id, 2027).await;
    assert_eq!(after.deduction, before.deduction - 2);
    assert_eq!(
        after.quarters[0].deduction,
        before.quarters[0].deduction - 2
    );
    let entry = after.entries.iter().find(|e| e.id == entry_id).unwrap();
    assert_eq!(entry.rule_id.as_deref(), Some(village_rules.as_str()));
    assert_eq!(entry.note, "经核实属实，按村规民约扣分");
    let res = accept(
        about_liu.id.clone(),
        deduction(&village_rules, None, "再扣一次"),
    )
    .await;
    assert_eq!(
        problem(res, StatusCode::CONFLICT).await.code,
        "feedback.already_decided"
    );
    assert_eq!(
        app.points(&member, &member.member_id, 2027).await.deduction,
        after.deduction
    );

    // The general remark is set aside with a reason.
    let res = app
        .post(
            &committee,
            &format!("/api/v1/feedback/{}/dismiss", general.id),
            &ReasonRequest {
                reason: "与积分无关，转村委会处理".into(),
            },
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let dismissed: FeedbackView = res.json().await.unwrap();
    assert_eq!(dismissed.status, FeedbackStatus::Dismissed);
    assert!(dismissed.ledger_entry_id.is_none());

    // The member hears of it; the committee's list shows both decisions; the history holds.
    let inbox: NotificationPage = app
        .get(&member, "/api/v1/me/notifications")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(inbox.items[0].kind, NotificationKind::PointsDeducted);
    assert!(
        inbox.items[0].body.contains("扣 2 分"),
        "{}",
        inbox.items[0].body
    );
    let branch = app.demo.branch("demo-1").to_owned();
    let page: FeedbackPage = app
        .get(
            &committee,
            &format!("/api/v1/branches/{branch}/quarters/2026/4/feedback"),
        )
        .await
        .json()
        .await
        .unwrap();
    let decided: Vec<(&str, Option<&str>)> = page
        .items
        .iter()
        .map(|f| (f.status.as_str(), f.decision_reason.as_deref()))
        .collect();
    assert!(decided.contains(&("accepted", Some("经核实属实，按村规民约扣分"))));
    let accepted_now = page.items.iter().find(|f| f.id == about_liu.id).unwrap();
    assert_eq!(
        accepted_now.ledger_entry_id.as_deref(),
        Some(entry_id.as_str()),
        "once confirmed, the feedback points to its deduction"
    );
    assert!(decided.contains(&("dismissed", Some("与积分无关，转村委会处理"))));
    assert!(audit::verify(app.state.db.conn()).await.is_ok());
}
