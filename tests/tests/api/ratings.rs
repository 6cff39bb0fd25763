//! Branch ratings (星级评定): the town sets five or six indicators, each a star; every branch sees
//! the figure, the threshold and the numbers behind each star; the town's officer adjusts a
//! branch's stars with a reason, which is audited. Figures below are counted by hand from the
//! fixture each test builds.

use jifen_server::entity::audit_event;
use jifen_server::infra::config::Rate;
use jifen_server::seed::SNOW;
use jifen_server::services::orgs::{self, NewMember};
use jifen_shared::api::{
    AdjustRatingRequest, AlertThreshold, AtLeastPercent, AtMostPercent, BranchRating,
    IndicatorRating, IndicatorThreshold, OnTimeReview, PatchBranchSettings, RatingIndicator,
    RatingRules, RatingRulesView, RatingsView, SignedOnTime, SubmitDeedRequest, TokenResponse,
};
use jifen_shared::domain::{MemberStatus, Role};
use jifen_tests::{problem, Instance, Review, TestApp, User, PASSWORD};
use reqwest::{Response, StatusCode};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use serde::Serialize;

/// 20 December 2026: the first three quarters have ended and their time to sign (15 days) is up.
const NOW: &str = "2026-12-20T10:00:00+08:00";

async fn put_rules(app: &TestApp, who: &User, unit: &str, rules: &RatingRules) -> Response {
    app.client
        .put(app.url(&format!("/api/v1/orgs/{unit}/rating-rules")))
        .bearer_auth(&who.access_token)
        .json(rules)
        .send()
        .await
        .expect("PUT request")
}

async fn ratings(app: &TestApp, who: &User, unit: &str) -> RatingsView {
    let res = app
        .get(who, &format!("/api/v1/orgs/{unit}/ratings?year=2026"))
        .await;
    assert_eq!(res.status(), StatusCode::OK, "the ratings answer");
    res.json().await.expect("ratings body")
}

async fn rules_at(app: &TestApp, who: &User, unit: &str) -> RatingRulesView {
    let res = app
        .get(who, &format!("/api/v1/orgs/{unit}/rating-rules"))
        .await;
    assert_eq!(res.status(), StatusCode::OK, "the rules answer");
    res.json().await.expect("rules body")
}

async fn adjust(
    app: &TestApp,
    who: &User,
    unit: &str,
    branch: &str,
    stars: i32,
    reason: &str,
) -> Response {
    let body = AdjustRatingRequest {
        branch_id: branch.to_owned(),
        year: 2026,
        stars,
        reason: reason.to_owned(),
    };
    app.post(
        who,
        &format!("/api/v1/orgs/{unit}/ratings/adjustments"),
        &body,
    )
    .await
}

fn branch<'a>(view: &'a RatingsView, id: &str) -> &'a BranchRating {
    view.branches
        .iter()
        .find(|b| b.branch_id == id)
        .expect("the branch is rated")
}

fn indicator(b: &BranchRating, which: RatingIndicator) -> &IndicatorRating {
    b.indicators
        .iter()
        .find(|i| i.indicator == which)
        .expect("the indicator is shown")
}

/// (count, of, met) of an indicator.
fn numbers(b: &BranchRating, which: RatingIndicator) -> (u32, u32, bool) {
    let i = indicator(b, which);
    (i.count, i.of, i.met)
}

/// `username` signed in on another instance, whose clock reads differently.
async fn login_on(app: &TestApp, instance: &Instance, username: &str) -> User {
    let res = app
        .client
        .post(format!("{}/api/v1/auth/login", instance.address))
        .json(&serde_json::json!({"username": username, "password": PASSWORD}))
        .send()
        .await
        .expect("login request");
    assert_eq!(res.status(), StatusCode::OK, "{username} signs in");
    let tokens: TokenResponse = res.json().await.expect("tokens");
    User {
        username: username.to_owned(),
        member_id: app.demo.member(username).to_owned(),
        access_token: tokens.access_token,
        refresh_token: tokens.refresh_token,
    }
}

async fn post_on(
    app: &TestApp,
    instance: &Instance,
    who: &User,
    path: &str,
    body: &impl Serialize,
) -> Response {
    app.client
        .post(format!("{}{path}", instance.address))
        .bearer_auth(&who.access_token)
        .json(body)
        .send()
        .await
        .expect("POST request")
}

/// A snow-clearing report of `branch_code` that happened an hour before `at`.
fn snow(app: &TestApp, branch_code: &str, at: &str) -> SubmitDeedRequest {
    let mut form = app.deed_form_in(branch_code, SNOW);
    form.occurred_at = chrono::DateTime::parse_from_rfc3339(at)
        .expect("a time")
        .with_timezone(&chrono::Utc)
        - chrono::Duration::hours(1);
    form
}

/// The six indicators with thresholds the fixture meets exactly at their boundary.
fn boundary_rules() -> RatingRules {
    RatingRules {
        participation: Some(AtLeastPercent { min_percent: 50 }),
        attendance: Some(AtLeastPercent { min_percent: 80 }),
        review_on_time: Some(OnTimeReview {
            within_days: 7,
            min_percent: 80,
        }),
        feedback_handled: Some(AtLeastPercent { min_percent: 90 }),
        under_alert: Some(AtMostPercent { max_percent: 50 }),
        quarters_signed: Some(SignedOnTime {
            within_days: 15,
            min_quarters: 2,
        }),
    }
}

/// Someone of the county's organisation department, at home in demo-2.
async fn county_admin(app: &TestApp) -> User {
    let db = app.state.db.conn();
    let now = app.state.now();
    let password_hash =
        jifen_server::entity::member::Entity::find_by_id(app.demo.member("admin1").to_owned())
            .one(db)
            .await
            .expect("read member")
            .expect("admin1")
            .password_hash;
    let m = orgs::add_member(
        db,
        NewMember {
            branch_id: app.demo.branch("demo-2"),
            name: "县委组织部干部",
            username: "county-admin",
            password_hash,
            status: MemberStatus::Active,
            migrant_org_id: None,
        },
        None,
        now,
    )
    .await
    .expect("add member");
    orgs::grant_role(db, &m.id, &app.demo.county_id, Role::OrgAdmin, None, now)
        .await
        .expect("grant org admin");
    let res = app.login("county-admin", PASSWORD).await;
    assert_eq!(res.status(), StatusCode::OK, "the county admin signs in");
    let tokens: TokenResponse = res.json().await.expect("tokens");
    User {
        username: "county-admin".into(),
        member_id: m.id,
        access_token: tokens.access_token,
        refresh_token: tokens.refresh_token,
    }
}

#[tokio::test]
async fn each_star_shows_its_figure_threshold_and_numbers_and_a_threshold_exactly_reached_is_met() {
    // Some thirty people sign in within a second from one address.
    let app = TestApp::spawn_at_with_config(NOW, |c| {
        c.limits.login = Rate::new(1_000, 1_000);
    })
    .await;
    let admin = app.login_as("admin1").await;
    let (east, west) = (
        app.demo.branch("demo-1").to_owned(),
        app.demo.branch("demo-2").to_owned(),
    );
    // Members with no points this year are below the alert line of 1 point in both villages.
    for b in [&east, &west] {
        let patch = PatchBranchSettings {
            alert: Some(AlertThreshold::Points { points: 1 }),
            ..Default::default()
        };
        let res = app
            .patch(&admin, &format!("/api/v1/branches/{b}/settings"), &patch)
            .await;
        assert_eq!(res.status(), StatusCode::OK, "alert line set");
    }

    // 东关村: member1, member2 and member10 report on 8 December; the committee decides member1's
    // exactly 7 days later, member2's and member10's (rejected) 12 days later.
    let early = app.another_instance_at("2026-12-08T10:00:00+08:00").await;
    let mut late_deeds = Vec::new();
    for who in ["member1", "member2", "member10"] {
        let member = login_on(&app, &early, who).await;
        let res = post_on(
            &app,
            &early,
            &member,
            "/api/v1/deeds",
            &snow(&app, "demo-1", "2026-12-08T10:00:00+08:00"),
        )
        .await;
        assert_eq!(res.status(), StatusCode::CREATED, "{who} reports");
        let deed: jifen_shared::api::DeedView = res.json().await.expect("deed");
        late_deeds.push(deed.id);
    }
    early.stop().await;
    let week = app.another_instance_at("2026-12-15T10:00:00+08:00").await;
    let committee_then = login_on(&app, &week, "committee1").await;
    let res = post_on(
        &app,
        &week,
        &committee_then,
        &format!("/api/v1/deeds/{}/approve", late_deeds[0]),
        &serde_json::json!({}),
    )
    .await;
    assert_eq!(res.status(), StatusCode::OK, "decided on the seventh day");
    week.stop().await;
    let committee1 = app.login_as("committee1").await;
    let res = app
        .review(&committee1, &late_deeds[1], Review::APPROVE)
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let res = app
        .review(
            &committee1,
            &late_deeds[2],
            Review::Reject("照片与地点不符"),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    // member3 … member9 report today and are approved at once.
    for i in 3..=9 {
        let member = app.login_as(&format!("member{i}")).await;
        let deed = app.submit(&member, &app.deed_form_in("demo-1", SNOW)).await;
        let res = app.review(&committee1, &deed.id, Review::APPROVE).await;
        assert_eq!(res.status(), StatusCode::OK);
    }
    // 西营村: member16 … member22 report today and are approved at once.
    let committee2 = app.login_as("committee2").await;
    for i in 16..=22 {
        let member = app.login_as(&format!("member{i}")).await;
        let deed = app.submit(&member, &app.deed_form_in("demo-2", SNOW)).await;
        let res = app.review(&committee2, &deed.id, Review::APPROVE).await;
        assert_eq!(res.status(), StatusCode::OK);
    }

    // 东关村's secretary signed Q1 on 5 April, Q2 at the last instant allowed (15 days after
    // 1 July), Q3 only today. 西营村 signed nothing.
    let sign = |q: u8| format!("/api/v1/branches/{east}/quarters/2026/{q}/sign");
    for (q, at) in [
        (1u8, "2026-04-05T10:00:00+08:00"),
        (2, "2026-07-16T00:00:00+08:00"),
    ] {
        let then = app.another_instance_at(at).await;
        let secretary = login_on(&app, &then, "secretary1").await;
        let res = post_on(&app, &then, &secretary, &sign(q), &serde_json::json!({})).await;
        assert_eq!(res.status(), StatusCode::OK, "Q{q} signed");
        then.stop().await;
    }
    let secretary1 = app.login_as("secretary1").await;
    let res = app
        .post(&secretary1, &sign(3), &serde_json::json!({}))
        .await;
    assert_eq!(res.status(), StatusCode::OK, "Q3 signed late");

    let res = put_rules(&app, &admin, &app.demo.town_id, &boundary_rules()).await;
    assert_eq!(res.status(), StatusCode::OK, "the town sets its rules");
    let view = ratings(&app, &admin, &app.demo.town_id).await;
    assert_eq!(view.year, 2026);
    let east_r = branch(&view, &east);
    let west_r = branch(&view, &west);
    use RatingIndicator::*;
    // 东关村 counts 18 members (15, its committee member, its secretary and the town's officer).
    assert_eq!(
        numbers(east_r, Participation),
        (9, 18, true),
        "9 of 18 is exactly 50 %"
    );
    assert_eq!(
        numbers(east_r, Attendance),
        (0, 0, false),
        "no meeting held: no star"
    );
    assert_eq!(
        numbers(east_r, ReviewOnTime),
        (8, 10, true),
        "8 of 10 decided within 7 days (one on the seventh day) is exactly 80 %"
    );
    assert_eq!(
        numbers(east_r, FeedbackHandled),
        (0, 0, true),
        "no feedback waited"
    );
    assert_eq!(
        numbers(east_r, UnderAlert),
        (9, 18, true),
        "9 of 18 under the line is exactly the 50 % allowed"
    );
    assert_eq!(
        numbers(east_r, QuartersSigned),
        (2, 3, true),
        "Q1 and Q2 on time, Q3 late, 2 asked"
    );
    assert_eq!(
        indicator(east_r, QuartersSigned).threshold,
        IndicatorThreshold::AtLeastQuarters {
            quarters: 2,
            configured: 2
        }
    );
    assert_eq!(indicator(east_r, QuartersSigned).within_days, Some(15));
    assert_eq!(
        indicator(east_r, Participation).threshold,
        IndicatorThreshold::AtLeastPercent { percent: 50 }
    );
    assert_eq!(indicator(east_r, Participation).rate, Some(0.5));
    assert_eq!(
        (east_r.computed_stars, east_r.stars, east_r.max_stars),
        (5, 5, 6)
    );

    // 西营村 counts 15 members.
    assert_eq!(
        numbers(west_r, Participation),
        (7, 15, false),
        "46.7 % < 50 %"
    );
    assert_eq!(numbers(west_r, Attendance), (0, 0, false));
    assert_eq!(numbers(west_r, ReviewOnTime), (7, 7, true));
    assert_eq!(numbers(west_r, FeedbackHandled), (0, 0, true));
    assert_eq!(numbers(west_r, UnderAlert), (8, 15, false), "53.3 % > 50 %");
    assert_eq!(numbers(west_r, QuartersSigned), (0, 3, false));
    assert_eq!((west_r.computed_stars, west_r.stars), (2, 2));
    assert_eq!(
        west_r.rules_from_id.as_deref(),
        Some(app.demo.town_id.as_str())
    );
    assert!(west_r.may_adjust, "the town's officer may adjust");

    // One percent more and the boundary is missed.
    let stricter = RatingRules {
        participation: Some(AtLeastPercent { min_percent: 51 }),
        review_on_time: Some(OnTimeReview {
            within_days: 7,
            min_percent: 81,
        }),
        under_alert: Some(AtMostPercent { max_percent: 49 }),
        quarters_signed: Some(SignedOnTime {
            within_days: 15,
            min_quarters: 3,
        }),
        ..boundary_rules()
    };
    let res = put_rules(&app, &admin, &app.demo.town_id, &stricter).await;
    assert_eq!(res.status(), StatusCode::OK);
    let view = ratings(&app, &admin, &app.demo.town_id).await;
    let east_r = branch(&view, &east);
    let met: Vec<_> = east_r.indicators.iter().map(|i| i.met).collect();
    assert_eq!(met, [false, false, false, true, false, false]);
    assert_eq!(east_r.computed_stars, 1);
}

#[tokio::test]
async fn a_branch_is_rated_by_its_county_when_its_town_set_no_rules() {
    let app = TestApp::spawn_at(NOW).await;
    let committee1 = app.login_as("committee1").await;
    let east = app.demo.branch("demo-1").to_owned();

    // Nobody set rules: the five default stars.
    let seen = rules_at(&app, &committee1, &east).await;
    assert_eq!(seen.source_org_unit_id, None);
    assert_eq!(seen.rules, RatingRules::default());
    assert_eq!(seen.max_stars, 5);
    assert!(!seen.editable, "a committee reads its branch's rules");

    let county = county_admin(&app).await;
    let county_rules = RatingRules {
        participation: Some(AtLeastPercent { min_percent: 60 }),
        attendance: None,
        review_on_time: None,
        feedback_handled: None,
        under_alert: None,
        quarters_signed: Some(SignedOnTime {
            within_days: 10,
            min_quarters: 4,
        }),
    };
    let res = put_rules(&app, &county, &app.demo.county_id, &county_rules).await;
    assert_eq!(res.status(), StatusCode::OK, "the county sets its rules");

    let seen = rules_at(&app, &committee1, &east).await;
    assert_eq!(
        seen.source_org_unit_id.as_deref(),
        Some(app.demo.county_id.as_str())
    );
    assert_eq!(seen.source_org_unit_name.as_deref(), Some("示范县委"));
    assert_eq!(seen.updated_by_name.as_deref(), Some("县委组织部干部"));
    assert_eq!(seen.max_stars, 2);
    let admin = app.login_as("admin1").await;
    let town_view = rules_at(&app, &admin, &app.demo.town_id).await;
    assert!(
        town_view.editable,
        "the town's officer may set the town's own"
    );
    assert_eq!(town_view.rules, county_rules, "inherited from the county");

    let view = ratings(&app, &committee1, &east).await;
    let r = branch(&view, &east);
    assert_eq!(r.rules_from_name.as_deref(), Some("示范县委"));
    let shown: Vec<_> = r.indicators.iter().map(|i| i.indicator).collect();
    assert_eq!(
        shown,
        [
            RatingIndicator::Participation,
            RatingIndicator::QuartersSigned
        ]
    );
    assert_eq!(
        indicator(r, RatingIndicator::QuartersSigned).within_days,
        Some(10)
    );

    // The town sets its own: they apply from now on, the county's no longer.
    let res = put_rules(&app, &admin, &app.demo.town_id, &boundary_rules()).await;
    assert_eq!(res.status(), StatusCode::OK);
    let view = ratings(&app, &committee1, &east).await;
    let r = branch(&view, &east);
    assert_eq!(r.rules_from_id.as_deref(), Some(app.demo.town_id.as_str()));
    assert_eq!(r.max_stars, 6);

    // The county sees both towns' branches: the town's rules for 城关镇's, its own elsewhere.
    let view = ratings(&app, &county, &app.demo.county_id).await;
    assert!(view
        .branches
        .iter()
        .all(|b| b.rules_from_id.as_deref() == Some(app.demo.town_id.as_str())));
    assert_eq!(
        view.branches.len(),
        2,
        "demo-1 and demo-2; the migrant branch is not rated"
    );
}

#[tokio::test]
async fn a_branch_committee_sees_only_its_own_branch_and_cannot_adjust_or_set_rules() {
    let app = TestApp::spawn_at(NOW).await;
    let committee1 = app.login_as("committee1").await;
    let secretary1 = app.login_as("secretary1").await;
    let member1 = app.login_as("member1").await;
    let admin = app.login_as("admin1").await;
    let (east, west, town) = (
        app.demo.branch("demo-1").to_owned(),
        app.demo.branch("demo-2").to_owned(),
        app.demo.town_id.clone(),
    );

    let view = ratings(&app, &committee1, &east).await;
    assert_eq!(view.branches.len(), 1);
    assert_eq!(view.branches[0].branch_id, east);
    assert!(!view.branches[0].may_adjust, "not by its own committee");
    for unit in [&west, &town] {
        let res = app
            .get(&committee1, &format!("/api/v1/orgs/{unit}/ratings"))
            .await;
        assert_eq!(
            problem(res, StatusCode::NOT_FOUND).await.code,
            "org_unit.not_found"
        );
    }
    let res = app
        .get(&member1, &format!("/api/v1/orgs/{east}/ratings"))
        .await;
    assert_eq!(
        problem(res, StatusCode::FORBIDDEN).await.code,
        "auth.forbidden"
    );

    // Its own secretary cannot adjust it, neither from the branch nor naming it under the town.
    let res = adjust(&app, &secretary1, &east, &east, 5, "我们支部工作扎实").await;
    assert_eq!(
        problem(res, StatusCode::FORBIDDEN).await.code,
        "auth.forbidden"
    );
    let res = adjust(&app, &secretary1, &town, &east, 5, "我们支部工作扎实").await;
    assert_eq!(
        problem(res, StatusCode::NOT_FOUND).await.code,
        "org_unit.not_found",
        "the town is not the secretary's to see"
    );
    let res = put_rules(&app, &committee1, &east, &boundary_rules()).await;
    assert_eq!(
        problem(res, StatusCode::FORBIDDEN).await.code,
        "auth.forbidden"
    );
    // The town's officer sets rules on the town, not on a branch.
    let res = put_rules(&app, &admin, &east, &boundary_rules()).await;
    assert_eq!(
        problem(res, StatusCode::CONFLICT).await.code,
        "rating.rules_not_here"
    );
    // A branch of the town named from the other branch is not there.
    let res = adjust(&app, &admin, &east, &west, 3, "核实后调整").await;
    assert_eq!(
        problem(res, StatusCode::NOT_FOUND).await.code,
        "org_unit.not_found"
    );
}

#[tokio::test]
async fn rules_out_of_range_are_refused_field_by_field_and_a_change_is_audited() {
    let app = TestApp::spawn_at(NOW).await;
    let admin = app.login_as("admin1").await;
    let town = app.demo.town_id.clone();
    let cases: Vec<(RatingRules, Vec<&str>, &str)> = vec![
        (
            RatingRules {
                participation: Some(AtLeastPercent { min_percent: 0 }),
                under_alert: Some(AtMostPercent { max_percent: 101 }),
                ..RatingRules::default()
            },
            vec!["participation.min_percent", "under_alert.max_percent"],
            "percentages outside 0–100",
        ),
        (
            RatingRules {
                review_on_time: Some(OnTimeReview {
                    within_days: 0,
                    min_percent: 90,
                }),
                quarters_signed: Some(SignedOnTime {
                    within_days: 91,
                    min_quarters: 5,
                }),
                ..RatingRules::default()
            },
            vec![
                "review_on_time.within_days",
                "quarters_signed.within_days",
                "quarters_signed.min_quarters",
            ],
            "days outside 1–90 and quarters outside 1–4",
        ),
        (
            RatingRules {
                participation: None,
                attendance: None,
                review_on_time: None,
                feedback_handled: None,
                under_alert: None,
                quarters_signed: None,
            },
            vec!["rules"],
            "no indicator at all",
        ),
    ];
    for (rules, fields, why) in cases {
        let res = put_rules(&app, &admin, &town, &rules).await;
        let p = problem(res, StatusCode::UNPROCESSABLE_ENTITY).await;
        let named: Vec<_> = p.errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(named, fields, "{why}");
    }
    let res = put_rules(&app, &admin, &town, &boundary_rules()).await;
    assert_eq!(res.status(), StatusCode::OK);
    let db = app.database().await;
    let events = audit_event::Entity::find()
        .filter(audit_event::Column::ChainId.eq(town.as_str()))
        .filter(audit_event::Column::Action.eq("rating_rules.changed"))
        .all(&db)
        .await
        .expect("audit events");
    assert_eq!(events.len(), 1, "only the valid change is recorded");
    assert_eq!(
        events[0].actor_id.as_deref(),
        Some(admin.member_id.as_str())
    );
    assert!(
        events[0].before.is_none(),
        "the town had no rules of its own"
    );
    let after: RatingRules =
        serde_json::from_str(events[0].after.as_deref().expect("after")).expect("rules");
    assert_eq!(after, boundary_rules());
}

#[tokio::test]
async fn an_adjustment_needs_a_reason_replaces_the_older_is_audited_and_shown_to_the_branch() {
    let app = TestApp::spawn_at(NOW).await;
    let admin = app.login_as("admin1").await;
    let committee1 = app.login_as("committee1").await;
    let (east, town) = (
        app.demo.branch("demo-1").to_owned(),
        app.demo.town_id.clone(),
    );
    let before = branch(&ratings(&app, &admin, &town).await, &east).clone();
    assert_eq!(before.max_stars, 5, "the default rules");
    assert!(before.adjustment.is_none());

    let res = adjust(&app, &admin, &town, &east, 4, "  ").await;
    let p = problem(res, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(p.errors[0].field, "reason");
    let res = adjust(&app, &admin, &town, &east, 6, "超过满分").await;
    let p = problem(res, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(p.errors[0].field, "stars", "5 stars at most");

    let res = adjust(&app, &admin, &town, &east, 4, "带领群众修复水毁道路").await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let rated: BranchRating = res.json().await.expect("rating");
    assert_eq!(rated.stars, 4);
    let res = adjust(&app, &admin, &town, &east, 3, "复核后改为三星").await;
    assert_eq!(res.status(), StatusCode::CREATED);

    // The branch's committee sees the stars that count, the computed ones, who and why.
    let seen = ratings(&app, &committee1, &east).await;
    let r = &seen.branches[0];
    assert_eq!(r.stars, 3);
    assert_eq!(r.computed_stars, before.computed_stars);
    let a = r.adjustment.as_ref().expect("the adjustment is shown");
    assert_eq!(a.stars, 3);
    assert_eq!(a.computed_stars, before.computed_stars);
    assert_eq!(a.reason, "复核后改为三星");
    assert_eq!(a.adjusted_by, admin.member_id);
    assert_eq!(a.adjusted_by_name, "镇党委组织委员");

    // Both adjustments stay in the branch's history, in order, with their reasons.
    let db = app.database().await;
    let events = audit_event::Entity::find()
        .filter(audit_event::Column::ChainId.eq(east.as_str()))
        .filter(audit_event::Column::Action.eq("rating.adjusted"))
        .order_by_asc(audit_event::Column::Seq)
        .all(&db)
        .await
        .expect("audit events");
    let reasons: Vec<_> = events.iter().map(|e| e.reason.as_deref()).collect();
    assert_eq!(
        reasons,
        [Some("带领群众修复水毁道路"), Some("复核后改为三星")]
    );
    let last_after: serde_json::Value =
        serde_json::from_str(events[1].after.as_deref().expect("after")).expect("json");
    assert_eq!(last_after["stars"], 3);
    let last_before: serde_json::Value =
        serde_json::from_str(events[1].before.as_deref().expect("before")).expect("json");
    assert_eq!(last_before["stars"], 4);
    jifen_server::services::audit::verify_with(
        &db,
        Some(&jifen_server::services::audit::SealKey::new(
            &jifen_server::infra::config::Secret::new(jifen_tests::AUDIT_KEY),
        )),
    )
    .await
    .expect("the history verifies");
}
