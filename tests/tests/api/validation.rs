use jifen_server::seed::{ABSENCE, SNOW};
use jifen_tests::{problem, TestApp};
use reqwest::StatusCode;
use serde_json::{json, Value};

/// Each bad report gets a 4xx naming the field and what to do; none is stored.
#[tokio::test]
async fn bad_reports_are_refused_field_by_field() {
    let app = TestApp::spawn().await;
    let member = app.login_as("member3").await;
    let now = app.state.clock.now();
    let other_branch_rule = app.demo.rule("demo-2", SNOW).to_owned();
    let deduction_rule = app.demo.rule("demo-1", ABSENCE).to_owned();

    type Edit = Box<dyn Fn(&mut Value)>;
    let cases: Vec<(&str, Edit, &str, &str)> = vec![
        (
            "a time 11 minutes ahead",
            Box::new(move |f| {
                f["occurred_at"] = json!((now + chrono::Duration::minutes(11)).to_rfc3339())
            }),
            "occurred_at",
            "time.in_future",
        ),
        (
            "an empty title",
            Box::new(|f| f["title"] = json!("   ")),
            "title",
            "text.empty",
        ),
        (
            "an 81-character title",
            Box::new(|f| f["title"] = json!("雪".repeat(81))),
            "title",
            "text.too_long",
        ),
        (
            "an empty account",
            Box::new(|f| f["account"] = json!("")),
            "account",
            "text.empty",
        ),
        (
            "a 2001-character account",
            Box::new(|f| f["account"] = json!("经".repeat(2001))),
            "account",
            "text.too_long",
        ),
        (
            "an empty place",
            Box::new(|f| f["place"]["name"] = json!("")),
            "place.name",
            "text.empty",
        ),
        (
            "latitude 91",
            Box::new(|f| f["place"]["lat"] = json!(91.0)),
            "place.lat",
            "place.latitude_out_of_range",
        ),
        (
            "longitude -181",
            Box::new(|f| f["place"]["lng"] = json!(-181.0)),
            "place.lng",
            "place.longitude_out_of_range",
        ),
        (
            "latitude without longitude",
            Box::new(|f| f["place"]["lng"] = Value::Null),
            "place.lng",
            "place.half_coordinates",
        ),
        (
            "an unknown rule id",
            Box::new(|f| f["rule_id"] = json!(uuid::Uuid::now_v7().to_string())),
            "rule_id",
            "rule.unknown",
        ),
        (
            "a rule id that is not an id",
            Box::new(|f| f["rule_id"] = json!("snow")),
            "rule_id",
            "rule.unknown",
        ),
        (
            "a rule of another branch",
            Box::new(move |f| f["rule_id"] = json!(other_branch_rule.clone())),
            "rule_id",
            "rule.other_branch",
        ),
        (
            "a deduction item",
            Box::new(move |f| f["rule_id"] = json!(deduction_rule.clone())),
            "rule_id",
            "rule.not_reportable",
        ),
        (
            "an unknown photo",
            Box::new(|f| f["photo_ids"] = json!([uuid::Uuid::now_v7().to_string()])),
            "photo_ids",
            "photo.unknown",
        ),
        (
            "a blank client request id",
            Box::new(|f| f["client_request_id"] = json!("")),
            "client_request_id",
            "client_request_id.invalid",
        ),
    ];
    for (why, edit, field, code) in cases {
        let mut form = serde_json::to_value(app.deed_form(SNOW)).unwrap();
        edit(&mut form);
        let res = app.post(&member, "/api/v1/deeds", &form).await;
        let p = problem(res, StatusCode::UNPROCESSABLE_ENTITY).await;
        assert_eq!(p.code, "validation.failed", "{why}");
        assert!(
            p.errors
                .iter()
                .any(|e| e.field == field && e.code == code && !e.message.is_empty()),
            "{why}: expected {field}/{code}, got {:?}",
            p.errors
        );
    }
    let mine: jifen_shared::api::DeedPage = app
        .get(&member, "/api/v1/deeds")
        .await
        .json()
        .await
        .unwrap();
    assert!(mine.items.is_empty(), "nothing was stored");
}

#[tokio::test]
async fn a_phone_clock_a_few_minutes_fast_is_tolerated() {
    let app = TestApp::spawn().await;
    let member = app.login_as("member3").await;
    let mut form = app.deed_form(SNOW);
    form.occurred_at = app.state.clock.now() + chrono::Duration::minutes(9);
    app.submit(&member, &form).await;
}

#[tokio::test]
async fn malformed_bodies_get_a_problem_not_a_crash() {
    let app = TestApp::spawn().await;
    let member = app.login_as("member3").await;
    let bodies = [
        ("not json", "{\"title\": "),
        (
            "a time that is not a time",
            r#"{"rule_id":"x","title":"t","account":"a","occurred_at":"yesterday","place":{"name":"p"},"client_request_id":"c"}"#,
        ),
        (
            "a missing place",
            r#"{"rule_id":"x","title":"t","account":"a","occurred_at":"2026-01-01T00:00:00Z","client_request_id":"c"}"#,
        ),
        ("an array", "[]"),
    ];
    for (why, body) in bodies {
        let res = app
            .client
            .post(app.url("/api/v1/deeds"))
            .bearer_auth(&member.access_token)
            .header("Content-Type", "application/json")
            .body(body)
            .send()
            .await
            .unwrap();
        let p = problem(res, StatusCode::BAD_REQUEST).await;
        assert_eq!(p.code, "request.malformed", "{why}");
        assert!(!p.message.to_lowercase().contains("sql"), "{why}");
    }
    let res = app
        .get(&member, "/api/v1/deeds?scope=everything&limit=0")
        .await;
    let p = problem(res, StatusCode::UNPROCESSABLE_ENTITY).await;
    let fields: Vec<&str> = p.errors.iter().map(|e| e.field.as_str()).collect();
    assert_eq!(fields, ["scope", "limit"]);
    let res = app.get(&member, "/api/v1/deeds/not-an-id").await;
    assert_eq!(
        problem(res, StatusCode::NOT_FOUND).await.code,
        "deed.not_found"
    );
    let res = app.get(&member, "/api/v1/no-such-thing").await;
    assert_eq!(
        problem(res, StatusCode::NOT_FOUND).await.code,
        "route.not_found"
    );
}

#[tokio::test]
async fn approving_with_impossible_points_is_refused() {
    let app = TestApp::spawn().await;
    let member = app.login_as("member3").await;
    let committee = app.login_as("committee1").await;
    let deed = app.submit(&member, &app.deed_form(SNOW)).await;
    for (points, code) in [
        (json!(5000), "points.out_of_range"),
        (json!(-1), "points.wrong_sign"),
        (json!(0), "points.zero"),
    ] {
        let res = app
            .post(
                &committee,
                &format!("/api/v1/deeds/{}/approve", deed.id),
                &json!({ "points": points }),
            )
            .await;
        let p = problem(res, StatusCode::UNPROCESSABLE_ENTITY).await;
        assert_eq!(p.errors[0].code, code);
    }
}
