//! The catalogue keeps its history: the secretary's edit of an item makes a new version, and what
//! was given under the old one keeps its version and its points.

use jifen_server::entity::audit_event;
use jifen_server::infra::config::Secret;
use jifen_server::seed::SNOW;
use jifen_server::services::audit::{self, SealKey};
use jifen_shared::api::{DeedView, LedgerEntryView, RuleVersionView, RuleView};
use jifen_shared::domain::{CycleQuarter, LedgerKind};
use jifen_tests::{problem, Review, TestApp, User, AUDIT_KEY};
use reqwest::StatusCode;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use serde_json::json;

async fn approve(app: &TestApp, committee: &User, deed: &DeedView) -> DeedView {
    let res = app.review(committee, &deed.id, Review::APPROVE).await;
    assert_eq!(res.status(), StatusCode::OK, "the committee approves");
    res.json().await.unwrap()
}

async fn entry_of(
    app: &TestApp,
    member: &User,
    deed: &DeedView,
    kind: LedgerKind,
) -> LedgerEntryView {
    let year = CycleQuarter::of(deed.occurred_at).year;
    app.points(member, &member.member_id, year)
        .await
        .entries
        .into_iter()
        .find(|e| e.deed_id.as_deref() == Some(deed.id.as_str()) && e.kind == kind)
        .expect("the deed's entry is in the ledger")
}

async fn versions(app: &TestApp, user: &User, rule_id: &str) -> Vec<RuleVersionView> {
    let res = app
        .get(user, &format!("/api/v1/rules/{rule_id}/versions"))
        .await;
    assert_eq!(res.status(), StatusCode::OK, "the versions can be read");
    res.json().await.unwrap()
}

#[tokio::test]
async fn an_edit_makes_a_new_version_and_what_was_given_before_keeps_the_old_one() {
    let app = TestApp::spawn().await;
    let secretary = app.login_as("secretary1").await;
    let committee = app.login_as("committee1").await;
    let member = app.login_as("member3").await;
    let snow = app.demo.rule("demo-1", SNOW).to_owned();
    let rule_path = format!("/api/v1/rules/{snow}");

    // Before the edit: snow clearing is worth 1 point, version 1.
    let early = app.submit(&member, &app.deed_form(SNOW)).await;
    let early = approve(&app, &committee, &early).await;
    assert_eq!(early.rule_version, Some(1));
    let early_entry = entry_of(&app, &member, &early, LedgerKind::Bonus).await;
    assert_eq!((early_entry.rule_version, early_entry.points), (Some(1), 1));

    // The secretary raises it to 2 points: version 2.
    let res = app
        .patch(
            &secretary,
            &rule_path,
            &json!({"standard_points": 2, "description": "大雪封路时参加清扫，每次每人"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let edited: RuleView = res.json().await.unwrap();
    assert_eq!((edited.version, edited.standard_points), (2, 2));

    // What was given under version 1 keeps it, and keeps its point.
    let early_entry = entry_of(&app, &member, &early, LedgerKind::Bonus).await;
    assert_eq!((early_entry.rule_version, early_entry.points), (Some(1), 1));
    let early_now: DeedView = app
        .get(&member, &format!("/api/v1/deeds/{}", early.id))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(early_now.rule_version, Some(1));

    // A deed approved now is given under version 2.
    let later = app.submit(&member, &app.deed_form(SNOW)).await;
    assert_eq!(later.rule_version, None, "not approved yet");
    let later = approve(&app, &committee, &later).await;
    assert_eq!(
        (later.rule_version, later.points_awarded),
        (Some(2), Some(2))
    );
    let later_entry = entry_of(&app, &member, &later, LedgerKind::Bonus).await;
    assert_eq!((later_entry.rule_version, later_entry.points), (Some(2), 2));

    // Revoking the early award reverses it under the version it was given under.
    let res = app
        .review(&committee, &early.id, Review::Revoke("重复申报"))
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let reversal = entry_of(&app, &member, &early, LedgerKind::Reversal).await;
    assert_eq!((reversal.rule_version, reversal.points), (Some(1), -1));

    // The versions, newest first, say who changed what; members may read them too.
    let list = versions(&app, &member, &snow).await;
    let shown: Vec<(i32, i32)> = list
        .iter()
        .map(|v| (v.version, v.standard_points))
        .collect();
    assert_eq!(shown, [(2, 2), (1, 1)]);
    assert_eq!(list[0].description, "大雪封路时参加清扫，每次每人");
    assert_eq!(
        list[0].created_by.as_deref(),
        Some(secretary.member_id.as_str())
    );
    assert!(list[0].created_by_name.is_some());
    assert_eq!(list[1].created_by, None, "the demo's own catalogue");

    // The ledger recomputed from the audit history still agrees, versions included.
    audit::verify_with(
        &app.database().await,
        Some(&SealKey::new(&Secret::new(AUDIT_KEY))),
    )
    .await
    .expect("the ledger agrees with its events");
}

#[tokio::test]
async fn retiring_reactivating_or_resending_the_same_values_makes_no_version() {
    let app = TestApp::spawn().await;
    let secretary = app.login_as("secretary1").await;
    let rule = app.demo.rule("demo-1", SNOW).to_owned();
    let path = format!("/api/v1/rules/{rule}");

    for (change, active) in [
        (json!({"active": false}), false),
        (json!({"active": true}), true),
        (json!({"standard_points": 1, "cap_per_quarter": 10}), true),
    ] {
        let res = app.patch(&secretary, &path, &change).await;
        assert_eq!(res.status(), StatusCode::OK, "{change}");
        let after: RuleView = res.json().await.unwrap();
        assert_eq!((after.version, after.active), (1, active), "{change}");
    }
    assert_eq!(versions(&app, &secretary, &rule).await.len(), 1);

    // Retiring and reactivating are in the audit history; resending the same values is not.
    let actions: Vec<String> = audit_event::Entity::find()
        .filter(audit_event::Column::EntityId.eq(rule.as_str()))
        .order_by_asc(audit_event::Column::Id)
        .all(&app.database().await)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.action)
        .collect();
    assert_eq!(
        actions,
        ["rule.created", "rule.retired", "rule.reactivated"]
    );
}

#[tokio::test]
async fn the_committee_reads_but_cannot_edit_and_another_branch_sees_nothing() {
    let app = TestApp::spawn().await;
    let committee = app.login_as("committee1").await;
    let other_secretary = app.login_as("secretary2").await;
    let rule = app.demo.rule("demo-1", SNOW).to_owned();
    let path = format!("/api/v1/rules/{rule}");
    let change = json!({"standard_points": 3});

    let res = app.patch(&committee, &path, &change).await;
    assert_eq!(
        problem(res, StatusCode::FORBIDDEN).await.code,
        "auth.forbidden"
    );
    assert_eq!(versions(&app, &committee, &rule).await.len(), 1);

    for res in [
        app.patch(&other_secretary, &path, &change).await,
        app.get(&other_secretary, &format!("{path}/versions")).await,
        app.get(&committee, "/api/v1/rules/not-a-rule/versions")
            .await,
    ] {
        assert_eq!(
            problem(res, StatusCode::NOT_FOUND).await.code,
            "rule.not_found"
        );
    }
}
