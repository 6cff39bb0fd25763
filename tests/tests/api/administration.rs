//! Administration through the API: the organisation tree (create, rename, move, public codes),
//! roles under the rule that nobody grants or revokes above their own role, and a branch's
//! invites. Every change is audited, and the history still verifies.

use jifen_server::entity::{audit_event, retired_code};
use jifen_server::services::audit::{self, SealKey};
use jifen_server::services::orgs;
use jifen_shared::api::{
    BindingRequired, BranchInvites, InviteView, NotificationPage, OrgNode, OrgTree, OrgUnitView,
    PendingInviteView, RoleHolder, UnitRoles,
};
use jifen_shared::domain::{NotificationKind, OrgKind, Role};
use jifen_tests::fake_wechat::FakeWechat;
use jifen_tests::{problem, TestApp, User, AUDIT_KEY};
use reqwest::{Response, StatusCode};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
};
use serde_json::json;

async fn delete(app: &TestApp, user: &User, path: &str) -> Response {
    app.client
        .delete(app.url(path))
        .bearer_auth(&user.access_token)
        .send()
        .await
        .expect("DELETE request")
}

async fn grant(app: &TestApp, by: &User, unit: &str, member: &str, role: &str) -> Response {
    let body = json!({"member_id": app.demo.member(member), "role": role});
    app.post(by, &format!("/api/v1/orgs/{unit}/roles"), &body)
        .await
}

async fn roles(app: &TestApp, by: &User, unit: &str) -> UnitRoles {
    let res = app.get(by, &format!("/api/v1/orgs/{unit}/roles")).await;
    assert_eq!(
        res.status(),
        StatusCode::OK,
        "the roles of {unit} are listed"
    );
    res.json().await.expect("roles body")
}

/// The id of `member`'s `role` on `unit`, as the unit's role list shows it.
async fn role_id(app: &TestApp, by: &User, unit: &str, member: &str, role: Role) -> String {
    roles(app, by, unit)
        .await
        .holders
        .into_iter()
        .find(|h| h.member_id == app.demo.member(member) && h.role == role)
        .unwrap_or_else(|| panic!("{member} holds {role} on {unit}"))
        .id
}

async fn code_of(res: Response, status: StatusCode) -> String {
    problem(res, status).await.code
}

async fn inbox_kinds(app: &TestApp, user: &User) -> Vec<NotificationKind> {
    let page: NotificationPage = app.inbox(user).await;
    page.items.into_iter().map(|n| n.kind).collect()
}

#[tokio::test]
async fn a_secretary_appoints_the_committee_of_their_own_branch_and_no_higher() {
    let app = TestApp::spawn().await;
    let demo1 = app.demo.branch("demo-1").to_owned();
    let demo2 = app.demo.branch("demo-2").to_owned();
    let committee = app.login_as("committee1").await;
    let secretary = app.login_as("secretary1").await;
    let member3 = app.login_as("member3").await;

    // A committee member grants nothing, not even their own role.
    let res = grant(&app, &committee, &demo1, "member3", "committee").await;
    assert_eq!(code_of(res, StatusCode::FORBIDDEN).await, "auth.forbidden");
    // Before the appointment member3 may not look at the branch's roles.
    let res = app
        .get(&member3, &format!("/api/v1/orgs/{demo1}/roles"))
        .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let review = format!("/api/v1/deeds?scope=review&branch_id={demo1}");
    let res = app.get(&member3, &review).await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND, "not a reviewer yet");

    // The secretary appoints member3 to the committee; asking again changes nothing.
    let res = grant(&app, &secretary, &demo1, "member3", "committee").await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let holder: RoleHolder = res.json().await.unwrap();
    assert_eq!(holder.role, Role::Committee);
    assert!(
        holder.revocable,
        "the secretary may revoke what they granted"
    );
    let res = grant(&app, &secretary, &demo1, "member3", "committee").await;
    assert_eq!(
        res.status(),
        StatusCode::OK,
        "a role held already is not granted twice"
    );
    let again: RoleHolder = res.json().await.unwrap();
    assert_eq!(again.id, holder.id);

    // member3 is told, and may review from the next request on.
    assert!(inbox_kinds(&app, &member3)
        .await
        .contains(&NotificationKind::RoleGranted));
    let listed = roles(&app, &member3, &demo1).await;
    assert!(
        listed.grantable.is_empty(),
        "a committee member grants nothing"
    );
    let res = app.get(&member3, &review).await;
    assert_eq!(
        res.status(),
        StatusCode::OK,
        "the new committee member reviews"
    );

    // An equal role on the own branch is allowed: a second secretary.
    let res = grant(&app, &secretary, &demo1, "member4", "secretary").await;
    assert_eq!(res.status(), StatusCode::CREATED);
    // Nothing above their own, nothing on another branch, nobody from elsewhere, no membership.
    let res = grant(&app, &secretary, &demo1, "member5", "org_admin").await;
    assert_eq!(code_of(res, StatusCode::FORBIDDEN).await, "role.above_own");
    let res = grant(&app, &secretary, &demo2, "member16", "secretary").await;
    assert_eq!(
        code_of(res, StatusCode::NOT_FOUND).await,
        "org_unit.not_found"
    );
    let res = grant(&app, &secretary, &demo1, "member16", "committee").await;
    let p = problem(res, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(p.errors[0].field, "member_id", "a member of demo-2: {p:?}");
    let res = grant(&app, &secretary, &demo1, "member5", "member").await;
    let p = problem(res, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(p.errors[0].field, "role");
    let res = app
        .post(
            &secretary,
            &format!("/api/v1/orgs/{demo1}/roles"),
            &json!({"member_id": app.demo.member("member5"), "role": "chief"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST, "an unknown role");

    let listed = roles(&app, &secretary, &demo1).await;
    assert_eq!(listed.grantable, [Role::Committee, Role::Secretary]);
    let ranks: Vec<Role> = listed.holders.iter().map(|h| h.role).collect();
    assert_eq!(
        ranks,
        [
            Role::Secretary,
            Role::Secretary,
            Role::Committee,
            Role::Committee,
            Role::Committee
        ],
        "highest first: {listed:?}"
    );
    assert!(
        !listed.holders.iter().any(|h| h.role == Role::Member),
        "membership is the roster's"
    );
}

#[tokio::test]
async fn a_town_admin_appoints_secretaries_below_it_but_nobody_over_the_county() {
    let app = TestApp::spawn().await;
    let admin = app.login_as("admin1").await;
    let demo2 = app.demo.branch("demo-2");

    let res = grant(&app, &admin, demo2, "member16", "secretary").await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let res = grant(&app, &admin, demo2, "member17", "org_admin").await;
    assert_eq!(
        res.status(),
        StatusCode::CREATED,
        "an org admin may make another, below their unit"
    );
    let res = grant(&app, &admin, &app.demo.county_id, "member16", "org_admin").await;
    assert_eq!(
        code_of(res, StatusCode::NOT_FOUND).await,
        "org_unit.not_found"
    );
    let res = grant(&app, &admin, &app.demo.town_id, "secretary2", "org_admin").await;
    assert_eq!(res.status(), StatusCode::CREATED, "the town's own admin");

    // The new secretary of demo-2 manages it at once.
    let new_secretary = app.login_as("member16").await;
    let listed = roles(&app, &new_secretary, demo2).await;
    assert_eq!(listed.grantable, [Role::Committee, Role::Secretary]);
}

#[tokio::test]
async fn revoking_keeps_to_the_rule_and_never_leaves_a_branch_without_its_secretary() {
    let app = TestApp::spawn().await;
    let demo1 = app.demo.branch("demo-1").to_owned();
    let secretary = app.login_as("secretary1").await;
    let committee = app.login_as("committee1").await;
    let admin = app.login_as("admin1").await;
    let member3 = app.login_as("member3").await;
    assert_eq!(
        grant(&app, &secretary, &demo1, "member3", "committee")
            .await
            .status(),
        StatusCode::CREATED
    );
    let member3_committee = role_id(&app, &secretary, &demo1, "member3", Role::Committee).await;

    let res = delete(
        &app,
        &committee,
        &format!("/api/v1/roles/{member3_committee}"),
    )
    .await;
    assert_eq!(code_of(res, StatusCode::FORBIDDEN).await, "auth.forbidden");
    let res = delete(
        &app,
        &secretary,
        &format!("/api/v1/roles/{member3_committee}"),
    )
    .await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    // Revoked at once: the same token no longer reaches the branch's roles.
    let res = app
        .get(&member3, &format!("/api/v1/orgs/{demo1}/roles"))
        .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert!(inbox_kinds(&app, &member3)
        .await
        .contains(&NotificationKind::RoleRevoked));
    let res = delete(
        &app,
        &secretary,
        &format!("/api/v1/roles/{member3_committee}"),
    )
    .await;
    assert_eq!(code_of(res, StatusCode::NOT_FOUND).await, "role.not_found");
    let res = delete(&app, &secretary, "/api/v1/roles/not-an-id").await;
    assert_eq!(code_of(res, StatusCode::NOT_FOUND).await, "role.not_found");

    // Not one's own highest role; a lower one of one's own is fine.
    let own_secretary = role_id(&app, &secretary, &demo1, "secretary1", Role::Secretary).await;
    let res = delete(&app, &secretary, &format!("/api/v1/roles/{own_secretary}")).await;
    assert_eq!(
        code_of(res, StatusCode::FORBIDDEN).await,
        "role.own_highest"
    );
    let own_committee = role_id(&app, &secretary, &demo1, "secretary1", Role::Committee).await;
    let res = delete(&app, &secretary, &format!("/api/v1/roles/{own_committee}")).await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);

    // Nothing above one's own: the secretary cannot even see the town's administrator.
    let admin_role = role_id(&app, &admin, &app.demo.town_id, "admin1", Role::OrgAdmin).await;
    let res = delete(&app, &secretary, &format!("/api/v1/roles/{admin_role}")).await;
    assert_eq!(code_of(res, StatusCode::NOT_FOUND).await, "role.not_found");
    let res = delete(&app, &admin, &format!("/api/v1/roles/{admin_role}")).await;
    assert_eq!(
        code_of(res, StatusCode::FORBIDDEN).await,
        "role.own_highest"
    );

    // The branch's only secretary stays until the successor is appointed.
    let res = delete(&app, &admin, &format!("/api/v1/roles/{own_secretary}")).await;
    assert_eq!(
        code_of(res, StatusCode::CONFLICT).await,
        "role.last_secretary"
    );
    assert_eq!(
        grant(&app, &admin, &demo1, "member4", "secretary")
            .await
            .status(),
        StatusCode::CREATED
    );
    let res = delete(&app, &admin, &format!("/api/v1/roles/{own_secretary}")).await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    let res = grant(&app, &secretary, &demo1, "member5", "committee").await;
    assert_eq!(
        res.status(),
        StatusCode::FORBIDDEN,
        "the former secretary grants nothing any more"
    );
}

#[tokio::test]
async fn the_tree_shows_what_the_caller_oversees_and_new_units_fit_their_parents() {
    let app = TestApp::spawn().await;
    let demo1 = app.demo.branch("demo-1").to_owned();
    let town = app.demo.town_id.clone();
    let admin = app.login_as("admin1").await;
    let secretary = app.login_as("secretary1").await;
    let member = app.login_as("member1").await;

    let tree: OrgTree = app.get(&admin, "/api/v1/orgs").await.json().await.unwrap();
    let names: Vec<(&str, OrgKind, Role)> = tree
        .units
        .iter()
        .map(|u| (u.name.as_str(), u.kind, u.role))
        .collect();
    assert_eq!(
        names,
        [
            ("城关镇党委", OrgKind::Town, Role::OrgAdmin),
            ("东关村党支部", OrgKind::Branch, Role::OrgAdmin),
            ("西营村党支部", OrgKind::Branch, Role::OrgAdmin),
        ],
        "the town and its branches, parents first; not the county above it"
    );
    assert_eq!(tree.units[0].parent_id, None, "the top of what admin1 sees");
    assert_eq!(tree.units[1].parent_id.as_deref(), Some(town.as_str()));
    let tree: OrgTree = app
        .get(&secretary, "/api/v1/orgs")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(tree.units.len(), 1);
    assert_eq!(tree.units[0].role, Role::Secretary);
    let tree: OrgTree = app.get(&member, "/api/v1/orgs").await.json().await.unwrap();
    assert!(tree.units.is_empty(), "a plain member oversees nothing");

    // A party group under a branch, a migrant organisation under the town.
    let res = app
        .post(
            &admin,
            "/api/v1/orgs",
            &json!({"parent_id": demo1, "kind": "group", "name": "第一党小组"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let group: OrgNode = res.json().await.unwrap();
    assert_eq!(group.parent_id.as_deref(), Some(demo1.as_str()));
    let res = app
        .post(
            &admin,
            "/api/v1/orgs",
            &json!({"parent_id": town, "kind": "migrant", "name": "驻上海流动党员党支部", "code": "Migrant-SH"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let migrant: OrgNode = res.json().await.unwrap();
    assert_eq!(
        migrant.code.as_deref(),
        Some("migrant-sh"),
        "codes are lower case"
    );

    // Kinds that do not fit, codes where there are none, units admin1 does not administer.
    for (body, field, why) in [
        (
            json!({"parent_id": demo1, "kind": "branch", "name": "支部里的支部"}),
            "kind",
            "a branch in a branch",
        ),
        (
            json!({"parent_id": town, "kind": "town", "name": "镇里的镇"}),
            "kind",
            "a town in a town",
        ),
        (
            json!({"parent_id": group.id, "kind": "group", "name": "小组里的小组"}),
            "kind",
            "a group in a group",
        ),
        (
            json!({"parent_id": demo1, "kind": "group", "name": "第二党小组", "code": "g-2"}),
            "code",
            "a group has no code",
        ),
        (
            json!({"parent_id": town, "kind": "branch", "name": "南街村党支部", "code": "-x"}),
            "code",
            "a bad code",
        ),
        (
            json!({"parent_id": town, "kind": "branch", "name": " "}),
            "name",
            "no name",
        ),
    ] {
        let res = app.post(&admin, "/api/v1/orgs", &body).await;
        let p = problem(res, StatusCode::UNPROCESSABLE_ENTITY).await;
        assert_eq!(p.errors[0].field, field, "{why}: {p:?}");
    }
    let res = app
        .post(
            &admin,
            "/api/v1/orgs",
            &json!({"parent_id": town, "kind": "branch", "name": "南街村党支部", "code": "demo-2"}),
        )
        .await;
    assert_eq!(
        code_of(res, StatusCode::CONFLICT).await,
        "org_unit.code_taken"
    );
    let res = app
        .post(
            &admin,
            "/api/v1/orgs",
            &json!({"parent_id": app.demo.county_id, "kind": "town", "name": "新镇党委"}),
        )
        .await;
    assert_eq!(
        code_of(res, StatusCode::NOT_FOUND).await,
        "org_unit.not_found"
    );
    let res = app
        .post(
            &secretary,
            "/api/v1/orgs",
            &json!({"parent_id": demo1, "kind": "group", "name": "第二党小组"}),
        )
        .await;
    assert_eq!(
        code_of(res, StatusCode::FORBIDDEN).await,
        "auth.forbidden",
        "only org admins create"
    );

    // A unit with its children; 403 to its plain members, 404 to everyone else.
    let view: OrgUnitView = app
        .get(&admin, &format!("/api/v1/orgs/{demo1}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        view.unit.grantable,
        [Role::Committee, Role::Secretary, Role::OrgAdmin]
    );
    assert_eq!(view.children.len(), 1);
    assert_eq!(view.children[0].name, "第一党小组");
    let res = app.get(&member, &format!("/api/v1/orgs/{demo1}")).await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let outsider = app.login_as("member16").await;
    let res = app.get(&outsider, &format!("/api/v1/orgs/{demo1}")).await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    let res = app.get(&admin, "/api/v1/orgs/no-such-unit").await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_unit_moves_only_where_its_kind_fits_and_never_beneath_itself() {
    let app = TestApp::spawn().await;
    let demo1 = app.demo.branch("demo-1").to_owned();
    let demo2 = app.demo.branch("demo-2").to_owned();
    let town = app.demo.town_id.clone();
    let county = app.demo.county_id.clone();
    let admin = app.login_as("admin1").await;
    let patch = |unit: &str, body: serde_json::Value| {
        let path = format!("/api/v1/orgs/{unit}");
        let admin = admin.clone();
        let app = &app;
        async move { app.patch(&admin, &path, &body).await }
    };

    let group: OrgNode = app
        .post(
            &admin,
            "/api/v1/orgs",
            &json!({"parent_id": demo1, "kind": "group", "name": "第一党小组"}),
        )
        .await
        .json()
        .await
        .unwrap();
    let res = patch(&group.id, json!({"parent_id": demo2})).await;
    assert_eq!(
        res.status(),
        StatusCode::OK,
        "a group moves to another branch"
    );
    let moved: OrgNode = res.json().await.unwrap();
    assert_eq!(moved.parent_id.as_deref(), Some(demo2.as_str()));

    for (unit, parent, code) in [
        (demo2.as_str(), demo2.as_str(), "org_unit.cycle"),
        (demo2.as_str(), group.id.as_str(), "org_unit.cycle"),
        (demo1.as_str(), demo2.as_str(), "org_unit.kind_mismatch"),
        (group.id.as_str(), town.as_str(), "org_unit.kind_mismatch"),
    ] {
        let res = patch(unit, json!({"parent_id": parent})).await;
        let p = problem(res, StatusCode::UNPROCESSABLE_ENTITY).await;
        assert_eq!(p.errors[0].field, "parent_id");
        assert_eq!(p.errors[0].code, code, "{unit} under {parent}");
    }
    let res = patch(&town, json!({"parent_id": demo1})).await;
    assert_eq!(
        code_of(res, StatusCode::FORBIDDEN).await,
        "auth.forbidden",
        "admin1 does not administer the county the town would be taken from"
    );
    let res = patch(&demo2, json!({"parent_id": county})).await;
    assert_eq!(
        res.status(),
        StatusCode::NOT_FOUND,
        "admin1 does not administer the county"
    );

    // A county administrator opens a second town; admin1 cannot move a branch there, they can.
    orgs::grant_role(
        app.state.db.conn(),
        app.demo.member("member14"),
        &county,
        Role::OrgAdmin,
        None,
        app.state.now(),
    )
    .await
    .unwrap();
    let county_admin = app.login_as("member14").await;
    let res = app
        .patch(
            &county_admin,
            &format!("/api/v1/orgs/{county}"),
            &json!({"parent_id": town}),
        )
        .await;
    let p = problem(res, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(p.errors[0].code, "org_unit.top_level");
    let res = app
        .patch(
            &county_admin,
            &format!("/api/v1/orgs/{town}"),
            &json!({"parent_id": demo1}),
        )
        .await;
    let p = problem(res, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(p.errors[0].code, "org_unit.cycle");
    let second = app
        .open_unit(&county_admin, &county, "town", "河西镇党委")
        .await;
    let res = patch(&demo2, json!({"parent_id": second})).await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    let res = app
        .patch(
            &county_admin,
            &format!("/api/v1/orgs/{demo2}"),
            &json!({"parent_id": second, "name": "西营村党支部（河西）"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    // Administration follows the tree at once: demo-2 is no longer admin1's.
    let res = app.get(&admin, &format!("/api/v1/orgs/{demo2}")).await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    let tree: OrgTree = app.get(&admin, "/api/v1/orgs").await.json().await.unwrap();
    assert!(!tree.units.iter().any(|u| u.id == demo2));
    let tree: OrgTree = app
        .get(&county_admin, "/api/v1/orgs")
        .await
        .json()
        .await
        .unwrap();
    let moved = tree
        .units
        .iter()
        .find(|u| u.id == demo2)
        .expect("in the county");
    assert_eq!(moved.parent_id.as_deref(), Some(second.as_str()));
    assert_eq!(moved.name, "西营村党支部（河西）");
    let at = tree.units.iter().position(|u| u.id == demo2).unwrap();
    let parent_at = tree.units.iter().position(|u| u.id == second).unwrap();
    assert!(parent_at < at, "parents come first");
}

#[tokio::test]
async fn a_new_code_moves_the_public_board_and_the_old_address_leads_there() {
    let app = TestApp::spawn().await;
    let demo1 = app.demo.branch("demo-1").to_owned();
    let demo2 = app.demo.branch("demo-2").to_owned();
    let admin = app.login_as("admin1").await;
    let secretary2 = app.login_as("secretary2").await;
    let browser = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let board = |code: &str| {
        let req = browser.get(app.url(&format!("/board/{code}?year=2026&quarter=1")));
        async move { req.send().await.unwrap() }
    };

    let res = app
        .patch(
            &secretary2,
            &format!("/api/v1/orgs/{demo2}"),
            &json!({"code": "xi-ying"}),
        )
        .await;
    assert_eq!(
        code_of(res, StatusCode::FORBIDDEN).await,
        "auth.forbidden",
        "a branch's code is its administrators' to change"
    );
    let res = app
        .patch(
            &admin,
            &format!("/api/v1/orgs/{demo2}"),
            &json!({"code": " Xi-Ying "}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let node: OrgNode = res.json().await.unwrap();
    assert_eq!(node.code.as_deref(), Some("xi-ying"));

    // The board lives at the new address; the old one leads there, keeping the quarter asked.
    let res = board("xi-ying").await;
    assert_eq!(
        res.status(),
        StatusCode::NOT_FOUND,
        "nothing posted for that quarter"
    );
    assert!(res.text().await.unwrap().contains("西营村党支部"));
    let res = board("demo-2").await;
    assert_eq!(res.status(), StatusCode::FOUND);
    assert_eq!(
        res.headers()["location"].to_str().unwrap(),
        "/board/xi-ying?year=2026&quarter=1"
    );
    assert_eq!(board("demo-9").await.status(), StatusCode::NOT_FOUND);

    // The new code and the retired one are demo-2's alone; bad codes and codes on towns refused.
    for code in ["xi-ying", "demo-2"] {
        let res = app
            .patch(
                &admin,
                &format!("/api/v1/orgs/{demo1}"),
                &json!({"code": code}),
            )
            .await;
        assert_eq!(
            code_of(res, StatusCode::CONFLICT).await,
            "org_unit.code_taken",
            "{code}"
        );
    }
    let res = app
        .patch(
            &admin,
            &format!("/api/v1/orgs/{demo1}"),
            &json!({"code": "东关"}),
        )
        .await;
    let p = problem(res, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(p.errors[0].code, "org_unit.code_invalid");
    let res = app
        .patch(
            &admin,
            &format!("/api/v1/orgs/{}", app.demo.town_id),
            &json!({"code": "cheng-guan"}),
        )
        .await;
    let p = problem(res, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(p.errors[0].code, "org_unit.code_not_for_kind");

    // Taking the old code back revives it; the other one now leads there.
    let res = app
        .patch(
            &admin,
            &format!("/api/v1/orgs/{demo2}"),
            &json!({"code": "demo-2"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(board("demo-2").await.status(), StatusCode::NOT_FOUND);
    let res = board("xi-ying").await;
    assert_eq!(res.status(), StatusCode::FOUND);
    assert!(res.headers()["location"]
        .to_str()
        .unwrap()
        .starts_with("/board/demo-2?"));

    // A patch that changes nothing records nothing.
    let before = events(&app, &demo2).await.len();
    let res = app
        .patch(
            &admin,
            &format!("/api/v1/orgs/{demo2}"),
            &json!({"code": "demo-2"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(events(&app, &demo2).await.len(), before);
}

async fn events(app: &TestApp, chain: &str) -> Vec<audit_event::Model> {
    audit_event::Entity::find()
        .filter(audit_event::Column::ChainId.eq(chain))
        .order_by_asc(audit_event::Column::Seq)
        .all(app.state.db.conn())
        .await
        .unwrap()
}

#[tokio::test]
async fn a_branchs_invites_are_listed_without_their_codes_and_a_revoked_code_no_longer_binds() {
    let fake = FakeWechat::start().await;
    let app = TestApp::spawn_with_wechat(&fake).await;
    let demo1 = app.demo.branch("demo-1").to_owned();
    let secretary = app.login_as("secretary1").await;
    let committee = app.login_as("committee1").await;
    let admin = app.login_as("admin1").await;
    let path = format!("/api/v1/branches/{demo1}/invites");

    let res = app.issue_invite(&secretary, "member3").await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let invite: InviteView = res.json().await.unwrap();
    // A role holder's code takes a second person: a request waits.
    let res = app.issue_invite(&secretary, "committee1").await;
    assert_eq!(res.status(), StatusCode::ACCEPTED);
    let request: PendingInviteView = res.json().await.unwrap();

    let res = app.get(&secretary, &path).await;
    assert_eq!(res.status(), StatusCode::OK);
    let text = res.text().await.unwrap();
    assert!(!text.contains(&invite.code), "the code is shown only once");
    let listed: BranchInvites = serde_json::from_str(&text).unwrap();
    assert_eq!(listed.open.len(), 1);
    assert_eq!(listed.open[0].member_id, app.demo.member("member3"));
    assert_eq!(listed.open[0].issued_by, secretary.member_id);
    assert_eq!(listed.requests.len(), 1);
    assert_eq!(listed.requests[0].id, request.id);
    let res = app.get(&admin, &path).await;
    assert_eq!(
        res.status(),
        StatusCode::OK,
        "an administrator above sees them too"
    );
    let res = app.get(&committee, &path).await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let res = app.get(&app.login_as("secretary2").await, &path).await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);

    // Revoked: gone from the list, and binding with it fails.
    let revoke = |id: &str| format!("/api/v1/invites/{id}/revoke");
    let res = app
        .post(&committee, &revoke(&listed.open[0].id), &json!({}))
        .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let res = app
        .post(&secretary, &revoke(&listed.open[0].id), &json!({}))
        .await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    let res = app
        .post(&secretary, &revoke(&listed.open[0].id), &json!({}))
        .await;
    assert_eq!(
        code_of(res, StatusCode::NOT_FOUND).await,
        "invite.not_found"
    );
    let res = app.post(&secretary, &revoke(&request.id), &json!({})).await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    let listed: BranchInvites = app.get(&secretary, &path).await.json().await.unwrap();
    assert!(
        listed.open.is_empty() && listed.requests.is_empty(),
        "{listed:?}"
    );
    let res = app
        .post(
            &committee,
            &format!("/api/v1/invites/{}/confirm", request.id),
            &json!({}),
        )
        .await;
    assert_eq!(
        res.status(),
        StatusCode::NOT_FOUND,
        "a revoked request is not confirmed"
    );

    fake.user("code-liu", "openid-liu", None);
    let ticket: BindingRequired = app.wechat_login("code-liu").await.json().await.unwrap();
    let res = app.wechat_bind(&ticket.binding_ticket, &invite.code).await;
    assert_eq!(
        code_of(res, StatusCode::BAD_REQUEST).await,
        "wechat.invite_invalid",
        "a revoked code no longer binds"
    );
}

#[tokio::test]
async fn every_administrative_change_is_in_the_audit_history_and_it_verifies() {
    let fake = FakeWechat::start().await;
    let app = TestApp::spawn_with_wechat(&fake).await;
    let demo1 = app.demo.branch("demo-1").to_owned();
    let demo2 = app.demo.branch("demo-2").to_owned();
    let admin = app.login_as("admin1").await;
    let secretary = app.login_as("secretary1").await;

    let group: OrgNode = app
        .post(
            &admin,
            "/api/v1/orgs",
            &json!({"parent_id": demo1, "kind": "group", "name": "第一党小组"}),
        )
        .await
        .json()
        .await
        .unwrap();
    let res = app
        .patch(
            &admin,
            &format!("/api/v1/orgs/{}", group.id),
            &json!({"name": "第二党小组", "parent_id": demo2}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let res = app
        .patch(
            &admin,
            &format!("/api/v1/orgs/{demo2}"),
            &json!({"code": "xi-ying"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(
        grant(&app, &secretary, &demo1, "member3", "committee")
            .await
            .status(),
        StatusCode::CREATED
    );
    let id = role_id(&app, &secretary, &demo1, "member3", Role::Committee).await;
    assert_eq!(
        delete(&app, &secretary, &format!("/api/v1/roles/{id}"))
            .await
            .status(),
        StatusCode::NO_CONTENT
    );
    let invite: InviteView = app
        .issue_invite(&secretary, "member5")
        .await
        .json()
        .await
        .unwrap();
    let listed: BranchInvites = app
        .get(&secretary, &format!("/api/v1/branches/{demo1}/invites"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(listed.open[0].member_id, invite.member_id);
    let res = app
        .post(
            &secretary,
            &format!("/api/v1/invites/{}/revoke", listed.open[0].id),
            &json!({}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);

    let actions = |events: Vec<audit_event::Model>, by: &str| -> Vec<String> {
        events
            .into_iter()
            .filter(|e| e.actor_id.as_deref() == Some(by))
            .map(|e| e.action)
            .collect()
    };
    assert_eq!(
        actions(events(&app, &group.id).await, &admin.member_id),
        ["org_unit.created", "org_unit.updated"],
        "the group's own chain tells its story, the move included"
    );
    let moved = events(&app, &group.id).await.pop().unwrap();
    let after: serde_json::Value = serde_json::from_str(moved.after.as_deref().unwrap()).unwrap();
    assert_eq!(after, json!({"name": "第二党小组", "parent_id": demo2}));
    let recoded = events(&app, &demo2).await.pop().unwrap();
    assert_eq!(recoded.action, "org_unit.updated");
    assert_eq!(recoded.before.as_deref(), Some(r#"{"code":"demo-2"}"#));
    assert_eq!(
        actions(events(&app, &demo1).await, &secretary.member_id),
        [
            "role.granted",
            "role.revoked",
            "wechat.invite_issued",
            "wechat.invite_revoked"
        ]
    );

    let verified = audit::verify_with(
        app.state.db.conn(),
        Some(&SealKey::new(&jifen_server::infra::config::Secret::new(
            AUDIT_KEY,
        ))),
    )
    .await;
    assert!(verified.is_ok(), "{verified:?}");
}

/// `who`'s first password, proven by an invite code.
async fn first_password(app: &TestApp, who: &User, code: &str) -> Response {
    app.client
        .put(app.url("/api/v1/me/password"))
        .bearer_auth(&who.access_token)
        .json(&json!({"new_password": "a-long-secret-123", "invite_code": code}))
        .send()
        .await
        .expect("PUT request")
}

async fn ticket(app: &TestApp, fake: &FakeWechat, openid: &str) -> String {
    let code = format!("code-{openid}");
    fake.user(&code, openid, None);
    let res = app.wechat_login(&code).await;
    let required: BindingRequired = res.json().await.expect("binding ticket");
    required.binding_ticket
}

#[tokio::test]
async fn a_plain_members_invite_code_stops_working_once_they_hold_a_role() {
    let fake = FakeWechat::start().await;
    let app = TestApp::spawn_with_wechat(&fake).await;
    let demo1 = app.demo.branch("demo-1").to_owned();
    let secretary = app.login_as("secretary1").await;
    let committee = app.login_as("committee1").await;

    // The secretary alone issues member3 a code, then appoints member3 to the committee: the
    // code is revoked with the appointment, so it cannot bind a role holder's account.
    let invite: InviteView = app
        .issue_invite(&secretary, "member3")
        .await
        .json()
        .await
        .unwrap();
    let res = grant(&app, &secretary, &demo1, "member3", "committee").await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let res = app
        .wechat_bind(&ticket(&app, &fake, "openid-3").await, &invite.code)
        .await;
    assert_eq!(
        code_of(res, StatusCode::BAD_REQUEST).await,
        "wechat.invite_invalid",
        "the appointment revoked the code"
    );
    let revoked = events(&app, &demo1)
        .await
        .into_iter()
        .rfind(|e| e.action == "wechat.invite_revoked")
        .expect("the revocation is audited");
    let after: serde_json::Value = serde_json::from_str(revoked.after.as_deref().unwrap()).unwrap();
    assert_eq!(after["invite_ids"].as_array().map(Vec::len), Some(1));
    assert_eq!(
        revoked.actor_id.as_deref(),
        Some(secretary.member_id.as_str())
    );

    // A role given where nothing revokes codes (the command line): the code is refused where it
    // is redeemed, for binding and for a first password alike.
    let invite: InviteView = app
        .issue_invite(&secretary, "member5")
        .await
        .json()
        .await
        .unwrap();
    let member8 = app.bind_wechat(&fake, "member8", "openid-8").await;
    let id8 = app.demo.member("member8").to_owned();
    app.state
        .db
        .conn()
        .execute_unprepared(&format!(
            "UPDATE member SET password_hash = NULL WHERE id = '{id8}'"
        ))
        .await
        .unwrap();
    let code8: InviteView = app
        .issue_invite(&secretary, "member8")
        .await
        .json()
        .await
        .unwrap();
    for member in ["member5", "member8"] {
        orgs::grant_role(
            app.state.db.conn(),
            app.demo.member(member),
            &demo1,
            Role::Committee,
            None,
            app.state.now(),
        )
        .await
        .unwrap();
    }
    let res = app
        .wechat_bind(&ticket(&app, &fake, "openid-5").await, &invite.code)
        .await;
    let p = problem(res, StatusCode::BAD_REQUEST).await;
    assert_eq!(p.code, "wechat.invite_unconfirmed");
    let res = first_password(&app, &member8, &code8.code).await;
    let p = problem(res, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(p.errors[0].code, "password.invite_unconfirmed");

    // Asked for by one role holder and confirmed by another, a code works.
    let res = app.issue_invite(&secretary, "member8").await;
    assert_eq!(res.status(), StatusCode::ACCEPTED);
    let request: PendingInviteView = res.json().await.unwrap();
    let confirmed: InviteView = app
        .post(
            &committee,
            &format!("/api/v1/invites/{}/confirm", request.id),
            &json!({}),
        )
        .await
        .json()
        .await
        .unwrap();
    let res = first_password(&app, &member8, &confirmed.code).await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
}

/// Sends `method path` as `user` to the server at `base`, answering the status.
async fn send(
    app: &TestApp,
    base: &str,
    method: reqwest::Method,
    user: &User,
    path: &str,
    body: Option<serde_json::Value>,
) -> StatusCode {
    let mut req = app
        .client
        .request(method, format!("{base}{path}"))
        .bearer_auth(&user.access_token);
    if let Some(body) = body {
        req = req.json(&body);
    }
    req.send().await.expect("request").status()
}

#[tokio::test]
async fn two_instances_revoking_both_secretaries_at_once_leave_one() {
    let app = TestApp::spawn().await;
    let other = app.another_instance().await;
    let demo1 = app.demo.branch("demo-1").to_owned();
    let admin = app.login_as("admin1").await;

    // The same appointment made twice at once: one makes it, the other finds it made.
    let path = format!("/api/v1/orgs/{demo1}/roles");
    let body = json!({"member_id": app.demo.member("member4"), "role": "secretary"});
    let (a, b) = tokio::join!(
        send(
            &app,
            &app.address,
            reqwest::Method::POST,
            &admin,
            &path,
            Some(body.clone())
        ),
        send(
            &app,
            &other.address,
            reqwest::Method::POST,
            &admin,
            &path,
            Some(body)
        ),
    );
    let mut statuses = [a, b];
    statuses.sort();
    assert_eq!(statuses, [StatusCode::OK, StatusCode::CREATED]);

    let first = role_id(&app, &admin, &demo1, "secretary1", Role::Secretary).await;
    let second = role_id(&app, &admin, &demo1, "member4", Role::Secretary).await;
    let (first, second) = (
        format!("/api/v1/roles/{first}"),
        format!("/api/v1/roles/{second}"),
    );
    let (a, b) = tokio::join!(
        send(
            &app,
            &app.address,
            reqwest::Method::DELETE,
            &admin,
            &first,
            None
        ),
        send(
            &app,
            &other.address,
            reqwest::Method::DELETE,
            &admin,
            &second,
            None
        ),
    );
    let mut statuses = [a, b];
    statuses.sort();
    assert_eq!(
        statuses,
        [StatusCode::NO_CONTENT, StatusCode::CONFLICT],
        "exactly one secretary goes"
    );
    let left = roles(&app, &admin, &demo1)
        .await
        .holders
        .into_iter()
        .filter(|h| h.role == Role::Secretary)
        .count();
    assert_eq!(left, 1, "the branch keeps a secretary");
    other.stop().await;
}

#[tokio::test]
async fn a_unit_is_taken_away_only_by_someone_who_administers_where_it_is() {
    let app = TestApp::spawn().await;
    let demo2 = app.demo.branch("demo-2").to_owned();
    let now = app.state.now();
    let db = app.state.db.conn();
    let second = orgs::create_org(
        db,
        Some(&app.demo.county_id),
        OrgKind::Town,
        "河西镇党委",
        None,
        now,
    )
    .await
    .unwrap();
    // member14 administers demo-2 itself and the second town, not demo-2's town.
    for unit in [demo2.as_str(), second.id.as_str()] {
        orgs::grant_role(
            db,
            app.demo.member("member14"),
            unit,
            Role::OrgAdmin,
            None,
            now,
        )
        .await
        .unwrap();
    }
    let member14 = app.login_as("member14").await;
    let res = app
        .patch(
            &member14,
            &format!("/api/v1/orgs/{demo2}"),
            &json!({"parent_id": second.id}),
        )
        .await;
    assert_eq!(
        code_of(res, StatusCode::FORBIDDEN).await,
        "auth.forbidden",
        "demo-2's town is not member14's to take it from"
    );
    let unit: OrgUnitView = app
        .get(&member14, &format!("/api/v1/orgs/{demo2}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        unit.unit.parent_id.as_deref(),
        Some(app.demo.town_id.as_str())
    );

    // Granted as `jifen admin grant` does, in a write transaction whose commit tells this
    // server (member14's reach is kept since the refusal above).
    let txn = app.state.db.begin_write().await.unwrap();
    orgs::grant_role(
        &*txn,
        app.demo.member("member14"),
        &app.demo.town_id,
        Role::OrgAdmin,
        None,
        now,
    )
    .await
    .unwrap();
    txn.commit().await.unwrap();
    let res = app
        .patch(
            &member14,
            &format!("/api/v1/orgs/{demo2}"),
            &json!({"parent_id": second.id}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
}

#[tokio::test]
async fn codes_change_at_once_without_failing_and_old_codes_still_find_the_branch() {
    let app = TestApp::spawn().await;
    let other = app.another_instance().await;
    let demo2 = app.demo.branch("demo-2").to_owned();
    let admin = app.login_as("admin1").await;

    // Two new codes for one branch at once: both are taken in turn, nothing fails.
    let path = format!("/api/v1/orgs/{demo2}");
    let (a, b) = tokio::join!(
        send(
            &app,
            &app.address,
            reqwest::Method::PATCH,
            &admin,
            &path,
            Some(json!({"code": "xi-ying"}))
        ),
        send(
            &app,
            &other.address,
            reqwest::Method::PATCH,
            &admin,
            &path,
            Some(json!({"code": "xiying-cun"}))
        ),
    );
    assert_eq!((a, b), (StatusCode::OK, StatusCode::OK));
    let now: OrgUnitView = app.get(&admin, &path).await.json().await.unwrap();
    let current = now.unit.code.expect("a code");
    assert!(["xi-ying", "xiying-cun"].contains(&current.as_str()));

    // The mini program's public API follows the branch under any code it had.
    for code in ["demo-2", "xi-ying", "xiying-cun"] {
        let res = app
            .client
            .get(app.url(&format!("/api/v1/public/branches/{code}/board")))
            .send()
            .await
            .unwrap();
        assert_eq!(
            code_of(res, StatusCode::NOT_FOUND).await,
            "board.not_found",
            "{code} finds the branch, which has posted nothing yet"
        );
        let res = app
            .post_anonymous(
                &format!("/api/v1/public/branches/{code}/feedback"),
                &json!({"year": 2026, "quarter": 1, "body": "路灯坏了"}),
            )
            .await;
        assert_eq!(
            code_of(res, StatusCode::NOT_FOUND).await,
            "board.not_found",
            "{code}"
        );
    }
    let res = app
        .client
        .get(app.url("/api/v1/public/branches/demo-9/board"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        code_of(res, StatusCode::NOT_FOUND).await,
        "org_unit.not_found"
    );

    // The command line and the seed take codes by the same rule: none another unit has or had.
    let db = app.state.db.conn();
    let make = |code: &'static str| {
        orgs::create_org(
            db,
            Some(&app.demo.town_id),
            OrgKind::Branch,
            "新村党支部",
            Some(code),
            app.state.now(),
        )
    };
    for code in ["x", "a--b", "-ab", "东关"] {
        let err = make(code).await.expect_err(code);
        assert!(
            matches!(err, jifen_server::error::AppError::Validation(_)),
            "{code}: {err:?}"
        );
    }
    for code in ["demo-1", "demo-2"] {
        let err = make(code).await.expect_err(code);
        assert!(
            matches!(
                err,
                jifen_server::error::AppError::Organisation(
                    jifen_server::error::OrgRefusal::CodeTaken
                )
            ),
            "{code}: {err:?}"
        );
    }
    let made = make("Xin-Cun").await.unwrap();
    assert_eq!(made.code.as_deref(), Some("xin-cun"));

    // A unit's present code wins over anything retired under it (written behind the app's back).
    retired_code::Entity::insert(retired_code::ActiveModel {
        code: Set("demo-1".to_owned()),
        org_unit_id: Set(demo2.clone()),
        retired_at: Set(app.state.now()),
    })
    .exec(db)
    .await
    .unwrap();
    let browser = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let res = browser.get(app.url("/board/demo-1")).send().await.unwrap();
    assert_ne!(
        res.status(),
        StatusCode::FOUND,
        "no redirect away from demo-1"
    );
    assert!(res.text().await.unwrap().contains("东关村党支部"));
    other.stop().await;
}
