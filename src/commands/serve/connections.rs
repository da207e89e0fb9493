//! The accept loop: each connection is served by hyper's HTTP/1 server with a header read
//! timeout and a write timeout, at most `max_connections` at once.
//!
//! `axum::serve` sets no timeout and has no cap (a client that sends half a request holds
//! its connection, and its file descriptor, for ever), so connections are served here with
//! `hyper::server::conn::http1` directly, which axum uses underneath:
//!
//! - hyper's `header_read_timeout` closes a connection that has not sent a complete request
//!   head within the limit of opening, or of its last answer (so it is also the keep-alive
//!   idle timeout);
//! - hyper has no write timeout: [`write_timeout`] (`tokio-io-timeout`) fails a write that has made no progress
//!   within `write_timeout`, which closes the connection, so a client that sends requests
//!   (pipelined ones too) but never reads the answers cannot hold its place;
//! - a semaphore counts the open connections; one beyond the cap is answered a 503 with a
//!   JSON body and closed (or, when 16 refusals are already under way, closed at once), so
//!   half-sent requests can fill the cap but never the process's file descriptors, and a
//!   client gets an answer either way;
//! - the body's time and size are limited by the handler that reads it (`api::read_body`).
//!
//! On the stop signal the listener is closed and every connection is shut down gracefully
//! (the request in progress is answered, idle ones are closed); the caller bounds the wait.

use super::limits::{Limits, Slots};
use axum::Router;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Semaphore, watch};
use tokio_io_timeout::TimeoutStream;

/// How long a refused connection is given to read its 503.
const REFUSAL_TIME: Duration = Duration::from_secs(1);

/// How many refused connections are answered a 503 at once; beyond, they are closed.
const REFUSALS: usize = 16;

/// A served connection's send buffer, in bytes. Left to the system it grows to megabytes,
/// which a client that pipelines requests and reads nothing has the server fill with answers
/// for minutes before a write blocks and the write timeout can count.
const SEND_BUFFER: usize = 64 << 10;

/// Accepts and serves connections with `app` until `stop`, then waits for the open ones to
/// finish their request in progress.
pub(super) async fn serve(
    listener: TcpListener,
    app: Router,
    slots: &Slots,
    limits: &Limits,
    stop: impl Future<Output = ()>,
) {
    let max = slots.max();
    // Refusing takes a moment too (and a file descriptor): at most this many at once,
    // further ones are closed at once.
    let refusals = Arc::new(Semaphore::new(REFUSALS));
    let mut http = http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(limits.header_timeout);
    let (closing, closed) = watch::channel(false);
    // Connections refused since the last log line: a flood is one line a second, not one
    // per connection, and an operator sees it in the access log.
    let (mut refused, mut dropped, mut logged) = (0usize, 0usize, None::<std::time::Instant>);
    tokio::pin!(stop);
    loop {
        let stream = tokio::select! {
            () = &mut stop => break,
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                Err(e) => {
                    accept_failed(&e).await;
                    continue;
                }
            },
        };
        let Some(slot) = slots.take() else {
            match refusals.clone().try_acquire_owned() {
                Ok(refusing) => {
                    refused += 1;
                    tokio::spawn(async move {
                        refuse(stream, max).await;
                        drop(refusing);
                    });
                }
                Err(_) => dropped += 1,
            }
            if logged.is_none_or(|at| at.elapsed() >= Duration::from_secs(1)) {
                tracing::warn!(
                    target: "tierwise::access",
                    "busy: {max} connections open (the most at once): refused {refused} connection{} with a 503{}",
                    if refused == 1 { "" } else { "s" },
                    match dropped {
                        0 => String::new(),
                        n => format!(", closed {n} more without an answer"),
                    }
                );
                (refused, dropped, logged) = (0, 0, Some(std::time::Instant::now()));
            }
            continue;
        };
        let stream = write_timeout(stream, limits.write_timeout);
        let connection =
            http.serve_connection(TokioIo::new(stream), TowerToHyperService::new(app.clone()));
        let mut closing = closed.clone();
        tokio::spawn(async move {
            let _slot = slot;
            tokio::pin!(connection);
            tokio::select! {
                _ = connection.as_mut() => return,
                _ = closing.wait_for(|&c| c) => {}
            }
            connection.as_mut().graceful_shutdown();
            let _ = connection.await;
        });
    }
    drop(listener);
    drop(closed);
    let _ = closing.send(true);
    // Every connection holds a receiver until it ends.
    closing.closed().await;
}

/// A failed accept: a connection that went away before it was taken is nothing; anything
/// else (out of file descriptors) is logged, and accepting pauses briefly rather than spin.
async fn accept_failed(e: &std::io::Error) {
    use std::io::ErrorKind::*;
    if matches!(
        e.kind(),
        ConnectionAborted | ConnectionReset | ConnectionRefused | Interrupted
    ) {
        return;
    }
    tracing::warn!("cannot accept a connection: {e}");
    tokio::time::sleep(Duration::from_millis(50)).await;
}

/// Answers 503 with a JSON body on a connection beyond the cap, and closes it. What the
/// client sent is read and dropped meanwhile, so the close does not reset the connection
/// before the client has read the answer.
async fn refuse(mut stream: TcpStream, max: usize) {
    let body = serde_json::json!({
        "error": format!("busy: {max} connections are open, the most at once; retry later"),
        "kind": "busy",
    })
    .to_string();
    let head = format!(
        "HTTP/1.1 503 Service Unavailable\r\ncontent-type: application/json; charset=utf-8\r\ncontent-length: {}\r\nretry-after: 1\r\nconnection: close\r\n\r\n",
        body.len()
    );
    let _ = tokio::time::timeout(REFUSAL_TIME, async {
        stream.write_all(head.as_bytes()).await?;
        stream.write_all(body.as_bytes()).await?;
        stream.shutdown().await?;
        let mut sink = [0u8; 1024];
        while stream.read(&mut sink).await? > 0 {}
        Ok::<_, std::io::Error>(())
    })
    .await;
}

/// A connection's stream whose writes fail once one has waited `limit` without the socket
/// taking a byte (its send buffer stays full: the peer reads nothing); hyper then closes the
/// connection. The wait starts again whenever a write goes through, so a slow reader is
/// served; one that does not read at all is closed `limit` after its receive buffer and the
/// [`SEND_BUFFER`] are full.
fn write_timeout(stream: TcpStream, limit: Duration) -> Pin<Box<TimeoutStream<TcpStream>>> {
    if let Err(e) = socket2::SockRef::from(&stream).set_send_buffer_size(SEND_BUFFER) {
        tracing::debug!("cannot set a connection's send buffer: {e}");
    }
    let mut stream = TimeoutStream::new(stream);
    stream.set_write_timeout(Some(limit));
    Box::pin(stream)
}
