//! What `tierwise diff` costs against a run: the benchmark's rules against a copy of them
//! with tier A drawn at the top 10% instead of 20% (`sales_rank >= 0.90` in tiers.yaml), so
//! about a tenth of the customers change. Both rule sets are evaluated in one pass over the
//! customers; nothing is written.

use super::measure::{child, fresh_copy};
use crate::error::Error;
use std::path::{Path, PathBuf};

/// Seconds of `tierwise diff --base <changed copy>` on a fresh copy of `sample`.
pub(super) fn time_diff(sample: &Path, work: &Path, rules_dir: &Path) -> Result<f64, Error> {
    let base = changed_copy(rules_dir, work)?;
    fresh_copy(sample, work)?;
    let base_arg = base.display().to_string();
    let (seconds, _) = child(
        work,
        rules_dir,
        "",
        &["diff", "--base", &base_arg, "--format", "json"],
    )?;
    let _ = std::fs::remove_dir_all(&base);
    Ok(seconds)
}

/// A copy of the rule files of `rules_dir` beside `work`, with tier A's threshold raised.
fn changed_copy(rules_dir: &Path, work: &Path) -> Result<PathBuf, Error> {
    let dir = work.with_extension("diff-base");
    super::copy_rules(rules_dir, &dir, &|text| {
        text.replace("sales_rank >= 0.80", "sales_rank >= 0.90")
    })?;
    Ok(dir)
}
