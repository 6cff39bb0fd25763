//! Photos in object storage (issue 15): behind a load balancer every instance reads and writes
//! one S3-compatible bucket, here a real `s3s-fs` server (see `jifen_tests::s3`).

use jifen_server::seed::SNOW;
use jifen_server::services::photos::{stored_bytes, sweep_orphans, sweep_unattached};
use jifen_shared::api::PhotoView;
use jifen_tests::pictures::photo;
use jifen_tests::s3::S3Server;
use jifen_tests::{problem, TestApp, User};
use reqwest::StatusCode;
use sha2::{Digest, Sha256};

async fn upload_to(app: &TestApp, address: &str, user: &User, bytes: Vec<u8>) -> reqwest::Response {
    let part = reqwest::multipart::Part::bytes(bytes)
        .file_name("photo.jpg")
        .mime_str("image/jpeg")
        .unwrap();
    app.client
        .post(format!("{address}/api/v1/photos"))
        .bearer_auth(&user.access_token)
        .multipart(reqwest::multipart::Form::new().part("file", part))
        .send()
        .await
        .unwrap()
}

async fn read_from(app: &TestApp, address: &str, user: &User, id: &str) -> reqwest::Response {
    app.client
        .get(format!("{address}/api/v1/photos/{id}"))
        .bearer_auth(&user.access_token)
        .send()
        .await
        .unwrap()
}

/// A server whose photos are in `s3`'s bucket.
async fn spawn_on(s3: &S3Server) -> TestApp {
    TestApp::spawn_with_config(|c| {
        s3.configure(c);
        c.limits.upload = jifen_server::infra::config::Rate::new(10_000, 10_000);
    })
    .await
}

fn files_in(dir: &std::path::Path) -> usize {
    std::fs::read_dir(dir).map(|d| d.count()).unwrap_or(0)
}

#[tokio::test]
async fn a_photo_uploaded_through_one_instance_is_shown_by_another() {
    let Some(s3) = S3Server::start() else { return };
    let app = spawn_on(&s3).await;
    let other = app.another_instance().await;
    let member = app.login_as("member3").await;
    let committee = app.login_as("committee1").await;

    let res = upload_to(&app, &app.address, &member, photo(160, 120, 3)).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let uploaded: PhotoView = res.json().await.unwrap();
    let stored = read_from(&app, &app.address, &member, &uploaded.id).await;
    assert_eq!(stored.status(), StatusCode::OK);
    let stored = stored.bytes().await.unwrap();

    let mut form = app.deed_form(SNOW);
    form.photo_ids = vec![uploaded.id.clone()];
    app.submit(&member, &form).await;

    // The load balancer sends the committee to the other instance.
    let res = read_from(&app, &other.address, &committee, &uploaded.id).await;
    assert_eq!(
        res.status(),
        StatusCode::OK,
        "the other instance has the photo"
    );
    assert_eq!(res.headers()["content-type"], "image/jpeg");
    let shown = res.bytes().await.unwrap();
    assert_eq!(shown, stored, "the same bytes through either instance");

    let name = hex::encode(Sha256::digest(&shown));
    assert_eq!(
        s3.objects(),
        vec![name.clone()],
        "one object, named by its content"
    );
    assert_eq!(
        s3.object(&name).as_deref(),
        Some(&shown[..]),
        "the bucket holds those bytes"
    );
    assert_eq!(
        files_in(&app.state.config.photo_dir),
        0,
        "nothing is kept on the instance's own disk"
    );

    // And an upload through the other instance is seen by the first.
    let res = upload_to(&app, &other.address, &member, photo(160, 120, 4)).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let second: PhotoView = res.json().await.unwrap();
    let res = read_from(&app, &app.address, &member, &second.id).await;
    assert_eq!(
        res.status(),
        StatusCode::OK,
        "the first instance has it too"
    );
    assert_eq!(s3.objects().len(), 2);
    other.stop().await;
}

#[tokio::test]
async fn photos_nobody_attached_and_objects_nobody_names_leave_the_bucket() {
    let Some(s3) = S3Server::start() else { return };
    let app = spawn_on(&s3).await;
    let member = app.login_as("member3").await;
    let neighbour = app.login_as("member4").await;
    let attached: PhotoView = upload_to(&app, &app.address, &member, photo(160, 120, 5))
        .await
        .json()
        .await
        .unwrap();
    let forgotten: PhotoView = upload_to(&app, &app.address, &member, photo(160, 120, 6))
        .await
        .json()
        .await
        .unwrap();
    // The neighbour uploads the same picture as the attached one and never uses it: one object.
    let same: PhotoView = upload_to(&app, &app.address, &neighbour, photo(160, 120, 5))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(s3.objects().len(), 2, "one object per picture");
    let mut form = app.deed_form(SNOW);
    form.photo_ids = vec![attached.id.clone()];
    app.submit(&member, &form).await;
    let kept = read_from(&app, &app.address, &member, &attached.id)
        .await
        .bytes()
        .await
        .unwrap();
    let kept_name = hex::encode(Sha256::digest(&kept));

    let state = &app.state;
    let a_day_later = state.now() + chrono::Duration::hours(25);
    let removed = sweep_unattached(
        &state.db,
        &state.photo_store,
        a_day_later,
        state.uploads.keep_unattached,
    )
    .await
    .unwrap();
    assert_eq!(removed, 2, "the forgotten photo and the neighbour's copy");
    assert_eq!(
        s3.objects(),
        vec![kept_name.clone()],
        "the forgotten picture's object is gone; the attached picture's stays though the \
         neighbour's row of it went"
    );
    for (who, id) in [(&member, &forgotten.id), (&neighbour, &same.id)] {
        let res = read_from(&app, &app.address, who, id).await;
        assert_eq!(
            problem(res, StatusCode::NOT_FOUND).await.code,
            "photo.not_found"
        );
    }
    let res = read_from(&app, &app.address, &member, &attached.id).await;
    assert_eq!(res.status(), StatusCode::OK, "the evidence stays");

    // An instance died after writing a picture and before committing its row: the object has
    // no row. The sweep of the store removes it once it is an hour old, and nothing else.
    let orphan = photo(160, 120, 7);
    let orphan_name = hex::encode(Sha256::digest(&orphan));
    state
        .photo_store
        .put(&orphan_name, &jifen_server::infra::ids::new(), orphan)
        .await
        .unwrap();
    assert_eq!(s3.objects().len(), 2);
    let now = chrono::Utc::now();
    let removed = sweep_orphans(&state.db, &state.photo_store, now)
        .await
        .unwrap();
    assert_eq!(removed, 0, "a fresh object may be an upload under way");
    let removed = sweep_orphans(
        &state.db,
        &state.photo_store,
        now + chrono::Duration::hours(2),
    )
    .await
    .unwrap();
    assert_eq!(removed, 1, "only the object no row names");
    assert_eq!(s3.objects(), vec![kept_name]);
}

#[tokio::test]
async fn a_store_that_is_down_is_told_to_the_member_and_nothing_is_kept() {
    let Some(mut s3) = S3Server::start() else {
        return;
    };
    let app = spawn_on(&s3).await;
    let member = app.login_as("member3").await;
    let before: PhotoView = upload_to(&app, &app.address, &member, photo(160, 120, 8))
        .await
        .json()
        .await
        .unwrap();
    let kept = stored_bytes(app.state.db.conn(), &member.member_id)
        .await
        .unwrap();

    s3.stop();
    for (lang, words) in [("en", "photo store"), ("zh-CN", "照片存储")] {
        let part = reqwest::multipart::Part::bytes(photo(160, 120, 9)).file_name("photo.jpg");
        let res = app
            .client
            .post(app.url("/api/v1/photos"))
            .bearer_auth(&member.access_token)
            .header("accept-language", lang)
            .multipart(reqwest::multipart::Form::new().part("file", part))
            .send()
            .await
            .unwrap();
        assert_eq!(res.headers()["retry-after"], "5", "{lang}");
        let p = problem(res, StatusCode::SERVICE_UNAVAILABLE).await;
        assert_eq!(p.code, "photo.store_unavailable");
        assert!(p.message.contains(words), "{lang}: {}", p.message);
    }
    assert_eq!(
        stored_bytes(app.state.db.conn(), &member.member_id)
            .await
            .unwrap(),
        kept,
        "no row was written for the photos the store did not take"
    );

    let res = read_from(&app, &app.address, &member, &before.id).await;
    let p = problem(res, StatusCode::SERVICE_UNAVAILABLE).await;
    assert_eq!(
        p.code, "photo.store_unavailable",
        "reading says so too, not 404 or 500"
    );
}
