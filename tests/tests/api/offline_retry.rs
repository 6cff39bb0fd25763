//! A member on a weak signal: the app keeps the report on the phone and sends it again and again
//! until an answer arrives, always with the same `client_request_id`. However many of those
//! sends reach the server, and however close together, the branch gets one deed.

use jifen_server::seed::SNOW;
use jifen_shared::api::{DeedPage, DeedView, PhotoView};
use jifen_tests::{png, TestApp, User};
use reqwest::StatusCode;

async fn upload_photo(app: &TestApp, member: &User) -> PhotoView {
    let part = reqwest::multipart::Part::bytes(png::gradient(64, 48))
        .file_name("photo.png")
        .mime_str("image/png")
        .unwrap();
    let res = app
        .client
        .post(app.url("/api/v1/photos"))
        .bearer_auth(&member.access_token)
        .multipart(reqwest::multipart::Form::new().part("file", part))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::CREATED, "the photo is taken");
    res.json().await.unwrap()
}

#[tokio::test]
async fn twenty_sends_of_one_queued_report_at_once_make_one_deed_with_its_photo() {
    let app = TestApp::spawn().await;
    let member = app.login_as("member4").await;
    let photo = upload_photo(&app, &member).await;
    let mut report = app.deed_form(SNOW);
    report.title = "离线时写的扫雪申报".into();
    report.photo_ids = vec![photo.id.clone()];

    let sends = (0..20).map(|_| app.post(&member, "/api/v1/deeds", &report));
    let answers = futures_util::future::join_all(sends).await;

    let mut ids = Vec::new();
    let mut created = 0;
    for res in answers {
        let status = res.status();
        assert!(
            status == StatusCode::CREATED || status == StatusCode::OK,
            "every send is answered with the deed, got {status}"
        );
        created += usize::from(status == StatusCode::CREATED);
        let deed: DeedView = res.json().await.unwrap();
        assert_eq!(deed.photo_ids, vec![photo.id.clone()], "with its photo");
        ids.push(deed.id);
    }
    assert_eq!(
        created, 1,
        "one send made the deed, the others were told of it"
    );
    ids.dedup();
    assert_eq!(ids.len(), 1, "all twenty answers name the same deed");

    let committee = app.login_as("committee1").await;
    let queue: DeedPage = app
        .get(
            &committee,
            "/api/v1/deeds?scope=review&status=submitted&limit=100",
        )
        .await
        .json()
        .await
        .unwrap();
    let mine: Vec<_> = queue
        .items
        .iter()
        .filter(|d| d.title == "离线时写的扫雪申报")
        .collect();
    assert_eq!(mine.len(), 1, "the committee has one deed to review");
    assert_eq!(mine[0].id, ids[0]);
}

#[tokio::test]
async fn a_report_sent_again_after_it_arrived_is_answered_with_the_first_deed() {
    let app = TestApp::spawn().await;
    let member = app.login_as("member4").await;
    let report = app.deed_form(SNOW);
    let first = app.submit(&member, &report).await;

    // The answer was lost on the way back; the phone sends the queued report on reconnect.
    let again = app.post(&member, "/api/v1/deeds", &report).await;
    assert_eq!(again.status(), StatusCode::OK, "not a second creation");
    let again: DeedView = again.json().await.unwrap();
    assert_eq!(again.id, first.id);

    // A different report is a different deed.
    let other = app.submit(&member, &app.deed_form(SNOW)).await;
    assert_ne!(other.id, first.id);
}
