//! Taking part from afar and through the branch: a member working in Beijing is attached to the
//! migrant members' organisation there, whose committee sees and co-signs their deeds and nothing
//! else; a member without a phone has their deed registered by the branch, and someone other
//! than the registrar reviews it.

use jifen_server::seed::{HAIRCUT, SNOW};
use jifen_server::services::orgs::{self, NewMember};
use jifen_shared::api::{
    AttestRequest, DeedHistory, DeedPage, DeedView, MeResponse, MigrantOrgRequest, MigrantOrgView,
    SubmitDeedRequest, TokenResponse,
};
use jifen_shared::domain::{MemberStatus, OrgKind, Role};
use jifen_tests::{problem, Review, TestApp, User, PASSWORD};
use reqwest::{Response, StatusCode};
use sea_orm::EntityTrait;

/// Someone who sits on the committee of the migrant organisation `org_id`, at home in demo-2.
async fn committee_of(app: &TestApp, org_id: &str, username: &str) -> User {
    let db = app.state.db.conn();
    let password_hash =
        jifen_server::entity::member::Entity::find_by_id(app.demo.member("committee2").to_owned())
            .one(db)
            .await
            .expect("read member")
            .expect("committee2")
            .password_hash;
    let now = app.state.now();
    let m = orgs::add_member(
        db,
        NewMember {
            branch_id: app.demo.branch("demo-2"),
            name: "流动支部委员",
            username,
            password_hash,
            status: MemberStatus::Migrant,
            migrant_org_id: Some(org_id),
        },
        None,
        now,
    )
    .await
    .expect("add member");
    orgs::grant_role(db, &m.id, org_id, Role::Committee, None, now)
        .await
        .expect("grant committee");
    let res = app.login(username, PASSWORD).await;
    assert_eq!(res.status(), StatusCode::OK, "{username} signs in");
    let tokens: TokenResponse = res.json().await.expect("tokens");
    User {
        username: username.to_owned(),
        member_id: m.id,
        access_token: tokens.access_token,
        refresh_token: tokens.refresh_token,
    }
}

/// A second migrant organisation, in Shanghai, that nobody of demo-1 is attached to.
async fn shanghai(app: &TestApp) -> String {
    orgs::create_org(
        app.state.db.conn(),
        Some(&app.demo.county_id),
        OrgKind::Migrant,
        "驻上海流动党员党支部",
        Some("migrant-sh"),
        app.state.now(),
    )
    .await
    .expect("create org")
    .id
}

async fn put_migrant_org(app: &TestApp, by: &User, member: &str, org: &str) -> Response {
    app.client
        .put(app.url(&format!("/api/v1/members/{member}/migrant-org")))
        .bearer_auth(&by.access_token)
        .json(&MigrantOrgRequest {
            org_unit_id: org.to_owned(),
        })
        .send()
        .await
        .expect("PUT request")
}

async fn delete_migrant_org(app: &TestApp, by: &User, member: &str) -> Response {
    app.client
        .delete(app.url(&format!("/api/v1/members/{member}/migrant-org")))
        .bearer_auth(&by.access_token)
        .send()
        .await
        .expect("DELETE request")
}

async fn attest(app: &TestApp, by: &User, deed: &str, comment: &str) -> Response {
    app.post(
        by,
        &format!("/api/v1/deeds/{deed}/attest"),
        &AttestRequest {
            comment: comment.into(),
        },
    )
    .await
}

async fn me(app: &TestApp, who: &User) -> MeResponse {
    app.get(who, "/api/v1/me").await.json().await.expect("me")
}

async fn attest_queue(app: &TestApp, who: &User) -> Vec<DeedView> {
    let res = app.get(who, "/api/v1/deeds?scope=attest&limit=100").await;
    assert_eq!(res.status(), StatusCode::OK);
    res.json::<DeedPage>().await.expect("page").items
}

#[tokio::test]
async fn the_secretary_attaches_a_member_to_the_migrant_organisation_and_detaches_them() {
    let app = TestApp::spawn().await;
    let secretary = app.login_as("secretary1").await;
    let member3 = app.login_as("member3").await;
    let beijing = app.demo.migrant_org_id.clone();
    assert_eq!(me(&app, &member3).await.migrant_org_id, None);

    let res = put_migrant_org(&app, &secretary, &member3.member_id, &beijing).await;
    assert_eq!(res.status(), StatusCode::OK);
    let attached: MigrantOrgView = res.json().await.expect("view");
    assert_eq!(attached.org_unit_name, "驻北京流动党员党支部");
    let home = me(&app, &member3).await;
    assert_eq!(home.migrant_org_id.as_deref(), Some(beijing.as_str()));
    assert_eq!(
        home.migrant_org_name.as_deref(),
        Some("驻北京流动党员党支部"),
        "the member's home screen shows both organisations"
    );
    assert_eq!(home.home_branch_id, app.demo.branch("demo-1"));

    let res = delete_migrant_org(&app, &secretary, &member3.member_id).await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    assert_eq!(me(&app, &member3).await.migrant_org_id, None);
    let res = delete_migrant_org(&app, &secretary, &member3.member_id).await;
    assert_eq!(
        res.status(),
        StatusCode::NO_CONTENT,
        "detaching twice is fine"
    );
}

#[tokio::test]
async fn only_the_home_secretary_or_an_administrator_over_both_attaches() {
    let app = TestApp::spawn().await;
    let beijing = app.demo.migrant_org_id.clone();
    let member3 = app.demo.member("member3").to_owned();

    let committee = app.login_as("committee1").await;
    let res = put_migrant_org(&app, &committee, &member3, &beijing).await;
    assert_eq!(
        problem(res, StatusCode::FORBIDDEN).await.code,
        "auth.forbidden"
    );
    let res = delete_migrant_org(&app, &committee, app.demo.member("member13")).await;
    assert_eq!(
        problem(res, StatusCode::FORBIDDEN).await.code,
        "auth.forbidden"
    );

    let other_secretary = app.login_as("secretary2").await;
    let res = put_migrant_org(&app, &other_secretary, &member3, &beijing).await;
    assert_eq!(
        problem(res, StatusCode::NOT_FOUND).await.code,
        "member.not_found",
        "another branch's member is not there for them"
    );

    let myself = app.login_as("member3").await;
    let res = put_migrant_org(&app, &myself, &member3, &beijing).await;
    assert_eq!(
        problem(res, StatusCode::FORBIDDEN).await.code,
        "auth.forbidden"
    );

    // admin1 administers the town, not the county the Beijing organisation hangs from.
    let town_admin = app.login_as("admin1").await;
    let res = put_migrant_org(&app, &town_admin, &member3, &beijing).await;
    assert_eq!(
        problem(res, StatusCode::FORBIDDEN).await.code,
        "auth.forbidden"
    );

    let secretary = app.login_as("secretary1").await;
    let res = put_migrant_org(&app, &secretary, &member3, app.demo.branch("demo-2")).await;
    let p = problem(res, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(
        p.errors[0].field, "org_unit_id",
        "a branch is not a migrant organisation"
    );
    assert_eq!(p.errors[0].code, "org_unit.not_migrant");
}

#[tokio::test]
async fn the_migrant_committee_attests_a_deed_and_the_home_committee_sees_the_co_signature() {
    let app = TestApp::spawn().await;
    let beijing = app.demo.migrant_org_id.clone();
    let attestor = committee_of(&app, &beijing, "bj-committee").await;
    let member13 = app.login_as("member13").await;
    let deed = app.submit(&member13, &app.deed_form(SNOW)).await;

    let queue = attest_queue(&app, &attestor).await;
    assert!(
        queue.iter().any(|d| d.id == deed.id),
        "the attached member's deed is there"
    );
    let res = app
        .get(&attestor, &format!("/api/v1/deeds/{}", deed.id))
        .await;
    assert_eq!(res.status(), StatusCode::OK);

    let res = attest(&app, &attestor, &deed.id, "本人在场，情况属实").await;
    assert_eq!(res.status(), StatusCode::OK);
    let attested: DeedView = res.json().await.expect("deed");
    assert_eq!(attested.attestations.len(), 1);
    assert_eq!(
        attested.attestations[0].org_unit_name,
        "驻北京流动党员党支部"
    );
    assert_eq!(attested.attestations[0].comment, "本人在场，情况属实");

    let res = attest(&app, &attestor, &deed.id, "再证明一次").await;
    assert_eq!(
        problem(res, StatusCode::CONFLICT).await.code,
        "deed.already_attested"
    );

    // The home committee sees the co-signature in its queue and in the history, and decides.
    let committee = app.login_as("committee1").await;
    let page: DeedPage = app
        .get(&committee, "/api/v1/deeds?scope=review&limit=100")
        .await
        .json()
        .await
        .expect("page");
    let listed = page.items.iter().find(|d| d.id == deed.id).expect("listed");
    assert_eq!(listed.attestations.len(), 1);
    assert_eq!(listed.attestations[0].attested_by_name, "流动支部委员");
    let history: DeedHistory = app
        .get(&committee, &format!("/api/v1/deeds/{}/history", deed.id))
        .await
        .json()
        .await
        .expect("history");
    assert!(history
        .events
        .iter()
        .any(|e| e.action == "deed.attested" && e.actor_name.as_deref() == Some("流动支部委员")));

    // Attesting does not decide: the migrant committee cannot approve, the home committee can.
    let res = app.review(&attestor, &deed.id, Review::APPROVE).await;
    assert_eq!(
        problem(res, StatusCode::FORBIDDEN).await.code,
        "auth.forbidden"
    );
    let res = app.review(&committee, &deed.id, Review::APPROVE).await;
    assert_eq!(res.status(), StatusCode::OK);
}

#[tokio::test]
async fn an_unrelated_migrant_committee_and_the_home_committee_cannot_attest() {
    let app = TestApp::spawn().await;
    let shanghai = shanghai(&app).await;
    let stranger = committee_of(&app, &shanghai, "sh-committee").await;
    let member13 = app.login_as("member13").await;
    let deed = app.submit(&member13, &app.deed_form(SNOW)).await;

    let res = attest(&app, &stranger, &deed.id, "我证明").await;
    assert_eq!(
        problem(res, StatusCode::NOT_FOUND).await.code,
        "deed.not_found",
        "a committee unrelated to the member does not even see the deed"
    );
    assert!(attest_queue(&app, &stranger).await.is_empty());

    let home = app.login_as("committee1").await;
    let res = attest(&app, &home, &deed.id, "我证明").await;
    assert_eq!(
        problem(res, StatusCode::FORBIDDEN).await.code,
        "auth.forbidden",
        "the home committee decides; it does not co-sign"
    );
}

#[tokio::test]
async fn neither_unit_sees_the_other_units_other_members() {
    let app = TestApp::spawn().await;
    let beijing = app.demo.migrant_org_id.clone();
    let attestor = committee_of(&app, &beijing, "bj-committee").await;
    // member3 stays at home; member13 works in Beijing.
    let at_home = app.login_as("member3").await;
    let home_deed = app.submit(&at_home, &app.deed_form(SNOW)).await;
    let member13 = app.login_as("member13").await;
    let migrant_deed = app.submit(&member13, &app.deed_form(HAIRCUT)).await;

    let res = app
        .get(&attestor, &format!("/api/v1/deeds/{}", home_deed.id))
        .await;
    assert_eq!(
        res.status(),
        StatusCode::NOT_FOUND,
        "not a deed of its members"
    );
    let res = attest(&app, &attestor, &home_deed.id, "我证明").await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    let queue = attest_queue(&app, &attestor).await;
    assert!(queue.iter().all(|d| d.member_id != at_home.member_id));
    let res = app
        .get(
            &attestor,
            &format!(
                "/api/v1/deeds?scope=review&branch_id={}",
                app.demo.branch("demo-1")
            ),
        )
        .await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND, "it reviews no branch");
    let res = app
        .get(
            &attestor,
            &format!("/api/v1/deeds?scope=attest&member_id={}", at_home.member_id),
        )
        .await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);

    // The home committee sees none of the migrant organisation's own committee member's deeds.
    let attestor_own = app
        .submit(&attestor, &app.deed_form_in("demo-2", SNOW))
        .await;
    let home = app.login_as("committee1").await;
    let res = app
        .get(&home, &format!("/api/v1/deeds/{}", attestor_own.id))
        .await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    assert!(
        attest_queue(&app, &home).await.is_empty(),
        "demo-1's committee attests for nobody"
    );

    // Once member13 is detached, the Beijing committee no longer sees their deeds.
    let secretary = app.login_as("secretary1").await;
    let res = delete_migrant_org(&app, &secretary, &member13.member_id).await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    let res = app
        .get(&attestor, &format!("/api/v1/deeds/{}", migrant_deed.id))
        .await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
}

fn registered_form(app: &TestApp, member_id: &str) -> SubmitDeedRequest {
    SubmitDeedRequest {
        member_id: Some(member_id.to_owned()),
        title: "代老党员登记：清扫村口积雪".into(),
        ..app.deed_form(SNOW)
    }
}

#[tokio::test]
async fn a_registered_deed_is_reviewed_by_someone_else_and_the_member_sees_it() {
    let app = TestApp::spawn().await;
    let secretary = app.login_as("secretary1").await;
    let committee = app.login_as("committee1").await;
    let elder = app.login_as("member5").await;
    let form = registered_form(&app, &elder.member_id);

    let deed = app.submit(&secretary, &form).await;
    assert_eq!(deed.member_id, elder.member_id);
    assert_eq!(
        deed.registered_by.as_deref(),
        Some(secretary.member_id.as_str())
    );
    assert!(deed.registered_by_name.is_some());

    // A retry of the same registration returns the same deed.
    let res = app.post(&secretary, "/api/v1/deeds", &form).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.json::<DeedView>().await.expect("deed").id, deed.id);
    // The member's own report with the same request id is theirs, not a replay of the registrar's.
    let own = SubmitDeedRequest {
        member_id: None,
        ..form.clone()
    };
    let mine = app.submit(&elder, &own).await;
    assert_ne!(mine.id, deed.id);
    assert_eq!(mine.registered_by, None);

    for review in [
        Review::APPROVE,
        Review::Reject("不属实"),
        Review::Return("请补充"),
    ] {
        let res = app.review(&secretary, &deed.id, review).await;
        assert_eq!(
            problem(res, StatusCode::FORBIDDEN).await.code,
            "deed.registrar_review",
            "{}",
            review.action()
        );
    }

    let page: DeedPage = app
        .get(&elder, "/api/v1/deeds?scope=mine")
        .await
        .json()
        .await
        .expect("page");
    let seen = page
        .items
        .iter()
        .find(|d| d.id == deed.id)
        .expect("in the member's deeds");
    assert_eq!(seen.registered_by_name, deed.registered_by_name);

    let res = app.review(&committee, &deed.id, Review::APPROVE).await;
    assert_eq!(res.status(), StatusCode::OK);
    let history: DeedHistory = app
        .get(&elder, &format!("/api/v1/deeds/{}/history", deed.id))
        .await
        .json()
        .await
        .expect("history");
    assert_eq!(history.events[0].action, "deed.registered");
    assert_eq!(
        history.events[0].actor_id.as_deref(),
        Some(secretary.member_id.as_str())
    );
    let points = app.points(&elder, &elder.member_id, deed.year).await;
    assert!(
        points.bonus > 0,
        "the approved registered deed counts for the member"
    );
}

#[tokio::test]
async fn only_the_committee_of_the_members_branch_registers_for_them() {
    let app = TestApp::spawn().await;
    let elder = app.demo.member("member5").to_owned();

    let neighbour = app.login_as("member4").await;
    let res = app
        .post(&neighbour, "/api/v1/deeds", &registered_form(&app, &elder))
        .await;
    assert_eq!(
        problem(res, StatusCode::FORBIDDEN).await.code,
        "auth.forbidden"
    );

    let other_committee = app.login_as("committee2").await;
    let res = app
        .post(
            &other_committee,
            "/api/v1/deeds",
            &registered_form(&app, &elder),
        )
        .await;
    assert_eq!(
        problem(res, StatusCode::NOT_FOUND).await.code,
        "member.not_found"
    );

    let committee = app.login_as("committee1").await;
    let res = app
        .post(
            &committee,
            "/api/v1/deeds",
            &registered_form(&app, "not-an-id"),
        )
        .await;
    let p = problem(res, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(p.errors[0].field, "member_id");

    let deed = app.submit(&committee, &registered_form(&app, &elder)).await;
    let secretary = app.login_as("secretary1").await;
    let res = app.review(&secretary, &deed.id, Review::APPROVE).await;
    assert_eq!(
        res.status(),
        StatusCode::OK,
        "the secretary reviews what committee1 registered"
    );
}
