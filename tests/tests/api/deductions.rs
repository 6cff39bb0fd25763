//! Deductions the committee decides (违规扣分) take two people: one committee member proposes, a
//! second confirms, and only then do the points come off and the member hear why; either may
//! drop the proposal with a reason instead. Feedback the committee accepts takes the same two
//! steps.

use jifen_server::seed::{HAIRCUT, VILLAGE_RULES};
use jifen_server::services::audit;
use jifen_shared::api::{
    AcceptFeedbackRequest, DeductionPage, DeductionView, FeedbackPage, FeedbackRequest,
    FeedbackView, ProposeDeductionRequest, ReasonRequest,
};
use jifen_shared::domain::{DeductionStatus, FeedbackStatus, NotificationKind};
use jifen_tests::{problem, QuarterStep, Review, TestApp, User};
use reqwest::{Response, StatusCode};

/// Early January 2027: the first quarter of 2027 is open, the fourth of 2026 has just ended.
const NEW_YEAR: &str = "2027-01-05T10:00:00+08:00";

fn proposal(rule_id: &str, points: Option<i32>, reason: &str) -> ProposeDeductionRequest {
    ProposeDeductionRequest {
        rule_id: rule_id.to_owned(),
        points,
        reason: reason.to_owned(),
        feedback_id: None,
    }
}

async fn propose(
    app: &TestApp,
    by: &User,
    member_id: &str,
    body: &ProposeDeductionRequest,
) -> Response {
    app.post(by, &format!("/api/v1/members/{member_id}/deductions"), body)
        .await
}

/// A proposal that must be accepted.
async fn proposed(
    app: &TestApp,
    by: &User,
    member_id: &str,
    body: &ProposeDeductionRequest,
) -> DeductionView {
    let res = propose(app, by, member_id, body).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    res.json().await.unwrap()
}

async fn confirm(app: &TestApp, by: &User, id: &str) -> Response {
    app.post(
        by,
        &format!("/api/v1/deductions/{id}/confirm"),
        &serde_json::json!({}),
    )
    .await
}

async fn drop_it(app: &TestApp, by: &User, id: &str, reason: &str) -> Response {
    app.post(
        by,
        &format!("/api/v1/deductions/{id}/drop"),
        &ReasonRequest {
            reason: reason.to_owned(),
        },
    )
    .await
}

/// The proposals of demo-1 waiting for a second person, as `who` sees them.
async fn waiting(app: &TestApp, who: &User) -> Vec<DeductionView> {
    let branch = app.demo.branch("demo-1").to_owned();
    let res = app
        .get(
            who,
            &format!("/api/v1/branches/{branch}/deductions?status=proposed"),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    res.json::<DeductionPage>().await.unwrap().items
}

#[tokio::test]
async fn a_deduction_counts_only_when_a_second_committee_member_confirms_it() {
    let app = TestApp::spawn_at(NEW_YEAR).await;
    let member = app.login_as("member3").await;
    let committee = app.login_as("committee1").await;
    let secretary = app.login_as("secretary1").await;
    let village_rules = app.demo.rule("demo-1", VILLAGE_RULES).to_owned();
    let before = app.points(&member, &member.member_id, 2027).await;
    let unread_before = app.inbox(&member).await.unread;

    // The committee member proposes, with the item's standard points: nothing comes off yet.
    let reason = "十二月二十日在村口乱倒建筑垃圾，经村委会核实";
    let p = proposed(
        &app,
        &committee,
        &member.member_id,
        &proposal(&village_rules, None, reason),
    )
    .await;
    assert_eq!(p.status, DeductionStatus::Proposed);
    assert!(p.points < 0, "the item's standard points: {}", p.points);
    assert!(!p.member_name.is_empty() && !p.rule_name.is_empty());
    assert_eq!(p.proposed_by, committee.member_id);
    assert!(p.ledger_entry_id.is_none());
    assert_eq!(app.points(&member, &member.member_id, 2027).await, before);
    assert_eq!(app.inbox(&member).await.unread, unread_before);
    let listed = waiting(&app, &secretary).await;
    assert_eq!(
        listed.iter().map(|d| d.id.as_str()).collect::<Vec<_>>(),
        [p.id.as_str()]
    );

    // Whoever proposed cannot be the second person.
    let refused = problem(
        confirm(&app, &committee, &p.id).await,
        StatusCode::FORBIDDEN,
    )
    .await;
    assert_eq!(refused.code, "deduction.second_person");
    assert!(
        refused.message.contains("另一位支委"),
        "{}",
        refused.message
    );
    assert_eq!(app.points(&member, &member.member_id, 2027).await, before);

    // The secretary confirms: one entry, in the open quarter, under the confirmer's name.
    let res = confirm(&app, &secretary, &p.id).await;
    assert_eq!(res.status(), StatusCode::OK);
    let done: DeductionView = res.json().await.unwrap();
    assert_eq!(done.status, DeductionStatus::Confirmed);
    assert_eq!(
        done.decided_by.as_deref(),
        Some(secretary.member_id.as_str())
    );
    let entry_id = done.ledger_entry_id.clone().expect("the entry written");
    let after = app.points(&member, &member.member_id, 2027).await;
    assert_eq!(after.deduction, before.deduction + p.points);
    assert_eq!(
        after.quarters[0].deduction,
        before.quarters[0].deduction + p.points
    );
    let entry = after.entries.iter().find(|e| e.id == entry_id).unwrap();
    assert_eq!(entry.rule_id.as_deref(), Some(village_rules.as_str()));
    assert_eq!(entry.note, reason);
    assert_eq!(after.entries.len(), before.entries.len() + 1);

    // The member is told, with the reason.
    let inbox = app.inbox(&member).await;
    assert_eq!(inbox.unread, unread_before + 1);
    assert_eq!(inbox.items[0].kind, NotificationKind::PointsDeducted);
    assert!(
        inbox.items[0].body.contains(reason),
        "{}",
        inbox.items[0].body
    );

    // A decided proposal is decided: confirming again or dropping it is refused, nothing moves.
    for res in [
        confirm(&app, &secretary, &p.id).await,
        drop_it(&app, &committee, &p.id, "搞错了").await,
    ] {
        assert_eq!(
            problem(res, StatusCode::CONFLICT).await.code,
            "deduction.already_decided"
        );
    }
    assert_eq!(app.points(&member, &member.member_id, 2027).await, after);
    assert!(waiting(&app, &secretary).await.is_empty());
    audit::verify(app.state.db.conn())
        .await
        .expect("the history and the ledger agree");
}

#[tokio::test]
async fn a_proposal_dropped_with_a_reason_deducts_nothing() {
    let app = TestApp::spawn_at(NEW_YEAR).await;
    let member = app.login_as("member3").await;
    let committee = app.login_as("committee1").await;
    let secretary = app.login_as("secretary1").await;
    let village_rules = app.demo.rule("demo-1", VILLAGE_RULES).to_owned();
    let before = app.points(&member, &member.member_id, 2027).await;
    let unread_before = app.inbox(&member).await.unread;
    let p = proposed(
        &app,
        &committee,
        &member.member_id,
        &proposal(&village_rules, Some(-1), "据反映乱停车"),
    )
    .await;

    // Dropping takes a reason; the proposer may drop their own proposal.
    let p_missing = problem(
        drop_it(&app, &secretary, &p.id, "  ").await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(p_missing.errors[0].field, "reason");
    let res = drop_it(&app, &committee, &p.id, "核实后不属实，车是借给别人开的").await;
    assert_eq!(res.status(), StatusCode::OK);
    let dropped: DeductionView = res.json().await.unwrap();
    assert_eq!(dropped.status, DeductionStatus::Dropped);
    assert_eq!(
        dropped.drop_reason.as_deref(),
        Some("核实后不属实，车是借给别人开的")
    );
    assert!(dropped.ledger_entry_id.is_none());

    // Nothing came off and nobody was told; it can no longer be confirmed.
    assert_eq!(
        problem(confirm(&app, &secretary, &p.id).await, StatusCode::CONFLICT)
            .await
            .code,
        "deduction.already_decided"
    );
    assert_eq!(app.points(&member, &member.member_id, 2027).await, before);
    assert_eq!(app.inbox(&member).await.unread, unread_before);
    let branch = app.demo.branch("demo-1").to_owned();
    let dropped_list: DeductionPage = app
        .get(
            &secretary,
            &format!("/api/v1/branches/{branch}/deductions?status=dropped"),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(dropped_list.items.len(), 1);
    assert_eq!(
        dropped_list.items[0].decided_by_name.as_deref(),
        Some(dropped.proposed_by_name.as_str())
    );
    audit::verify(app.state.db.conn()).await.unwrap();
}

#[tokio::test]
async fn only_the_branchs_committee_proposes_and_confirms_and_never_about_themselves() {
    let app = TestApp::spawn_at(NEW_YEAR).await;
    let member = app.login_as("member3").await;
    let committee = app.login_as("committee1").await;
    let secretary = app.login_as("secretary1").await;
    let other_committee = app.login_as("committee2").await;
    let village_rules = app.demo.rule("demo-1", VILLAGE_RULES).to_owned();
    let body = proposal(&village_rules, None, "乱倒垃圾");

    // A plain member of the branch may not; another branch's committee does not see the member.
    let member4 = app.demo.member("member4").to_owned();
    assert_eq!(
        problem(
            propose(&app, &member, &member4, &body).await,
            StatusCode::FORBIDDEN
        )
        .await
        .code,
        "auth.forbidden"
    );
    assert_eq!(
        problem(
            propose(&app, &other_committee, &member.member_id, &body).await,
            StatusCode::NOT_FOUND
        )
        .await
        .code,
        "member.not_found"
    );
    // Nobody proposes a deduction of their own points.
    assert_eq!(
        problem(
            propose(&app, &committee, &committee.member_id, &body).await,
            StatusCode::FORBIDDEN
        )
        .await
        .code,
        "deduction.own"
    );

    // The proposal itself, checked: a deduction item of the branch, negative points, a reason.
    let haircut = app.demo.rule("demo-1", HAIRCUT).to_owned();
    let elsewhere = app.demo.rule("demo-2", VILLAGE_RULES).to_owned();
    for (body, field, code, why) in [
        (
            proposal(&haircut, None, "属实"),
            "rule_id",
            "rule.not_deduction",
            "a bonus item",
        ),
        (
            proposal(&elsewhere, None, "属实"),
            "rule_id",
            "rule.unknown",
            "another branch's item",
        ),
        (
            proposal("not-an-id", None, "属实"),
            "rule_id",
            "rule.unknown",
            "no item at all",
        ),
        (
            proposal(&village_rules, Some(3), "属实"),
            "points",
            "points.wrong_sign",
            "positive points",
        ),
        (
            proposal(&village_rules, None, " "),
            "reason",
            "text.empty",
            "no reason",
        ),
    ] {
        let p = problem(
            propose(&app, &committee, &member.member_id, &body).await,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
        assert_eq!(
            (p.errors[0].field.as_str(), p.errors[0].code.as_str()),
            (field, code),
            "{why}"
        );
    }

    // A proposal about a committee member: they may neither confirm nor drop it.
    let about_committee = proposed(&app, &secretary, &committee.member_id, &body).await;
    for res in [
        confirm(&app, &committee, &about_committee.id).await,
        drop_it(&app, &committee, &about_committee.id, "不属实").await,
    ] {
        assert_eq!(
            problem(res, StatusCode::FORBIDDEN).await.code,
            "deduction.own"
        );
    }

    // Another branch's committee sees neither the proposal nor the branch's list; a member of
    // the branch may not decide or list.
    let p = proposed(&app, &committee, &member.member_id, &body).await;
    for res in [
        confirm(&app, &other_committee, &p.id).await,
        drop_it(&app, &other_committee, &p.id, "不属实").await,
    ] {
        assert_eq!(
            problem(res, StatusCode::NOT_FOUND).await.code,
            "deduction.not_found"
        );
    }
    let branch = app.demo.branch("demo-1").to_owned();
    let list = format!("/api/v1/branches/{branch}/deductions");
    assert_eq!(
        problem(
            app.get(&other_committee, &list).await,
            StatusCode::NOT_FOUND
        )
        .await
        .code,
        "org_unit.not_found"
    );
    let member4 = app.login_as("member4").await;
    for res in [
        confirm(&app, &member4, &p.id).await,
        drop_it(&app, &member4, &p.id, "不属实").await,
        app.get(&member4, &list).await,
    ] {
        assert_eq!(
            problem(res, StatusCode::FORBIDDEN).await.code,
            "auth.forbidden"
        );
    }
    assert_eq!(
        problem(
            app.get(&committee, &format!("{list}?status=maybe")).await,
            StatusCode::UNPROCESSABLE_ENTITY
        )
        .await
        .errors[0]
            .field,
        "status"
    );

    // An administrator above the branch is a second person too.
    let admin = app.login_as("admin1").await;
    let res = confirm(&app, &admin, &p.id).await;
    assert_eq!(res.status(), StatusCode::OK);
}

#[tokio::test]
async fn a_confirmation_and_a_drop_at_the_same_moment_one_wins() {
    let app = TestApp::spawn_at(NEW_YEAR).await;
    let member = app.login_as("member3").await;
    let committee = app.login_as("committee1").await;
    let secretary = app.login_as("secretary1").await;
    let admin = app.login_as("admin1").await;
    let village_rules = app.demo.rule("demo-1", VILLAGE_RULES).to_owned();
    let before = app.points(&member, &member.member_id, 2027).await;

    let mut confirmed = 0;
    for round in 0..4 {
        let p = proposed(
            &app,
            &committee,
            &member.member_id,
            &proposal(
                &village_rules,
                Some(-1),
                &format!("第 {round} 次反映乱倒垃圾"),
            ),
        )
        .await;
        // Two second persons confirm while the proposer drops it.
        let (a, b, c) = tokio::join!(
            confirm(&app, &secretary, &p.id),
            confirm(&app, &admin, &p.id),
            drop_it(&app, &committee, &p.id, "撤回：重复提议"),
        );
        let statuses = [a.status(), b.status(), c.status()];
        assert_eq!(
            statuses.iter().filter(|s| **s == StatusCode::OK).count(),
            1,
            "exactly one decision wins: {statuses:?}"
        );
        assert_eq!(
            statuses
                .iter()
                .filter(|s| **s == StatusCode::CONFLICT)
                .count(),
            2,
            "the others are told it was decided: {statuses:?}"
        );
        if statuses[0] == StatusCode::OK || statuses[1] == StatusCode::OK {
            confirmed += 1;
        }
    }
    let after = app.points(&member, &member.member_id, 2027).await;
    assert_eq!(after.deduction, before.deduction - confirmed);
    assert_eq!(
        after.entries.len(),
        before.entries.len() + confirmed as usize,
        "one entry per confirmed proposal, none for a dropped one"
    );
    audit::verify(app.state.db.conn()).await.unwrap();
}

/// Demo-1's fourth quarter of 2026, signed and posted, with `n` pieces of the masses' feedback
/// about `member`.
async fn posted_with_feedback(app: &TestApp, member: &User, bodies: &[&str]) -> Vec<FeedbackView> {
    let secretary = app.login_as("secretary1").await;
    app.quarter_step(&secretary, "demo-1", QuarterStep::Sign, 2026, 4)
        .await;
    app.quarter_step(&secretary, "demo-1", QuarterStep::Publish, 2026, 4)
        .await;
    let mut given = Vec::new();
    for body in bodies {
        let res = app
            .give_feedback(
                "demo-1",
                &FeedbackRequest {
                    year: 2026,
                    quarter: 4,
                    about_member_id: Some(member.member_id.clone()),
                    body: (*body).to_owned(),
                    contact: None,
                },
            )
            .await;
        assert_eq!(res.status(), StatusCode::ACCEPTED);
        given.push(res.json().await.unwrap());
    }
    given
}

async fn feedback_desk(app: &TestApp, who: &User) -> Vec<FeedbackView> {
    let branch = app.demo.branch("demo-1").to_owned();
    let res = app
        .get(
            who,
            &format!("/api/v1/branches/{branch}/quarters/2026/4/feedback"),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    res.json::<FeedbackPage>().await.unwrap().items
}

#[tokio::test]
async fn feedback_the_committee_accepts_is_deducted_only_when_a_second_person_confirms() {
    let app = TestApp::spawn_at(NEW_YEAR).await;
    let member = app.login_as("member3").await;
    let committee = app.login_as("committee1").await;
    let secretary = app.login_as("secretary1").await;
    // The quarter's last report decided, so that the secretary can sign.
    let mut form = app.deed_form(HAIRCUT);
    form.occurred_at = "2026-12-20T09:00:00+08:00".parse().unwrap();
    let deed = app.submit(&member, &form).await;
    app.review(&committee, &deed.id, Review::APPROVE).await;
    let given = posted_with_feedback(
        &app,
        &member,
        &[
            "刘凤霞十二月在村里乱倒垃圾",
            "刘凤霞占用村道晒粮",
            "刘凤霞在河边烧秸秆",
        ],
    )
    .await;
    let village_rules = app.demo.rule("demo-1", VILLAGE_RULES).to_owned();
    let before = app.points(&member, &member.member_id, 2027).await;

    // The committee member accepts the first: it becomes a proposal, nothing comes off yet.
    let res = app
        .post(
            &committee,
            &format!("/api/v1/feedback/{}/accept", given[0].id),
            &AcceptFeedbackRequest {
                rule_id: village_rules.clone(),
                points: Some(-2),
                member_id: None,
                reason: "经核实属实，按村规民约扣分".into(),
            },
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let accepted: FeedbackView = res.json().await.unwrap();
    assert_eq!(accepted.status, FeedbackStatus::Accepted);
    assert_eq!(accepted.deduction_status, Some(DeductionStatus::Proposed));
    assert!(
        accepted.ledger_entry_id.is_none(),
        "no entry before a second person"
    );
    let deduction_id = accepted.deduction_id.clone().expect("a proposal");
    assert_eq!(app.points(&member, &member.member_id, 2027).await, before);
    let listed = waiting(&app, &secretary).await;
    assert_eq!(listed[0].id, deduction_id);
    assert_eq!(listed[0].feedback_id.as_deref(), Some(given[0].id.as_str()));

    // The proposer cannot confirm it; the secretary does, and the feedback points to the entry.
    assert_eq!(
        problem(
            confirm(&app, &committee, &deduction_id).await,
            StatusCode::FORBIDDEN
        )
        .await
        .code,
        "deduction.second_person"
    );
    let res = confirm(&app, &secretary, &deduction_id).await;
    assert_eq!(res.status(), StatusCode::OK);
    let confirmed: DeductionView = res.json().await.unwrap();
    let after = app.points(&member, &member.member_id, 2027).await;
    assert_eq!(after.deduction, before.deduction - 2);
    // The fourth quarter is signed: the deduction lands in the quarter open now.
    assert_eq!(
        after.quarters[0].deduction,
        before.quarters[0].deduction - 2
    );
    let desk = feedback_desk(&app, &committee).await;
    let first = desk.iter().find(|f| f.id == given[0].id).unwrap();
    assert_eq!(first.ledger_entry_id, confirmed.ledger_entry_id);
    assert_eq!(first.deduction_status, Some(DeductionStatus::Confirmed));

    // The second is proposed straight from the member's page, naming the feedback; then dropped:
    // the feedback is set aside with the reason.
    let res = propose(
        &app,
        &committee,
        &member.member_id,
        &ProposeDeductionRequest {
            feedback_id: Some(given[1].id.clone()),
            ..proposal(&village_rules, None, "占道晒粮属实")
        },
    )
    .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let second: DeductionView = res.json().await.unwrap();
    assert_eq!(second.feedback_id.as_deref(), Some(given[1].id.as_str()));
    let res = drop_it(&app, &secretary, &second.id, "晒粮未影响通行，批评教育即可").await;
    assert_eq!(res.status(), StatusCode::OK);
    let desk = feedback_desk(&app, &committee).await;
    let second_feedback = desk.iter().find(|f| f.id == given[1].id).unwrap();
    assert_eq!(second_feedback.status, FeedbackStatus::Dismissed);
    assert_eq!(
        second_feedback.decision_reason.as_deref(),
        Some("晒粮未影响通行，批评教育即可")
    );
    assert_eq!(
        second_feedback.deduction_status,
        Some(DeductionStatus::Dropped)
    );

    // Feedback decided already cannot be proposed again; feedback of another member cannot be
    // used for this one.
    let res = propose(
        &app,
        &committee,
        &member.member_id,
        &ProposeDeductionRequest {
            feedback_id: Some(given[0].id.clone()),
            ..proposal(&village_rules, None, "再扣一次")
        },
    )
    .await;
    assert_eq!(
        problem(res, StatusCode::CONFLICT).await.code,
        "feedback.already_decided"
    );
    let member4 = app.demo.member("member4").to_owned();
    let res = propose(
        &app,
        &committee,
        &member4,
        &ProposeDeductionRequest {
            feedback_id: Some(given[2].id.clone()),
            ..proposal(&village_rules, None, "属实")
        },
    )
    .await;
    assert_eq!(
        problem(res, StatusCode::UNPROCESSABLE_ENTITY).await.errors[0].code,
        "feedback.member_named"
    );
    assert_eq!(
        app.points(&member, &member.member_id, 2027).await.deduction,
        after.deduction
    );
    audit::verify(app.state.db.conn()).await.unwrap();
}
