//! Who `serve` answers. On a loopback address (the default), only requests naming a local
//! host: a web page the admin opens can make the browser resolve its own name to 127.0.0.1
//! (DNS rebinding) and read every customer's data from a `serve` on the admin's laptop; its
//! requests name that page's host, and get 421. On another address anyone who can reach it
//! is answered, without a password: said at the start.

use axum::Router;
use axum::body::Body;
use axum::extract::Request;
use axum::http::{StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::Response;
use std::net::{IpAddr, SocketAddr};

/// `router`, answering only requests that name a local host when `listen` is loopback.
pub(super) fn guard(router: Router, listen: SocketAddr) -> Router {
    match listen.ip().is_loopback() {
        true => router.layer(middleware::from_fn(only_local_names)),
        false => router,
    }
}

/// What `serve` says at its start when it answers more than this machine.
pub(super) fn exposure(listen: SocketAddr) -> Option<String> {
    (!listen.ip().is_loopback()).then(|| {
        format!(
            "note: {listen} answers anyone who can reach it, without a password: every customer's data (`/customers/<id>/explain`) and the rules' messages; keep it on a trusted network, or listen on 127.0.0.1 behind a proxy that authenticates (README, \"Serving\")"
        )
    })
}

async fn only_local_names(request: Request, next: Next) -> Response {
    let host = (request.headers().get(header::HOST)).map(|h| h.to_str().unwrap_or("?"));
    match host {
        Some(host) if !is_local(host) => {
            let message = format!(
                "this server answers requests to a local host only (it listens on a loopback address), not to `{host}`: a web page may have pointed its own name at this machine; behind a reverse proxy, have it send `Host: localhost` (nginx `proxy_set_header Host localhost;`, Caddy `header_up Host localhost`)"
            );
            Response::builder()
                .status(StatusCode::MISDIRECTED_REQUEST)
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(
                    serde_json::json!({ "error": message, "kind": "not_local" }).to_string(),
                ))
                .unwrap_or_default()
        }
        _ => next.run(request).await,
    }
}

/// `localhost`, `127.0.0.1:8080`, `[::1]:8080`, `app.localhost`: a name of this machine.
fn is_local(host: &str) -> bool {
    let name = match host.strip_prefix('[') {
        Some(rest) => rest.split(']').next().unwrap_or_default(),
        None => match host.rsplit_once(':') {
            Some((name, port)) if port.bytes().all(|b| b.is_ascii_digit()) => name,
            _ => host,
        },
    };
    let name = name.trim_end_matches('.').to_ascii_lowercase();
    name == "localhost"
        || name.ends_with(".localhost")
        || name.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

#[cfg(test)]
mod tests {
    use super::{exposure, is_local};

    #[test]
    fn only_an_address_beyond_loopback_is_said_to_be_exposed() {
        assert_eq!(exposure("127.0.0.1:8080".parse().unwrap()), None);
        assert_eq!(exposure("[::1]:8080".parse().unwrap()), None);
        let note = exposure("0.0.0.0:8080".parse().unwrap()).unwrap();
        assert!(
            note.starts_with("note: 0.0.0.0:8080 answers anyone"),
            "{note}"
        );
    }

    #[test]
    fn local_names_with_or_without_a_port() {
        for host in [
            "localhost",
            "LOCALHOST:8080",
            "127.0.0.1:18100",
            "127.1.2.3",
            "[::1]:8080",
            "app.localhost:3000",
            "localhost.",
        ] {
            assert!(is_local(host), "{host}");
        }
        for host in [
            "evil.example",
            "evil.example:8080",
            "192.168.1.5:8080",
            "localhost.evil.example",
            "[2001:db8::1]:80",
            "?",
        ] {
            assert!(!is_local(host), "{host}");
        }
    }
}
