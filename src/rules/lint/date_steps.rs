//! A date moved by a number of days or months written with decimals (`add_days(as_of, 2.5)`,
//! `add_months(start, 1.5)`): the functions add whole days and months, so every customer
//! fails at run time while `check` said nothing. Warned at the number; a computed count
//! (`term_years * 12`) is known only per customer, and a whole decimal (`6 / 2`) is taken.

use super::walk::{each_node, of_rule, place_of, rule_expressions};
use crate::diag::Diagnostic;
use crate::rules::RuleSet;
use crate::rules::native::{Builtin, Node};
use crate::value::Lit;

/// A warning at each constant count of days or months that is not a whole number.
pub(super) fn date_steps(rules: &RuleSet) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for (e, id) in rule_expressions(rules) {
        let Some(native) = &e.native else { continue };
        each_node(&native.root, &mut |n| {
            let Node::Call(f @ (Builtin::AddDays | Builtin::AddMonths), args) = n else {
                return;
            };
            let Some(Node::Const(Lit::Float(x))) = args.get(1) else {
                return;
            };
            if x.fract() == 0.0 || !x.is_finite() {
                return;
            }
            let (function, unit) = match f {
                Builtin::AddDays => ("add_days", "days"),
                _ => ("add_months", "months"),
            };
            let (line, column) = place_of(e, &x.to_string());
            let warning = Diagnostic::error(
                &e.origin.file,
                line,
                column,
                format!(
                    "`{function}` adds whole {unit}, and {x} is not one: every customer it is evaluated for fails"
                ),
            )
            .warning()
            .help(format!(
                "write a whole number of {unit} ({} or {})",
                x.floor(),
                x.ceil()
            ));
            out.push(of_rule(warning, id));
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use crate::rules::Field;

    fn warned(value: &str) -> Vec<String> {
        let dir = tempfile::tempdir().unwrap();
        let yaml = format!(
            "decisions:\n  - name: d\n    rules:\n      - {{ id: r, then: {{ due: '{value}' }} }}\n"
        );
        std::fs::write(dir.path().join("rules.yaml"), yaml).unwrap();
        let fields = [Field::new("start", Some("DATE"))];
        let (set, _) = crate::rules::load(dir.path(), &fields, &Default::default())
            .unwrap_or_else(|e| panic!("{e}"));
        super::date_steps(&set)
            .iter()
            .map(|d| format!("{}:{} {}", d.line, d.column, d.message))
            .collect()
    }

    #[test]
    fn a_constant_count_with_decimals_is_warned_at_the_number() {
        assert_eq!(
            warned("= add_days(start, 2.5)"),
            [
                "4:50 `add_days` adds whole days, and 2.5 is not one: every customer it is evaluated for fails"
            ]
        );
        assert!(warned("= add_months(start, 3.0)").is_empty());
        assert!(warned("= add_months(start, 6 / 2)").is_empty());
        assert!(warned("= add_days(start, 3)").is_empty());
    }
}
