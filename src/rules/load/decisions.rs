//! Decision tables: the shape of a decision (hit policy, `output:`, `rules:` or `scale:`),
//! its rows and their values, range scales and their bands, caps and rounding. Every row,
//! band and cap gets its rule id here, in the order written.

use super::compile::Cx;
use super::consistent;
use crate::diag::SourceFile;
use crate::rules::model::{DecisionSpec, EffectiveSpec, RowSpec, ScaleSpec};
use crate::rules::{Condition, Decision, Expr, HitPolicy, RoundSpec, Row, Slot, ValueExpr, Window};
use crate::time::Date;
use crate::value::{Lit, Literal};
use serde_saphyr::Spanned;
use std::sync::Arc;

/// The window of an `effective:` (of `owner`, for messages); `None` when there is none or
/// it has a mistake (reported).
pub(super) fn window(
    cx: &mut Cx,
    file: &Arc<SourceFile>,
    spec: Option<&Spanned<EffectiveSpec>>,
    owner: &str,
) -> Option<Window> {
    let spec = spec?;
    let mut date = |text: &Option<Spanned<String>>| -> Result<Option<Date>, ()> {
        let Some(text) = text else { return Ok(None) };
        match Date::parse(&text.value) {
            Some(d) => Ok(Some(d)),
            None => {
                let at = &text.referenced;
                let d = cx.error(
                    file,
                    at.line() as usize,
                    at.column() as usize,
                    crate::script::dates::not_a_date(&text.value),
                );
                d.rule = Some(owner.to_owned());
                Err(())
            }
        }
    };
    let (from, to) = (date(&spec.value.from), date(&spec.value.to));
    let window = Window {
        from: from.ok()?,
        to: to.ok()?,
    };
    if window.is_empty() {
        let at = &spec.referenced;
        cx.error(
            file,
            at.line() as usize,
            at.column() as usize,
            format!(
                "this is never in effect: `from` ({}) is after `to` ({})",
                window.from?, window.to?
            ),
        )
        .rule = Some(owner.to_owned());
        return None;
    }
    Some(window)
}

/// Where a value is written.
fn at_of<T>(v: &Spanned<T>) -> (usize, usize) {
    (v.referenced.line() as usize, v.referenced.column() as usize)
}

/// Both windows (either may be absent: no limit).
fn meet(a: Option<Window>, b: Option<Window>) -> Option<Window> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.meet(b)),
        (a, b) => a.or(b),
    }
}

/// A decision being compiled: what its rows, scale and caps need to know.
struct Table<'s> {
    file: &'s Arc<SourceFile>,
    spec: &'s DecisionSpec,
    name: String,
    /// Where the decision is written (its list item), for problems of the whole decision.
    at: (usize, usize),
    /// The slots of the outputs this decision declared.
    outputs: Vec<Slot>,
    /// The slot the name in `output:` resolves to.
    single_output: Option<Slot>,
    /// When the decision applies: its own window met with its file's.
    window: Option<Window>,
    /// Nothing wrong so far.
    ok: bool,
}

/// Compiles the decision declared with index `index`; `None` when anything is wrong (each
/// problem reported).
pub(super) fn compile(
    cx: &mut Cx,
    file: &Arc<SourceFile>,
    index: usize,
    spec: &Spanned<DecisionSpec>,
    file_window: Option<Window>,
) -> Option<Decision> {
    // A `for_each` copy's expressions substitute its item (see `super::foreach`).
    cx.exprs.bindings.clone_from(&spec.value.bindings);
    let decision = compile_table(cx, file, index, spec, file_window);
    cx.exprs.bindings.clear();
    decision
}

fn compile_table(
    cx: &mut Cx,
    file: &Arc<SourceFile>,
    index: usize,
    spec: &Spanned<DecisionSpec>,
    file_window: Option<Window>,
) -> Option<Decision> {
    let d = &spec.value;
    let own = window(cx, file, d.effective.as_ref(), &d.name.value);
    let mut t = Table {
        file,
        spec: d,
        name: d.name.value.clone(),
        at: (
            spec.referenced.line() as usize,
            spec.referenced.column() as usize,
        ),
        outputs: cx
            .symbols
            .decisions
            .get(index)
            .map(|d| d.outputs.clone())
            .unwrap_or_default(),
        single_output: d.output.as_ref().and_then(|o| cx.symbols.slot(&o.value)),
        window: meet(file_window, own),
        ok: true,
    };
    if !t.check_shape(cx) {
        return None;
    }
    let mut rows: Vec<Row> = d.rules.iter().map(|row| t.row(cx, row)).collect();
    let mut scale_of = None;
    if let Some(scale) = &d.scale {
        let (of, bands) = t.scale(cx, scale)?;
        scale_of = of;
        rows.extend(bands);
    }
    let by = t.by(cx);
    let output_values = t.output_values(cx);
    let caps = super::caps::compile(cx, file, &t.name, d);
    t.ok &= caps.is_some();
    t.check_round(cx);
    if t.ok {
        t.ok = t.check_kinds(cx, &rows);
    }
    let decimal = rows.iter().any(|r| {
        r.values
            .iter()
            .any(|(_, v)| matches!(v, ValueExpr::Const(Lit::Float(_))))
    });
    t.ok.then(|| Decision {
        decimal,
        name: t.name,
        hit: d.hit,
        aggregate: d.aggregate.as_ref().map(|a| a.value),
        by,
        outputs: t.outputs,
        scale_of,
        rows,
        round: d.round.as_ref().map(|r| r.value),
        caps: caps.unwrap_or_default(),
        capped_by: cx.symbols.decisions.get(index).and_then(|d| d.capped_by),
        output_values,
        defaults: Vec::new(),
    })
}

impl Table<'_> {
    /// Reports a problem of the whole decision (at its start), in its name.
    fn fail(&mut self, cx: &mut Cx, msg: &str) {
        cx.error(self.file, self.at.0, self.at.1, msg).rule = Some(self.name.clone());
        self.ok = false;
    }

    /// Checks what the decision's keys allow together; `false` when its rows cannot even be
    /// read (neither or both of `rules:` and `scale:`).
    fn check_shape(&mut self, cx: &mut Cx) -> bool {
        let d = self.spec;
        let combines = d.hit.shape().combines_values;
        if combines && d.output.is_none() {
            self.fail(
                cx,
                &format!(
                    "a `{}` decision needs `output:` (the one output its rows' values add up to)",
                    d.hit.name()
                ),
            );
        }
        if !combines && let Some(aggregate) = &d.aggregate {
            let a = &aggregate.referenced;
            cx.error(
                self.file,
                a.line() as usize,
                a.column() as usize,
                "`aggregate` only applies to `hit: collect`",
            )
            .rule = Some(self.name.clone());
            self.ok = false;
        }
        let bounded = d.cap.is_some() || !d.caps.is_empty() || d.capped_by.is_some();
        if (bounded || d.round.is_some()) && d.output.is_none() {
            self.fail(cx, "`cap`, `caps`, `capped_by` and `round` apply to a decision's single `output:`; add one, or split the decision");
        }
        if let Some(by) = &d.capped_by
            && d.cap.is_none()
            && d.caps.is_empty()
        {
            let at = &by.referenced;
            cx.error(self.file, at.line() as usize, at.column() as usize, "`capped_by` names the cap that bound, and this decision has none: add `caps:` (or `cap:`), or remove `capped_by`")
                .rule = Some(self.name.clone());
            self.ok = false;
        }
        if matches!(d.hit, HitPolicy::Priority | HitPolicy::OutputOrder)
            && d.outputs.iter().all(|o| o.value.values.is_empty())
        {
            self.fail(
                cx,
                &format!(
                    "`hit: {}` ranks rows by their outputs' declared values: declare them, e.g. `outputs: [{{ name: risk, values: [high, medium, low] }}]`",
                    d.hit.name()
                ),
            );
        }
        if d.rules.is_empty() == d.scale.is_none() {
            self.fail(
                cx,
                "a decision has either `rules:` or `scale:` (one of the two)",
            );
            return false;
        }
        true
    }

    /// With `hit: max` / `min`, the output compared (`by:`, or the single output); `by:` is
    /// an error with any other policy.
    fn by(&mut self, cx: &mut Cx) -> Option<usize> {
        let d = self.spec;
        let best = matches!(d.hit, HitPolicy::Max | HitPolicy::Min);
        let Some(by) = &d.by else {
            if best && self.outputs.len() > 1 {
                let msg = format!(
                    "`hit: {}` with several outputs needs `by:`, the output whose {} value wins",
                    d.hit.name(),
                    if d.hit == HitPolicy::Max {
                        "largest"
                    } else {
                        "smallest"
                    }
                );
                self.fail(cx, &msg);
            }
            return best.then_some(0);
        };
        let at = &by.referenced;
        let found = cx
            .symbols
            .slot(&by.value)
            .and_then(|s| self.output_index(s));
        let message = if !best {
            format!(
                "`by:` goes with `hit: max` or `hit: min`, not `hit: {}`",
                d.hit.name()
            )
        } else if found.is_none() {
            let names: Vec<&str> = self.outputs.iter().map(|&s| cx.symbols.name(s)).collect();
            format!(
                "`by: {}` is not an output of this decision (they are: {})",
                by.value,
                names.join(", ")
            )
        } else {
            return found;
        };
        cx.error(self.file, at.line() as usize, at.column() as usize, message)
            .rule = Some(self.name.clone());
        self.ok = false;
        None
    }

    /// Every output gives one kind of value, one its hit policy combines (see
    /// [`consistent`]). Only when every row compiled: the rows' values then line up with
    /// the values as written.
    fn check_kinds(&self, cx: &mut Cx, rows: &[Row]) -> bool {
        let d = self.spec;
        let mut given = Vec::new();
        for (spec, row) in d.rules.iter().zip(rows) {
            let r = &spec.value;
            let written: Vec<&Spanned<Literal>> = match (&r.value, &r.then) {
                (Some(v), None) => vec![v],
                (None, Some(then)) => then.0.iter().map(|(_, v)| v).collect(),
                _ => Vec::new(),
            };
            for ((output, value), written) in row.values.iter().zip(written) {
                given.push(consistent::Given {
                    output: *output,
                    row: &r.id.value,
                    written: &written.value,
                    at: at_of(written),
                    value,
                });
            }
        }
        let bands = d.scale.iter().flat_map(|s| &s.bands);
        for (band, row) in bands.zip(&rows[d.rules.len().min(rows.len())..]) {
            for (output, value) in &row.values {
                given.push(consistent::Given {
                    output: *output,
                    row: &band.value.id.value,
                    written: &band.value.value.value,
                    at: at_of(&band.value.value),
                    value,
                });
            }
        }
        let table = consistent::Table {
            file: self.file,
            name: &self.name,
            hit: d.hit,
            aggregate: d.aggregate.as_ref().map(|a| a.value),
            numeric: d.cap.is_some() || !d.caps.is_empty() || d.round.is_some(),
            outputs: &self.outputs,
        };
        consistent::check(cx, &table, &given)
    }

    /// The position of `slot` among the decision's outputs.
    /// Each output's declared `values:` (by index into the decision's outputs).
    fn output_values(&self, cx: &Cx) -> Vec<Vec<Lit>> {
        let mut values = vec![Vec::new(); self.outputs.len()];
        for spec in &self.spec.outputs {
            let spec = &spec.value;
            let found = cx
                .symbols
                .slot(&spec.name)
                .and_then(|s| self.output_index(s));
            if let Some(k) = found {
                values[k] = spec.values.iter().map(|v| Lit::from(&v.value)).collect();
            }
        }
        values
    }

    fn output_index(&self, slot: Slot) -> Option<usize> {
        self.outputs.iter().position(|&s| s == slot)
    }

    /// One row of `rules:`: its rule id, condition and values.
    fn row(&mut self, cx: &mut Cx, row: &Spanned<RowSpec>) -> Row {
        let r = &row.value;
        let rule = cx.rule_ids.declare(self.file, &r.id, cx.diags);
        let condition = match &r.when {
            Some(when) => match cx.expr(self.file, when, &r.id.value, false) {
                Some(e) => Condition::When(e),
                None => {
                    self.ok = false;
                    Condition::Always
                }
            },
            None => Condition::Always,
        };
        let at = (
            row.referenced.line() as usize,
            row.referenced.column() as usize,
        );
        let values = self.row_values(cx, r, at);
        let own = window(cx, self.file, r.effective.as_ref(), &r.id.value);
        Row {
            rule,
            condition,
            effective: meet(self.window, own),
            values,
            cells: None,
        }
    }

    /// A row's `value:` (for the decision's `output:`) or `then:` values, by output index.
    fn row_values(
        &mut self,
        cx: &mut Cx,
        r: &RowSpec,
        at: (usize, usize),
    ) -> Vec<(usize, ValueExpr)> {
        let d = self.spec;
        let id = &r.id.value;
        let mut values = Vec::new();
        let fail = |this: &mut Self, cx: &mut Cx, msg: &str| {
            cx.error(this.file, at.0, at.1, msg).rule = Some(id.clone());
            this.ok = false;
        };
        match (&r.value, &r.then) {
            (Some(_), Some(_)) => {
                fail(self, cx, "a row gives either `value:` or `then:`, not both")
            }
            (None, None) => fail(
                self,
                cx,
                "this row gives no output: add `value:` or `then:`",
            ),
            (Some(value), None) => match self.single_output.and_then(|s| self.output_index(s)) {
                Some(i) => match cx.value(self.file, value, id) {
                    Some(v) => values.push((i, v)),
                    None => self.ok = false,
                },
                None if d.output.is_none() => fail(
                    self,
                    cx,
                    "`value:` needs the decision to name its `output:`; or use `then: { name: value }`",
                ),
                // An `output:` that is not this decision's was reported when declared.
                None => self.ok = false,
            },
            (None, Some(then)) => {
                if d.hit.shape().combines_values {
                    fail(
                        self,
                        cx,
                        &format!(
                            "rows of a `{}` decision give a `value:` (added up into the output)",
                            d.hit.name()
                        ),
                    );
                }
                for (out, value) in &then.0 {
                    // An output that is not this decision's was reported when declared.
                    let Some(i) = cx.symbols.slot(out).and_then(|s| self.output_index(s)) else {
                        self.ok = false;
                        continue;
                    };
                    match cx.value(self.file, value, id) {
                        Some(v) => values.push((i, v)),
                        None => self.ok = false,
                    }
                }
            }
        }
        values
    }

    /// A range scale: the value the bands are over, and one row per band. `None` when the
    /// decision names no output for the bands to give.
    fn scale(&mut self, cx: &mut Cx, scale: &ScaleSpec) -> Option<(Option<Expr>, Vec<Row>)> {
        let Some(slot) = self.single_output else {
            self.fail(cx, "a `scale:` decision needs `output:`");
            return None;
        };
        // An `output:` that is not this decision's was reported when declared.
        let output = self.output_index(slot);
        self.ok &= output.is_some();
        let of = cx.expr(self.file, &scale.of, &self.name, false);
        self.ok &= of.is_some();
        let mut rows = Vec::new();
        for band in &scale.bands {
            let b = &band.value;
            let rule = cx.rule_ids.declare(self.file, &b.id, cx.diags);
            if let (Some(from), Some(below)) = (b.from, b.below)
                && from >= below
            {
                let at = &band.referenced;
                cx.error(
                    self.file,
                    at.line() as usize,
                    at.column() as usize,
                    format!(
                        "band `{}` is empty: `from` ({from}) must be below `below` ({below})",
                        b.id.value
                    ),
                )
                .rule = Some(b.id.value.clone());
                self.ok = false;
            }
            let (Some(value), Some(output)) = (cx.value(self.file, &b.value, &b.id.value), output)
            else {
                self.ok = false;
                continue;
            };
            rows.push(Row {
                rule,
                condition: Condition::Band {
                    from: b.from,
                    below: b.below,
                },
                effective: self.window,
                values: vec![(output, value)],
                cells: None,
            });
        }
        Some((of, rows))
    }

    fn check_round(&mut self, cx: &mut Cx) {
        let Some(round) = &self.spec.round else {
            return;
        };
        let step = match round.value {
            RoundSpec::Down(s) | RoundSpec::Up(s) | RoundSpec::Nearest(s) => s,
        };
        if !(step.is_finite() && step > 0.0) {
            let at = &round.referenced;
            cx.error(
                self.file,
                at.line() as usize,
                at.column() as usize,
                "the rounding step must be a number above 0",
            )
            .rule = Some(self.name.clone());
            self.ok = false;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use crate::rules::{Bound, Condition, HitPolicy, RoundSpec, ValueExpr};
    use crate::value::Lit;

    fn decision_errors(decisions: &str) -> Vec<String> {
        errors(&[("a.yaml", &format!("decisions:\n{decisions}"))])
    }

    #[test]
    fn rows_give_values_by_output_index() {
        let set = loads(&[(
            "a.yaml",
            "decisions:\n  - name: terms\n    hit: unique\n    rules:\n      - { id: a, when: annual_sales > 100, then: { days: 60, note: big } }\n      - { id: b, when: annual_sales <= 100, then: { note: small, days: '= overdue_days * 2' } }\n",
        )]);
        let d = &set.decisions[0];
        assert_eq!(d.hit, HitPolicy::Unique);
        assert_eq!(d.outputs.len(), 2);
        let names: Vec<&str> = d.outputs.iter().map(|&s| set.slot_name(s)).collect();
        assert_eq!(names, ["days", "note"]);
        let indexes: Vec<Vec<usize>> = d
            .rows
            .iter()
            .map(|r| r.values.iter().map(|(k, _)| *k).collect())
            .collect();
        assert_eq!(indexes, [vec![0, 1], vec![1, 0]]);
        assert!(matches!(d.rows[1].values[1].1, ValueExpr::Formula(_)));
        assert!(!d.decimal);
    }

    #[test]
    fn a_scale_gives_bands_and_caps_and_rounding_apply_to_its_output() {
        let set = loads(&[(
            "a.yaml",
            "decisions:\n  - name: limit\n    output: limit\n    round: { down: 10 }\n    cap: { min: 0, max: '= annual_sales * 2' }\n    scale:\n      of: annual_sales\n      bands:\n        - { id: low, below: 100, value: 1.5 }\n        - { id: high, from: 100, value: 20 }\n",
        )]);
        let d = &set.decisions[0];
        assert_eq!(
            d.scale_of.as_ref().map(|e| e.text.as_str()),
            Some("annual_sales")
        );
        let bands: Vec<(Option<f64>, Option<f64>)> = d
            .rows
            .iter()
            .map(|r| match r.condition {
                Condition::Band { from, below } => (from, below),
                _ => panic!("a band"),
            })
            .collect();
        assert_eq!(bands, [(None, Some(100.0)), (Some(100.0), None)]);
        assert!(d.decimal, "a decimal constant makes the output decimal");
        assert!(matches!(d.round, Some(RoundSpec::Down(s)) if s == 10.0));
        let [min, max] = &d.caps[..] else {
            panic!("two caps: {:?}", d.caps)
        };
        assert!(min.bound == Bound::Min && matches!(min.value, ValueExpr::Const(Lit::Int(0))));
        assert!(max.bound == Bound::Max && matches!(max.value, ValueExpr::Formula(_)));
        assert_eq!(set.rule_ids[max.rule as usize], "limit.max");
    }

    #[test]
    fn the_keys_of_a_decision_must_fit_together() {
        assert_eq!(
            decision_errors(
                "  - name: c1\n    hit: collect\n    rules:\n      - { id: c1a, value: 1 }\n  - name: c2\n    aggregate: sum\n    output: o2\n    rules:\n      - { id: c2a, value: 1 }\n  - name: c3\n    cap: { min: 0 }\n    round: { down: 10 }\n    rules:\n      - { id: c3a, then: { o3: 1 } }\n  - name: c4\n    output: o4\n    rules:\n      - { id: c4a, value: 1 }\n    scale: { of: annual_sales, bands: [] }\n  - name: c5\n    output: o5\n"
            ),
            [
                "error rules/a.yaml:2:5 [c1]: a `collect` decision needs `output:` (the one output its rows' values add up to)",
                "error rules/a.yaml:5:9 [c1a]: `value:` needs the decision to name its `output:`; or use `then: { name: value }`",
                "error rules/a.yaml:7:16 [c2]: `aggregate` only applies to `hit: collect`",
                "error rules/a.yaml:11:5 [c3]: `cap`, `caps`, `capped_by` and `round` apply to a decision's single `output:`; add one, or split the decision",
                "error rules/a.yaml:16:5 [c4]: a decision has either `rules:` or `scale:` (one of the two)",
                "error rules/a.yaml:21:5 [c5]: a decision has either `rules:` or `scale:` (one of the two)",
            ]
        );
    }

    #[test]
    fn each_row_gives_its_outputs_one_way() {
        assert_eq!(
            decision_errors(
                "  - name: c6\n    output: o6\n    rules:\n      - { id: c6a, value: 1, then: { o6: 2 } }\n      - { id: c6b }\n      - { id: c6c, when: annual_sales >, value: 3 }\n  - name: c8\n    hit: collect\n    output: o8\n    rules:\n      - { id: c8a, then: { o8: 1 } }\n      - { id: c8b, value: 2 }\n"
            ),
            [
                "error rules/a.yaml:5:9 [c6a]: a row gives either `value:` or `then:`, not both",
                "error rules/a.yaml:6:9 [c6b]: this row gives no output: add `value:` or `then:`",
                "error rules/a.yaml:7:40 [c6c]: Script is incomplete",
                "error rules/a.yaml:12:9 [c8a]: rows of a `collect` decision give a `value:` (added up into the output)",
            ]
        );
    }

    /// An output that is not the decision's own is reported where it is declared, and the
    /// decision does not compile, however its rows give it (this used to index past the
    /// decision's outputs and panic).
    #[test]
    fn rows_never_give_an_output_that_is_not_the_decisions() {
        let declared = |name: &str, line: usize, column: usize, what: &str| {
            format!(
                "error rules/a.yaml:{line}:{column}{what}",
                what = what.replace("NAME", name)
            )
        };
        let cases = [
            (
                "annual_sales",
                " [d]: `NAME` is both a column of the customer source and an output of decision `d` | help: rename the output, or drop or rename the column, or select other columns with `customers.query`",
            ),
            (
                "m",
                ": `NAME` is already a metric (at rules/a.yaml:2:6); names must be unique",
            ),
            (
                "p",
                ": `NAME` is already a population figure (at rules/a.yaml:4:6); names must be unique",
            ),
            (
                "tier",
                ": output `NAME` is already produced by decision `tier` (at rules/a.yaml:8:55) | help: each output comes from exactly one decision",
            ),
        ];
        let shapes = [
            "    rules:\n      - { id: r1, when: annual_sales > 1, value: 1 }\n      - { id: r2, value: 2 }\n",
            "    hit: collect\n    rules:\n      - { id: r1, value: 1 }\n",
            "    round: { down: 10 }\n    cap: { max: 100 }\n    scale:\n      of: annual_sales\n      bands:\n        - { id: r1, below: 10, value: 1 }\n        - { id: r2, from: 10, value: 2 }\n",
        ];
        for (name, what) in cases {
            for shape in shapes {
                let yaml = format!(
                    "metrics:\n  m: 1\npopulation:\n  p: {{ rank_of: annual_sales }}\n{DECISION}  - name: d\n    output: {name}\n{shape}"
                );
                let output_line = yaml
                    .lines()
                    .position(|l| l.starts_with("    output:"))
                    .unwrap()
                    + 1;
                assert_eq!(
                    errors(&[("a.yaml", &yaml)]),
                    [declared(name, output_line, 13, what)],
                    "{yaml}"
                );
            }
        }
    }

    #[test]
    fn by_names_an_output_of_a_max_or_min_decision() {
        let d = |hit: &str, by: &str| {
            format!(
                "decisions:\n  - name: d\n    hit: {hit}\n    by: {by}\n    rules:\n      - {{ id: r, then: {{ a: 1, b: 2 }} }}\n"
            )
        };
        assert_eq!(
            errors(&[("a.yaml", &d("first", "a"))]),
            [
                "error rules/a.yaml:4:9 [d]: `by:` goes with `hit: max` or `hit: min`, not `hit: first`"
            ]
        );
        assert_eq!(
            errors(&[("a.yaml", &d("min", "c"))]),
            [
                "error rules/a.yaml:4:9 [d]: `by: c` is not an output of this decision (they are: a, b)"
            ]
        );
        let set = loads(&[("a.yaml", &d("min", "b"))]);
        assert_eq!(set.decisions[0].by, Some(1));
    }

    #[test]
    fn a_cap_whose_min_is_above_its_max_is_an_error() {
        assert_eq!(
            errors(&[(
                "a.yaml",
                "decisions:\n  - name: discount\n    output: discount_pct\n    cap: { min: 12, max: 5 }\n    rules:\n      - { id: d, value: 3 }\n",
            )]),
            [
                "error rules/a.yaml:4:17 [discount.min]: cap `min` 12 is above `max` 5: every customer would get 5; swap them"
            ]
        );
    }

    #[test]
    fn bands_caps_and_rounding_steps_are_checked() {
        assert_eq!(
            decision_errors(
                "  - name: c9\n    scale: { of: annual_sales, bands: [ { id: c9a, value: 1 } ] }\n  - name: c10\n    output: o10\n    round: { nearest: 0 }\n    cap: { min: abc, max: '= bogus' }\n    scale:\n      of: annual_sales\n      bands:\n        - { id: c10a, from: 200, below: 100, value: 2 }\n        - { id: c10b, from: 100, value: '= annual_sales +' }\n"
            ),
            [
                "error rules/a.yaml:2:5 [c9]: a `scale:` decision needs `output:`",
                "error rules/a.yaml:11:11 [c10a]: band `c10a` is empty: `from` (200) must be below `below` (100)",
                "error rules/a.yaml:12:58 [c10b]: Script is incomplete",
                "error rules/a.yaml:7:17 [c10.min]: cap `min` must be a number or an `=` formula",
                "error rules/a.yaml:7:30 [c10.max]: unknown name `bogus` | help: a name must be a column of the customer source, a metric, a population figure or a decision's output",
                "error rules/a.yaml:6:12 [c10]: the rounding step must be a number above 0",
            ]
        );
    }
}
