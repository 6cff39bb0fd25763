//! Evidence the committee can trust: photos are stored without their metadata, the capture time
//! and place they held reach only the reviewing committee, and the committee is told when a deed's
//! place or photos do not fit it. Warnings inform; they never refuse a report.

use jifen_server::seed::SNOW;
use jifen_shared::api::{AreaSource, DeedPage, DeedView, EvidenceView, PhotoView, PlaceDto};
use jifen_shared::domain::{Agreement, DeedStatus};
use jifen_tests::pictures::{blank_png, holds, photo, with_exif, Taken, PHONE_MODEL};
use jifen_tests::{problem, TestApp, User};
use reqwest::StatusCode;
use serde_json::json;

/// The test clock: reports made in these stories happened an hour before, at 09:00 Beijing time.
const NOW: &str = "2026-05-20T10:00:00+08:00";

async fn upload(app: &TestApp, user: &User, bytes: Vec<u8>) -> reqwest::Response {
    let part = reqwest::multipart::Part::bytes(bytes)
        .file_name("IMG_0001.jpg")
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

async fn stored(app: &TestApp, user: &User, bytes: Vec<u8>) -> PhotoView {
    let res = upload(app, user, bytes).await;
    assert_eq!(res.status(), StatusCode::CREATED, "the photo is taken");
    res.json().await.unwrap()
}

/// Reports a snow-clearing deed in `branch` with these photos.
async fn report(app: &TestApp, user: &User, branch: &str, photos: &[&PhotoView]) -> DeedView {
    let mut form = app.deed_form_in(branch, SNOW);
    form.photo_ids = photos.iter().map(|p| p.id.clone()).collect();
    app.submit(user, &form).await
}

async fn deed(app: &TestApp, user: &User, id: &str) -> DeedView {
    let res = app.get(user, &format!("/api/v1/deeds/{id}")).await;
    assert_eq!(res.status(), StatusCode::OK);
    res.json().await.unwrap()
}

fn evidence(d: &DeedView) -> &EvidenceView {
    d.evidence
        .as_ref()
        .expect("the reviewer is shown the evidence")
}

/// A photo taken at the village's road a quarter of an hour before the deed's time.
fn taken_on_the_spot() -> Vec<u8> {
    with_exif(
        &photo(320, 240, 1),
        &Taken {
            at: "2026:05:20 08:45:00",
            offset: Some("+08:00"),
            lat: 34.7490,
            lng: 113.6310,
        },
    )
}

#[tokio::test]
async fn a_phone_photo_is_stored_without_its_exif_and_only_the_reviewer_sees_where_it_was_taken() {
    let app = TestApp::spawn_at(NOW).await;
    let member = app.login_as("member3").await;
    let committee = app.login_as("committee1").await;
    let original = taken_on_the_spot();
    assert!(holds(&original, b"Exif\0\0") && holds(&original, PHONE_MODEL.as_bytes()));

    let photo = stored(&app, &member, original).await;
    assert_eq!(photo.content_type, "image/jpeg");
    let bytes = app
        .get(&member, &format!("/api/v1/photos/{}", photo.id))
        .await
        .bytes()
        .await
        .unwrap();
    assert!(!holds(&bytes, b"Exif\0\0"), "no EXIF segment is stored");
    assert!(
        !holds(&bytes, PHONE_MODEL.as_bytes()),
        "nor the phone's model"
    );
    let picture = image::load_from_memory(&bytes).expect("still a picture");
    assert_eq!((picture.width(), picture.height()), (320, 240));

    // The branch has set no usual area: its approved places make one.
    for neighbour in ["member4", "member5", "member6"] {
        let earlier = report(&app, &app.login_as(neighbour).await, "demo-1", &[]).await;
        let res = app
            .post(
                &committee,
                &format!("/api/v1/deeds/{}/approve", earlier.id),
                &json!({}),
            )
            .await;
        assert_eq!(res.status(), StatusCode::OK);
    }

    let reported = report(&app, &member, "demo-1", &[&photo]).await;
    assert_eq!(reported.evidence, None, "the member's answer carries none");

    let seen = deed(&app, &committee, &reported.id).await;
    let ev = evidence(&seen);
    assert_eq!(ev.photos.len(), 1);
    let p = &ev.photos[0];
    assert_eq!(p.photo_id, photo.id);
    assert_eq!(
        p.taken_at.map(|t| t.to_rfc3339()),
        Some("2026-05-20T00:45:00+00:00".to_owned()),
        "the capture time, in its own zone"
    );
    assert!((p.taken_lat.unwrap() - 34.7490).abs() < 1e-6);
    assert!((p.taken_lng.unwrap() - 113.6310).abs() < 1e-6);
    assert_eq!(p.time, Agreement::Agrees);
    assert_eq!(p.hours_apart, Some(0));
    assert_eq!(p.place, Agreement::Agrees);
    assert!(p.metres_apart.unwrap() < 200, "{:?}", p.metres_apart);
    assert!(p.also_on.is_empty());
    let area = ev.area.as_ref().expect("the approved places give an area");
    assert_eq!(area.source, AreaSource::ApprovedMedian);
    assert!(!area.outside, "the village road is in the village");
    assert!(!ev.warns(), "nothing to note");

    let own = deed(&app, &member, &reported.id).await;
    assert_eq!(own.evidence, None, "the member is not shown it");
    let queue: DeedPage = app
        .get(&committee, "/api/v1/deeds?scope=review")
        .await
        .json()
        .await
        .unwrap();
    assert!(
        queue.items.iter().all(|d| d.evidence.is_none()),
        "lists carry no evidence"
    );
    let stranger = app.login_as("committee2").await;
    let res = app
        .get(&stranger, &format!("/api/v1/deeds/{}", reported.id))
        .await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn files_that_do_not_decode_or_hold_too_many_pixels_are_refused() {
    let app = TestApp::spawn().await;
    let member = app.login_as("member3").await;

    let mut cut_short = blank_png(640, 480);
    cut_short.truncate(cut_short.len() / 2);
    let p = problem(
        upload(&app, &member, cut_short).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(p.errors[0].code, "photo.undecodable", "a PNG cut short");
    assert!(
        p.errors[0].message.contains("损坏"),
        "{}",
        p.errors[0].message
    );

    let mut pretending = vec![0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10];
    pretending.extend(b"JFIF\0 and then nothing of a picture".repeat(20));
    let p = problem(
        upload(&app, &member, pretending).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(
        p.errors[0].code, "photo.undecodable",
        "only a JPEG's first bytes"
    );

    // 7000 × 6000 = 42 megapixels of one colour in a few hundred kilobytes: refused from its
    // header, before 42 MB of pixels are decoded.
    let bomb = blank_png(7000, 6000);
    assert!(bomb.len() < 1024 * 1024, "{} bytes", bomb.len());
    let res = app
        .client
        .post(app.url("/api/v1/photos"))
        .bearer_auth(&member.access_token)
        .header("accept-language", "zh-CN")
        .multipart(reqwest::multipart::Form::new().part(
            "file",
            reqwest::multipart::Part::bytes(bomb).file_name("big.png"),
        ))
        .send()
        .await
        .unwrap();
    let p = problem(res, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(p.errors[0].code, "photo.too_many_pixels");
    assert!(
        p.errors[0].message.contains("尺寸过大"),
        "{}",
        p.errors[0].message
    );

    let png = stored(&app, &member, blank_png(640, 480)).await;
    assert_eq!(png.content_type, "image/png", "a PNG stays a PNG");
}

#[tokio::test]
async fn one_picture_on_two_deeds_is_flagged_naming_only_what_the_reviewer_may_see() {
    let app = TestApp::spawn_at(NOW).await;
    let committee = app.login_as("committee1").await;
    let first_member = app.login_as("member3").await;
    let second_member = app.login_as("member4").await;
    let elsewhere = app.login_as("member16").await;
    let picture = photo(320, 240, 3);

    let first = report(
        &app,
        &first_member,
        "demo-1",
        &[&stored(&app, &first_member, picture.clone()).await],
    )
    .await;
    let unrelated = stored(&app, &second_member, photo(320, 240, 4)).await;
    let copied = stored(&app, &second_member, picture.clone()).await;
    let second = report(&app, &second_member, "demo-1", &[&unrelated, &copied]).await;
    let other_branch = report(
        &app,
        &elsewhere,
        "demo-2",
        &[&stored(&app, &elsewhere, picture).await],
    )
    .await;

    let seen = deed(&app, &committee, &second.id).await;
    let ev = evidence(&seen);
    assert!(ev.photos[0].also_on.is_empty(), "a picture of its own");
    let reuses = &ev.photos[1].also_on;
    assert_eq!(reuses.len(), 2, "{reuses:?}");
    let named = reuses
        .iter()
        .find(|r| r.deed_id.is_some())
        .expect("the deed of the same branch is named");
    assert_eq!(named.deed_id.as_deref(), Some(first.id.as_str()));
    assert_eq!(named.title.as_deref(), Some(first.title.as_str()));
    assert_eq!(
        named.member_name.as_deref(),
        Some(first.member_name.as_str())
    );
    assert_eq!(named.status, Some(DeedStatus::Submitted));
    let hidden = reuses.iter().find(|r| r.deed_id.is_none()).unwrap();
    assert_eq!(
        (&hidden.title, &hidden.member_name, hidden.status),
        (&None, &None, None),
        "of another branch's deed only that it exists is said"
    );
    assert!(ev.warns());

    let theirs = deed(&app, &app.login_as("committee2").await, &other_branch.id).await;
    let reuses = &evidence(&theirs).photos[0].also_on;
    assert_eq!(reuses.len(), 2);
    assert!(
        reuses
            .iter()
            .all(|r| r.deed_id.is_none() && r.title.is_none()),
        "demo-2's committee learns nothing of demo-1's deeds: {reuses:?}"
    );
}

#[tokio::test]
async fn a_deed_far_away_with_a_photo_from_elsewhere_is_flagged_but_still_reviewed() {
    let app = TestApp::spawn_at(NOW).await;
    let secretary = app.login_as("secretary1").await;
    let committee = app.login_as("committee1").await;
    let member = app.login_as("member3").await;
    let res = app
        .patch(
            &secretary,
            &format!("/api/v1/branches/{}/settings", app.demo.branch("demo-1")),
            &json!({"evidence_area": {"lat": 34.7466, "lng": 113.6253, "radius_m": 3000}}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);

    // Taken in Beijing ten days earlier, on a phone that writes no zone (Beijing time assumed).
    let old = with_exif(
        &photo(320, 240, 5),
        &Taken {
            at: "2026:05:10 09:00:00",
            offset: None,
            lat: 39.9042,
            lng: 116.4074,
        },
    );
    let photo = stored(&app, &member, old).await;
    let plain = stored(&app, &member, self::photo(320, 240, 6)).await;
    let mut form = app.deed_form(SNOW);
    form.place = PlaceDto {
        name: "新乡市区".into(),
        lat: Some(35.3030),
        lng: Some(113.9268),
    };
    form.photo_ids = vec![photo.id.clone(), plain.id.clone()];
    let reported = app.submit(&member, &form).await;
    assert_eq!(
        reported.status,
        DeedStatus::Submitted,
        "warnings never refuse"
    );

    let seen = deed(&app, &committee, &reported.id).await;
    let ev = evidence(&seen);
    let area = ev.area.as_ref().unwrap();
    assert_eq!(area.source, AreaSource::Settings);
    assert_eq!(area.radius_m, 3000);
    assert!(area.outside);
    assert!(
        (65_000..75_000).contains(&area.distance_m),
        "新乡 is about 70 km from the village: {}",
        area.distance_m
    );
    let far = &ev.photos[0];
    assert_eq!(far.time, Agreement::Disagrees);
    assert_eq!(far.hours_apart, Some(240));
    assert_eq!(far.place, Agreement::Disagrees);
    assert!(
        far.metres_apart.unwrap() > 400_000,
        "{:?}",
        far.metres_apart
    );
    let unknown = &ev.photos[1];
    assert_eq!(
        (unknown.time, unknown.place, unknown.taken_at),
        (Agreement::Unknown, Agreement::Unknown, None),
        "a photo without EXIF says nothing"
    );
    assert!(ev.warns());

    let res = app
        .post(
            &committee,
            &format!("/api/v1/deeds/{}/approve", reported.id),
            &json!({}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK, "the committee still decides");
}

/// A generated client (the WeChat mini program) reads the evidence from the document too.
#[tokio::test]
async fn the_document_describes_the_evidence_with_the_words_sent() {
    let app = TestApp::spawn().await;
    let doc: serde_json::Value = app
        .client
        .get(app.url("/api/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let schemas = &doc["components"]["schemas"];
    for name in ["EvidenceView", "PhotoEvidence", "AreaCheck", "PhotoReuse"] {
        assert!(schemas[name].is_object(), "{name} is described");
    }
    assert_eq!(
        schemas["Agreement"]["enum"],
        json!(["agrees", "disagrees", "unknown"])
    );
    assert_eq!(
        schemas["AreaSource"]["enum"],
        json!(["settings", "approved_median"])
    );
}
