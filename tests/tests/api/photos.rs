use jifen_server::seed::SNOW;
use jifen_shared::api::{DeedView, PhotoView};
use jifen_tests::pictures::{noise_png, photo};
use jifen_tests::{eventually, problem, TestApp, User};
use reqwest::StatusCode;
use serde_json::json;

/// A small real JPEG photo.
fn jpeg() -> Vec<u8> {
    photo(160, 120, 0)
}

/// The size of a stored picture, which must decode.
fn size_of(bytes: &[u8]) -> (u32, u32) {
    let picture = image::load_from_memory(bytes).expect("a stored photo decodes");
    (picture.width(), picture.height())
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
    assert_eq!(size_of(&res.bytes().await.unwrap()), (160, 120));

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

/// A picture of about `kib` KiB, also once the server has stored it again.
fn photo_of(kib: u32) -> Vec<u8> {
    noise_png(kib, u64::from(kib))
}

fn photo_files(app: &TestApp) -> usize {
    std::fs::read_dir(&app.state.config.photo_dir)
        .map(|d| d.filter_map(Result::ok).count())
        .unwrap_or(0)
}

async fn kept_bytes(app: &TestApp, member: &User) -> i64 {
    jifen_server::services::photos::stored_bytes(app.state.db.conn(), &member.member_id)
        .await
        .unwrap()
}

#[tokio::test]
async fn a_member_over_their_photo_quota_is_told_so_and_nothing_is_kept() {
    let app = TestApp::spawn_with_config(|c| {
        c.limits.photo_quota_mb = 1;
        c.limits.upload = jifen_server::infra::config::Rate::new(10_000, 10_000);
    })
    .await;
    let member = app.login_as("member3").await;
    let res = upload(&app, &member, photo_of(600)).await;
    assert_eq!(res.status(), StatusCode::CREATED, "600 KiB of 1 MiB");
    let first: PhotoView = res.json().await.unwrap();
    let (kept, files) = (kept_bytes(&app, &member).await, photo_files(&app));
    assert_eq!(kept, first.byte_size, "what is stored counts");
    assert!((600 * 1024..620 * 1024).contains(&kept), "{kept}");

    for lang in ["en", "zh-CN"] {
        let res = app
            .client
            .post(app.url("/api/v1/photos"))
            .bearer_auth(&member.access_token)
            .header("accept-language", lang)
            .multipart(reqwest::multipart::Form::new().part(
                "file",
                reqwest::multipart::Part::bytes(photo_of(600)).file_name("photo.jpg"),
            ))
            .send()
            .await
            .unwrap();
        let p = problem(res, StatusCode::UNPROCESSABLE_ENTITY).await;
        assert_eq!(p.code, "validation.failed");
        assert_eq!(p.errors[0].code, "photo.quota_exceeded");
        assert_eq!(p.errors[0].field, "file");
        let message = &p.errors[0].message;
        assert!(message.contains("1 MB"), "names the quota: {message}");
        if lang == "en" {
            assert!(message.contains("limit"), "{message}");
        } else {
            assert!(message.contains("上限"), "{message}");
        }
    }
    assert_eq!(
        kept_bytes(&app, &member).await,
        kept,
        "nothing more is counted against the member"
    );
    assert_eq!(photo_files(&app), files, "no file was written");

    let res = upload(&app, &member, photo_of(300)).await;
    assert_eq!(
        res.status(),
        StatusCode::CREATED,
        "what still fits is taken"
    );
    let neighbour = app.login_as("member4").await;
    let res = upload(&app, &neighbour, photo_of(600)).await;
    assert_eq!(res.status(), StatusCode::CREATED, "the quota is per member");
}

#[tokio::test]
async fn a_photo_never_attached_is_removed_after_a_day_and_an_attached_one_stays() {
    use jifen_server::services::photos::sweep_unattached;
    let app = TestApp::spawn_at("2026-05-20T10:00:00+08:00").await;
    let member = app.login_as("member3").await;
    let committee = app.login_as("committee1").await;
    let attached: PhotoView = upload(&app, &member, jpeg()).await.json().await.unwrap();
    let forgotten: PhotoView = upload(&app, &member, photo(160, 120, 9))
        .await
        .json()
        .await
        .unwrap();
    // The same picture again, never attached: stored once, under its content.
    let again: PhotoView = upload(&app, &member, jpeg()).await.json().await.unwrap();
    assert_eq!(photo_files(&app), 2, "one file per picture");
    let mut form = app.deed_form(SNOW);
    form.photo_ids = vec![attached.id.clone()];
    app.submit(&member, &form).await;

    let state = &app.state;
    let dir = &state.photo_store;
    let keep = state.uploads.keep_unattached;
    assert_eq!(keep, chrono::Duration::hours(24), "a day by default");
    let uploaded = state.now();
    let removed = sweep_unattached(&state.db, dir, uploaded + chrono::Duration::hours(23), keep)
        .await
        .unwrap();
    assert_eq!(removed, 0, "nothing is removed before a day has passed");
    let removed = sweep_unattached(&state.db, dir, uploaded + chrono::Duration::hours(25), keep)
        .await
        .unwrap();
    assert_eq!(removed, 2, "only the photos nobody attached");

    let res = app
        .get(&member, &format!("/api/v1/photos/{}", forgotten.id))
        .await;
    assert_eq!(
        problem(res, StatusCode::NOT_FOUND).await.code,
        "photo.not_found"
    );
    let res = app
        .get(&member, &format!("/api/v1/photos/{}", again.id))
        .await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    assert_eq!(
        photo_files(&app),
        1,
        "the forgotten picture's file is gone; the attached one's stays"
    );
    let res = app
        .get(&committee, &format!("/api/v1/photos/{}", attached.id))
        .await;
    assert_eq!(res.status(), StatusCode::OK, "the evidence stays");
    assert_eq!(size_of(&res.bytes().await.unwrap()), (160, 120));

    let mut late = app.deed_form(SNOW);
    late.photo_ids = vec![forgotten.id];
    let res = app.post(&member, "/api/v1/deeds", &late).await;
    let p = problem(res, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(
        p.errors[0].code, "photo.unknown",
        "a removed photo cannot be attached"
    );
}

#[tokio::test]
async fn uploads_beyond_what_the_server_receives_at_once_are_told_to_retry() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let app = TestApp::spawn_with_config(|c| {
        c.limits.concurrent_uploads = 1;
        c.limits.upload = jifen_server::infra::config::Rate::new(10_000, 10_000);
    })
    .await;
    let slow = app.login_as("member3").await;
    let other = app.login_as("member4").await;

    // A member on a weak network: the request and half of the photo arrive, the rest waits.
    let photo = photo_of(64);
    let head = "--slow\r\nContent-Disposition: form-data; name=\"file\"; filename=\"p.jpg\"\r\n\
                Content-Type: image/jpeg\r\n\r\n";
    let tail = "\r\n--slow--\r\n";
    let length = head.len() + photo.len() + tail.len();
    let address = app.address.trim_start_matches("http://");
    let mut conn = tokio::net::TcpStream::connect(address).await.unwrap();
    let request = format!(
        "POST /api/v1/photos HTTP/1.1\r\nHost: {address}\r\nAuthorization: Bearer {}\r\n\
         Content-Type: multipart/form-data; boundary=slow\r\nContent-Length: {length}\r\n\
         Connection: close\r\n\r\n{head}",
        slow.access_token
    );
    conn.write_all(request.as_bytes()).await.unwrap();
    conn.write_all(&photo[..photo.len() / 2]).await.unwrap();
    conn.flush().await.unwrap();

    eventually("the slow upload is being received", || async {
        (app.state.uploads.free_slots() == 0).then_some(())
    })
    .await;
    let busy = upload(&app, &other, jpeg()).await;
    assert_eq!(busy.headers()["retry-after"], "1");
    let p = problem(busy, StatusCode::SERVICE_UNAVAILABLE).await;
    assert_eq!(p.code, "service.busy");

    conn.write_all(&photo[photo.len() / 2..]).await.unwrap();
    conn.write_all(tail.as_bytes()).await.unwrap();
    let mut answer = String::new();
    conn.read_to_string(&mut answer).await.unwrap();
    assert!(
        answer.starts_with("HTTP/1.1 201"),
        "the slow upload arrives: {answer}"
    );
    let res = upload(&app, &other, jpeg()).await;
    assert_eq!(res.status(), StatusCode::CREATED, "the slot is free again");
}

#[tokio::test]
async fn a_photo_is_sent_so_that_no_browser_runs_it() {
    let app = TestApp::spawn().await;
    let member = app.login_as("member3").await;
    let photo: PhotoView = upload(&app, &member, jpeg()).await.json().await.unwrap();
    let res = app
        .get(&member, &format!("/api/v1/photos/{}", photo.id))
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let headers = res.headers();
    assert_eq!(headers["content-type"], "image/jpeg");
    assert_eq!(headers["x-content-type-options"], "nosniff");
    assert_eq!(
        headers["content-security-policy"],
        "default-src 'none'; sandbox"
    );
}

#[tokio::test]
async fn a_body_far_beyond_a_photo_is_refused_before_it_is_read() {
    let app = TestApp::spawn().await;
    let member = app.login_as("member3").await;
    let res = app
        .client
        .post(app.url("/api/v1/photos"))
        .bearer_auth(&member.access_token)
        .header("content-type", "multipart/form-data; boundary=x")
        .body(vec![b'a'; 6 * 1024 * 1024])
        .send()
        .await
        .unwrap();
    let p = problem(res, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(p.errors[0].code, "photo.too_large");
    assert_eq!(photo_files(&app), 0);
}

/// A photo swept away while the report naming it was on its way to the database does not leave
/// the report pointing at nothing: the write itself looks again, and the report is refused as
/// naming an unknown photo.
#[tokio::test]
async fn a_report_whose_photo_vanished_on_the_way_is_refused_not_left_dangling() {
    use jifen_server::entity::deed;
    use jifen_server::error::AppError;
    use sea_orm::EntityTrait;

    let app = TestApp::spawn().await;
    let member = app.login_as("member3").await;
    let first = app.submit(&member, &app.deed_form(SNOW)).await;
    let db = app.database().await;
    let mut on_its_way = deed::Entity::find_by_id(first.id.clone())
        .one(&db)
        .await
        .unwrap()
        .unwrap();
    on_its_way.id = jifen_server::infra::ids::new();
    on_its_way.client_request_id = "phone-2-0001".into();
    // Checked when the member sent it; swept before the writer reached it.
    on_its_way.photo_ids = json!([jifen_server::infra::ids::new()]).to_string();

    match app.state.submissions.write(on_its_way.clone()).await {
        Err(AppError::Validation(issues)) => assert_eq!(issues[0].code, "photo.unknown"),
        other => panic!("expected photo.unknown, got {other:?}"),
    }
    assert!(
        deed::Entity::find_by_id(on_its_way.id)
            .one(&db)
            .await
            .unwrap()
            .is_none(),
        "nothing written"
    );
}

#[tokio::test]
async fn a_photo_the_committee_attached_to_a_deed_it_registered_for_a_member_is_kept() {
    use jifen_server::services::photos::sweep_unattached;
    let app = TestApp::spawn_at("2026-05-20T10:00:00+08:00").await;
    let committee = app.login_as("committee1").await;
    let member5 = app.demo.member("member5").to_owned();
    let photo: PhotoView = upload(&app, &committee, jpeg()).await.json().await.unwrap();
    let mut form = app.deed_form(SNOW);
    form.photo_ids = vec![photo.id.clone()];
    form.member_id = Some(member5);
    let res = app.post(&committee, "/api/v1/deeds", &form).await;
    assert_eq!(res.status(), StatusCode::CREATED, "registered for member5");
    let deed: jifen_shared::api::DeedView = res.json().await.unwrap();
    assert_eq!(deed.photo_ids, vec![photo.id.clone()], "{deed:?}");

    let state = &app.state;
    let later = state.now() + chrono::Duration::hours(25);
    let removed = sweep_unattached(
        &state.db,
        &state.photo_store,
        later,
        state.uploads.keep_unattached,
    )
    .await
    .unwrap();
    assert_eq!(removed, 0, "the registered deed names it");
    let res = app
        .get(&committee, &format!("/api/v1/photos/{}", photo.id))
        .await;
    assert_eq!(res.status(), StatusCode::OK, "the evidence stays");
}
