//! The router in process: no socket, no thread; each request is one `oneshot` call on a
//! router built over a small version (ten customers, or two whose evaluation fails). Bodies
//! are compared whole, as text, so the keys' order is checked too.

use super::api::router;
use super::reloader::{apply, reload_now};
use super::state::{Service, Version};
use super::{Limits, ServeOptions};
use crate::report::refusal;
use crate::workspace::Overrides;
use crate::workspace::reload;
use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use serde_json::{Value as Json, json};
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tempfile::TempDir;
use tower::ServiceExt;

pub(super) const TIERS: &str = "population:\n  sales_rank: { percentile_of: annual_sales }\ndecisions:\n  - name: tier\n    rules:\n      - { id: a, when: sales_rank >= 0.8, then: { tier: A } }\n      - { id: c, then: { tier: C } }\n";

/// A project directory: `config.yaml`, `rules/<name>` for each rule file, and a
/// `customers` table made by `sql`.
pub(super) fn project(rules: &[(&str, &str)], sql: &str) -> TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("config.yaml"),
        "database: customers.db\ncustomers: { table: customers, id_column: customer_id }\nrules: rules\n",
    )
    .unwrap();
    std::fs::create_dir(dir.path().join("rules")).unwrap();
    for (name, text) in rules {
        std::fs::write(dir.path().join("rules").join(name), text).unwrap();
    }
    let conn = rusqlite::Connection::open(dir.path().join("customers.db")).unwrap();
    conn.execute_batch(sql).unwrap();
    dir
}

/// Ten customers with sales 1..10 under `TIERS`: customers 9 and 10 are tier A.
pub(super) fn tiers_project() -> TempDir {
    let rows: Vec<String> = (1..=10).map(|i| format!("({i}, {i}.0)")).collect();
    project(
        &[("tiers.yaml", TIERS)],
        &format!(
            "CREATE TABLE customers (customer_id INTEGER PRIMARY KEY, annual_sales REAL);
             INSERT INTO customers VALUES {};",
            rows.join(", ")
        ),
    )
}

/// The project's rules, loaded and bound to its customers, as version `number`.
pub(super) fn version(dir: &Path, number: u64) -> Version {
    let accepted = reload::load(
        &dir.join("config.yaml"),
        &Overrides::default(),
        super::SERVED_ROWS,
    )
    .unwrap_or_else(|refused| panic!("{}", refusal::text(&refused)));
    Version::new(accepted, number, Instant::now()).unwrap()
}

/// What `serve` would run with for the project in `dir`, for reloading it in a test.
pub(super) fn options(dir: &Path) -> ServeOptions {
    ServeOptions {
        config: dir.join("config.yaml"),
        overrides: Overrides::default(),
        listen: "127.0.0.1:0".parse().unwrap(),
        debounce: Duration::from_millis(50),
        data_check: None,
        limits: Limits::default(),
    }
}

/// One request; the status, the `Allow` header (if any) and the body as text.
pub(super) async fn call(
    app: &Router,
    method: &str,
    uri: &str,
    body: &str,
) -> (StatusCode, String, String) {
    let request = Request::builder()
        .method(method)
        .uri(uri)
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(body.to_owned()))
        .unwrap();
    let response = app.clone().oneshot(request).await.unwrap();
    let status = response.status();
    let header_text = |name| {
        response
            .headers()
            .get(name)
            .map(|v| v.to_str().unwrap().to_owned())
    };
    assert_eq!(
        header_text(header::CONTENT_TYPE).as_deref(),
        Some("application/json; charset=utf-8"),
        "{method} {uri}"
    );
    let allow = header_text(header::ALLOW).unwrap_or_default();
    let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
        .await
        .unwrap();
    (status, allow, String::from_utf8(bytes.to_vec()).unwrap())
}

pub(super) async fn get(app: &Router, uri: &str) -> (StatusCode, String) {
    let (status, _, body) = call(app, "GET", uri, "").await;
    (status, body)
}

pub(super) async fn post(app: &Router, uri: &str, body: &str) -> (StatusCode, String) {
    let (status, _, body) = call(app, "POST", uri, body).await;
    (status, body)
}

pub(super) fn parse(body: &str) -> Json {
    serde_json::from_str(body).unwrap_or_else(|e| panic!("{e}: {body}"))
}

/// A router over the ten customers, and the fingerprint of their rules.
fn tiers_app() -> (Router, String, TempDir) {
    let dir = tiers_project();
    let v = version(dir.path(), 1);
    let fingerprint = v.rules().fingerprint.clone();
    (
        router(Arc::new(Service::new(v)), &Limits::default()),
        fingerprint,
        dir,
    )
}

/// `body` ending with the stamp every answer ends with: version 1 of the rules `fp`, as of
/// today (the test's version was made today) in its month.
fn stamped(mut body: Json, fp: &str) -> String {
    let today = crate::time::today();
    let period = crate::time::Period::containing(crate::time::PeriodKind::Month, today);
    let object = body.as_object_mut().expect("an object");
    object.insert("fingerprint".into(), fp.into());
    object.insert("version".into(), 1.into());
    object.insert("as_of".into(), today.to_string().into());
    object.insert("period".into(), period.label().into());
    body.to_string()
}

#[tokio::test]
async fn health_and_rules_describe_the_version_in_force() {
    let (app, fp, dir) = tiers_app();
    let (status, body) = get(&app, "/health").await;
    assert_eq!(status, StatusCode::OK);
    let expected = json!({
        "status": "ok",
        "customers": 10,
        "last_edit_rejected": false,
        "last_rejected": null,
        "last_data_error": null,
        // The reload thread checks every customer; this router has none.
        "customers_checked": false,
        "customers_failing": null,
        "evaluations": {"running": 0, "max": 32},
        "connections": {"open": 0, "max": 200},
        "history_notes": [],
    });
    assert_eq!(body, stamped(expected, &fp));

    let (status, body) = get(&app, "/rules").await;
    assert_eq!(status, StatusCode::OK);
    let rules = parse(&body);
    assert_eq!(rules["fingerprint"], fp.as_str());
    assert_eq!(rules["version"], 1);
    assert_eq!(rules["customers"], 10);
    assert_eq!(rules["outputs"], json!(["tier"]));
    let file = dir.path().join("rules/tiers.yaml");
    assert_eq!(rules["files"], json!([file.display().to_string()]));
    assert_eq!(rules["last_edit_rejected"], false);
    assert_eq!(rules["last_rejected"], Json::Null);
    assert_eq!(rules["last_data_error"], Json::Null);
}

#[tokio::test]
async fn a_policy_and_an_explanation_are_stamped_with_the_version() {
    let (app, fp, _dir) = tiers_app();
    let (status, body) = get(&app, "/customers/9/policy").await;
    assert_eq!(status, StatusCode::OK);
    let expected = json!({
        "customer_id": 9,
        "policy": {"tier": "A"},
        "rule_ids": ["a"],
    });
    assert_eq!(body, stamped(expected, &fp));

    let (status, body) = get(&app, "/customers/9/explain").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let explained = parse(&body);
    assert_eq!(explained["customer"], "9");
    // Just under 9/10: the share of the ten not above customer 9.
    assert_eq!(
        explained["population"][0]["value"],
        (0.9f64 * (1.0 - 4.0 * crate::value::SAME_WITHIN))
    );
    assert_eq!(explained["population"][0]["ranked"], 10);
    assert_eq!(explained["fingerprint"], fp.as_str());
    assert_eq!(explained["version"], 1);
}

#[tokio::test]
async fn an_unknown_customer_is_a_404_naming_the_id_column() {
    let (app, fp, _dir) = tiers_app();
    for path in ["/customers/99/policy", "/customers/99/explain"] {
        let (status, body) = get(&app, path).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}");
        let expected = json!({
                "error": "no customer has customer_id = `99` in the customer source",
                "kind": "unknown_customer",
        });
        assert_eq!(body, stamped(expected, &fp), "{path}");
    }
}

/// An id that differs from a customer's only in case or blanks gets "did you mean", as
/// `tierwise explain` does.
#[tokio::test]
async fn an_id_in_the_wrong_case_is_a_404_with_the_id_meant() {
    let dir = project(
        &[(
            "tiers.yaml",
            "decisions:\n  - name: tier\n    rules:\n      - { id: c, then: { tier: C } }\n",
        )],
        "CREATE TABLE customers (customer_id TEXT PRIMARY KEY, annual_sales REAL);
         INSERT INTO customers VALUES ('C-000042', 5.0);",
    );
    let app = router(
        Arc::new(Service::new(version(dir.path(), 1))),
        &Limits::default(),
    );
    let (status, body) = get(&app, "/customers/c-000042/policy").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(
        parse(&body)["error"],
        "no customer has customer_id = `c-000042` in the customer source: did you mean `C-000042`?"
    );
}

#[tokio::test]
async fn a_prospect_is_placed_among_the_customers() {
    let (app, fp, _dir) = tiers_app();
    // Sales 9 has one customer ahead of it among eleven: fewer than 20% of 11 (A).
    let (status, body) = post(
        &app,
        "/evaluate",
        r#"{"customer_id": 11, "annual_sales": 9}"#,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let expected = json!({
        "customer_id": 11,
        "policy": {"tier": "A"},
        "rule_ids": ["a"],
        "null_fields": [],
        "history_periods": 0,
    });
    assert_eq!(body, stamped(expected, &fp));
    // Text stored as a number (the column is REAL); the id defaults to `prospect`.
    // Sales 7 has three ahead of it among eleven, more than 20% (2.2): C.
    let (status, body) = post(&app, "/evaluate", r#"{"annual_sales": "7"}"#).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(parse(&body)["customer_id"], "prospect");
    assert_eq!(parse(&body)["policy"]["tier"], "C");
    // A body that begins with a UTF-8 byte-order mark is the same JSON.
    let (status, body) = post(&app, "/evaluate", "\u{feff}{\"annual_sales\": 7}").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(parse(&body)["policy"]["tier"], "C");
    // A field the rules read, not given: the answer says it stood on a NULL.
    let (status, body) = post(&app, "/evaluate", r#"{"customer_id": 12}"#).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(parse(&body)["null_fields"], json!(["annual_sales"]));
}

#[tokio::test]
async fn a_body_that_is_not_a_customer_is_a_400_saying_why() {
    let (app, fp, _dir) = tiers_app();
    let cases = [
        (
            r#"{"annual_sales": }"#,
            "the body is not valid JSON: expected value at line 1 column 18",
        ),
        (
            r#"{"anual_sales": 5}"#,
            "`anual_sales` is not a field of the customer source; did you mean `annual_sales`?",
        ),
        (
            r#"{"zzz": 5}"#,
            "`zzz` is not a field of the customer source (fields: customer_id, annual_sales)",
        ),
        (
            r#"{"tier": "A"}"#,
            "`tier` is an output the rules compute, not a field of the customer: give the fields it is computed from",
        ),
        (
            r#"{"annual_sales": [5]}"#,
            "field `annual_sales` holds one value (text, number, true/false or null), not a list",
        ),
        (
            "[1, 2]",
            r#"the body must be a JSON object of the customer's fields, e.g. {"customer_id": "P-1", ...}; got a list"#,
        ),
    ];
    for (given, message) in cases {
        let kind = match given.contains(": }") {
            true => "malformed_json",
            false => "bad_fields",
        };
        let (status, body) = post(&app, "/evaluate", given).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{given}: {body}");
        let expected = stamped(json!({"error": message, "kind": kind}), &fp);
        assert_eq!(body, expected, "{given}");
    }
    // A value that does not fit its column: the message comes from the column's affinity.
    let (status, body) = post(&app, "/evaluate", r#"{"annual_sales": "a lot"}"#).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    let error = parse(&body)["error"].as_str().unwrap().to_owned();
    assert!(error.starts_with("field `annual_sales`: "), "{error}");
    assert_eq!(parse(&body)["version"], 1);
}

/// A column that declares no type (as a query's expression) holding numbers in the data:
/// text given for it is a 400 as in a declared number column, not a rule failing (422).
#[tokio::test]
async fn text_in_an_untyped_column_of_numbers_is_a_400() {
    let rows: Vec<String> = (1..=10).map(|i| format!("({i}, {i}.5)")).collect();
    let dir = project(
        &[("tiers.yaml", TIERS)],
        &format!(
            "CREATE TABLE customers (customer_id INTEGER PRIMARY KEY, annual_sales);
             INSERT INTO customers VALUES {};",
            rows.join(", ")
        ),
    );
    let app = router(
        Arc::new(Service::new(version(dir.path(), 1))),
        &Limits::default(),
    );
    let (status, body) = post(&app, "/evaluate", r#"{"annual_sales": "lots"}"#).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    let error = parse(&body)["error"].as_str().unwrap().to_owned();
    assert_eq!(
        error,
        "field `annual_sales`: this is a number column: `lots` is not a number (write digits only, e.g. 2500000)"
    );
    // A number given as text is read as the number, as SQLite would store it.
    let (status, body) = post(&app, "/evaluate", r#"{"annual_sales": "7.5"}"#).await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

#[tokio::test]
async fn an_unknown_path_is_a_404_listing_the_endpoints() {
    let (app, _, _dir) = tiers_app();
    let (status, body) = get(&app, "/customers").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let expected = json!({"error": "no such endpoint: GET /customers; there are GET /customers/{id}/policy, GET /customers/{id}/explain, POST /evaluate, GET /rules, GET /report, GET /health", "kind": "no_such_endpoint"});
    assert_eq!(body, expected.to_string());
}

#[tokio::test]
async fn a_wrong_method_is_a_405_with_allow() {
    let (app, _, _dir) = tiers_app();
    let (status, allow, body) = call(&app, "POST", "/rules", "{}").await;
    assert_eq!(
        (status, allow.as_str()),
        (StatusCode::METHOD_NOT_ALLOWED, "GET")
    );
    assert_eq!(
        body,
        json!({"error": "/rules takes GET, not POST", "kind": "wrong_method"}).to_string()
    );
    let (status, allow, body) = call(&app, "GET", "/evaluate", "").await;
    assert_eq!(
        (status, allow.as_str()),
        (StatusCode::METHOD_NOT_ALLOWED, "POST")
    );
    assert_eq!(
        body,
        json!({"error": "/evaluate takes POST, not GET", "kind": "wrong_method"}).to_string()
    );
}

#[tokio::test]
async fn an_evaluation_error_is_a_422_naming_the_customer_the_rule_and_where() {
    let dir = project(
        &[(
            "size.yaml",
            "decisions:\n  - name: order_size\n    rules:\n      - { id: per-order, then: { order_size: = annual_sales / orders } }\n",
        )],
        "CREATE TABLE customers (customer_id TEXT, annual_sales REAL, orders INTEGER);
         INSERT INTO customers VALUES ('ok', 100.0, 4), ('none', 100.0, 0);",
    );
    let v = version(dir.path(), 3);
    let fp = v.rules().fingerprint.clone();
    let app = router(Arc::new(Service::new(v)), &Limits::default());
    let (status, body) = get(&app, "/customers/ok/policy").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(parse(&body)["policy"]["order_size"], 25.0);

    for (method, path, given) in [
        ("GET", "/customers/none/policy", ""),
        ("GET", "/customers/none/explain", ""),
        ("POST", "/evaluate", r#"{"annual_sales": 5, "orders": 0}"#),
    ] {
        let (status, _, body) = call(&app, method, path, given).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{path}: {body}");
        let failed = parse(&body);
        let keys: Vec<&str> = failed
            .as_object()
            .unwrap()
            .keys()
            .map(|k| k.as_str())
            .collect();
        assert_eq!(
            keys,
            [
                "error",
                "kind",
                "customer",
                "rule",
                "rule_id",
                "message",
                "at",
                "fingerprint",
                "version",
                "as_of",
                "period"
            ],
            "{body}"
        );
        let customer = if method == "POST" { "prospect" } else { "none" };
        assert_eq!(failed["customer"], customer, "{body}");
        assert_eq!(failed["kind"], "evaluation", "{body}");
        assert_eq!(failed["rule"], "rule `per-order`", "{body}");
        let at = failed["at"].as_str().unwrap();
        assert!(at.contains("size.yaml:4:"), "{body}");
        let error = failed["error"].as_str().unwrap();
        assert!(
            error.starts_with(&format!("customer {customer}: rule `per-order` failed: ")),
            "{body}"
        );
        assert_eq!(
            (failed["fingerprint"].as_str(), failed["version"].as_u64()),
            (Some(fp.as_str()), Some(3))
        );
    }
}

#[tokio::test]
async fn a_reload_that_panics_is_refused_like_a_broken_edit_and_the_next_one_counts() {
    let dir = tiers_project();
    let service = Arc::new(Service::new(version(dir.path(), 1)));
    let app = router(service.clone(), &Limits::default());
    let old = service.current();
    let fp = old.rules().fingerprint.clone();
    let mut out = Vec::new();
    apply(
        &service,
        &old,
        reload::guarded(|| panic!("index out of bounds: the len is 3 but the index is 7")),
        false,
        &mut out,
    );
    assert_eq!(
        String::from_utf8(std::mem::take(&mut out)).unwrap(),
        format!(
            "error: the reload panicked: index out of bounds: the len is 3 but the index is 7\n\
             kept the last good rules ({fp}) in force\n"
        )
    );
    let (_, body) = get(&app, "/rules").await;
    let rules = parse(&body);
    assert_eq!(rules["last_edit_rejected"], true, "{body}");
    assert_eq!(rules["last_rejected"]["kept_version"], 1, "{body}");
    let refusal = &rules["last_rejected"]["refusal"];
    assert_eq!(refusal["kind"], "error", "{body}");
    assert_eq!(
        refusal["message"],
        "error: the reload panicked: index out of bounds: the len is 3 but the index is 7"
    );
    // The rules in force keep answering.
    let (status, body) = get(&app, "/customers/9/policy").await;
    assert_eq!(
        (status, parse(&body)["version"].as_u64()),
        (StatusCode::OK, Some(1))
    );

    // The next edit is reloaded as usual.
    std::fs::write(
        dir.path().join("rules/tiers.yaml"),
        TIERS.replace("0.8", "0.6"),
    )
    .unwrap();
    let opts = options(dir.path());
    reload_now(&service, &opts, false, &mut out);
    let said = String::from_utf8(out).unwrap();
    assert!(said.starts_with("applied rules "), "{said}");
    let (_, body) = get(&app, "/rules").await;
    let rules = parse(&body);
    assert_eq!(
        (rules["version"].as_u64(), &rules["last_edit_rejected"]),
        (Some(2), &Json::Bool(false)),
        "{body}"
    );
    assert_ne!(rules["fingerprint"], fp.as_str());
    let (_, body) = get(&app, "/customers/7/policy").await;
    assert_eq!(parse(&body)["policy"]["tier"], "A", "{body}");
}

#[tokio::test]
async fn a_config_edit_that_does_not_parse_is_said_once_without_help_about_rules() {
    let dir = tiers_project();
    let service = Arc::new(Service::new(version(dir.path(), 1)));
    let app = router(service.clone(), &Limits::default());
    let config = dir.path().join("config.yaml");
    let text = std::fs::read_to_string(&config).unwrap();
    std::fs::write(
        &config,
        text + "limits: { max_eval_ms: 100 }\nlimits: { max_eval_ms: 200 }\n",
    )
    .unwrap();
    let mut out = Vec::new();
    reload_now(&service, &options(dir.path()), false, &mut out);
    let said = String::from_utf8(out).unwrap();
    let fp = service.current().rules().fingerprint.clone();
    // `error:` once, and the help of a mapping, not of a rule's row.
    let expected = "error: `limits` is given twice\n --> ";
    assert!(said.starts_with(expected), "{said}");
    assert!(
        said.ends_with(&format!(
            "5 | limits: {{ max_eval_ms: 200 }}\n  | ^\n  = help: a key appears once in its mapping: keep one\nkept the last good rules ({fp}) in force\n"
        )),
        "{said}"
    );
    let (_, body) = get(&app, "/rules").await;
    let message = parse(&body)["last_rejected"]["refusal"]["message"].clone();
    assert!(message.as_str().unwrap().starts_with(expected), "{body}");
    assert!(!body.contains("when:"), "{body}");
}
