use jifen_server::seed::SNOW;
use jifen_shared::api::{DeedView, PhotoView};
use jifen_tests::{problem, TestApp, User};
use reqwest::StatusCode;
use serde_json::json;

/// The first bytes of a 1600×1200 JPEG: enough for the server's checks.
fn jpeg() -> Vec<u8> {
    let mut b = vec![0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x04, 0x00, 0x00];
    b.extend([0xFF, 0xC0, 0x00, 0x11, 0x08, 0x04, 0xB0, 0x06, 0x40, 0x03]);
    b.extend(std::iter::repeat_n(0u8, 2048));
    b
}

async fn upload(app: &TestApp, user: &User, bytes: Vec<u8>) -> reqwest::Response {
    let part = reqwest::multipart::Part::bytes(bytes)
        .file_name("photo.jpg")
        .mime_str("image/jpeg")
        .unwrap();
    app.client
        .post(app.url("/api/v1/photos"))
        .bearer_auth(&user.access_token)
        .multipart(reqwest::multipart::Form::new().part("file", part))
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn a_member_attaches_a_photo_and_the_committee_sees_it() {
    let app = TestApp::spawn().await;
    let member = app.login_as("member3").await;
    let committee = app.login_as("committee1").await;
    let res = upload(&app, &member, jpeg()).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let photo: PhotoView = res.json().await.unwrap();
    assert_eq!(photo.content_type, "image/jpeg");

    let mut form = app.deed_form(SNOW);
    form.photo_ids = vec![photo.id.clone()];
    let deed = app.submit(&member, &form).await;
    assert_eq!(deed.photo_ids, vec![photo.id.clone()]);

    let res = app
        .get(&committee, &format!("/api/v1/photos/{}", photo.id))
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()["content-type"], "image/jpeg");
    assert_eq!(res.bytes().await.unwrap().to_vec(), jpeg());

    let stranger = app.login_as("committee2").await;
    let res = app
        .get(&stranger, &format!("/api/v1/photos/{}", photo.id))
        .await;
    assert_eq!(
        problem(res, StatusCode::NOT_FOUND).await.code,
        "photo.not_found"
    );

    let neighbour = app.login_as("member4").await;
    let mut theirs = app.deed_form(SNOW);
    theirs.photo_ids = vec![photo.id];
    let res = app.post(&neighbour, "/api/v1/deeds", &theirs).await;
    let p = problem(res, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(
        p.errors[0].code, "photo.unknown",
        "nobody attaches another member's photo"
    );
}

#[tokio::test]
async fn files_that_are_not_photos_are_refused() {
    let app = TestApp::spawn().await;
    let member = app.login_as("member3").await;
    let res = upload(&app, &member, b"%PDF-1.7 a scanned form".to_vec()).await;
    let p = problem(res, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(p.errors[0].code, "photo.not_an_image");
    let res = upload(&app, &member, vec![0xFF; 5 * 1024 * 1024 + 1]).await;
    let p = problem(res, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(p.errors[0].code, "photo.too_large");
}

#[tokio::test]
async fn an_item_that_needs_evidence_is_not_accepted_without_a_photo() {
    let app = TestApp::spawn().await;
    let secretary = app.login_as("secretary1").await;
    let member = app.login_as("member3").await;
    let rule_id = app.demo.rule("demo-1", SNOW);
    let res = app
        .client
        .patch(app.url(&format!("/api/v1/rules/{rule_id}")))
        .bearer_auth(&secretary.access_token)
        .json(&json!({"evidence_required": true}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let res = app
        .post(&member, "/api/v1/deeds", &app.deed_form(SNOW))
        .await;
    let p = problem(res, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(p.errors[0].code, "photo.required");

    let photo: PhotoView = upload(&app, &member, jpeg()).await.json().await.unwrap();
    let mut form = app.deed_form(SNOW);
    form.photo_ids = vec![photo.id];
    let deed: DeedView = app.submit(&member, &form).await;
    assert_eq!(deed.photo_ids.len(), 1);
}
