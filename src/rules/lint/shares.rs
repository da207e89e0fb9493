//! On the data (`check --data`, `run`): a field that holds shares (every value between -1
//! and 1, some with decimals: a collection rate of 0.85) compared with a number that reads as
//! a percentage (`collection_rate < 70`). The comparison then holds for every customer or
//! for none, and nothing fails: credit is blocked for everyone, or for no one. And the other
//! way round, a field that holds percentages (0 to 100, some with decimals: a source that
//! changed its unit upstream) compared with a share (`repeat_purchase_rate < 0.2`), when the
//! comparison holds for almost everyone or almost no one (2% or fewer either way). The static
//! lints cannot see it (a column's values are only known on the data); population figures,
//! whose ranges are known, are TW102's.

use crate::diag::Diagnostic;
use crate::rules::native::{Cmp, Node};
use crate::rules::{Expr, RuleSet, Slot, SlotKind};
use crate::source::Dataset;
use crate::value::Lit;
use std::collections::HashMap;

/// A warning for each comparison of a share field with a percentage, at the number: in a
/// row's condition (or grid cell) or value, a cap's limit, or a metric.
pub(super) fn share_slips(rules: &RuleSet, data: &Dataset) -> Vec<Diagnostic> {
    let mut shares = Shares {
        data,
        seen: HashMap::new(),
    };
    let mut out = Vec::new();
    for (e, id) in super::rule_expressions(rules) {
        let Some(native) = &e.native else { continue };
        let mut found = Vec::new();
        comparisons(&native.root, &mut found);
        for (cmp, slot, constant) in found {
            if rules.slots.get(slot).map(|(_, k)| *k) != Some(SlotKind::Field) {
                continue;
            }
            let name = rules.slot_name(slot);
            if constant > 0.0 && constant < 1.0 {
                // Ratios and durations pass 1 too (a growth of 1.25, 0.3 to 12 years): only a
                // comparison that holds for almost everyone or almost no one says percentages.
                if let Some(range) = shares.percents(name) {
                    let (holding, of) = shares.holding(name, cmp, constant);
                    if holding * 50 <= of || holding * 50 >= of * 49 {
                        out.push(percent_slip(e, id, name, constant, range, (holding, of)));
                    }
                }
                continue;
            }
            if constant.abs() <= 1.0 || constant.abs() > 100.0 {
                continue;
            }
            let Some(range) = shares.of(name) else {
                continue;
            };
            out.push(slip(e, id, name, cmp, constant, range));
        }
    }
    out
}

/// The `field <op> number` comparisons of an expression, the field first.
fn comparisons(node: &Node, out: &mut Vec<(Cmp, Slot, f64)>) {
    let mut found = Vec::new();
    super::name_constant_comparisons(node, &mut found);
    out.extend(found.into_iter().filter_map(|(cmp, slot, lit)| match lit {
        Lit::Int(i) => Some((cmp, slot, *i as f64)),
        Lit::Float(f) => Some((cmp, slot, *f)),
        _ => None,
    }));
}

/// What the data holds in each field compared with a number, scanned once per field.
struct Shares<'d> {
    data: &'d Dataset,
    seen: HashMap<String, Option<Spread>>,
}

/// A field's numbers: the smallest, the largest, and whether one has decimals.
#[derive(Clone, Copy)]
struct Spread {
    lo: f64,
    hi: f64,
    decimals: bool,
}

impl Shares<'_> {
    /// The field's spread; `None` when it holds no number, or a value that is no number.
    fn spread(&mut self, name: &str) -> Option<Spread> {
        if let Some(known) = self.seen.get(name) {
            return *known;
        }
        let found = self.scan(name);
        self.seen.insert(name.to_owned(), found);
        found
    }

    fn scan(&self, name: &str) -> Option<Spread> {
        let mut spread: Option<Spread> = None;
        for x in self.numbers(name)? {
            let x = x?;
            let s = spread.get_or_insert(Spread {
                lo: x,
                hi: x,
                decimals: false,
            });
            s.lo = s.lo.min(x);
            s.hi = s.hi.max(x);
            s.decimals |= x.fract() != 0.0;
        }
        spread
    }

    /// The field's values that are not NULL, as numbers (`None` for one that is none).
    fn numbers(&self, name: &str) -> Option<impl Iterator<Item = Option<f64>> + '_> {
        let k = self.data.names.iter().position(|n| n == name)?;
        let column = &self.data.columns[k];
        Some(
            (0..self.data.len)
                .map(|i| column.value(i))
                .filter(|v| !v.is_null())
                .map(|v| v.as_f64()),
        )
    }

    /// Every number between -1 and 1 and one with decimals (0/1 flags are not shares): the
    /// smallest and largest; `None` otherwise.
    fn of(&mut self, name: &str) -> Option<(f64, f64)> {
        let s = self.spread(name)?;
        (s.lo >= -1.0 && s.hi <= 1.0 && s.decimals).then_some((s.lo, s.hi))
    }

    /// Every number between 0 and 100, one above 1 and one with decimals (counts and 0/1
    /// flags are no percentages): the smallest and largest; `None` otherwise.
    fn percents(&mut self, name: &str) -> Option<(f64, f64)> {
        let s = self.spread(name)?;
        (s.lo >= 0.0 && s.hi <= 100.0 && s.hi > 1.0 && s.decimals).then_some((s.lo, s.hi))
    }

    /// How many of the field's values `value <cmp> constant` holds for, as the rules compare
    /// them, of how many.
    fn holding(&self, name: &str, cmp: Cmp, constant: f64) -> (usize, usize) {
        let (mut n, mut of) = (0, 0);
        for x in self.numbers(name).into_iter().flatten().flatten() {
            of += 1;
            n += usize::from(crate::rules::native::float_compare(cmp, x, constant));
        }
        (n, of)
    }
}

fn slip(
    e: &Expr,
    id: Option<&str>,
    name: &str,
    cmp: Cmp,
    constant: f64,
    range: (f64, f64),
) -> Diagnostic {
    let written = crate::text::as_yaml(&serde_json::json!(constant));
    // Above every share (or below, for a negative percentage): the comparison is settled.
    let above = constant > range.1;
    let holds = match cmp {
        Cmp::Lt | Cmp::Le => above,
        Cmp::Gt | Cmp::Ge => !above,
        Cmp::Eq => false,
        Cmp::Ne => true,
    };
    let whom = if holds {
        "every customer with a value"
    } else {
        "no customer"
    };
    let shown = |x: f64| crate::text::as_yaml(&serde_json::json!((x * 1000.0).round() / 1000.0));
    let message = format!(
        "`{name}` holds shares in the data ({} to {}), and it is compared with {written}, a percentage: the comparison is true for {whom}",
        shown(range.0),
        shown(range.1)
    );
    let share = crate::text::as_yaml(&serde_json::json!(constant / 100.0));
    let (line, column) = number_at(e, name, constant);
    let warning = crate::diag::Diagnostic::error(&e.origin.file, line, column, message)
        .warning()
        .width(written.chars().count())
        .help(format!(
            "write {share} for {written}%: a share of 1 is 100%"
        ));
    super::walk::of_rule(warning, id)
}

/// A percentage field compared with a share: how many customers it holds for.
fn percent_slip(
    e: &Expr,
    id: Option<&str>,
    name: &str,
    constant: f64,
    range: (f64, f64),
    (holding, of): (usize, usize),
) -> Diagnostic {
    let written = crate::text::as_yaml(&serde_json::json!(constant));
    let shown = |x: f64| crate::text::as_yaml(&serde_json::json!((x * 1000.0).round() / 1000.0));
    let message = format!(
        "`{name}` holds percentages in the data ({} to {}), and it is compared with {written}, a share: the comparison is true for {} of the {} customers with a value",
        shown(range.0),
        shown(range.1),
        crate::text::thousands(holding as f64),
        crate::text::thousands(of as f64),
    );
    let percent = crate::text::as_yaml(&serde_json::json!((constant * 1e6).round() / 1e4));
    let (line, column) = number_at(e, name, constant);
    let warning = Diagnostic::error(&e.origin.file, line, column, message)
        .warning()
        .width(written.chars().count())
        .help(format!(
            "write {percent} for a share of {written}: the data counts 100 for the whole (or convert the column to shares in the customers query: `{name} / 100.0 AS {name}`)"
        ));
    super::walk::of_rule(warning, id)
}

/// Where the number `constant` compared with `name` is written in the expression's file:
/// the first number token outside quoted text whose value it is (`70` or `70.0`; not the
/// `70` of `region_70` nor of `"Shop 70"`) after `name`, else the first anywhere; the
/// expression's start when none is.
fn number_at(e: &Expr, name: &str, constant: f64) -> (usize, usize) {
    let chars: Vec<char> = e.text.chars().collect();
    let part_of_name = |c: char| c.is_alphanumeric() || c == '_';
    let (mut found, mut after_name, mut named) = (None, None, false);
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if matches!(c, '"' | '\'' | '`') {
            i = crate::diag::habits::skip_quoted(&chars, i);
            continue;
        }
        if part_of_name(c) && (i == 0 || !part_of_name(chars[i - 1])) {
            let end = (i..chars.len())
                .find(|&k| !(part_of_name(chars[k]) || (c.is_ascii_digit() && chars[k] == '.')))
                .unwrap_or(chars.len());
            let token: String = chars[i..end].iter().collect();
            if token == name {
                named = true;
            } else if token.parse::<f64>().is_ok_and(|x| x == constant) {
                found = found.or(Some(i));
                if named && after_name.is_none() {
                    after_name = Some(i);
                }
            }
            i = end;
            continue;
        }
        i += 1;
    }
    match after_name.or(found) {
        Some(i) => {
            let (line, column) = crate::diag::habits::line_column(&chars, i);
            e.origin.map(line, column)
        }
        None => (e.origin.line, e.origin.column),
    }
}
