//! Points, deed lists, the review queue and the public board are answered from memory while nothing changes; these
//! stories check that nobody ever sees an answer from before a change they could know about.

use jifen_server::error::AppError;
use jifen_server::seed::SNOW;
use jifen_shared::api::{BoardView, DeedPage, DeedView};
use jifen_shared::domain::Role;
use jifen_tests::{eventually, QuarterStep, Review, TestApp, User};
use reqwest::StatusCode;
use sea_orm::{ConnectionTrait, Statement};
use serde_json::json;

async fn queue(app: &TestApp, committee: &User) -> DeedPage {
    app.get(committee, "/api/v1/deeds?scope=review&status=submitted")
        .await
        .json()
        .await
        .unwrap()
}

async fn mine(app: &TestApp, member: &User) -> DeedPage {
    app.get(member, "/api/v1/deeds").await.json().await.unwrap()
}

#[tokio::test]
async fn a_member_refreshing_their_points_sees_every_decision_at_once() {
    let app = TestApp::spawn_at("2026-05-20T10:00:00+08:00").await;
    let member = app.login_as("member3").await;
    let committee = app.login_as("committee1").await;
    let start = app.points(&member, &member.member_id, 2026).await;
    let waiting = queue(&app, &committee).await.items.len();
    let listed = mine(&app, &member).await.items.len();
    for _ in 0..3 {
        assert_eq!(app.points(&member, &member.member_id, 2026).await, start);
        assert_eq!(queue(&app, &committee).await.items.len(), waiting);
    }

    // A new report is in the committee's queue and the member's list the moment it is accepted.
    let deed = app.submit(&member, &app.deed_form(SNOW)).await;
    let q = queue(&app, &committee).await;
    assert_eq!(q.items.len(), waiting + 1);
    assert!(q.items.iter().any(|d| d.id == deed.id));
    assert_eq!(mine(&app, &member).await.items.len(), listed + 1);

    // Approved: the points move and the queue empties, at the next read.
    let res = app.review(&committee, &deed.id, Review::APPROVE).await;
    assert_eq!(res.status(), StatusCode::OK);
    let approved = app.points(&member, &member.member_id, 2026).await;
    assert_eq!(approved.total, start.total + 1);
    assert!(!queue(&app, &committee)
        .await
        .items
        .iter()
        .any(|d| d.id == deed.id));
    let listed_now: Vec<DeedView> = mine(&app, &member).await.items;
    assert_eq!(
        listed_now.iter().find(|d| d.id == deed.id).unwrap().status,
        jifen_shared::domain::DeedStatus::Approved
    );

    // Revoked: the reversal shows at once too.
    let res = app
        .review(&committee, &deed.id, Review::Revoke("重复申报"))
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let revoked = app.points(&member, &member.member_id, 2026).await;
    assert_eq!(revoked.total, start.total);
    assert_eq!(revoked.entries.len(), start.entries.len() + 2);
}

#[tokio::test]
async fn a_role_taken_away_outside_the_server_closes_the_queue() {
    let app = TestApp::spawn().await;
    let member = app.login_as("member3").await;
    let committee = app.login_as("committee1").await;
    app.submit(&member, &app.deed_form(SNOW)).await;
    assert!(!queue(&app, &committee).await.items.is_empty());

    // Someone with database access (another server, `jifen admin`) removes the committee role;
    // this server did not make the change, and must still stop showing the queue.
    let db = app.database().await;
    let sql = match app.backend() {
        sea_orm::DbBackend::Postgres => "DELETE FROM role_assignment WHERE member_id = $1",
        _ => "DELETE FROM role_assignment WHERE member_id = ?",
    };
    db.execute(Statement::from_sql_and_values(
        app.backend(),
        sql,
        [committee.member_id.clone().into()],
    ))
    .await
    .unwrap();

    eventually(
        "the former committee member no longer sees the queue",
        || async {
            let res = app
                .get(&committee, "/api/v1/deeds?scope=review&status=submitted")
                .await;
            if res.status() != StatusCode::OK {
                return Some(());
            }
            let page: DeedPage = res.json().await.unwrap();
            page.items.is_empty().then_some(())
        },
    )
    .await;
}

/// Issue 15: kept answers are dropped per branch, and across instances.
#[tokio::test]
async fn a_report_in_one_branch_reaches_every_instance_and_leaves_the_other_branchs_queue_kept() {
    let app = TestApp::spawn().await;
    let other = app.another_instance().await;
    let member = app.login_as("member3").await; // demo-1
    let committee1 = app.login_as("committee1").await; // demo-1
    let committee2 = app.login_as("committee2").await; // demo-2
    let queue_on = |address: String, who: &User| {
        let req = app
            .client
            .get(format!(
                "{address}/api/v1/deeds?scope=review&status=submitted"
            ))
            .bearer_auth(&who.access_token);
        async move {
            let res = req.send().await.unwrap();
            assert_eq!(res.status(), StatusCode::OK);
            res.json::<DeedPage>().await.unwrap()
        }
    };
    // The second instance keeps both branches' queues once it has answered them.
    let before1 = queue_on(other.address.clone(), &committee1).await;
    let before2 = queue_on(other.address.clone(), &committee2).await;
    let hits = other.state.reads.hits();
    assert_eq!(queue_on(other.address.clone(), &committee2).await, before2);
    assert_eq!(
        other.state.reads.hits(),
        hits + 1,
        "demo-2's queue was kept"
    );

    // A report in demo-1 through the first instance: the second shows it in demo-1's queue as
    // soon as the database tells it (no waiting for the answer to age out)...
    let deed = app.submit(&member, &app.deed_form(SNOW)).await;
    let seen = eventually("the other instance shows the new report", || async {
        let page = queue_on(other.address.clone(), &committee1).await;
        page.items.iter().any(|d| d.id == deed.id).then_some(page)
    })
    .await;
    assert_eq!(seen.items.len(), before1.items.len() + 1);

    // ...while demo-2's queue, which the report did not touch, is still served from memory.
    let hits = other.state.reads.hits();
    assert_eq!(queue_on(other.address.clone(), &committee2).await, before2);
    assert_eq!(
        other.state.reads.hits(),
        hits + 1,
        "demo-2's queue stayed kept through demo-1's report"
    );
    other.stop().await;
}

async fn board(app: &TestApp, code: &str) -> BoardView {
    let res = app.public_board(code, "?year=2026&quarter=1").await;
    assert_eq!(res.status(), StatusCode::OK);
    res.json().await.unwrap()
}

/// Issue 15: the public board, opened by every phone that scans the QR code on the village wall,
/// is kept per branch too, and still shows a change in its branch at once.
#[tokio::test]
async fn a_board_scanned_by_many_phones_is_kept_until_its_own_branch_changes() {
    let app = TestApp::spawn_at("2026-05-20T10:00:00+08:00").await;
    for (secretary, code) in [("secretary1", "demo-1"), ("secretary2", "demo-2")] {
        let secretary = app.login_as(secretary).await;
        for step in [QuarterStep::Sign, QuarterStep::Publish] {
            let res = app.quarter_step(&secretary, code, step, 2026, 1).await;
            assert_eq!(res.status(), StatusCode::OK, "{}", step.action());
        }
    }
    let posted = board(&app, "demo-1").await;
    let hits = app.state.reads.hits();
    assert_eq!(board(&app, "demo-1").await, posted);
    assert_eq!(app.state.reads.hits(), hits + 1, "the second scan was kept");

    // demo-2 changes how its board shows names: demo-1's board stays kept...
    let secretary2 = app.login_as("secretary2").await;
    let masked = json!({"board_names": "masked"});
    let settings = format!("/api/v1/branches/{}/settings", app.demo.branch("demo-2"));
    assert_eq!(
        app.patch(&secretary2, &settings, &masked).await.status(),
        StatusCode::OK
    );
    let hits = app.state.reads.hits();
    assert_eq!(board(&app, "demo-1").await, posted);
    assert_eq!(
        app.state.reads.hits(),
        hits + 1,
        "demo-2's change left it kept"
    );

    // ...and when demo-1 masks its names, the very next scan shows them masked.
    let secretary1 = app.login_as("secretary1").await;
    let settings = format!("/api/v1/branches/{}/settings", app.demo.branch("demo-1"));
    assert_eq!(
        app.patch(&secretary1, &settings, &masked).await.status(),
        StatusCode::OK
    );
    let now = board(&app, "demo-1").await;
    assert_ne!(now, posted);
    for (before, after) in posted.rows.iter().zip(&now.rows) {
        assert_eq!(
            after.member_name,
            jifen_shared::domain::mask_name(&before.member_name)
        );
    }
}

/// Grants `role` on `unit` to demo member `member`, before they sign in.
async fn grant(app: &TestApp, member: &str, unit: &str, role: Role) -> Result<(), AppError> {
    let member = app.demo.member(member).to_owned();
    jifen_server::services::orgs::grant_role(
        app.state.db.conn(),
        &member,
        unit,
        role,
        None,
        app.state.now(),
    )
    .await
}

/// member14 on the demo town's committee and member15 administering its county, signed in.
async fn town_committee_and_county_admin(app: &TestApp) -> (User, User) {
    grant(app, "member14", &app.demo.town_id, Role::Committee)
        .await
        .unwrap();
    grant(app, "member15", &app.demo.county_id, Role::OrgAdmin)
        .await
        .unwrap();
    (
        app.login_as("member14").await,
        app.login_as("member15").await,
    )
}

/// Issue 15: who reviews which branches follows the tree, so moving a branch to another town
/// changes the kept queues of both towns at once.
#[tokio::test]
async fn a_branch_moved_to_another_town_is_in_the_new_towns_queue_at_once() {
    let app = TestApp::spawn().await;
    let county = app.demo.county_id.clone();
    let demo1 = app.demo.branch("demo-1").to_owned();
    let (old_town, county_admin) = town_committee_and_county_admin(&app).await;
    let second = app
        .open_unit(&county_admin, &county, "town", "河西镇党委")
        .await;
    // member13 sits on the new town's committee.
    grant(&app, "member13", &second, Role::Committee)
        .await
        .unwrap();
    let new_town = app.login_as("member13").await;

    let member = app.login_as("member3").await; // demo-1
    let deed = app.submit(&member, &app.deed_form(SNOW)).await;
    let has = |page: &DeedPage| page.items.iter().any(|d| d.id == deed.id);
    assert!(
        has(&queue(&app, &old_town).await),
        "the town reviews demo-1"
    );
    for _ in 0..2 {
        assert!(
            !has(&queue(&app, &new_town).await),
            "河西镇 has no branch yet"
        );
    }

    let res = app
        .patch(
            &county_admin,
            &format!("/api/v1/orgs/{demo1}"),
            &json!({"parent_id": second}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK, "demo-1 moves to 河西镇");
    assert!(
        has(&queue(&app, &new_town).await),
        "河西镇's committee reviews demo-1's reports at once"
    );
    assert!(
        !has(&queue(&app, &old_town).await),
        "the old town no longer does"
    );
}

/// Issue 15: what a member's roles reach is kept between requests, so a branch opened under a
/// town must reach the town's committee at the next request, not when the kept reach ages out.
#[tokio::test]
async fn a_branch_opened_under_a_town_is_in_the_towns_queue_at_the_next_request() {
    let app = TestApp::spawn().await;
    let town = app.demo.town_id.clone();
    let (town_committee, county_admin) = town_committee_and_county_admin(&app).await;
    let member = app.login_as("member3").await;
    app.submit(&member, &app.deed_form(SNOW)).await;
    // Read twice: the committee member's reach is kept from here on.
    for _ in 0..2 {
        assert!(!queue(&app, &town_committee).await.items.is_empty());
    }

    let opened = app
        .open_unit(&county_admin, &town, "branch", "新村党支部")
        .await;
    let res = app
        .get(
            &town_committee,
            &format!("/api/v1/deeds?scope=review&branch_id={opened}"),
        )
        .await;
    assert_eq!(
        res.status(),
        StatusCode::OK,
        "the town's committee opens the new branch's queue at once"
    );
    let page: DeedPage = res.json().await.unwrap();
    assert!(page.items.is_empty(), "nothing reported there yet");
}

/// Issue 15: a revoked role ends a kept reach at the next request: the former committee member's
/// queue, read a moment ago, is empty.
#[tokio::test]
async fn a_committee_member_whose_role_is_revoked_sees_no_queue_at_the_next_request() {
    let app = TestApp::spawn().await;
    let demo1 = app.demo.branch("demo-1").to_owned();
    let member = app.login_as("member3").await;
    let committee = app.login_as("committee1").await;
    let secretary = app.login_as("secretary1").await;
    app.submit(&member, &app.deed_form(SNOW)).await;
    for _ in 0..2 {
        assert!(!queue(&app, &committee).await.items.is_empty());
    }

    let roles: serde_json::Value = app
        .get(&secretary, &format!("/api/v1/orgs/{demo1}/roles"))
        .await
        .json()
        .await
        .unwrap();
    let held = roles["holders"]
        .as_array()
        .unwrap()
        .iter()
        .find(|h| h["member_id"] == committee.member_id.as_str() && h["role"] == "committee")
        .expect("committee1 sits on demo-1's committee");
    let res = app
        .client
        .delete(app.url(&format!("/api/v1/roles/{}", held["id"].as_str().unwrap())))
        .bearer_auth(&secretary.access_token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    assert!(
        queue(&app, &committee).await.items.is_empty(),
        "the queue closes with the role"
    );
}
