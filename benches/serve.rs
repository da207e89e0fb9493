//! Measures `tierwise serve` on the release binary:
//!
//! 1. save -> new rules answering: a rule file is saved (written to a temp file and renamed
//!    over the original, as editors do), and `GET /customers/{id}/policy` is polled every
//!    millisecond until it answers with the new rule set's fingerprint. 20 edits per size,
//!    debounce (100 ms, given) included.
//! 2. `GET /customers/{id}/policy` under load: keep-alive clients request random customers
//!    for a fixed time; every latency is kept (p50/p99/max are exact), every non-200 answer
//!    or I/O error counts as failed. Once quiet, once with a reload storm (a rule file saved
//!    every 250 ms, each save a full reload: check, tests, customers, population).
//!
//! Run: `cargo bench --bench serve` (options after `--`: `--customers 10000,100000`,
//! `--edits 20`, `--seconds 5`, `--clients 2`, `--repeat 3`). Sample databases are generated into
//! target/bench-data/ and kept; each run works on a copy of rules/.
//!
//! The load generator runs on the same machine as the server: on 2 cores the clients take
//! CPU from the server, so throughput is a lower bound.

#[path = "../tests/common/mod.rs"]
mod common;

use common::{BIN, copy_dir, http};
use http::Client;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

struct Options {
    sizes: Vec<usize>,
    edits: usize,
    seconds: u64,
    clients: usize,
    repeat: usize,
}

fn options() -> Options {
    let mut o = Options {
        sizes: vec![10_000, 100_000],
        edits: 20,
        seconds: 5,
        clients: 2,
        repeat: 3,
    };
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut k = 0;
    while k < args.len() {
        let value = args.get(k + 1).cloned().unwrap_or_default();
        match args[k].as_str() {
            "--customers" => {
                o.sizes = value
                    .split(',')
                    .map(|s| s.parse().expect("--customers: numbers"))
                    .collect()
            }
            "--edits" => o.edits = value.parse().expect("--edits: a number"),
            "--seconds" => o.seconds = value.parse().expect("--seconds: a number"),
            "--clients" => o.clients = value.parse().expect("--clients: a number"),
            "--repeat" => o.repeat = value.parse().expect("--repeat: a number"),
            // cargo bench passes --bench; anything else is not ours.
            _ => {
                k += 1;
                continue;
            }
        }
        k += 2;
    }
    o
}

fn main() {
    let o = options();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let data = root.join("target/bench-data");
    std::fs::create_dir_all(&data).unwrap();
    let mut rows = Vec::new();
    for &size in &o.sizes {
        let db = data.join(format!("sample-{size}.db"));
        if !db.exists() {
            eprintln!("generating {size} customers into {}", db.display());
            let status = Command::new(BIN)
                .args(["sample", "--customers", &size.to_string(), "--out"])
                .arg(&db)
                .status()
                .unwrap();
            assert!(status.success());
        }
        let work = tempfile::tempdir().unwrap();
        copy_dir(&root.join("rules"), &work.path().join("rules"));
        std::fs::write(
            work.path().join("config.yaml"),
            format!(
                "database: {}\ncustomers: {{ table: customers, id_column: customer_id }}\nrules: rules\n",
                db.display()
            ),
        )
        .unwrap();
        let ids = customer_ids(&db);
        let server = Server::start(work.path());
        eprintln!(
            "{size} customers: serving on {} ({})",
            server.addr, server.first_line
        );

        let latencies = save_to_answer(&server.addr, work.path(), o.edits, &ids);
        // Interleaved, so a noisy moment of the machine hits all three alike.
        let mut runs: [Vec<Summary>; 3] = Default::default();
        for _ in 0..o.repeat {
            runs[0].push(load(&server.addr, &ids, &o, None, Endpoint::Health));
            runs[1].push(load(&server.addr, &ids, &o, None, Endpoint::Policy));
            runs[2].push(load(
                &server.addr,
                &ids,
                &o,
                Some(work.path()),
                Endpoint::Policy,
            ));
        }
        let [baseline, quiet, storm] = runs.map(|r| Summary::median(&r));
        let rss = server.rss_mb();
        server.stop();
        rows.push((size, latencies, [baseline, quiet, storm], rss));
    }

    println!(
        "\n## save -> new rules answering ({} edits each, debounce 100 ms included)\n",
        o.edits
    );
    println!("| customers | p50 | max | min | of which reload (p50) |");
    println!("|---|---|---|---|---|");
    for (size, (l, reload), ..) in &rows {
        println!(
            "| {} | {:.0} ms | {:.0} ms | {:.0} ms | {:.0} ms |",
            size,
            percentile(l, 0.5),
            percentile(l, 1.0),
            percentile(l, 0.0),
            percentile(reload, 0.5)
        );
    }
    println!(
        "\n## {} keep-alive clients, {} s per test, median of {} (baseline: GET /health, which evaluates nothing)\n",
        o.clients, o.seconds, o.repeat
    );
    println!(
        "| customers | request | reload storm | requests/s | p50 | p99 | max | failed | reloads |"
    );
    println!("|---|---|---|---|---|---|---|---|---|");
    for (size, _, loads, _) in &rows {
        let labels = [
            ("GET /health", "no"),
            ("GET /customers/{id}/policy", "no"),
            ("GET /customers/{id}/policy", "every 250 ms"),
        ];
        for ((request, storm), r) in labels.iter().zip(loads) {
            println!(
                "| {} | {} | {} | {:.0} | {:.3} ms | {:.3} ms | {:.2} ms | {} | {} |",
                size, request, storm, r.rps, r.p50, r.p99, r.max, r.failed, r.reloads
            );
        }
    }
    println!();
    for (size, _, loads, _) in &rows {
        println!(
            "{size} customers: policy p50 / baseline p50 = {:.2}; with a reload storm / without = {:.2}",
            loads[1].p50 / loads[0].p50,
            loads[2].p50 / loads[1].p50
        );
    }
    println!("\n| customers | server memory (VmHWM) |\n|---|---|");
    for (size, .., rss) in &rows {
        println!("| {size} | {rss:.0} MB |");
    }
}

/// A running `tierwise serve`, stopped with SIGTERM.
struct Server {
    child: Child,
    addr: String,
    first_line: String,
}

impl Server {
    fn start(dir: &Path) -> Server {
        let mut child = Command::new(BIN)
            .current_dir(dir)
            .args([
                "--config",
                "config.yaml",
                "serve",
                "--listen",
                "127.0.0.1:0",
                // Measured with the quiet time it always had (the default is 1000 ms now).
                "--debounce-ms",
                "100",
            ])
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap();
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let first_line = lines.next().unwrap().unwrap();
        let listening = lines.next().unwrap().unwrap();
        let addr = listening
            .strip_prefix("listening on http://")
            .and_then(|rest| rest.split_whitespace().next())
            .unwrap_or_else(|| panic!("unexpected output: {listening}"))
            .to_owned();
        // Keep reading so the server never blocks on a full pipe.
        std::thread::spawn(move || for _ in lines.map_while(Result::ok) {});
        Server {
            child,
            addr,
            first_line,
        }
    }

    /// Peak resident memory of the server process.
    fn rss_mb(&self) -> f64 {
        std::fs::read_to_string(format!("/proc/{}/status", self.child.id()))
            .ok()
            .and_then(|s| {
                s.lines()
                    .find(|l| l.starts_with("VmHWM:"))
                    .and_then(|l| l.split_whitespace().nth(1)?.parse::<f64>().ok())
            })
            .map_or(0.0, |kb| kb / 1024.0)
    }

    fn stop(mut self) {
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        let _ = self.child.wait();
    }
}

fn customer_ids(db: &Path) -> Vec<String> {
    let conn = rusqlite::Connection::open(db).unwrap();
    let mut stmt = conn.prepare("SELECT customer_id FROM customers").unwrap();
    stmt.query_map([], |r| r.get::<_, String>(0))
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

/// Saves `rules/summary.yaml` with one more comment line, as editors save: a temp file
/// renamed over the original. A comment changes the fingerprint and nothing else, so every
/// save is accepted and runs the whole reload.
fn save_edit(dir: &Path, k: usize) {
    let path = dir.join("rules/summary.yaml");
    let mut text = std::fs::read_to_string(&path).unwrap();
    text.push_str(&format!("# edit {k}\n"));
    let tmp = dir.join("rules/.summary.yaml.tmp");
    std::fs::write(&tmp, text).unwrap();
    std::fs::rename(&tmp, &path).unwrap();
}

/// Milliseconds from each save to the first answer under the new rules, and of that, how
/// long each reload took (load, check, tests, customers, population).
fn save_to_answer(addr: &str, dir: &Path, edits: usize, ids: &[String]) -> (Vec<f64>, Vec<f64>) {
    let mut client = Client::connect(addr).unwrap();
    let path = format!("/customers/{}/policy", ids[0]);
    let mut out = Vec::new();
    let mut reloads = Vec::new();
    for k in 0..edits {
        let old = client.get(&path).unwrap().str("fingerprint").to_owned();
        let start = Instant::now();
        save_edit(dir, k);
        loop {
            let r = client.get(&path).unwrap();
            assert_eq!(r.status, 200, "{}", r.text);
            if r.str("fingerprint") != old {
                break;
            }
            assert!(
                start.elapsed() < Duration::from_secs(30),
                "the edit never took effect"
            );
            std::thread::sleep(Duration::from_millis(1));
        }
        out.push(start.elapsed().as_secs_f64() * 1000.0);
        reloads.push(
            client.get("/rules").unwrap().json["load_ms"]
                .as_f64()
                .unwrap_or(f64::NAN),
        );
        // Quiet between edits, so each is its own reload.
        std::thread::sleep(Duration::from_millis(300));
    }
    (out, reloads)
}

/// What the load test requests: policies, or the baseline that evaluates nothing.
#[derive(Clone, Copy)]
enum Endpoint {
    Policy,
    Health,
}

/// One load test in figures.
#[derive(Clone, Copy, Default)]
struct Summary {
    rps: f64,
    p50: f64,
    p99: f64,
    max: f64,
    failed: usize,
    reloads: u64,
}

impl Summary {
    /// Medians of the repeats' rates and percentiles; the worst maximum; all failures and
    /// reloads.
    fn median(runs: &[Summary]) -> Summary {
        let median =
            |f: fn(&Summary) -> f64| percentile(&runs.iter().map(f).collect::<Vec<_>>(), 0.5);
        Summary {
            rps: median(|r| r.rps),
            p50: median(|r| r.p50),
            p99: median(|r| r.p99),
            max: runs.iter().map(|r| r.max).fold(0.0, f64::max),
            failed: runs.iter().map(|r| r.failed).sum(),
            reloads: runs.iter().map(|r| r.reloads).sum(),
        }
    }
}

/// `o.clients` clients requesting random customers' policies for `o.seconds`; with
/// `storm`, a rule file in that directory is saved every 250 ms meanwhile.
fn load(
    addr: &str,
    ids: &[String],
    o: &Options,
    storm: Option<&Path>,
    endpoint: Endpoint,
) -> Summary {
    let version = |addr: &str| http::get(addr, "/rules").version();
    let before = version(addr);
    let stop = Arc::new(AtomicBool::new(false));
    let failed = Arc::new(AtomicUsize::new(0));
    let ids = Arc::new(ids.to_vec());
    let start = Instant::now();
    let clients: Vec<_> = (0..o.clients)
        .map(|c| {
            let (addr, stop, failed, ids) =
                (addr.to_owned(), stop.clone(), failed.clone(), ids.clone());
            std::thread::spawn(move || {
                let mut rng = fastrand::Rng::with_seed(c as u64);
                let mut client = Client::connect(&addr).unwrap();
                let mut latencies = Vec::with_capacity(1 << 20);
                while !stop.load(Ordering::Relaxed) {
                    let id = &ids[rng.usize(..ids.len())];
                    let t = Instant::now();
                    let path = match endpoint {
                        Endpoint::Policy => format!("/customers/{id}/policy"),
                        Endpoint::Health => "/health".to_owned(),
                    };
                    match client.get(&path) {
                        Ok(r) if r.status == 200 => {
                            latencies.push(t.elapsed().as_secs_f64() * 1000.0)
                        }
                        Ok(_) => {
                            failed.fetch_add(1, Ordering::Relaxed);
                        }
                        Err(_) => {
                            failed.fetch_add(1, Ordering::Relaxed);
                            client = Client::connect(&addr).unwrap();
                        }
                    }
                }
                latencies
            })
        })
        .collect();
    let deadline = start + Duration::from_secs(o.seconds);
    let mut k = 1000;
    while Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(250));
        if let Some(dir) = storm {
            save_edit(dir, k);
            k += 1;
        }
    }
    stop.store(true, Ordering::Relaxed);
    let mut latencies: Vec<f64> = clients
        .into_iter()
        .flat_map(|c| c.join().unwrap())
        .collect();
    let seconds = start.elapsed().as_secs_f64();
    // Let the last reload land before counting.
    std::thread::sleep(Duration::from_millis(500));
    latencies.sort_by(f64::total_cmp);
    Summary {
        rps: latencies.len() as f64 / seconds,
        p50: percentile(&latencies, 0.5),
        p99: percentile(&latencies, 0.99),
        max: percentile(&latencies, 1.0),
        failed: failed.load(Ordering::Relaxed),
        reloads: version(addr) - before,
    }
}

/// The `q` quantile of sorted or unsorted values (nearest rank).
fn percentile(values: &[f64], q: f64) -> f64 {
    let mut v = values.to_vec();
    v.sort_by(f64::total_cmp);
    if v.is_empty() {
        return f64::NAN;
    }
    let rank = ((q * v.len() as f64).ceil() as usize).clamp(1, v.len());
    v[rank - 1]
}
