//! What reading the previous period costs a run: the benchmark's rules plus
//! benches/history.yaml (a damped tier that reads `previous.x` and `held.tier`), run on a
//! fresh copy of the sample as of 2026-06-30 (no earlier period: the values read as NULL)
//! and then as of 2026-09-30 (reading the first run), in quarters. Both runs evaluate and
//! write the same outputs for the same customers; the second also reads and aligns the
//! first run's rows.

use super::io_err;
use super::measure::{child_run, fresh_copy};
use crate::error::Error;
use std::path::{Path, PathBuf};

/// The decisions added to the benchmark's rules.
const HISTORY_RULES: &str = include_str!("../../../benches/history.yaml");

/// Seconds of the two runs, and what they stored.
#[derive(Debug, Default, serde::Serialize)]
pub struct HistoryTimings {
    /// The first quarter: no earlier period.
    pub run_without: f64,
    /// The second quarter, reading the first.
    pub run_with: f64,
    /// The second run's own time reading the first run's rows.
    pub read: f64,
    /// Database growth per customer of the second run (bytes).
    pub bytes_per_customer: f64,
}

impl HistoryTimings {
    pub fn ratio(&self) -> f64 {
        self.run_with / self.run_without.max(1e-9)
    }
}

/// The two runs on a fresh copy of `sample`.
pub(super) fn time_history(
    sample: &Path,
    work: &Path,
    rules_dir: &Path,
) -> Result<HistoryTimings, Error> {
    let rules = history_rules(rules_dir, work)?;
    fresh_copy(sample, work)?;
    let config = "period: quarter\n";
    let without = child_run(work, &rules, config, &["--as-of", "2026-06-30"])?;
    let with = child_run(work, &rules, config, &["--as-of", "2026-09-30"])?;
    let _ = std::fs::remove_dir_all(&rules);
    Ok(HistoryTimings {
        run_without: without.seconds,
        run_with: with.seconds,
        read: with.history_seconds,
        bytes_per_customer: with.bytes_per_customer,
    })
}

/// A rules directory beside `work`: the rule files of `rules_dir` and benches/history.yaml.
fn history_rules(rules_dir: &Path, work: &Path) -> Result<PathBuf, Error> {
    let dir = work.with_extension("history-rules");
    super::copy_rules(rules_dir, &dir, &|text| text)?;
    let added = dir.join("bench_history.yaml");
    std::fs::write(&added, HISTORY_RULES).map_err(io_err(&added))?;
    Ok(dir)
}
