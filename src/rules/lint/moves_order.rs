//! `summary.moves` orders against the values their output can take. A value written in the
//! order that the output never is (`[A, B, C, dormnat]`) leaves the value meant out, so
//! every move to or from it is "changed", neither up nor down: the run's "N up, M down"
//! quietly missed each customer who went dormant, and `check` said nothing. (A value left
//! out on purpose, a tier `N` for new customers that is neither above nor below, is not
//! warned about.) Only an output whose values the decisions tell (constants, earlier
//! outputs, `if`s of them, `previous.` itself) is checked: a formula may give anything.

use super::values::{Texts, Values};
use crate::diag::Diagnostic;
use crate::rules::{Move, RuleSet, Slot};
use crate::value::same_text_value;
use std::collections::HashMap;

/// A warning for each value of a `moves:` order that its output is never.
pub(super) fn moves_orders(rules: &RuleSet, domains: &HashMap<Slot, Values>) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for m in &rules.summary.moves {
        let Some(can_be) = domains.get(&m.slot).and_then(written) else {
            continue;
        };
        let values_are = can_be.join(", ");
        for typo in (m.order.iter()).filter(|o| !can_be.iter().any(|v| same_text_value(o, v))) {
            // The same letters in another case first (`a` for `A`); a number is no typo of
            // another number (`1` is not "did you mean `3`?").
            let meant = (can_be
                .iter()
                .find(|v| v.eq_ignore_ascii_case(typo))
                .cloned())
            .or_else(|| match typo.parse::<f64>() {
                Ok(_) => None,
                Err(_) => crate::diag::suggest(typo, can_be.iter().map(String::as_str)),
            });
            let help = match meant {
                Some(meant) => format!("did you mean `{meant}`? (its values are: {values_are})"),
                None => format!("its values are: {values_are}"),
            };
            let message = format!("summary.moves: `{}` is never `{typo}`", m.output);
            out.push(warning(m, message, help));
        }
    }
    out
}

fn warning(m: &Move, message: String, help: String) -> Diagnostic {
    let at = &m.origin;
    Diagnostic::error(&at.file, at.line, at.column, message)
        .warning()
        .rule(format!("summary.moves.{}", m.output))
        .help(help)
}

/// The values of `v` as an order writes them, when they are finitely many numbers, texts
/// and true/false (NULL, which no order lists, aside); `None` for anything else.
fn written(v: &Values) -> Option<Vec<String>> {
    let Texts::Only(texts) = &v.texts else {
        return None;
    };
    if v.other || !v.dates.0.is_empty() {
        return None;
    }
    let mut out: Vec<String> = Vec::new();
    for interval in &v.numbers.0 {
        out.push(interval.single()?.to_string());
    }
    out.extend(texts.iter().cloned());
    for (b, text) in [(true, "true"), (false, "false")] {
        if v.bools[b as usize] {
            out.push(text.to_owned());
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use crate::rules::Field;

    const TIERS: &str = "decisions:\n  - name: abc\n    rules:\n      - { id: a, when: x > 100, then: { abc: A } }\n      - { id: b, when: x > 10, then: { abc: B } }\n      - { id: c, when: x > 0, then: { abc: C } }\n      - { id: d, then: { abc: dormant } }\n  - name: tier\n    rules:\n      - { id: t, then: { tier: '= abc' } }\n  - name: discount\n    rules:\n      - { id: ten, when: tier == \"A\", then: { discount: 10 } }\n      - { id: half, when: tier == \"B\", then: { discount: 7.5 } }\n      - { id: none, then: { discount: 0 } }\n";

    fn warnings(moves: &str) -> Vec<String> {
        let dir = tempfile::tempdir().unwrap();
        let yaml = format!("{TIERS}summary:\n  moves:\n{moves}");
        std::fs::write(dir.path().join("rules.yaml"), yaml).unwrap();
        let fields = [Field::new("x", Some("REAL"))];
        let (set, _) = crate::rules::load(dir.path(), &fields, &Default::default())
            .unwrap_or_else(|e| panic!("{e}"));
        let today = crate::time::Date::new(2026, 1, 1).unwrap();
        (super::super::lint(&set, today).iter())
            .map(|d| {
                format!(
                    "{}:{} [{}] {} | help: {}",
                    d.line,
                    d.column,
                    d.rule.as_deref().unwrap_or("-"),
                    d.message,
                    d.help.as_deref().unwrap_or("-")
                )
            })
            .collect()
    }

    #[test]
    fn a_value_written_in_the_order_that_no_rule_gives_is_named_with_the_one_meant() {
        assert_eq!(
            warnings("    tier: [A, B, C, dormnat]\n"),
            [
                "18:11 [summary.moves.tier] summary.moves: `tier` is never `dormnat` | help: did you mean `dormant`? (its values are: A, B, C, dormant)"
            ]
        );
    }

    #[test]
    fn the_same_letters_in_another_case_are_the_value_meant() {
        let warned = warnings("    tier: [a, B, C, dormant]\n");
        assert_eq!(warned.len(), 1, "{warned:?}");
        assert!(warned[0].contains("did you mean `A`?"), "{warned:?}");
    }

    #[test]
    fn numbers_match_however_they_are_written_and_a_value_left_out_is_no_mistake() {
        assert!(
            warnings("    tier: [A, B, C, dormant]\n    discount: [10, 7.50, 0.0]\n").is_empty()
        );
        assert!(warnings("    tier: [A, B, C]\n    discount: [10, 0]\n").is_empty());
        assert_eq!(
            warnings("    discount: [10, 7.4, 0]\n"),
            [
                "18:15 [summary.moves.discount] summary.moves: `discount` is never `7.4` | help: its values are: 0, 7.5, 10"
            ]
        );
    }
}
