//! The limits of a decision's output: `cap: { min, max }` (ids `<decision>.min` and
//! `<decision>.max`) and the named caps of `caps:` (`{ id: list-8pct, max: 8 }`, each with
//! its own id). At run time the largest floor and the smallest ceiling apply
//! ([`crate::engine`]'s bounds); here every bound is compiled, and constant bounds that
//! contradict each other (a floor above a ceiling) are an error.

use super::compile::Cx;
use crate::diag::SourceFile;
use crate::rules::model::DecisionSpec;
use crate::rules::{Bound, Cap, RuleIdx, ValueExpr};
use crate::value::{Literal, ValueKind};
use serde_saphyr::Spanned;
use std::sync::Arc;

/// A compiled bound and what messages call it: `` cap `min` `` or `` cap `floor-3` min ``.
struct Written<'s> {
    cap: Cap,
    label: String,
    at: &'s Spanned<Literal>,
}

/// Every limit of decision `name`, `cap:` first then `caps:` in order; `None` when one has a
/// mistake (reported).
pub(super) fn compile(
    cx: &mut Cx,
    file: &Arc<SourceFile>,
    name: &str,
    d: &DecisionSpec,
) -> Option<Vec<Cap>> {
    let mut ok = true;
    let mut written: Vec<Written> = Vec::new();
    if let Some(c) = &d.cap {
        for (bound, spec, which) in [(Bound::Min, &c.min, "min"), (Bound::Max, &c.max, "max")] {
            let Some(spec) = spec else { continue };
            let id = format!("{name}.{which}");
            let rule = cx.rule_ids.cap(id.clone(), file, &spec.referenced);
            let label = format!("cap `{which}`");
            match one(cx, file, &id, rule, bound, spec, &label) {
                Some(cap) => written.push(Written {
                    cap,
                    label,
                    at: spec,
                }),
                None => ok = false,
            }
        }
    }
    for named in &d.caps {
        let c = &named.value;
        let rule = cx.rule_ids.declare(file, &c.id, cx.diags);
        let id = &c.id.value;
        if c.min.is_none() && c.max.is_none() {
            let at = &named.referenced;
            cx.error_at(
                file,
                at,
                format!("cap `{id}` needs a `min:` or a `max:` (a number or an `=` formula)"),
            )
            .rule = Some(id.clone());
            ok = false;
        }
        for (bound, spec, which) in [(Bound::Min, &c.min, "min"), (Bound::Max, &c.max, "max")] {
            let Some(spec) = spec else { continue };
            let label = format!("cap `{id}` {which}");
            match one(cx, file, id, rule, bound, spec, &label) {
                Some(cap) => written.push(Written {
                    cap,
                    label,
                    at: spec,
                }),
                None => ok = false,
            }
        }
    }
    ok &= check_order(cx, file, &written);
    ok.then(|| written.into_iter().map(|w| w.cap).collect())
}

/// One bound: a number, `null` (no limit) or an `=` formula.
fn one(
    cx: &mut Cx,
    file: &Arc<SourceFile>,
    id: &str,
    rule: RuleIdx,
    bound: Bound,
    spec: &Spanned<Literal>,
    label: &str,
) -> Option<Cap> {
    let value = cx.value(file, spec, id)?;
    let problem = match &value {
        ValueExpr::Const(v) if v.value().as_f64().is_none() && !v.value().is_null() => {
            let written = v.value().to_string();
            let percent = written.trim().strip_suffix('%').map(str::trim);
            Some(match percent.filter(|n| n.parse::<f64>().is_ok()) {
                Some(n) => format!(
                    "{label} must be a number or an `=` formula: {}",
                    crate::text::percent_help(n, written.trim())
                ),
                None => match written_as_number(written.trim()) {
                    Some(n) => format!(
                        "{label} must be a number or an `=` formula: write {n} (`{}` is text)",
                        written.trim()
                    ),
                    None => format!("{label} must be a number or an `=` formula"),
                },
            })
        }
        // A formula whose kind is known (a text column, a template) never gives a number.
        ValueExpr::Formula(e) => e
            .native
            .as_ref()
            .and_then(|n| super::consistent::node_kind(cx, &n.root))
            .filter(|kind| *kind != ValueKind::Number)
            .map(|kind| {
                format!(
                    "{label} must be a number, but `{}` is {}",
                    e.text,
                    kind.noun()
                )
            }),
        ValueExpr::Const(_) => None,
    };
    match problem {
        Some(message) => {
            cx.error_at(file, &spec.referenced, message).rule = Some(id.to_owned());
            None
        }
        None => Some(Cap { rule, bound, value }),
    }
}

/// A constant floor above a constant ceiling would give everyone the ceiling: an error at
/// the floor, naming both. `false` when there is one.
fn check_order(cx: &mut Cx, file: &Arc<SourceFile>, written: &[Written]) -> bool {
    let constant = |w: &&Written| match &w.cap.value {
        ValueExpr::Const(v) => v.value().as_f64(),
        _ => None,
    };
    let tightest = |bound: Bound, better: fn(f64, f64) -> bool| {
        written
            .iter()
            .filter(|w| w.cap.bound == bound)
            .filter_map(|w| constant(&w).map(|x| (x, w)))
            .fold(None, |best: Option<(f64, &Written)>, (x, w)| match best {
                Some((b, _)) if !better(x, b) => best,
                _ => Some((x, w)),
            })
    };
    let lo = tightest(Bound::Min, |x, b| x > b);
    let hi = tightest(Bound::Max, |x, b| x < b);
    let (Some((lo, min)), Some((hi, max))) = (lo, hi) else {
        return true;
    };
    if lo <= hi {
        return true;
    }
    let at = &min.at.referenced;
    cx.error_at(
        file,
        at,
        format!(
            "{} {lo} is above {} {hi}: every customer would get {hi}; {}",
            min.label,
            max.label.replace("cap `max`", "`max`"),
            if max.cap.rule == min.cap.rule || max.label == "cap `max`" {
                "swap them"
            } else {
                "lower the floor or raise the ceiling"
            }
        ),
    )
    .rule = Some(cx.rule_ids.ids[min.cap.rule as usize].clone());
    false
}

/// A number written as text the way a locale writes it: `250,00` (a decimal comma) is
/// 250.00, `5.000.000` (thousands dots) 5000000; `None` for other text.
fn written_as_number(t: &str) -> Option<String> {
    if let Some((whole, fraction)) = t.split_once(',')
        && !whole.is_empty()
        && whole.bytes().all(|b| b.is_ascii_digit() || b == b'-')
        && !fraction.is_empty()
        && fraction.len() != 3
        && fraction.bytes().all(|b| b.is_ascii_digit())
    {
        return Some(format!("{whole}.{fraction}"));
    }
    crate::text::ungrouped(t).filter(|n| n.parse::<f64>().is_ok())
}
