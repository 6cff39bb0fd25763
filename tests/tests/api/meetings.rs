//! Meetings (三会一课, 主题党日): the secretary schedules one and puts the rotating check-in code
//! on a screen; members scan it within the meeting's window (a forwarded photo of it stops
//! working within a minute), attend from afar where the meeting allows it, or ask for leave;
//! closing the meeting writes base points once, however many closes race.

use jifen_server::seed::{ABSENCE, DUES, MEETING};
use jifen_shared::api::{
    AttendanceReport, CheckinCode, CheckinView, LeaveRequestView, MeetingClosed, MeetingDetail,
    MeetingList, MeetingView, NewMeetingRequest, PointsSummary, TokenResponse,
};
use jifen_shared::domain::{AttendanceMode, LeaveStatus, MeetingKind};
use jifen_tests::{problem, Instance, TestApp, User};
use reqwest::{Response, StatusCode};
use serde_json::{json, Value};

/// A Friday morning in May 2026, on a 30-second boundary: the meeting runs 09:30 to 11:30.
const NOW: &str = "2026-05-08T10:00:00+08:00";
const STARTS: &str = "2026-05-08T09:30:00+08:00";
const ENDS: &str = "2026-05-08T11:30:00+08:00";

fn at(s: &str) -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::parse_from_rfc3339(s)
        .unwrap()
        .with_timezone(&chrono::Utc)
}

fn meeting_form(app: &TestApp, title: &str, remote_allowed: bool) -> NewMeetingRequest {
    NewMeetingRequest {
        kind: MeetingKind::BranchAssembly,
        title: title.to_owned(),
        starts_at: at(STARTS),
        ends_at: at(ENDS),
        place: "东关村党群服务中心".into(),
        online_url: None,
        remote_allowed,
        attendance_rule_id: Some(app.demo.rule("demo-1", MEETING).to_owned()),
        absence_rule_id: Some(app.demo.rule("demo-1", ABSENCE).to_owned()),
    }
}

async fn schedule(app: &TestApp, by: &User, form: &NewMeetingRequest) -> MeetingView {
    let path = format!("/api/v1/branches/{}/meetings", app.demo.branch("demo-1"));
    let res = app.post(by, &path, form).await;
    assert_eq!(
        res.status(),
        StatusCode::CREATED,
        "the meeting is scheduled"
    );
    res.json().await.unwrap()
}

async fn code_of(app: &TestApp, by: &User, meeting_id: &str) -> CheckinCode {
    let res = app
        .get(by, &format!("/api/v1/meetings/{meeting_id}/checkin-code"))
        .await;
    assert_eq!(res.status(), StatusCode::OK, "the screen shows the code");
    res.json().await.unwrap()
}

async fn check_in(app: &TestApp, who: &User, meeting_id: &str, body: Value) -> Response {
    app.post(
        who,
        &format!("/api/v1/meetings/{meeting_id}/checkin"),
        &body,
    )
    .await
}

async fn detail(app: &TestApp, who: &User, meeting_id: &str) -> MeetingDetail {
    let res = app
        .get(who, &format!("/api/v1/meetings/{meeting_id}"))
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    res.json().await.unwrap()
}

/// A server on the same database whose clock reads `when`, and `username` signed in there.
async fn later(app: &TestApp, when: &str, username: &str) -> (Instance, String) {
    let instance = app.another_instance_at(when).await;
    let res = app
        .client
        .post(format!("{}/api/v1/auth/login", instance.address))
        .json(&json!({"username": username, "password": jifen_tests::PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK, "{username} signs in");
    let token = res.json::<TokenResponse>().await.unwrap().access_token;
    (instance, token)
}

async fn post_at(app: &TestApp, base: &(Instance, String), path: &str, body: Value) -> Response {
    app.client
        .post(format!("{}{path}", base.0.address))
        .bearer_auth(&base.1)
        .json(&body)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn members_check_in_with_the_code_on_the_screen_and_a_forwarded_photo_stops_working() {
    let app = TestApp::spawn_at(NOW).await;
    let secretary = app.login_as("secretary1").await;
    let committee = app.login_as("committee1").await;
    let member1 = app.login_as("member1").await;
    let meeting = schedule(
        &app,
        &secretary,
        &meeting_form(&app, "五月支部党员大会", false),
    )
    .await;
    let other = schedule(&app, &secretary, &meeting_form(&app, "五月党课", false)).await;

    // The committee's tablet shows the code, and when it changes.
    let shown = code_of(&app, &committee, &meeting.id).await;
    assert_eq!(shown.expires_at, at("2026-05-08T10:00:30+08:00"));
    assert!(shown.qr_svg.starts_with("<svg"), "a QR code to scan");
    let res = app
        .get(
            &member1,
            &format!("/api/v1/meetings/{}/checkin-code", meeting.id),
        )
        .await;
    problem(res, StatusCode::FORBIDDEN).await;

    // member1 scans the current code.
    let res = check_in(&app, &member1, &meeting.id, json!({"code": shown.code})).await;
    assert_eq!(res.status(), StatusCode::CREATED, "the current code works");
    let done: CheckinView = res.json().await.unwrap();
    assert_eq!(done.mode, AttendanceMode::OnSite);

    // Twice is refused.
    let res = check_in(&app, &member1, &meeting.id, json!({"code": shown.code})).await;
    let p = problem(res, StatusCode::CONFLICT).await;
    assert_eq!(p.code, "meeting.already_checked_in");

    // member2 scanned it just before it changed: 35 s later it still works.
    let grace = later(&app, "2026-05-08T10:00:35+08:00", "member2").await;
    let path = format!("/api/v1/meetings/{}/checkin", meeting.id);
    let res = post_at(&app, &grace, &path, json!({"code": shown.code})).await;
    assert_eq!(
        res.status(),
        StatusCode::CREATED,
        "the previous code within grace"
    );

    // A photo of it forwarded to member3 at home, a minute later, no longer works.
    let stale = later(&app, "2026-05-08T10:01:05+08:00", "member3").await;
    let res = post_at(&app, &stale, &path, json!({"code": shown.code})).await;
    let p = problem(res, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(p.errors[0].code, "meeting.code_invalid", "a stale code");

    // Another meeting's code is not this meeting's.
    let member4 = app.login_as("member4").await;
    let elsewhere = code_of(&app, &secretary, &other.id).await;
    let res = check_in(&app, &member4, &meeting.id, json!({"code": elsewhere.code})).await;
    let p = problem(res, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(
        p.errors[0].code, "meeting.code_invalid",
        "another meeting's code"
    );

    // Too early and too late.
    for when in ["2026-05-08T08:59:00+08:00", "2026-05-08T11:31:00+08:00"] {
        let outside = later(&app, when, "member5").await;
        let res = post_at(
            &app,
            &outside,
            &path,
            json!({"remote": false, "code": "000000"}),
        )
        .await;
        let p = problem(res, StatusCode::CONFLICT).await;
        assert_eq!(p.code, "meeting.checkin_not_open", "check-in at {when}");
        outside.0.stop().await;
    }

    // A member of another branch does not see the meeting at all.
    let stranger = app.login_as("member16").await;
    let res = check_in(&app, &stranger, &meeting.id, json!({"code": shown.code})).await;
    problem(res, StatusCode::NOT_FOUND).await;

    // The committee's sheet: two on site, the rest missing so far.
    let sheet = detail(&app, &committee, &meeting.id)
        .await
        .attendance
        .unwrap();
    assert_eq!((sheet.on_site, sheet.remote), (2, 0));
    assert_eq!(sheet.missing, sheet.expected - 2);
    assert!(detail(&app, &member1, &meeting.id)
        .await
        .attendance
        .is_none());
    grace.0.stop().await;
    stale.0.stop().await;
}

#[tokio::test]
async fn remote_attendance_only_where_the_meeting_allows_it() {
    let app = TestApp::spawn_at(NOW).await;
    let secretary = app.login_as("secretary1").await;
    let migrant = app.login_as("member13").await;
    let in_the_room = schedule(&app, &secretary, &meeting_form(&app, "支部党员大会", false)).await;
    let mut form = meeting_form(&app, "主题党日：线上学习", true);
    form.kind = MeetingKind::ThemeDay;
    form.online_url = Some("https://meeting.example.cn/j/123".into());
    let online = schedule(&app, &secretary, &form).await;

    let res = check_in(&app, &migrant, &in_the_room.id, json!({"remote": true})).await;
    let p = problem(res, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(p.errors[0].code, "meeting.remote_not_allowed");

    let res = check_in(&app, &migrant, &online.id, json!({"remote": true})).await;
    assert_eq!(res.status(), StatusCode::CREATED, "remote where allowed");
    let sheet = detail(&app, &secretary, &online.id)
        .await
        .attendance
        .unwrap();
    let line = sheet
        .lines
        .iter()
        .find(|l| l.member_id == migrant.member_id)
        .unwrap();
    assert_eq!(line.mode, Some(AttendanceMode::Remote), "shown as remote");
    assert_eq!(sheet.remote, 1);

    // The member's list shows their own part in each.
    let path = format!("/api/v1/branches/{}/meetings", app.demo.branch("demo-1"));
    let list: MeetingList = app.get(&migrant, &path).await.json().await.unwrap();
    let mine = list.items.iter().find(|m| m.id == online.id).unwrap();
    assert_eq!(mine.my_attendance, Some(AttendanceMode::Remote));
    assert!(mine.expected);
}

#[tokio::test]
async fn the_secretary_grants_and_refuses_leave() {
    let app = TestApp::spawn_at(NOW).await;
    let secretary = app.login_as("secretary1").await;
    let committee = app.login_as("committee1").await;
    let member2 = app.login_as("member2").await;
    let member3 = app.login_as("member3").await;
    let meeting = schedule(&app, &secretary, &meeting_form(&app, "支部党员大会", false)).await;
    let ask = |who: &User, reason: &str| {
        let path = format!("/api/v1/meetings/{}/leave-requests", meeting.id);
        let body = json!({"reason": reason});
        let who = who.clone();
        let app = &app;
        async move { app.post(&who, &path, &body).await }
    };

    let res = ask(&member2, "在郑州打工，本周回不去").await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let leave2: LeaveRequestView = res.json().await.unwrap();
    assert_eq!(leave2.status, LeaveStatus::Waiting);
    let res = ask(&member2, "再请一次").await;
    assert_eq!(
        problem(res, StatusCode::CONFLICT).await.code,
        "leave_request.already_asked"
    );
    let leave3: LeaveRequestView = ask(&member3, "家里有事").await.json().await.unwrap();
    let res = ask(&member3, " ").await;
    problem(res, StatusCode::UNPROCESSABLE_ENTITY).await;

    // Only the secretary decides.
    let grant = |id: &str| format!("/api/v1/leave-requests/{id}/grant");
    let res = app.post(&committee, &grant(&leave2.id), &json!({})).await;
    problem(res, StatusCode::FORBIDDEN).await;
    let res = app.post(&member2, &grant(&leave2.id), &json!({})).await;
    problem(res, StatusCode::FORBIDDEN).await;

    let res = app.post(&secretary, &grant(&leave2.id), &json!({})).await;
    assert_eq!(res.status(), StatusCode::OK);
    let granted: LeaveRequestView = res.json().await.unwrap();
    assert_eq!(granted.status, LeaveStatus::Granted);
    let res = app.post(&secretary, &grant(&leave2.id), &json!({})).await;
    assert_eq!(
        problem(res, StatusCode::CONFLICT).await.code,
        "leave_request.already_decided"
    );

    let refuse = format!("/api/v1/leave-requests/{}/refuse", leave3.id);
    let res = app.post(&secretary, &refuse, &json!({"reason": ""})).await;
    problem(res, StatusCode::UNPROCESSABLE_ENTITY).await;
    let res = app
        .post(
            &secretary,
            &refuse,
            &json!({"reason": "换届选举，必须到会"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let refused: LeaveRequestView = res.json().await.unwrap();
    assert_eq!(refused.status, LeaveStatus::Refused);
    assert_eq!(
        refused.decision_reason.as_deref(),
        Some("换届选举，必须到会")
    );

    // The sheet counts granted leave, and the member sees the answer.
    let sheet = detail(&app, &secretary, &meeting.id)
        .await
        .attendance
        .unwrap();
    assert_eq!(sheet.on_leave, 1);
    let mine = detail(&app, &member3, &meeting.id).await.meeting;
    assert_eq!(mine.my_leave.unwrap().status, LeaveStatus::Refused);

    // A member of another branch finds no such request.
    let secretary2 = app.login_as("secretary2").await;
    let res = app.post(&secretary2, &grant(&leave3.id), &json!({})).await;
    problem(res, StatusCode::NOT_FOUND).await;
}

/// Entries of `rule` in the member's account for 2026.
async fn entries_of(app: &TestApp, reader: &User, member: &str, rule: &str) -> Vec<i32> {
    let res = app
        .get(
            reader,
            &format!("/api/v1/members/{member}/points?year=2026"),
        )
        .await;
    let points: PointsSummary = res.json().await.unwrap();
    points
        .entries
        .iter()
        .filter(|e| e.rule_id.as_deref() == Some(rule))
        .map(|e| e.points)
        .collect()
}

#[tokio::test]
async fn closing_writes_base_points_once_even_when_two_closes_race() {
    let app = TestApp::spawn_at(NOW).await;
    let secretary = app.login_as("secretary1").await;
    let member1 = app.login_as("member1").await;
    let member2 = app.login_as("member2").await;
    let member3 = app.login_as("member3").await;
    let meeting = schedule(&app, &secretary, &meeting_form(&app, "支部党员大会", true)).await;
    let code = code_of(&app, &secretary, &meeting.id).await.code;
    let res = check_in(&app, &member1, &meeting.id, json!({"code": code})).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let res = check_in(&app, &member2, &meeting.id, json!({"remote": true})).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let leave: LeaveRequestView = app
        .post(
            &member3,
            &format!("/api/v1/meetings/{}/leave-requests", meeting.id),
            &json!({"reason": "住院"}),
        )
        .await
        .json()
        .await
        .unwrap();
    let res = app
        .post(
            &secretary,
            &format!("/api/v1/leave-requests/{}/grant", leave.id),
            &json!({}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);

    // Not before it ends, and not by the committee.
    let close = format!("/api/v1/meetings/{}/close", meeting.id);
    let res = app.post(&secretary, &close, &json!({})).await;
    assert_eq!(
        problem(res, StatusCode::CONFLICT).await.code,
        "meeting.not_ended"
    );
    let committee = app.login_as("committee1").await;
    let res = app.post(&committee, &close, &json!({})).await;
    problem(res, StatusCode::FORBIDDEN).await;

    // After the meeting, two closes race (a double tap, two tablets).
    let after = later(&app, "2026-05-08T12:00:00+08:00", "secretary1").await;
    let (a, b) = tokio::join!(
        post_at(&app, &after, &close, json!({})),
        post_at(&app, &after, &close, json!({}))
    );
    let mut statuses = [a.status(), b.status()];
    statuses.sort();
    assert_eq!(
        statuses,
        [StatusCode::OK, StatusCode::CONFLICT],
        "one close wins"
    );
    let closed: MeetingClosed = if a.status() == StatusCode::OK { a } else { b }
        .json()
        .await
        .unwrap();
    let sheet = &closed.attendance;
    assert_eq!((sheet.on_site, sheet.remote, sheet.on_leave), (1, 1, 1));
    assert_eq!(sheet.missing, sheet.expected - 3, "everyone else is absent");
    assert_eq!(
        closed.entries_written,
        2 + sheet.missing,
        "attended and absent, not leave"
    );
    let line = |m: &User| {
        sheet
            .lines
            .iter()
            .find(|l| l.member_id == m.member_id)
            .unwrap()
    };
    assert_eq!(line(&member3).mode, Some(AttendanceMode::Leave));
    assert_eq!(sheet.rate_percent, 2 * 100 / sheet.expected);

    // A third close, later, writes nothing either.
    let res = post_at(&app, &after, &close, json!({})).await;
    assert_eq!(
        problem(res, StatusCode::CONFLICT).await.code,
        "meeting.closed"
    );

    // The accounts: attendance once each, leave nothing, absence its deduction.
    let attend = app.demo.rule("demo-1", MEETING);
    let absent = app.demo.rule("demo-1", ABSENCE);
    assert_eq!(
        entries_of(&app, &secretary, &member1.member_id, attend).await,
        [2]
    );
    assert_eq!(
        entries_of(&app, &secretary, &member2.member_id, attend).await,
        [2]
    );
    assert!(entries_of(&app, &secretary, &member3.member_id, attend)
        .await
        .is_empty());
    assert!(entries_of(&app, &secretary, &member3.member_id, absent)
        .await
        .is_empty());
    let member5 = app.demo.member("member5");
    let taken = entries_of(&app, &secretary, member5, absent).await;
    assert_eq!(taken.len(), 1, "absence without leave costs once");
    assert!(taken[0] < 0);
    assert!(
        entries_of(&app, &secretary, member5, app.demo.rule("demo-1", DUES))
            .await
            .is_empty()
    );

    // Check-in is over once closed.
    let res = post_at(
        &app,
        &after,
        &format!("/api/v1/meetings/{}/checkin", meeting.id),
        json!({"remote": true}),
    )
    .await;
    problem(res, StatusCode::CONFLICT).await;

    // The committee's figures for the year.
    let path = format!(
        "/api/v1/branches/{}/attendance?year=2026",
        app.demo.branch("demo-1")
    );
    let report: AttendanceReport = app.get(&committee, &path).await.json().await.unwrap();
    assert_eq!(report.meetings.len(), 1);
    assert_eq!(report.meetings[0].attended, 2);
    let rate = |id: &str| {
        report
            .members
            .iter()
            .find(|m| m.member_id == id)
            .unwrap()
            .rate_percent
    };
    assert_eq!(rate(&member1.member_id), 100);
    assert_eq!(rate(member5), 0);
    let res = app.get(&member1, &path).await;
    problem(res, StatusCode::FORBIDDEN).await;
    after.0.stop().await;
}

/// One wrong thing done to a valid form.
type Change = Box<dyn Fn(&mut NewMeetingRequest)>;

#[tokio::test]
async fn a_meeting_is_scheduled_only_by_the_secretary_with_valid_items() {
    let app = TestApp::spawn_at(NOW).await;
    let secretary = app.login_as("secretary1").await;
    let committee = app.login_as("committee1").await;
    let path = format!("/api/v1/branches/{}/meetings", app.demo.branch("demo-1"));
    let res = app
        .post(&committee, &path, &meeting_form(&app, "支委会", false))
        .await;
    problem(res, StatusCode::FORBIDDEN).await;

    let cases: Vec<(&str, Change, &str)> = vec![
        (
            "ends before it starts",
            Box::new(|f| f.ends_at = at(STARTS)),
            "ends_at",
        ),
        (
            "a blank title",
            Box::new(|f| f.title = "  ".into()),
            "title",
        ),
        (
            "a link that is not one",
            Box::new(|f| f.online_url = Some("javascript:alert(1)".into())),
            "online_url",
        ),
        (
            "a deduction for attendance",
            Box::new(|f| f.attendance_rule_id = f.absence_rule_id.clone()),
            "attendance_rule_id",
        ),
    ];
    for (what, change, field) in cases {
        let mut form = meeting_form(&app, "支部党员大会", false);
        change(&mut form);
        let res = app.post(&secretary, &path, &form).await;
        let p = problem(res, StatusCode::UNPROCESSABLE_ENTITY).await;
        assert_eq!(p.errors[0].field, field, "{what}");
    }
    let mut form = meeting_form(&app, "支部党员大会", false);
    form.attendance_rule_id = Some(app.demo.rule("demo-2", MEETING).to_owned());
    let res = app.post(&secretary, &path, &form).await;
    let p = problem(res, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(p.errors[0].code, "rule.other_branch");

    // Another branch's secretary does not see demo-1.
    let secretary2 = app.login_as("secretary2").await;
    let res = app
        .post(
            &secretary2,
            &path,
            &meeting_form(&app, "支部党员大会", false),
        )
        .await;
    problem(res, StatusCode::NOT_FOUND).await;
}
