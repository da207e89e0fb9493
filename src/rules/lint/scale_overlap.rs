//! `TW105 scale-overlap`: two bands of a range scale that share values.
//!
//! # What it does
//! Sorts the bands by `from` and warns about a band that starts below where the bands
//! before it end, naming the shared values. Runs on `hit: first` and `hit: unique` scales.
//!
//! # Why it matters
//! Bands are meant to split the scale: each value in one band. With `hit: unique` a
//! customer in two bands stops the run with an error; with `hit: first` the band listed
//! first silently wins, which is rarely what the order of the list was meant to say.
//!
//! # Example
//! ```yaml
//! scale:
//!   of: annual_sales
//!   bands:
//!     - { id: s1, below: 500000, value: 1 }
//!     - { id: s2, from: 450000, value: 2 }
//! ```
//! Bands `s1` and `s2` overlap: values from 450000 up to 500000 are in both.

use super::{Band, Lint, Table};
use crate::diag::Diagnostic;

pub(super) const LINT: Lint = Lint::new("TW105", "scale-overlap", check);

fn check(table: &Table) -> Vec<Diagnostic> {
    let bands = table.bands();
    let mut out = Vec::new();
    for (k, band) in bands.iter().enumerate().skip(1) {
        let reach = Band::highest(&bands[..k]);
        let from = band.from.unwrap_or(f64::NEG_INFINITY);
        let end = reach.below.unwrap_or(f64::INFINITY);
        if from >= end {
            continue;
        }
        let upto = band.below.unwrap_or(f64::INFINITY).min(end);
        let range = if upto.is_finite() {
            format!("from {from} up to {upto}")
        } else {
            format!("of {from} and above")
        };
        let who = if table.decision.hit.shape().first_wins {
            "the band listed first gives the value there"
        } else {
            "a customer in both stops the run with an error"
        };
        out.push(table.warn(
            band.row,
            band.row.id,
            format!(
                "bands `{}` and `{}` overlap: values {range} are in both",
                reach.row.id, band.row.id
            ),
            format!("{who}; let `{}` end at `below: {from}`", reach.row.id),
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::tests::{X, lint_yaml};

    #[test]
    fn overlapping_bands() {
        let yaml = r#"
decisions:
  - name: bonus
    output: bonus
    scale:
      of: x
      bands:
        - { id: s1, below: 300000, value: 1 }
        - { id: s2, from: 300000, below: 500000, value: 2 }
        - { id: s3, from: 450000, value: 3 }
        - { id: s4, from: 350000, below: 400000, value: 4 }
  - name: strict
    output: strict
    hit: unique
    scale:
      of: x
      bands:
        - { id: u1, below: 10, value: 1 }
        - { id: u2, from: 5, value: 2 }
"#;
        assert_eq!(
            lint_yaml(yaml, X),
            [
                "11:17 TW101 [s4] band `s4` can never match: every customer it matches already matches band `s2` above",
                "11:17 TW105 [s4] bands `s2` and `s4` overlap: values from 350000 up to 400000 are in both",
                "10:17 TW105 [s3] bands `s2` and `s3` overlap: values from 450000 up to 500000 are in both",
                "19:17 TW105 [u2] bands `u1` and `u2` overlap: values from 5 up to 10 are in both",
            ]
        );
    }
}
