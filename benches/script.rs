//! The policy-script measurement of `tierwise bench` alone: a script of weighted scores,
//! logarithms and a string template against the same logic in hand-written Rust, one thread,
//! medians of interleaved rounds on the sample database of `tierwise bench`.
//!
//! Each round times each side in a process of its own (this program again, with `--only`),
//! the median of three runs there (the first finds a cold heap, the others the heap the side
//! itself left): in one process, a side ran on the heap the other had left, and the
//! hand-written loop's time moved by 20% with what the engine had allocated and freed.
//!
//! Run: `cargo bench --bench script` (options after `--`: `--customers 1000000`, `--rounds 5`,
//! and `--only engine|constants|rust` to time one side in this process, e.g. under
//! `perf record`).

use std::path::Path;
use std::process::Command;
use tierwise::commands::bench::sample_db;
use tierwise::commands::bench::script::{Side, side_line, time_apart, time_script};

fn main() {
    let (mut customers, mut rounds, mut only) = (1_000_000, 5, None);
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        let mut value = || args.next().map(String::as_str).unwrap_or_default();
        match arg.as_str() {
            "--customers" => customers = value().parse().expect("--customers: a number"),
            "--rounds" => rounds = value().parse().expect("--rounds: a number"),
            "--only" => {
                let name = value();
                let side = Side::ALL.into_iter().find(|s| s.name() == name);
                only = Some(side.expect("--only: engine, constants or rust"));
            }
            // `cargo bench` passes `--bench`.
            _ => {}
        }
    }
    let dir = Path::new("target/bench-data");
    let sample = sample_db(dir, customers, &mut |msg| eprintln!("bench: {msg}")).unwrap();
    let work = dir.join(format!(
        "script-{customers}-{}.db",
        only.map_or("all", Side::name)
    ));
    std::fs::copy(&sample, &work).unwrap();
    if let Some(side) = only {
        let t = time_script(&work, &work, rounds, Some(side)).unwrap();
        let _ = std::fs::remove_file(&work);
        // The last line, read by `time_apart` below.
        println!("{}", side_line(side, t.of(side)));
        return;
    }
    let exe = std::env::current_exe().unwrap();
    let t = time_apart(&work, &work, rounds, |side| {
        let mut timing = Command::new(&exe);
        let n = customers.to_string();
        timing.args(["--customers", &n, "--rounds", "3", "--only", side.name()]);
        timing
    })
    .unwrap();
    let _ = std::fs::remove_file(&work);
    println!(
        "{customers} customers, one thread, median of {rounds} rounds, each side in a process of its own:\n  {t}"
    );
}
