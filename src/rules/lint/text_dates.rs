//! On the data (`check --data`, `run`): a text field compared by order with an ISO date
//! written as text (`data_saida < "2024-01-01"`) while the data holds dates written another
//! way (`31-12-2021`, an ERP's day-first export). Text orders letter by letter: ISO dates
//! order as days do, others do not ("31-12-2021" comes after "2024-01-01"), so the condition
//! holds for the wrong customers, and nothing fails. TW110 leaves ISO dates as text alone:
//! only the data tells the two apart.

use crate::diag::Diagnostic;
use crate::rules::native::{Builtin, Cmp, Node};
use crate::rules::{Expr, RuleSet, SlotKind};
use crate::source::Dataset;
use crate::time::Date;
use crate::value::{Lit, Value};
use std::collections::HashMap;

/// A warning for each order comparison of a text field with an ISO date, where the field
/// holds text that is no ISO date, at the date.
pub fn text_date_slips(rules: &RuleSet, data: &Dataset) -> Vec<Diagnostic> {
    let mut seen: HashMap<&str, Option<(String, usize)>> = HashMap::new();
    let mut out = Vec::new();
    for (e, id) in super::rule_expressions(rules) {
        let Some(native) = &e.native else { continue };
        let mut found = Vec::new();
        super::name_constant_comparisons(&native.root, &mut found);
        for (cmp, slot, lit) in found {
            let Lit::Str(date) = lit else { continue };
            if rules.slots.get(slot).map(|(_, k)| *k) != Some(SlotKind::Field)
                || Date::parse(date).is_none()
            {
                continue;
            }
            let name = rules.slot_name(slot);
            let other = seen.entry(name).or_insert_with(|| not_iso(data, name));
            // A date with a time orders right against a day under `<` and `>=` (the day's
            // times are not before it, and are at or after it); under `==` and `!=` it is
            // never the day. Other text is said where it is ordered.
            let timed = |example: &str| Date::parse(example).is_some();
            match other {
                Some((example, _)) if timed(example) && matches!(cmp, Cmp::Lt | Cmp::Ge) => {}
                Some((example, _)) if !timed(example) && matches!(cmp, Cmp::Eq | Cmp::Ne) => {}
                Some((example, count)) => out.push(slip(e, id, name, cmp, date, example, *count)),
                None => {}
            }
        }
        // The same with a date the rules write as text (`to_string(add_days(as_of, 30))`, a
        // template, a metric holding one): every run's cut-off, where a constant is rare.
        let mut computed = Vec::new();
        computed_date_comparisons(rules, &native.root, &mut computed);
        for (cmp, slot) in computed {
            let name = rules.slot_name(slot);
            let other = seen.entry(name).or_insert_with(|| not_iso(data, name));
            // A date with a time orders wrong under `<=` and `>` only (as for a constant).
            let wrong = |x: &str| Date::parse(x).is_none() || matches!(cmp, Cmp::Le | Cmp::Gt);
            if let Some((example, count)) = other.as_ref().filter(|(x, _)| wrong(x)) {
                out.push(computed_slip(e, id, name, cmp, example, *count));
            }
        }
    }
    out
}

/// The order comparisons (`<`, `<=`, `>`, `>=`) of a text field with a date the rules write
/// as text, in `node`: the comparison (as written, the field on the left) and the field.
fn computed_date_comparisons(rules: &RuleSet, node: &Node, out: &mut Vec<(Cmp, usize)>) {
    if let Node::Cmp(cmp, pair) = node
        && matches!(cmp, Cmp::Lt | Cmp::Le | Cmp::Gt | Cmp::Ge)
    {
        let field = |n: &Node| match n {
            Node::Slot(s) if rules.slots.get(*s).map(|(_, k)| *k) == Some(SlotKind::Field) => {
                Some(*s)
            }
            _ => None,
        };
        match (field(&pair.0), field(&pair.1)) {
            (Some(s), None) if date_text(rules, &pair.1) => out.push((*cmp, s)),
            (None, Some(s)) if date_text(rules, &pair.0) => out.push((*cmp, s)),
            _ => {}
        }
    }
    for child in node.children() {
        computed_date_comparisons(rules, child, out);
    }
}

/// A date written as text by the rules: `to_string` of a date, a template of one date, or
/// a metric holding one.
fn date_text(rules: &RuleSet, node: &Node) -> bool {
    match node {
        Node::Call(Builtin::ToString, args) => args.first().is_some_and(|a| date(rules, a)),
        Node::Template(parts) => parts.len() == 1 && date(rules, &parts[0]),
        Node::Slot(s) => metric_root(rules, *s).is_some_and(|root| date_text(rules, root)),
        _ => false,
    }
}

/// A date: the run's date, a date constant, a date function's result, or a metric holding one.
fn date(rules: &RuleSet, node: &Node) -> bool {
    match node {
        Node::Slot(s) if *s == rules.as_of => true,
        Node::Slot(s) => metric_root(rules, *s).is_some_and(|root| date(rules, root)),
        Node::Const(Lit::Date(_)) => true,
        Node::Call(b, _) => matches!(
            b,
            Builtin::AddDays | Builtin::AddMonths | Builtin::EndOfMonth | Builtin::Date
        ),
        _ => false,
    }
}

/// The compiled expression of metric `slot`, when `slot` is a metric's.
fn metric_root(rules: &RuleSet, slot: usize) -> Option<&Node> {
    let metric = (rules.metrics_pre.iter().chain(&rules.metrics_post)).find(|m| m.slot == slot)?;
    Some(&metric.expr.native.as_ref()?.root)
}

/// [`slip`] for a date the rules write as text: at the field.
fn computed_slip(
    e: &Expr,
    id: Option<&str>,
    name: &str,
    cmp: Cmp,
    example: &str,
    count: usize,
) -> Diagnostic {
    let shown = match example {
        "" => "empty text".to_owned(),
        text => format!("`{text}`"),
    };
    let holds = match Date::parse(example) {
        Some(_) => "dates with a time in the data",
        None => "text that is no ISO date in the data",
    };
    let message = format!(
        "`{name}` is compared by `{}` with a date the rules write as text, but it holds {holds} ({shown}, {}): text orders letter by letter, so such values fall on the wrong side of the date",
        cmp.symbol(),
        crate::text::customers(count)
    );
    let (line, column) = super::walk::place_of(e, name);
    let warning = Diagnostic::error(&e.origin.file, line, column, message)
        .warning()
        .width(name.chars().count())
        .help(format!(
            "convert `{name}` to ISO dates (2024-01-31) in the customers query (`customers.query`) and declare it a date (`customers.dates`), then compare the dates themselves (`{name} <= add_days(as_of, 30)`, not their text)"
        ));
    super::walk::of_rule(warning, id)
}

/// The first text of column `name` that is no ISO date (one that is not empty, if any: a
/// blank for "no date" sorts first too), and how many customers hold one; else the first
/// date with a time (`2025-12-31T10:00:00`, which as text comes after "2025-12-31"), and
/// how many hold one.
fn not_iso(data: &Dataset, name: &str) -> Option<(String, usize)> {
    let k = data.names.iter().position(|n| n == name)?;
    let column = &data.columns[k];
    let (mut first, mut timed): (Option<&str>, Option<&str>) = (None, None);
    let (mut count, mut timed_count) = (0, 0);
    for i in 0..data.len {
        let Value::Str(text) = column.value(i) else {
            continue;
        };
        match Date::parse(text) {
            None => {
                count += 1;
                if first.is_none_or(str::is_empty) {
                    first = Some(text);
                }
            }
            Some(_) if text.len() > "2025-12-31".len() => {
                timed_count += 1;
                timed.get_or_insert(text);
            }
            Some(_) => {}
        }
    }
    match (first, timed) {
        (Some(f), _) => Some((f.to_owned(), count)),
        (None, Some(t)) => Some((t.to_owned(), timed_count)),
        (None, None) => None,
    }
}

fn slip(
    e: &Expr,
    id: Option<&str>,
    name: &str,
    cmp: Cmp,
    date: &str,
    example: &str,
    count: usize,
) -> Diagnostic {
    let customers = crate::text::customers(count);
    let shown = match example {
        "" => "empty text".to_owned(),
        text => format!("`{text}`"),
    };
    let op = cmp.symbol();
    let not_iso = format!(
        "text that is no ISO date in the data ({shown}, {customers}): text orders letter by letter, so such values may fall on the wrong side of \"{date}\""
    );
    let (holds, help) = match example {
        // A date with a time: the same day, later as text.
        _ if Date::parse(example).is_some() => (
            format!(
                "dates with a time in the data ({shown}, {customers}): as text, a time on {date} {}, so the customers of that day fall on the wrong side",
                match cmp {
                    Cmp::Eq | Cmp::Ne => format!("is not \"{date}\""),
                    _ => format!("comes after \"{date}\""),
                }
            ),
            "declare the column a date (`customers.dates`: a date with a time reads as its day)"
                .to_owned(),
        ),
        // Only blanks: they are "no date".
        "" => (
            not_iso.clone(),
            format!(
                "read the blanks as NULL, `NULLIF({name}, '') AS {name}` in the customers query (`customers.query`), and declare the column a date (`customers.dates`)"
            ),
        ),
        _ => (
            not_iso.clone(),
            format!(
                "convert `{name}` to ISO dates (2024-01-31) in the customers query (`customers.query`) and declare it a date (`customers.dates`)"
            ),
        ),
    };
    let message =
        format!("`{name}` is compared with the date \"{date}\" by `{op}`, but it holds {holds}");
    let quoted = format!("\"{date}\"");
    let (line, column) = super::walk::place_of(e, &quoted);
    let warning = Diagnostic::error(&e.origin.file, line, column, message)
        .warning()
        .width(quoted.chars().count())
        .help(format!("{help}, then compare with `date(\"{date}\")`"));
    super::walk::of_rule(warning, id)
}
