//! The app offers each committee the screens of its kind of unit: a branch's committee registers
//! deeds for its members, a migrant organisation's committee co-signs its members' deeds. `GET
//! /me` says which kind of unit each role is held on.

use jifen_server::services::orgs;
use jifen_shared::api::MeResponse;
use jifen_shared::domain::{OrgKind, Role};
use jifen_tests::TestApp;

#[tokio::test]
async fn each_role_names_the_kind_of_unit_it_is_held_on() {
    let app = TestApp::spawn().await;
    let committee = app.login_as("committee1").await;
    // committee1 also joins the Beijing migrant organisation's committee.
    orgs::grant_role(
        app.state.db.conn(),
        &committee.member_id,
        &app.demo.migrant_org_id,
        Role::Committee,
        None,
        app.state.now(),
    )
    .await
    .expect("grant committee");

    let me: MeResponse = app
        .get(&committee, "/api/v1/me")
        .await
        .json()
        .await
        .expect("me");
    let kind_at = |unit: &str| {
        me.roles
            .iter()
            .find(|r| r.org_unit_id == unit && r.role == Role::Committee)
            .map(|r| r.org_unit_kind)
    };
    assert_eq!(
        kind_at(app.demo.branch("demo-1")),
        Some(Some(OrgKind::Branch)),
        "the home branch's committee"
    );
    assert_eq!(
        kind_at(&app.demo.migrant_org_id),
        Some(Some(OrgKind::Migrant)),
        "the migrant organisation's committee"
    );
}
