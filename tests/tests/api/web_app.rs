use jifen_tests::TestApp;
use reqwest::StatusCode;

/// The server hands out the built app: any page address gets index.html for the app's router,
/// hashed assets are cached for good, and the pre-compressed copies go to gzip-capable clients.
#[tokio::test]
async fn the_web_app_is_served_with_fallback_caching_and_compression() {
    let app = TestApp::spawn().await;
    let dist = app.state.config.app_dir.clone();
    std::fs::create_dir_all(dist.join("assets")).unwrap();
    std::fs::write(
        dist.join("index.html"),
        "<!doctype html><title>积分</title>",
    )
    .unwrap();
    std::fs::write(dist.join("assets/jifen-abc123.wasm"), b"\0asm-uncompressed").unwrap();
    std::fs::write(dist.join("assets/jifen-abc123.wasm.gz"), b"gzip-bytes").unwrap();

    let plain = reqwest::Client::builder().no_gzip().build().unwrap();
    let res = plain
        .get(app.url("/review/some-deed"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()["cache-control"], "no-cache");
    assert!(
        res.text().await.unwrap().contains("积分"),
        "deep links get the app's page"
    );

    let res = plain
        .get(app.url("/assets/jifen-abc123.wasm"))
        .header("Accept-Encoding", "gzip, deflate")
        .send()
        .await
        .unwrap();
    assert_eq!(res.headers()["content-type"], "application/wasm");
    assert_eq!(res.headers()["content-encoding"], "gzip");
    assert!(
        res.headers().get("content-disposition").is_none(),
        "shown, not downloaded"
    );
    assert!(res.headers()["cache-control"]
        .to_str()
        .unwrap()
        .contains("immutable"));
    assert_eq!(res.bytes().await.unwrap().as_ref(), b"gzip-bytes");

    let res = plain
        .get(app.url("/assets/jifen-abc123.wasm"))
        .header("Accept-Encoding", "identity")
        .send()
        .await
        .unwrap();
    assert_eq!(res.bytes().await.unwrap().as_ref(), b"\0asm-uncompressed");

    let res = plain
        .get(app.url("/assets/0ld8u11d/chunk_1.wasm"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        res.status(),
        StatusCode::NOT_FOUND,
        "an asset of another build is missing, not the app's page under a wasm name"
    );

    let res = plain
        .get(app.url("/api/v1/nothing-here"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        res.status(),
        StatusCode::NOT_FOUND,
        "unknown API paths stay 404, not the app"
    );
    let res = plain.get(app.url("/../secret")).send().await.unwrap();
    assert!(!res.text().await.unwrap().contains("secret-content"));
}
