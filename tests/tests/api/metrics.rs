//! An operator scrapes `/metrics` (issue 15, operations).
//!
//! The recorder belongs to the process, and the tests of this binary run side by side in one
//! process: a count is therefore read before and after the story and the story's own requests
//! must show in the difference (other tests can only add to it).

use jifen_server::infra::config::{Rate, Secret};
use jifen_shared::api::LoginRequest;
use jifen_tests::{problem, TestApp, PASSWORD};
use reqwest::StatusCode;

const TOKEN: &str = "scrape-token-0123456789";
const POINTS_ROUTE: &str = "/api/v1/members/{id}/points";

/// The value of the sample `name{labels}`, when the scrape holds it (labels in any order, and
/// the sample may carry more of them).
fn sample(text: &str, name: &str, labels: &[(&str, &str)]) -> Option<f64> {
    text.lines()
        .filter(|l| !l.starts_with('#'))
        .find_map(|line| {
            let (series, value) = line.rsplit_once(' ')?;
            let (metric, rest) = series.split_once('{').unwrap_or((series, "}"));
            if metric != name {
                return None;
            }
            let inside = rest.strip_suffix('}')?;
            let has = |(k, v): &(&str, &str)| {
                inside
                    .split("\",")
                    .map(|pair| pair.trim_end_matches('"'))
                    .any(|pair| pair == format!("{k}=\"{v}"))
            };
            labels.iter().all(has).then(|| value.parse().ok()).flatten()
        })
}

async fn scrape(app: &TestApp, base: &str, token: Option<&str>) -> String {
    let mut req = app.client.get(format!("{base}/metrics"));
    if let Some(token) = token {
        req = req.bearer_auth(token);
    }
    let res = req.send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK, "the scrape is served");
    let content_type = res.headers()[reqwest::header::CONTENT_TYPE]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        content_type.starts_with("text/plain; version=0.0.4"),
        "{content_type}"
    );
    res.text().await.unwrap()
}

fn points_served(text: &str, metric: &str, extra: &[(&str, &str)]) -> f64 {
    let mut labels = vec![
        ("method", "GET"),
        ("route", POINTS_ROUTE),
        ("status", "2xx"),
    ];
    labels.extend_from_slice(extra);
    sample(text, metric, &labels).unwrap_or(0.0)
}

/// A member looks at their points three times; the operator's scraper, on the metrics address
/// of its own, sees three more requests for the route (by its pattern, never the member's id in
/// the path) in the counter and the latency histogram, beside the pool, the outbox and the
/// read cache. The public address does not serve the metrics.
#[tokio::test]
async fn an_operator_scrapes_requests_per_route_on_the_metrics_address() {
    let app = TestApp::spawn_with_config(|c| c.metrics.bind = Some("127.0.0.1:0".into())).await;
    let apart = app
        .metrics_address
        .clone()
        .expect("a metrics address is bound");
    let before = scrape(&app, &apart, None).await;

    let member = app.login_as("member3").await;
    for _ in 0..3 {
        app.points(&member, &member.member_id, 2026).await;
    }

    let after = scrape(&app, &apart, None).await;
    let counted = points_served(&after, "jifen_http_requests_total", &[])
        - points_served(&before, "jifen_http_requests_total", &[]);
    assert!(counted >= 3.0, "three reads counted, got {counted}");
    let timed = points_served(&after, "jifen_http_request_duration_seconds_count", &[])
        - points_served(&before, "jifen_http_request_duration_seconds_count", &[]);
    assert!(timed >= 3.0, "three reads timed, got {timed}");
    let under_ten_seconds = points_served(
        &after,
        "jifen_http_request_duration_seconds_bucket",
        &[("le", "10")],
    );
    assert!(
        under_ten_seconds >= 3.0,
        "the histogram has buckets, not quantiles:\n{after}"
    );
    assert!(
        !after.contains(&member.member_id),
        "no raw path (with an id) becomes a label"
    );
    assert!(
        sample(&after, "jifen_db_pool_connections", &[]).is_some_and(|n| n >= 1.0),
        "pool size sampled:\n{after}"
    );
    assert!(sample(&after, "jifen_db_pool_idle_connections", &[]).is_some());
    assert_eq!(
        sample(&after, "jifen_outbox_pending_messages", &[]).map(|n| n >= 0.0),
        Some(true),
        "outbox depth sampled"
    );
    assert!(sample(&after, "jifen_outbox_oldest_pending_age_seconds", &[]).is_some());
    assert!(sample(&after, "jifen_read_cache_hits_total", &[]).is_some());
    assert!(sample(&after, "jifen_read_cache_misses_total", &[]).is_some());

    let public = app.client.get(app.url("/metrics")).send().await.unwrap();
    problem(public, StatusCode::NOT_FOUND).await;
}

/// With a token configured the public address serves `/metrics` to the bearer of that token
/// only; anyone else is told 401 in problem+json.
#[tokio::test]
async fn the_public_address_asks_for_the_metrics_token() {
    let app = TestApp::spawn_with_config(|c| c.metrics.token = Some(Secret::new(TOKEN))).await;

    let anonymous = app.client.get(app.url("/metrics")).send().await.unwrap();
    let p = problem(anonymous, StatusCode::UNAUTHORIZED).await;
    assert_eq!(p.code, "auth.missing_token");

    let wrong = app
        .client
        .get(app.url("/metrics"))
        .bearer_auth("scrape-token-guess")
        .send()
        .await
        .unwrap();
    let p = problem(wrong, StatusCode::UNAUTHORIZED).await;
    assert_eq!(p.code, "auth.invalid_token");

    let member = app.login_as("member3").await;
    let signed_in = app.get(&member, "/metrics").await;
    problem(signed_in, StatusCode::UNAUTHORIZED).await;

    let text = scrape(&app, &app.address, Some(TOKEN)).await;
    assert!(
        text.contains("# TYPE jifen_http_requests_total counter"),
        "{text}"
    );
}

/// Nothing configured: `/metrics` is a 404 like any unknown address, even where the web app
/// answers every other page address.
#[tokio::test]
async fn without_configuration_metrics_are_not_served() {
    let app_dir = std::env::temp_dir().join(format!("jifen-app-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&app_dir).unwrap();
    std::fs::write(
        app_dir.join("index.html"),
        "<!doctype html><title>积分</title>",
    )
    .unwrap();
    let dir = app_dir.clone();
    let app = TestApp::spawn_with_config(move |c| c.app_dir = dir).await;

    let page = app.client.get(app.url("/review")).send().await.unwrap();
    assert_eq!(
        page.status(),
        StatusCode::OK,
        "the web app takes page addresses"
    );
    for token in [None, Some(TOKEN)] {
        let mut req = app.client.get(app.url("/metrics"));
        if let Some(token) = token {
            req = req.bearer_auth(token);
        }
        let p = problem(req.send().await.unwrap(), StatusCode::NOT_FOUND).await;
        assert_eq!(p.code, "route.not_found");
    }
    std::fs::remove_dir_all(app_dir).ok();
}

/// Someone guessing passwords from one address is refused by the sign-in limit; the refusal
/// shows in the operator's counter under the limit's name.
#[tokio::test]
async fn a_refused_sign_in_shows_in_the_refusal_counter() {
    let app = TestApp::spawn_with_config(|c| {
        c.metrics.token = Some(Secret::new(TOKEN));
        c.limits.client_ip_header = Some("x-forwarded-for".into());
        c.limits.login = Rate::new(2, 2);
    })
    .await;
    let refusals = |text: &str| {
        sample(
            text,
            "jifen_rate_limit_refusals_total",
            &[("limit", "login")],
        )
        .unwrap_or(0.0)
    };
    let before = refusals(&scrape(&app, &app.address, Some(TOKEN)).await);

    let mut statuses = Vec::new();
    for _ in 0..3 {
        let res = app
            .client
            .post(app.url("/api/v1/auth/login"))
            .header("x-forwarded-for", "198.51.100.61")
            .json(&LoginRequest {
                username: "member3".into(),
                password: format!("not-{PASSWORD}"),
            })
            .send()
            .await
            .unwrap();
        statuses.push(res.status());
    }
    assert_eq!(
        statuses,
        [
            StatusCode::UNAUTHORIZED,
            StatusCode::UNAUTHORIZED,
            StatusCode::TOO_MANY_REQUESTS
        ]
    );

    let after = scrape(&app, &app.address, Some(TOKEN)).await;
    assert!(
        refusals(&after) - before >= 1.0,
        "the refusal is counted:\n{after}"
    );
    assert!(
        sample(
            &after,
            "jifen_http_requests_total",
            &[("route", "/api/v1/auth/login"), ("status", "4xx")]
        )
        .is_some_and(|n| n >= 3.0),
        "refused and failed sign-ins are requests too"
    );
}
