//! The HTTP API: the router, its handlers, and [`ApiError`], the one way a request fails.
//!
//! A handler takes the version in force once and answers entirely from it. What it answers
//! about a version (a policy, an explanation, and the errors about them) carries that
//! version's [`Stamp`]; an error knows its HTTP status and renders its own JSON body, so a
//! handler only says what went wrong.

use super::state::{Service, Stamp, Version};
use crate::diag::suggest;
use crate::engine::{EvalError, Evaluator};
use crate::rules::SlotKind;
use crate::source::given::stored;
use crate::source::{Cell, Dataset, SourceError};
use crate::value::Literal;
use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{Path, State};
use axum::http::{HeaderValue, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde_json::{Map, Value as Json, json};
use std::sync::Arc;

type Shared = Arc<Service>;

/// The endpoints, answering from `service`'s version in force.
pub(super) fn router(service: Shared) -> Router {
    Router::new()
        .route("/health", get(health))
        .route("/rules", get(rules_info))
        .route("/customers/{id}/policy", get(policy))
        .route("/customers/{id}/explain", get(explain))
        .route("/evaluate", post(evaluate))
        .route("/report", get(report))
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .with_state(service)
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
        HeaderValue::from_static("application/json"),
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
            Problem::MalformedJson(_) | Problem::BadProspect(_) => StatusCode::BAD_REQUEST,
            Problem::Evaluation(_) => StatusCode::UNPROCESSABLE_ENTITY,
        }
    }

    /// The message, what the problem adds (an evaluation error names the customer, the rule
    /// and where it is written), then the stamp.
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
            Problem::MalformedJson(e) => format!("the body is not valid JSON: {e}"),
            Problem::BadProspect(message) => message.clone(),
            Problem::Evaluation(e) => e.to_string(),
        };
        body.insert("error".into(), message.into());
        if let Problem::Evaluation(e) = self.problem.as_ref() {
            body.insert("customer".into(), e.customer.clone().into());
            body.insert("rule".into(), e.rule.clone().into());
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

async fn health(State(service): State<Shared>) -> Result<Answer, ApiError> {
    let v = service.current();
    let mut body = Map::new();
    body.insert("status".into(), "ok".into());
    body.insert("customers".into(), v.customers().len.into());
    stamped(&v, Ok(body))
}

async fn rules_info(State(service): State<Shared>) -> Answer {
    let v = service.current();
    let rules = v.rules();
    // Whether the newest edit is the rejected one (the rules on disk are not those in force).
    let (last_rejected, pending) = service.last_rejected(&v);
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
    }))
}

async fn policy(State(service): State<Shared>, Path(id): Path<String>) -> Result<Answer, ApiError> {
    let v = service.current();
    stamped(
        &v,
        row(&v, &id).and_then(|i| policy_of(&v, v.evaluator(), i)),
    )
}

async fn explain(
    State(service): State<Shared>,
    Path(id): Path<String>,
) -> Result<Answer, ApiError> {
    let v = service.current();
    let explained = row(&v, &id).and_then(|i| {
        let explanation = v.evaluator().explain(i).map_err(Problem::Evaluation)?;
        Ok(match serde_json::to_value(&explanation) {
            Ok(Json::Object(map)) => map,
            _ => Map::new(),
        })
    });
    stamped(&v, explained)
}

/// The HTML report (`tierwise report`) for the version in force: every customer evaluated
/// on a blocking thread, so requests for policies go on meanwhile.
async fn report(State(service): State<Shared>) -> Result<Response, ApiError> {
    let v = service.current();
    let version = v.clone();
    let built = tokio::task::spawn_blocking(move || super::report::page(&version))
        .await
        .unwrap_or_else(|e| std::panic::resume_unwind(e.into_panic()));
    match built {
        Ok(html) => {
            let mut response = Response::new(Body::from(html.to_string()));
            response.headers_mut().insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/html; charset=utf-8"),
            );
            Ok(response)
        }
        Err(e) => Err(ApiError {
            problem: Box::new(Problem::Evaluation(e)),
            stamp: Some(v.stamp()),
        }),
    }
}

/// A prospect given as `{"field": value, ...}`: evaluated against the current population
/// (its figures place it as if it were added; nobody else's move).
async fn evaluate(State(service): State<Shared>, body: Bytes) -> Result<Answer, ApiError> {
    let v = service.current();
    stamped(&v, prospect_policy(&v, &body))
}

fn prospect_policy(v: &Version, body: &[u8]) -> Result<Map<String, Json>, Problem> {
    let given: Json = serde_json::from_slice(body).map_err(Problem::MalformedJson)?;
    let row = prospect_row(v, &given).map_err(Problem::BadProspect)?;
    let prospect = Dataset::from_rows(&v.columns, &v.id_column, &[row])
        .map_err(|e| Problem::BadProspect(e.to_string()))?;
    let evaluator = v
        .evaluator()
        .newcomers(&prospect)
        .map_err(Problem::Evaluation)?;
    policy_of(v, &evaluator, 0)
}

/// The row of the customer with this id, or a 404 naming the id column.
fn row(v: &Version, id: &str) -> Result<usize, Problem> {
    v.row(id).ok_or_else(|| {
        Problem::UnknownCustomer(SourceError::UnknownCustomer {
            id: id.to_owned(),
            column: v.id_column.clone(),
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
        row[k] = stored(&literal, &v.columns[k]).map_err(|m| format!("field `{name}`: {m}"))?;
    }
    if let Some(k) = v.columns.iter().position(|c| c.name == v.id_column)
        && row[k] == Cell::Null
    {
        row[k] = Cell::Text("prospect".into());
    }
    Ok(row)
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
        let article = if kind == SlotKind::Output { "an" } else { "a" };
        return format!(
            "`{name}` is {article} {} the rules compute, not a field of the customer: give the fields it is computed from",
            kind.noun()
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
