//! The rule tests' report as text: `tierwise test`, and the failures `watch` and `serve`
//! show for an edit whose tests fail.

use super::{Report, as_yaml, indent};
use crate::cases::{CaseResult, Difference, Status, TestReport};
use serde::Serialize;
use std::io::{self, Write};

impl Report for TestReport {
    fn text(&self, out: &mut dyn Write, _color: bool) -> io::Result<()> {
        for e in &self.file_errors {
            writeln!(out, "ERROR {}", e.file)?;
            writeln!(out, "{}", indent(&e.message, "  "))?;
        }
        let mut same = SameError::new(&self.cases);
        for c in &self.cases {
            same.write(c, out)?;
        }
        if !self.coverage.is_empty() {
            match &self.only {
                Some(only) => writeln!(out, "\ncoverage (cases matching `{only}` only):")?,
                None => writeln!(out, "\ncoverage:")?,
            }
            let width = self
                .coverage
                .iter()
                .map(|d| d.decision.len())
                .max()
                .unwrap_or(0);
            for d in &self.coverage {
                let counts = format!("{}/{} rows", d.exercised, d.rows.len());
                if d.not_exercised.is_empty() {
                    writeln!(out, "  {:<width$}  {counts}", d.decision)?;
                } else {
                    writeln!(
                        out,
                        "  {:<width$}  {counts}, not exercised: {}",
                        d.decision,
                        d.not_exercised.join(", ")
                    )?;
                }
            }
        }
        writeln!(out, "\n{}", self.totals())
    }

    /// The report with its totals.
    fn json(&self) -> serde_json::Value {
        #[derive(Serialize)]
        struct Totals<'r> {
            passed: usize,
            failed: usize,
            not_evaluated: usize,
            #[serde(flatten)]
            report: &'r TestReport,
        }
        serde_json::to_value(Totals {
            passed: self.passed(),
            failed: self.failed(),
            not_evaluated: self.not_evaluated(),
            report: self,
        })
        .unwrap_or_default()
    }
}

/// The failing cases and the total, without the passing cases and coverage: what `watch`
/// and `serve` say about an edit whose tests fail.
pub fn failures(report: &TestReport) -> String {
    let mut out = Vec::new();
    let _ = write_failures(report, &mut out);
    String::from_utf8_lossy(&out).into_owned()
}

fn write_failures(report: &TestReport, out: &mut dyn Write) -> io::Result<()> {
    match report.failed() {
        0 => writeln!(out, "the rule tests cannot all run:")?,
        _ => writeln!(out, "the rule tests fail:")?,
    }
    for e in &report.file_errors {
        writeln!(out, "ERROR {}", e.file)?;
        writeln!(out, "{}", indent(&e.message, "  "))?;
    }
    let mut same = SameError::new(&report.cases);
    for c in report.cases.iter().filter(|c| c.status != Status::Pass) {
        same.write(c, out)?;
    }
    write!(out, "{}", report.totals())
}

/// Cases that failed with the same evaluation error (one broken metric fails every case):
/// the first is shown whole, with how many more did; the others are not repeated.
struct SameError {
    counts: std::collections::HashMap<String, usize>,
    shown: std::collections::HashSet<String>,
}

impl SameError {
    fn new(cases: &[CaseResult]) -> SameError {
        let mut counts = std::collections::HashMap::new();
        for key in cases.iter().filter_map(error_key) {
            *counts.entry(key).or_insert(0) += 1;
        }
        SameError {
            counts,
            shown: std::collections::HashSet::new(),
        }
    }

    fn write(&mut self, c: &CaseResult, out: &mut dyn Write) -> io::Result<()> {
        let Some(key) = error_key(c) else {
            return write_case(c, out);
        };
        if !self.shown.insert(key.clone()) {
            return Ok(());
        }
        write_case(c, out)?;
        match self.counts.get(&key).copied().unwrap_or(1) - 1 {
            0 => Ok(()),
            more => writeln!(
                out,
                "  ... and {more} more case{} failed with the same error (`--format json` lists each)",
                if more == 1 { "" } else { "s" }
            ),
        }
    }
}

/// A failed case's evaluation error without the case's customer id (`customer case-3: `).
fn error_key(c: &CaseResult) -> Option<String> {
    if c.status != Status::Fail {
        return None;
    }
    let rest = c
        .message
        .as_deref()?
        .strip_prefix("the evaluation failed:\ncustomer ")?;
    let (_, error) = rest.split_once(": ")?;
    Some(error.to_owned())
}

/// One case: its verdict, and for a case that did not pass, why.
fn write_case(c: &CaseResult, out: &mut dyn Write) -> io::Result<()> {
    let label = match c.status {
        Status::Pass => "PASS",
        Status::Fail => "FAIL",
        Status::Error => "ERROR",
    };
    writeln!(out, "{label} {}: {}", c.file, c.name)?;
    if c.status == Status::Pass {
        return Ok(());
    }
    if c.status == Status::Fail {
        writeln!(out, "  --> {}", c.at)?;
        match c.as_of_today {
            // Undated: it may pass tomorrow, or have passed yesterday.
            true => writeln!(
                out,
                "  as of {} (today, in {}: the case gives no `as_of`; give it one to test a fixed day)",
                c.as_of,
                crate::time::zone_name()
            )?,
            false => writeln!(out, "  as of {}", c.as_of)?,
        }
    }
    if !c.differences.is_empty() {
        print_differences(&c.differences, out)?;
    }
    if let Some(message) = &c.message {
        writeln!(out, "{}", indent(message, "  "))?;
    }
    if c.status == Status::Fail {
        if !c.fired.is_empty() {
            writeln!(out, "  fired: {}", c.fired.join(", "))?;
        }
        if !c.figures.is_empty() {
            let figures: Vec<String> = c
                .figures
                .iter()
                .map(|f| {
                    let how = if f.given { "given" } else { "computed" };
                    format!("{} {} ({how})", f.name, as_yaml(&f.value))
                })
                .collect();
            writeln!(out, "  figures: {}", figures.join(", "))?;
        }
    }
    Ok(())
}

fn print_differences(diffs: &[Difference], out: &mut dyn Write) -> io::Result<()> {
    let rows: Vec<(&str, String, String)> = diffs
        .iter()
        .map(|d| (d.output.as_str(), as_yaml(&d.expected), as_yaml(&d.actual)))
        .collect();
    let w0 = rows.iter().map(|r| r.0.len()).max().unwrap_or(0).max(6);
    let w1 = rows
        .iter()
        .map(|r| r.1.chars().count())
        .max()
        .unwrap_or(0)
        .max(8);
    writeln!(out, "  {:<w0$}  {:<w1$}  actual", "output", "expected")?;
    for (name, expected, actual) in rows {
        let pad = w1 - expected.chars().count();
        writeln!(
            out,
            "  {name:<w0$}  {expected}{}  {actual}",
            " ".repeat(pad)
        )?;
    }
    for d in diffs
        .iter()
        .filter(|d| rounded_alike(&d.expected, &d.actual))
    {
        // The step of the decimals written: `4.3333` is to the nearest 0.0001.
        let written = as_yaml(&d.expected);
        let places = written.split_once('.').map_or(0, |(_, f)| f.len());
        let step = format!("0.{}1", "0".repeat(places.saturating_sub(1)));
        writeln!(
            out,
            "  ({}: {} is {written} to the decimals written: expect the value as the rules give it, or round the output, `round: {{ nearest: {step} }}`)",
            d.output,
            as_yaml(&d.actual),
        )?;
    }
    Ok(())
}

/// Whether `actual` rounded to the decimals `expected` is written with is `expected`
/// (`4.3333` for 13/3): the expectation was written from a rounded display.
fn rounded_alike(expected: &serde_json::Value, actual: &serde_json::Value) -> bool {
    let (Some(e), Some(a)) = (expected.as_f64(), actual.as_f64()) else {
        return false;
    };
    let written = as_yaml(expected);
    let Some((_, decimals)) = written.split_once('.') else {
        return false;
    };
    let places = decimals.len() as i32;
    let scale = 10f64.powi(places);
    e != a && (a * scale).round() / scale == e
}
