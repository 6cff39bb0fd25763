//! The year end (年终评定): once Q4 is signed the secretary closes the year into grades by the
//! branch's thresholds, 优秀 capped by rank with ties kept out together; the committee adjusts with
//! reasons, the secretary confirms, and the grades go out as CSV and XLSX.

use std::io::Cursor;

use calamine::{open_workbook_from_rs, Data, Reader, Xlsx};
use jifen_server::entity::audit_event;
use jifen_server::services::ledger::{self, NewEntry};
use jifen_shared::api::GradesView;
use jifen_shared::domain::{CycleQuarter, Grade, GradingStatus, LedgerKind, RuleCategory};
use jifen_tests::{problem, QuarterStep, TestApp, User};
use reqwest::StatusCode;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::json;

/// The people demo-1 counts besides member1..7, who each get 70 in 2026.
const THE_REST: [&str; 11] = [
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

async fn give(app: &TestApp, username: &str, points: i32) {
    let txn = app.state.db.begin_write().await.expect("write transaction");
    ledger::write(
        &*txn,
        NewEntry {
            member_id: app.demo.member(username),
            branch_id: app.demo.branch("demo-1"),
            quarter: CycleQuarter {
                year: 2026,
                quarter: 3,
            },
            kind: LedgerKind::Base,
            category: RuleCategory::Base,
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

/// 2026 in demo-1 (18 members, 优秀 capped at 20%: 3): member1 99, member2..4 tied at 95,
/// member5 75, member6 65, member7 50, everyone else 70.
async fn a_graded_branch(app: &TestApp, secretary: &User) {
    let path = format!("/api/v1/branches/{}/settings", app.demo.branch("demo-1"));
    let res = app
        .patch(
            secretary,
            &path,
            &json!({"grades": {"excellent": 90, "qualified": 70, "basic": 60, "excellent_cap_percent": 20}}),
        )
        .await;
    assert_eq!(
        res.status(),
        StatusCode::OK,
        "the secretary sets the grades"
    );
    for (who, points) in [
        ("member1", 99),
        ("member2", 95),
        ("member3", 95),
        ("member4", 95),
        ("member5", 75),
        ("member6", 65),
        ("member7", 50),
    ] {
        give(app, who, points).await;
    }
    for who in THE_REST {
        give(app, who, 70).await;
    }
}

fn year_path(app: &TestApp, step: &str) -> String {
    format!(
        "/api/v1/branches/{}/years/2026/{step}",
        app.demo.branch("demo-1")
    )
}

async fn close(app: &TestApp, secretary: &User) -> GradesView {
    let res = app
        .post(secretary, &year_path(app, "close"), &json!({}))
        .await;
    assert_eq!(res.status(), StatusCode::CREATED, "the year closes");
    res.json().await.expect("grades body")
}

async fn sign_q4(app: &TestApp, secretary: &User) {
    let res = app
        .quarter_step(secretary, "demo-1", QuarterStep::Sign, 2026, 4)
        .await;
    assert_eq!(res.status(), StatusCode::OK, "the secretary signs Q4");
}

fn row<'a>(app: &TestApp, view: &'a GradesView, who: &str) -> &'a jifen_shared::api::GradeRow {
    let id = app.demo.member(who);
    view.rows
        .iter()
        .find(|r| r.member_id == id)
        .unwrap_or_else(|| panic!("{who} is graded"))
}

async fn adjust(
    app: &TestApp,
    by: &User,
    who: &str,
    grade: Grade,
    reason: &str,
) -> reqwest::Response {
    let path = year_path(app, &format!("grades/{}", app.demo.member(who)));
    app.patch(by, &path, &json!({"grade": grade, "reason": reason}))
        .await
}

#[tokio::test]
async fn the_year_closes_only_after_its_fourth_quarter_is_signed_and_only_once() {
    let app = TestApp::spawn_at("2027-01-15T10:00:00+08:00").await;
    let secretary = app.login_as("secretary1").await;
    let committee = app.login_as("committee1").await;

    let res = app
        .post(&secretary, &year_path(&app, "close"), &json!({}))
        .await;
    assert_eq!(
        problem(res, StatusCode::CONFLICT).await.code,
        "year.q4_not_signed"
    );
    let res = app.get(&committee, &year_path(&app, "grades")).await;
    assert_eq!(
        problem(res, StatusCode::NOT_FOUND).await.code,
        "grades.not_found",
        "nothing to read before the year is closed"
    );
    sign_q4(&app, &secretary).await;
    let res = app
        .post(&committee, &year_path(&app, "close"), &json!({}))
        .await;
    assert_eq!(
        problem(res, StatusCode::FORBIDDEN).await.code,
        "auth.forbidden",
        "the secretary closes the year"
    );
    let first = close(&app, &secretary).await;
    assert_eq!(first.status, GradingStatus::Draft);
    assert_eq!(first.rows.len(), 18);
    let res = app
        .post(&secretary, &year_path(&app, "close"), &json!({}))
        .await;
    assert_eq!(
        problem(res, StatusCode::CONFLICT).await.code,
        "year.already_closed"
    );
}

#[tokio::test]
async fn grades_follow_the_thresholds_and_members_tied_at_the_cap_are_kept_out_together() {
    let app = TestApp::spawn_at("2027-01-15T10:00:00+08:00").await;
    let secretary = app.login_as("secretary1").await;
    a_graded_branch(&app, &secretary).await;
    sign_q4(&app, &secretary).await;
    let view = close(&app, &secretary).await;

    assert_eq!(view.excellent_cap, Some(3), "20% of 18, rounded down");
    let cases = [
        (
            "member1",
            99,
            1,
            Grade::Excellent,
            "first alone: within the cap",
        ),
        (
            "member2",
            95,
            2,
            Grade::Qualified,
            "tied at 95 with two others: four would pass the cap",
        ),
        (
            "member3",
            95,
            2,
            Grade::Qualified,
            "tied: kept out together",
        ),
        (
            "member4",
            95,
            2,
            Grade::Qualified,
            "tied: kept out together",
        ),
        ("member5", 75, 5, Grade::Qualified, "75 ≥ 70"),
        (
            "member8",
            70,
            6,
            Grade::Qualified,
            "exactly the qualified line",
        ),
        ("member6", 65, 17, Grade::BasicallyQualified, "65 ≥ 60"),
        ("member7", 50, 18, Grade::Unqualified, "below 60"),
    ];
    for (who, total, rank, grade, why) in cases {
        let r = row(&app, &view, who);
        assert_eq!(
            (r.total, r.rank, r.grade),
            (total, rank, grade),
            "{who}: {why}"
        );
        assert_eq!(r.computed, r.grade, "{who}: nobody adjusted yet");
    }
    assert_eq!(
        view.rows[0].member_id,
        app.demo.member("member1"),
        "by rank"
    );

    let db = app.database().await;
    let closed = audit_event::Entity::find()
        .filter(audit_event::Column::Action.eq("year.closed"))
        .count(&db)
        .await
        .unwrap();
    assert_eq!(closed, 1, "closing the year is in the audit history");
}

#[tokio::test]
async fn the_committee_adjusts_with_reasons_within_the_cap_until_the_secretary_confirms() {
    let app = TestApp::spawn_at("2027-01-15T10:00:00+08:00").await;
    let secretary = app.login_as("secretary1").await;
    let committee = app.login_as("committee1").await;
    let member = app.login_as("member5").await;
    a_graded_branch(&app, &secretary).await;
    sign_q4(&app, &secretary).await;
    close(&app, &secretary).await;

    let res = adjust(&app, &committee, "member2", Grade::Excellent, "").await;
    assert_eq!(
        problem(res, StatusCode::UNPROCESSABLE_ENTITY).await.errors[0].field,
        "reason"
    );
    let res = adjust(
        &app,
        &committee,
        "member2",
        Grade::Excellent,
        "全年带头参加义务劳动",
    )
    .await;
    assert_eq!(res.status(), StatusCode::OK);
    let res = adjust(
        &app,
        &committee,
        "member3",
        Grade::Excellent,
        "常年照顾孤寡老人",
    )
    .await;
    let view: GradesView = res.json().await.unwrap();
    let r = row(&app, &view, "member3");
    assert_eq!((r.computed, r.grade), (Grade::Qualified, Grade::Excellent));
    assert_eq!(r.adjust_reason.as_deref(), Some("常年照顾孤寡老人"));
    assert_eq!(r.adjusted_by.as_deref(), Some(committee.member_id.as_str()));

    let res = adjust(
        &app,
        &committee,
        "member4",
        Grade::Excellent,
        "同样表现突出",
    )
    .await;
    assert_eq!(
        problem(res, StatusCode::CONFLICT).await.code,
        "grades.excellent_cap",
        "three are excellent already"
    );
    let res = adjust(&app, &committee, "committee1", Grade::Excellent, "自评").await;
    assert_eq!(
        problem(res, StatusCode::FORBIDDEN).await.code,
        "grades.own_grade"
    );
    let res = adjust(&app, &member, "member7", Grade::Qualified, "说情").await;
    assert_eq!(
        problem(res, StatusCode::FORBIDDEN).await.code,
        "auth.forbidden"
    );
    let res = app.get(&member, &year_path(&app, "grades")).await;
    assert_eq!(
        problem(res, StatusCode::FORBIDDEN).await.code,
        "auth.forbidden"
    );
    let other = app.login_as("secretary2").await;
    let res = app.get(&other, &year_path(&app, "grades")).await;
    assert_eq!(
        res.status(),
        StatusCode::NOT_FOUND,
        "another branch is not seen"
    );

    let res = app
        .post(&committee, &year_path(&app, "grades/confirm"), &json!({}))
        .await;
    assert_eq!(
        problem(res, StatusCode::FORBIDDEN).await.code,
        "auth.forbidden"
    );
    let res = app
        .post(&secretary, &year_path(&app, "grades/confirm"), &json!({}))
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let confirmed: GradesView = res.json().await.unwrap();
    assert_eq!(confirmed.status, GradingStatus::Confirmed);
    assert_eq!(
        confirmed.confirmed_by.as_deref(),
        Some(secretary.member_id.as_str())
    );

    let res = adjust(
        &app,
        &committee,
        "member7",
        Grade::BasicallyQualified,
        "补充材料",
    )
    .await;
    assert_eq!(
        problem(res, StatusCode::CONFLICT).await.code,
        "grades.confirmed"
    );
    let res = app
        .post(&secretary, &year_path(&app, "grades/confirm"), &json!({}))
        .await;
    assert_eq!(
        problem(res, StatusCode::CONFLICT).await.code,
        "grades.confirmed"
    );

    let db = app.database().await;
    for (action, n) in [("grade.adjusted", 2), ("year.grades_confirmed", 1)] {
        let count = audit_event::Entity::find()
            .filter(audit_event::Column::Action.eq(action))
            .count(&db)
            .await
            .unwrap();
        assert_eq!(count, n, "{action} is audited");
    }
}

#[tokio::test]
async fn the_grades_download_as_csv_with_a_bom_and_as_a_workbook_that_reads_back() {
    let app = TestApp::spawn_at("2027-01-15T10:00:00+08:00").await;
    let secretary = app.login_as("secretary1").await;
    let committee = app.login_as("committee1").await;
    a_graded_branch(&app, &secretary).await;
    sign_q4(&app, &secretary).await;
    close(&app, &secretary).await;
    let res = adjust(
        &app,
        &committee,
        "member7",
        Grade::BasicallyQualified,
        "因病缺席, 情有可原",
    )
    .await;
    assert_eq!(res.status(), StatusCode::OK);

    let res = app
        .get(
            &committee,
            &format!("{}?format=csv", year_path(&app, "grades")),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/csv"));
    assert!(res.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .contains("grades-2026.csv"));
    let bytes = res.bytes().await.unwrap();
    assert_eq!(
        &bytes[..3],
        b"\xEF\xBB\xBF",
        "a byte-order mark, so Excel reads UTF-8"
    );
    let text = std::str::from_utf8(&bytes[3..]).unwrap();
    let lines: Vec<&str> = text.split("\r\n").collect();
    assert_eq!(lines[0], "排名,姓名,年度积分,按积分评定,评定等次,调整理由");
    assert_eq!(
        lines.len(),
        1 + 18 + 1,
        "a header, a row per member, a final line break"
    );
    assert!(lines[1].starts_with("1,") && lines[1].contains(",99,优秀,优秀,"));
    assert!(
        lines
            .iter()
            .any(|l| l.ends_with(",50,不合格,基本合格,\"因病缺席, 情有可原\"")),
        "a reason with a comma is quoted"
    );

    let english = app
        .client
        .get(app.url(&format!("{}?format=csv", year_path(&app, "grades"))))
        .bearer_auth(&committee.access_token)
        .header("Accept-Language", "en")
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    assert!(std::str::from_utf8(&english[3..])
        .unwrap()
        .starts_with("Rank,Name,Year total,"));

    let res = app
        .get(
            &committee,
            &format!("{}?format=xlsx", year_path(&app, "grades")),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(
        res.headers()["content-type"],
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    );
    let bytes = res.bytes().await.unwrap().to_vec();
    let mut book: Xlsx<_> = open_workbook_from_rs(Cursor::new(bytes)).expect("a workbook");
    let sheet = book.worksheet_range("年终评定").expect("the grades sheet");
    let rows: Vec<&[Data]> = sheet.rows().collect();
    assert_eq!(rows.len(), 19);
    assert_eq!(rows[0][0], Data::String("排名".into()));
    assert_eq!(rows[0][5], Data::String("调整理由".into()));
    assert_eq!(rows[1][0], Data::Float(1.0));
    assert_eq!(rows[1][2], Data::Float(99.0));
    assert_eq!(rows[1][4], Data::String("优秀".into()));

    let res = app
        .get(
            &committee,
            &format!("{}?format=pdf", year_path(&app, "grades")),
        )
        .await;
    assert_eq!(
        res.status(),
        StatusCode::BAD_REQUEST,
        "an unknown format is refused"
    );
}
