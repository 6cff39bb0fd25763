use jifen_server::seed::{CLEAN_AREA, HAIRCUT, SNOW};
use jifen_shared::api::DeedView;
use jifen_tests::{problem, Review, TestApp};
use reqwest::StatusCode;

#[tokio::test]
async fn a_deed_late_on_march_31_in_shanghai_counts_in_the_first_quarter() {
    let app = TestApp::spawn_at("2026-04-02T09:00:00+08:00").await;
    let member = app.login_as("member3").await;
    let committee = app.login_as("committee1").await;
    let mut form = app.deed_form(SNOW);
    form.occurred_at = "2026-03-31T23:30:00+08:00".parse().unwrap();
    let deed = app.submit(&member, &form).await;
    assert_eq!((deed.year, deed.quarter), (2026, 1));
    app.review(&committee, &deed.id, Review::APPROVE).await;
    let points = app.points(&member, &member.member_id, 2026).await;
    assert_eq!(points.quarters[0].bonus, 1, "Q1 holds it");
    assert_eq!(points.quarters[1].bonus, 0, "Q2 does not");
}

#[tokio::test]
async fn new_years_eve_afternoon_utc_counts_in_the_next_cycle_year() {
    let app = TestApp::spawn_at("2027-01-02T10:00:00+08:00").await;
    let member = app.login_as("member3").await;
    let committee = app.login_as("committee1").await;
    let mut form = app.deed_form(SNOW);
    form.occurred_at = "2026-12-31T16:30:00Z".parse().unwrap();
    let deed = app.submit(&member, &form).await;
    assert_eq!((deed.year, deed.quarter), (2027, 1));
    app.review(&committee, &deed.id, Review::APPROVE).await;
    assert_eq!(app.points(&member, &member.member_id, 2027).await.total, 1);
    assert_eq!(app.points(&member, &member.member_id, 2026).await.total, 0);
    let default_year = app
        .get(
            &member,
            &format!("/api/v1/members/{}/points", member.member_id),
        )
        .await;
    assert_eq!(
        default_year
            .json::<jifen_shared::api::PointsSummary>()
            .await
            .unwrap()
            .year,
        2027
    );
}

#[tokio::test]
async fn approving_past_a_quarterly_cap_is_refused_with_what_remains() {
    let app = TestApp::spawn_at("2026-05-20T10:00:00+08:00").await;
    let member = app.login_as("member3").await;
    let committee = app.login_as("committee1").await;
    // Free haircuts: 5 points a time, at most 20 a quarter.
    let mut approved = 0;
    for _ in 0..4 {
        let deed = app.submit(&member, &app.deed_form(HAIRCUT)).await;
        let res = app.review(&committee, &deed.id, Review::APPROVE).await;
        assert_eq!(res.status(), StatusCode::OK);
        approved += 5;
    }
    assert_eq!(approved, 20);
    let fifth = app.submit(&member, &app.deed_form(HAIRCUT)).await;
    let res = app.review(&committee, &fifth.id, Review::APPROVE).await;
    let p = problem(res, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(p.code, "rule.cap_exceeded");
    assert_eq!(p.remaining, Some(0));
    assert!(
        p.message.contains('0'),
        "the message says how much remains: {}",
        p.message
    );

    let seen: DeedView = app
        .get(&member, &format!("/api/v1/deeds/{}", fifth.id))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        seen.status,
        jifen_shared::domain::DeedStatus::Submitted,
        "a refused approval changes nothing"
    );
}

#[tokio::test]
async fn a_partial_award_fits_under_the_cap() {
    let app = TestApp::spawn_at("2026-05-20T10:00:00+08:00").await;
    let member = app.login_as("member3").await;
    let committee = app.login_as("committee1").await;
    let first = app.submit(&member, &app.deed_form(CLEAN_AREA)).await;
    assert_eq!(
        app.review(
            &committee,
            &first.id,
            Review::Approve {
                points: Some(7),
                comment: None
            }
        )
        .await
        .status(),
        StatusCode::OK
    );
    let second = app.submit(&member, &app.deed_form(CLEAN_AREA)).await;
    let res = app.review(&committee, &second.id, Review::APPROVE).await;
    let p = problem(res, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(p.remaining, Some(3));
    let res = app
        .review(
            &committee,
            &second.id,
            Review::Approve {
                points: Some(3),
                comment: None,
            },
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(
        app.points(&member, &member.member_id, 2026).await.quarters[1].bonus,
        10
    );
}
