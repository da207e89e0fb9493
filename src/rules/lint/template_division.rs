//! A division of whole numbers written into a text: `` `FQ${(m - 1) / 3 + 1}` ``. In tierwise `/` always
//! divides to a decimal (7 / 2 is 3.5, not 3), so the label reads `FQ1.3333333333333333` for
//! May, and nothing fails: every customer gets a label no one meant. A division under
//! `to_int`, `round`, `floor` or `ceiling` is made whole on purpose and not warned.

use super::walk::{of_rule, place_in, rule_expressions};
use crate::diag::Diagnostic;
use crate::rules::RuleSet;
use crate::rules::native::{Arith, Builtin, Node};
use crate::value::Lit;

/// A warning at each `${...}` of a text template that writes the result of a `/`.
pub(super) fn template_divisions(rules: &RuleSet) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for (e, id) in rule_expressions(rules) {
        let Some(native) = &e.native else { continue };
        let mut templates = Vec::new();
        collect_templates(&native.root, &mut templates);
        // The n-th interpolated part of the expression's templates is its n-th `${` inside
        // backquotes (a `"${x}"` is no template).
        let starts = interpolations(&e.text);
        let mut written = 0;
        for parts in templates {
            for part in parts {
                if matches!(part, Node::Const(Lit::Str(_))) {
                    continue;
                }
                if divides(rules, part) {
                    let (line, column) = match starts.get(written) {
                        Some(&at) => place_in(e, at),
                        None => (e.origin.line, e.origin.column),
                    };
                    let warning = Diagnostic::error(
                        &e.origin.file,
                        line,
                        column,
                        "this text writes the result of `/`, a decimal: `/` always divides to a decimal (4 / 3 is 1.3333333333333333, 6 / 3 is 2.0), so a label such as `FQ${(m - 1) / 3 + 1}` reads FQ1.3333333333333333",
                    )
                    .warning()
                    .help("for a whole number, write `to_int(...)` around the division (`FQ${to_int((m - 1) / 3) + 1}`: FQ2 for May, the division's decimals cut off), or `round(...)` (to the nearest)");
                    out.push(of_rule(warning, id));
                }
                written += 1;
            }
        }
    }
    out
}

/// Where each `${` inside backquotes starts in `text`.
fn interpolations(text: &str) -> Vec<usize> {
    let mut out = Vec::new();
    let mut quote: Option<char> = None;
    let mut chars = text.char_indices().peekable();
    while let Some((at, c)) = chars.next() {
        match quote {
            Some(_) if c == '\\' => {
                chars.next();
            }
            Some('`') if c == '$' && chars.peek().map(|(_, n)| *n) == Some('{') => out.push(at),
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None if matches!(c, '"' | '\'' | '`') => quote = Some(c),
            None => {}
        }
    }
    out
}

/// The parts of every template in `node`, outermost first.
fn collect_templates<'n>(node: &'n Node, out: &mut Vec<&'n [Node]>) {
    if let Node::Template(parts) = node {
        out.push(parts);
    }
    for child in node.children() {
        collect_templates(child, out);
    }
}

/// Whether `node` divides whole numbers (`(m - 1) / 3`: meant as a whole division) and does
/// not make the result whole or round it on purpose. A decimal divided (`round(x * 100) /
/// 100`, two decimals shown) is meant, and so is a column whose kind the rules do not know.
fn divides(rules: &RuleSet, node: &Node) -> bool {
    match node {
        Node::Arith(Arith::Div, pair) if whole(rules, &pair.0, 0) && whole(rules, &pair.1, 0) => {
            true
        }
        Node::Call(Builtin::ToInt | Builtin::Round | Builtin::Floor | Builtin::Ceiling, _) => false,
        // A template inside is looked at on its own; a condition writes true or false, not
        // the quotient it compares (`if (m - 1) / 3 > 2 { "late" } ...` writes a word).
        Node::Template(_)
        | Node::Cmp(..)
        | Node::CmpSlot(..)
        | Node::And(_)
        | Node::Or(_)
        | Node::Not(_)
        | Node::In(..)
        | Node::Truth(_) => false,
        Node::If(parts) => divides(rules, &parts.1) || divides(rules, &parts.2),
        other => other.children().into_iter().any(|c| divides(rules, c)),
    }
}

/// Whether `node` is known to give a whole number: a whole constant, a subexpression the
/// fast path types as one, whole arithmetic, a count of days or months, a date's part, a
/// metric that is one of these (`m: month(as_of)`), `depth` metrics deep.
fn whole(rules: &RuleSet, node: &Node, depth: usize) -> bool {
    match node {
        Node::Const(Lit::Int(_)) | Node::Int(_) => true,
        Node::Arith(Arith::Add | Arith::Sub | Arith::Mul | Arith::Rem, pair) => {
            whole(rules, &pair.0, depth) && whole(rules, &pair.1, depth)
        }
        Node::Neg(x) => whole(rules, x, depth),
        // Typed for the fast path: the expression as written is inside.
        Node::Num(typed) => whole(rules, &typed.1, depth),
        Node::Call(
            Builtin::ToInt
            | Builtin::Year
            | Builtin::Month
            | Builtin::Quarter
            | Builtin::Day
            | Builtin::Weekday
            | Builtin::DaysBetween
            | Builtin::MonthsBetween,
            _,
        ) => true,
        Node::Slot(slot) if depth < 8 => (rules.metrics_pre.iter())
            .chain(&rules.metrics_post)
            .find(|m| m.slot == *slot)
            .and_then(|m| m.expr.native.as_ref())
            .is_some_and(|n| whole(rules, &n.root, depth + 1)),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::template_divisions;
    use crate::rules::Field;

    fn warned(metric: &str) -> Vec<String> {
        let dir = tempfile::tempdir().unwrap();
        let yaml = format!(
            "metrics:\n  label: {metric}\ndecisions:\n  - name: t\n    rules:\n      - {{ id: t, then: {{ t: 1 }} }}\n"
        );
        std::fs::write(dir.path().join("rules.yaml"), yaml).unwrap();
        let fields = [
            Field::new("overdue_days", Some("INTEGER")),
            Field::new("annual_sales", Some("REAL")),
        ];
        let (set, _) = crate::rules::load(dir.path(), &fields, &Default::default())
            .unwrap_or_else(|e| panic!("{e}"));
        template_divisions(&set)
            .iter()
            .map(|d| format!("{}:{} {}", d.line, d.column, d.message))
            .collect()
    }

    #[test]
    fn a_division_written_into_a_text_is_warned_at_its_place() {
        let found = warned("'`FQ${(month(as_of) - 1) / 3 + 1} of ${overdue_days}`'");
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(
            found[0].starts_with("2:14 this text writes the result of `/`"),
            "{found:?}"
        );
        assert!(warned("'`FQ${to_int((month(as_of) - 1) / 3) + 1}`'").is_empty());
        // A column's kind is not known to the rules: `overdue_days / 30` may be meant.
        assert!(warned("'`${overdue_days / 30} months`'").is_empty());
        assert!(warned("'`${round(annual_sales / 12)} a month`'").is_empty());
        assert!(warned("'`${annual_sales * 2}`'").is_empty());
        assert!(warned("'`${round(annual_sales * 100) / 100} a month`'").is_empty());
        assert_eq!(
            warned("'`Q${to_int((month(as_of) - 1) / 3) + 1}`'").len(),
            0
        );
        assert_eq!(warned("'`Q${(month(as_of) - 1) / 3 + 1}`'").len(), 1);
        // At its own `${`, after a constant one; not in a condition's comparison.
        let at = warned("'`${1}-${(month(as_of) - 1) / 3}`'");
        assert!(at.len() == 1 && at[0].starts_with("2:17 "), "{at:?}");
        assert!(
            warned("'`${if (month(as_of) - 1) / 3 > 2 { \"late\" } else { \"early\" }}`'")
                .is_empty()
        );
        // Through a metric: `label: month(as_of)`, then the quarter of it.
        assert_eq!(
            warned("month(as_of)\n  fq: '`FQ${(label - 1) / 3 + 1}`'").len(),
            1
        );
        assert!(warned("annual_sales / 12").is_empty());
    }
}
