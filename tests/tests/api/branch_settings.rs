use jifen_shared::api::{AlertThreshold, BranchSettings};
use jifen_shared::domain::BoardNames;
use jifen_tests::{problem, TestApp};
use reqwest::StatusCode;
use serde_json::json;

#[tokio::test]
async fn the_secretary_sets_the_year_and_the_committee_reads_it() {
    let app = TestApp::spawn().await;
    let secretary = app.login_as("secretary1").await;
    let committee = app.login_as("committee1").await;
    let member = app.login_as("member3").await;
    let path = format!("/api/v1/branches/{}/settings", app.demo.branch("demo-1"));

    let before: BranchSettings = app.get(&committee, &path).await.json().await.unwrap();
    let res = app
        .patch(
            &secretary,
            &path,
            &json!({"board_names": "masked", "alert": {"kind": "points", "points": 30},
                "evidence_area": {"lat": 34.75, "lng": 113.62, "radius_m": 3000}}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let after: BranchSettings = app.get(&committee, &path).await.json().await.unwrap();
    assert_eq!(after.board_names, BoardNames::Masked);
    assert_eq!(after.alert, AlertThreshold::Points { points: 30 });
    assert_eq!(after.grades, before.grades, "what was not sent stays");
    assert_eq!(after.evidence_area.map(|a| a.radius_m), Some(3000));

    let res = app
        .patch(&committee, &path, &json!({"base_points_per_year": 10}))
        .await;
    assert_eq!(
        problem(res, StatusCode::FORBIDDEN).await.code,
        "auth.forbidden"
    );
    let res = app.get(&member, &path).await;
    assert_eq!(
        problem(res, StatusCode::FORBIDDEN).await.code,
        "auth.forbidden"
    );

    let history = app
        .get(
            &secretary,
            &format!("/api/v1/branches/{}/settings", app.demo.branch("demo-2")),
        )
        .await;
    assert_eq!(
        history.status(),
        StatusCode::NOT_FOUND,
        "another branch is not seen"
    );
}

#[tokio::test]
async fn settings_that_contradict_themselves_are_refused_whole() {
    let app = TestApp::spawn().await;
    let secretary = app.login_as("secretary1").await;
    let path = format!("/api/v1/branches/{}/settings", app.demo.branch("demo-1"));
    let res = app
        .patch(
            &secretary,
            &path,
            &json!({"base_points_per_year": -5,
                "grades": {"excellent": 60, "qualified": 70, "basic": 50, "excellent_cap_percent": 0}}),
        )
        .await;
    let p = problem(res, StatusCode::UNPROCESSABLE_ENTITY).await;
    let fields: Vec<&str> = p.errors.iter().map(|e| e.field.as_str()).collect();
    assert_eq!(
        fields,
        [
            "base_points_per_year",
            "grades",
            "grades.excellent_cap_percent"
        ]
    );
    let now: BranchSettings = app.get(&secretary, &path).await.json().await.unwrap();
    assert_eq!(
        now,
        BranchSettings::default(),
        "nothing of a refused change is kept"
    );
}
