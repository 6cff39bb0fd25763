use jifen_server::seed::SNOW;
use jifen_shared::api::{DeedHistory, DeedPage, DeedView};
use jifen_shared::domain::{CycleQuarter, DeedStatus};
use jifen_tests::{problem, Review, TestApp};
use reqwest::StatusCode;
use serde_json::json;

#[tokio::test]
async fn member_reports_a_deed_and_committee_approves_it() {
    let app = TestApp::spawn().await;
    let member = app.login_as("member3").await;
    let committee = app.login_as("committee1").await;
    // Cycle years are cut in Beijing time: the deed's own year, not the UTC calendar's.
    let form = app.deed_form(SNOW);
    let year = CycleQuarter::of(form.occurred_at).year;
    let before = app.points(&member, &member.member_id, year).await;

    let deed = app.submit(&member, &form).await;
    assert_eq!(deed.year, year);
    assert_eq!(deed.status, DeedStatus::Submitted);
    assert_eq!(deed.points_claimed, 1);
    assert_eq!(deed.member_name, "刘凤霞");

    let queue: DeedPage = app
        .get(&committee, "/api/v1/deeds?scope=review&status=submitted")
        .await
        .json()
        .await
        .unwrap();
    assert!(
        queue.items.iter().any(|d| d.id == deed.id),
        "the deed waits in the committee's queue"
    );

    let res = app.review(&committee, &deed.id, Review::APPROVE).await;
    assert_eq!(res.status(), StatusCode::OK);
    let approved: DeedView = res.json().await.unwrap();
    assert_eq!(approved.status, DeedStatus::Approved);
    assert_eq!(approved.points_awarded, Some(1));

    let after = app.points(&member, &member.member_id, year).await;
    assert_eq!(after.bonus, before.bonus + 1);
    assert_eq!(after.total, before.total + 1);
    assert!(after
        .entries
        .iter()
        .any(|e| e.deed_id.as_deref() == Some(deed.id.as_str()) && e.points == 1));

    let history: DeedHistory = app
        .get(&member, &format!("/api/v1/deeds/{}/history", deed.id))
        .await
        .json()
        .await
        .unwrap();
    let actions: Vec<&str> = history.events.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(
        actions,
        ["deed.submitted", "ledger.entry_written", "deed.approved"]
    );
    assert_eq!(
        history.events[2].actor_id.as_deref(),
        Some(committee.member_id.as_str())
    );
}

#[tokio::test]
async fn committee_approves_with_adjusted_points_and_a_comment() {
    let app = TestApp::spawn().await;
    let member = app.login_as("member4").await;
    let committee = app.login_as("committee1").await;
    let deed = app
        .submit(&member, &app.deed_form(jifen_server::seed::HAIRCUT))
        .await;
    let res = app
        .review(
            &committee,
            &deed.id,
            Review::Approve {
                points: Some(3),
                comment: Some("只为三位老人理发"),
            },
        )
        .await;
    let approved: DeedView = res.json().await.unwrap();
    assert_eq!(approved.points_awarded, Some(3));
}

#[tokio::test]
async fn committee_rejects_a_deed_and_the_member_sees_why() {
    let app = TestApp::spawn().await;
    let member = app.login_as("member3").await;
    let committee = app.login_as("committee1").await;
    let deed = app.submit(&member, &app.deed_form(SNOW)).await;

    let without_reason = app.review(&committee, &deed.id, Review::Reject("  ")).await;
    let p = problem(without_reason, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(p.errors[0].field, "reason");

    let res = app
        .review(&committee, &deed.id, Review::Reject("当天未下雪，无法核实"))
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let seen: DeedView = app
        .get(&member, &format!("/api/v1/deeds/{}", deed.id))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(seen.status, DeedStatus::Rejected);
    assert_eq!(
        seen.decision_reason.as_deref(),
        Some("当天未下雪，无法核实")
    );

    let again = app.review(&committee, &deed.id, Review::APPROVE).await;
    assert_eq!(
        problem(again, StatusCode::CONFLICT).await.code,
        "deed.invalid_transition"
    );
    assert_eq!(
        app.points(&member, &member.member_id, seen.year)
            .await
            .total,
        0
    );
}

#[tokio::test]
async fn returned_deed_is_revised_resubmitted_and_approved() {
    let app = TestApp::spawn().await;
    let member = app.login_as("member5").await;
    let committee = app.login_as("committee1").await;
    let deed = app.submit(&member, &app.deed_form(SNOW)).await;

    let res = app
        .review(&committee, &deed.id, Review::Return("请写明清扫的路段"))
        .await;
    assert_eq!(
        res.json::<DeedView>().await.unwrap().status,
        DeedStatus::Returned
    );

    let mut revised = serde_json::to_value(app.deed_form(SNOW)).unwrap();
    revised["account"] = json!("清扫了村口到乡道约两百米的路段。");
    let res = app
        .client
        .put(app.url(&format!("/api/v1/deeds/{}", deed.id)))
        .bearer_auth(&member.access_token)
        .json(&revised)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let resubmitted: DeedView = res.json().await.unwrap();
    assert_eq!(resubmitted.status, DeedStatus::Submitted);
    assert_eq!(resubmitted.account, "清扫了村口到乡道约两百米的路段。");
    assert_eq!(resubmitted.id, deed.id);

    let approved: DeedView = app
        .review(&committee, &deed.id, Review::APPROVE)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(approved.status, DeedStatus::Approved);

    let history: DeedHistory = app
        .get(&member, &format!("/api/v1/deeds/{}/history", deed.id))
        .await
        .json()
        .await
        .unwrap();
    let actions: Vec<&str> = history.events.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(
        actions,
        [
            "deed.submitted",
            "deed.returned",
            "deed.resubmitted",
            "ledger.entry_written",
            "deed.approved"
        ]
    );
    assert_eq!(
        history.events[1].reason.as_deref(),
        Some("请写明清扫的路段")
    );
}

#[tokio::test]
async fn a_deed_that_was_not_returned_cannot_be_revised() {
    let app = TestApp::spawn().await;
    let member = app.login_as("member5").await;
    let deed = app.submit(&member, &app.deed_form(SNOW)).await;
    let res = app
        .client
        .put(app.url(&format!("/api/v1/deeds/{}", deed.id)))
        .bearer_auth(&member.access_token)
        .json(&app.deed_form(SNOW))
        .send()
        .await
        .unwrap();
    assert_eq!(
        problem(res, StatusCode::CONFLICT).await.code,
        "deed.invalid_transition"
    );
}

#[tokio::test]
async fn member_withdraws_a_pending_deed_but_not_a_decided_one() {
    let app = TestApp::spawn().await;
    let member = app.login_as("member6").await;
    let committee = app.login_as("committee1").await;
    let pending = app.submit(&member, &app.deed_form(SNOW)).await;

    let by_committee = app.review(&committee, &pending.id, Review::Withdraw).await;
    assert_eq!(
        problem(by_committee, StatusCode::FORBIDDEN).await.code,
        "deed.not_owner"
    );

    let res = app.review(&member, &pending.id, Review::Withdraw).await;
    assert_eq!(
        res.json::<DeedView>().await.unwrap().status,
        DeedStatus::Withdrawn
    );

    let approved = app.submit(&member, &app.deed_form(SNOW)).await;
    app.review(&committee, &approved.id, Review::APPROVE).await;
    let res = app.review(&member, &approved.id, Review::Withdraw).await;
    assert_eq!(
        problem(res, StatusCode::CONFLICT).await.code,
        "deed.invalid_transition"
    );
}

#[tokio::test]
async fn revoking_an_approval_writes_a_reversal_and_the_points_come_off() {
    let app = TestApp::spawn().await;
    let member = app.login_as("member7").await;
    let committee = app.login_as("committee1").await;
    let deed = app
        .submit(&member, &app.deed_form(jifen_server::seed::CLEAN_AREA))
        .await;
    app.review(&committee, &deed.id, Review::APPROVE).await;
    assert_eq!(
        app.points(&member, &member.member_id, deed.year)
            .await
            .bonus,
        10
    );

    // A request without the reason field is answered like one with an empty reason.
    let without_reason = app
        .post(
            &committee,
            &format!("/api/v1/deeds/{}/revoke", deed.id),
            &json!({}),
        )
        .await;
    let p = problem(without_reason, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(
        (p.errors[0].field.as_str(), p.errors[0].code.as_str()),
        ("reason", "text.empty")
    );

    let res = app
        .review(
            &committee,
            &deed.id,
            Review::Revoke("群众反映责任区有垃圾堆放"),
        )
        .await;
    assert_eq!(
        res.json::<DeedView>().await.unwrap().status,
        DeedStatus::Revoked
    );

    let points = app.points(&member, &member.member_id, deed.year).await;
    assert_eq!(points.bonus, 0);
    assert_eq!(
        points.entries.len(),
        2,
        "the award stays, next to its reversal"
    );
    let award = &points.entries[0];
    let reversal = &points.entries[1];
    assert_eq!(reversal.points, -award.points);
    assert_eq!(reversal.reverses_id.as_deref(), Some(award.id.as_str()));

    let twice = app
        .review(&committee, &deed.id, Review::Revoke("再次撤销"))
        .await;
    assert_eq!(
        problem(twice, StatusCode::CONFLICT).await.code,
        "deed.invalid_transition"
    );
}

#[tokio::test]
async fn the_same_report_sent_many_times_at_once_makes_one_deed() {
    let app = TestApp::spawn().await;
    let member = app.login_as("member8").await;
    let form = app.deed_form(SNOW);
    let sends = (0..12).map(|_| app.post(&member, "/api/v1/deeds", &form));
    let responses = futures_util::future::join_all(sends).await;
    let mut ids = Vec::new();
    let mut created = 0;
    for res in responses {
        let status = res.status();
        assert!(
            status == StatusCode::CREATED || status == StatusCode::OK,
            "got {status}"
        );
        created += usize::from(status == StatusCode::CREATED);
        ids.push(res.json::<DeedView>().await.unwrap().id);
    }
    assert_eq!(created, 1, "exactly one submission creates the deed");
    ids.dedup();
    assert_eq!(ids.len(), 1, "every answer names the same deed");
    let mine: DeedPage = app
        .get(&member, "/api/v1/deeds")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(mine.items.len(), 1);
}

#[tokio::test]
async fn a_long_list_is_read_page_by_page() {
    let app = TestApp::spawn().await;
    let member = app.login_as("member9").await;
    for _ in 0..5 {
        app.submit(&member, &app.deed_form(SNOW)).await;
    }
    let mut seen = Vec::new();
    let mut path = "/api/v1/deeds?limit=2".to_string();
    loop {
        let page: DeedPage = app.get(&member, &path).await.json().await.unwrap();
        assert!(page.items.len() <= 2);
        seen.extend(page.items.into_iter().map(|d| d.id));
        match page.next_cursor {
            Some(c) => path = format!("/api/v1/deeds?limit=2&cursor={c}"),
            None => break,
        }
    }
    assert_eq!(seen.len(), 5);
    let mut sorted = seen.clone();
    sorted.sort_by(|a, b| b.cmp(a));
    assert_eq!(seen, sorted, "newest first, no repeats");
}
