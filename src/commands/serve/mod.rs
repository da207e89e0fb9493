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
//! | `api` | the router, its handlers, `ApiError` |
//! | `report` | `GET /report`: the HTML report for the version in force |

mod api;
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

/// The API over the project of `config`, in process: the first version only (no socket, no
/// reload thread, no signals); answer requests with `tower::ServiceExt::oneshot`. For the
/// fuzzer (`fuzz/`), which posts arbitrary bodies to it.
#[doc(hidden)]
pub fn router(config: &Path) -> Result<axum::Router, Error> {
    let first = reload::load(config, &Overrides::default()).map_err(refusal::into_error)?;
    let version = Version::new(first, 1, Instant::now())?;
    Ok(api::router(Arc::new(Service::new(version))))
}

/// Loads the rules (they must pass check and their tests), binds them to the customers,
/// starts watching, and serves until SIGINT or SIGTERM.
pub fn serve(opts: &ServeOptions, out: &mut (dyn Write + Send)) -> Result<(), Error> {
    let started = Instant::now();
    // Taken before the customers are read: a commit from now on is a change to pick up, even
    // one made before the reload thread starts.
    let data = DataWatch::now(&opts.config, &opts.overrides);
    let first = reload::load(&opts.config, &opts.overrides).map_err(refusal::into_error)?;
    let rules_dir = first.workspace.rules_dir.clone();
    let version = Version::new(first, 1, started)?;
    let watcher = RuleWatcher::new(&opts.config, &rules_dir, opts.debounce)?;
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
    let service = Arc::new(Service::new(version));
    let reloader = Reloader::new(&service, opts, watcher, data);

    // Requests evaluate on the runtime's threads: they get the evaluation stack.
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
    let address = listener.local_addr().unwrap_or(opts.listen);
    say(
        out,
        format!(
            "listening on http://{address} (watching {}; Ctrl-C to stop)",
            reloader.describe()
        ),
    );
    let server = Server {
        runtime,
        listener,
        stop,
    };
    server.run(service.clone(), reloader, out)
}

/// The HTTP side, ready to accept: the runtime, the bound socket, and the signal to stop on.
struct Server<S> {
    runtime: tokio::runtime::Runtime,
    listener: tokio::net::TcpListener,
    stop: S,
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
            stop,
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
        let app = api::router(service);
        let server = runtime.spawn(async move {
            axum::serve(listener, app)
                .with_graceful_shutdown(stop)
                .await
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
                        Ok(Ok(()))
                    }
                }
            });
            let _ = stop_tx.send(());
            // The reloader notices within one tick; a reload in progress finishes first.
            Ok::<_, Error>((served, reloader.join()))
        })?;
        if let Err(panic) = reloaded {
            return Err(Error::Io {
                what: "the reload thread stopped, so edits would no longer be picked up: the service stopped too (restart to resume)".into(),
                source: std::io::Error::other(reload::panic_message(panic.as_ref())),
            });
        }
        match served {
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
