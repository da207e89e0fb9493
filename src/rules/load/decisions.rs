//! Decision tables: the shape of a decision (hit policy, `output:`, `rules:` or `scale:`),
//! its rows and their values, range scales and their bands, caps and rounding. Every row,
//! band and cap gets its rule id here, in the order written.

use super::compile::Cx;
use super::consistent;
use super::grid::GivenCell;
use crate::diag::SourceFile;
use crate::rules::hit::RanksBy;
use crate::rules::model::{DecisionSpec, EffectiveSpec, RowSpec, ScaleSpec};
use crate::rules::{Condition, Decision, Expr, Row, Slot, ValueExpr, Window};
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
        let day = text.value.trim();
        match Date::parse(day) {
            // A time would be dropped: a rule is in effect for whole days (`--as-of` is a day).
            // Midnight, as exports write a date, is the day.
            Some(d) if day.len() > 10 && !midnight(&day[11..]) => {
                let at = &text.referenced;
                let message = format!(
                    "`{day}` has a time of day: an `effective:` date is a whole day (runs are as of a day), and the time would be dropped"
                );
                let help = format!(
                    "write `{d}`; a change at a time of day takes effect from the next day's runs (`from: {}`)",
                    d.add_days(1).unwrap_or(d)
                );
                let d = cx.error_at(file, at, message);
                d.help = Some(help);
                d.rule = Some(owner.to_owned());
                Err(())
            }
            Some(d) => Ok(Some(d)),
            None => {
                let at = &text.referenced;
                let d = cx.error_at(file, at, crate::script::dates::not_a_date(&text.value));
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
        cx.error_at(
            file,
            at,
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

/// `00:00`, `00:00:00` or `00:00:00.000` (no offset): the start of a day, as a date
/// exported with a time reads.
fn midnight(time: &str) -> bool {
    let digits = time.trim().replace([':', '.'], "");
    !digits.is_empty() && digits.bytes().all(|c| c == b'0')
}

/// Where a value is written.
fn at_of<T>(v: &Spanned<T>) -> (usize, usize) {
    (v.referenced.line() as usize, v.referenced.column() as usize)
}

/// A key of a `{ ... }` mapping written without its `:` and value (`{ note: x, y }`: the
/// comma ended `note`'s text, and `y` became an output of its own, NULL for everyone): an
/// error at the key. `y: null`, `y: ~` and a block mapping's empty `y:` are NULL meant.
fn keyless(
    file: &Arc<SourceFile>,
    key: &str,
    value: &Spanned<Literal>,
) -> Option<crate::diag::Diagnostic> {
    if !matches!(value.value, Literal::Null) {
        return None;
    }
    let (line, column) = at_of(value);
    let text = file.line(line)?;
    let chars: Vec<char> = text.chars().collect();
    let before: String = chars[..column.saturating_sub(1).min(chars.len())]
        .iter()
        .collect();
    let before = before.trim_end();
    // A block mapping's `key:` with nothing after: the place is at (or after) its `:`.
    let at_colon = chars.get(column.saturating_sub(1)) == Some(&':');
    if at_colon || before.ends_with(':') || !before.ends_with(key) {
        return None;
    }
    let at = before.chars().count() - key.chars().count() + 1;
    let mut d = crate::diag::Diagnostic::error(
        file,
        line,
        at,
        format!(
            "`{key}` is written without a value: in `{{ ... }}` a comma ends a value, so `{key}` became an output of its own, NULL for every customer"
        ),
    );
    d.width = key.chars().count();
    d.help = Some(format!(
        "to give text with a comma, quote it (`\"..., {key}\"`); for NULL on purpose write `{key}: null`"
    ));
    Some(d)
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
    let declared = super::declared::compile(cx, file, d, &t.outputs);
    t.ok &= declared.is_some();
    let declared = declared.unwrap_or_default();
    let mut rows: Vec<Row> = d.rules.iter().map(|row| t.row(cx, row)).collect();
    let mut grid_given = Vec::new();
    if let Some(grid) = &d.grid {
        let values: Vec<Vec<Lit>> = declared
            .index
            .iter()
            .map(|&i| declared.values[i].clone())
            .collect();
        let decl = super::grid::Decl {
            file,
            name: &t.name,
            outputs: &d.outputs,
            values: &values,
            index: &declared.index,
            window: t.window,
        };
        match (declared.index.len() == d.outputs.len())
            .then(|| super::grid::compile(cx, &decl, grid))
            .flatten()
        {
            Some(g) => (rows, grid_given) = (g.rows, g.given),
            None => t.ok = false,
        }
    }
    let mut scale_of = None;
    if let Some(scale) = &d.scale {
        let (of, bands) = t.scale(cx, scale)?;
        scale_of = of;
        rows.extend(bands);
    }
    let by = t.by(cx);
    let caps = super::caps::compile(cx, file, &t.name, d);
    t.ok &= caps.is_some();
    t.check_round(cx);
    if t.ok {
        t.ok = t.check_kinds(cx, &rows, &grid_given, &declared.defaults);
    }
    let bounded_output = t.bounded_output(d);
    let decimal = rows.iter().any(|r| {
        r.values
            .iter()
            .any(|(_, v)| matches!(v, ValueExpr::Const(Lit::Float(_))))
    });
    t.ok.then(|| Decision {
        decimal,
        name: t.name,
        hit: d.hit(),
        aggregate: d.aggregate.as_ref().map(|a| a.value),
        by,
        outputs: t.outputs,
        scale_of,
        rows,
        round: d.round.as_ref().map(|r| r.value),
        bounded_output,
        caps: caps.unwrap_or_default(),
        capped_by: cx.symbols.decisions.get(index).and_then(|d| d.capped_by),
        output_values: declared.values,
        defaults: declared.defaults,
    })
}

impl Table<'_> {
    /// Reports a problem of the whole decision (at its start), in its name.
    fn fail(&mut self, cx: &mut Cx, msg: &str) {
        cx.error(self.file, self.at.0, self.at.1, msg).rule = Some(self.name.clone());
        self.ok = false;
    }

    /// A mistake the hit policy makes: at `hit:` where it is written.
    fn fail_at_hit(&mut self, cx: &mut Cx, msg: &str) {
        match &self.spec.hit {
            Some(hit) => {
                cx.error_at(self.file, &hit.referenced, msg).rule = Some(self.name.clone());
                self.ok = false;
            }
            None => self.fail(cx, msg),
        }
    }

    /// Checks what the decision's keys allow together; `false` when its rows cannot even be
    /// read (neither or both of `rules:` and `scale:`).
    fn check_shape(&mut self, cx: &mut Cx) -> bool {
        let d = self.spec;
        let combines = d.hit().shape().combines_values;
        if combines && d.output.is_none() {
            self.fail_at_hit(
                cx,
                &format!(
                    "a `{}` decision needs `output:` (the one output its rows' values add up to)",
                    d.hit().name()
                ),
            );
        }
        if !combines && let Some(aggregate) = &d.aggregate {
            let a = &aggregate.referenced;
            cx.error_at(self.file, a, "`aggregate` only applies to `hit: collect`")
                .rule = Some(self.name.clone());
            self.ok = false;
        }
        let bounded = d.cap.is_some() || !d.caps.is_empty() || d.capped_by.is_some();
        if (bounded || d.round.is_some()) && d.output.is_none() {
            self.fail(cx, "`cap`, `caps`, `capped_by` and `round` apply to the output the decision names in `output:`; add it (`output: credit_limit`)");
        }
        if let Some(by) = &d.capped_by
            && d.cap.is_none()
            && d.caps.is_empty()
        {
            let at = &by.referenced;
            cx.error_at(self.file, at, "`capped_by` names the cap that bound, and this decision has none: add `caps:` (or `cap:`), or remove `capped_by`")
                .rule = Some(self.name.clone());
            self.ok = false;
        }
        if d.hit().shape().ranks_by == RanksBy::DeclaredValues
            && d.outputs.iter().all(|o| o.value.values.is_empty())
        {
            self.fail_at_hit(
                cx,
                &format!(
                    "`hit: {}` ranks rows by their outputs' declared values: declare them, e.g. `outputs: [{{ name: risk, values: [high, medium, low] }}]`",
                    d.hit().name()
                ),
            );
        }
        if d.grid.is_some() {
            return self.check_grid_shape(cx);
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

    /// A `grid:` is the decision's only table, and names its output columns in `outputs:`.
    fn check_grid_shape(&mut self, cx: &mut Cx) -> bool {
        let d = self.spec;
        if !d.rules.is_empty() || d.scale.is_some() {
            self.fail(
                cx,
                "a decision has one of `grid:`, `rules:` or `scale:`, not several",
            );
            return false;
        }
        if d.outputs.is_empty() {
            self.fail(
                cx,
                "a `grid:` needs `outputs:`, the names of its output columns (the last columns of its header)",
            );
            return false;
        }
        if d.hit().shape().combines_values && d.outputs.len() > 1 {
            let message = format!(
                "a `{}` grid has one output column, the values it combines: declare only its `output:` in `outputs:`",
                d.hit().name()
            );
            self.fail(cx, &message);
            return false;
        }
        true
    }

    /// With `hit: max` / `min`, the output compared (`by:`, or the single output); `by:` is
    /// an error with any other policy.
    fn by(&mut self, cx: &mut Cx) -> Option<usize> {
        let d = self.spec;
        let wins = match d.hit().shape().ranks_by {
            RanksBy::Largest => Some("largest"),
            RanksBy::Smallest => Some("smallest"),
            _ => None,
        };
        let best = wins.is_some();
        let Some(by) = &d.by else {
            if let Some(wins) = wins
                && self.outputs.len() > 1
            {
                let msg = format!(
                    "`hit: {}` with several outputs needs `by:`, the output whose {wins} value wins",
                    d.hit().name(),
                );
                self.fail_at_hit(cx, &msg);
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
                d.hit().name()
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
        cx.error_at(self.file, at, message).rule = Some(self.name.clone());
        self.ok = false;
        None
    }

    /// Every output gives one kind of value, one its hit policy combines (see
    /// [`consistent`]). Only when every row compiled: the rows' values then line up with
    /// the values as written.
    fn check_kinds(
        &self,
        cx: &mut Cx,
        rows: &[Row],
        grid: &[GivenCell],
        defaults: &[Option<ValueExpr>],
    ) -> bool {
        let d = self.spec;
        let mut given: Vec<consistent::Given> = grid
            .iter()
            .map(|g| consistent::Given {
                output: g.output,
                row: &g.row,
                written: &g.written,
                at: g.at,
                value: &g.value,
            })
            .collect();
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
        // An output's `default:` is one more value it gives.
        for spec in &d.outputs {
            let Some(written) = &spec.value.default else {
                continue;
            };
            let slot = cx.symbols.slot(&spec.value.name);
            let Some(k) = slot.and_then(|s| self.output_index(s)) else {
                continue;
            };
            let Some(value) = defaults.get(k).and_then(Option::as_ref) else {
                continue;
            };
            given.push(consistent::Given {
                output: k,
                row: "default",
                written: &written.value,
                at: at_of(written),
                value,
            });
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
            hit: d.hit(),
            aggregate: d.aggregate.as_ref().map(|a| a.value),
            bounded_output: self.bounded_output(d),
            outputs: &self.outputs,
            // Outputs that declare their `values:` say what their texts are.
            declared_values: (d.outputs.iter())
                .filter(|o| !o.value.values.is_empty())
                .filter_map(|o| cx.symbols.slot(&o.value.name))
                .filter_map(|s| self.output_index(s))
                .collect(),
        };
        consistent::check(cx, &table, &given)
    }

    /// The output `round:` and the caps apply to (the `output:`), by index into its outputs;
    /// `None` without them.
    fn bounded_output(&self, d: &DecisionSpec) -> Option<usize> {
        (d.round.is_some() || d.cap.is_some() || !d.caps.is_empty())
            .then(|| self.single_output.and_then(|s| self.output_index(s)))
            .flatten()
    }

    /// The position of `slot` among the decision's outputs.
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
                if d.hit().shape().combines_values {
                    fail(
                        self,
                        cx,
                        &format!(
                            "rows of a `{}` decision give a `value:` (added up into the output)",
                            d.hit().name()
                        ),
                    );
                }
                for (out, value) in &then.0 {
                    // An output that is not this decision's was reported when declared.
                    let Some(i) = cx.symbols.slot(out).and_then(|s| self.output_index(s)) else {
                        self.ok = false;
                        continue;
                    };
                    if let Some(mut d) = keyless(self.file, out, value) {
                        d.rule = Some(id.to_owned());
                        cx.diags.push(d);
                        self.ok = false;
                        continue;
                    }
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
                cx.error_at(
                    self.file,
                    at,
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
        let step = round.value.step();
        if !(step.is_finite() && step > 0.0) {
            let at = &round.referenced;
            cx.error_at(self.file, at, "the rounding step must be a number above 0")
                .rule = Some(self.name.clone());
            self.ok = false;
        } else if step < 1e-9 {
            // A step this small means no rounding (a subnormal one, 1e-320, makes every
            // amount divided by it infinite).
            let at = &round.referenced;
            cx.error_at(
                self.file,
                at,
                format!("the rounding step {step:e} is too small: a step is 0.000000001 or more (a cent is 0.01)"),
            )
            .rule = Some(self.name.clone());
            self.ok = false;
        }
    }
}

#[cfg(test)]
#[path = "decisions_tests.rs"]
mod tests;
