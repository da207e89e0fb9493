//! `grid:`, a decision table written as a grid: a header line, then a line per rule, cells
//! split by `|` (a `||` is never a split). Each rule becomes an ordinary [`Row`] whose
//! condition is one expression built from its input cells ([`lower`]), so the type check,
//! the fast path, the lints and run-time errors treat it as if written in `when:`, and
//! every character of it points back at its header or cell.
//!
//! The header: an optional first column `id`, then the input columns (each an expression:
//! a field, a metric, an earlier output, anything), then the output columns (the names of
//! `outputs:`, last, in any order). Rule ids come from the `id` column, or are
//! `<decision>-<n>` (n: the rule's line among the rules, from 1).

mod cells;
mod lower;

use super::compile::Cx;
use crate::diag::{SourceFile, yaml};
use crate::rules::model::OutputSpec;
use crate::rules::{CharMap, Condition, Expr, GridCell, Origin, Row, ValueExpr, Window};
use crate::value::{Lit, Literal};
use cells::{Out, Test, Val};
use lower::{Built, Pos, Written};
use serde_saphyr::Spanned;
use std::sync::Arc;

/// An output value a grid cell gives, for the check that each output has one kind.
pub(super) struct GivenCell {
    pub output: usize,
    pub row: String,
    pub written: Literal,
    pub at: Pos,
    pub value: ValueExpr,
}

/// What a grid compiled to.
pub(super) struct Grid {
    pub rows: Vec<Row>,
    pub given: Vec<GivenCell>,
}

/// What a grid is compiled against: its decision.
pub(super) struct Decl<'s> {
    pub file: &'s Arc<SourceFile>,
    pub name: &'s str,
    pub outputs: &'s [Spanned<OutputSpec>],
    /// The declared values of each output, by index into `outputs` (empty: any).
    pub values: &'s [Vec<Lit>],
    /// The index into the decision's outputs of each entry of `outputs`.
    pub index: &'s [usize],
    pub window: Option<Window>,
}

/// The columns of a grid, read from its header.
struct Header {
    id: bool,
    /// Input columns: (index of the cell, its expression).
    inputs: Vec<(usize, Written)>,
    /// Output columns: (index of the cell, index into `outputs:`).
    outputs: Vec<(usize, usize)>,
}

/// Compiles the grid; `None` when anything is wrong (each problem reported).
pub(super) fn compile(cx: &mut Cx, d: &Decl, grid: &Spanned<String>) -> Option<Grid> {
    let lines = split(d.file, grid);
    let Some((header_line, rules)) = lines.split_first() else {
        let at = &grid.referenced;
        cx.error_at(d.file, at,
            "the grid is empty: its first line is the header (`id | input ... | output ...`), then one line per rule",
        )
        .rule = Some(d.name.to_owned());
        return None;
    };
    let header = header(cx, d, header_line)?;
    if rules.is_empty() {
        let at = header_line.start;
        cx.error(d.file, at.0, at.1, "the grid has a header but no rules: add one line per rule under it (a customer no rule matches gets NULL, or the output's `default:`)")
            .rule = Some(d.name.to_owned());
        return None;
    }
    let sound = check_inputs(cx, d, &header);
    let mut ok = sound;
    let mut grid = Grid {
        rows: Vec::new(),
        given: Vec::new(),
    };
    for (n, line) in rules.iter().enumerate() {
        match row(cx, d, &header, line, n + 1, sound) {
            Some((row, given)) => {
                grid.rows.push(row);
                grid.given.extend(given);
            }
            None => ok = false,
        }
    }
    ok.then_some(grid)
}

/// One line of the grid: its cells.
struct Line {
    cells: Vec<Written>,
    start: Pos,
}

/// The grid's non-blank lines, split into trimmed cells with their file positions.
fn split(file: &SourceFile, grid: &Spanned<String>) -> Vec<Line> {
    let raw = &grid.value;
    let loc = &grid.referenced;
    let fallback = (loc.line() as usize, loc.column() as usize);
    let positions = loc
        .span()
        .byte_offset()
        .and_then(|offset| yaml::scalar_positions(&file.text, offset as usize, raw))
        .unwrap_or_else(|| vec![fallback; raw.chars().count()]);
    let chars: Vec<char> = raw.chars().collect();
    // A header that starts with `|` makes it a Markdown table: outer bars on every line.
    let markdown = chars.iter().find(|c| !c.is_whitespace()) == Some(&'|')
        && chars.iter().skip_while(|c| c.is_whitespace()).nth(1) != Some(&'|');
    let mut lines = Vec::new();
    let mut k = 0;
    while k < chars.len() {
        let end = (k..chars.len())
            .find(|&e| chars[e] == '\n')
            .unwrap_or(chars.len());
        if let Some((from, to)) = row_range(&chars, k, end, markdown) {
            lines.push(split_line(&chars, &positions, from, to));
        }
        k = end + 1;
    }
    lines
}

/// The cells' part of line `from..to`: `None` for a blank line. In a Markdown table
/// (`markdown`), `None` for its separator line (`---|:---|---`) too, and the outer `|` at
/// either end are left out, so a grid pasted from Markdown reads as it looks.
fn row_range(chars: &[char], from: usize, to: usize, markdown: bool) -> Option<(usize, usize)> {
    let line = &chars[from..to];
    if line.iter().all(|c| c.is_whitespace()) {
        return None;
    }
    if !markdown {
        return Some((from, to));
    }
    if line.contains(&'-')
        && line
            .iter()
            .all(|c| matches!(c, '-' | '|' | ':' | ' ' | '\t'))
    {
        return None;
    }
    let first = from + line.iter().position(|c| !c.is_whitespace())?;
    let last = from + line.iter().rposition(|c| !c.is_whitespace())?;
    let single = |k: usize| {
        chars[k] == '|' && chars.get(k + 1) != Some(&'|') && (k == 0 || chars[k - 1] != '|')
    };
    let start = if single(first) { first + 1 } else { from };
    let end = if last > first && single(last) {
        last
    } else {
        to
    };
    Some((start, end))
}

/// Characters `from..to` of the grid split at each single `|`.
fn split_line(chars: &[char], at: &[Pos], from: usize, to: usize) -> Line {
    let is_bar = |k: usize| {
        chars[k] == '|'
            && (k == from || chars[k - 1] != '|')
            && (k + 1 >= to || chars[k + 1] != '|')
    };
    let mut cells = Vec::new();
    let mut start = from;
    for k in from..=to {
        if k == to || is_bar(k) {
            cells.push(cell(chars, at, start, k));
            start = k + 1;
        }
    }
    let start = cells.first().map_or(at[from], |c: &Written| c.start);
    Line { cells, start }
}

/// The trimmed text of characters `from..to` and where each is.
fn cell(chars: &[char], at: &[Pos], from: usize, to: usize) -> Written {
    let first = (from..to).find(|&k| !chars[k].is_whitespace());
    let last = (from..to).rev().find(|&k| !chars[k].is_whitespace());
    match (first, last) {
        (Some(a), Some(b)) => Written {
            text: chars[a..=b].iter().collect(),
            at: at[a..=b].to_vec(),
            start: at[a],
        },
        _ => {
            let start = at.get(from.min(at.len().saturating_sub(1))).copied();
            Written {
                text: String::new(),
                at: Vec::new(),
                start: start.unwrap_or_default(),
            }
        }
    }
}

/// The header's columns: `id`, inputs, outputs (reported when they do not fit `outputs:`).
fn header(cx: &mut Cx, d: &Decl, line: &Line) -> Option<Header> {
    // A table pasted from a spreadsheet keeps its tabs: one cell holding them all.
    if let [only] = &line.cells[..]
        && only.text.contains('\t')
    {
        let e = cx.error(
            d.file,
            line.start.0,
            line.start.1,
            "the grid's cells are separated by tabs (a table pasted from a spreadsheet?): a grid separates them with `|`".to_owned(),
        );
        e.rule = Some(d.name.to_owned());
        e.help = Some(format!(
            "write the header as `{}`, and each row alike",
            only.text
                .split('\t')
                .map(str::trim)
                .collect::<Vec<_>>()
                .join(" | ")
        ));
        return None;
    }
    let id = line.cells.first().is_some_and(|c| c.text == "id");
    let suffix = cx
        .exprs
        .bindings
        .first()
        .map(|(_, item)| format!("_{item}"));
    let output_of = |text: &str| {
        d.outputs.iter().position(|o| {
            let name = &o.value.name;
            match &suffix {
                Some(s) => name.strip_suffix(s.as_str()) == Some(text),
                None => name == text,
            }
        })
    };
    let names = || {
        let names: Vec<&str> = d.outputs.iter().map(|o| o.value.name.as_str()).collect();
        names.join(", ")
    };
    let mut h = Header {
        id,
        inputs: Vec::new(),
        outputs: Vec::new(),
    };
    let mut ok = true;
    let mut fail = |cx: &mut Cx, at: Pos, message: String| {
        cx.error(d.file, at.0, at.1, message).rule = Some(d.name.to_owned());
        ok = false;
    };
    for (k, c) in line.cells.iter().enumerate().skip(id as usize) {
        match output_of(&c.text) {
            Some(o) if h.outputs.iter().any(|(_, p)| *p == o) => {
                fail(cx, c.start, format!("output `{}` has two columns", c.text));
            }
            Some(o) => h.outputs.push((k, o)),
            None if c.text.is_empty() => fail(
                cx,
                c.start,
                "this column of the header is empty: name its input (an expression) or output"
                    .into(),
            ),
            None if !h.outputs.is_empty() => fail(
                cx,
                c.start,
                format!(
                    "`{}` is not one of the outputs declared in `outputs:` ({}): the output columns come last",
                    c.text,
                    names()
                ),
            ),
            None => h.inputs.push((k, c.clone())),
        }
    }
    if h.outputs.is_empty() {
        // Most often a typo in an output's name: point at the column that was meant.
        let declared: Vec<&str> = d.outputs.iter().map(|o| o.value.name.as_str()).collect();
        let meant = h.inputs.iter().rev().find_map(|(_, c)| {
            crate::diag::suggest(&c.text, declared.iter().copied()).map(|s| (c.start, &c.text, s))
        });
        match meant {
            Some((at, written, name)) => fail(
                cx,
                at,
                format!(
                    "`{written}` is not an output declared in `outputs:` ({}): did you mean `{name}`?",
                    names()
                ),
            ),
            None => fail(
                cx,
                line.start,
                format!(
                    "the grid's header has no output column: its last columns are the outputs declared in `outputs:` ({})",
                    names()
                ),
            ),
        }
    } else {
        for (o, spec) in d.outputs.iter().enumerate() {
            if !h.outputs.iter().any(|(_, p)| *p == o) {
                let message = format!(
                    "output `{}` is declared in `outputs:` but has no column in the grid",
                    spec.value.name
                );
                fail(cx, line.start, message);
            }
        }
    }
    ok.then_some(h)
}

/// Compiles each input column's expression alone, so that a mistake in the header is
/// reported once, at the header, even when no row tests the column. `false` when one fails.
fn check_inputs(cx: &mut Cx, d: &Decl, h: &Header) -> bool {
    let mut ok = true;
    for (_, input) in &h.inputs {
        let mut built = Built::default();
        built.push_mapped(&input.text, &input.at);
        let (noted, operations) = (cx.exprs.comparisons.len(), cx.exprs.operations.len());
        ok &= expr(cx, d.file, built, d.name, true).is_some();
        // The rows note the comparisons again, with their cells.
        cx.exprs.comparisons.truncate(noted);
        cx.exprs.operations.truncate(operations);
    }
    ok
}

/// Compiles built text (with a `for_each` copy's substitutions) as owned by `owner`;
/// `report`: errors go to the diagnostics, else they are dropped (and nothing is noted).
fn expr(
    cx: &mut Cx,
    file: &Arc<SourceFile>,
    built: Built,
    owner: &str,
    report: bool,
) -> Option<Expr> {
    let (body, from) = super::place::substitute(&built.body, &cx.exprs.bindings);
    let at: Vec<Pos> = from.iter().map(|&k| built.at[k]).collect();
    let start = at.first().copied().unwrap_or_default();
    let origin = Origin {
        file: file.clone(),
        line: start.0,
        column: start.1,
        chars: Some(Arc::new(CharMap {
            body: body.clone(),
            at,
        })),
    };
    if report {
        return cx.exprs.compile_at(cx.diags, origin, &body, owner);
    }
    let (noted, operations) = (cx.exprs.comparisons.len(), cx.exprs.operations.len());
    let e = cx
        .exprs
        .compile_at(&mut super::Sink::default(), origin, &body, owner);
    cx.exprs.comparisons.truncate(noted);
    cx.exprs.operations.truncate(operations);
    e
}

/// One rule line: its row and the output values it gives; `None` when something is wrong
/// (reported). `compile`: the header is sound, so the condition can be compiled.
fn row(
    cx: &mut Cx,
    d: &Decl,
    h: &Header,
    line: &Line,
    n: usize,
    compile: bool,
) -> Option<(Row, Vec<GivenCell>)> {
    let width = h.inputs.len() + h.outputs.len() + h.id as usize;
    if line.cells.len() != width {
        let n = line.cells.len();
        let message = format!(
            "this line of the grid has {n} cell{}, but the header has {width}",
            if n == 1 { "" } else { "s" }
        );
        let e = cx.error(d.file, line.start.0, line.start.1, message);
        e.rule = Some(d.name.to_owned());
        // Cells pasted from a spreadsheet come separated by tabs.
        if line.cells.iter().any(|c| c.text.contains('\t')) {
            e.help = Some(
                "tabs separate cells on this line (pasted from a spreadsheet?): a grid's cells are separated by `|`; replace each tab with ` | `"
                    .into(),
            );
        }
        return None;
    }
    let id = rule_id(cx, d, h, line, n)?;
    let rule = cx.rule_ids.declare_at(d.file, &id, line.start, cx.diags);
    let mut ok = true;
    let mut tests = Vec::new();
    for (k, input) in &h.inputs {
        let c = &line.cells[*k];
        match cells::input(&c.text) {
            Ok(t) => tests.push((input, c, t)),
            Err(e) => {
                cell_error(cx, d.file, c, e, &id);
                ok = false;
            }
        }
    }
    let (values, given) = outputs(cx, d, h, line, &id);
    if !(ok && compile) {
        return None;
    }
    let mut built = Built::default();
    for (input, c, t) in tests.iter().filter(|(_, _, t)| *t != Test::Any) {
        if !built.body.is_empty() {
            built.push(" && ", c.start);
        }
        lower::lower(&mut built, input, t, c);
    }
    let condition = if built.body.is_empty() {
        Condition::Always
    } else {
        Condition::When(expr(cx, d.file, built, &id, true)?)
    };
    let values = values?;
    let cells = tests
        .iter()
        .map(|(input, c, t)| grid_cell(cx, d.file, input, c, t, &id))
        .collect();
    let row = Row {
        rule,
        condition,
        effective: d.window,
        values,
        cells: Some(cells),
    };
    Some((row, given))
}

/// The row's id: its `id` cell, or `<decision>-<n>` (a `for_each` copy's with `@<item>`).
fn rule_id(cx: &mut Cx, d: &Decl, h: &Header, line: &Line, n: usize) -> Option<String> {
    if h.id {
        let c = &line.cells[0];
        if c.text.is_empty() {
            cx.error(
                d.file,
                c.start.0,
                c.start.1,
                "this rule has no id: the grid has an `id` column, so every rule needs one",
            )
            .rule = Some(d.name.to_owned());
            return None;
        }
        return Some(match d.name.split_once('@') {
            Some((_, item)) => format!("{}@{item}", c.text),
            None => c.text.clone(),
        });
    }
    Some(match d.name.split_once('@') {
        Some((name, item)) => format!("{name}-{n}@{item}"),
        None => format!("{}-{n}", d.name),
    })
}

/// Reports a cell that cannot be read, at the character it is about.
fn cell_error(cx: &mut Cx, file: &SourceFile, c: &Written, e: cells::CellError, id: &str) {
    let (line, column) = c.pos(e.at);
    cx.error(file, line, column, e.message).rule = Some(id.to_owned());
}

/// An input cell for `explain`: the test in words and its own condition.
fn grid_cell(
    cx: &mut Cx,
    file: &Arc<SourceFile>,
    input: &Written,
    c: &Written,
    t: &Test,
    id: &str,
) -> GridCell {
    let test = (*t != Test::Any).then(|| {
        let mut built = Built::default();
        lower::lower(&mut built, input, t, c);
        built
    });
    let column = &input.text;
    let text = &c.text;
    let shown = match t {
        Test::Any => format!("{column} = -"),
        Test::Formula(_) => text.clone(),
        Test::Null => format!("{column} is null"),
        Test::Range { .. } | Test::List(_) | Test::OneOf(_) => format!("{column} in {text}"),
        Test::Not(_) => format!("{column} {text}"),
        Test::Cmp { op_at, val, .. } if *op_at == val.at => format!("{column} = {text}"),
        Test::Cmp { .. } => format!("{column} {text}"),
    };
    GridCell {
        column: column.clone(),
        shown,
        test: test.and_then(|b| expr(cx, file, b, id, false)),
    }
}

/// A rule's output cells: its values by output index (`None` when one is wrong, reported)
/// and the constants and formulas it gives, for the kind check.
fn outputs(
    cx: &mut Cx,
    d: &Decl,
    h: &Header,
    line: &Line,
    id: &str,
) -> (Option<Vec<(usize, ValueExpr)>>, Vec<GivenCell>) {
    let mut values = Some(Vec::new());
    let mut given = Vec::new();
    for &(k, o) in &h.outputs {
        let c = &line.cells[k];
        let value = match cells::output(&c.text) {
            Err(e) => {
                cell_error(cx, d.file, c, e, id);
                None
            }
            Ok(Out::Nothing) => continue,
            Ok(Out::Null) => Some(ValueExpr::Const(Lit::Null)),
            Ok(Out::Const(v)) => constant(cx, d, o, c, &v, id).map(ValueExpr::Const),
            Ok(Out::List(items)) => {
                let mut list = Some(Vec::with_capacity(items.len()));
                for item in &items {
                    let lit = match item {
                        Some(v) => constant(cx, d, o, c, v, id),
                        None => Some(Lit::Null),
                    };
                    match (lit, list.as_mut()) {
                        (Some(lit), Some(list)) => list.push(lit),
                        _ => list = None,
                    }
                }
                list.map(|items| ValueExpr::Const(Lit::List(items)))
            }
            Ok(Out::Formula(f)) => {
                let mut built = Built::default();
                built.push_mapped(&f.v, c.from(f.at));
                expr(cx, d.file, built, id, true).map(ValueExpr::Formula)
            }
        };
        match (value, values.as_mut()) {
            (Some(v), Some(all)) => {
                let o = d.index[o];
                given.push(GivenCell {
                    output: o,
                    row: id.to_owned(),
                    written: written(&c.text),
                    at: c.start,
                    value: v.clone(),
                });
                all.push((o, v));
            }
            (Some(_), None) => {}
            (None, _) => values = None,
        }
    }
    // A rule that gives nothing at all is a slip (an output cell left empty), as a `rules:`
    // row without `value:` or `then:` is: NULL is written `null`.
    if values.as_ref().is_some_and(Vec::is_empty)
        && let Some(&(k, _)) = h.outputs.first()
    {
        let c = &line.cells[k];
        let diag = cx.error(
            d.file,
            c.start.0,
            c.start.1,
            "this rule gives no output: its output cells are empty (or `-`); write a value, or `null` to give NULL",
        );
        diag.rule = Some(id.to_owned());
        values = None;
    }
    (values, given)
}

/// An output cell's constant, which must be one of the output's `values:` when it has some.
fn constant(cx: &mut Cx, d: &Decl, o: usize, c: &Written, v: &Val, id: &str) -> Option<Lit> {
    // Quoted, it is text on purpose.
    if let Val::Text(t) = v
        && !c.text.trim_start().starts_with(['"', '\''])
        && let Some(iso) = local_date(t)
    {
        let e = cx.error(
            d.file,
            c.start.0,
            c.start.1,
            format!("`{t}` is text, not a date"),
        );
        e.severity = crate::diag::Severity::Warning;
        e.rule = Some(id.to_owned());
        e.width = c.text.chars().count();
        e.help = Some(format!(
            "a date is written {iso}, which the rules read as a date (a date output compares, sorts and is stored as one); written so, it is a text output"
        ));
    }
    let lit = match v {
        Val::Int(_, i) => Lit::Int(*i),
        Val::Float(_, f) => Lit::Float(*f),
        Val::Text(t) => Lit::Str(t.as_str().into()),
        Val::Bool(b) => Lit::Bool(*b),
        Val::Date(date) => Lit::Date(*date),
    };
    let allowed = d.values.get(o).map(Vec::as_slice).unwrap_or_default();
    if allowed.is_empty() || allowed.iter().any(|a| same(a, &lit)) {
        return Some(lit);
    }
    let shown: Vec<String> = allowed.iter().map(|a| a.value().to_string()).collect();
    let message = format!(
        "`{}` is not one of the values of output `{}`: {}",
        c.text,
        d.outputs[o].value.name,
        shown.join(", ")
    );
    let e = cx.error(d.file, c.start.0, c.start.1, message);
    e.rule = Some(id.to_owned());
    e.width = c.text.chars().count();
    None
}

/// A date written the local way (`06.01.2026`, `31/12/2025`, `12/31/2025`): the ISO form
/// to write for it, both readings where the text alone does not tell (`03/04/2025`).
fn local_date(t: &str) -> Option<String> {
    let parts: Vec<&str> = t.split(['.', '/', '-']).collect();
    let [a, b, year] = parts[..] else {
        return None;
    };
    let number = |s: &str, most: usize| -> Option<u32> {
        (!s.is_empty() && s.len() <= most && s.bytes().all(|c| c.is_ascii_digit()))
            .then(|| s.parse().ok())
            .flatten()
    };
    let (a, b, year) = (number(a, 2)?, number(b, 2)?, number(year, 4)?);
    if year < 1000 {
        return None;
    }
    let iso = |day: u32, month: u32| {
        crate::time::Date::new(year as i32, month, day).map(|d| d.to_string())
    };
    match (iso(a, b), iso(b, a)) {
        (Some(x), Some(y)) if x != y => Some(format!("{x} (day first) or {y} (month first)")),
        (Some(x), _) | (None, Some(x)) => Some(x),
        (None, None) => None,
    }
}

/// The same constant (a whole number and a decimal of the same value are).
pub(super) fn same(a: &Lit, b: &Lit) -> bool {
    match (a, b) {
        (Lit::Int(x), Lit::Float(y)) | (Lit::Float(y), Lit::Int(x)) => *x as f64 == *y,
        (Lit::Int(x), Lit::Int(y)) => x == y,
        (Lit::Float(x), Lit::Float(y)) => x == y,
        (Lit::Str(x), Lit::Str(y)) => x == y,
        (Lit::Bool(x), Lit::Bool(y)) => x == y,
        (Lit::Date(x), Lit::Date(y)) => x == y,
        (Lit::Null, Lit::Null) => true,
        _ => false,
    }
}

/// An output cell as YAML would have read it, for messages of the kind check.
fn written(text: &str) -> Literal {
    match cells::output(text) {
        Ok(Out::Const(Val::Int(_, i))) => Literal::Int(i),
        Ok(Out::Const(Val::Float(_, f))) => Literal::Float(f),
        Ok(Out::Const(Val::Bool(b))) => Literal::Bool(b),
        Ok(Out::Const(Val::Text(t))) => Literal::Text(t),
        Ok(Out::Null) => Literal::Null,
        Ok(Out::List(items)) => Literal::List(
            (items.into_iter())
                .map(|item| match item {
                    Some(Val::Int(_, i)) => Literal::Int(i),
                    Some(Val::Float(_, f)) => Literal::Float(f),
                    Some(Val::Bool(b)) => Literal::Bool(b),
                    Some(Val::Text(t)) => Literal::Text(t),
                    Some(Val::Date(d)) => Literal::Text(d.to_string()),
                    None => Literal::Null,
                })
                .collect(),
        ),
        _ => Literal::Text(text.to_owned()),
    }
}

#[cfg(test)]
#[path = "tests.rs"]
mod tests;
