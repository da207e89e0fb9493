//! What one request or connection may take: the deadline of an evaluation, how many run at
//! once, the body's size and time, and the connections' timeouts (reading a head, writing
//! an answer) and number.
//!
//! Evaluations run on blocking threads, never on the async workers: a slow rule delays only
//! the request that asked for it, never `/health` or the accept loop. The [`Gate`] admits at
//! most `max_evaluations` at once (beyond that: 503 at once, no queue) and answers 504 when
//! one passes its deadline.

use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Semaphore;

/// The server's limits (each has a flag of `serve`; the defaults are safe for a service on
/// loopback behind a proxy, and for a direct client).
#[derive(Debug, Clone)]
pub struct Limits {
    /// How long one evaluation (a policy, an explanation, a prospect) may take: 504 after.
    pub request_timeout: Duration,
    /// How many evaluations may run at once: 503 beyond.
    pub max_evaluations: usize,
    /// How long a request body may take to arrive: 408 after.
    pub body_timeout: Duration,
    /// The largest request body: 413 beyond.
    pub max_body: usize,
    /// How long a connection may take to send a request's head, counted from when it opened
    /// or its last answer was sent: so it is also the keep-alive idle timeout. The connection
    /// is closed after.
    pub header_timeout: Duration,
    /// How long writing an answer may wait for the client to read (to take any byte of
    /// it): the connection is closed after.
    pub write_timeout: Duration,
    /// How many connections may be open at once: a connection beyond it gets a 503 and is
    /// closed.
    pub max_connections: usize,
    /// How long a reload may take before it is abandoned (and reported as refused).
    pub reload_timeout: Duration,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            request_timeout: Duration::from_secs(5),
            max_evaluations: 32,
            body_timeout: Duration::from_secs(10),
            max_body: 2 << 20,
            header_timeout: Duration::from_secs(10),
            write_timeout: Duration::from_secs(10),
            max_connections: 200,
            reload_timeout: Duration::from_secs(30),
        }
    }
}

/// The connections' places: one is held for as long as a connection is open.
#[derive(Debug, Clone)]
pub(super) struct Slots {
    permits: Arc<Semaphore>,
    max: usize,
}

impl Slots {
    pub(super) fn new(limits: &Limits) -> Slots {
        let max = limits.max_connections.max(1);
        Slots {
            permits: Arc::new(Semaphore::new(max)),
            max,
        }
    }

    /// A place for a new connection, if one is free.
    pub(super) fn take(&self) -> Option<tokio::sync::OwnedSemaphorePermit> {
        self.permits.clone().try_acquire_owned().ok()
    }

    /// How many connections are open, and the most.
    pub(super) fn load(&self) -> (usize, usize) {
        (self.max - self.permits.available_permits(), self.max)
    }

    pub(super) fn max(&self) -> usize {
        self.max
    }
}

/// Admits evaluations to the blocking threads, at most `max` at once, each with a deadline.
#[derive(Debug, Clone)]
pub(super) struct Gate {
    permits: Arc<Semaphore>,
    max: usize,
    deadline: Duration,
}

/// Why an evaluation gave no answer.
#[derive(Debug)]
pub(super) enum Refused {
    /// `max` evaluations were running (503).
    Saturated { max: usize },
    /// It was still running after `after` (504); it goes on on its thread, holding its place
    /// in the gate until it ends.
    TimedOut { after: Duration },
    /// It panicked (500), with the panic's message.
    Panicked(String),
}

impl Gate {
    pub(super) fn new(limits: &Limits) -> Gate {
        let max = limits.max_evaluations.max(1);
        Gate {
            permits: Arc::new(Semaphore::new(max)),
            max,
            deadline: limits.request_timeout,
        }
    }

    /// How many evaluations are running (including those past their deadline), and the most.
    pub(super) fn load(&self) -> (usize, usize) {
        (self.max - self.permits.available_permits(), self.max)
    }

    /// Runs `work` on a blocking thread if a place is free, and waits for it up to the
    /// deadline. The place is held until `work` returns, even after a 504: what still runs
    /// still counts.
    pub(super) async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, Refused> {
        self.run_within(Some(self.deadline), work).await
    }

    /// As [`Gate::run`], waiting as long as `work` takes (the report: every customer).
    pub(super) async fn run_without_deadline<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, Refused> {
        self.run_within(None, work).await
    }

    async fn run_within<T: Send + 'static>(
        &self,
        deadline: Option<Duration>,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, Refused> {
        let permit = self
            .permits
            .clone()
            .try_acquire_owned()
            .map_err(|_| Refused::Saturated { max: self.max })?;
        let task = tokio::task::spawn_blocking(move || {
            let _permit = permit;
            work()
        });
        let joined = match deadline {
            Some(deadline) => tokio::time::timeout(deadline, task).await,
            None => Ok(task.await),
        };
        match joined {
            Ok(Ok(value)) => Ok(value),
            Ok(Err(e)) => Err(Refused::Panicked(match e.try_into_panic() {
                Ok(panic) => crate::workspace::reload::panic_message(panic.as_ref()),
                Err(e) => e.to_string(),
            })),
            Err(_) => Err(Refused::TimedOut {
                after: deadline.unwrap_or_default(),
            }),
        }
    }
}
