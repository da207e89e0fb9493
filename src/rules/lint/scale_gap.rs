//! `TW104 scale-gap`: values of a range scale that no band covers, below the lowest band,
//! between two bands, or above the highest.
//!
//! # What it does
//! Sorts the bands by `from` and follows them upwards: a lowest band with a `from`, a band
//! starting above where the bands before it end, and a highest end with a `below` each
//! leave values without a band. Runs on `hit: first` and `hit: unique` scales.
//!
//! # Why it matters
//! A customer whose value falls in a gap gets no value (NULL) for the decision's outputs
//! (those without a `default:`; a decision whose every output has one is not looked at).
//! Gaps between bands are usually a typo in a bound (`below: 250000`, `from: 300000`). Open
//! ends are often intended (no bonus below 100000): the help says to ignore the warning
//! then.
//!
//! # Example
//! ```yaml
//! scale:
//!   of: annual_sales
//!   bands:
//!     - { id: s1, from: 100000, below: 250000, value: 1 }
//!     - { id: s2, from: 300000, value: 2 }
//! ```
//! Values below 100000 get no band (at `s1`); no band covers 250000 to 300000 (at `s2`).

use super::{Band, Lint, SCALE, Table};
use crate::diag::Diagnostic;

pub(super) const LINT: Lint = Lint::new("TW104", "scale-gap", check);

fn check(table: &Table) -> Vec<Diagnostic> {
    let bands = table.bands();
    let Some(lowest) = bands.first() else {
        return Vec::new();
    };
    let of = table.name(SCALE);
    // Outputs with a `default:` get it in a gap: an open end is then meant, a gap between
    // bands (a bound typed wrong) is not.
    let outputs = table.outputs_without_default();
    let defaulted = outputs.is_empty();
    let get = match defaulted {
        true => "get the outputs' `default:`, not a band's value".to_owned(),
        false => format!("get no value for {outputs}"),
    };
    let mut out = Vec::new();
    if let (Some(from), false) = (lowest.from, defaulted) {
        out.push(table.warn(
            lowest.row,
            lowest.row.id,
            format!("values below {from} get no band"),
            format!(
                "customers whose `{of}` is below {from} get no value for {outputs}; if that is intended, ignore this, otherwise add a band without `from`"
            ),
        ));
    }
    for (k, band) in bands.iter().enumerate().skip(1) {
        let reach = Band::highest(&bands[..k]);
        let from = band.from.unwrap_or(f64::NEG_INFINITY);
        let end = reach.below.unwrap_or(f64::INFINITY);
        if from > end {
            out.push(table.warn(
                band.row,
                band.row.id,
                format!("no band covers {end} to {from}"),
                format!(
                    "customers whose `{of}` is from {end} up to (not including) {from} {get}: let `{}` end at `below: {from}`, or `{}` start at `from: {end}`",
                    reach.row.id, band.row.id
                ),
            ));
        }
    }
    let highest = Band::highest(&bands);
    if let (Some(below), false) = (highest.below, defaulted) {
        out.push(table.warn(
            highest.row,
            highest.row.id,
            format!("values of {below} and above get no band"),
            format!(
                "customers whose `{of}` is {below} or more get no value for {outputs}; if that is intended, ignore this, otherwise add a band without `below`"
            ),
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::tests::{X, lint_yaml};

    /// A decision whose outputs have a `default:` gives it at the open ends: no warning there
    /// (it said customers "get no value", where `explain` showed the default); a gap between
    /// bands is still one.
    #[test]
    fn gaps_and_open_ends() {
        let yaml = r#"
decisions:
  - name: bonus
    output: bonus
    scale:
      of: x
      bands:
        - { id: s1, from: 100000, below: 250000, value: 1 }
        - { id: s3, from: 500000, below: 600000, value: 3 }
        - { id: s2, from: 300000, below: 500000, value: 2 }
  - name: full
    output: full
    hit: unique
    scale:
      of: x
      bands:
        - { id: f1, below: 0, value: 1 }
        - { id: f2, from: 0, value: 2 }
  - name: defaulted
    outputs: [{ name: pct, default: 0.0 }]
    scale:
      of: x
      bands:
        - { id: d1, from: 0, below: 100, value: 1 }
        - { id: d2, from: 200, below: 300, value: 2 }
"#;
        assert_eq!(
            lint_yaml(yaml, X),
            [
                "8:17 TW104 [s1] values below 100000 get no band",
                "10:17 TW104 [s2] no band covers 250000 to 300000",
                "9:17 TW104 [s3] values of 600000 and above get no band",
                "25:17 TW104 [d2] no band covers 100 to 200",
            ]
        );
    }
}
