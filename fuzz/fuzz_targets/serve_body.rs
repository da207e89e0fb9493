//! `tierwise serve`'s API in process (the router, as `src/commands/serve/tests.rs` calls it),
//! over the shipped rules and 20 sample customers. An input that starts with `/` is a GET of
//! that path (up to the first newline); any other input is the body of `POST /evaluate`.
//! Besides not panicking, the API never answers 5xx, and `/evaluate` always answers JSON.

#![no_main]

mod common;

use axum::Router;
use axum::body::Body;
use axum::http::{Request, header};
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;
use tower::ServiceExt;

struct Api {
    runtime: tokio::runtime::Runtime,
    router: Router,
}

fn api() -> &'static Api {
    static API: OnceLock<Api> = OnceLock::new();
    API.get_or_init(|| {
        let project = common::project();
        let router =
            tierwise::commands::serve::router(&project.config).expect("the project serves");
        let runtime = tokio::runtime::Builder::new_current_thread()
            .build()
            .expect("a runtime");
        Api { runtime, router }
    })
}

fuzz_target!(|data: &[u8]| {
    let api = api();
    let (method, uri, body) = if data.first() == Some(&b'/') {
        let line = data.split(|&b| b == b'\n').next().unwrap_or_default();
        let Ok(uri) = std::str::from_utf8(line) else {
            return;
        };
        ("GET", uri.to_owned(), Vec::new())
    } else {
        ("POST", "/evaluate".to_owned(), data.to_vec())
    };
    let Ok(request) = Request::builder()
        .method(method)
        .uri(uri.as_str())
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(body))
    else {
        return;
    };
    let response = api
        .runtime
        .block_on(api.router.clone().oneshot(request))
        .expect("the router is infallible");
    let status = response.status();
    assert!(!status.is_server_error(), "{method} {uri}: {status}");
    if method == "POST" {
        let bytes = api
            .runtime
            .block_on(axum::body::to_bytes(response.into_body(), usize::MAX))
            .expect("the body");
        let parsed: Result<serde_json::Value, _> = serde_json::from_slice(&bytes);
        assert!(
            parsed.is_ok(),
            "POST /evaluate answered {status} with a body that is not JSON: {}",
            String::from_utf8_lossy(&bytes)
        );
    }
});
