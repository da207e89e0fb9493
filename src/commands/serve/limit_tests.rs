//! The router's limits in process: evaluations off the async workers with a deadline and a
//! cap, the body's size and time, a path that does not decode, and what `/health` says
//! about refused edits and data errors. Each waits for a state (with a timeout), never for a
//! fixed time.

use super::Limits;
use super::api::router;
use super::reloader::reload_now;
use super::state::Service;
use super::tests::{TIERS, call, get, options, parse, post, project, tiers_project, version};
use axum::body::{Body, Bytes};
use axum::http::{Request, StatusCode, header};
use hyper::body::Frame;
use serde_json::{Value as Json, json};
use std::convert::Infallible;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};
use tower::ServiceExt;

/// A rule whose metric loops `loops` times (a customer's field): within the operation
/// limit, so only the deadline stops the wait for it.
const SPIN: &str = "fn spin(n) {\n    let i = 0;\n    while i < n { i += 1; }\n    i\n}\n";
const SPUN: &str = "metrics:\n  spun: spin(loops)\ndecisions:\n  - name: tier\n    rules:\n      - { id: a, when: spun >= 0, then: { tier: A } }\n";

/// Customers `fast` (no loop) and `slow` (a loop of about a second in a debug build).
fn spin_app(limits: &Limits) -> (axum::Router, tempfile::TempDir) {
    let dir = project(
        &[("spin.rhai", SPIN), ("tiers.yaml", SPUN)],
        "CREATE TABLE customers (customer_id TEXT, loops INTEGER);
         INSERT INTO customers VALUES ('fast', 0), ('slow', 200000);",
    );
    let config = dir.path().join("config.yaml");
    let text = std::fs::read_to_string(&config).unwrap();
    std::fs::write(
        &config,
        text + "limits: { max_operations: 1000000000000 }\n",
    )
    .unwrap();
    let v = version(dir.path(), 1);
    (router(Arc::new(Service::new(v)), limits), dir)
}

/// Polls `/health` until `f` accepts it; fails after 20 s.
async fn health_until(app: &axum::Router, what: &str, f: impl Fn(&Json) -> bool) -> Json {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let (status, body) = get(app, "/health").await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let health = parse(&body);
        if f(&health) {
            return health;
        }
        assert!(
            Instant::now() < deadline,
            "timed out waiting for {what}: {body}"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

#[tokio::test]
async fn a_slow_evaluation_is_a_504_a_full_gate_a_503_and_health_answers_meanwhile() {
    let limits = Limits {
        request_timeout: Duration::from_millis(300),
        max_evaluations: 1,
        ..Limits::default()
    };
    let (app, _dir) = spin_app(&limits);
    let (status, body) = get(&app, "/customers/fast/policy").await;
    assert_eq!(status, StatusCode::OK, "{body}");

    let slow = tokio::spawn({
        let request = Request::get("/customers/slow/policy")
            .body(Body::empty())
            .unwrap();
        app.clone().oneshot(request)
    });
    // /health answers while the evaluation runs, and counts it.
    let health = health_until(&app, "the slow evaluation to run", |h| {
        h["evaluations"]["running"] == 1
    })
    .await;
    assert_eq!(health["evaluations"]["max"], 1);
    // The one place is taken: another evaluation is refused at once, with Retry-After.
    let request = Request::get("/customers/fast/explain")
        .body(Body::empty())
        .unwrap();
    let response = app.clone().oneshot(request).await.unwrap();
    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(response.headers()[header::RETRY_AFTER], "1");
    let (status, body) = post(&app, "/evaluate", r#"{"loops": 0}"#).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{body}");
    let busy = parse(&body);
    assert_eq!(
        busy["error"],
        "busy: 1 evaluations are running, the most at once; retry later"
    );

    let response = slow.await.unwrap().unwrap();
    assert_eq!(response.status(), StatusCode::GATEWAY_TIMEOUT);
    let body = axum::body::to_bytes(response.into_body(), usize::MAX)
        .await
        .unwrap();
    let timed_out: Json = serde_json::from_slice(&body).unwrap();
    assert_eq!(
        timed_out["error"],
        "the evaluation did not finish within 300 ms"
    );
    assert_eq!(timed_out["version"], 1);
    // What ran past its deadline holds its place until it ends; then the gate is free.
    health_until(&app, "the slow evaluation to end", |h| {
        h["evaluations"]["running"] == 0
    })
    .await;
    let (status, _) = get(&app, "/customers/fast/policy").await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn a_body_too_large_is_a_413_in_json() {
    let dir = tiers_project();
    let limits = Limits {
        max_body: 64,
        ..Limits::default()
    };
    let app = router(Arc::new(Service::new(version(dir.path(), 1))), &limits);
    let big = format!(
        r#"{{"annual_sales": 5, "customer_id": "{}"}}"#,
        "x".repeat(100)
    );
    let (status, _, body) = call(&app, "POST", "/evaluate", &big).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(
        body,
        json!({"error": "the body is larger than 64 bytes", "kind": "too_large"}).to_string()
    );
    // Within the limit it is answered.
    let (status, body) = post(&app, "/evaluate", r#"{"annual_sales": 5}"#).await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

#[tokio::test]
async fn a_body_announced_larger_than_the_limit_is_a_413_at_once() {
    let dir = tiers_project();
    let limits = Limits {
        max_body: 64,
        body_timeout: Duration::from_secs(600),
        ..Limits::default()
    };
    let app = router(Arc::new(Service::new(version(dir.path(), 1))), &limits);
    // Announces 10 GB and sends nothing: no need to wait for it to know the answer.
    let request = Request::post("/evaluate")
        .body(Body::new(Stalled(Some(10 << 30))))
        .unwrap();
    let answered = tokio::time::timeout(Duration::from_secs(30), app.oneshot(request));
    let response = answered.await.expect("answered without waiting").unwrap();
    assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE);
}

/// A body that never sends anything, announcing a length or not.
struct Stalled(Option<u64>);

impl axum::body::HttpBody for Stalled {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(
        self: Pin<&mut Self>,
        _: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
        Poll::Pending
    }

    fn size_hint(&self) -> hyper::body::SizeHint {
        self.0.map_or_else(
            hyper::body::SizeHint::default,
            hyper::body::SizeHint::with_exact,
        )
    }
}

#[tokio::test]
async fn a_body_that_does_not_arrive_is_a_408_in_json() {
    let dir = tiers_project();
    let limits = Limits {
        body_timeout: Duration::from_millis(100),
        ..Limits::default()
    };
    let app = router(Arc::new(Service::new(version(dir.path(), 1))), &limits);
    let request = Request::post("/evaluate")
        .body(Body::new(Stalled(None)))
        .unwrap();
    let response = app.oneshot(request).await.unwrap();
    assert_eq!(response.status(), StatusCode::REQUEST_TIMEOUT);
    assert_eq!(
        response.headers()[header::CONTENT_TYPE],
        "application/json; charset=utf-8"
    );
    let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
        .await
        .unwrap();
    assert_eq!(
        bytes,
        json!({"error": "the body did not arrive within 100 ms", "kind": "slow_body"}).to_string()
    );
}

#[tokio::test]
async fn a_path_that_is_not_utf8_is_a_400_in_json() {
    let dir = tiers_project();
    let app = router(
        Arc::new(Service::new(version(dir.path(), 1))),
        &Limits::default(),
    );
    for path in ["/customers/%FF/policy", "/customers/%C3%28/explain"] {
        let (status, body) = get(&app, path).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{path}: {body}");
        let expected = json!({
            "error": format!("the path {path} is not valid: the customer id is not UTF-8 text once decoded"),
            "kind": "bad_path",
        });
        assert_eq!(body, expected.to_string());
    }
    // Percent-encoded UTF-8 is an id like any other.
    let (status, body) = get(&app, "/customers/%C3%A9/policy").await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    assert!(
        parse(&body)["error"].as_str().unwrap().contains("`é`"),
        "{body}"
    );
}

#[tokio::test]
async fn health_reports_a_rejected_edit_and_a_data_error_until_they_are_fixed() {
    let dir = tiers_project();
    let service = Arc::new(Service::new(version(dir.path(), 1)));
    let app = router(service.clone(), &Limits::default());
    let opts = options(dir.path());
    let mut out = Vec::new();
    let rules = dir.path().join("rules/tiers.yaml");
    std::fs::write(&rules, TIERS.replace("sales_rank >=", "sales_rnak >=")).unwrap();
    reload_now(&service, &opts, false, &mut out);
    let (_, body) = get(&app, "/health").await;
    let health = parse(&body);
    assert_eq!(health["status"], "degraded", "{body}");
    assert_eq!(health["last_edit_rejected"], true, "{body}");
    assert_eq!(health["last_rejected"]["kept_version"], 1, "{body}");
    assert_eq!(
        health["last_rejected"]["refusal"]["kind"], "rules",
        "{body}"
    );
    assert_eq!(health["last_data_error"], Json::Null, "{body}");
    std::fs::write(&rules, TIERS).unwrap();
    reload_now(&service, &opts, false, &mut out);
    // The edit that mended it is in force: the refusal no longer stands, nor shows.
    let (_, body) = get(&app, "/health").await;
    assert_eq!(parse(&body)["last_rejected"], Json::Null, "{body}");

    // The column the rules read is renamed: the customers cannot be read again.
    let db = rusqlite::Connection::open(dir.path().join("customers.db")).unwrap();
    db.execute_batch("ALTER TABLE customers RENAME COLUMN annual_sales TO sales")
        .unwrap();
    reload_now(&service, &opts, true, &mut out);
    let said = String::from_utf8(std::mem::take(&mut out)).unwrap();
    assert!(
        said.ends_with("the customers could not be read again: kept version 2 in force\n"),
        "{said}"
    );
    let (_, body) = get(&app, "/health").await;
    let health = parse(&body);
    assert_eq!(health["status"], "degraded", "{body}");
    assert_eq!(health["last_edit_rejected"], false, "{body}");
    assert_eq!(health["last_data_error"]["kept_version"], 2, "{body}");
    let message = health["last_data_error"]["refusal"]["message"].as_str();
    assert!(message.unwrap().contains("annual_sales"), "{body}");
    assert_eq!(health["version"], 2, "{body}");
    let (_, body) = get(&app, "/rules").await;
    assert_eq!(parse(&body)["last_data_error"]["kept_version"], 2, "{body}");

    // Renamed back: read again, and nothing stands.
    db.execute_batch("ALTER TABLE customers RENAME COLUMN sales TO annual_sales")
        .unwrap();
    reload_now(&service, &opts, true, &mut out);
    let (_, body) = get(&app, "/health").await;
    let health = parse(&body);
    assert_eq!(
        (
            &health["status"],
            &health["last_data_error"],
            &health["version"]
        ),
        (&json!("ok"), &Json::Null, &json!(3)),
        "{body}"
    );
}
