//! Query strings: the API takes none, so one is refused (400) rather than ignored: a client
//! asking `GET /customers/9/policy?as_of=2026-12-31` was answered as of the service's own
//! date, HTTP 200, as if the date had been applied. `/health` stays lenient (a probe's
//! cache-buster is no mistake about what it answers).

use super::api::{ApiError, Problem};
use axum::extract::Request;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

pub(super) async fn refuse_query(request: Request, next: Next) -> Response {
    let uri = request.uri();
    let Some(query) = uri
        .query()
        .filter(|q| !q.is_empty() && uri.path() != "/health")
    else {
        return next.run(request).await;
    };
    let names: Vec<String> = (query.split('&'))
        .map(|pair| pair.split('=').next().unwrap_or_default())
        .filter(|name| !name.is_empty())
        .map(|name| format!("`{name}`"))
        .collect();
    ApiError::from(Problem::BadPath {
        path: uri.to_string(),
        why: format!(
            "the API takes no query parameters ({}): each answer is as of the date the service evaluates as of (its `as_of`; `serve --as-of` sets it), and its customers' fields are those of the database",
            names.join(", ")
        ),
    })
    .into_response()
}
