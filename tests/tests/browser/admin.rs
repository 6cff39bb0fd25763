//! 组织管理 in the app: the town's org admin on a tablet opens the tree, sets up a party group,
//! appoints a committee member found by name and revokes the role after confirming; and the
//! committee screens' branch pickers list the branches beneath the admin's town.

use super::*;

#[tokio::test]
async fn a_town_admin_keeps_the_tree_and_its_office_holders_from_a_tablet() {
    let app = TestApp::spawn_with_web_app().await;
    let driver = Driver::start().await.expect("chromedriver");
    let demo1 = app.demo.branch("demo-1").to_owned();
    let member6 = app.demo.member("member6").to_owned();
    let mut tablet = sign_in(&app, &driver, "admin-org", "admin1", TABLET).await;

    tablet.goto(&app.url("/me")).await.unwrap();
    tablet.click("#to-org").await.unwrap();
    tablet.wait_for_path("/org").await.unwrap();
    tablet
        .wait_for_text(".org-tree", "东关村党支部")
        .await
        .unwrap();
    tablet
        .wait_for_text(".org-tree", "西营村党支部")
        .await
        .unwrap();
    tablet.screenshot("tree").await.unwrap();

    // A party group under demo-1: chosen in the tree, created from its panel.
    let row = format!(".org-row[data-unit=\"{demo1}\"] .org-pick");
    tablet.click(&row).await.unwrap();
    tablet
        .wait_for_text(".org-unit-name", "东关村党支部")
        .await
        .unwrap();
    tablet.click("#org-new").await.unwrap();
    tablet.fill("#org-new-name", "第一党小组").await.unwrap();
    tablet.screenshot("new-group").await.unwrap();
    tablet.click("#org-create").await.unwrap();
    tablet
        .wait_for_text("#org-notice", "第一党小组")
        .await
        .unwrap();
    tablet
        .wait_for_text(".org-tree", "第一党小组")
        .await
        .unwrap();

    // member6, found by username, appointed to demo-1's committee.
    tablet.click(&row).await.unwrap();
    tablet
        .wait_for_text(".org-unit-name", "东关村党支部")
        .await
        .unwrap();
    tablet.fill("#appoint-search", "member6").await.unwrap();
    tablet
        .click(&format!(".org-match[data-member=\"{member6}\"]"))
        .await
        .unwrap();
    tablet.select("#appoint-role", "committee").await.unwrap();
    tablet.click("#appoint").await.unwrap();
    tablet.find("#appointed").await.unwrap();
    let holder = format!(".org-holder[data-member=\"{member6}\"][data-role=\"committee\"]");
    tablet.find(&holder).await.unwrap();
    tablet.screenshot("appointed").await.unwrap();

    // Revoked after a confirmation.
    tablet
        .click(&format!("{holder} .org-revoke"))
        .await
        .unwrap();
    tablet.screenshot("revoke-confirm").await.unwrap();
    tablet
        .click(&format!("{holder} .org-revoke-confirm"))
        .await
        .unwrap();
    let admin = app.login_as("admin1").await;
    let gone = || async {
        let roles: jifen_shared::api::UnitRoles = app
            .get(&admin, &format!("/api/v1/orgs/{demo1}/roles"))
            .await
            .json()
            .await
            .unwrap();
        !roles.holders.iter().any(|h| h.member_id == member6)
    };
    tablet
        .wait_until("member6's role is revoked", gone)
        .await
        .unwrap();

    // The committee screens offer the town's branches to its admin.
    tablet.goto(&app.url("/alerts")).await.unwrap();
    tablet
        .wait_for_text(".filters select", "西营村党支部")
        .await
        .unwrap();
    tablet.screenshot("alerts-picker").await.unwrap();
    tablet.close().await;
}
