//! `tierwise serve`: the rules in force as an HTTP JSON service, hot-reloaded as `watch` is.
//!
//! Each accepted rule set, bound to the customers it was loaded with and their population
//! figures, is one immutable version behind an `ArcSwap`. A request takes the version in
//! force when it starts and is answered entirely by it (the response names it); a reload
//! builds the next version beside it on its own thread and swaps it in, so requests never
//! wait for a reload, never fail because of one, and never see half of one.
//!
//! | module | owns |
//! |---|---|
//! | this one | the arguments, startup (first load, listening, signals) and shutdown |
//! | `state` | `Version` (rules + customers + evaluator), the service state, refused edits |
//! | `reloader` | the reload thread: watching the rules and the database, reloading |
//! | `api` | the router, its handlers, `ApiError`, the access log |
//! | `json_body` | a request body as JSON, each key of an object given once |
//! | `limits` | `Limits` (timeouts and caps), the gate evaluations pass (blocking threads, deadline) |
//! | `connections` | the accept loop: header and write timeouts, connection cap, graceful shutdown |
//! | `report` | `GET /report`: the HTML report for the version in force |

mod api;
mod connections;
mod host;
mod json_body;
#[cfg(test)]
mod limit_tests;
mod limits;
mod query;
mod reloader;
mod report;
mod state;
#[cfg(test)]
mod tests;

use super::{Globals, SourceArgs};
use crate::error::{Error, ExitStatus};
use crate::report::{refusal, shown, thousands};
use crate::workspace::Overrides;
use crate::workspace::reload;
use crate::workspace::watcher::RuleWatcher;
pub use limits::Limits;
use reloader::{DataWatch, Reloader};
use state::{Service, Version};
use std::io::Write;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Serve policies over HTTP (JSON), with the same hot reload as `watch`.
///
/// GET /customers/{id}/policy, GET /customers/{id}/explain, POST /evaluate (a prospect's
/// fields as a JSON object), GET /rules, GET /report (the HTML report), GET /health.
#[derive(clap::Args, Debug)]
pub struct Args {
    #[command(flatten)]
    pub sources: SourceArgs,
    /// Address to listen on, `host:port` (loopback by default; port 0 picks a free port;
    /// a host name such as `localhost` is resolved).
    #[arg(long, default_value = "127.0.0.1:8080", value_parser = socket_address)]
    pub listen: SocketAddr,
    /// Quiet time after the last save before reloading, in milliseconds (a copy over a slow
    /// network pauses: a longer pause is read as a finished save; copy under a `.tmp` name and
    /// rename, which is one step).
    #[arg(long, default_value_t = 1000)]
    pub debounce_ms: u64,
    /// How often to check the customer database for changes, and for a new day (UTC), in
    /// milliseconds (0: never: the data and the date stay as at the start).
    #[arg(long, default_value_t = 1000)]
    pub data_check_ms: u64,
    /// How long one evaluation (a policy, an explanation, a prospect) may take before the
    /// request is answered 504, in milliseconds.
    #[arg(long, default_value_t = 5000, value_parser = clap::value_parser!(u64).range(1..))]
    pub request_timeout_ms: u64,
    /// How many evaluations may run at once; a request beyond is answered 503 at once.
    #[arg(long, default_value_t = 32)]
    pub max_evaluations: usize,
    /// How long a connection may take to send a request's head, from when it opened or got
    /// its last answer (so also the keep-alive idle timeout), in milliseconds.
    #[arg(long, default_value_t = 10_000, value_parser = clap::value_parser!(u64).range(1..))]
    pub header_timeout_ms: u64,
    /// How long a request body may take to arrive before the request is answered 408, in
    /// milliseconds.
    #[arg(long, default_value_t = 10_000, value_parser = clap::value_parser!(u64).range(1..))]
    pub body_timeout_ms: u64,
    /// How long sending an answer may wait for the client to read any of it before the
    /// connection is closed (a client that sends requests but never reads the answers), in
    /// milliseconds.
    #[arg(long, default_value_t = 10_000, value_parser = clap::value_parser!(u64).range(1..))]
    pub write_timeout_ms: u64,
    /// How many connections may be open at once; one beyond is answered 503 and closed.
    /// Keep it below the open-files limit (`ulimit -n`).
    #[arg(long, default_value_t = 200)]
    pub max_connections: usize,
    /// How long a reload (reading, checking and testing the rules, reading the customers)
    /// may take before it is abandoned and reported, so the next edit is not held up, in
    /// milliseconds.
    #[arg(long, default_value_t = 30_000, value_parser = clap::value_parser!(u64).range(1..))]
    pub reload_timeout_ms: u64,
}

pub fn run(args: Args, globals: &Globals) -> Result<ExitStatus, Error> {
    let opts = ServeOptions {
        config: globals.config.clone(),
        overrides: args.sources.into(),
        listen: args.listen,
        debounce: Duration::from_millis(args.debounce_ms),
        data_check: (args.data_check_ms > 0).then(|| Duration::from_millis(args.data_check_ms)),
        limits: Limits {
            request_timeout: Duration::from_millis(args.request_timeout_ms),
            max_evaluations: args.max_evaluations,
            header_timeout: Duration::from_millis(args.header_timeout_ms),
            body_timeout: Duration::from_millis(args.body_timeout_ms),
            write_timeout: Duration::from_millis(args.write_timeout_ms),
            max_connections: args.max_connections,
            reload_timeout: Duration::from_millis(args.reload_timeout_ms),
            ..Limits::default()
        },
    };
    serve(&opts, &mut std::io::stdout())?;
    Ok(ExitStatus::Success)
}

/// How long requests in flight may take to finish after SIGINT/SIGTERM.
const GRACE: Duration = Duration::from_secs(5);

/// A row that holds a value its column cannot (`n/a` in a sales column, a date typed
/// `15.11.2026`) answers 422 naming it, and every other customer is answered from the data
/// as it is now: keeping the whole last good data instead answered that customer from its
/// old row (a licence since expired served "not blocked", HTTP 200).
const SERVED_ROWS: reload::Rows = reload::Rows::LeavingOutUnreadable;

#[derive(Debug, Clone)]
pub struct ServeOptions {
    pub config: PathBuf,
    pub overrides: Overrides,
    pub listen: SocketAddr,
    /// Quiet time after the last save before reloading.
    pub debounce: Duration,
    /// How often the customer database is checked for changes (`None`: never).
    pub data_check: Option<Duration>,
    /// Timeouts and caps of requests and connections.
    pub limits: Limits,
}

/// `--listen`: an address (`127.0.0.1:8080`, `[::1]:8080`) or a host name and port
/// (`localhost:8080`), its first address.
fn socket_address(text: &str) -> Result<SocketAddr, String> {
    use std::net::ToSocketAddrs;
    let resolved = text.to_socket_addrs().map_err(|e| {
        format!("{e}: give a host and a port, such as 127.0.0.1:8080 or localhost:8080")
    })?;
    resolved
        .into_iter()
        .next()
        .ok_or_else(|| format!("`{text}` names no address"))
}

/// The API over the project of `config`, in process: the first version only (no socket, no
/// reload thread, no signals); answer requests with `tower::ServiceExt::oneshot`. For the
/// fuzzer (`fuzz/`), which posts arbitrary bodies to it.
#[doc(hidden)]
pub fn router(config: &Path) -> Result<axum::Router, Error> {
    let first =
        reload::load(config, &Overrides::default(), SERVED_ROWS).map_err(refusal::into_error)?;
    let version = Version::new(first, 1, Instant::now())?;
    Ok(api::router(
        Arc::new(Service::new(version)),
        &Limits::default(),
    ))
}

/// Loads the rules (they must pass check and their tests), binds them to the customers,
/// starts watching, and serves until SIGINT or SIGTERM.
pub fn serve(opts: &ServeOptions, out: &mut (dyn Write + Send)) -> Result<(), Error> {
    let started = Instant::now();
    // Taken before the customers are read: a commit from now on is a change to pick up, even
    // one made before the reload thread starts.
    let data = DataWatch::now(&opts.config, &opts.overrides);
    let first =
        reload::load(&opts.config, &opts.overrides, SERVED_ROWS).map_err(refusal::into_error)?;
    let rules_dir = first.workspace.rules_dir.clone();
    let version = Version::new(first, 1, started)?;
    let watcher = RuleWatcher::new(&opts.config, &rules_dir, opts.debounce)?;
    // Said once the port is bound: "in force" then "cannot listen" read as a start in logs.
    let in_force = format!(
        "rules {} in force: {} customers from {} (loaded in {} ms)",
        version.rules().fingerprint,
        thousands(version.customers().len as f64),
        shown(&version.database).display(),
        version.took.as_millis()
    );
    let mut warnings = version.warnings.clone();
    warnings.extend(version.history_notes.iter().map(|n| format!("note: {n}")));
    let service = Arc::new(Service::new(version));
    let reloader = Reloader::new(&service, opts, watcher, data);

    // Requests evaluate on the runtime's blocking threads: they get the evaluation stack
    // (as do the async workers, which never evaluate).
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_name("http")
        .thread_stack_size(crate::threads::STACK)
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
    say(out, in_force);
    for line in warnings {
        say(out, line);
    }
    let address = listener.local_addr().unwrap_or(opts.listen);
    say(
        out,
        format!(
            "listening on http://{address} (watching {}; Ctrl-C to stop)",
            reloader.describe()
        ),
    );
    if let Some(note) = host::exposure(address) {
        say(out, note);
    }
    let server = Server {
        runtime,
        listener,
        address,
        stop,
        limits: opts.limits.clone(),
    };
    server.run(service.clone(), reloader, out)
}

/// The HTTP side, ready to accept: the runtime, the bound socket, and the signal to stop on.
struct Server<S> {
    runtime: tokio::runtime::Runtime,
    listener: tokio::net::TcpListener,
    /// The address bound: on loopback, requests must name a local host ([`host`]).
    address: std::net::SocketAddr,
    stop: S,
    limits: Limits,
}

impl<S: Future<Output = ()> + Send + 'static> Server<S> {
    /// Answers requests on the runtime's threads while `reloader` reloads on this one's
    /// scoped thread, until the stop signal (then requests in flight get [`GRACE`]).
    fn run(
        self,
        service: Arc<Service>,
        reloader: Reloader<'_>,
        out: &mut (dyn Write + Send),
    ) -> Result<(), Error> {
        let Server {
            runtime,
            listener,
            address,
            stop,
            limits,
        } = self;
        // After a signal, connections get GRACE to finish; a client that stalls mid-request
        // must not keep the process alive. A reload thread that dies stops the service the
        // same way: serving the rules in force for ever, blind to every later edit, is worse
        // than stopping where a supervisor sees it.
        let (signalled, signal_seen) = tokio::sync::oneshot::channel::<()>();
        let (alarm, reloader_died) = tokio::sync::oneshot::channel::<()>();
        let stop = async move {
            tokio::select! {
                () = stop => {}
                Ok(()) = reloader_died => {}
            }
            let _ = signalled.send(());
        };
        let slots = limits::Slots::new(&limits);
        let app = host::guard(
            api::counting_router(service, &limits, slots.clone()),
            address,
        );
        let server = runtime.spawn(async move {
            connections::serve(listener, app, &slots, &limits, stop).await;
        });
        let (stop_tx, stop_rx) = std::sync::mpsc::channel::<()>();
        let (served, reloaded) = std::thread::scope(|s| {
            let reloader = std::thread::Builder::new()
                .name("reloader".into())
                .stack_size(crate::threads::STACK)
                .spawn_scoped(s, move || {
                    let _alarm = PanicAlarm(Some(alarm));
                    reloader.run(&stop_rx, out)
                })
                .map_err(|source| Error::Io {
                    what: "cannot start the reload thread".into(),
                    source,
                })?;
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
                        Ok(())
                    }
                }
            });
            let _ = stop_tx.send(());
            // The reloader notices within one tick; a reload in progress finishes first.
            Ok::<_, Error>((served, reloader.join()))
        })?;
        // Evaluations past their deadline may still run on blocking threads: they hold
        // nothing to save, so the process does not wait for them (dropping the runtime would).
        runtime.shutdown_background();
        if let Err(panic) = reloaded {
            return Err(Error::Io {
                what: "the reload thread stopped, so edits would no longer be picked up: the service stopped too (restart to resume)".into(),
                source: std::io::Error::other(reload::panic_message(panic.as_ref())),
            });
        }
        match served {
            Ok(()) => Ok(()),
            Err(e) => Err(Error::Io {
                what: "the HTTP server failed".into(),
                source: std::io::Error::other(e),
            }),
        }
    }
}

/// Rings when the thread that holds it unwinds from a panic (dropped without ringing
/// otherwise).
struct PanicAlarm(Option<tokio::sync::oneshot::Sender<()>>);

impl Drop for PanicAlarm {
    fn drop(&mut self) {
        if std::thread::panicking()
            && let Some(alarm) = self.0.take()
        {
            let _ = alarm.send(());
        }
    }
}

fn say(out: &mut (dyn Write + Send), text: String) {
    let _ = writeln!(out, "{text}");
    let _ = out.flush();
}

/// Resolves on SIGINT (Ctrl-C) or SIGTERM. The handlers are installed when this is called,
/// not when the future is first polled: a signal right after "listening" must not kill the
/// process the default way.
#[cfg(unix)]
fn shutdown_signal() -> std::io::Result<impl Future<Output = ()>> {
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
fn shutdown_signal() -> std::io::Result<impl Future<Output = ()>> {
    Ok(async {
        let _ = tokio::signal::ctrl_c().await;
    })
}
