use jifen_server::seed::SNOW;
use jifen_shared::api::DeedView;
use jifen_tests::{problem, Review, TestApp};
use reqwest::StatusCode;

#[tokio::test]
async fn nobody_reviews_their_own_deed() {
    let app = TestApp::spawn().await;
    let committee = app.login_as("committee1").await;
    let secretary = app.login_as("secretary1").await;
    let own = app.submit(&committee, &app.deed_form(SNOW)).await;

    let reason = "自己审自己";
    for review in [
        Review::APPROVE,
        Review::Reject(reason),
        Review::Return(reason),
    ] {
        let res = app.review(&committee, &own.id, review).await;
        assert_eq!(
            problem(res, StatusCode::FORBIDDEN).await.code,
            "deed.self_review",
            "{}",
            review.action()
        );
    }
    let res = app.review(&secretary, &own.id, Review::APPROVE).await;
    assert_eq!(
        res.status(),
        StatusCode::OK,
        "another committee member may approve it"
    );
}

#[tokio::test]
async fn a_member_cannot_review_even_a_neighbours_deed() {
    let app = TestApp::spawn().await;
    let author = app.login_as("member3").await;
    let neighbour = app.login_as("member4").await;
    let deed = app.submit(&author, &app.deed_form(SNOW)).await;
    let res = app.review(&neighbour, &deed.id, Review::APPROVE).await;
    assert_eq!(
        problem(res, StatusCode::NOT_FOUND).await.code,
        "deed.not_found"
    );
    let res = app.review(&author, &deed.id, Review::APPROVE).await;
    assert_eq!(
        problem(res, StatusCode::FORBIDDEN).await.code,
        "auth.forbidden"
    );
}

#[tokio::test]
async fn a_committee_of_another_branch_sees_and_touches_nothing() {
    let app = TestApp::spawn().await;
    let member = app.login_as("member3").await;
    let other_committee = app.login_as("committee2").await;
    let deed = app.submit(&member, &app.deed_form(SNOW)).await;
    let branch1 = app.demo.branch("demo-1").to_owned();

    let res = app
        .get(&other_committee, &format!("/api/v1/deeds/{}", deed.id))
        .await;
    assert_eq!(
        problem(res, StatusCode::NOT_FOUND).await.code,
        "deed.not_found"
    );
    let res = app
        .get(
            &other_committee,
            &format!("/api/v1/deeds/{}/history", deed.id),
        )
        .await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    let reason = "越权";
    for review in [
        Review::APPROVE,
        Review::Reject(reason),
        Review::Return(reason),
        Review::Revoke(reason),
    ] {
        let res = app.review(&other_committee, &deed.id, review).await;
        assert_eq!(
            problem(res, StatusCode::NOT_FOUND).await.code,
            "deed.not_found",
            "{}",
            review.action()
        );
    }
    let res = app
        .get(
            &other_committee,
            &format!("/api/v1/deeds?scope=review&branch_id={branch1}"),
        )
        .await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    let queue: jifen_shared::api::DeedPage = app
        .get(&other_committee, "/api/v1/deeds?scope=review")
        .await
        .json()
        .await
        .unwrap();
    assert!(queue.items.iter().all(|d| d.branch_id != branch1));
    let res = app
        .get(
            &other_committee,
            &format!("/api/v1/members/{}/points", member.member_id),
        )
        .await;
    assert_eq!(
        problem(res, StatusCode::NOT_FOUND).await.code,
        "member.not_found"
    );
    let res = app
        .get(
            &other_committee,
            &format!("/api/v1/branches/{branch1}/rules"),
        )
        .await;
    assert_eq!(
        problem(res, StatusCode::NOT_FOUND).await.code,
        "org_unit.not_found"
    );

    let untouched: DeedView = app
        .get(&member, &format!("/api/v1/deeds/{}", deed.id))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        untouched.status,
        jifen_shared::domain::DeedStatus::Submitted
    );
}

#[tokio::test]
async fn the_town_administrator_reviews_every_branch_below_it() {
    let app = TestApp::spawn().await;
    let admin = app.login_as("admin1").await;
    let in_branch2 = app.login_as("member17").await;
    let deed = app
        .submit(&in_branch2, &app.deed_form_in("demo-2", SNOW))
        .await;
    let res = app.review(&admin, &deed.id, Review::APPROVE).await;
    assert_eq!(res.status(), StatusCode::OK);
}

#[tokio::test]
async fn a_member_sees_only_their_own_points() {
    let app = TestApp::spawn().await;
    let member = app.login_as("member3").await;
    let res = app
        .get(
            &member,
            &format!("/api/v1/members/{}/points", app.demo.member("member4")),
        )
        .await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    let committee = app.login_as("committee1").await;
    let res = app
        .get(
            &committee,
            &format!("/api/v1/members/{}/points", app.demo.member("member4")),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
}
