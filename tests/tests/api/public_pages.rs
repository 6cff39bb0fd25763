//! The pages the server renders for people without an account: a villager opens the board from
//! its QR code on a slow phone, prints it for the village wall, answers it without JavaScript;
//! a member prints a statement of their year, and anyone holding it checks its code.

use chrono::{DateTime, Utc};
use jifen_server::seed::{HAIRCUT, SNOW};
use jifen_shared::api::{BoardView, FeedbackPage, MeResponse, StatementCheck, StatementStanding};
use jifen_shared::domain::mask_name;
use jifen_tests::{QuarterStep, Review, TestApp, User};
use reqwest::header::{ACCEPT, CONTENT_SECURITY_POLICY, CONTENT_TYPE};
use reqwest::{Response, StatusCode};
use sea_orm::{ConnectionTrait, Statement};
use serde_json::json;

/// Early January 2027: the fourth quarter of 2026 has just ended.
const NEW_YEAR: &str = "2027-01-05T10:00:00+08:00";

async fn name_of(app: &TestApp, user: &User) -> String {
    let me: MeResponse = app.get(user, "/api/v1/me").await.json().await.unwrap();
    me.name
}

async fn approved_in_december(app: &TestApp, member: &User, committee: &User, rule: &str) {
    let mut form = app.deed_form(rule);
    form.occurred_at = DateTime::parse_from_rfc3339("2026-12-20T09:00:00+08:00")
        .unwrap()
        .with_timezone(&Utc);
    let deed = app.submit(member, &form).await;
    let res = app.review(committee, &deed.id, Review::APPROVE).await;
    assert_eq!(res.status(), StatusCode::OK);
}

/// demo-1's fourth quarter of 2026 signed and posted, with a haircut (+5) for member3 and snow
/// clearing (+1) for member4.
async fn posted_quarter(app: &TestApp) -> (User, User) {
    let committee = app.login_as("committee1").await;
    let secretary = app.login_as("secretary1").await;
    let (barber, sweeper) = (app.login_as("member3").await, app.login_as("member4").await);
    approved_in_december(app, &barber, &committee, HAIRCUT).await;
    approved_in_december(app, &sweeper, &committee, SNOW).await;
    for step in [QuarterStep::Sign, QuarterStep::Publish] {
        let res = app.quarter_step(&secretary, "demo-1", step, 2026, 4).await;
        assert_eq!(res.status(), StatusCode::OK, "{step:?}");
    }
    (barber, sweeper)
}

/// A page as a phone without an account gets it.
async fn open(app: &TestApp, path: &str) -> Response {
    app.client
        .get(app.url(path))
        .header("Accept-Language", "zh-CN,zh;q=0.9")
        .send()
        .await
        .expect("GET request")
}

async fn page(res: Response, status: StatusCode) -> String {
    assert_eq!(res.status(), status, "unexpected status");
    let content_type = res.headers()[CONTENT_TYPE].to_str().unwrap().to_owned();
    assert_eq!(content_type, "text/html; charset=utf-8");
    res.text().await.unwrap()
}

fn position(page: &str, text: &str) -> usize {
    page.find(text)
        .unwrap_or_else(|| panic!("{text:?} is not on the page"))
}

#[tokio::test]
async fn a_villager_reads_the_posted_quarter_ranked_as_plain_html_ready_for_the_wall() {
    let app = TestApp::spawn_at(NEW_YEAR).await;
    let (barber, sweeper) = posted_quarter(&app).await;
    let (barber, sweeper) = (name_of(&app, &barber).await, name_of(&app, &sweeper).await);

    let res = open(&app, "/board/demo-1").await;
    let policy = res.headers()[CONTENT_SECURITY_POLICY]
        .to_str()
        .unwrap()
        .to_owned();
    let html = page(res, StatusCode::OK).await;

    assert!(html.len() < 50 * 1024, "{} bytes", html.len());
    assert!(!html.contains("<script"), "readable without JavaScript");
    assert!(
        policy.contains("default-src 'none'") && policy.contains("style-src 'sha256-"),
        "no script may run and only its own stylesheet applies: {policy}"
    );
    assert!(!policy.contains("unsafe-inline"), "{policy}");
    assert!(html.contains("2026年第4季度积分公示"));
    // Ranked by the quarter's points: the haircut (+5) above the snow (+1), above those with none.
    let table = &html[position(&html, "id=\"board\"")..position(&html, "id=\"board-entries\"")];
    assert!(position(table, &barber) < position(table, &sweeper));
    assert!(table.contains(&format!(
        "<td class=\"rank\">1</td><th class=\"name\" scope=\"row\">{barber}"
    )));
    let entries = &html[position(&html, "id=\"board-entries\"")..];
    assert!(
        entries.contains("清扫村口积雪"),
        "every addition of the quarter is listed"
    );
    // Printing gives the quarter on A4, rows never split, the signature line, QR code and anchor.
    for print in ["@media print", "size:A4 portrait", "break-inside:avoid"] {
        assert!(html.contains(print), "print stylesheet: {print}");
    }
    assert!(html.contains("<svg class=\"qr\" role=\"img\""), "a QR code");
    assert!(html.contains("书记（签字）"));
    let board: BoardView = app.public_board("demo-1", "").await.json().await.unwrap();
    assert!(!board.audit_anchor.is_empty());
    assert!(
        html.contains(&board.audit_anchor),
        "the audit anchor at the foot"
    );
    // The feedback form posts without JavaScript.
    assert!(html.contains(
        "<form class=\"feedback-form card\" method=\"post\" action=\"/board/demo-1/feedback\""
    ));

    // The same page asked for by its quarter, as the printed QR code does.
    let html = page(
        open(&app, "/board/demo-1?year=2026&quarter=4").await,
        StatusCode::OK,
    )
    .await;
    assert!(html.contains("2026年第4季度积分公示"));
}

#[tokio::test]
async fn a_branch_that_masks_names_shows_no_full_name_on_the_page_nor_in_the_json() {
    let app = TestApp::spawn_at(NEW_YEAR).await;
    let (barber, _) = posted_quarter(&app).await;
    let barber = name_of(&app, &barber).await;
    let secretary = app.login_as("secretary1").await;

    let html = page(open(&app, "/board/demo-1").await, StatusCode::OK).await;
    assert!(html.contains(&barber), "full names by default");

    let settings = format!("/api/v1/branches/{}/settings", app.demo.branch("demo-1"));
    let res = app
        .patch(&secretary, &settings, &json!({"board_names": "masked"}))
        .await;
    assert_eq!(res.status(), StatusCode::OK);

    let html = page(open(&app, "/board/demo-1").await, StatusCode::OK).await;
    assert!(!html.contains(&barber), "no full name on the page");
    assert!(html.contains(&mask_name(&barber)));
    let json = app.public_board("demo-1", "").await.text().await.unwrap();
    assert!(!json.contains(&barber), "no full name in the JSON either");
    assert!(json.contains(&mask_name(&barber)));
}

#[tokio::test]
async fn a_board_with_nothing_posted_says_so_calmly_and_points_to_the_latest_quarter() {
    let app = TestApp::spawn_at(NEW_YEAR).await;

    let html = page(open(&app, "/board/demo-1").await, StatusCode::OK).await;
    assert!(html.contains("id=\"not-posted\""));
    assert!(html.contains("还没有张榜公布的季度"));
    assert!(!html.contains("重试"), "nothing failed");

    let html = page(
        open(&app, "/board/no-such-branch").await,
        StatusCode::NOT_FOUND,
    )
    .await;
    assert!(html.contains("找不到这个支部的公示栏"));

    posted_quarter(&app).await;
    let html = page(
        open(&app, "/board/demo-1?year=2026&quarter=3").await,
        StatusCode::NOT_FOUND,
    )
    .await;
    assert!(html.contains("2026年第3季度的积分还没有张榜公布"));
    assert!(
        html.contains("href=\"/board/demo-1?year=2026&amp;quarter=4\""),
        "a link to the latest posted quarter: {html}"
    );
}

#[tokio::test]
async fn feedback_sent_without_javascript_is_received_and_a_refused_form_comes_back_as_typed() {
    let app = TestApp::spawn_at(NEW_YEAR).await;
    let (barber, _) = posted_quarter(&app).await;
    let committee = app.login_as("committee1").await;

    // Nothing written: the board comes back with the problem next to the field, the rest kept.
    let res = app
        .client
        .post(app.url("/board/demo-1/feedback"))
        .form(&[
            ("year", "2026"),
            ("quarter", "4"),
            ("about", barber.member_id.as_str()),
            ("body", "  "),
            ("contact", "13800000000"),
        ])
        .send()
        .await
        .unwrap();
    let html = page(res, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert!(html.contains("意见没有提交成功"));
    let error = &html[position(&html, "id=\"err-body\"")..];
    assert!(error.contains("不能为空"), "{error}");
    assert!(
        html.contains("value=\"13800000000\""),
        "the contact is kept"
    );
    assert!(html.contains(&format!("value=\"{}\" selected", barber.member_id)));

    // Written: a thank-you page, and the committee reads it about that member.
    let res = app
        .client
        .post(app.url("/board/demo-1/feedback"))
        .form(&[
            ("year", "2026"),
            ("quarter", "4"),
            ("about", barber.member_id.as_str()),
            ("body", "他那天确实在村口给老人理发，我看见了。"),
            ("contact", ""),
        ])
        .send()
        .await
        .unwrap();
    let html = page(res, StatusCode::OK).await;
    assert!(html.contains("已收到您的意见"));
    let branch = app.demo.branch("demo-1");
    let received: FeedbackPage = app
        .get(
            &committee,
            &format!("/api/v1/branches/{branch}/quarters/2026/4/feedback"),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(received.items.len(), 1);
    assert_eq!(
        received.items[0].about_member_id.as_deref(),
        Some(barber.member_id.as_str())
    );
    assert!(received.items[0].body.contains("理发"));

    // A quarter that is not posted takes no feedback.
    let res = app
        .client
        .post(app.url("/board/demo-1/feedback"))
        .form(&[
            ("year", "2026"),
            ("quarter", "3"),
            ("body", "第三季度的意见"),
        ])
        .send()
        .await
        .unwrap();
    let html = page(res, StatusCode::NOT_FOUND).await;
    assert!(html.contains("还没有张榜公布"));
}

/// Mid-year 2026: nothing posted, the points still moving.
const MIDYEAR: &str = "2026-06-10T10:00:00+08:00";

async fn approved_now(app: &TestApp, member: &User, committee: &User, rule: &str) {
    let deed = app.submit(member, &app.deed_form(rule)).await;
    let res = app.review(committee, &deed.id, Review::APPROVE).await;
    assert_eq!(res.status(), StatusCode::OK);
}

/// The check code printed on a statement page.
fn check_code(html: &str) -> String {
    let start = position(html, "id=\"check-code\">") + "id=\"check-code\">".len();
    html[start..start + 14].to_owned()
}

async fn statement(app: &TestApp, who: &User, member_id: &str) -> Response {
    app.get(
        who,
        &format!("/api/v1/members/{member_id}/statement?year=2026"),
    )
    .await
}

async fn verify_json(app: &TestApp, code: &str) -> Response {
    app.client
        .get(app.url(&format!("/verify/{code}")))
        .header(ACCEPT, "application/json")
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn a_member_prints_a_statement_and_anyone_can_check_its_code() {
    let app = TestApp::spawn_at(MIDYEAR).await;
    let member = app.login_as("member3").await;
    let committee = app.login_as("committee1").await;
    let name = name_of(&app, &member).await;
    approved_now(&app, &member, &committee, HAIRCUT).await;
    let points = app.points(&member, &member.member_id, 2026).await;

    let html = page(
        statement(&app, &member, &member.member_id).await,
        StatusCode::OK,
    )
    .await;
    assert!(html.contains("2026年度党员积分证明"));
    assert!(html.contains(&name), "the member's own paper names them");
    assert!(html.contains("清扫村口积雪"), "its entries are listed");
    assert!(html.contains("size:A4 portrait"));
    assert!(html.contains("<svg class=\"qr\""));
    let code = check_code(&html);
    assert!(
        code.len() == 14 && code.as_bytes()[4] == b'-' && code.as_bytes()[9] == b'-',
        "{code}"
    );
    assert!(
        html.contains(&format!("/verify/{code}")),
        "the QR's address is printed"
    );

    // Printing again while nothing changed gives the same statement.
    let again = page(
        statement(&app, &member, &member.member_id).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(check_code(&again), code);

    // Anyone checks it: the masked name, the branch, the year, the totals.
    let res = open(&app, &format!("/verify/{code}")).await;
    let checked = page(res, StatusCode::OK).await;
    assert!(checked.contains("是真实的"));
    assert!(checked.contains(&mask_name(&name)));
    assert!(!checked.contains(&name), "never the full name");
    let json: StatementCheck = verify_json(&app, &code.to_lowercase())
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(json.standing, StatementStanding::Current);
    assert_eq!((json.year, json.total), (2026, points.total));
    assert_eq!(json.member_name, mask_name(&name));

    // The points change; the next statement replaces the first, which now reads as superseded.
    approved_now(&app, &member, &committee, SNOW).await;
    let newer = check_code(
        &page(
            statement(&app, &member, &member.member_id).await,
            StatusCode::OK,
        )
        .await,
    );
    assert_ne!(newer, code);
    let old: StatementCheck = verify_json(&app, &code).await.json().await.unwrap();
    assert_eq!(old.standing, StatementStanding::Superseded);
    assert!(old.superseded_at.is_some());
    let checked = page(open(&app, &format!("/verify/{code}")).await, StatusCode::OK).await;
    assert!(checked.contains("已被"), "{checked}");
    let new: StatementCheck = verify_json(&app, &newer).await.json().await.unwrap();
    assert_eq!(new.standing, StatementStanding::Current);
    assert_eq!(new.total, points.total + 1);
}

#[tokio::test]
async fn a_made_up_or_altered_code_is_unknown() {
    let app = TestApp::spawn_at(MIDYEAR).await;
    let member = app.login_as("member3").await;
    let committee = app.login_as("committee1").await;
    approved_now(&app, &member, &committee, HAIRCUT).await;
    let code = check_code(
        &page(
            statement(&app, &member, &member.member_id).await,
            StatusCode::OK,
        )
        .await,
    );

    // A code nobody issued, and one that is not a code at all.
    let forged = if code.starts_with('0') {
        code.replacen('0', "1", 1)
    } else {
        format!("0{}", &code[1..])
    };
    for typed in [forged.as_str(), "not-a-code", "ABCD-EFGH-JKMU"] {
        let html = page(
            open(&app, &format!("/verify/{typed}")).await,
            StatusCode::NOT_FOUND,
        )
        .await;
        assert!(html.contains("查不到这个核验码"), "{typed}");
    }
    let res = verify_json(&app, &forged).await;
    assert_eq!(
        jifen_tests::problem(res, StatusCode::NOT_FOUND).await.code,
        "statement.not_found"
    );

    // Someone with the database raises the stored total: the code no longer vouches for it.
    let db = app.database().await;
    db.execute(Statement::from_string(
        app.backend(),
        "UPDATE statement SET total = total + 50, bonus = bonus + 50",
    ))
    .await
    .unwrap();
    let res = verify_json(&app, &code).await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn only_the_member_and_their_branch_committee_print_a_statement() {
    let app = TestApp::spawn_at(MIDYEAR).await;
    let member = app.login_as("member3").await;
    let neighbour = app.login_as("member4").await;
    let committee = app.login_as("committee1").await;
    let elsewhere = app.login_as("committee2").await;

    let res = statement(&app, &committee, &member.member_id).await;
    page(res, StatusCode::OK).await;
    for (who, story) in [
        (&neighbour, "another member"),
        (&elsewhere, "another branch's committee"),
    ] {
        let res = statement(&app, who, &member.member_id).await;
        assert_eq!(
            jifen_tests::problem(res, StatusCode::NOT_FOUND).await.code,
            "member.not_found",
            "{story}"
        );
    }
    let res = app
        .client
        .get(app.url(&format!(
            "/api/v1/members/{}/statement?year=2026",
            member.member_id
        )))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn checking_codes_is_limited_per_client_so_they_cannot_be_guessed() {
    let app = TestApp::spawn_with_config(|c| {
        c.limits.verify = jifen_server::infra::config::Rate::new(1, 3);
    })
    .await;
    for _ in 0..3 {
        let res = open(&app, "/verify/0000-0000-0000").await;
        assert_eq!(res.status(), StatusCode::NOT_FOUND);
    }
    let res = open(&app, "/verify/0000-0000-0001").await;
    assert!(res.headers().contains_key("retry-after"));
    let html = page(res, StatusCode::TOO_MANY_REQUESTS).await;
    assert!(html.contains("请求太频繁"));
}
