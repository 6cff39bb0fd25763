use jifen_shared::api::RuleView;
use jifen_shared::domain::RuleCategory;
use jifen_tests::{problem, TestApp};
use reqwest::StatusCode;
use serde_json::json;

#[tokio::test]
async fn the_secretary_adds_and_retires_a_rule_and_members_only_read_the_catalogue() {
    let app = TestApp::spawn().await;
    let secretary = app.login_as("secretary1").await;
    let member = app.login_as("member3").await;
    let branch = app.demo.branch("demo-1").to_owned();
    let path = format!("/api/v1/branches/{branch}/rules");
    let new_rule = json!({"category": "bonus", "name": "帮助困难群众秋收", "standard_points": 3, "cap_per_quarter": 9});

    let res = app.post(&member, &path, &new_rule).await;
    assert_eq!(
        problem(res, StatusCode::FORBIDDEN).await.code,
        "auth.forbidden"
    );

    let res = app.post(&secretary, &path, &new_rule).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let rule: RuleView = res.json().await.unwrap();
    assert_eq!(
        (rule.category, rule.standard_points, rule.cap_per_quarter),
        (RuleCategory::Bonus, 3, Some(9))
    );

    let catalogue: Vec<RuleView> = app.get(&member, &path).await.json().await.unwrap();
    assert!(catalogue.iter().any(|r| r.id == rule.id));

    let res = app
        .client
        .patch(app.url(&format!("/api/v1/rules/{}", rule.id)))
        .bearer_auth(&secretary.access_token)
        .json(&json!({"active": false, "cap_per_quarter": null}))
        .send()
        .await
        .unwrap();
    let retired: RuleView = res.json().await.unwrap();
    assert!(!retired.active);
    assert_eq!(retired.cap_per_quarter, None);

    let mut form = app.deed_form(jifen_server::seed::SNOW);
    form.rule_id = rule.id.clone();
    let res = app.post(&member, "/api/v1/deeds", &form).await;
    let p = problem(res, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(p.errors[0].code, "rule.inactive");
}

#[tokio::test]
async fn a_rule_with_the_wrong_sign_or_no_name_is_refused() {
    let app = TestApp::spawn().await;
    let secretary = app.login_as("secretary1").await;
    let path = format!("/api/v1/branches/{}/rules", app.demo.branch("demo-1"));
    let res = app
        .post(
            &secretary,
            &path,
            &json!({"category": "deduction", "name": "", "standard_points": 5, "cap_per_year": 0}),
        )
        .await;
    let p = problem(res, StatusCode::UNPROCESSABLE_ENTITY).await;
    let mut fields: Vec<&str> = p.errors.iter().map(|e| e.field.as_str()).collect();
    fields.sort();
    assert_eq!(fields, ["cap_per_year", "name", "standard_points"]);
}
