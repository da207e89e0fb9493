//! `TW112 ceiling-below-rows`: a ceiling (`max:`) below every number the rows give.
//!
//! # What it does
//! Where every row gives the capped output a constant number (or NULL), and a ceiling is one
//! constant for everyone (a number, or a formula whose every branch is that number), warns
//! at the ceiling when it is below the smallest of the rows' numbers. Only where one row's
//! value is the output (not `collect`, whose sums a ceiling may well bound).
//!
//! # Why it matters
//! Then every customer a row matches gets the ceiling: the table decides nothing, and
//! nothing fails. It is the unit slip of a sheet moved into rules: a concession capped at
//! 12% written `max: 0.12` (as Excel stores 12%) over rows of 5, 7.5 and 2 percent gives
//! everyone 0.12.
//!
//! # Example
//! ```yaml
//! - name: discount
//!   output: discount_pct
//!   cap: { max: 0.12 }
//!   rules:
//!     - { id: d-a, when: tier == "A", value: 7.5 }
//!     - { id: d-b, value: 2 }
//! ```
//! The ceiling 0.12 is below 2 and 7.5: everyone gets 0.12.

use super::{Lint, Table};
use crate::diag::Diagnostic;
use crate::rules::{Bound, ValueExpr};
use crate::value::Lit;

pub(super) const LINT: Lint = Lint::new("TW112", "ceiling-below-rows", check);

fn check(table: &Table) -> Vec<Diagnostic> {
    let d = table.decision;
    let Some(output) = d.bounded_output else {
        return Vec::new();
    };
    // The rows' numbers: every row giving the output gives a constant (NULL is no number).
    let mut numbers = Vec::new();
    for row in &d.rows {
        match row.values.iter().find(|(k, _)| *k == output) {
            Some((_, ValueExpr::Const(Lit::Int(i)))) => numbers.push(*i as f64),
            Some((_, ValueExpr::Const(Lit::Float(f)))) => numbers.push(*f),
            Some((_, ValueExpr::Const(Lit::Null))) | None => {}
            Some(_) => return Vec::new(),
        }
    }
    let Some(lowest) = numbers.iter().copied().reduce(f64::min) else {
        return Vec::new();
    };
    let highest = numbers.iter().copied().fold(lowest, f64::max);
    let shown = |x: f64| crate::text::as_yaml(&serde_json::json!(x));
    let name = table.rules.slot_name(d.outputs[output]);
    let mut out = Vec::new();
    for cap in d.caps.iter().filter(|cap| cap.bound == Bound::Max) {
        let Some((ceiling, true)) = super::floor_lifts_row::highest(&cap.value) else {
            continue;
        };
        if ceiling >= lowest {
            continue;
        }
        let id = table.rules.rule_ids[cap.rule as usize].as_str();
        let given = match numbers.len() {
            1 => format!("the one number the rows give `{name}` ({})", shown(lowest)),
            _ => format!(
                "every number the rows give `{name}` ({} to {})",
                shown(lowest),
                shown(highest)
            ),
        };
        // 0.12 over rows of whole percents: Excel's 12%.
        let unit = match ceiling > 0.0 && ceiling < 1.0 && highest > 1.0 {
            true => format!(
                "; if {} is a share written for a percentage (Excel stores 12% as 0.12), write {}: the rows give percentages",
                shown(ceiling),
                shown((ceiling * 100.0 * 1e9).round() / 1e9)
            ),
            false => String::new(),
        };
        let origin = &table.rules.rule_origins[cap.rule as usize];
        out.push(
            origin
                .error(format!(
                    "the ceiling `{id}` ({}) is below {given}: every customer gets {}, whichever row matches",
                    shown(ceiling),
                    shown(ceiling)
                ))
                .warning()
                .width(shown(ceiling).chars().count())
                .rule(id)
                .help(format!(
                    "a ceiling is in the output's unit, as the rows are{unit}"
                )),
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::tests::{lint_yaml, lint_yaml_full};

    fn capped(cap: &str, rows: &str) -> String {
        format!(
            "decisions:\n  - name: discount\n    output: discount_pct\n    cap: {cap}\n    rules:\n{rows}"
        )
    }

    const ROWS: &str = "      - { id: d-a, when: annual_sales > 100, value: 7.5 }\n      - { id: d-b, when: annual_sales > 10, value: 5 }\n      - { id: d-c, value: 2 }\n";

    #[test]
    fn a_ceiling_below_every_row_is_said_at_the_ceiling_with_the_unit_slip() {
        let warnings = lint_yaml_full(&capped("{ max: 0.12 }", ROWS), &[("annual_sales", "REAL")]);
        assert_eq!(warnings.len(), 1, "{warnings:?}");
        assert!(
            warnings[0].contains("the ceiling `discount.max` (0.12) is below every number the rows give `discount_pct` (2 to 7.5): every customer gets 0.12"),
            "{warnings:?}"
        );
        assert!(
            warnings[0].contains("write 12: the rows give percentages"),
            "{warnings:?}"
        );
    }

    #[test]
    fn a_ceiling_some_row_is_under_or_a_computed_row_is_not_said() {
        let quiet = |cap: &str, rows: &str| {
            let warnings = lint_yaml(&capped(cap, rows), &[("annual_sales", "REAL")]);
            assert!(
                !warnings.iter().any(|w| w.contains("TW112")),
                "{cap}: {warnings:?}"
            );
        };
        quiet("{ max: 6 }", ROWS);
        quiet("{ max: 2 }", ROWS);
        quiet(
            "{ max: 1 }",
            "      - { id: d-a, value: '= annual_sales * 0.1' }\n",
        );
        // A ceiling for some customers only.
        quiet(
            "{ max: '= if annual_sales > 5 { 0.12 } else { () }' }",
            ROWS,
        );
    }
}
