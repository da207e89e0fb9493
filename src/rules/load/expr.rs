//! One Rhai expression written in a YAML string, compiled: its position in the file, every
//! name resolved to a slot (with did-you-mean), every call checked, the comparisons with a
//! constant noted for the type check, and the native fast path when it applies.

use super::history::{self, Past, PastSlots};
use super::operations::{Operand, Operation};
use super::scripts::Scripts;
use super::symbols::Symbols;
use super::types::{Comparison, How};
use super::uses::{Raw, RawOperation, Uses, uses_of};
use super::{Sink, place, slips};
use crate::diag::SourceFile;
use crate::diag::habits::{self, Habit};
use crate::rules::{Expr, Origin, Slot, ValueExpr, native};
use crate::value::{Lit, Literal};
use rhai::Position;
use serde_saphyr::Spanned;
use std::collections::HashSet;
use std::sync::Arc;

/// Compiles expressions against the declared names and the script functions.
pub(super) struct ExprCompiler<'a> {
    pub symbols: &'a Symbols,
    scripts: &'a Scripts,
    /// `name <op> constant` comparisons found so far, for the type check.
    pub comparisons: Vec<Comparison>,
    /// Comparisons and arithmetic found so far, for the check that text and numbers never
    /// meet.
    pub operations: Vec<Operation>,
    /// Earlier periods' values read so far (`previous.tier`).
    pub past: PastSlots,
    /// The names a `for_each` copy substitutes (while it compiles).
    pub bindings: Vec<(String, String)>,
    /// How many expressions were compiled: the next one's id.
    compiled: usize,
    /// Script switch cases checked so far, by function, arity, parameter and the name
    /// passed: each once, for the first rule that passes that name.
    passed: HashSet<(String, usize, usize, String)>,
}

impl<'a> ExprCompiler<'a> {
    pub fn new(symbols: &'a Symbols, scripts: &'a Scripts) -> Self {
        ExprCompiler {
            symbols,
            scripts,
            comparisons: Vec::new(),
            operations: Vec::new(),
            past: PastSlots::new(symbols),
            bindings: Vec::new(),
            compiled: 0,
            passed: HashSet::new(),
        }
    }

    /// Compiles one expression written in a YAML string. `formula`: a leading `=` is allowed.
    /// `owner` is the rule, metric or figure the expression belongs to, for messages.
    pub fn compile(
        &mut self,
        diags: &mut Sink,
        file: &Arc<SourceFile>,
        text: &Spanned<String>,
        owner: &str,
        formula: bool,
    ) -> Option<Expr> {
        let (origin, body) = place::origin_of(file, text, formula, &self.bindings);
        self.compile_at(diags, origin, &body, owner)
    }

    /// Compiles an expression whose text and origin are known already (a grid row's
    /// condition, built from its cells).
    pub fn compile_at(
        &mut self,
        diags: &mut Sink,
        origin: Origin,
        body: &str,
        owner: &str,
    ) -> Option<Expr> {
        let file = &origin.file.clone();
        if body.trim().is_empty() {
            diags
                .error(file, origin.line, origin.column, "empty expression")
                .rule = Some(owner.to_owned());
            return None;
        }
        let ast = match self.scripts.engine.compile_expression(body) {
            Ok(ast) => ast,
            Err(e) => {
                let at = (e.1.line().unwrap_or(1), e.1.position().unwrap_or(1));
                // A spreadsheet habit at or before where the parser gave up explains it.
                let habit = self.habit(body, |h| (h.line, h.column) <= at);
                let d = match habit {
                    Some((h, help)) => {
                        let (line, col) = origin.map(h.line, h.column);
                        let d = diags.error(file, line, col, h.message);
                        d.width = h.width;
                        d.help = Some(help);
                        d
                    }
                    None => match slips::placeholder(body) {
                        // `sales_{categroy}` in a `for_each` copy: not its variable; outside
                        // one (another decision, the summary), no variable at all.
                        Some((at, written)) => {
                            let (line, col) = origin.map(at.0, at.1);
                            let (message, help) = match self.bindings.first() {
                                Some((var, _)) => (
                                    format!(
                                        "`{{{written}}}` is not the `for_each` variable: write `{{{var}}}`"
                                    ),
                                    None,
                                ),
                                None => (
                                    format!(
                                        "`{{{written}}}` stands for each item of a decision's `for_each`, and this expression is in none"
                                    ),
                                    Some(format!(
                                        "add `for_each: {{ {written}: [beverages, snacks] }}` to the decision, or write the name in full for each item (`sales_beverages + sales_snacks`)"
                                    )),
                                ),
                            };
                            let d = diags.error(file, line, col, message);
                            d.width = written.chars().count() + 2;
                            d.help = help;
                            d
                        }
                        None => {
                            let (line, col) = origin.map(at.0, at.1);
                            let d = diags.error(file, line, col, parse_message(&e.0));
                            d.help = (crate::script::limit_help(&e.0))
                                .or_else(|| self.keyword_column(body, at));
                            d
                        }
                    },
                };
                d.rule = Some(owner.to_owned());
                return None;
            }
        };
        let uses = uses_of(&ast, body);
        let (vars, names_ok) = self.resolve(diags, &origin, body, &uses, owner);
        let (maps, history_ok) = self.resolve_history(diags, &origin, &uses.history, owner);
        let plain_ok = self.check_calls(diags, &origin, body, &uses.calls, owner, false);
        let methods_ok = self.check_calls(diags, &origin, body, &uses.method_calls, owner, true);
        let calls_ok = plain_ok && methods_ok;
        for (text, pos) in &uses.bad_dates {
            let (line, col) = map(&origin, *pos);
            let d = diags.error(
                &origin.file,
                line,
                col,
                crate::script::dates::not_a_date(text),
            );
            d.rule = Some(owner.to_owned());
            d.width = "date".len();
        }
        let dates_ok = uses.bad_dates.is_empty();
        let brackets_ok = slips::report(diags, &origin, body, owner);
        self.note_comparisons(&origin, uses.compared, owner);
        self.note_operations(&origin, uses.operations, owner);
        self.note_parameter_cases(&uses.call_args, owner);
        if !(names_ok && calls_ok && dates_ok && history_ok && brackets_ok) {
            return None;
        }
        let (symbols, past) = (self.symbols, &self.past);
        let native = native::compile(
            &ast,
            &|name| symbols.slot(name).or_else(|| past.find(name)),
            &self.scripts.inline,
        );
        if native.is_none() {
            tracing::info!(
                "{}:{}:{}: `{body}` runs in the interpreter (no fast path)",
                file.path.display(),
                origin.line,
                origin.column
            );
        }
        self.compiled += 1;
        Some(Expr {
            id: self.compiled - 1,
            ast,
            vars,
            maps,
            origin,
            native,
            text: body.to_owned(),
        })
    }

    /// The first spreadsheet habit in `body` that `pick` accepts, and its help: the whole
    /// expression fixed when that compiles, else the fix of the habit alone.
    fn habit(&self, body: &str, pick: impl Fn(&Habit) -> bool) -> Option<(Habit, String)> {
        let all = habits::find(body);
        let first = all.iter().find(|h| pick(h))?.clone();
        let fixed = habits::fix(body, &all);
        let compiles = self.scripts.engine.compile_expression(&fixed).is_ok();
        let help = habits::help(&first, compiles.then_some(fixed.as_str()));
        Some((first, help))
    }

    /// A column named like a word of the language (`default`, `private`, `case`: an ERP
    /// export's), written where the parser gave up: how to name it otherwise.
    fn keyword_column(&self, body: &str, at: (usize, usize)) -> Option<String> {
        let line = body.lines().nth(at.0.checked_sub(1)?)?;
        let word: String = (line.chars().skip(at.1.checked_sub(1)?))
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect();
        let slot = self.symbols.slot(&word)?;
        (slot < self.symbols.field_count).then(|| {
            format!(
                "`{word}` is a word of the rule language, and the name of a column: name the column otherwise in the customers query, `SELECT *, \"{word}\" AS {word}_value FROM ...` (`customers.query`), and write that name"
            )
        })
    }

    /// A row's value: a constant, or a formula when it is text starting with `=`.
    pub fn value(
        &mut self,
        diags: &mut Sink,
        file: &Arc<SourceFile>,
        lit: &Spanned<Literal>,
        owner: &str,
    ) -> Option<ValueExpr> {
        if let Literal::Text(text) = &lit.value
            && text.trim_start().starts_with('=')
        {
            let spanned = Spanned {
                value: text.clone(),
                referenced: lit.referenced,
                defined: lit.defined,
            };
            return self
                .compile(diags, file, &spanned, owner, true)
                .map(ValueExpr::Formula);
        }
        Some(ValueExpr::Const(Lit::from(&lit.value)))
    }

    /// The slot of every name the expression reads (each once), and whether all resolved.
    fn resolve(
        &self,
        diags: &mut Sink,
        origin: &Origin,
        body: &str,
        uses: &Uses,
        owner: &str,
    ) -> (Vec<(rhai::Identifier, Slot)>, bool) {
        let mut vars: Vec<(rhai::Identifier, Slot)> = Vec::new();
        let mut ok = true;
        for (name, pos) in &uses.names {
            match self.symbols.slot(name) {
                Some(slot) => {
                    if !vars.iter().any(|(_, s)| *s == slot) {
                        vars.push((name.as_str().into(), slot));
                    }
                }
                None if self.symbols.might_define(name) => ok = false,
                None => {
                    let (line, col) = map(origin, *pos);
                    let suggestion = self.symbols.suggestion(name);
                    let method = uses.history_methods.iter().find(|(p, _)| p == pos);
                    let help = if let Some((_, call)) = method {
                        Some(format!(
                            "call a function on an earlier period's value, not a method: write `{call}`"
                        ))
                    } else if Past::of_variable(name).is_some() {
                        Some(format!("write `{name}.` and an output, e.g. `{name}.tier`"))
                    } else if name.eq_ignore_ascii_case("null") {
                        Some(
                            "NULL is written `()`: test for it with `is_null(x)` (or `x == ()`)"
                                .into(),
                        )
                    } else if suggestion.is_none() && uses.text_like.contains(pos) {
                        // `tier == A`: a text without its quotes.
                        let (l, c) = (pos.line().unwrap_or(1), pos.position().unwrap_or(1));
                        Some(habits::quoted_name_help(body, l, c, name))
                    } else {
                        suggestion.or_else(|| Some(self.symbols.unknown_name_help()))
                    };
                    let message = match method {
                        Some(_) => format!(
                            "a method cannot be called on `{name}.x`, an earlier period's value"
                        ),
                        None => format!("unknown name `{name}`"),
                    };
                    let d = diags.error(&origin.file, line, col, message);
                    d.rule = Some(owner.to_owned());
                    d.width = name.chars().count();
                    d.help = help;
                    ok = false;
                }
            }
        }
        (vars, ok)
    }

    /// The slots of the earlier periods' values the expression reads, grouped by variable as
    /// the interpreter sees them, and whether each can be read.
    #[allow(clippy::type_complexity)]
    fn resolve_history(
        &mut self,
        diags: &mut Sink,
        origin: &Origin,
        uses: &[(Past, String, String, Position)],
        owner: &str,
    ) -> (Vec<(rhai::Identifier, Vec<(rhai::Identifier, Slot)>)>, bool) {
        let mut maps: Vec<(rhai::Identifier, Vec<(rhai::Identifier, Slot)>)> = Vec::new();
        let mut ok = true;
        for (past, variable, output, pos) in uses {
            if let Some((message, help)) = history::problem(self.symbols, *past, output) {
                let (line, col) = map(origin, *pos);
                let d = diags.error(&origin.file, line, col, message);
                d.rule = Some(owner.to_owned());
                d.width = variable.chars().count() + 1 + output.chars().count();
                d.help = help;
                ok = false;
                continue;
            }
            let slot = self.past.slot(*past, variable, output);
            let entry = match maps.iter().position(|(v, _)| v == variable.as_str()) {
                Some(i) => &mut maps[i].1,
                None => {
                    maps.push((variable.as_str().into(), Vec::new()));
                    &mut maps.last_mut().expect("just pushed").1
                }
            };
            if !entry.iter().any(|(_, s)| *s == slot) {
                entry.push((output.as_str().into(), slot));
            }
        }
        (maps, ok)
    }

    /// Reports calls of unknown functions and of functions given a number of arguments they
    /// never take; whether there was none. Calls written as methods (`method`: `x.round(2)`,
    /// the object counted) are checked for their number of arguments only.
    fn check_calls(
        &self,
        diags: &mut Sink,
        origin: &Origin,
        body: &str,
        calls: &[(String, usize, Position)],
        owner: &str,
        method: bool,
    ) -> bool {
        // A script that failed to compile defines functions we cannot know: its error is
        // reported already, and "unknown function" for each of them would be noise.
        if self.scripts.failed {
            return true;
        }
        let mut ok = true;
        for (name, args, pos) in calls {
            if let Some(mut msg) = self.scripts.call_problem_as(name, *args, method) {
                let (line, col) = map(origin, *pos);
                let mut help = self.scripts.function_suggestion(name);
                // `IF(c, a, b)`, `AND(a, b)`: a spreadsheet's function.
                let at = (pos.line().unwrap_or(1), pos.position().unwrap_or(1));
                if let Some((h, fix)) = self.habit(body, |h| (h.line, h.column) == at) {
                    (msg, help) = (h.message, Some(fix));
                }
                let d = diags.error(&origin.file, line, col, msg);
                d.rule = Some(owner.to_owned());
                d.width = name.chars().count();
                d.help = help;
                ok = false;
            }
        }
        ok
    }

    fn note_operations(&mut self, origin: &Origin, operations: Vec<RawOperation>, owner: &str) {
        for RawOperation {
            op,
            operands: raw,
            pos,
            list,
        } in operations
        {
            let operand = |r: Raw| match r {
                Raw::Name(n) => match self.symbols.slot(&n) {
                    Some(slot) => Operand::Slot {
                        slot,
                        kind: None,
                        undeclared: false,
                    },
                    None => Operand::Other,
                },
                Raw::Const(c) => Operand::Const(c),
                Raw::Other => Operand::Other,
            };
            let [a, b] = raw;
            let (line, column) = map(origin, pos);
            let operands = [operand(a), operand(b)];
            self.operations.push(Operation {
                op,
                operands,
                file: origin.file.clone(),
                line,
                column,
                list: list.map(|at| map(origin, at)),
                owner: owner.to_owned(),
                via: None,
            });
        }
    }

    /// A call `f(channel)` of a script function with `switch` cases on its parameter: each
    /// case counts as `channel == case` (placed in the script, owned by this rule), as a
    /// switch on `channel` written here would.
    fn note_parameter_cases(&mut self, calls: &[(String, Vec<Option<String>>)], owner: &str) {
        for (function, args) in calls {
            let Some(cases) = self
                .scripts
                .param_cases
                .get(&(function.clone(), args.len()))
            else {
                continue;
            };
            // The names this call passes that no earlier call passed to the same parameter:
            // a call passing the same names again adds nothing.
            let mut fresh = HashSet::new();
            for (param, name) in args.iter().enumerate() {
                if let Some(name) = name {
                    let key = (function.clone(), args.len(), param, name.clone());
                    if self.passed.insert(key) {
                        fresh.insert(param);
                    }
                }
            }
            for (file, c) in cases {
                let Some(Some(name)) = args.get(c.param) else {
                    continue;
                };
                if !fresh.contains(&c.param) {
                    continue;
                }
                let Some(slot) = self.symbols.slot(name) else {
                    continue;
                };
                let (line, column) = (
                    c.case.pos.line().unwrap_or(1),
                    c.case.pos.position().unwrap_or(1),
                );
                let mut via = format!(
                    "`{function}({})` passes it as `{}`",
                    args_text(args),
                    c.param_name
                );
                for hop in &c.hops {
                    via.push_str(", and ");
                    via.push_str(hop);
                }
                let via = Some(via);
                self.operations.push(Operation {
                    op: c.case.op().into(),
                    operands: [
                        Operand::Slot {
                            slot,
                            kind: None,
                            undeclared: false,
                        },
                        Operand::Const(c.case.value.clone()),
                    ],
                    file: file.clone(),
                    line,
                    column,
                    list: None,
                    owner: owner.to_owned(),
                    via: via.clone(),
                });
                self.comparisons.push(Comparison {
                    slot,
                    constant: c.case.value.clone(),
                    how: How::Case,
                    file: file.clone(),
                    line,
                    column,
                    owner: owner.to_owned(),
                    via,
                });
            }
        }
    }

    fn note_comparisons(
        &mut self,
        origin: &Origin,
        compared: Vec<(String, rhai::Dynamic, How, Position)>,
        owner: &str,
    ) {
        for (name, constant, how, pos) in compared {
            if let Some(slot) = self.symbols.slot(&name) {
                let (line, column) = map(origin, pos);
                let how = match how {
                    How::Item { list } => How::Item {
                        list: origin.map(list.0, list.1),
                    },
                    how => how,
                };
                self.comparisons.push(Comparison {
                    slot,
                    constant,
                    how,
                    file: origin.file.clone(),
                    line,
                    column,
                    owner: owner.to_owned(),
                    via: None,
                });
            }
        }
    }
}

/// A call's arguments as a message shows them: plain names, `...` for the others.
fn args_text(args: &[Option<String>]) -> String {
    let shown: Vec<&str> = args.iter().map(|a| a.as_deref().unwrap_or("...")).collect();
    shown.join(", ")
}

/// The file position of a position inside the expression.
fn map(place: &Origin, pos: Position) -> (usize, usize) {
    place.map(pos.line().unwrap_or(1), pos.position().unwrap_or(1))
}

/// Rhai's parse error for people: its tokenizer's "Unexpected 'é'" came wrapped twice
/// (`Unexpected 'Unexpected 'é''`), and a letter with an accent deserves the reason.
fn parse_message(e: &rhai::ParseErrorType) -> String {
    let text = e.to_string();
    let mut inner = text.as_str();
    while let Some(rest) = inner
        .strip_prefix("Unexpected '")
        .and_then(|r| r.strip_suffix('\''))
    {
        inner = rest;
    }
    if inner.len() == text.len() {
        return text;
    }
    match inner.chars().next() {
        Some(c) if inner.chars().count() == 1 && c.is_alphabetic() => format!(
            "`{c}` cannot be in a name: names use the letters a-z and A-Z without accents, digits and `_` (text goes in quotes: \"{c}\"; a column whose name has it is named anew in the customers query: `\"Größe\" AS groesse`)"
        ),
        _ => format!("Unexpected '{inner}'"),
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use crate::rules::{Condition, ValueExpr};
    use crate::value::Lit;

    fn metric_errors(metrics: &str) -> Vec<String> {
        errors(&[("a.yaml", &format!("metrics:\n{metrics}{DECISION}"))])
    }

    #[test]
    fn an_expression_starts_after_quotes_blanks_and_a_formulas_equals_sign() {
        let set = loads(&[
            (
                "a.yaml",
                "metrics:\n  plain: annual_sales * 2\n  quoted: '  annual_sales + 1'\n  formula: \"=  overdue_days\"\n  block: |\n    annual_sales\n      + 1\n",
            ),
            ("b.yaml", DECISION),
        ]);
        let shown: Vec<(&str, &str, usize, usize)> = set
            .metrics_post
            .iter()
            .map(|m| {
                (
                    m.name.as_str(),
                    m.expr.text.as_str(),
                    m.expr.origin.line,
                    m.expr.origin.column,
                )
            })
            .collect();
        assert_eq!(
            shown,
            [
                ("plain", "annual_sales * 2", 2, 10),
                ("quoted", "annual_sales + 1", 3, 14),
                ("formula", "overdue_days", 4, 16),
                ("block", "annual_sales\n  + 1\n", 6, 5),
            ]
        );
    }

    #[test]
    fn errors_inside_an_expression_point_into_the_file() {
        assert_eq!(
            metric_errors(
                "  e: ''\n  g: annual_sales +\n  h: |\n    annual_sales +\n      anual_sales * 2\n  f: \"= annual_sales * * 2\"\n"
            ),
            [
                "error rules/a.yaml:2:7 [e]: empty expression",
                "error rules/a.yaml:3:20 [g]: Script is incomplete",
                "error rules/a.yaml:6:7 [h]: unknown name `anual_sales` | help: did you mean `annual_sales`?",
                "error rules/a.yaml:7:24 [f]: Unexpected '*'",
            ]
        );
    }

    #[test]
    fn unknown_names_and_functions_are_underlined_with_a_suggestion() {
        let yaml = format!("metrics:\n  k: is_nul(channel) || zzqqxx(1) || qqq > 1\n{DECISION}");
        let all = match load(&[("a.yaml", &yaml)]) {
            Err(all) => all,
            Ok(_) => panic!("loads"),
        };
        assert_eq!(
            all,
            [
                "error rules/a.yaml:2:38 [k]: unknown name `qqq` | help: a name must be a column of the customer source (its columns: customer_id, annual_sales, overdue_days, channel, region), a metric, a population figure or a decision's output",
                "error rules/a.yaml:2:6 [k]: unknown function `is_nul` | help: did you mean `is_null`?",
                "error rules/a.yaml:2:25 [k]: unknown function `zzqqxx` | help: functions come from rhai's standard library or from rules/*.rhai",
            ]
        );
    }

    #[test]
    fn the_caret_underlines_the_whole_name() {
        let dir = rule_dir(&[(
            "a.yaml",
            format!("metrics:\n  k: anual_sales + maxx(1, 2)\n{DECISION}").as_bytes(),
        )]);
        let all = crate::rules::load(
            &dir.path().join("rules"),
            &fields(FIELDS),
            &Default::default(),
        )
        .unwrap_err();
        let widths: Vec<usize> = all.0.iter().map(|d| d.width).collect();
        assert_eq!(widths, [11, 4]);
    }

    #[test]
    fn script_functions_are_checked_for_their_number_of_arguments() {
        assert_eq!(
            errors(&[
                (
                    "a.yaml",
                    &format!("metrics:\n  s: score(annual_sales)\n  t: score(1, 2)\n{DECISION}")
                ),
                ("s.rhai", "fn score(a, b) { a + b }\n"),
            ]),
            ["error rules/a.yaml:2:6 [s]: `score` takes 2 arguments (a, b), but is given 1"]
        );
    }

    #[test]
    fn after_a_script_fails_unknown_functions_are_not_reported() {
        assert_eq!(
            errors(&[
                (
                    "a.yaml",
                    &format!("metrics:\n  s: score(annual_sales)\n{DECISION}")
                ),
                ("s.rhai", "fn score(a) { a + undefined_thing }\n"),
            ]),
            [
                "error rules/s.rhai:1:19: unknown name `undefined_thing` | help: a script function sees only its parameters and its own `let`s: pass a field in as a parameter where the function is called"
            ]
        );
    }

    #[test]
    fn after_a_file_fails_to_parse_the_names_it_may_define_are_not_reported() {
        let all = errors(&[
            ("a.yaml", &format!("metrics:\n  s: from_b * 2\n{DECISION}")),
            ("b.yaml", "metrics: [\n  from_b: 1\n"),
        ]);
        assert_eq!(all.len(), 1, "{all:?}");
        assert!(all[0].starts_with("error rules/b.yaml:"), "{all:?}");
    }

    #[test]
    fn names_resolve_to_slots_once_each_and_simple_expressions_get_the_fast_path() {
        let set = loads(&[(
            "a.yaml",
            "metrics:\n  m: annual_sales + annual_sales * overdue_days\n  c: \"annual_sales > 'x'\"\ndecisions:\n  - name: t\n    rules:\n      - { id: a, when: m > 1, then: { t: '= m * 2', u: 'text' } }\n",
        )]);
        let m = &set.metrics_post[0];
        let vars: Vec<(&str, usize)> = m.expr.vars.iter().map(|(n, s)| (n.as_str(), *s)).collect();
        assert_eq!(vars, [("annual_sales", 1), ("overdue_days", 2)]);
        assert!(m.expr.native.is_some());
        // A character literal is the interpreter's.
        assert!(set.metrics_post[1].expr.native.is_none());
        let row = &set.decisions[0].rows[0];
        assert!(matches!(&row.condition, Condition::When(e) if e.native.is_some()));
        assert!(matches!(&row.values[0], (0, ValueExpr::Formula(e)) if e.text == "m * 2"));
        assert!(
            matches!(&row.values[1], (1, ValueExpr::Const(Lit::Str(s))) if s.as_str() == "text")
        );
    }
}
