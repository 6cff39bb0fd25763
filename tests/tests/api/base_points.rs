//! Base points (基础积分): the secretary opens the points year and every member gets the branch's
//! allotment once, however many openings race; the year opens on its own after New Year for a
//! branch that kept the last one; a member who joins mid-year gets a share by the days left; the
//! committee awards a base item such as dues paid on time to many members at once, all or none.

use jifen_server::services::orgs::{self, NewMember};
use jifen_shared::api::{AwardRequest, AwardResult, NotificationPage, PointsSummary, YearView};
use jifen_shared::domain::{LedgerKind, MemberStatus, NotificationKind, RuleCategory};
use jifen_tests::{problem, TestApp, User};
use reqwest::{Response, StatusCode};
use sea_orm::{ConnectionTrait, Statement};
use serde_json::json;

use jifen_server::seed::{CLEAN_AREA, DUES};

/// Members of demo-1 who take part in its year: member1..15, committee1, secretary1 and admin1
/// (the town's organiser, whose home branch it is).
const DEMO_1_MEMBERS: usize = 18;

fn year_path(app: &TestApp, code: &str, year: i32) -> String {
    format!("/api/v1/branches/{}/years/{year}", app.demo.branch(code))
}

async fn open_year(app: &TestApp, who: &User, code: &str, year: i32) -> Response {
    let path = format!("{}/open", year_path(app, code, year));
    app.post(who, &path, &json!({})).await
}

async fn year_of(app: &TestApp, who: &User, code: &str, year: i32) -> YearView {
    let res = app.get(who, &year_path(app, code, year)).await;
    assert_eq!(res.status(), StatusCode::OK, "the year is shown");
    res.json().await.expect("year body")
}

async fn award(app: &TestApp, who: &User, code: &str, body: &AwardRequest) -> Response {
    let path = format!("/api/v1/branches/{}/awards", app.demo.branch(code));
    app.post(who, &path, body).await
}

fn dues_for(app: &TestApp, usernames: &[&str], reason: &str) -> AwardRequest {
    AwardRequest {
        rule_id: app.demo.rule("demo-1", DUES).to_owned(),
        member_ids: usernames
            .iter()
            .map(|u| app.demo.member(u).to_owned())
            .collect(),
        reason: reason.to_owned(),
    }
}

/// Adds a member to a demo branch the way `jifen admin` and the roster do, at the server's time.
async fn join(app: &TestApp, code: &str, username: &str, status: MemberStatus) -> String {
    let txn = app.state.db.begin_write().await.unwrap();
    let m = orgs::add_member(
        &*txn,
        NewMember {
            branch_id: app.demo.branch(code),
            name: "新党员",
            username,
            password_hash: None,
            status,
            migrant_org_id: None,
        },
        None,
        app.state.now(),
    )
    .await
    .expect("member added");
    txn.commit().await.unwrap();
    m.id
}

/// Signs in at another instance (whose clock may be hours ahead of the tokens of this one).
async fn token_at(app: &TestApp, base: &str, username: &str) -> String {
    let res = app
        .client
        .post(format!("{base}/api/v1/auth/login"))
        .json(&json!({"username": username, "password": jifen_tests::PASSWORD}))
        .send()
        .await
        .expect("POST request");
    assert_eq!(res.status(), StatusCode::OK, "{username} signs in");
    res.json::<jifen_shared::api::TokenResponse>()
        .await
        .expect("tokens")
        .access_token
}

async fn count(app: &TestApp, sql: String) -> i64 {
    let db = app.database().await;
    let row = db
        .query_one(Statement::from_string(app.backend(), sql))
        .await
        .unwrap()
        .unwrap();
    row.try_get_by_index::<i64>(0).unwrap()
}

/// Base entries written for a branch's year.
async fn base_entries(app: &TestApp, code: &str, year: i32) -> i64 {
    count(
        app,
        format!(
            "SELECT COUNT(*) FROM ledger_entry WHERE branch_id = '{}' AND cycle_year = {year} \
             AND kind = 'base' AND rule_id IS NULL",
            app.demo.branch(code)
        ),
    )
    .await
}

#[tokio::test]
async fn opening_the_year_gives_every_member_the_base_points_once() {
    let app = TestApp::spawn_at("2027-03-10T10:00:00+08:00").await;
    let secretary = app.login_as("secretary1").await;
    let committee = app.login_as("committee1").await;
    let member = app.login_as("member3").await;
    let gone = join(&app, "demo-1", "moved-away", MemberStatus::Transferred).await;
    let res = app
        .patch(
            &secretary,
            &format!("/api/v1/branches/{}/settings", app.demo.branch("demo-1")),
            &json!({"base_points_per_year": 50}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);

    let before = year_of(&app, &committee, "demo-1", 2027).await;
    assert!(before.opened.is_none(), "nothing is open yet");
    assert!(!before.may_open, "the committee does not open the year");
    assert!(year_of(&app, &secretary, "demo-1", 2027).await.may_open);
    assert_eq!(before.base_points_per_year, 50);

    for (who, status) in [
        (&committee, StatusCode::FORBIDDEN),
        (&member, StatusCode::FORBIDDEN),
    ] {
        let p = problem(open_year(&app, who, "demo-1", 2027).await, status).await;
        assert_eq!(p.code, "auth.forbidden");
    }

    let res = open_year(&app, &secretary, "demo-1", 2027).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let year: YearView = res.json().await.unwrap();
    let opened = year.opened.expect("the year is open");
    assert_eq!(opened.base_points, 50);
    assert_eq!(opened.members_given as usize, DEMO_1_MEMBERS);
    assert_eq!(
        opened.opened_by.as_deref(),
        Some(secretary.member_id.as_str())
    );
    assert!(!year.may_open);
    assert_eq!(year.members.len(), DEMO_1_MEMBERS);
    assert!(
        year.members.iter().all(|m| m.base == 50),
        "{:?}",
        year.members
    );
    assert!(
        year.members.iter().all(|m| m.id != gone),
        "a transferred member takes no part"
    );

    let points: PointsSummary = app.points(&member, &member.member_id, 2027).await;
    assert_eq!((points.base, points.total), (50, 50));
    let entry = &points.entries[0];
    assert_eq!(
        (entry.kind, entry.category),
        (LedgerKind::Base, RuleCategory::Base)
    );
    assert_eq!((entry.year, entry.quarter), (2027, 1));
    assert_eq!(entry.note, "2027 年度基础积分");

    let again = problem(
        open_year(&app, &secretary, "demo-1", 2027).await,
        StatusCode::CONFLICT,
    )
    .await;
    assert_eq!(again.code, "year.already_open");
    assert_eq!(
        base_entries(&app, "demo-1", 2027).await,
        DEMO_1_MEMBERS as i64
    );
    let gone_points = app.points(&secretary, &gone, 2027).await;
    assert_eq!(gone_points.total, 0, "nothing for a member who left");
    let other = app.login_as("member16").await;
    assert_eq!(
        app.points(&other, &other.member_id, 2027).await.total,
        0,
        "another branch's year is its own"
    );

    // Only this year or the next: not the last one, nor one two years ahead.
    for year in [2026, 2029] {
        let p = problem(
            open_year(&app, &secretary, "demo-1", year).await,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
        assert_eq!(p.errors[0].code, "year.not_openable", "{year}");
    }
    let p = problem(
        open_year(&app, &secretary, "demo-1", 1999).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(p.errors[0].field, "year");

    let secretary2 = app.login_as("secretary2").await;
    let p = problem(
        open_year(&app, &secretary2, "demo-1", 2028).await,
        StatusCode::NOT_FOUND,
    )
    .await;
    assert_eq!(
        p.code, "org_unit.not_found",
        "another branch's secretary sees nothing"
    );
    let opened_events = count(
        &app,
        format!(
            "SELECT COUNT(*) FROM audit_event WHERE chain_id = '{}' AND action = 'year.opened' \
             AND actor_id = '{}'",
            app.demo.branch("demo-1"),
            secretary.member_id
        ),
    )
    .await;
    assert_eq!(opened_events, 1, "the opening is audited");
    assert!(jifen_server::services::audit::verify(app.state.db.conn())
        .await
        .is_ok());
}

#[tokio::test]
async fn openings_that_race_give_the_base_points_once() {
    let app = TestApp::spawn_at("2027-01-05T09:00:00+08:00").await;
    let other = app.another_instance().await;
    let secretary = app.login_as("secretary1").await;
    let path = format!("{}/open", year_path(&app, "demo-1", 2027));
    let send = |base: String| {
        let (client, path, token) = (
            app.client.clone(),
            path.clone(),
            secretary.access_token.clone(),
        );
        async move {
            client
                .post(format!("{base}{path}"))
                .bearer_auth(token)
                .json(&json!({}))
                .send()
                .await
                .expect("POST request")
                .status()
        }
    };
    let statuses = [
        send(app.address.clone()),
        send(app.address.clone()),
        send(other.address.clone()),
        send(other.address.clone()),
    ];
    let statuses = futures_util::future::join_all(statuses).await;
    let created = statuses
        .iter()
        .filter(|s| **s == StatusCode::CREATED)
        .count();
    let refused = statuses
        .iter()
        .filter(|s| **s == StatusCode::CONFLICT)
        .count();
    assert_eq!((created, refused), (1, 3), "{statuses:?}");
    assert_eq!(
        base_entries(&app, "demo-1", 2027).await,
        DEMO_1_MEMBERS as i64
    );
    let member = app.login_as("member5").await;
    assert_eq!(app.points(&member, &member.member_id, 2027).await.base, 60);
    other.stop().await;
}

#[tokio::test]
async fn the_year_opens_on_its_own_after_new_year_for_branches_that_kept_the_last_one() {
    // New Year's Eve: demo-1 keeps its points here; demo-2 has never opened a year.
    let app = TestApp::spawn_at("2026-12-31T20:00:00+08:00").await;
    let secretary = app.login_as("secretary1").await;
    assert_eq!(
        open_year(&app, &secretary, "demo-1", 2026).await.status(),
        StatusCode::CREATED
    );
    assert_eq!(base_entries(&app, "demo-1", 2027).await, 0);

    // Five seconds after midnight two instances serve their first requests of 2027 at once.
    let first = app.another_instance_at("2027-01-01T00:00:05+08:00").await;
    let second = app.another_instance_at("2027-01-01T00:00:05+08:00").await;
    let member_id = app.demo.member("member3").to_owned();
    let points_at = |base: String| {
        let client = app.client.clone();
        let path = format!("/api/v1/members/{member_id}/points?year=2027");
        let app = &app;
        async move {
            let token = token_at(app, &base, "member3").await;
            let res = client
                .get(format!("{base}{path}"))
                .bearer_auth(token)
                .send()
                .await
                .expect("GET request");
            assert_eq!(res.status(), StatusCode::OK);
            res.json::<PointsSummary>().await.expect("points")
        }
    };
    let (a, b) = tokio::join!(
        points_at(first.address.clone()),
        points_at(second.address.clone())
    );
    assert_eq!(
        (a.base, b.base),
        (60, 60),
        "the first request already sees the year open"
    );
    assert_eq!(a.entries.len(), 1, "given once");
    assert_eq!(
        base_entries(&app, "demo-1", 2027).await,
        DEMO_1_MEMBERS as i64
    );
    assert_eq!(
        base_entries(&app, "demo-2", 2027).await,
        0,
        "a branch that never opened a year waits for its secretary"
    );

    let secretary_token = token_at(&app, &first.address, "secretary1").await;
    let res = app
        .client
        .get(format!(
            "{}{}",
            first.address,
            year_path(&app, "demo-1", 2027)
        ))
        .bearer_auth(&secretary_token)
        .send()
        .await
        .unwrap();
    let year: YearView = res.json().await.unwrap();
    let opened = year.opened.expect("opened on its own");
    assert_eq!((opened.opened_by, opened.opened_by_name), (None, None));
    let unattended = count(
        &app,
        format!(
            "SELECT COUNT(*) FROM audit_event WHERE chain_id = '{}' AND action = 'year.opened' \
             AND actor_id IS NULL",
            app.demo.branch("demo-1")
        ),
    )
    .await;
    assert_eq!(unattended, 1, "audited with no actor, once");
    let res = app
        .client
        .post(format!(
            "{}{}/open",
            first.address,
            year_path(&app, "demo-1", 2027)
        ))
        .bearer_auth(&secretary_token)
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(
        problem(res, StatusCode::CONFLICT).await.code,
        "year.already_open",
        "the secretary finds it open"
    );
    first.stop().await;
    second.stop().await;
}

#[tokio::test]
async fn a_member_who_joins_mid_year_gets_a_share_by_the_days_left() {
    let app = TestApp::spawn_at("2027-07-01T09:00:00+08:00").await;
    let secretary = app.login_as("secretary1").await;
    assert_eq!(
        open_year(&app, &secretary, "demo-1", 2027).await.status(),
        StatusCode::CREATED
    );

    // 1 July: 184 of 365 days remain; 60 × 184 / 365 = 30.25, rounded to 30.
    let newcomer = join(&app, "demo-1", "newcomer", MemberStatus::Active).await;
    let points = app.points(&secretary, &newcomer, 2027).await;
    assert_eq!(points.base, 30);
    assert_eq!(points.entries[0].quarter, 3, "in the quarter they joined");
    assert!(
        points.entries[0].note.contains("184/365"),
        "{}",
        points.entries[0].note
    );

    // With next year opened ahead, a newcomer gets this year's share and next year's whole.
    assert_eq!(
        open_year(&app, &secretary, "demo-1", 2028).await.status(),
        StatusCode::CREATED
    );
    let later = join(&app, "demo-1", "later-comer", MemberStatus::Migrant).await;
    assert_eq!(app.points(&secretary, &later, 2027).await.base, 30);
    assert_eq!(app.points(&secretary, &later, 2028).await.base, 60);

    let elsewhere = join(&app, "demo-2", "elsewhere", MemberStatus::Active).await;
    let secretary2 = app.login_as("secretary2").await;
    assert_eq!(
        app.points(&secretary2, &elsewhere, 2027).await.total,
        0,
        "demo-2 has no year open"
    );
    let gone = join(&app, "demo-1", "already-gone", MemberStatus::Transferred).await;
    assert_eq!(app.points(&secretary, &gone, 2027).await.total, 0);
    assert!(jifen_server::services::audit::verify(app.state.db.conn())
        .await
        .is_ok());
}

#[tokio::test]
async fn the_committee_awards_dues_to_many_members_at_once() {
    let app = TestApp::spawn().await;
    let committee = app.login_as("committee1").await;
    let members = ["member1", "member2", "member3", "member4", "member5"];
    let res = award(
        &app,
        &committee,
        "demo-1",
        &dues_for(&app, &members, "第一季度按时交纳党费"),
    )
    .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let result: AwardResult = res.json().await.unwrap();
    assert_eq!(result.points, 5);
    assert_eq!(result.entries.len(), 5, "one entry each");
    let ids: std::collections::HashSet<_> = result.entries.iter().map(|e| &e.entry_id).collect();
    assert_eq!(ids.len(), 5);

    let member = app.login_as("member3").await;
    let points = app.points(&member, &member.member_id, result.year).await;
    assert_eq!((points.base, points.total), (5, 5));
    assert_eq!(points.entries[0].note, "第一季度按时交纳党费");
    assert_eq!(
        points.entries[0].rule_id.as_deref(),
        Some(app.demo.rule("demo-1", DUES))
    );
    let inbox: NotificationPage = app.inbox(&member).await;
    let notice = &inbox.items[0];
    assert_eq!(notice.kind, NotificationKind::PointsAwarded);
    assert!(
        notice.body.contains("第一季度按时交纳党费"),
        "{}",
        notice.body
    );
    assert!(
        notice.body.contains(DUES) && notice.body.contains('5'),
        "{}",
        notice.body
    );
    let untouched = app.login_as("member6").await;
    assert_eq!(
        app.points(&untouched, &untouched.member_id, result.year)
            .await
            .total,
        0
    );

    // The secretary may award too; the same member named twice is counted once.
    let secretary = app.login_as("secretary1").await;
    let res = award(
        &app,
        &secretary,
        "demo-1",
        &dues_for(&app, &["member6", "member6"], "第二季度按时交纳党费"),
    )
    .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    assert_eq!(res.json::<AwardResult>().await.unwrap().entries.len(), 1);
    assert!(jifen_server::services::audit::verify(app.state.db.conn())
        .await
        .is_ok());
}

#[tokio::test]
async fn one_member_who_cannot_receive_it_refuses_the_whole_award() {
    let app = TestApp::spawn().await;
    let committee = app.login_as("committee1").await;
    let nobody_got_any = || async {
        count(
            &app,
            format!(
                "SELECT COUNT(*) FROM ledger_entry WHERE rule_id = '{}'",
                app.demo.rule("demo-1", DUES)
            ),
        )
        .await
    };

    let res = award(
        &app,
        &committee,
        "demo-1",
        &dues_for(&app, &["member1", "member2", "member16"], "按时交纳党费"),
    )
    .await;
    let p = problem(res, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(p.errors.len(), 1, "{:?}", p.errors);
    assert_eq!(
        (p.errors[0].field.as_str(), p.errors[0].code.as_str()),
        ("member_ids[2]", "award.not_in_branch"),
        "a member of another branch is named by place, not by name"
    );
    assert_eq!(nobody_got_any().await, 0, "all or none");

    // Dues are capped at 20 a year: member1 has had four months' worth.
    for _ in 0..4 {
        let res = award(
            &app,
            &committee,
            "demo-1",
            &dues_for(&app, &["member1"], "按月交纳党费"),
        )
        .await;
        assert_eq!(res.status(), StatusCode::CREATED);
    }
    let res = award(
        &app,
        &committee,
        "demo-1",
        &dues_for(&app, &["member2", "member1"], "按月交纳党费"),
    )
    .await;
    let p = problem(res, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(p.errors.len(), 1, "{:?}", p.errors);
    assert_eq!(p.errors[0].field, "member_ids[1]");
    assert_eq!(p.errors[0].code, "rule.cap_exceeded");
    let member1 = app.login_as("member1").await;
    let me = app
        .get(&member1, "/api/v1/me")
        .await
        .json::<serde_json::Value>()
        .await
        .unwrap();
    let name = me["name"].as_str().unwrap().to_owned();
    assert!(
        p.errors[0].message.contains(&name),
        "names the member: {}",
        p.errors[0].message
    );
    let member2 = app.login_as("member2").await;
    let year = app.state.now().format("%Y").to_string().parse().unwrap();
    assert_eq!(
        app.points(&member2, &member2.member_id, year).await.total,
        0
    );

    // Only base items of the branch's own catalogue, a reason, and 1 to 500 members.
    let cases = [
        (
            AwardRequest {
                rule_id: app.demo.rule("demo-1", CLEAN_AREA).to_owned(),
                ..dues_for(&app, &["member2"], "按时交纳党费")
            },
            "rule_id",
            "award.not_base",
        ),
        (
            AwardRequest {
                rule_id: app.demo.rule("demo-2", DUES).to_owned(),
                ..dues_for(&app, &["member2"], "按时交纳党费")
            },
            "rule_id",
            "rule.other_branch",
        ),
        (dues_for(&app, &["member2"], "  "), "reason", "text.empty"),
        (
            dues_for(&app, &[], "按时交纳党费"),
            "member_ids",
            "award.member_count",
        ),
        (
            AwardRequest {
                member_ids: (0..501).map(|_| uuid::Uuid::now_v7().to_string()).collect(),
                ..dues_for(&app, &[], "按时交纳党费")
            },
            "member_ids",
            "award.member_count",
        ),
    ];
    for (body, field, code) in cases {
        let p = problem(
            award(&app, &committee, "demo-1", &body).await,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
        let found: Vec<_> = p
            .errors
            .iter()
            .map(|e| (e.field.as_str(), e.code.as_str()))
            .collect();
        assert!(found.contains(&(field, code)), "{field} {code}: {found:?}");
    }
    assert_eq!(nobody_got_any().await, 4);
}

#[tokio::test]
async fn only_the_branchs_own_committee_awards_and_sees_its_year() {
    let app = TestApp::spawn().await;
    let body = dues_for(&app, &["member1"], "按时交纳党费");
    let committee2 = app.login_as("committee2").await;
    let p = problem(
        award(&app, &committee2, "demo-1", &body).await,
        StatusCode::NOT_FOUND,
    )
    .await;
    assert_eq!(p.code, "org_unit.not_found");
    let res = app.get(&committee2, &year_path(&app, "demo-1", 2027)).await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);

    let member = app.login_as("member3").await;
    let p = problem(
        award(&app, &member, "demo-1", &body).await,
        StatusCode::FORBIDDEN,
    )
    .await;
    assert_eq!(p.code, "auth.forbidden");
    let res = app.get(&member, &year_path(&app, "demo-1", 2027)).await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);

    // The town's administrator may, for any of its branches.
    let admin = app.login_as("admin1").await;
    let res = award(
        &app,
        &admin,
        "demo-2",
        &AwardRequest {
            rule_id: app.demo.rule("demo-2", DUES).to_owned(),
            member_ids: vec![app.demo.member("member16").to_owned()],
            reason: "按时交纳党费".into(),
        },
    )
    .await;
    assert_eq!(res.status(), StatusCode::CREATED);
}
