//! The OpenAPI document is the contract the WeChat mini program is generated from: every error it
//! describes is a problem (`application/problem+json`), and every operation that needs a token
//! says it may answer 401 and does. (`scripts/contract.sh` fuzzes the whole document in CI.)

use jifen_tests::TestApp;
use reqwest::StatusCode;
use serde_json::Value;

const METHODS: [&str; 5] = ["get", "put", "post", "delete", "patch"];

async fn document(app: &TestApp) -> Value {
    let res = app
        .client
        .get(app.url("/api/openapi.json"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    res.json().await.unwrap()
}

/// Every API operation of the document: (method, path, operation).
fn operations(doc: &Value) -> Vec<(String, String, Value)> {
    let mut ops = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for method in METHODS {
            if let Some(op) = item.get(method) {
                ops.push((method.to_owned(), path.clone(), op.clone()));
            }
        }
    }
    assert!(ops.len() > 40, "the document lists the API: {}", ops.len());
    ops
}

/// A response as the document gives it, its `$ref` to a shared response followed.
fn resolved<'a>(doc: &'a Value, response: &'a Value) -> &'a Value {
    match response.get("$ref").and_then(Value::as_str) {
        Some(reference) => {
            let name = reference
                .strip_prefix("#/components/responses/")
                .unwrap_or_else(|| panic!("{reference} is not a shared response"));
            &doc["components"]["responses"][name]
        }
        None => response,
    }
}

/// A client generated from the document reads each error body as the problem it is: the shared
/// answers, `application/problem+json` with the Problem schema, on every operation, and every
/// operation warns of server failures.
#[tokio::test]
async fn every_error_the_document_describes_is_a_problem() {
    let app = TestApp::spawn().await;
    let doc = document(&app).await;

    for (method, path, op) in operations(&doc) {
        let responses = op["responses"].as_object().unwrap();
        if path.starts_with("/api/") {
            for status in ["500", "503"] {
                assert!(
                    responses.contains_key(status),
                    "{method} {path} does not list {status}"
                );
            }
        }
        for (status, response) in responses {
            let code: u16 = status.parse().unwrap();
            if code < 400 {
                continue;
            }
            assert!(
                response.get("$ref").is_some(),
                "{method} {path} describes its {status} by itself, not by a shared answer"
            );
            let content = resolved(&doc, response)["content"].as_object().unwrap();
            assert_eq!(
                content.keys().collect::<Vec<_>>(),
                ["application/problem+json"],
                "{method} {path} {status}"
            );
            assert_eq!(
                content["application/problem+json"]["schema"]["$ref"],
                "#/components/schemas/Problem",
                "{method} {path} {status}"
            );
        }
    }
    let busy = &doc["components"]["responses"]["TooManyRequests"];
    assert!(
        busy["headers"].get("Retry-After").is_some(),
        "429 tells when to try again"
    );
}

/// Every operation that needs a token lists 401, and answers it, as a problem, to a caller who
/// has none.
#[tokio::test]
async fn every_operation_that_needs_a_token_lists_and_answers_401() {
    let app = TestApp::spawn().await;
    let doc = document(&app).await;

    let mut secured = 0;
    for (method, path, op) in operations(&doc) {
        if op.get("security").is_none() {
            continue;
        }
        secured += 1;
        assert!(
            op["responses"].get("401").is_some(),
            "{method} {path} needs a token but does not list 401"
        );
        let url = app.url(
            &path
                .replace("{year}", "2026")
                .replace("{quarter}", "1")
                .replace("{id}", "00000000-0000-4000-8000-000000000000"),
        );
        let request = match method.as_str() {
            "get" => app.client.get(url),
            "put" => app.client.put(url),
            "post" => app.client.post(url),
            "delete" => app.client.delete(url),
            _ => app.client.patch(url),
        };
        let res = request
            .header("Content-Type", "application/json")
            .body("{}")
            .send()
            .await
            .unwrap();
        assert_eq!(
            res.status(),
            StatusCode::UNAUTHORIZED,
            "{method} {path} without a token"
        );
        assert_eq!(
            res.headers()["content-type"],
            "application/problem+json",
            "{method} {path}"
        );
    }
    assert!(secured > 30, "only {secured} operations need a token");
}

/// The closed sets (statuses, roles, kinds) are named in the document with the very words the
/// API sends, so that a generated client can read every answer.
#[tokio::test]
async fn the_document_names_the_words_the_api_sends() {
    use jifen_shared::domain::{
        DeductionStatus, DeedStatus, FeedbackStatus, LedgerKind, MemberStatus, NotificationKind,
        OrgKind, QuarterStatus, Role, RuleCategory,
    };
    let app = TestApp::spawn().await;
    let doc = document(&app).await;

    let mut checked = 0;
    fn words<T: Copy + std::fmt::Display>(all: &[T]) -> Vec<String> {
        all.iter().map(ToString::to_string).collect()
    }
    for (name, sent) in [
        ("DeedStatus", words(DeedStatus::ALL)),
        ("FeedbackStatus", words(FeedbackStatus::ALL)),
        ("DeductionStatus", words(DeductionStatus::ALL)),
        ("LedgerKind", words(LedgerKind::ALL)),
        ("MemberStatus", words(MemberStatus::ALL)),
        ("NotificationKind", words(NotificationKind::ALL)),
        ("OrgKind", words(OrgKind::ALL)),
        ("QuarterStatus", words(QuarterStatus::ALL)),
        ("Role", words(Role::ALL)),
        ("RuleCategory", words(RuleCategory::ALL)),
    ] {
        let schema = &doc["components"]["schemas"][name];
        if schema.is_null() {
            continue; // not part of any answer
        }
        let documented: Vec<String> = schema["enum"]
            .as_array()
            .unwrap_or_else(|| panic!("{name} is not an enum: {schema}"))
            .iter()
            .map(|w| w.as_str().unwrap().to_owned())
            .collect();
        assert_eq!(documented, sent, "{name}");
        checked += 1;
    }
    assert!(
        checked >= 6,
        "only {checked} of the closed sets are in the document"
    );
    let res = app.get(&app.login_as("member3").await, "/api/v1/me").await;
    let me: Value = res.json().await.unwrap();
    assert_eq!(
        me["roles"][0]["role"], "member",
        "the wire word is the documented one"
    );
}
