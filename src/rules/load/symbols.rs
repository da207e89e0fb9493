//! Pass 3, symbols: a frame slot for every column of the customer source, then for every
//! metric, population figure and decision output of every file; the checks of names (valid,
//! unique; an output neither a column of the customer source nor of the output table) and of
//! rule ids.
//!
//! Every name is declared before any expression compiles, so an expression may use a name
//! defined further down or in another file. The table does not change after this pass.

use super::Sink;
use super::files::RuleFiles;
use crate::diag::{SourceFile, suggest};
use crate::rules::ValueKind;
use crate::rules::model::{DecisionSpec, RuleFile};
use crate::rules::{Field, Origin, RuleIdx, Slot, SlotKind};
use crate::value::Literal;
use serde_saphyr::{Location, Spanned};
use std::collections::{HashMap, HashSet};
use std::sync::Arc;

/// Column names the output table uses itself.
const RESERVED: [&str; 4] = ["run_id", "customer_id", "fired", "rule_ids"];

/// Column names the output table's views add (`customer_policy_latest`).
const VIEW_COLUMNS: [&str; 3] = ["period", "period_kind", "as_of"];

/// Every name the rules can use, by frame slot.
pub(super) struct Symbols {
    /// Name and kind of every slot: the source's columns first.
    pub slots: Vec<(String, SlotKind)>,
    /// For outputs: the index of the producing decision, by slot.
    producer: Vec<Option<usize>>,
    by_name: HashMap<String, Slot>,
    /// Where each name a rule file defines (and each decision) was first written, for the
    /// duplicate errors: `rules/a.yaml:3:5`.
    written_at: HashMap<String, String>,
    pub field_count: usize,
    /// The run's context: its evaluation date and its period's label.
    pub as_of: Slot,
    pub period: Slot,
    /// Declared kinds of the source's columns (and of the context), by slot.
    pub field_kinds: Vec<Option<ValueKind>>,
    /// Every decision of every file, by declaration index.
    pub decisions: Vec<DeclaredDecision>,
    /// The text of each rule file that failed to parse: a name written in one may be
    /// defined there, so "unknown name" would be noise for it ([`Symbols::might_define`]).
    pub unparsed: Vec<Option<String>>,
}

/// Where an output's name is written.
#[derive(Clone, Copy)]
enum Written {
    /// As the decision's `output:`.
    Output,
    /// As a key of a row's `then:`.
    ThenKey,
}

/// A decision's name and the slots of the outputs it produces.
pub(super) struct DeclaredDecision {
    pub name: String,
    pub outputs: Vec<Slot>,
    /// The output named by `capped_by:` (not among `outputs`: no row gives it).
    pub capped_by: Option<Slot>,
}

/// The names of the run's context, and their kinds.
pub const CONTEXT: [(&str, ValueKind); 2] =
    [("as_of", ValueKind::Date), ("period", ValueKind::Text)];

/// Declares the columns `fields`, the run's context and every name the parsed files define.
pub(super) fn declare(fields: &[Field], files: &RuleFiles, diags: &mut Sink) -> Symbols {
    let mut symbols = Symbols {
        slots: Vec::new(),
        producer: Vec::new(),
        by_name: HashMap::new(),
        written_at: HashMap::new(),
        field_count: fields.len(),
        as_of: 0,
        period: 0,
        field_kinds: Vec::new(),
        decisions: Vec::new(),
        unparsed: files.unparsed.clone(),
    };
    for field in fields {
        let slot = symbols.slots.len();
        symbols.field_kinds.push(field.kind);
        symbols.slots.push((field.name.clone(), SlotKind::Field));
        symbols.producer.push(None);
        // A duplicated column name (possible in a query) resolves to its first column.
        symbols.by_name.entry(field.name.clone()).or_insert(slot);
    }
    for (name, kind) in CONTEXT {
        let slot = symbols.slots.len();
        if symbols.by_name.contains_key(name) {
            diags.push(
                crate::diag::Diagnostic::file_error(
                    &files.dir,
                    format!("the customer source has a column `{name}`, which is the name rules use for the run's {}", if name == "as_of" { "evaluation date" } else { "period" }),
                )
                .help(format!("rename the column in the customer query, e.g. `SELECT ..., {name} AS customer_{name}`")),
            );
        }
        symbols.field_kinds.push(Some(kind));
        symbols.slots.push((name.to_owned(), SlotKind::Context));
        symbols.producer.push(None);
        symbols.by_name.insert(name.to_owned(), slot);
    }
    symbols.as_of = symbols.by_name["as_of"];
    symbols.period = symbols.by_name["period"];
    for (file, rules) in &files.parsed {
        symbols.declare_file(file, rules, diags);
    }
    symbols
}

impl Symbols {
    pub fn slot(&self, name: &str) -> Option<Slot> {
        self.by_name.get(name).copied()
    }

    /// Whether `name`, unknown, may be defined in a rule file that failed to parse: it is
    /// written there as a word. (A name that file does not hold cannot be one it defines.)
    pub fn might_define(&self, name: &str) -> bool {
        let word = |c: char| c.is_alphanumeric() || c == '_';
        self.unparsed.iter().any(|text| {
            let Some(text) = text else {
                return true; // a zipped spreadsheet: it may define anything
            };
            text.match_indices(name).any(|(at, _)| {
                let before = text[..at].chars().next_back();
                let after = text[at + name.len()..].chars().next();
                !before.is_some_and(word) && !after.is_some_and(word)
            })
        })
    }

    pub fn name(&self, slot: Slot) -> &str {
        &self.slots[slot].0
    }

    pub fn kind(&self, slot: Slot) -> SlotKind {
        self.slots[slot].1
    }

    /// The index of the decision that produces `slot`, for outputs.
    pub fn producer(&self, slot: Slot) -> Option<usize> {
        self.producer.get(slot).copied().flatten()
    }

    /// The kind the source declares for a column.
    pub fn field_kind(&self, slot: Slot) -> Option<ValueKind> {
        self.field_kinds.get(slot).copied().flatten()
    }

    /// "did you mean `x`?" for a name close to an output's.
    pub fn output_suggestion(&self, name: &str) -> Option<String> {
        let outputs = self
            .slots
            .iter()
            .filter(|(_, k)| *k == SlotKind::Output)
            .map(|(n, _)| n.as_str());
        suggest(name, outputs).map(|s| format!("did you mean `{s}`?"))
    }

    /// What a name can be, for one that is none of them and close to none: the source's
    /// columns named (a column renamed in the database read as a typo in the rules).
    pub fn unknown_name_help(&self) -> String {
        const SHOWN: usize = 12;
        let columns: Vec<&str> = (self.slots.iter())
            .filter(|(_, k)| *k == SlotKind::Field)
            .map(|(n, _)| n.as_str())
            .collect();
        let listed = match columns.len() {
            0 => String::new(),
            n if n <= SHOWN => format!(" (its columns: {})", columns.join(", ")),
            n => format!(
                " (its columns: {}, and {} more)",
                columns[..SHOWN].join(", "),
                n - SHOWN
            ),
        };
        format!(
            "a name must be a column of the customer source{listed}, a metric, a population figure or a decision's output"
        )
    }

    /// "did you mean `x`?" for a name that is close to a declared one.
    pub fn suggestion(&self, name: &str) -> Option<String> {
        // `- name: credit_block` with `value:` rows and no `output:`: the name is the
        // decision's, which gives nothing (its own error says why), not a misspelling.
        if (self.decisions.iter()).any(|d| d.name == name && d.outputs.is_empty()) {
            return Some(format!(
                "`{name}` is the name of a decision that gives no output (see its error): name the output in it, `output: {name}`"
            ));
        }
        let s = suggest(name, self.slots.iter().map(|(n, _)| n.as_str()))?;
        Some(match is_identifier(&s) {
            true => format!("did you mean `{s}`?"),
            // `Umsatz Vorjahr`: no spelling of it is a name, so "did you mean" would loop.
            false => format!(
                "the column `{s}` has a name rules cannot write (names use a-z, A-Z, digits and `_`): name it in the customers query, `SELECT *, \"{s}\" AS {} FROM ...` (`customers.query`), and write that name",
                as_name(&s)
            ),
        })
    }

    /// Allocates a slot for every metric, population figure and output of a file.
    fn declare_file(&mut self, file: &Arc<SourceFile>, rules: &RuleFile, diags: &mut Sink) {
        for (name, expr) in &rules.metrics.0 {
            self.define(file, &expr.referenced, name, SlotKind::Metric, None, diags);
        }
        for (name, spec) in &rules.population.0 {
            self.define(
                file,
                &spec.referenced,
                name,
                SlotKind::Population,
                None,
                diags,
            );
        }
        for decision in &rules.decisions {
            self.declare_decision(file, &decision.value, diags);
        }
    }

    fn declare_decision(&mut self, file: &Arc<SourceFile>, d: &DecisionSpec, diags: &mut Sink) {
        let index = self.decisions.len();
        let at = &d.name.referenced;
        let (line, column) = (at.line() as usize, at.column() as usize);
        let key = format!("decision {}", d.name.value);
        if let Some(first) = self.written_at.get(&key) {
            diags.error(
                file,
                line,
                column,
                format!(
                    "decision `{}` is defined twice (first at {first})",
                    d.name.value
                ),
            );
        } else {
            let here = format!("{}:{line}:{column}", file.path.display());
            self.written_at.insert(key, here);
        }
        self.decisions.push(DeclaredDecision {
            name: d.name.value.clone(),
            outputs: Vec::new(),
            capped_by: None,
        });
        if let Some(c) = &d.capped_by {
            let at = &c.referenced;
            let slot = self.define(file, at, &c.value, SlotKind::Output, Some(index), diags);
            self.decisions[index].capped_by = slot;
        }
        if !d.outputs.is_empty() {
            // Declared: the decision's outputs, in their order; `output:` and `then:` keys
            // must be among them (checked when the decision compiles).
            for o in &d.outputs {
                let (name, at) = (&o.value.name, &o.referenced);
                self.declare_output(file, index, name, at, Written::Output, diags);
            }
            return;
        }
        if let Some(output) = &d.output {
            let (name, at) = (&output.value, &output.referenced);
            self.declare_output(file, index, name, at, Written::Output, diags);
        }
        let typos = output_typos(file, d, diags);
        for row in &d.rules {
            if let Some(then) = &row.value.then {
                for (name, value) in &then.0 {
                    if !typos.contains(name.as_str()) {
                        let at = &value.referenced;
                        self.declare_output(file, index, name, at, Written::ThenKey, diags);
                    }
                }
            }
        }
    }

    /// Declares output `name` of decision `index` (once, however many rows give it). `at` is
    /// where the name is written, or for a `then:` key, where its value is.
    fn declare_output(
        &mut self,
        file: &SourceFile,
        index: usize,
        name: &str,
        at: &Location,
        written: Written,
        diags: &mut Sink,
    ) {
        if let Some(slot) = self.slot(name) {
            if self.producer(slot) == Some(index) {
                return;
            }
            if self.kind(slot) == SlotKind::Field {
                let (line, column) = match written {
                    Written::Output => (at.line() as usize, at.column() as usize),
                    Written::ThenKey => key_position(file, name, at),
                };
                let decision = &self.decisions[index].name;
                let d = diags.error(
                    file,
                    line,
                    column,
                    format!(
                        "`{name}` is both a column of the customer source and an output of decision `{decision}`"
                    ),
                );
                d.rule = Some(decision.clone());
                d.width = name.chars().count();
                d.help = Some(
                    "rename the output, or drop or rename the column, or select other columns with `customers.query`"
                        .into(),
                );
                return;
            }
            if self.kind(slot) == SlotKind::Output {
                let other = self
                    .producer(slot)
                    .map(|i| self.decisions[i].name.clone())
                    .unwrap_or_default();
                diags
                    .error(
                        file,
                        at.line() as usize,
                        at.column() as usize,
                        format!(
                            "output `{name}` is already produced by decision `{other}`{}",
                            self.written_at
                                .get(name)
                                .map(|first| format!(" (at {first})"))
                                .unwrap_or_default()
                        ),
                    )
                    .help = Some("each output comes from exactly one decision".into());
                return;
            }
        }
        if let Some(slot) = self.define(file, at, name, SlotKind::Output, Some(index), diags) {
            if let Written::ThenKey = written {
                let (line, column) = key_position(file, name, at);
                let here = format!("{}:{line}:{column}", file.path.display());
                self.written_at.insert(name.to_owned(), here);
            }
            self.decisions[index].outputs.push(slot);
        }
    }

    /// ` (at rules/a.yaml:4:26)`: where `name` was first written, for messages (empty when
    /// not known).
    fn first_written(&self, name: &str) -> String {
        (self.written_at.get(name)).map_or(String::new(), |first| format!(" (at {first})"))
    }

    /// A new slot for `name`, or `None` after reporting why the name cannot have one.
    fn define(
        &mut self,
        file: &SourceFile,
        at: &Location,
        name: &str,
        kind: SlotKind,
        decision: Option<usize>,
        diags: &mut Sink,
    ) -> Option<Slot> {
        let (line, col) = (at.line() as usize, at.column() as usize);
        if !is_identifier(name) {
            diags
                .error(
                    file,
                    line,
                    col,
                    format!("`{name}` is not a valid {} name", kind.noun()),
                )
                .help = Some(
                crate::diag::yaml::split_number(&file.text, line, name).unwrap_or_else(|| {
                    match name.chars().any(|c| c.is_alphabetic() && !c.is_ascii()) {
                        true => "names use the letters a-z and A-Z without accents, digits and `_`, and do not start with a digit".into(),
                        false => "names use letters, digits and `_`, and do not start with a digit".into(),
                    }
                }),
            );
            return None;
        }
        if let Some(slot) = self.slot(name) {
            let what = self.kind(slot).noun();
            let first = self.first_written(name);
            diags.error(
                file,
                line,
                col,
                format!("`{name}` is already a {what}{first}; names must be unique"),
            );
            return None;
        }
        // SQLite compares column names without case: `Fired` is `fired`, `Tier` is `tier`.
        if kind == SlotKind::Output
            && let Some(column) = RESERVED.iter().find(|r| r.eq_ignore_ascii_case(name))
        {
            diags.error(
                file,
                line,
                col,
                format!(
                    "`{name}` is a column of the output table itself{}; choose another output name",
                    match *column == name {
                        true => String::new(),
                        false =>
                            format!(" (`{column}`: SQLite compares column names without case)"),
                    }
                ),
            );
            return None;
        }
        // `Period`, `AS_OF`: the views' own columns, which SQLite would rename the output's
        // (`Period:1`) behind, where BI tools read the view's by name.
        if kind == SlotKind::Output
            && let Some(column) = VIEW_COLUMNS.iter().find(|c| c.eq_ignore_ascii_case(name))
        {
            diags.error(
                file,
                line,
                col,
                format!(
                    "`{name}` is a column the views of the output table give themselves (`{column}`, in `..._latest` and `..._by_period`; SQLite compares column names without case); choose another output name"
                ),
            );
            return None;
        }
        if kind == SlotKind::Output
            && let Some((other, _)) = (self.slots.iter())
                .find(|(n, k)| *k == SlotKind::Output && n.eq_ignore_ascii_case(name))
        {
            let first = self.first_written(other);
            diags.error(
                file,
                line,
                col,
                format!(
                    "output `{name}` and output `{other}`{first} would be one column of the output table: SQLite compares column names without case; choose names that differ in more than case"
                ),
            );
            return None;
        }
        let slot = self.slots.len();
        let here = format!("{}:{line}:{col}", file.path.display());
        self.written_at.insert(name.to_owned(), here);
        self.slots.push((name.to_owned(), kind));
        self.producer.push(decision);
        self.by_name.insert(name.to_owned(), slot);
        Some(slot)
    }
}

/// Outputs that only some rows of a decision give, and whose name is close to one the other
/// rows give, are typos (`tire` for `tier`): those customers would silently get no `tier`.
/// Reports each and returns their names, which are not declared.
fn output_typos<'d>(file: &SourceFile, d: &'d DecisionSpec, diags: &mut Sink) -> HashSet<&'d str> {
    let given: Vec<(&str, &Spanned<Literal>, &str)> = d
        .rules
        .iter()
        .filter_map(|row| row.value.then.as_ref().map(|t| (row, t)))
        .flat_map(|(row, t)| {
            t.0.iter()
                .map(move |(n, v)| (n.as_str(), v, row.value.id.value.as_str()))
        })
        .collect();
    let rows = d.rules.len();
    let mut typos: HashSet<&str> = HashSet::new();
    for &(name, value, row_id) in &given {
        let count = given.iter().filter(|(n, ..)| *n == name).count();
        if count * 2 > rows {
            continue;
        }
        let common = given
            .iter()
            .map(|(n, ..)| *n)
            .filter(|n| *n != name && given.iter().filter(|(m, ..)| m == n).count() * 2 > rows);
        if let Some(intended) = suggest(name, common) {
            let (line, column) = key_position(file, name, &value.referenced);
            let d = diags.error(
                file,
                line,
                column,
                format!(
                    "row `{row_id}` gives `{name}`, which the other rows of decision `{}` do not give",
                    d.name.value
                ),
            );
            d.rule = Some(row_id.to_owned());
            d.help = Some(format!("did you mean `{intended}`?"));
            d.width = name.chars().count();
            typos.insert(name);
        }
    }
    typos
}

/// Where the key `name` of a `name: value` pair is: before its value, on the same line (the
/// value's position when it is not found there).
fn key_position(file: &SourceFile, name: &str, value: &Location) -> (usize, usize) {
    let line = value.line() as usize;
    let column = file
        .line(line)
        .and_then(|text| {
            let before: String = text
                .chars()
                .take((value.column() as usize).saturating_sub(1))
                .collect();
            before.rfind(name).map(|b| before[..b].chars().count() + 1)
        })
        .unwrap_or(value.column() as usize);
    (line, column)
}

fn is_identifier(name: &str) -> bool {
    let mut chars = name.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// Letters, digits, `-`, `_`, `.`; a `for_each` copy adds `@<item>` (`extra-b@beverages`).
fn is_rule_id(id: &str) -> bool {
    let plain = |s: &str| {
        !s.is_empty()
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
    };
    match id.split_once('@') {
        Some((id, item)) => plain(id) && plain(item),
        None => plain(id),
    }
}

/// The rule ids of rows, bands and caps, by [`RuleIdx`], and where each is written.
#[derive(Default)]
pub(super) struct RuleIds {
    pub ids: Vec<String>,
    pub origins: Vec<Origin>,
    /// Where each id was first written, for the duplicate error.
    seen: HashMap<String, String>,
}

impl RuleIds {
    /// Declares the id of a row or band, reporting an invalid or duplicate id.
    pub fn declare(
        &mut self,
        file: &Arc<SourceFile>,
        id: &Spanned<String>,
        diags: &mut Sink,
    ) -> RuleIdx {
        let (line, col) = (
            id.referenced.line() as usize,
            id.referenced.column() as usize,
        );
        self.declare_at(file, &id.value, (line, col), diags)
    }

    /// Declares a rule id written at `(line, col)` (a grid row's id cell, or where the row
    /// starts for a generated id).
    pub fn declare_at(
        &mut self,
        file: &Arc<SourceFile>,
        id: &str,
        (line, col): (usize, usize),
        diags: &mut Sink,
    ) -> RuleIdx {
        if !is_rule_id(id) {
            diags
                .error(file, line, col, format!("`{id}` is not a valid rule id"))
                .help = Some("rule ids use letters, digits, `-`, `_` and `.`".into());
        } else if let Some(other) = self.seen.get(id) {
            diags.error(
                file,
                line,
                col,
                format!("rule id `{id}` is used twice (first at {other})"),
            );
        } else {
            // A spreadsheet's place is its cell (`commission.csv, A6`), not the grid text's.
            self.seen.insert(id.to_owned(), file.place(line, col));
        }
        self.push(id.to_owned(), file, line, col)
    }

    /// Declares the id of a cap (`decision.min`), written where its bound is.
    pub fn cap(&mut self, id: String, file: &Arc<SourceFile>, at: &Location) -> RuleIdx {
        self.push(id, file, at.line() as usize, at.column() as usize)
    }

    fn push(&mut self, id: String, file: &Arc<SourceFile>, line: usize, column: usize) -> RuleIdx {
        self.ids.push(id);
        self.origins.push(Origin {
            file: file.clone(),
            line,
            column,
            chars: None,
        });
        (self.ids.len() - 1) as RuleIdx
    }
}

#[cfg(test)]
#[path = "symbols_tests.rs"]
mod tests;

/// A name rules can write for a column named `column`: `Umsatz Vorjahr` is `Umsatz_Vorjahr`,
/// `Überfällig_Tage` is `Ueberfaellig_Tage` (German umlauts as written without them), `Łódź`
/// is `Lodz`.
fn as_name(column: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    let mut out = String::new();
    for c in column.chars() {
        match c {
            'ä' => out.push_str("ae"),
            'ö' => out.push_str("oe"),
            'ü' => out.push_str("ue"),
            'Ä' => out.push_str("Ae"),
            'Ö' => out.push_str("Oe"),
            'Ü' => out.push_str("Ue"),
            'ß' => out.push_str("ss"),
            'ł' => out.push('l'),
            'Ł' => out.push('L'),
            c if c.is_ascii_alphanumeric() || c == '_' => out.push(c),
            c => match c.nfd().next().filter(char::is_ascii_alphanumeric) {
                Some(base) => out.push(base),
                None => out.push('_'),
            },
        }
    }
    if out.starts_with(|c: char| c.is_ascii_digit()) {
        out.insert(0, '_');
    }
    out
}

#[cfg(test)]
mod name_tests {
    use super::{as_name, is_identifier};

    #[test]
    fn columns_rules_cannot_write_get_a_name_they_can() {
        assert!(is_identifier("annual_sales"));
        assert!(!is_identifier("Umsatz Vorjahr"));
        assert_eq!(as_name("Umsatz Vorjahr"), "Umsatz_Vorjahr");
        assert_eq!(as_name("Überfällig_Tage"), "Ueberfaellig_Tage");
        assert_eq!(as_name("Łódź"), "Lodz");
        assert_eq!(as_name("Kunden-Nr."), "Kunden_Nr_");
        assert_eq!(as_name("2024 sales"), "_2024_sales");
    }
}
