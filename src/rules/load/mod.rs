//! Loading a rules directory: parse every file, compile every expression once, resolve every
//! name to a frame slot, order metrics and decisions by their dependencies. All problems are
//! collected, not just the first, each with file:line:column.
//!
//! The loader runs in passes, each a module that takes what the earlier passes produced:
//!
//! | pass | owns | produces |
//! |---|---|---|
//! | [`files`] | listing (hidden, backup and copied files are skipped: [`skip`]), reading, fingerprinting and parsing the rule files | [`files::RuleFiles`] |
//! | [`sheet`] | (inside `files`) spreadsheets (`*.csv`, `*.xlsx`, `*.ods`) as the YAML document their tables stand for | [`SourceFile`] with a cell map |
//! | [`foreach`] | `for_each` decisions replaced by one copy per item | [`files::RuleFiles`] |
//! | [`scripts`] | `rules/*.rhai`: one module of functions, the calls inside scripts | [`scripts::Scripts`] |
//! | [`symbols`] | a slot for every field, metric, population figure and output; name checks | [`symbols::Symbols`] |
//! | [`compile`] | every item of every file, in file order (metrics and summary itself) | [`compile::Compiled`] |
//! | [`expr`] | one Rhai expression in a YAML string: names, calls, fast path | [`Expr`] |
//! | [`uses`] | what an expression's AST uses: names, calls, comparisons, operations | `Uses` |
//! | [`place`] | where an expression's characters are in its YAML file | [`Origin`](crate::rules::Origin) |
//! | [`population`] | population figure specs | [`PopulationFigure`] |
//! | [`decisions`] | decision tables: rows, scales, caps, rounding; rule ids | [`Decision`] |
//! | [`declared`] | (inside `decisions`) `outputs:`: each output's `values:` and `default:` | values, defaults |
//! | [`grid`] | (inside `decisions`) a table written as a grid: cells lowered into rows | [`Row`](crate::rules::Row)s |
//! | [`consistent`] | (inside `decisions`) one kind of value per output, fit for the hit policy | diagnostics |
//! | [`order`] | what may use what; dependency order of metrics and decisions; cycles | [`order::Order`] |
//! | [`types`] | the static type check of comparisons with constants (declared kinds; after assembly, the kinds formulas give) | diagnostics |
//! | [`operations`] | text and numbers never meet: comparisons of names, arithmetic | diagnostics |
//! | [`switch_cases`] | a `switch`'s case values, read back for those two checks | comparisons |
//! | [`finish`] | assembling the [`RuleSet`] | [`RuleSet`] |
//!
//! The symbol table is complete before any expression compiles, so a name may be used in
//! a file before the file that defines it. After the first error the passes go on with
//! whatever compiled, so that one `check` reports every problem; the rule set is assembled
//! only when there is none.

mod caps;
mod compile;
mod consistent;
mod decimals;
mod decisions;
mod declared;
mod dotted_thousands;
mod expr;
mod files;
mod finish;
mod foreach;
mod grid;
mod history;
mod invisible;
mod kinds;
mod logic;
mod mixed_cases;
mod operations;
mod order;
mod place;
mod population;
mod scripts;
mod sheet;
mod skip;
mod slips;
mod switch_cases;
mod symbols;
#[cfg(test)]
mod testing;
mod types;
mod uses;

pub use files::fingerprint_now;
pub use finish::MOST_OUTPUTS;
pub(crate) use foreach::{merge_copies, named_rules};
pub use operations::{Operand, Operation, SWITCH_CASE, check_seen};
pub use skip::{leads_outside, not_a_rule_file, outside_message};
pub(in crate::rules) use switch_cases::switch_text_cases;

use super::{Field, Limits, RuleSet};
use crate::diag::{Diagnostic, Diagnostics, Severity, SourceFile};
use std::path::Path;

/// Loads and compiles the rule set in `dir` against the customer source's `fields` (column
/// names). Returns the rule set and any warnings, or every diagnostic found.
pub fn load(
    dir: &Path,
    fields: &[Field],
    limits: &Limits,
) -> Result<(RuleSet, Vec<Diagnostic>), Diagnostics> {
    let mut diags = Sink::default();
    let mut files = files::read(dir, &mut diags)?;
    foreach::expand(&mut files, &mut diags);
    let mut scripts = scripts::compile(&files.scripts, limits, &mut diags);
    // Its functions are unknown, as a script's that fails to compile: calls of them are not.
    scripts.failed |= files.script_unread;
    let symbols = symbols::declare(fields, &files, &mut diags);
    let compiled = compile::compile(&files, &scripts, &symbols, &mut diags);
    let order = order::order(&symbols, &compiled, &mut diags);
    types::check(&symbols, &compiled, &mut diags);
    let mut compiled = compiled;
    types::note_kinds(&symbols, &mut compiled);
    operations::check(&symbols.slots, &compiled.operations, &mut diags);
    if diags.has_errors() {
        return Err(Diagnostics(foreach::merge_copies(at_errors(diags.0))));
    }
    let comparisons = std::mem::take(&mut compiled.comparisons);
    let (set, kinds, ranked) = finish::assemble(files, scripts, symbols, compiled, order, limits);
    types::check_inferred(&set, &kinds, &comparisons, &mut diags);
    types::check_ranked(&set, &ranked, &mut diags);
    operations::check_decimal_cases(&set, fields, &mut diags);
    finish::check_columns(&set, &mut diags);
    if diags.has_errors() {
        return Err(Diagnostics(foreach::merge_copies(at_errors(diags.0))));
    }
    Ok((set, foreach::merge_copies(diags.0)))
}

/// Without the warnings at a place an error is at: the error says what is wrong there (a
/// cell `50.000,00` is text in a file of decimal commas, not a thousandth of 50,000).
fn at_errors(diags: Vec<Diagnostic>) -> Vec<Diagnostic> {
    // By the place shown: a spreadsheet's cell, wherever in it each points.
    let errors: std::collections::HashSet<String> = (diags.iter())
        .filter(|d| d.severity == crate::diag::Severity::Error)
        .map(|d| d.location())
        .collect();
    (diags.into_iter())
        .filter(|d| d.severity == crate::diag::Severity::Error || !errors.contains(&d.location()))
        .collect()
}

/// Where the passes put the diagnostics they find, in the order found.
#[derive(Debug, Default)]
struct Sink(Vec<Diagnostic>);

impl Sink {
    fn push(&mut self, d: Diagnostic) {
        self.0.push(d);
    }

    /// Adds an error at `line`:`col` of `file`; returns it to add a rule, help or width.
    fn error(
        &mut self,
        file: &SourceFile,
        line: usize,
        col: usize,
        msg: impl Into<String>,
    ) -> &mut Diagnostic {
        self.0.push(Diagnostic::error(file, line, col, msg));
        self.0.last_mut().expect("just pushed")
    }

    fn has_errors(&self) -> bool {
        self.0.iter().any(|d| d.severity == Severity::Error)
    }
}

#[cfg(test)]
mod tests {
    use super::testing::*;

    #[test]
    fn every_pass_reports_and_in_pass_order() {
        let all = errors(&[
            (
                "a.yaml",
                "metrics:\n  m1: m2 + 1\n  m2: m1\n  bad: anual_sales\n  1x: 1\ndecisions:\n  - name: tier\n    rules:\n      - { id: a, when: 'channel == 1', then: { tier: A } }\n      - { id: b, then: { tier: B } }\n",
            ),
            ("b.yaml", "metrics: {}\n"),
            ("s.rhai", "let x = 1;\n"),
        ]);
        assert_eq!(
            all,
            [
                // files
                "warning rules/b.yaml: this rule file defines nothing",
                // scripts
                "error rules/s.rhai:1:1: a rule script may only define functions (`fn name(...) { ... }`) | help: move this statement into a function, or into a metric in a .yaml file",
                // symbols
                "error rules/a.yaml:5:7: `1x` is not a valid metric name | help: names use letters, digits and `_`, and do not start with a digit",
                // compile
                "error rules/a.yaml:4:8 [bad]: unknown name `anual_sales` | help: did you mean `annual_sales`?",
                // order
                "error rules/a.yaml:3:7 [m2]: metrics depend on each other in a cycle: m1 -> m2 -> m1",
                // types
                "error rules/a.yaml:9:33 [a]: field `channel` is text, but it is compared with a number `1` | help: text and numbers never compare: for dates, compare `date(channel)` with a date such as `date(\"2025-01-01\")`; for numbers kept as text, convert with `parse_float(channel)`",
            ]
        );
    }

    /// A file that does not parse hides only the names it may define (those written in it),
    /// not every mistake of the other files.
    #[test]
    fn a_broken_file_hides_only_the_names_written_in_it() {
        let all = errors(&[
            (
                "a.yaml",
                "decisions:\n  - name: tier\n    rules:\n      - { id: a, then: { tier: A } }\n     - { id: b }\n",
            ),
            (
                "b.yaml",
                "metrics:\n  x: tier == \"A\"\n  y: anual_sales > 1\n",
            ),
        ]);
        assert_eq!(all.len(), 2, "{all:#?}");
        assert!(all[0].starts_with("error rules/a.yaml:5:"), "{}", all[0]);
        assert_eq!(
            all[1],
            "error rules/b.yaml:3:6 [y]: unknown name `anual_sales` | help: did you mean `annual_sales`?"
        );
    }

    #[test]
    fn a_valid_rule_set_loads_with_its_warnings() {
        let (set, warnings) = load(&[("a.yaml", DECISION), ("b.yaml", "summary: {}\n")]).unwrap();
        assert!(
            warnings.is_empty(),
            "an empty summary defines something: {warnings:?}"
        );
        assert_eq!(set.decisions.len(), 1);
        let (_, warnings) = load(&[("a.yaml", DECISION), ("b.yaml", "")]).unwrap();
        assert_eq!(
            warnings,
            ["warning rules/b.yaml: this rule file defines nothing"]
        );
    }
}
