//! `TW111 floor-lifts-row`: a row gives the capped output a number that a floor (`min:`)
//! lifts.
//!
//! # What it does
//! Takes each row that gives the decision's capped output a constant number, and each floor
//! of its caps whose limit is a constant or a formula of constants (`if tier == "A" { 10000
//! } else { () }`); warns at the row when a limit is above the row's number: the customers
//! the row matches get the floor instead (when the floor applies to them). Only where one
//! row's value is the output (not `collect`: a `-100` row summed under a floor of 0 is the
//! documented way to say "none").
//!
//! # Why it matters
//! Caps apply after the rows, to every customer: a row that blocks credit (`credit_limit:
//! 0`) under a floor "at least 10,000 for tier A" gives blocked tier-A customers 10,000, and
//! the block reads as if it were in force. A floor is meant for the values the rows compute,
//! rarely for a row's fixed value.
//!
//! # Example
//! ```yaml
//! - name: credit
//!   output: credit_limit
//!   caps:
//!     - { id: a-at-least-10k, min: '= if tier == "A" { 10000 } else { () }' }
//!   rules:
//!     - { id: blocked, when: credit_block, value: 0 }
//!     - { id: standard, value: "= annual_sales * 0.1" }
//! ```
//! Row `blocked` gives 0, which the floor `a-at-least-10k` lifts to 10000.

use super::super::native::Node;
use super::{Lint, Table};
use crate::diag::Diagnostic;
use crate::rules::{Bound, ValueExpr};
use crate::value::Lit;

pub(super) const LINT: Lint = Lint::new("TW111", "floor-lifts-row", check);

fn check(table: &Table) -> Vec<Diagnostic> {
    let d = table.decision;
    let Some(output) = d.bounded_output else {
        return Vec::new();
    };
    // Each floor with the largest number it can be (`None`: not known), and the condition
    // under which it gives no limit, when it is written `if <condition> { () } ...`.
    let floors: Vec<(&str, f64, bool, Option<&str>)> = (d.caps.iter())
        .filter(|cap| cap.bound == Bound::Min)
        .filter_map(|cap| {
            let (highest, always) = highest(&cap.value)?;
            Some((
                table.rules.rule_ids[cap.rule as usize].as_str(),
                highest,
                always,
                cap.value.formula().and_then(|f| no_limit_when(&f.text)),
            ))
        })
        .collect();
    let mut out = Vec::new();
    for row in &table.rows {
        let given = (row.row.values.iter())
            .find(|(k, _)| *k == output)
            .and_then(|(_, v)| number(v));
        let Some(given) = given else { continue };
        // A floor that gives no limit to the row's own customers (`if credit_block { () }`
        // over a row `when: credit_block`) does not lift it.
        let exempt = |unless: &Option<&str>| {
            unless.is_some_and(|c| row.text.as_deref().is_some_and(|w| same_condition(w, c)))
        };
        let lifting =
            (floors.iter()).find(|(_, floor, _, unless)| *floor > given && !exempt(unless));
        let Some((cap, floor, always, _)) = lifting else {
            continue;
        };
        let name = table.rules.slot_name(d.outputs[output]);
        let shown = |x: f64| crate::text::as_yaml(&serde_json::json!(x));
        // One limit for everyone: what they get; else at most the highest of its values.
        let get = match always {
            true => format!("the customers it matches get {}", shown(*floor)),
            false => format!("the customers it matches get up to {}", shown(*floor)),
        };
        let whose = match &row.text {
            Some(when) => format!("for the customers of `{when}`"),
            None => "where the row applies".to_owned(),
        };
        out.push(table.warn(
            row,
            row.id,
            format!(
                "row `{}` gives `{name}` {}, but the floor `{cap}` lifts it: {get}",
                row.id,
                shown(given),
            ),
            format!(
                "a cap applies after the rows, to every customer: to keep {} for them, make the floor give no limit (`()`) {whose}, or move the floor into the rows it is meant for",
                shown(given)
            ),
        ));
    }
    out
}

/// The condition of a limit written `if <condition> { () } else { ... }`: no limit then.
fn no_limit_when(text: &str) -> Option<&str> {
    let rest = text.trim().strip_prefix("if ")?;
    let (condition, branch) = rest.split_once('{')?;
    let branch = branch.trim_start().strip_prefix("()")?;
    branch
        .trim_start()
        .starts_with('}')
        .then(|| condition.trim())
}

/// Two conditions written alike, but for spaces.
fn same_condition(a: &str, b: &str) -> bool {
    a.split_whitespace().eq(b.split_whitespace())
}

/// A constant number a row gives.
fn number(value: &ValueExpr) -> Option<f64> {
    match value {
        ValueExpr::Const(Lit::Int(i)) => Some(*i as f64),
        ValueExpr::Const(Lit::Float(f)) => Some(*f),
        _ => None,
    }
}

/// The largest number a limit can be, and whether it is that one limit for every customer
/// (a constant, or a formula whose every branch gives that number); `None` when the formula
/// computes it (`annual_sales * 0.1`): not known here.
pub(super) fn highest(value: &ValueExpr) -> Option<(f64, bool)> {
    if let Some(x) = number(value) {
        return Some((x, true));
    }
    let native = value.formula()?.native.as_ref()?;
    let mut found = Vec::new();
    results(&native.root, &mut found).then_some(())?;
    let numbers: Vec<f64> = found.iter().flatten().copied().collect();
    let highest = numbers
        .iter()
        .copied()
        .fold(None, |m: Option<f64>, x| Some(m.map_or(x, |m| m.max(x))))?;
    Some((highest, found.iter().all(|x| *x == Some(highest))))
}

/// The values a formula can give when each is a constant (`if`/`switch` branches), NULL as
/// `None`; false when some branch computes its value.
fn results(node: &Node, out: &mut Vec<Option<f64>>) -> bool {
    match node {
        Node::Const(Lit::Int(i)) => out.push(Some(*i as f64)),
        Node::Const(Lit::Float(f)) => out.push(Some(*f)),
        Node::Const(Lit::Null) => out.push(None),
        Node::If(parts) => return results(&parts.1, out) && results(&parts.2, out),
        Node::Switch(s) => return s.values().all(|n| results(n, out)),
        Node::Block(_, value) => return results(value, out),
        Node::Num(t) => return results(&t.1, out),
        Node::Int(t) => return results(&t.1, out),
        _ => return false,
    }
    true
}

#[cfg(test)]
mod tests {
    use super::super::tests::{X, lint_yaml};

    #[test]
    fn a_floor_above_a_rows_number_lifts_it() {
        let yaml = r#"
decisions:
  - name: credit
    output: credit_limit
    caps:
      - { id: a-10k, min: '= if x > 5 { 10000 } else { () }' }
    rules:
      - { id: blocked, when: "x > 100", value: 0 }
      - { id: big, when: "x > 50", value: 20000 }
      - { id: standard, value: "= x * 10" }
"#;
        assert_eq!(
            lint_yaml(yaml, X),
            [
                "8:15 TW111 [blocked] row `blocked` gives `credit_limit` 0, but the floor `a-10k` lifts it: the customers it matches get up to 10000"
            ]
        );
    }

    /// The floor already gives no limit to the row's customers: nothing lifts it (TW111
    /// printed on every run that blocked customers kept 10,000, which was false).
    #[test]
    fn a_floor_giving_no_limit_to_the_rows_own_customers_does_not_lift_it() {
        let yaml = r#"
decisions:
  - name: credit
    output: credit_limit
    caps:
      - { id: floor-10k, min: '= if x > 100 { () } else { 10000 }' }
    rules:
      - { id: blocked, when: "x  > 100", value: 0 }
      - { id: small, when: "x > 50", value: 10 }
      - { id: standard, value: "= x * 10" }
"#;
        assert_eq!(
            lint_yaml(yaml, X),
            [
                "9:15 TW111 [small] row `small` gives `credit_limit` 10, but the floor `floor-10k` lifts it: the customers it matches get up to 10000"
            ]
        );
    }

    #[test]
    fn a_constant_floor_lifts_every_customer_and_a_computed_one_is_not_known() {
        let yaml = r#"
decisions:
  - name: credit
    output: credit_limit
    cap: { min: 500 }
    rules:
      - { id: none, when: "x > 100", value: 0 }
      - { id: standard, value: "= x * 10" }
  - name: other
    output: limit2
    cap: { min: "= x * 2" }
    rules:
      - { id: zero, when: "x > 100", value: 0 }
      - { id: rest, value: 5 }
"#;
        assert_eq!(
            lint_yaml(yaml, X),
            [
                "7:15 TW111 [none] row `none` gives `credit_limit` 0, but the floor `credit.min` lifts it: the customers it matches get 500"
            ]
        );
    }
}
