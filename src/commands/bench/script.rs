//! What a policy script costs against the same logic written by hand in Rust: a weighted
//! score with logarithms and a square root of a whole-number column (a `rules/*.rhai`
//! function with `let`s and a guard clause), bands by `when:` rows, and a string template
//! per customer. Both run on one thread over the same customers' columns and produce the same
//! outputs per customer (checked: every customer's note must agree); the engine also does what
//! a run does (the frame, the decisions, the fired rules, the outcomes).

use super::io_err;
use crate::engine::{Evaluator, Outcomes};
use crate::error::Error;
use crate::rules::{self, RuleSet};
use crate::source::{CustomerSource, Dataset, SqliteSource};
use crate::value::Value;
use serde::Serialize;
use std::path::Path;
use std::process::Command;
use std::time::Instant;

const SCRIPT: &str = include_str!("../../../benches/policy_score.rhai");

const RULES: &str = r#"
metrics:
  score: policy_score(annual_sales, gross_margin_pct, on_time_payment_rate, orders_last_12m, years_active)
decisions:
  - name: band
    rules:
      - { id: band-a, when: score >= 60, then: { band: A } }
      - { id: band-b, when: score >= 45, then: { band: B } }
      - { id: band-c, then: { band: C } }
  - name: note
    output: note
    rules:
      - { id: note, value: '= `tier ${band}: score ${score.to_int()}`' }
"#;

/// The same decisions with constants instead of the script and the template: what the
/// engine does per customer besides computing the expressions.
const CONSTANT_RULES: &str = r#"
metrics:
  score: "50.0"
decisions:
  - name: band
    rules:
      - { id: band-a, when: score >= 60, then: { band: A } }
      - { id: band-b, when: score >= 45, then: { band: B } }
      - { id: band-c, then: { band: C } }
  - name: note
    output: note
    rules:
      - { id: note, value: "tier B: score 50" }
"#;

/// Medians of the script against hand-written Rust, one thread.
#[derive(Debug, Default, Serialize)]
pub struct ScriptTimings {
    pub engine: f64,
    /// The same rule set with constant values (the engine's own work per customer).
    pub engine_constants: f64,
    pub rust: f64,
    /// Customers whose note differs between the two (0, or the comparison means nothing).
    pub mismatches: usize,
}

impl ScriptTimings {
    /// The medians of each round's times (seconds).
    pub fn medians(
        engine: Vec<f64>,
        engine_constants: Vec<f64>,
        rust: Vec<f64>,
        mismatches: usize,
    ) -> Self {
        ScriptTimings {
            engine: super::median(engine),
            engine_constants: super::median(engine_constants),
            rust: super::median(rust),
            mismatches,
        }
    }

    /// The time of `side`.
    pub fn of(&self, side: Side) -> f64 {
        match side {
            Side::Engine => self.engine,
            Side::Constants => self.engine_constants,
            Side::Rust => self.rust,
        }
    }

    pub fn ratio(&self) -> f64 {
        self.engine / self.rust.max(1e-9)
    }

    /// The expressions alone (the engine minus its constant-valued twin) against Rust.
    pub fn expressions_ratio(&self) -> f64 {
        (self.engine - self.engine_constants).max(0.0) / self.rust.max(1e-9)
    }
}

impl std::fmt::Display for ScriptTimings {
    /// One line: both times, their ratio, the engine with constants and the expressions'
    /// ratio, and a warning when the two computed different notes.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "script {:.3} s vs Rust {:.3} s ({:.2}x); the same decisions with constants {:.3} s, so the expressions alone {:.2}x",
            self.engine,
            self.rust,
            self.ratio(),
            self.engine_constants,
            self.expressions_ratio(),
        )?;
        if self.mismatches > 0 {
            write!(f, "; {} customers' notes differ!", self.mismatches)?;
        }
        Ok(())
    }
}

/// How many of the rule set's expressions have a fast path, of how many.
pub fn fast_path(rules: &RuleSet) -> (usize, usize) {
    let all: Vec<&crate::rules::Expr> = rules.exprs().collect();
    (all.iter().filter(|e| e.native.is_some()).count(), all.len())
}

/// One of the three things [`time_script`] times.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Side {
    /// The policy script through the engine.
    Engine,
    /// The same decisions with constant values, through the engine.
    Constants,
    /// The same logic written in Rust.
    Rust,
}

impl Side {
    pub const ALL: [Side; 3] = [Side::Engine, Side::Constants, Side::Rust];

    pub fn name(self) -> &'static str {
        match self {
            Side::Engine => "engine",
            Side::Constants => "constants",
            Side::Rust => "rust",
        }
    }
}

/// Times the three `rounds` times, interleaved, on the customers of `db`; the medians.
/// With `only`, only that one runs (in a process of its own, its heap is its own; to
/// profile it): the other figures stay 0 and notes are not compared.
pub fn time_script(
    db: &Path,
    work: &Path,
    rounds: usize,
    only: Option<Side>,
) -> Result<ScriptTimings, Error> {
    let source = SqliteSource::open(db, &crate::config::Source::Table("customers".into()))?;
    let rules = load(
        &source,
        work,
        &[("policy.rhai", SCRIPT), ("policy.yaml", RULES)],
    )?;
    let constants = load(&source, work, &[("policy.yaml", CONSTANT_RULES)])?;
    let data = source.read("customer_id", Some(&rules.loaded_fields()), &mut |_| {})?;
    let evaluator = Evaluator::new(&rules, &data, super::context())?;
    let constant_evaluator = Evaluator::new(&constants, &data, super::context())?;
    let one_thread = crate::threads::pool(1, "bench-script").map_err(|e| Error::Io {
        what: "cannot start a thread pool".into(),
        source: std::io::Error::other(e),
    })?;
    let (mut engine, mut engine_constants, mut rust) = (Vec::new(), Vec::new(), Vec::new());
    let mut mismatches = 0;
    // Each timed run's results are dropped, untimed, before the next run starts, so every
    // run finds the allocator as the others do; the results are compared once, after.
    let runs = |side: Side| only.is_none_or(|o| o == side);
    for _ in 0..rounds.max(1) {
        if runs(Side::Engine) {
            let start = Instant::now();
            let outcomes = one_thread.install(|| evaluator.evaluate(0..data.len))?.0;
            engine.push(start.elapsed().as_secs_f64());
            drop(outcomes);
        }
        if runs(Side::Constants) {
            let start = Instant::now();
            let outcomes = one_thread
                .install(|| constant_evaluator.evaluate(0..data.len))?
                .0;
            engine_constants.push(start.elapsed().as_secs_f64());
            drop(outcomes);
        }
        if runs(Side::Rust) {
            let start = Instant::now();
            let policies = one_thread.install(|| by_hand(&rules, &data));
            rust.push(start.elapsed().as_secs_f64());
            drop(policies);
        }
    }
    if only.is_none() {
        let outcomes = one_thread.install(|| evaluator.evaluate(0..data.len))?.0;
        mismatches = count_mismatches(&rules, &outcomes, &by_hand(&rules, &data));
    }
    Ok(ScriptTimings::medians(
        engine,
        engine_constants,
        rust,
        mismatches,
    ))
}

/// The last line a process timing one side prints (read by [`time_apart`]).
pub fn side_line(side: Side, seconds: f64) -> String {
    format!("{} {seconds:.6}", side.name())
}

/// Times each side `rounds` times, each time in a process of its own: `child(side)` is a
/// command that times that side alone on this data (`time_script(.., Some(side))`, whose
/// median is of runs that find the heap that side itself left) and prints [`side_line`]
/// last. Then compares the notes once, in this process. In one process a side runs on the
/// heap the other left, and the hand-written loop's time moved by 20% with what the engine
/// had allocated and freed before it.
pub fn time_apart(
    db: &Path,
    work: &Path,
    rounds: usize,
    child: impl Fn(Side) -> Command,
) -> Result<ScriptTimings, Error> {
    let mut times = [Vec::new(), Vec::new(), Vec::new()];
    for _ in 0..rounds.max(1) {
        for (k, side) in Side::ALL.into_iter().enumerate() {
            let failed = |why: String| Error::Io {
                what: format!(
                    "bench: timing the {} side of the policy script",
                    side.name()
                ),
                source: std::io::Error::other(why),
            };
            let out = child(side).output().map_err(|e| failed(e.to_string()))?;
            if !out.status.success() {
                return Err(failed(String::from_utf8_lossy(&out.stderr).into_owned()));
            }
            let stdout = String::from_utf8_lossy(&out.stdout);
            let last = stdout.lines().last().unwrap_or_default();
            let seconds = last.strip_prefix(side.name()).map(str::trim);
            let seconds = seconds.and_then(|x| x.parse().ok());
            times[k].push(seconds.ok_or_else(|| failed(format!("no time in {last:?}")))?);
        }
    }
    let mismatches = time_script(db, work, 1, None)?.mismatches;
    let [engine, constants, rust] = times;
    Ok(ScriptTimings::medians(engine, constants, rust, mismatches))
}

/// A rule set of `files` (name, text), loaded for the columns of `source` (written to a
/// directory beside `work` and removed again).
pub(super) fn load(
    source: &SqliteSource,
    work: &Path,
    files: &[(&str, &str)],
) -> Result<RuleSet, Error> {
    let dir = work.with_extension("script-rules");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).map_err(io_err(&dir))?;
    for (name, text) in files {
        let path = dir.join(name);
        std::fs::write(&path, text).map_err(io_err(&path))?;
    }
    let loaded = rules::load(&dir, &source.columns()?, &Default::default());
    let _ = std::fs::remove_dir_all(&dir);
    Ok(loaded?.0)
}

/// One customer's outputs, by hand.
struct Policy {
    score: f64,
    band: &'static str,
    note: String,
}

/// The same policy written in Rust over the same columns.
fn by_hand(rules: &RuleSet, data: &Dataset) -> Vec<Policy> {
    let column = |name: &str| {
        let slot = rules.slots.iter().position(|(n, _)| n == name);
        &data.columns[slot.expect("a column of the sample")]
    };
    let (sales, margin, on_time, orders, years) = (
        column("annual_sales"),
        column("gross_margin_pct"),
        column("on_time_payment_rate"),
        column("orders_last_12m"),
        column("years_active"),
    );
    let number = |v: Value<'_>| v.as_f64();
    let mut out = Vec::with_capacity(data.len);
    for i in 0..data.len {
        let score = match number(sales.value(i)) {
            Some(s) if s >= 0.0 => {
                let volume = (s + 1.0).ln() / 10f64.ln() * 12.0;
                let margin_points = number(margin.value(i)).unwrap_or(0.0).clamp(0.0, 40.0) * 2.5;
                let paying = number(on_time.value(i)).unwrap_or(0.5) * 100.0;
                let activity = (number(orders.value(i)).unwrap_or(0.0).sqrt() * 10.0).min(100.0);
                let tenure = number(years.value(i)).unwrap_or(0.0).min(10.0) * 10.0;
                0.40 * volume
                    + 0.20 * margin_points
                    + 0.20 * paying
                    + 0.10 * activity
                    + 0.10 * tenure
            }
            _ => 0.0,
        };
        let band = if score >= 60.0 {
            "A"
        } else if score >= 45.0 {
            "B"
        } else {
            "C"
        };
        let note = format!("tier {band}: score {}", score.trunc() as i64);
        out.push(Policy { score, band, note });
    }
    out
}

/// Customers whose note (and so band and whole score) the two give differently.
fn count_mismatches(rules: &RuleSet, outcomes: &Outcomes<'_>, by_hand: &[Policy]) -> usize {
    let Some(note) = rules.outputs.iter().position(|o| o.name == "note") else {
        return by_hand.len();
    };
    (0..outcomes.len())
        .filter(|&k| {
            let hand = &by_hand[k];
            std::hint::black_box((hand.score, hand.band));
            outcomes.get(k).outputs[note].as_str() != Some(hand.note.as_str())
        })
        .count()
        + by_hand.len().abs_diff(outcomes.len())
}
