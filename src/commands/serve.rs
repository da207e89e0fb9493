//! `tierwise serve`: the rules in force as an HTTP JSON service, hot-reloaded as `watch` is.
//!
//! Each accepted rule set, bound to the customers it was loaded with and their population
//! figures, is one immutable [`Version`] behind an `ArcSwap`. A request takes the version in
//! force when it starts and is answered entirely by it (the response names it); a reload
//! builds the next version beside it on its own thread and swaps it in, so requests never
//! wait for a reload, never fail because of one, and never see half of one.
//!
//! The customer database is checked every `--data-check-ms` (`PRAGMA data_version` on an open
//! connection sees commits from other connections; the file's identity, size and mtime see
//! it replaced): a change reloads the customers and recomputes the population figures.

use super::{Globals, SourceArgs};
use crate::diag::suggest;
use crate::engine::{EvalError, Evaluator};
use crate::error::{Error, ExitStatus};
use crate::report::{refusal, shown, thousands};
use crate::rules::{RuleSet, SlotKind};
use crate::source::given::stored;
use crate::source::{Cell, ChangeWatch, CustomerSource, Dataset, Field, SourceError};
use crate::value::Literal;
use crate::workspace::Overrides;
use crate::workspace::reload::{self, Accepted, Refusal};
use crate::workspace::watcher::{Change, RuleWatcher};
use arc_swap::ArcSwap;
use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{Path, State};
use axum::http::{Method, StatusCode, Uri, header};
use axum::response::Response;
use axum::routing::{get, post};
use serde_json::{Value as Json, json};
use std::collections::HashMap;
use std::io::Write;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

/// Serve policies over HTTP (JSON), with the same hot reload as `watch`.
///
/// GET /customers/{id}/policy, GET /customers/{id}/explain, POST /evaluate (a prospect's
/// fields as a JSON object), GET /rules, GET /health.
#[derive(clap::Args, Debug)]
pub struct Args {
    #[command(flatten)]
    pub sources: SourceArgs,
    /// Address to listen on (loopback by default; port 0 picks a free port).
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,
    /// Quiet time after the last save before reloading, in milliseconds.
    #[arg(long, default_value_t = 100)]
    pub debounce_ms: u64,
    /// How often to check the customer database for changes, in milliseconds (0: never).
    #[arg(long, default_value_t = 1000)]
    pub data_check_ms: u64,
}

pub fn run(args: Args, globals: &Globals) -> Result<ExitStatus, Error> {
    let opts = ServeOptions {
        config: globals.config.clone(),
        overrides: args.sources.into(),
        listen: args.listen,
        debounce: Duration::from_millis(args.debounce_ms),
        data_check: (args.data_check_ms > 0).then(|| Duration::from_millis(args.data_check_ms)),
    };
    serve(&opts, &mut std::io::stdout())?;
    Ok(ExitStatus::Success)
}

/// How often the reload thread looks up from waiting for rule changes (to check the
/// database, or to stop).
const TICK: Duration = Duration::from_millis(100);

/// How long requests in flight may take to finish after SIGINT/SIGTERM.
const GRACE: Duration = Duration::from_secs(5);

pub struct ServeOptions {
    pub config: PathBuf,
    pub overrides: Overrides,
    pub listen: SocketAddr,
    /// Quiet time after the last save before reloading.
    pub debounce: Duration,
    /// How often the customer database is checked for changes (`None`: never).
    pub data_check: Option<Duration>,
}

/// The rule set and the customers it was loaded with, owned together.
struct Loaded {
    rules: Arc<RuleSet>,
    customers: Dataset,
}

self_cell::self_cell!(
    /// The rules bound to their customers: the evaluator (with the population figures)
    /// borrows both.
    struct Bound {
        owner: Loaded,
        #[covariant]
        dependent: Evaluator,
    }
);

/// One accepted rule set with its customers: what every request is answered from.
pub struct Version {
    bound: Bound,
    /// Counts the versions this process has served, from 1.
    number: u64,
    loaded_at: String,
    /// Customer id -> row.
    ids: HashMap<Box<str>, usize>,
    columns: Vec<Field>,
    id_column: String,
    rules_dir: PathBuf,
    database: PathBuf,
    /// How long loading, checking, testing and reading the customers took.
    took: Duration,
}

impl Version {
    fn new(accepted: Accepted, number: u64, started: Instant) -> Result<Version, Error> {
        let Accepted {
            workspace,
            rules,
            customers,
            columns,
        } = accepted;
        let mut ids = HashMap::with_capacity(customers.len);
        for i in 0..customers.len {
            // The first of a repeated id wins, as `explain` finds it.
            ids.entry(customers.id_text(i).into_boxed_str())
                .or_insert(i);
        }
        let bound = Bound::try_new(Loaded { rules, customers }, |l| {
            Evaluator::new(&l.rules, &l.customers)
        })?;
        Ok(Version {
            bound,
            number,
            loaded_at: timestamp(),
            ids,
            columns,
            id_column: workspace.config.id_column,
            rules_dir: workspace.rules_dir,
            database: workspace.database,
            took: started.elapsed(),
        })
    }

    fn rules(&self) -> &RuleSet {
        &self.bound.borrow_owner().rules
    }

    fn customers(&self) -> &Dataset {
        &self.bound.borrow_owner().customers
    }

    fn evaluator(&self) -> &Evaluator<'_> {
        self.bound.borrow_dependent()
    }

    /// What every answer says of the rules that gave it.
    fn stamp(&self, body: &mut serde_json::Map<String, Json>) {
        body.insert(
            "fingerprint".into(),
            self.rules().fingerprint.clone().into(),
        );
        body.insert("version".into(), self.number.into());
    }
}

/// A rule edit that was not accepted.
struct Rejection {
    at: String,
    /// The version in force when it was refused (it stayed in force).
    kept: u64,
    refusal: Json,
}

struct Service {
    current: ArcSwap<Version>,
    last_rejected: Mutex<Option<Rejection>>,
}

/// Loads the rules (they must pass check and their tests), binds them to the customers,
/// starts watching, and serves until SIGINT or SIGTERM.
pub fn serve(opts: &ServeOptions, out: &mut (dyn Write + Send)) -> Result<(), Error> {
    let started = Instant::now();
    // Taken before the customers are read: a commit from now on is a change to pick up, even
    // one made before the reload thread starts.
    let data = data_watch(&opts.config, &opts.overrides);
    let first = reload::load(&opts.config, &opts.overrides).map_err(refusal::into_error)?;
    let rules_dir = first.workspace.rules_dir.clone();
    let version = Version::new(first, 1, started)?;
    let mut watcher = RuleWatcher::new(&opts.config, &rules_dir, opts.debounce)?;
    say(
        out,
        format!(
            "rules {} in force: {} customers from {} (loaded in {} ms)",
            version.rules().fingerprint,
            thousands(version.customers().len as f64),
            shown(&version.database).display(),
            version.took.as_millis()
        ),
    );
    let service = Arc::new(Service {
        current: ArcSwap::from_pointee(version),
        last_rejected: Mutex::new(None),
    });

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_name("http")
        .build()
        .map_err(|source| Error::Io {
            what: "cannot start the HTTP server".into(),
            source,
        })?;
    let listener = runtime
        .block_on(tokio::net::TcpListener::bind(opts.listen))
        .map_err(|source| Error::Io {
            what: format!("cannot listen on {}", opts.listen),
            source,
        })?;
    let stop = {
        let _runtime = runtime.enter();
        shutdown_signal().map_err(|source| Error::Io {
            what: "cannot handle SIGINT/SIGTERM".into(),
            source,
        })?
    };
    let address = listener.local_addr().unwrap_or(opts.listen);
    say(
        out,
        format!(
            "listening on http://{address} (watching {}; Ctrl-C to stop)",
            watcher.describe()
        ),
    );

    // After a signal, connections get GRACE to finish; a client that stalls mid-request must
    // not keep the process alive.
    let (signalled, signal_seen) = tokio::sync::oneshot::channel::<()>();
    let stop = async move {
        stop.await;
        let _ = signalled.send(());
    };
    let app = router(service.clone());
    let server = runtime.spawn(async move {
        axum::serve(listener, app)
            .with_graceful_shutdown(stop)
            .await
    });

    // Reloads happen here, on this thread, while the runtime's threads answer requests.
    let (stop_tx, stop_rx) = std::sync::mpsc::channel::<()>();
    let reloads = std::thread::scope(|s| {
        let service = &service;
        let reloader = s.spawn(move || {
            // Reloads use one thread, leaving the other cores to answer requests: a reload
            // takes a little longer, and the requests during it wait less.
            let reload_pool = rayon::ThreadPoolBuilder::new()
                .num_threads(1)
                .thread_name(|_| "reload".into())
                .build()
                .ok();
            let mut data = data;
            let mut checked = Instant::now();
            loop {
                if stop_rx.try_recv().is_ok() {
                    break;
                }
                let mut data_only = false;
                let why = match watcher.next(Some(TICK)) {
                    None => {
                        say(out, "the file watcher stopped: rule edits are no longer picked up (restart to resume)".into());
                        return;
                    }
                    Some(Change::Files(names)) => format!(
                        "change in {}",
                        if names.is_empty() {
                            "the watched files".into()
                        } else {
                            names.join(", ")
                        }
                    ),
                    Some(Change::Errors(errors)) => {
                        for e in errors {
                            say(out, format!("watch error: {e}"));
                        }
                        continue;
                    }
                    Some(Change::Quiet) => {
                        let due = opts
                            .data_check
                            .is_some_and(|every| checked.elapsed() >= every);
                        if !due {
                            continue;
                        }
                        checked = Instant::now();
                        if !data.changed() {
                            continue;
                        }
                        data_only = true;
                        "the customer database changed".into()
                    }
                };
                say(out, format!("\n{why}"));
                // Taken before reading, so a commit during the reload is seen next time.
                let before = data_watch(&opts.config, &opts.overrides);
                match &reload_pool {
                    Some(pool) => pool.install(|| reload_now(service, opts, data_only, out)),
                    None => reload_now(service, opts, data_only, out),
                }
                match watcher.follow(&opts.overrides, opts.debounce) {
                    Ok(true) => say(out, format!("now watching {}", watcher.describe())),
                    Ok(false) => {}
                    Err(e) => say(out, format!("watch error: {e}")),
                }
                let database = &service.current.load().database;
                data = if before.database.as_ref() == Some(database) {
                    before
                } else {
                    data_watch(&opts.config, &opts.overrides)
                };
            }
            say(out, "stopped".into());
        });
        let served = runtime.block_on(async {
            let mut server = server;
            tokio::select! {
                served = &mut server => served,
                () = async {
                    if signal_seen.await.is_ok() {
                        tokio::time::sleep(GRACE).await;
                    } else {
                        std::future::pending::<()>().await;
                    }
                } => {
                    server.abort();
                    Ok(Ok(()))
                }
            }
        });
        let _ = stop_tx.send(());
        // The reloader notices within one tick; a reload in progress finishes first.
        let _ = reloader.join();
        served
    });
    match reloads {
        Ok(Ok(())) => Ok(()),
        Ok(Err(source)) => Err(Error::Io {
            what: "the HTTP server failed".into(),
            source,
        }),
        Err(e) => Err(Error::Io {
            what: "the HTTP server failed".into(),
            source: std::io::Error::other(e),
        }),
    }
}

/// Loads, checks and tests the rules again; swaps them in if they pass, otherwise records
/// why and keeps the version in force.
fn reload_now(
    service: &Service,
    opts: &ServeOptions,
    data_only: bool,
    out: &mut (dyn Write + Send),
) {
    let started = Instant::now();
    let old = service.current.load_full();
    // Only the data changed: keep the rules in force (a rejected edit on disk must not hold
    // back new data); if the columns changed under them, load everything again.
    let rules = old.bound.borrow_owner().rules.clone();
    let mut same_rules = false;
    let accepted = match data_only {
        true => match reload::reload_data(&opts.config, &opts.overrides, &rules) {
            Ok(accepted) => {
                same_rules = true;
                Ok(accepted)
            }
            Err(_) => reload::load(&opts.config, &opts.overrides),
        },
        false => reload::load(&opts.config, &opts.overrides),
    };
    let next = accepted.and_then(|accepted| {
        Version::new(accepted, old.number + 1, started).map_err(Refusal::Error)
    });
    match next {
        Ok(version) => {
            let line = if version.rules().fingerprint == old.rules().fingerprint {
                format!(
                    "reloaded: rules {} unchanged, {} customers (version {}, {} ms)",
                    version.rules().fingerprint,
                    thousands(version.customers().len as f64),
                    version.number,
                    version.took.as_millis()
                )
            } else {
                format!(
                    "applied rules {} (were {}): {} customers (version {}, {} ms)",
                    version.rules().fingerprint,
                    old.rules().fingerprint,
                    thousands(version.customers().len as f64),
                    version.number,
                    version.took.as_millis()
                )
            };
            if same_rules
                && let Ok(mut last) = service.last_rejected.lock()
                && let Some(r) = last.as_mut()
                && r.kept == old.number
            {
                // The rejected edit is still on disk: it still stands rejected.
                r.kept = version.number;
            }
            service.current.store(Arc::new(version));
            say(out, line);
        }
        Err(refused) => {
            say(out, refusal::text(&refused));
            say(
                out,
                format!(
                    "kept the last good rules ({}) in force",
                    old.rules().fingerprint
                ),
            );
            let rejection = Rejection {
                at: timestamp(),
                kept: old.number,
                refusal: refusal::json(&refused),
            };
            if let Ok(mut last) = service.last_rejected.lock() {
                *last = Some(rejection);
            }
        }
    }
}

fn say(out: &mut (dyn Write + Send), text: String) {
    let _ = writeln!(out, "{text}");
    let _ = out.flush();
}

/// Now, as `2026-11-24T09:41:07.123Z`.
fn timestamp() -> String {
    humantime::format_rfc3339_millis(SystemTime::now()).to_string()
}

/// Resolves on SIGINT (Ctrl-C) or SIGTERM. The handlers are installed when this is called,
/// not when the future is first polled: a signal right after "listening" must not kill the
/// process the default way.
#[cfg(unix)]
fn shutdown_signal() -> std::io::Result<impl std::future::Future<Output = ()>> {
    use tokio::signal::unix::{SignalKind, signal};
    let mut interrupt = signal(SignalKind::interrupt())?;
    let mut terminate = signal(SignalKind::terminate())?;
    Ok(async move {
        tokio::select! {
            _ = interrupt.recv() => {},
            _ = terminate.recv() => {},
        }
    })
}

#[cfg(not(unix))]
fn shutdown_signal() -> std::io::Result<impl std::future::Future<Output = ()>> {
    Ok(async {
        let _ = tokio::signal::ctrl_c().await;
    })
}

// ---------------------------------------------------------------------------------------
// Detecting a changed customer database

/// Whether the customer database of `ws`'s config changed since now (never, if it cannot
/// be opened: the next reload reports why).
fn data_watch(config: &std::path::Path, overrides: &Overrides) -> DataWatch {
    let source = crate::workspace::Workspace::new(config, overrides)
        .ok()
        .and_then(|ws| ws.open_source().ok());
    DataWatch {
        database: source.as_ref().map(|s| s.path().to_path_buf()),
        watch: source.map(|s| s.watch_changes()),
    }
}

struct DataWatch {
    database: Option<PathBuf>,
    watch: Option<Box<dyn ChangeWatch>>,
}

impl DataWatch {
    fn changed(&self) -> bool {
        self.watch.as_ref().is_some_and(|w| w.changed())
    }
}

// ---------------------------------------------------------------------------------------
// The HTTP API

type Shared = Arc<Service>;

fn router(service: Shared) -> Router {
    Router::new()
        .route("/health", get(health))
        .route("/rules", get(rules_info))
        .route("/customers/{id}/policy", get(policy))
        .route("/customers/{id}/explain", get(explain))
        .route("/evaluate", post(evaluate))
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .with_state(service)
}

/// A JSON response.
fn reply(status: StatusCode, body: Json) -> Response {
    let mut response = Response::new(Body::from(body.to_string()));
    *response.status_mut() = status;
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        header::HeaderValue::from_static("application/json"),
    );
    response
}

/// An error response: `{"error": message, ...}` plus what the version adds.
fn error(status: StatusCode, message: String, version: Option<&Version>) -> Response {
    let mut body = serde_json::Map::new();
    body.insert("error".into(), message.into());
    if let Some(v) = version {
        v.stamp(&mut body);
    }
    reply(status, Json::Object(body))
}

/// 422: a rule failed for this customer; names the rule and where it is written.
fn eval_error(e: &EvalError, version: &Version) -> Response {
    let mut body = serde_json::Map::new();
    body.insert("error".into(), e.to_string().into());
    body.insert("customer".into(), e.customer.clone().into());
    body.insert("rule".into(), e.rule.clone().into());
    body.insert("message".into(), e.message.clone().into());
    body.insert("at".into(), e.at.clone().into());
    version.stamp(&mut body);
    reply(StatusCode::UNPROCESSABLE_ENTITY, Json::Object(body))
}

async fn not_found(method: Method, uri: Uri) -> Response {
    error(
        StatusCode::NOT_FOUND,
        format!(
            "no such endpoint: {method} {}; there are GET /customers/{{id}}/policy, GET /customers/{{id}}/explain, POST /evaluate, GET /rules, GET /health",
            uri.path()
        ),
        None,
    )
}

async fn method_not_allowed(method: Method, uri: Uri) -> Response {
    let allowed = if uri.path() == "/evaluate" {
        "POST"
    } else {
        "GET"
    };
    let mut response = error(
        StatusCode::METHOD_NOT_ALLOWED,
        format!("{} takes {allowed}, not {method}", uri.path()),
        None,
    );
    response
        .headers_mut()
        .insert(header::ALLOW, header::HeaderValue::from_static(allowed));
    response
}

async fn health(State(service): State<Shared>) -> Response {
    let v = service.current.load();
    let mut body = serde_json::Map::new();
    body.insert("status".into(), "ok".into());
    body.insert("customers".into(), v.customers().len.into());
    v.stamp(&mut body);
    reply(StatusCode::OK, Json::Object(body))
}

async fn rules_info(State(service): State<Shared>) -> Response {
    let v = service.current.load_full();
    let rules = v.rules();
    let last_rejected = service.last_rejected.lock().ok().and_then(|r| {
        r.as_ref().map(|r| {
            json!({
                "at": r.at,
                "kept_version": r.kept,
                "refusal": r.refusal,
            })
        })
    });
    // Whether the newest edit is the rejected one (the rules on disk are not those in force).
    let pending = service
        .last_rejected
        .lock()
        .ok()
        .is_some_and(|r| r.as_ref().is_some_and(|r| r.kept == v.number));
    let body = json!({
        "fingerprint": rules.fingerprint,
        "version": v.number,
        "loaded_at": v.loaded_at,
        "load_ms": v.took.as_millis() as u64,
        "rules_dir": v.rules_dir.display().to_string(),
        "files": rules.files.iter().map(|f| f.display().to_string()).collect::<Vec<_>>(),
        "database": v.database.display().to_string(),
        "customers": v.customers().len,
        "outputs": rules.outputs.iter().map(|o| o.name.clone()).collect::<Vec<_>>(),
        "last_edit_rejected": pending,
        "last_rejected": last_rejected,
    });
    reply(StatusCode::OK, body)
}

/// 404: no customer has this id.
fn unknown_customer(v: &Version, id: &str) -> Response {
    let message = SourceError::UnknownCustomer {
        id: id.to_owned(),
        column: v.id_column.clone(),
    };
    error(StatusCode::NOT_FOUND, message.to_string(), Some(v))
}

/// `{"customer_id", "policy": {output: value}, "rule_ids", "fingerprint", "version"}`.
fn policy_of(v: &Version, evaluator: &Evaluator<'_>, i: usize) -> Response {
    let outcomes = match evaluator.evaluate_one(i) {
        Ok(o) => o,
        Err(e) => return eval_error(&e, v),
    };
    let rules = v.rules();
    let outcome = outcomes.get(0);
    let policy: serde_json::Map<String, Json> = rules
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
    let mut body = serde_json::Map::new();
    body.insert(
        "customer_id".into(),
        evaluator.data.id(outcome.index).to_json(),
    );
    body.insert("policy".into(), Json::Object(policy));
    body.insert("rule_ids".into(), Json::Array(fired));
    v.stamp(&mut body);
    reply(StatusCode::OK, Json::Object(body))
}

async fn policy(State(service): State<Shared>, Path(id): Path<String>) -> Response {
    let v = service.current.load_full();
    match v.ids.get(id.as_str()) {
        Some(&i) => policy_of(&v, v.evaluator(), i),
        None => unknown_customer(&v, &id),
    }
}

async fn explain(State(service): State<Shared>, Path(id): Path<String>) -> Response {
    let v = service.current.load_full();
    let Some(&i) = v.ids.get(id.as_str()) else {
        return unknown_customer(&v, &id);
    };
    match v.evaluator().explain(i) {
        Ok(explanation) => {
            let mut body = match serde_json::to_value(&explanation) {
                Ok(Json::Object(map)) => map,
                _ => serde_json::Map::new(),
            };
            v.stamp(&mut body);
            reply(StatusCode::OK, Json::Object(body))
        }
        Err(e) => eval_error(&e, &v),
    }
}

/// A prospect given as `{"field": value, ...}`: evaluated against the current population
/// (its figures place it as if it were added; nobody else's move).
async fn evaluate(State(service): State<Shared>, body: Bytes) -> Response {
    let v = service.current.load_full();
    let given: Json = match serde_json::from_slice(&body) {
        Ok(given) => given,
        Err(e) => {
            return error(
                StatusCode::BAD_REQUEST,
                format!("the body is not valid JSON: {e}"),
                Some(&v),
            );
        }
    };
    let row = match prospect_row(&v, &given) {
        Ok(row) => row,
        Err(message) => return error(StatusCode::BAD_REQUEST, message, Some(&v)),
    };
    let names = v.customers().names.clone();
    let prospect = match Dataset::from_rows(names, &v.id_column, &[row]) {
        Ok(d) => d,
        Err(e) => return error(StatusCode::BAD_REQUEST, e.to_string(), Some(&v)),
    };
    match v.evaluator().newcomers(&prospect) {
        Ok(evaluator) => policy_of(&v, &evaluator, 0),
        Err(e) => eval_error(&e, &v),
    }
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
        row[k] =
            stored(&literal, v.columns[k].affinity).map_err(|m| format!("field `{name}`: {m}"))?;
    }
    if let Some(k) = v.columns.iter().position(|c| c.name == v.id_column)
        && row[k] == Cell::Null
    {
        row[k] = Cell::Text("prospect".into());
    }
    Ok(row)
}

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
