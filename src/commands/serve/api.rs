//! The HTTP API: the router, its handlers, and [`ApiError`], the one way a request fails.
//!
//! A handler takes the version in force once and answers entirely from it. What it answers
//! about a version (a policy, an explanation, and the errors about them) carries that
//! version's [`Stamp`]; an error knows its HTTP status and renders its own JSON body, so a
//! handler only says what went wrong.

use super::limits::{Gate, Limits, Refused, Slots};
use super::state::{Service, Stamp, Version};
use crate::diag::suggest;
use crate::engine::{EvalError, Evaluator};
use crate::rules::SlotKind;
use crate::source::given::stored;
use crate::source::{Affinity, Cell, Column, Dataset, Field, SourceError};
use crate::value::Literal;
use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::path::ErrorKind;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, Request, State};
use axum::http::{HeaderValue, Method, StatusCode, Uri, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use http_body_util::{BodyExt, LengthLimitError, Limited};
use serde_json::{Map, Value as Json, json};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// What the handlers share: the service, the gate evaluations pass, and the body's limits.
#[derive(Clone)]
pub(super) struct Api {
    service: Arc<Service>,
    gate: Gate,
    connections: Slots,
    body_timeout: Duration,
    max_body: usize,
    /// Held while a report is built, by the build itself (so a request that goes away does
    /// not let another build start beside it): one build at a time, and the requests for
    /// the same version that came meanwhile are answered from it instead of each taking a
    /// place.
    report_build_lock: Arc<tokio::sync::Mutex<()>>,
}

/// The endpoints, answering from `service`'s version in force within `limits`; every
/// request is logged (see [`access_log`]).
pub(super) fn router(service: Arc<Service>, limits: &Limits) -> Router {
    counting_router(service, limits, Slots::new(limits))
}

/// As [`router`], with `/health` reporting how many of `connections` are taken.
pub(super) fn counting_router(
    service: Arc<Service>,
    limits: &Limits,
    connections: Slots,
) -> Router {
    let api = Api {
        service,
        gate: Gate::new(limits),
        connections,
        body_timeout: limits.body_timeout,
        max_body: limits.max_body,
        report_build_lock: Arc::default(),
    };
    Router::new()
        .route("/health", get(health))
        .route("/rules", get(rules_info))
        .route("/customers/{id}/policy", get(policy))
        .route("/customers/{id}/explain", get(explain))
        .route("/evaluate", post(evaluate))
        .route("/report", get(report))
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .with_state(api)
        .layer(middleware::from_fn(super::query::refuse_query))
        .layer(middleware::from_fn(access_log))
}

/// One line per request at info level (target `tierwise::access`, on stderr by default):
/// `GET /customers/9/policy 200 0.4 ms`.
async fn access_log(request: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = request.method().clone();
    let path = request.uri().path().to_owned();
    let response = next.run(request).await;
    tracing::info!(
        target: "tierwise::access",
        "{method} {path} {} {:.1} ms",
        response.status().as_u16(),
        started.elapsed().as_secs_f64() * 1000.0
    );
    response
}

/// A JSON body answered with 200.
#[derive(Debug)]
pub(super) struct Answer(Json);

impl IntoResponse for Answer {
    fn into_response(self) -> Response {
        json_response(StatusCode::OK, &self.0)
    }
}

fn json_response(status: StatusCode, body: &Json) -> Response {
    let mut response = Response::new(Body::from(body.to_string()));
    *response.status_mut() = status;
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json; charset=utf-8"),
    );
    response
}

/// What went wrong with a request.
#[derive(Debug)]
pub(super) enum Problem {
    /// 404: no endpoint at this path.
    NoSuchEndpoint { method: Method, path: String },
    /// 405: the endpoint takes another method (answered with `Allow`).
    WrongMethod {
        method: Method,
        path: String,
        allowed: &'static str,
    },
    /// 404: no customer has this id.
    UnknownCustomer(SourceError),
    /// 400: the body of `POST /evaluate` is not JSON (the message has its line and column).
    MalformedJson(serde_json::Error),
    /// 400: the body is JSON but not a customer's fields: not an object, a name that is not
    /// a field, a value that does not fit its column.
    BadProspect(String),
    /// 422: a rule failed for this customer.
    Evaluation(EvalError),
    /// 400: the path does not decode (a customer id that is not UTF-8).
    BadPath { path: String, why: String },
    /// 413: the body is larger than the limit.
    TooLarge { limit: usize },
    /// 408: the body did not arrive within the limit.
    SlowBody { after: Duration },
    /// 400: the body could not be read (the client broke it off).
    BrokenBody(String),
    /// 503, 504 or 500: the evaluation was not run, did not finish in time, or panicked.
    Refused(Refused),
}

/// A request that was not answered: the problem, and the version it is about (if any).
/// Rendered as `{"error": message, ...details, "fingerprint", "version"}` with the
/// problem's status.
#[derive(Debug)]
pub(super) struct ApiError {
    /// Boxed: an error is the rare path, and keeps every handler's `Result` small.
    problem: Box<Problem>,
    stamp: Option<Stamp>,
}

impl From<Problem> for ApiError {
    fn from(problem: Problem) -> ApiError {
        ApiError {
            problem: Box::new(problem),
            stamp: None,
        }
    }
}

impl ApiError {
    pub(super) fn status(&self) -> StatusCode {
        match *self.problem {
            Problem::NoSuchEndpoint { .. } | Problem::UnknownCustomer(_) => StatusCode::NOT_FOUND,
            Problem::WrongMethod { .. } => StatusCode::METHOD_NOT_ALLOWED,
            Problem::MalformedJson(_)
            | Problem::BadProspect(_)
            | Problem::BadPath { .. }
            | Problem::BrokenBody(_) => StatusCode::BAD_REQUEST,
            Problem::Evaluation(_) => StatusCode::UNPROCESSABLE_ENTITY,
            Problem::TooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            Problem::SlowBody { .. } => StatusCode::REQUEST_TIMEOUT,
            Problem::Refused(Refused::Saturated { .. }) => StatusCode::SERVICE_UNAVAILABLE,
            Problem::Refused(Refused::TimedOut { .. }) => StatusCode::GATEWAY_TIMEOUT,
            Problem::Refused(Refused::Panicked(_)) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// What went wrong in one word, for programs (two 404s, an unknown customer and an
    /// unknown path, differ only in it and the message).
    fn kind(&self) -> &'static str {
        match self.problem.as_ref() {
            Problem::NoSuchEndpoint { .. } => "no_such_endpoint",
            Problem::WrongMethod { .. } => "wrong_method",
            Problem::UnknownCustomer(_) => "unknown_customer",
            Problem::MalformedJson(_) => "malformed_json",
            Problem::BadProspect(_) => "bad_fields",
            Problem::Evaluation(_) => "evaluation",
            Problem::BadPath { .. } => "bad_path",
            Problem::TooLarge { .. } => "too_large",
            Problem::SlowBody { .. } => "slow_body",
            Problem::BrokenBody(_) => "broken_body",
            Problem::Refused(Refused::Saturated { .. }) => "busy",
            Problem::Refused(Refused::TimedOut { .. }) => "timed_out",
            Problem::Refused(Refused::Panicked(_)) => "internal",
        }
    }

    /// The message and its kind, what the problem adds (an evaluation error names the
    /// customer, the rule and where it is written), then the stamp.
    pub(super) fn body(&self) -> Json {
        let mut body = Map::new();
        let message = match self.problem.as_ref() {
            Problem::NoSuchEndpoint { method, path } => format!(
                "no such endpoint: {method} {path}; there are GET /customers/{{id}}/policy, GET /customers/{{id}}/explain, POST /evaluate, GET /rules, GET /report, GET /health"
            ),
            Problem::WrongMethod {
                method,
                path,
                allowed,
            } => format!("{path} takes {allowed}, not {method}"),
            Problem::UnknownCustomer(e) => e.to_string(),
            // A key given twice is valid JSON, but which value was meant is not known.
            Problem::MalformedJson(e) if e.to_string().contains("is given twice") => {
                format!("the body is ambiguous: {e}")
            }
            Problem::MalformedJson(e) => format!("the body is not valid JSON: {e}"),
            Problem::BadProspect(message) => message.clone(),
            Problem::Evaluation(e) => e.to_string(),
            Problem::BadPath { path, why } => format!("the path {path} is not valid: {why}"),
            Problem::TooLarge { limit } => {
                format!("the body is larger than {limit} bytes")
            }
            Problem::SlowBody { after } => {
                format!("the body did not arrive within {} ms", after.as_millis())
            }
            Problem::BrokenBody(why) => format!("the body could not be read: {why}"),
            Problem::Refused(Refused::Saturated { max }) => {
                format!("busy: {max} evaluations are running, the most at once; retry later")
            }
            Problem::Refused(Refused::TimedOut { after }) => format!(
                "the evaluation did not finish within {} ms",
                after.as_millis()
            ),
            Problem::Refused(Refused::Panicked(why)) => {
                format!("internal error: the evaluation panicked: {why}")
            }
        };
        body.insert("error".into(), message.into());
        body.insert("kind".into(), self.kind().into());
        if let Problem::Evaluation(e) = self.problem.as_ref() {
            body.insert("customer".into(), e.customer.clone().into());
            body.insert("rule".into(), e.rule.clone().into());
            body.insert("rule_id".into(), e.rule_id().into());
            body.insert("message".into(), e.message.clone().into());
            body.insert("at".into(), e.at.clone().into());
        }
        if let Some(stamp) = &self.stamp {
            stamp.add_to(&mut body);
        }
        Json::Object(body)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut response = json_response(self.status(), &self.body());
        if let Problem::WrongMethod { allowed, .. } = *self.problem {
            response
                .headers_mut()
                .insert(header::ALLOW, HeaderValue::from_static(allowed));
        }
        if let Problem::Refused(Refused::Saturated { .. }) = *self.problem {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
        }
        response
    }
}

/// What `v` answered, stamped with its fingerprint and number, whether it succeeded or not.
fn stamped(v: &Version, answer: Result<Map<String, Json>, Problem>) -> Result<Answer, ApiError> {
    let stamp = v.stamp();
    match answer {
        Ok(mut body) => {
            stamp.add_to(&mut body);
            Ok(Answer(Json::Object(body)))
        }
        Err(problem) => Err(ApiError {
            problem: Box::new(problem),
            stamp: Some(stamp),
        }),
    }
}

async fn not_found(method: Method, uri: Uri) -> ApiError {
    Problem::NoSuchEndpoint {
        method,
        path: uri.path().to_owned(),
    }
    .into()
}

async fn method_not_allowed(method: Method, uri: Uri) -> ApiError {
    let allowed = if uri.path() == "/evaluate" {
        "POST"
    } else {
        "GET"
    };
    Problem::WrongMethod {
        method,
        path: uri.path().to_owned(),
        allowed,
    }
    .into()
}

/// Whether the service answers, and what stands against it: an edit refused (the rules on
/// disk are not those in force), a customer reload that failed (the customers in force are
/// older than the database), and how many evaluations are running. Answered on the async
/// workers without evaluating anything, so a slow rule never delays it.
async fn health(State(api): State<Api>) -> Result<Answer, ApiError> {
    let v = api.service.current();
    let (last_rejected, pending) = api.service.last_rejected(&v);
    let last_data_error = api.service.last_data_error();
    let (running, max) = api.gate.load();
    let (open, most) = api.connections.load();
    // As the last check of every customer found them (that of the version in force once
    // it has run: `customers_checked`).
    let failing = api.service.last_failing();
    let fails = failing
        .as_ref()
        .is_some_and(|f| f["count"].as_u64() > Some(0));
    let degraded = pending || last_data_error.is_some() || fails;
    let mut body = Map::new();
    body.insert(
        "status".into(),
        if degraded { "degraded" } else { "ok" }.into(),
    );
    body.insert("customers".into(), v.customers().len.into());
    body.insert("last_edit_rejected".into(), pending.into());
    body.insert("last_rejected".into(), last_rejected.unwrap_or(Json::Null));
    body.insert(
        "last_data_error".into(),
        last_data_error.unwrap_or(Json::Null),
    );
    // The customers the rules in force fail for (`run` would stop on them), once every
    // customer has been evaluated (shortly after each reload).
    let checked = v.checked.load(std::sync::atomic::Ordering::Acquire);
    body.insert("customers_checked".into(), checked.into());
    body.insert("customers_failing".into(), failing.unwrap_or(Json::Null));
    body.insert(
        "evaluations".into(),
        json!({"running": running, "max": max}),
    );
    body.insert("connections".into(), json!({"open": open, "max": most}));
    body.insert("history_notes".into(), json!(v.history_notes));
    stamped(&v, Ok(body))
}

async fn rules_info(State(api): State<Api>) -> Answer {
    let v = api.service.current();
    let rules = v.rules();
    // Whether the newest edit is the rejected one (the rules on disk are not those in force).
    let (last_rejected, pending) = api.service.last_rejected(&v);
    Answer(json!({
        "fingerprint": rules.fingerprint,
        "version": v.number,
        "loaded_at": v.loaded_at,
        "as_of": v.context.as_of.to_string(),
        "period": v.context.period.to_string(),
        "load_ms": v.took.as_millis() as u64,
        "rules_dir": v.rules_dir.display().to_string(),
        "files": rules.files.iter().map(|f| f.display().to_string()).collect::<Vec<_>>(),
        "database": v.database.display().to_string(),
        "customers": v.customers().len,
        "outputs": rules.outputs.iter().map(|o| o.name.clone()).collect::<Vec<_>>(),
        "last_edit_rejected": pending,
        "last_rejected": last_rejected,
        "last_data_error": api.service.last_data_error(),
    }))
}

/// The customer id of a path, or a 400 when it does not decode (not UTF-8).
fn customer_id(id: Result<Path<String>, PathRejection>, uri: &Uri) -> Result<String, ApiError> {
    match id {
        Ok(Path(id)) => Ok(id),
        Err(rejection) => Err(Problem::BadPath {
            path: uri.path().to_owned(),
            why: match rejection {
                PathRejection::FailedToDeserializePathParams(e)
                    if matches!(e.kind(), ErrorKind::InvalidUtf8InPathParam { .. }) =>
                {
                    "the customer id is not UTF-8 text once decoded".to_owned()
                }
                other => other.body_text(),
            },
        }
        .into()),
    }
}

/// Runs `work` on the version in force, through the gate (a blocking thread, the deadline),
/// and stamps what it answers with that version.
async fn evaluated(
    api: &Api,
    work: impl FnOnce(&Version) -> Result<Map<String, Json>, Problem> + Send + 'static,
) -> Result<Answer, ApiError> {
    let v = api.service.current();
    let version = v.clone();
    let answer = match api.gate.run(move || work(&version)).await {
        Ok(answer) => answer,
        Err(refused) => Err(Problem::Refused(refused)),
    };
    stamped(&v, answer)
}

async fn policy(
    State(api): State<Api>,
    uri: Uri,
    id: Result<Path<String>, PathRejection>,
) -> Result<Answer, ApiError> {
    let id = customer_id(id, &uri)?;
    evaluated(&api, move |v| {
        row(v, &id).and_then(|i| policy_of(v, v.evaluator(), i))
    })
    .await
}

async fn explain(
    State(api): State<Api>,
    uri: Uri,
    id: Result<Path<String>, PathRejection>,
) -> Result<Answer, ApiError> {
    let id = customer_id(id, &uri)?;
    evaluated(&api, move |v| {
        let i = row(v, &id)?;
        let explanation = v
            .evaluator()
            .explain(i)
            .map_err(|f| Problem::Evaluation(f.error))?;
        Ok(match serde_json::to_value(&explanation) {
            Ok(Json::Object(map)) => map,
            _ => Map::new(),
        })
    })
    .await
}

/// The HTML report (`tierwise report`) for the version in force, built once per version:
/// every customer evaluated on a blocking thread (one place in the gate, without the
/// per-request deadline: it evaluates every customer, as `tierwise report` does), so
/// requests for policies go on meanwhile. Requests that come while it is built wait for it
/// rather than build it again (a dashboard polling after each nightly run would otherwise
/// take every place).
async fn report(State(api): State<Api>) -> Result<Response, ApiError> {
    let v = api.service.current();
    let built = match v.report.get() {
        Some(page) => Ok(page.clone()),
        None => {
            let one_at_a_time = api.report_build_lock.clone().lock_owned().await;
            let version = v.clone();
            match v.report.get() {
                Some(page) => Ok(page.clone()),
                None => match api
                    .gate
                    .run_without_deadline(move || {
                        let _held = one_at_a_time;
                        super::report::page(&version)
                    })
                    .await
                {
                    Ok(built) => built.map_err(Problem::Evaluation),
                    Err(refused) => Err(Problem::Refused(refused)),
                },
            }
        }
    };
    match built {
        Ok(html) => {
            let mut response = Response::new(Body::from(html.to_string()));
            response.headers_mut().insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/html; charset=utf-8"),
            );
            Ok(response)
        }
        Err(problem) => Err(ApiError {
            problem: Box::new(problem),
            stamp: Some(v.stamp()),
        }),
    }
}

/// A prospect given as `{"field": value, ...}`: evaluated against the current population
/// (its figures place it as if it were added; nobody else's move).
async fn evaluate(State(api): State<Api>, body: Body) -> Result<Answer, ApiError> {
    let body = read_body(&api, body).await?;
    evaluated(&api, move |v| prospect_policy(v, &body)).await
}

/// The whole body, within the size and time limits.
async fn read_body(api: &Api, body: Body) -> Result<Bytes, Problem> {
    let limit = api.max_body;
    // A Content-Length beyond the limit is refused before a byte of the body is waited for
    // (a client announcing 10 GB and sending nothing held its place until the timeout).
    if axum::body::HttpBody::size_hint(&body).lower() > limit as u64 {
        return Err(Problem::TooLarge { limit });
    }
    let read = tokio::time::timeout(api.body_timeout, Limited::new(body, limit).collect());
    match read.await {
        Ok(Ok(collected)) => Ok(collected.to_bytes()),
        Ok(Err(e)) if e.downcast_ref::<LengthLimitError>().is_some() => {
            Err(Problem::TooLarge { limit })
        }
        Ok(Err(e)) => Err(Problem::BrokenBody(e.to_string())),
        Err(_) => Err(Problem::SlowBody {
            after: api.body_timeout,
        }),
    }
}

fn prospect_policy(v: &Version, body: &[u8]) -> Result<Map<String, Json>, Problem> {
    // Some clients (.NET's) begin a UTF-8 body with a byte-order mark.
    let body = body.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(body);
    let given: Json = super::json_body::parse(body).map_err(Problem::MalformedJson)?;
    let row = prospect_row(v, &given).map_err(Problem::BadProspect)?;
    let prospect = Dataset::from_rows(&v.columns, &v.id_column, &[row])
        .map_err(|e| Problem::BadProspect(e.to_string()))?;
    // Posted with a current customer's id: a what-if on that customer, placed in its stead.
    let replaces = [v.row(&prospect.id_text(0))];
    let evaluator = v
        .evaluator()
        .newcomers(&prospect, &replaces)
        .map_err(Problem::Evaluation)?;
    let mut body = policy_of(v, &evaluator, 0)?;
    // What the answer stands on besides the fields given: the fields the rules read that
    // the prospect left NULL (a rule that tests one treats it as unknown: `years_active ==
    // 0` is false), and earlier periods of a customer with the same id.
    let rules = v.rules();
    let null_fields: Vec<Json> = (rules.used_fields.iter())
        .map(|&slot| rules.slot_name(slot))
        .filter(|name| *name != v.id_column)
        .filter(|name| {
            let k = prospect.names.iter().position(|n| n == name);
            k.is_some_and(|k| prospect.columns[k].value(0).is_null())
        })
        .map(|name| name.into())
        .collect();
    body.insert("null_fields".into(), Json::Array(null_fields));
    body.insert(
        "history_periods".into(),
        evaluator.history_periods(0).into(),
    );
    Ok(body)
}

/// The row of the customer with this id, or a 404 naming the id column.
fn row(v: &Version, id: &str) -> Result<usize, Problem> {
    v.row(id).ok_or_else(|| {
        Problem::UnknownCustomer(SourceError::UnknownCustomer {
            elsewhere: None,
            id: id.to_owned(),
            column: v.id_column.clone(),
            like: v.id_like(id),
        })
    })
}

/// `{"customer_id", "policy": {output: value}, "rule_ids"}` (the stamp comes after).
fn policy_of(
    v: &Version,
    evaluator: &Evaluator<'_>,
    i: usize,
) -> Result<Map<String, Json>, Problem> {
    let outcomes = evaluator.evaluate_one(i).map_err(Problem::Evaluation)?;
    let rules = v.rules();
    let outcome = outcomes.get(0);
    let policy: Map<String, Json> = rules
        .outputs
        .iter()
        .zip(outcome.outputs)
        .map(|(o, value)| (o.name.clone(), value.to_json()))
        .collect();
    let fired: Vec<Json> = outcome
        .fired
        .iter()
        .map(|&r| rules.rule_ids[r as usize].clone().into())
        .collect();
    let mut body = Map::new();
    body.insert(
        "customer_id".into(),
        evaluator.data.id(outcome.index).to_json(),
    );
    body.insert("policy".into(), Json::Object(policy));
    body.insert("rule_ids".into(), Json::Array(fired));
    Ok(body)
}

/// The prospect's values, stored as SQLite would store them in the source's columns;
/// fields not given are NULL, and the id defaults to `prospect`.
fn prospect_row(v: &Version, given: &Json) -> Result<Vec<Cell<'static>>, String> {
    let Json::Object(fields) = given else {
        return Err(format!(
            "the body must be a JSON object of the customer's fields, e.g. {{\"{}\": \"P-1\", ...}}; got {}",
            v.id_column,
            kind(given)
        ));
    };
    let mut row = vec![Cell::Null; v.columns.len()];
    for (name, value) in fields {
        let Some(k) = v.columns.iter().position(|c| &c.name == name) else {
            return Err(not_a_field(v, name));
        };
        let literal = match value {
            Json::Null => Literal::Null,
            Json::Bool(b) => Literal::Bool(*b),
            Json::Number(n) => match n.as_i64() {
                Some(i) => Literal::Int(i),
                None => Literal::Float(n.as_f64().unwrap_or(f64::NAN)),
            },
            Json::String(s) => Literal::Text(s.clone()),
            Json::Array(_) | Json::Object(_) => {
                return Err(format!(
                    "field `{name}` holds one value (text, number, true/false or null), not {}",
                    kind(value)
                ));
            }
        };
        let field = numeric_in_the_data(v, &v.columns[k]);
        row[k] = stored(&literal, &field).map_err(|m| format!("field `{name}`: {m}"))?;
    }
    if let Some(k) = v.columns.iter().position(|c| c.name == v.id_column)
        && row[k] == Cell::Null
    {
        row[k] = Cell::Text("prospect".into());
    }
    Ok(row)
}

/// A column that declares no type (a query's expression, such as `coalesce(x, 0)`) whose
/// values in the data are all numbers is a number column for a prospect: text in it is
/// refused (400) as in a declared one, not left to fail a rule (422).
fn numeric_in_the_data(v: &Version, field: &Field) -> Field {
    let data = v.evaluator().data;
    let column = data.names.iter().position(|n| *n == field.name);
    // Decimals stay decimals (7.0 is not 7 to a switch case), whole numbers whole.
    let seen = match column.map(|k| &data.columns[k]) {
        Some(c) if c.holds_decimals() => Some(Affinity::Real),
        Some(Column::Int { .. }) => Some(Affinity::Integer),
        _ => None,
    };
    match seen {
        Some(affinity) if field.affinity == Affinity::Blob => Field {
            affinity,
            kind: Some(crate::value::ValueKind::Number),
            ..field.clone()
        },
        _ => field.clone(),
    }
}

/// Why `name` cannot be given: the rules compute it, or it is not a column (with the
/// closest column, or all of them).
fn not_a_field(v: &Version, name: &str) -> String {
    let rules = v.rules();
    let computed = rules
        .slots
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, kind)| *kind)
        .filter(|k| *k != SlotKind::Field);
    if let Some(kind) = computed {
        return format!(
            "`{name}` is {} the rules compute, not a field of the customer: give the fields it is computed from",
            kind.a_noun()
        );
    }
    let names = v.columns.iter().map(|c| c.name.as_str());
    match suggest(name, names) {
        Some(close) => {
            format!("`{name}` is not a field of the customer source; did you mean `{close}`?")
        }
        None => format!(
            "`{name}` is not a field of the customer source (fields: {})",
            v.columns
                .iter()
                .map(|c| c.name.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

fn kind(value: &Json) -> &'static str {
    match value {
        Json::Null => "null",
        Json::Bool(_) => "true/false",
        Json::Number(_) => "a number",
        Json::String(_) => "text",
        Json::Array(_) => "a list",
        Json::Object(_) => "an object",
    }
}
