//! Loading a rules directory: parse every file, compile every expression once, resolve every
//! name to a frame slot, order metrics and decisions by their dependencies. All problems are
//! collected, not just the first, each with file:line:column.

use super::model::{self, RuleFile};
use super::*;
use crate::diag::{Diagnostic, Diagnostics, Severity, SourceFile, suggest};
use crate::value::{Lit, Literal};
use rhai::{ASTNode, Engine, Position};
use serde_saphyr::Spanned;
use std::collections::{HashMap, HashSet};
use std::path::Path;

/// Loads and compiles the rule set in `dir` against the customer source's `fields` (column
/// names). Returns the rule set and any warnings, or every diagnostic found.
pub fn load(
    dir: &Path,
    fields: &[Field],
    limits: &Limits,
) -> Result<(RuleSet, Vec<Diagnostic>), Diagnostics> {
    let (yaml_files, script_files) = list_rule_files(dir)?;
    let mut loader = Loader::new(fields, limits);

    let mut hasher = blake3::Hasher::new();
    let mut parsed = Vec::new();
    let mut scripts = Vec::new();
    for (path, is_script) in yaml_files
        .iter()
        .map(|p| (p, false))
        .chain(script_files.iter().map(|p| (p, true)))
    {
        let text = match std::fs::read_to_string(path) {
            Ok(text) => text,
            Err(e) => {
                loader
                    .diags
                    .push(Diagnostic::file_error(path, format!("cannot read: {e}")));
                continue;
            }
        };
        let name = path.file_name().unwrap_or_default().to_string_lossy();
        hasher.update(name.as_bytes());
        hasher.update(&[0]);
        hasher.update(text.as_bytes());
        hasher.update(&[0]);
        let file = SourceFile::new(path.clone(), text);
        if is_script {
            scripts.push(file);
        } else if let Some(rules) = loader.parse_yaml(&file) {
            if rules.metrics.0.is_empty()
                && rules.population.0.is_empty()
                && rules.decisions.is_empty()
                && rules.summary.is_none()
            {
                loader
                    .diags
                    .push(Diagnostic::file_error(path, "this rule file defines nothing").warning());
            }
            parsed.push((file, rules));
        }
    }
    if yaml_files.is_empty() {
        loader.diags.push(Diagnostic::file_error(
            dir,
            "no rule files (*.yaml) in the rules directory",
        ));
    } else if !parsed.is_empty()
        && loader.unparsed.is_empty()
        && parsed.iter().all(|(_, r)| r.decisions.is_empty())
    {
        loader.diags.push(
            Diagnostic::file_error(
                dir,
                "the rule files define no decisions: a run would decide nothing",
            )
            .help("add a `decisions:` section to a rule file"),
        );
    }

    loader.compile_scripts(&scripts);
    for (file, rules) in &parsed {
        loader.declare(file, rules);
    }
    for (file, rules) in &parsed {
        loader.compile_file(file, rules);
    }
    let (mut set, warnings) = loader.finish(limits)?;
    set.fingerprint = hasher.finalize().to_hex()[..16].to_string();
    set.files = yaml_files.into_iter().chain(script_files).collect();
    Ok((set, warnings))
}

/// The rule files of a directory, sorted by name: policies (`*.yaml`, `*.yml`) and scripts
/// (`*.rhai`). Subdirectories (such as `tests/`) are not part of the rule set.
pub fn list_rule_files(dir: &Path) -> Result<(Vec<PathBuf>, Vec<PathBuf>), Diagnostics> {
    let entries = std::fs::read_dir(dir).map_err(|e| {
        Diagnostics(vec![Diagnostic::file_error(
            dir,
            format!("cannot read the rules directory: {e}"),
        )])
    })?;
    let (mut yaml, mut scripts) = (Vec::new(), Vec::new());
    for entry in entries.flatten() {
        let path = entry.path();
        if !path.is_file() {
            continue;
        }
        match path.extension().and_then(|e| e.to_str()) {
            Some("yaml" | "yml") => yaml.push(path),
            Some("rhai") => scripts.push(path),
            _ => {}
        }
    }
    yaml.sort();
    scripts.sort();
    Ok((yaml, scripts))
}

fn is_identifier(name: &str) -> bool {
    let mut chars = name.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

fn is_rule_id(id: &str) -> bool {
    !id.is_empty()
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
}

/// Column names the output table uses itself.
const RESERVED: [&str; 3] = ["run_id", "customer_id", "rule_ids"];

/// What a slot's name was declared by (for outputs: the producing decision).
struct Definition {
    /// For outputs: the index of the producing decision.
    decision: Option<usize>,
}

struct Loader {
    engine: Engine,
    diags: Vec<Diagnostic>,
    slots: Vec<(String, SlotKind)>,
    defs: Vec<Definition>,
    by_name: HashMap<String, Slot>,
    field_count: usize,
    functions: HashSet<String>,
    script_module: Option<Shared<rhai::Module>>,
    /// Script functions, for inlining into the fast path.
    script_functions: native::Functions,
    rule_ids: Vec<String>,
    rule_origins: Vec<Origin>,
    rule_seen: HashMap<String, String>,
    // Declared items, compiled in a second pass once every name is known.
    metric_slots: Vec<Slot>,
    population_slots: Vec<Slot>,
    decision_names: Vec<String>,
    decision_outputs: Vec<Vec<Slot>>,
    // Compiled items.
    metrics: HashMap<Slot, Metric>,
    population: HashMap<Slot, PopulationFigure>,
    decisions: Vec<Option<Decision>>,
    summary: Summary,
    summary_seen: bool,
    /// Rule files that failed to parse.
    unparsed: Vec<String>,
    /// Parameter names of each script function (one list per definition).
    signatures: HashMap<String, Vec<Vec<String>>>,
    max_locals: usize,
    script_failed: bool,
    /// Declared kinds of the source's columns, by slot.
    field_kinds: Vec<Option<ValueKind>>,
    /// Comparisons of a name with a constant, checked once every output's values are known.
    comparisons: Vec<Comparison>,
}

/// `name <op> constant` in some expression, for the static type check.
struct Comparison {
    slot: Slot,
    constant: rhai::Dynamic,
    equality: bool,
    file: Arc<SourceFile>,
    line: usize,
    column: usize,
    owner: String,
}

impl Loader {
    fn new(fields: &[Field], limits: &Limits) -> Self {
        let engine = crate::script::new_engine(limits);
        let functions = crate::script::function_names(&engine);
        let mut loader = Loader {
            engine,
            diags: Vec::new(),
            slots: Vec::new(),
            defs: Vec::new(),
            by_name: HashMap::new(),
            field_count: fields.len(),
            functions,
            script_module: None,
            script_functions: native::Functions::new(),
            rule_ids: Vec::new(),
            rule_origins: Vec::new(),
            rule_seen: HashMap::new(),
            metric_slots: Vec::new(),
            population_slots: Vec::new(),
            decision_names: Vec::new(),
            decision_outputs: Vec::new(),
            metrics: HashMap::new(),
            population: HashMap::new(),
            decisions: Vec::new(),
            summary: Summary::default(),
            summary_seen: false,
            unparsed: Vec::new(),
            signatures: HashMap::new(),
            max_locals: 0,
            script_failed: false,
            field_kinds: Vec::new(),
            comparisons: Vec::new(),
        };
        for field in fields {
            let slot = loader.slots.len();
            loader.field_kinds.push(field.kind);
            let field = field.name.clone();
            loader.slots.push((field.clone(), SlotKind::Field));
            loader.defs.push(Definition { decision: None });
            // A duplicated column name (possible in a query) resolves to its first column.
            loader.by_name.entry(field.clone()).or_insert(slot);
        }
        loader
    }

    fn error(
        &mut self,
        file: &SourceFile,
        line: usize,
        col: usize,
        msg: impl Into<String>,
    ) -> &mut Diagnostic {
        self.diags.push(Diagnostic::error(file, line, col, msg));
        self.diags.last_mut().expect("just pushed")
    }

    fn parse_yaml(&mut self, file: &Arc<SourceFile>) -> Option<RuleFile> {
        match crate::diag::yaml::parse::<RuleFile>(file) {
            Ok(rules) => Some(rules),
            Err(mut d) => {
                self.unparsed.push(file.path.display().to_string());
                const UNCHECKED: &str = "until this file reads, the names it defines are unknown to the other files, so they are not checked";
                d.help = Some(match d.help {
                    Some(help) => format!("{help} ({UNCHECKED})"),
                    None => UNCHECKED.into(),
                });
                self.diags.push(*d);
                None
            }
        }
    }

    /// Compiles `rules/*.rhai` into one module of functions shared by every expression.
    fn compile_scripts(&mut self, scripts: &[Arc<SourceFile>]) {
        let mut strict = crate::script::new_engine(&Limits::default());
        strict.set_strict_variables(true);
        let mut combined = rhai::AST::empty();
        let mut defined: HashMap<(String, usize), std::path::PathBuf> = HashMap::new();
        let mut calls = Vec::new();
        for file in scripts {
            let mut ast = match strict.compile(&file.text) {
                Ok(ast) => ast,
                Err(e) => {
                    self.script_failed = true;
                    let (line, col) = (e.1.line().unwrap_or(0), e.1.position().unwrap_or(0));
                    self.error(file, line, col, e.0.to_string());
                    continue;
                }
            };
            ast.set_source(file.path.display().to_string());
            if let Some(stmt) = ast.statements().first() {
                let pos = stmt.position();
                self.error(
                    file,
                    pos.line().unwrap_or(0),
                    pos.position().unwrap_or(0),
                    "a rule script may only define functions (`fn name(...) { ... }`)",
                )
                .help = Some(
                    "move this statement into a function, or into a metric in a .yaml file".into(),
                );
                continue;
            }
            let mut clash = None;
            for f in ast.iter_functions() {
                let key = (f.name.to_string(), f.params.len());
                if let Some(other) = defined.get(&key) {
                    clash = Some(format!(
                        "function `{}` with {} parameter(s) is defined in {} too",
                        f.name,
                        f.params.len(),
                        other.display()
                    ));
                }
                defined.insert(key, file.path.clone());
                self.functions.insert(f.name.to_string());
                self.signatures
                    .entry(f.name.to_string())
                    .or_default()
                    .push(f.params.iter().map(|p| p.to_string()).collect());
            }
            if let Some(msg) = clash {
                self.error(file, 0, 0, msg);
                continue;
            }
            calls.push((file.clone(), calls_in(&ast)));
            combined = combined.merge(&ast);
        }
        // Calls inside scripts, checked once every script's functions are known.
        for (file, found) in calls {
            for (name, args, pos) in found {
                let (line, col) = (pos.line().unwrap_or(0), pos.position().unwrap_or(0));
                if let Some(msg) = self.call_problem(&name, args) {
                    let help = self.function_suggestion(&name);
                    let d = self.error(&file, line, col, msg);
                    d.width = name.chars().count();
                    d.help = help;
                }
            }
        }
        if !defined.is_empty() {
            self.script_functions = native::functions(&combined);
            match rhai::Module::eval_ast_as_new(rhai::Scope::new(), &combined, &self.engine) {
                Ok(module) => {
                    let module: Shared<rhai::Module> = module.into();
                    self.engine.register_global_module(module.clone());
                    self.script_module = Some(module);
                }
                Err(e) => {
                    let path = scripts.first().map(|f| f.path.clone()).unwrap_or_default();
                    self.diags
                        .push(Diagnostic::file_error(&path, e.to_string()));
                }
            }
        }
    }

    fn define(
        &mut self,
        file: &SourceFile,
        at: &serde_saphyr::Location,
        name: &str,
        kind: SlotKind,
        decision: Option<usize>,
    ) -> Option<Slot> {
        let (line, col) = (at.line() as usize, at.column() as usize);
        if !is_identifier(name) {
            self.error(
                file,
                line,
                col,
                format!("`{name}` is not a valid {} name", kind.noun()),
            )
            .help = Some("names use letters, digits and `_`, and do not start with a digit".into());
            return None;
        }
        if let Some(&slot) = self.by_name.get(name) {
            let what = self.slots[slot].1.noun();
            self.error(
                file,
                line,
                col,
                format!("`{name}` is already a {what}; names must be unique"),
            );
            return None;
        }
        if kind == SlotKind::Output && RESERVED.contains(&name) {
            self.error(
                file,
                line,
                col,
                format!(
                    "`{name}` is a column of the output table itself; choose another output name"
                ),
            );
            return None;
        }
        let slot = self.slots.len();
        self.slots.push((name.to_owned(), kind));
        self.defs.push(Definition { decision });
        self.by_name.insert(name.to_owned(), slot);
        Some(slot)
    }

    fn rule_id(&mut self, file: &Arc<SourceFile>, id: &Spanned<String>) -> RuleIdx {
        let (line, col) = (
            id.referenced.line() as usize,
            id.referenced.column() as usize,
        );
        if !is_rule_id(&id.value) {
            self.error(
                file,
                line,
                col,
                format!("`{}` is not a valid rule id", id.value),
            )
            .help = Some("rule ids use letters, digits, `-`, `_` and `.`".into());
        } else if let Some(other) = self.rule_seen.get(&id.value).cloned() {
            self.error(
                file,
                line,
                col,
                format!("rule id `{}` is used twice (first at {other})", id.value),
            );
        } else {
            self.rule_seen.insert(
                id.value.clone(),
                format!("{}:{line}:{col}", file.path.display()),
            );
        }
        self.rule_ids.push(id.value.clone());
        self.rule_origins.push(Origin {
            file: file.clone(),
            line,
            column: col,
        });
        (self.rule_ids.len() - 1) as RuleIdx
    }

    /// First pass over a file: allocate a slot for every metric, population figure and output.
    fn declare(&mut self, file: &Arc<SourceFile>, rules: &RuleFile) {
        for (name, expr) in &rules.metrics.0 {
            if let Some(slot) = self.define(file, &expr.referenced, name, SlotKind::Metric, None) {
                self.metric_slots.push(slot);
            }
        }
        for (name, spec) in &rules.population.0 {
            if let Some(slot) =
                self.define(file, &spec.referenced, name, SlotKind::Population, None)
            {
                self.population_slots.push(slot);
            }
        }
        for decision in &rules.decisions {
            let index = self.decision_names.len();
            let d = &decision.value;
            let at = &d.name.referenced;
            if self.decision_names.contains(&d.name.value) {
                self.error(
                    file,
                    at.line() as usize,
                    at.column() as usize,
                    format!("decision `{}` is defined twice", d.name.value),
                );
            }
            self.decision_names.push(d.name.value.clone());
            let mut outputs: Vec<Slot> = Vec::new();
            let mut declare_output = |this: &mut Self, name: &str, at: &serde_saphyr::Location| {
                if let Some(&slot) = this.by_name.get(name)
                    && this.defs[slot].decision == Some(index)
                {
                    return;
                }
                if let Some(&slot) = this.by_name.get(name)
                    && this.slots[slot].1 == SlotKind::Output
                {
                    let other = this.defs[slot]
                        .decision
                        .map(|i| this.decision_names[i].clone())
                        .unwrap_or_default();
                    this.error(
                        file,
                        at.line() as usize,
                        at.column() as usize,
                        format!("output `{name}` is already produced by decision `{other}`"),
                    )
                    .help = Some("each output comes from exactly one decision".into());
                    return;
                }
                if let Some(slot) = this.define(file, at, name, SlotKind::Output, Some(index)) {
                    outputs.push(slot);
                }
            };
            if let Some(output) = &d.output {
                declare_output(self, &output.value, &output.referenced);
            }
            // An output that only some rows give, and whose name is close to one the other
            // rows give, is a typo (`tire` for `tier`): those customers would silently get
            // no `tier`.
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
                let common = given.iter().map(|(n, ..)| *n).filter(|n| {
                    *n != name && given.iter().filter(|(m, ..)| m == n).count() * 2 > rows
                });
                if let Some(intended) = suggest(name, common) {
                    let at = &value.referenced;
                    let line = at.line() as usize;
                    // Point at the key, written before its value on the same line.
                    let column = file
                        .line(line)
                        .and_then(|text| {
                            let before: String =
                                text.chars().take(at.column() as usize - 1).collect();
                            before.rfind(name).map(|b| before[..b].chars().count() + 1)
                        })
                        .unwrap_or(at.column() as usize);
                    self.error(file, line, column, format!("row `{row_id}` gives `{name}`, which the other rows of decision `{}` do not give", d.name.value))
                        .rule = Some(row_id.to_owned());
                    if let Some(d) = self.diags.last_mut() {
                        d.help = Some(format!("did you mean `{intended}`?"));
                        d.width = name.chars().count();
                    }
                    typos.insert(name);
                }
            }
            for row in &d.rules {
                if let Some(then) = &row.value.then {
                    for (name, value) in &then.0 {
                        if !typos.contains(name.as_str()) {
                            declare_output(self, name, &value.referenced);
                        }
                    }
                }
            }
            self.decision_outputs.push(outputs);
        }
    }

    /// Second pass: compile every expression of a file.
    fn compile_file(&mut self, file: &Arc<SourceFile>, rules: &RuleFile) {
        for (name, expr) in &rules.metrics.0 {
            let Some(&slot) = self.by_name.get(name) else {
                continue;
            };
            if self.slots[slot].1 != SlotKind::Metric || self.metrics.contains_key(&slot) {
                continue;
            }
            if let Some(compiled) = self.expr(file, expr, name, true) {
                self.metrics.insert(
                    slot,
                    Metric {
                        name: name.clone(),
                        slot,
                        expr: compiled,
                    },
                );
            }
        }
        for (name, spec) in &rules.population.0 {
            let Some(&slot) = self.by_name.get(name) else {
                continue;
            };
            if self.slots[slot].1 != SlotKind::Population || self.population.contains_key(&slot) {
                continue;
            }
            if let Some(figure) = self.population_figure(file, name, slot, spec) {
                self.population.insert(slot, figure);
            }
        }
        for decision in &rules.decisions {
            let index = self.decisions.len();
            let compiled = self.decision(file, index, decision);
            self.decisions.push(compiled);
        }
        if let Some(summary) = &rules.summary {
            if self.summary_seen {
                self.error(file, 0, 0, "`summary` is given in more than one rule file");
            }
            self.summary_seen = true;
            for name in &summary.count_by {
                match self.by_name.get(&name.value) {
                    Some(&slot) => self.summary.count_by.push((name.value.clone(), slot)),
                    // Possibly defined in a rule file that failed to parse (reported).
                    None if !self.unparsed.is_empty() => {}
                    None => {
                        let help = self.suggestion(&name.value);
                        let at = &name.referenced;
                        let d = self.error(
                            file,
                            at.line() as usize,
                            at.column() as usize,
                            format!("unknown name `{}` in summary.count_by", name.value),
                        );
                        d.help = help;
                    }
                }
            }
            for (name, expr) in &summary.totals.0 {
                if let Some(compiled) = self.expr(file, expr, &format!("summary.{name}"), true) {
                    self.summary.totals.push((name.clone(), compiled));
                }
            }
        }
    }

    fn population_figure(
        &mut self,
        file: &Arc<SourceFile>,
        name: &str,
        slot: Slot,
        spec: &Spanned<model::PopulationSpec>,
    ) -> Option<PopulationFigure> {
        let s = &spec.value;
        let given: Vec<(Statistic, &Spanned<String>)> = [
            (Statistic::Percentile, &s.percentile_of),
            (Statistic::Rank, &s.rank_of),
            (Statistic::Share, &s.share_of),
            (Statistic::CumulativeShare, &s.cumulative_share_of),
        ]
        .into_iter()
        .filter_map(|(stat, e)| e.as_ref().map(|e| (stat, e)))
        .collect();
        if given.len() != 1 {
            let at = &spec.referenced;
            self.error(file, at.line() as usize, at.column() as usize, format!("population figure `{name}` needs exactly one of percentile_of, rank_of, share_of, cumulative_share_of"))
                .rule = Some(name.to_owned());
            return None;
        }
        let (statistic, of) = given[0];
        let of = self.expr(file, of, name, false);
        let filter = match &s.filter {
            Some(f) => Some(self.expr(file, f, name, false)?),
            None => None,
        };
        Some(PopulationFigure {
            name: name.to_owned(),
            slot,
            statistic,
            of: of?,
            filter,
        })
    }

    fn decision(
        &mut self,
        file: &Arc<SourceFile>,
        index: usize,
        spec: &Spanned<model::DecisionSpec>,
    ) -> Option<Decision> {
        let d = &spec.value;
        let name = d.name.value.clone();
        let outputs = self
            .decision_outputs
            .get(index)
            .cloned()
            .unwrap_or_default();
        let at = (
            spec.referenced.line() as usize,
            spec.referenced.column() as usize,
        );
        let single_output = d
            .output
            .as_ref()
            .and_then(|o| self.by_name.get(&o.value).copied());
        let mut ok = true;

        if d.hit == HitPolicy::Collect && d.output.is_none() {
            self.error(
                file,
                at.0,
                at.1,
                "a `collect` decision needs `output:` (the one output its rows' values add up to)",
            )
            .rule = Some(name.clone());
            ok = false;
        }
        if d.hit != HitPolicy::Collect && d.aggregate.is_some() {
            let a = d
                .aggregate
                .as_ref()
                .map(|a| &a.referenced)
                .expect("checked");
            self.error(
                file,
                a.line() as usize,
                a.column() as usize,
                "`aggregate` only applies to `hit: collect`",
            )
            .rule = Some(name.clone());
            ok = false;
        }
        if (d.cap.is_some() || d.round.is_some()) && d.output.is_none() {
            self.error(file, at.0, at.1, "`cap` and `round` apply to a decision's single `output:`; add one, or split the decision").rule = Some(name.clone());
            ok = false;
        }
        if d.rules.is_empty() == d.scale.is_none() {
            self.error(
                file,
                at.0,
                at.1,
                "a decision has either `rules:` or `scale:` (one of the two)",
            )
            .rule = Some(name.clone());
            return None;
        }

        let mut rows = Vec::new();
        let output_index = |slot: Slot| outputs.iter().position(|&s| s == slot);
        for row in &d.rules {
            let r = &row.value;
            let rule = self.rule_id(file, &r.id);
            let condition = match &r.when {
                Some(when) => match self.expr(file, when, &r.id.value, false) {
                    Some(e) => Condition::When(e),
                    None => {
                        ok = false;
                        Condition::Always
                    }
                },
                None => Condition::Always,
            };
            let mut values = Vec::new();
            let rat = (
                row.referenced.line() as usize,
                row.referenced.column() as usize,
            );
            match (&r.value, &r.then) {
                (Some(_), Some(_)) => {
                    self.error(
                        file,
                        rat.0,
                        rat.1,
                        "a row gives either `value:` or `then:`, not both",
                    )
                    .rule = Some(r.id.value.clone());
                    ok = false;
                }
                (None, None) => {
                    self.error(
                        file,
                        rat.0,
                        rat.1,
                        "this row gives no output: add `value:` or `then:`",
                    )
                    .rule = Some(r.id.value.clone());
                    ok = false;
                }
                (Some(value), None) => match single_output {
                    Some(slot) => match self.value(file, value, &r.id.value) {
                        Some(v) => values.push((output_index(slot).unwrap_or(0), v)),
                        None => ok = false,
                    },
                    None => {
                        if d.output.is_none() {
                            self.error(file, rat.0, rat.1, "`value:` needs the decision to name its `output:`; or use `then: { name: value }`").rule = Some(r.id.value.clone());
                        }
                        ok = false;
                    }
                },
                (None, Some(then)) => {
                    if d.hit == HitPolicy::Collect {
                        self.error(file, rat.0, rat.1, "rows of a `collect` decision give a `value:` (added up into the output)").rule = Some(r.id.value.clone());
                        ok = false;
                    }
                    for (out, value) in &then.0 {
                        let Some(&slot) = self.by_name.get(out) else {
                            ok = false;
                            continue;
                        };
                        let Some(i) = output_index(slot) else {
                            ok = false;
                            continue;
                        };
                        match self.value(file, value, &r.id.value) {
                            Some(v) => values.push((i, v)),
                            None => ok = false,
                        }
                    }
                }
            }
            rows.push(Row {
                rule,
                condition,
                values,
            });
        }

        let mut scale_of = None;
        if let Some(scale) = &d.scale {
            let Some(slot) = single_output else {
                self.error(file, at.0, at.1, "a `scale:` decision needs `output:`")
                    .rule = Some(name.clone());
                return None;
            };
            scale_of = self.expr(file, &scale.of, &name, false);
            ok &= scale_of.is_some();
            for band in &scale.bands {
                let b = &band.value;
                let rule = self.rule_id(file, &b.id);
                if let (Some(from), Some(below)) = (b.from, b.below)
                    && from >= below
                {
                    let bat = &band.referenced;
                    self.error(
                        file,
                        bat.line() as usize,
                        bat.column() as usize,
                        format!(
                            "band `{}` is empty: `from` ({from}) must be below `below` ({below})",
                            b.id.value
                        ),
                    )
                    .rule = Some(b.id.value.clone());
                    ok = false;
                }
                let Some(value) = self.value(file, &b.value, &b.id.value) else {
                    ok = false;
                    continue;
                };
                rows.push(Row {
                    rule,
                    condition: Condition::Band {
                        from: b.from,
                        below: b.below,
                    },
                    values: vec![(output_index(slot).unwrap_or(0), value)],
                });
            }
        }

        let cap = |this: &mut Self, bound: &Option<Spanned<Literal>>, which: &str| -> Option<Cap> {
            let bound = bound.as_ref()?;
            let id = format!("{name}.{which}");
            this.rule_ids.push(id.clone());
            this.rule_origins.push(Origin {
                file: file.clone(),
                line: bound.referenced.line() as usize,
                column: bound.referenced.column() as usize,
            });
            let rule = (this.rule_ids.len() - 1) as RuleIdx;
            match this.value(file, bound, &id) {
                Some(ValueExpr::Const(v)) if v.value().as_f64().is_none() => {
                    let at = &bound.referenced;
                    this.error(
                        file,
                        at.line() as usize,
                        at.column() as usize,
                        format!("cap `{which}` must be a number or an `=` formula"),
                    )
                    .rule = Some(id);
                    None
                }
                Some(value) => Some(Cap { rule, value }),
                None => None,
            }
        };
        let (min, max) = match &d.cap {
            Some(c) => (cap(self, &c.min, "min"), cap(self, &c.max, "max")),
            None => (None, None),
        };
        if let Some(round) = &d.round {
            let step = match round.value {
                RoundSpec::Down(s) | RoundSpec::Up(s) | RoundSpec::Nearest(s) => s,
            };
            if !(step.is_finite() && step > 0.0) {
                let at = &round.referenced;
                self.error(
                    file,
                    at.line() as usize,
                    at.column() as usize,
                    "the rounding step must be a number above 0",
                )
                .rule = Some(name.clone());
                ok = false;
            }
        }
        let decimal = rows.iter().any(|r| {
            r.values
                .iter()
                .any(|(_, v)| matches!(v, ValueExpr::Const(Lit::Float(_))))
        });
        ok.then(|| Decision {
            decimal,
            name,
            hit: d.hit,
            aggregate: d.aggregate.as_ref().map(|a| a.value),
            outputs,
            scale_of,
            rows,
            round: d.round.as_ref().map(|r| r.value),
            min,
            max,
        })
    }

    /// A row's value: a constant, or a formula when it is text starting with `=`.
    fn value(
        &mut self,
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
                .expr(file, &spanned, owner, true)
                .map(ValueExpr::Formula);
        }
        Some(ValueExpr::Const(Lit::from(&lit.value)))
    }

    /// What is wrong with calling `name` with `args` arguments, if anything: an unknown
    /// function, or a script function given the wrong number of arguments.
    fn call_problem(&self, name: &str, args: usize) -> Option<String> {
        if !self.functions.contains(name) {
            return Some(format!("unknown function `{name}`"));
        }
        let defs = self.signatures.get(name)?;
        if defs.iter().any(|params| params.len() == args) {
            return None;
        }
        let takes: Vec<String> = defs
            .iter()
            .map(|p| {
                format!(
                    "{} ({})",
                    crate::text::plural(p.len(), "argument"),
                    p.join(", ")
                )
            })
            .collect();
        Some(format!(
            "`{name}` takes {}, but is given {args}",
            takes.join(" or ")
        ))
    }

    fn function_suggestion(&self, name: &str) -> Option<String> {
        if self.functions.contains(name) {
            return None;
        }
        suggest(name, self.functions.iter().map(String::as_str))
            .map(|s| format!("did you mean `{s}`?"))
            .or_else(|| {
                Some("functions come from rhai's standard library or from rules/*.rhai".into())
            })
    }

    fn suggestion(&self, name: &str) -> Option<String> {
        suggest(name, self.slots.iter().map(|(n, _)| n.as_str()))
            .map(|s| format!("did you mean `{s}`?"))
    }

    /// Compiles one expression written in a YAML string. `formula`: a leading `=` is allowed.
    fn expr(
        &mut self,
        file: &Arc<SourceFile>,
        text: &Spanned<String>,
        owner: &str,
        formula: bool,
    ) -> Option<Expr> {
        let origin = origin_of(file, text, formula);
        let body = expression_body(&text.value, formula);
        if body.trim().is_empty() {
            self.error(file, origin.line, origin.column, "empty expression")
                .rule = Some(owner.to_owned());
            return None;
        }
        let ast = match self.engine.compile_expression(body) {
            Ok(ast) => ast,
            Err(e) => {
                let (line, col) = origin.map(e.1.line().unwrap_or(1), e.1.position().unwrap_or(1));
                self.error(file, line, col, e.0.to_string()).rule = Some(owner.to_owned());
                return None;
            }
        };
        let mut names: Vec<(String, Position)> = Vec::new();
        let mut calls: Vec<(String, usize, Position)> = Vec::new();
        let mut compared: Vec<(String, rhai::Dynamic, bool, Position)> = Vec::new();
        ast.walk(&mut |path: &[ASTNode]| {
            if let Some(
                ASTNode::Expr(rhai::Expr::FnCall(f, pos))
                | ASTNode::Stmt(rhai::Stmt::FnCall(f, pos)),
            ) = path.last()
                && f.op_token.is_some()
                && f.args.len() == 2
                && matches!(f.name.as_str(), "==" | "!=" | "<" | "<=" | ">" | ">=")
            {
                let equality = matches!(f.name.as_str(), "==" | "!=");
                match (&f.args[0], &f.args[1]) {
                    (rhai::Expr::Variable(v, ..), c) | (c, rhai::Expr::Variable(v, ..)) => {
                        if let Some(constant) = constant_of(c) {
                            compared.push((v.1.to_string(), constant, equality, *pos));
                        }
                    }
                    _ => {}
                }
            }
            match path.last() {
                Some(ASTNode::Expr(rhai::Expr::Variable(v, _, pos))) => {
                    names.push((v.1.to_string(), *pos))
                }
                // A call at the top of an expression is a statement node.
                Some(
                    ASTNode::Expr(rhai::Expr::FnCall(f, pos))
                    | ASTNode::Stmt(rhai::Stmt::FnCall(f, pos)),
                ) if f.op_token.is_none() && f.namespace.is_empty() => {
                    calls.push((f.name.to_string(), f.args.len(), *pos))
                }
                _ => {}
            }
            true
        });
        let mut vars: Vec<(rhai::Identifier, Slot)> = Vec::new();
        let mut ok = true;
        for (name, pos) in names {
            let (line, col) = origin.map(pos.line().unwrap_or(1), pos.position().unwrap_or(1));
            match self.by_name.get(&name) {
                Some(&slot) => {
                    if !vars.iter().any(|(_, s)| *s == slot) {
                        vars.push((name.as_str().into(), slot));
                    }
                }
                // After a rule file failed to parse, its names are unknown to the others:
                // "unknown name" errors would be noise (and their hints wrong).
                None if !self.unparsed.is_empty() => ok = false,
                None => {
                    let help = self.suggestion(&name).or_else(|| {
                        Some("a name must be a column of the customer source, a metric, a population figure or a decision's output".into())
                    });
                    let d = self.error(file, line, col, format!("unknown name `{name}`"));
                    d.rule = Some(owner.to_owned());
                    d.width = name.chars().count();
                    d.help = help;
                    ok = false;
                }
            }
        }
        for (name, args, pos) in calls {
            // A script that failed to compile defines functions we cannot know: its error
            // is reported already, and "unknown function" for each of them would be noise.
            if self.script_failed {
                continue;
            }
            if let Some(msg) = self.call_problem(&name, args) {
                let (line, col) = origin.map(pos.line().unwrap_or(1), pos.position().unwrap_or(1));
                let help = self.function_suggestion(&name);
                let d = self.error(file, line, col, msg);
                d.rule = Some(owner.to_owned());
                d.width = name.chars().count();
                d.help = help;
                ok = false;
            }
        }
        for (name, constant, equality, pos) in compared {
            if let Some(&slot) = self.by_name.get(&name) {
                let (line, column) =
                    origin.map(pos.line().unwrap_or(1), pos.position().unwrap_or(1));
                self.comparisons.push(Comparison {
                    slot,
                    constant,
                    equality,
                    file: file.clone(),
                    line,
                    column,
                    owner: owner.to_owned(),
                });
            }
        }
        if !ok {
            return None;
        }
        let by_name = &self.by_name;
        let native = native::compile(
            &ast,
            &|name| by_name.get(name).copied(),
            &self.script_functions,
        );
        if native.is_none() {
            tracing::info!(
                "{}:{}:{}: `{body}` runs in the interpreter (no fast path)",
                file.path.display(),
                origin.line,
                origin.column
            );
        }
        Some(Expr {
            ast,
            vars,
            origin,
            native,
            text: body.to_owned(),
        })
    }

    /// Orders metrics and decisions by their dependencies and builds the rule set.
    /// The dependency and type analysis runs even after errors, on whatever compiled, so
    /// that one `check` reports every problem.
    fn finish(mut self, limits: &Limits) -> Result<(RuleSet, Vec<Diagnostic>), Diagnostics> {
        let deps = |e: &Expr| -> Vec<Slot> { e.vars.iter().map(|(_, s)| *s).collect() };

        // Metrics the population pass needs are computed first, for every customer.
        let mut pre: HashSet<Slot> = HashSet::new();
        let mut stack: Vec<(Slot, String)> = Vec::new();
        for fig in self.population.values() {
            let mut used = deps(&fig.of);
            used.extend(fig.filter.iter().flat_map(deps));
            for slot in used {
                match self.slots[slot].1 {
                    SlotKind::Metric => stack.push((slot, fig.name.clone())),
                    SlotKind::Population | SlotKind::Output => {
                        let kind = self.slots[slot].1.noun();
                        let origin = &fig.of.origin;
                        let d = origin.error(format!(
                                "population figure `{}` cannot use {kind} `{}`: population figures are computed from fields and metrics",
                                fig.name, self.slots[slot].0
                            ),
                        );
                        self.diags.push(d.rule(fig.name.clone()));
                    }
                    SlotKind::Field => {}
                }
            }
        }
        while let Some((slot, figure)) = stack.pop() {
            if !pre.insert(slot) {
                continue;
            }
            let Some(metric) = self.metrics.get(&slot) else {
                continue;
            };
            for dep in deps(&metric.expr) {
                match self.slots[dep].1 {
                    SlotKind::Metric => stack.push((dep, figure.clone())),
                    SlotKind::Population => {
                        let origin = &metric.expr.origin;
                        let d = origin.error(format!(
                                "metric `{}` is needed by population figure `{figure}`, so it cannot use population figure `{}`",
                                metric.name, self.slots[dep].0
                            ),
                        );
                        self.diags.push(d.rule(metric.name.clone()));
                    }
                    _ => {}
                }
            }
        }
        for metric in self.metrics.values() {
            for dep in deps(&metric.expr) {
                if self.slots[dep].1 == SlotKind::Output {
                    let origin = &metric.expr.origin;
                    let d = origin.error(format!("metric `{}` cannot use output `{}`: metrics are computed before decisions", metric.name, self.slots[dep].0))
                        .help("compute it in a decision instead");
                    self.diags.push(d.rule(metric.name.clone()));
                }
            }
        }

        let metric_order = self.order_metrics();
        let decision_order = self.order_decisions();
        self.check_comparisons();
        if self.diags.iter().any(|d| d.severity == Severity::Error) {
            return Err(Diagnostics(self.diags));
        }

        let mut metrics = std::mem::take(&mut self.metrics);
        let (mut metrics_pre, mut metrics_post) = (Vec::new(), Vec::new());
        for slot in metric_order {
            if let Some(m) = metrics.remove(&slot) {
                if pre.contains(&slot) {
                    metrics_pre.push(m)
                } else {
                    metrics_post.push(m)
                }
            }
        }
        let mut population: Vec<PopulationFigure> =
            std::mem::take(&mut self.population).into_values().collect();
        population.sort_by_key(|f| f.slot);
        let mut decisions_by_index: Vec<Option<Decision>> = std::mem::take(&mut self.decisions);
        let decisions: Vec<Decision> = decision_order
            .into_iter()
            .filter_map(|i| decisions_by_index[i].take())
            .collect();
        let outputs = decisions
            .iter()
            .flat_map(|d| d.outputs.iter())
            .map(|&slot| Output {
                name: self.slots[slot].0.clone(),
                slot,
            })
            .collect();

        let mut used: HashSet<Slot> = HashSet::new();
        let mut note = |e: &Expr| {
            used.extend(
                e.vars
                    .iter()
                    .map(|(_, s)| *s)
                    .filter(|&s| s < self.field_count),
            )
        };
        for m in metrics_pre.iter().chain(&metrics_post) {
            note(&m.expr)
        }
        for f in &population {
            note(&f.of);
            f.filter.iter().for_each(&mut note)
        }
        for d in &decisions {
            d.exprs().for_each(&mut note);
        }
        for (_, e) in &self.summary.totals {
            note(e)
        }
        used.extend(
            self.summary
                .count_by
                .iter()
                .map(|(_, s)| *s)
                .filter(|&s| s < self.field_count),
        );
        let mut used_fields: Vec<Slot> = used.into_iter().collect();
        used_fields.sort_unstable();

        let warnings = std::mem::take(&mut self.diags);
        let set = RuleSet {
            fingerprint: String::new(),
            files: Vec::new(),
            slots: self.slots,
            field_count: self.field_count,
            used_fields,
            metrics_pre,
            population,
            metrics_post,
            decisions,
            outputs,
            rule_ids: self.rule_ids,
            rule_origins: self.rule_origins,
            summary: self.summary,
            limits: limits.clone(),
            scripts: self.script_module,
            max_locals: self.max_locals,
        };
        Ok((set, warnings))
    }

    /// Static type check: comparing a name with a constant of another kind can never be
    /// true (`tier == 1` when every tier is text) and is an error. Comparing a text output
    /// with a text it never takes (`tier == "a"`) is a warning: likely a typo.
    fn check_comparisons(&mut self) {
        // What each output can be, when all its values are constants.
        let mut values: HashMap<Slot, Option<Vec<rhai::Dynamic>>> = HashMap::new();
        for d in self.decisions.iter().flatten() {
            for row in &d.rows {
                for (k, v) in &row.values {
                    let entry = values
                        .entry(d.outputs[*k])
                        .or_insert_with(|| Some(Vec::new()));
                    match (v, entry.as_mut()) {
                        (ValueExpr::Const(c), Some(list)) => list.push(c.value().to_dynamic()),
                        _ => *entry = None,
                    }
                }
            }
        }
        let comparisons = std::mem::take(&mut self.comparisons);
        for c in comparisons {
            let Some(constant_kind) = ValueKind::of(&c.constant) else {
                continue;
            };
            let (name, slot_kind) = self.slots[c.slot].clone();
            let (kind, known): (Option<ValueKind>, Option<&Vec<rhai::Dynamic>>) = match slot_kind {
                SlotKind::Field => (self.field_kinds.get(c.slot).copied().flatten(), None),
                SlotKind::Population => (Some(ValueKind::Number), None),
                SlotKind::Metric => (None, None),
                SlotKind::Output => match values.get(&c.slot).and_then(|v| v.as_ref()) {
                    Some(list) => {
                        let kinds: HashSet<Option<ValueKind>> =
                            list.iter().map(ValueKind::of).collect();
                        match kinds.into_iter().collect::<Vec<_>>()[..] {
                            [Some(k)] => (Some(k), Some(list)),
                            _ => (None, None),
                        }
                    }
                    None => (None, None),
                },
            };
            let Some(kind) = kind else { continue };
            let listing = |list: &Vec<rhai::Dynamic>| {
                let mut shown: Vec<String> = Vec::new();
                for v in list {
                    let s = v.to_string();
                    if !shown.contains(&s) {
                        shown.push(s);
                    }
                }
                shown.join(", ")
            };
            if kind != constant_kind {
                let what = match known {
                    Some(list) => format!(
                        "{} `{name}` is {} ({})",
                        slot_kind.noun(),
                        kind.noun(),
                        listing(list)
                    ),
                    None => format!("{} `{name}` is {}", slot_kind.noun(), kind.noun()),
                };
                let d = Diagnostic::error(
                    &c.file,
                    c.line,
                    c.column,
                    format!(
                        "{what}, but it is compared with {} `{}`",
                        constant_kind.noun(),
                        c.constant
                    ),
                )
                .rule(c.owner)
                .help("this comparison can never be true");
                self.diags.push(d);
            } else if c.equality
                && kind == ValueKind::Text
                && let Some(list) = known
                && !list.iter().any(|v| v.to_string() == c.constant.to_string())
            {
                let d = Diagnostic::error(
                    &c.file,
                    c.line,
                    c.column,
                    format!("output `{name}` is never \"{}\"", c.constant),
                )
                .warning()
                .rule(c.owner)
                .help(format!("its values are: {}", listing(list)));
                self.diags.push(d);
            }
        }
    }

    /// Metrics in an order where each comes after the metrics it uses; a cycle is an error.
    fn order_metrics(&mut self) -> Vec<Slot> {
        let mut order = Vec::new();
        let mut state: HashMap<Slot, u8> = HashMap::new(); // 1 = visiting, 2 = done
        let mut slots: Vec<Slot> = self.metrics.keys().copied().collect();
        slots.sort_unstable();
        for start in slots {
            let mut path = Vec::new();
            self.visit_metric(start, &mut state, &mut path, &mut order);
        }
        order
    }

    fn visit_metric(
        &mut self,
        slot: Slot,
        state: &mut HashMap<Slot, u8>,
        path: &mut Vec<Slot>,
        order: &mut Vec<Slot>,
    ) {
        match state.get(&slot) {
            Some(2) => return,
            Some(1) => {
                let start = path.iter().position(|&s| s == slot).unwrap_or(0);
                let cycle: Vec<&str> = path[start..]
                    .iter()
                    .chain([&slot])
                    .map(|&s| self.slots[s].0.as_str())
                    .collect();
                let origin = self.metrics[&slot].expr.origin.clone();
                let d = origin.error(format!(
                    "metrics depend on each other in a cycle: {}",
                    cycle.join(" -> ")
                ));
                self.diags.push(d.rule(self.slots[slot].0.clone()));
                return;
            }
            _ => {}
        }
        state.insert(slot, 1);
        path.push(slot);
        let deps: Vec<Slot> = self
            .metrics
            .get(&slot)
            .map(|m| m.expr.vars.iter().map(|(_, s)| *s).collect())
            .unwrap_or_default();
        for dep in deps {
            if self.slots[dep].1 == SlotKind::Metric {
                self.visit_metric(dep, state, path, order);
            }
        }
        path.pop();
        state.insert(slot, 2);
        order.push(slot);
    }

    /// Decisions in declared order, except that a decision runs after every decision whose
    /// outputs it uses. A cycle is an error naming the decisions.
    fn order_decisions(&mut self) -> Vec<usize> {
        let n = self.decisions.len();
        let mut needs: Vec<HashSet<usize>> = vec![HashSet::new(); n];
        for (i, d) in self.decisions.iter().enumerate() {
            let Some(d) = d else { continue };
            for e in d.exprs() {
                for (_, slot) in &e.vars {
                    if let Some(j) = self.defs[*slot].decision {
                        if j == i {
                            let o = &e.origin;
                            let d = Diagnostic::error(
                                &o.file,
                                o.line,
                                o.column,
                                format!(
                                    "decision `{}` uses its own output `{}`",
                                    d.name, self.slots[*slot].0
                                ),
                            );
                            self.diags.push(d.rule(d_name(&self.decision_names, i)));
                        } else {
                            needs[i].insert(j);
                        }
                    }
                }
            }
        }
        let mut done = vec![false; n];
        let mut order = Vec::with_capacity(n);
        while order.len() < n {
            let Some(next) = (0..n).find(|&i| !done[i] && needs[i].iter().all(|&j| done[j])) else {
                let stuck: Vec<String> = (0..n)
                    .filter(|&i| !done[i])
                    .map(|i| format!("`{}`", self.decision_names[i]))
                    .collect();
                let origin = self
                    .decisions
                    .iter()
                    .flatten()
                    .find(|d| stuck.contains(&format!("`{}`", d.name)))
                    .and_then(|d| d.rows.first())
                    .and_then(|r| match &r.condition {
                        Condition::When(e) => Some(e.origin.clone()),
                        _ => None,
                    });
                let msg = format!(
                    "decisions depend on each other's outputs in a cycle: {}",
                    stuck.join(", ")
                );
                match origin {
                    Some(o) => self.diags.push(o.error(msg)),
                    None => self
                        .diags
                        .push(Diagnostic::file_error(Path::new("rules"), msg)),
                }
                break;
            };
            done[next] = true;
            order.push(next);
        }
        order
    }
}

fn d_name(names: &[String], i: usize) -> String {
    names.get(i).cloned().unwrap_or_default()
}

/// The function calls of a script (`name`, number of arguments, position), operators and
/// method calls aside.
fn calls_in(ast: &rhai::AST) -> Vec<(String, usize, Position)> {
    let mut calls = Vec::new();
    ast.walk(&mut |path: &[ASTNode]| {
        if let Some(
            ASTNode::Expr(rhai::Expr::FnCall(f, pos)) | ASTNode::Stmt(rhai::Stmt::FnCall(f, pos)),
        ) = path.last()
            && f.op_token.is_none()
            && f.namespace.is_empty()
        {
            calls.push((f.name.to_string(), f.args.len(), *pos));
        }
        true
    });
    calls
}

/// The value of a constant expression node (text, number, true/false).
fn constant_of(e: &rhai::Expr) -> Option<rhai::Dynamic> {
    match e {
        rhai::Expr::StringConstant(s, _) => Some(s.clone().into()),
        rhai::Expr::IntegerConstant(i, _) => Some((*i).into()),
        rhai::Expr::FloatConstant(f, _) => Some((**f).into()),
        rhai::Expr::BoolConstant(b, _) => Some((*b).into()),
        _ => None,
    }
}

/// Where the text of a YAML string value starts: after the opening quote of a quoted scalar.
fn origin_of(file: &Arc<SourceFile>, text: &Spanned<String>, formula: bool) -> Origin {
    let loc = &text.referenced;
    let mut column = loc.column() as usize;
    if let Some(offset) = loc.span().byte_offset()
        && matches!(
            file.text.as_bytes().get(offset as usize),
            Some(b'"' | b'\'')
        )
    {
        column += 1;
    }
    // Skip what `expression_body` strips: leading blanks and a formula's `=`.
    let raw = &text.value;
    let body = expression_body(raw, formula);
    let skipped = raw[..raw.len() - body.len()].chars().count();
    column += skipped;
    Origin {
        file: file.clone(),
        line: loc.line() as usize,
        column,
    }
}

/// The expression inside a string: without leading blanks and, for formulas, the `=`.
fn expression_body(raw: &str, formula: bool) -> &str {
    let trimmed = raw.trim_start();
    if formula && let Some(rest) = trimmed.strip_prefix('=') {
        return rest.trim_start();
    }
    trimmed
}
