//! The policy-script measurement of `tierwise bench` alone: a script of weighted scores,
//! logarithms and a string template against the same logic in hand-written Rust, one thread,
//! medians of interleaved rounds on the sample database of `tierwise bench`.
//!
//! Run: `cargo bench --bench script` (options after `--`: `--customers 1000000`, `--rounds 5`,
//! and `--engine-only` to run only the engine, e.g. under `perf record`).

use std::path::Path;
use tierwise::commands::bench::{sample_db, script};

fn main() {
    let (mut customers, mut rounds) = (1_000_000, 5);
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let engine_only = args.iter().any(|a| a == "--engine-only");
    args.retain(|a| a != "--engine-only");
    for pair in args.chunks(2) {
        let value = pair.get(1).map(String::as_str).unwrap_or_default();
        match pair[0].as_str() {
            "--customers" => customers = value.parse().expect("--customers: a number"),
            "--rounds" => rounds = value.parse().expect("--rounds: a number"),
            // `cargo bench` passes `--bench`.
            _ => {}
        }
    }
    let dir = Path::new("target/bench-data");
    let sample = sample_db(dir, customers, &mut |msg| eprintln!("bench: {msg}")).unwrap();
    let work = dir.join(format!("script-{customers}.db"));
    std::fs::copy(&sample, &work).unwrap();
    let t = script::time_script(&work, &work, rounds, engine_only).unwrap();
    let _ = std::fs::remove_file(&work);
    if engine_only {
        println!(
            "{customers} customers, one thread, median of {rounds}: engine {:.3} s",
            t.engine
        );
    } else {
        println!("{customers} customers, one thread, median of {rounds}:\n  {t}");
    }
}
