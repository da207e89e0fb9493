//! `TW107 output-never-given`: an output a decision declares with `output:` that no row
//! gives.
//!
//! # What it does
//! Warns, at the decision's first row, about each declared output that no row's `value:` or
//! `then:` gives.
//!
//! # Why it matters
//! Every customer gets NULL for it, and a column of NULLs in the policy table looks like
//! data to whoever reads it. Usually the rows give the output under another name (`then:
//! { other: 1 }`), or the declaration is left over from an earlier version.
//!
//! # Example
//! ```yaml
//! - name: credit
//!   output: credit_limit
//!   rules:
//!     - { id: standard, then: { credit_days: 30 } }
//! ```
//! Output `credit_limit` is declared but no row gives it.

use super::{Lint, Table};
use crate::diag::Diagnostic;

pub(super) const LINT: Lint = Lint::new("TW107", "output-never-given", check);

fn check(table: &Table) -> Vec<Diagnostic> {
    let Some(first) = table.rows.first() else {
        return Vec::new();
    };
    let d = table.decision;
    let given = |k: usize| d.rows.iter().any(|r| r.values.iter().any(|(i, _)| *i == k));
    d.outputs
        .iter()
        .enumerate()
        .filter(|&(k, _)| !given(k))
        .map(|(_, &slot)| {
            let x = table.rules.slot_name(slot);
            table.warn(
                first,
                &d.name,
                format!("output `{x}` is declared but no row gives it"),
                format!(
                    "every customer gets NULL for `{x}`: give it in a row (`value:` or `then: {{ {x}: ... }}`), or remove `output: {x}`"
                ),
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::super::tests::{X, lint_yaml};

    #[test]
    fn output_declared_but_never_given() {
        let yaml = r#"
decisions:
  - name: d
    output: unused
    rules:
      - { id: a, when: "x > 1", then: { other: 1 } }
      - { id: b, then: { other: 2 } }
"#;
        assert_eq!(
            lint_yaml(yaml, X),
            ["6:15 TW107 [d] output `unused` is declared but no row gives it"]
        );
    }
}
