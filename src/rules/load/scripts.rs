//! Pass 2, scripts: compile `rules/*.rhai` into one module of functions that every
//! expression can call, and check the calls inside the scripts.
//!
//! Scripts compile with strict variables (a typo in a name is an error at its position) and
//! with the configured limits, so a script the limits reject at run time is rejected at load.
//! A script may only define functions: top-level statements would re-run on every call.

use super::Sink;
use super::switch_cases::{Forward, ParamCase, decimal_local_cases, forwards, param_cases};
use super::uses::{map_keys, method_calls, plain_calls};
use crate::diag::{Diagnostic, SourceFile, suggest};
use crate::rules::native;
use crate::script::Limits;
use rhai::{Engine, Shared};
use std::collections::{BTreeSet, HashMap};
use std::path::PathBuf;
use std::sync::Arc;

/// A `switch` case on a parameter, and the script it is written in.
pub(super) type ScriptCase = (Arc<SourceFile>, ParamCase);

/// The functions rule expressions may call, and the engine they compile with.
pub(super) struct Scripts {
    /// The sandboxed engine with the configured limits and the script functions.
    pub engine: Engine,
    /// The script functions, for every worker's engine.
    pub module: Option<Shared<rhai::Module>>,
    /// The script functions, for inlining into the fast path.
    pub inline: native::Functions,
    /// Every function name: rhai's standard library, tierwise's, the scripts'. Sorted, so
    /// that a did-you-mean between equally close names is always the same.
    names: BTreeSet<String>,
    /// How many arguments each function of rhai's and tierwise's takes (one number per
    /// overload); the language's own (`print`, `type_of`) are not here: they take any.
    builtin: HashMap<String, BTreeSet<usize>>,
    /// [`Scripts::builtin`] of the functions on values (numbers, text, dates): a script
    /// function of the same name and arity would replace one of them in every rule.
    builtin_on_values: HashMap<String, BTreeSet<usize>>,
    /// The keys of the scripts' map literals: `m.f(x)` calls the function a map holds
    /// under `f`, so a method of such a name is no unknown function.
    map_keys: BTreeSet<String>,
    /// Parameter names of each script function (one list per definition, fewest first).
    signatures: HashMap<String, Vec<Vec<String>>>,
    /// A script failed to compile: the functions it defines are unknown, so calls of unknown
    /// functions are not reported (they would be noise).
    pub failed: bool,
    /// By function name and arity: the `switch` cases on its parameters, in their script.
    pub param_cases: HashMap<(String, usize), Vec<ScriptCase>>,
}

/// Compiles the scripts; problems go to `diags`.
pub(super) fn compile(files: &[Arc<SourceFile>], limits: &Limits, diags: &mut Sink) -> Scripts {
    let engine = crate::script::new_engine(limits);
    let catalogue = crate::script::catalogue(&engine);
    let mut scripts = Scripts {
        names: catalogue.names.into_iter().collect(),
        builtin: catalogue.arities,
        builtin_on_values: catalogue.on_values,
        engine,
        module: None,
        inline: native::Functions::new(),
        signatures: HashMap::new(),
        map_keys: BTreeSet::new(),
        failed: false,
        param_cases: HashMap::new(),
    };
    let mut strict = crate::script::new_engine(limits);
    strict.set_strict_variables(true);
    let mut combined = rhai::AST::empty();
    let mut defined: HashMap<(String, usize), PathBuf> = HashMap::new();
    let mut calls = Vec::new();
    let mut compiled = Vec::new();
    let mut passed_on = Vec::new();
    for file in files {
        if let Some(ast) = scripts.compile_file(&strict, file, &mut defined, diags) {
            // rhai keeps a script's functions in a hash map: report in the order written.
            let mut found: Vec<_> = (plain_calls(&ast).into_iter().map(|c| (c, false)))
                .chain(method_calls(&ast).into_iter().map(|c| (c, true)))
                .collect();
            found.sort_by_key(|((_, _, pos), _)| (pos.line(), pos.position()));
            calls.push((file.clone(), found));
            scripts.map_keys.extend(map_keys(&ast));
            for c in param_cases(&file.text) {
                let key = (c.function.clone(), c.arity);
                scripts
                    .param_cases
                    .entry(key)
                    .or_default()
                    .push((file.clone(), c));
            }
            for (local, c) in decimal_local_cases(&file.text) {
                let (line, col) = (c.pos.line().unwrap_or(0), c.pos.position().unwrap_or(0));
                let d = diags.error(
                    file,
                    line,
                    col,
                    format!(
                        "`{local}` is given by a division, so it is a decimal (`/` always gives one: `4 / 2` is 2.0), which the whole-number case `{}` never matches: every customer gets the switch's `_`",
                        c.value
                    ),
                );
                d.help = Some(
                    "make it whole where it is given (`.to_int()` after the division), or write the cases as ranges (`0..1 =>`), which match decimals"
                        .to_owned(),
                );
            }
            passed_on.extend(forwards(&file.text));
            combined = combined.merge(&ast);
            compiled.push((file.clone(), ast));
        }
    }
    pass_cases_on(&mut scripts.param_cases, &passed_on);
    // Calls inside scripts, checked once every script's functions are known.
    for (file, found) in calls {
        for ((name, args, pos), method) in found {
            let (line, col) = (pos.line().unwrap_or(0), pos.position().unwrap_or(0));
            if let Some(msg) = scripts.call_problem_as(&name, args, method) {
                let help = scripts.function_suggestion(&name);
                let d = diags.error(&file, line, col, msg);
                d.width = name.chars().count();
                d.help = help;
            }
        }
    }
    if !defined.is_empty() {
        scripts.inline = native::functions(&combined);
        scripts.module = module_of(&compiled, &scripts.engine, diags);
        if let Some(module) = &scripts.module {
            scripts.engine.register_global_module(module.clone());
        }
    }
    scripts
}

/// The help for a name a script does not know: the nearest name the script declares (a
/// parameter, a `let` or `const`, a loop variable, mistyped), and what a function sees.
fn unknown_name_help(text: &str, name: &str) -> String {
    let mut declared = super::switch_cases::declared_names(text);
    declared.remove(name);
    let sees = "a script function sees only its parameters and its own `let`s: pass a field in as a parameter where the function is called";
    match crate::diag::did_you_mean(name, declared.iter().map(String::as_str)) {
        Some(close) => format!("{close} ({sees})"),
        None => sees.to_owned(),
    }
}

/// The line of `const name` or `let name` written at the start of a line outside any
/// function (no brace open before it), and which of the two.
fn top_level_declaration(text: &str, name: &str) -> Option<(usize, &'static str)> {
    let mut depth = 0i64;
    for (k, line) in text.lines().enumerate() {
        let trimmed = line.trim_start();
        if depth == 0 {
            for keyword in ["const", "let"] {
                let declared = (trimmed.strip_prefix(keyword))
                    .filter(|r| r.starts_with(char::is_whitespace))
                    .map(|r| r.trim_start())
                    .and_then(|r| r.strip_prefix(name))
                    .is_some_and(|r| !r.starts_with(|c: char| c.is_alphanumeric() || c == '_'));
                if declared {
                    return Some((k + 1, keyword));
                }
            }
        }
        depth += line.matches('{').count() as i64 - line.matches('}').count() as i64;
    }
    None
}

/// Where `fn name(` is written in `text` (line, column; 0, 0 when not found).
fn definition_at(text: &str, name: &str) -> (usize, usize) {
    for (k, line) in text.lines().enumerate() {
        let Some(at) = line.find("fn ") else {
            continue;
        };
        let rest = line[at + 3..].trim_start();
        if rest
            .strip_prefix(name)
            .is_some_and(|r| r.trim_start().starts_with('('))
        {
            let column = line.len() - rest.len();
            return (k + 1, line[..column].chars().count() + 1);
        }
    }
    (0, 0)
}

/// A function passing its parameter on to another function's switch (`fn bonus(ch) {
/// channel_bonus(ch) }`) has that switch's cases on its parameter too, through any number of
/// such calls: a text column passed to `bonus` never matches `channel_bonus`'s number cases.
fn pass_cases_on(cases: &mut HashMap<(String, usize), Vec<ScriptCase>>, forwards: &[Forward]) {
    loop {
        let mut added = false;
        for f in forwards {
            let Some(callee) = cases.get(&(f.callee.clone(), f.callee_arity)) else {
                continue;
            };
            let reached: Vec<ScriptCase> = callee
                .iter()
                .filter(|(_, c)| c.param == f.callee_param)
                .map(|(file, c)| (file.clone(), c.through(f)))
                .collect();
            let caller = cases.entry((f.function.clone(), f.arity)).or_default();
            for (file, c) in reached {
                // Each case once per parameter (a recursion would pass it on forever).
                let known = caller.iter().any(|(known_file, k)| {
                    k.param == c.param && k.case.pos == c.case.pos && known_file.path == file.path
                });
                if !known {
                    caller.push((file, c));
                    added = true;
                }
            }
        }
        if !added {
            return;
        }
    }
}

/// One module of the functions of every script. Each file becomes a module of its own
/// first, so that its functions keep their file: an error inside one names it (merging the
/// scripts' ASTs first named the last file for every function).
fn module_of(
    compiled: &[(Arc<SourceFile>, rhai::AST)],
    engine: &Engine,
    diags: &mut Sink,
) -> Option<Shared<rhai::Module>> {
    let mut all = rhai::Module::new();
    for (file, ast) in compiled {
        match rhai::Module::eval_ast_as_new(rhai::Scope::new(), ast, engine) {
            Ok(module) => {
                all.combine(module);
            }
            Err(e) => {
                diags.push(Diagnostic::file_error(&file.path, e.to_string()));
                return None;
            }
        }
    }
    all.build_index();
    Some(all.into())
}

impl Scripts {
    /// Compiles one script and notes its functions; `None` when it cannot join the module.
    fn compile_file(
        &mut self,
        strict: &Engine,
        file: &Arc<SourceFile>,
        defined: &mut HashMap<(String, usize), PathBuf>,
        diags: &mut Sink,
    ) -> Option<rhai::AST> {
        let mut ast = match strict.compile(&file.text) {
            Ok(ast) => ast,
            Err(e) => {
                self.failed = true;
                let (line, col) = (e.1.line().unwrap_or(0), e.1.position().unwrap_or(0));
                if let rhai::ParseErrorType::VariableUndefined(name) = &*e.0 {
                    // `const MAX = 100;` outside the functions: the cause is that line.
                    if let Some((at, keyword)) = top_level_declaration(&file.text, name) {
                        let d = diags.error(
                            file,
                            at,
                            1,
                            format!(
                                "a rule script may only define functions: `{keyword} {name}` is outside them, and no function sees it (it is used at line {line})"
                            ),
                        );
                        d.help = Some(format!(
                            "make it a function and call it: `fn {}() {{ ... }}`, then `{}()`",
                            name.to_lowercase(),
                            name.to_lowercase()
                        ));
                        return None;
                    }
                    let d = diags.error(file, line, col, format!("unknown name `{name}`"));
                    d.width = name.chars().count();
                    d.help = Some(unknown_name_help(&file.text, name));
                    return None;
                }
                let d = diags.error(file, line, col, e.0.to_string());
                d.help = crate::script::limit_help(&e.0);
                return None;
            }
        };
        ast.set_source(file.path.display().to_string());
        if let Some(stmt) = ast.statements().first() {
            let pos = stmt.position();
            diags
                .error(
                    file,
                    pos.line().unwrap_or(0),
                    pos.position().unwrap_or(0),
                    "a rule script may only define functions (`fn name(...) { ... }`)",
                )
                .help = Some(
                "move this statement into a function, or into a metric in a .yaml file".into(),
            );
            // Its functions are not loaded: calls of them are no news.
            self.failed = true;
            return None;
        }
        let mut clash = None;
        let mut functions: Vec<_> = ast.iter_functions().collect();
        functions.sort_by_key(|f| (f.name, f.params.len()));
        for f in functions {
            let key = (f.name.to_string(), f.params.len());
            if let Some(other) = defined.get(&key) {
                clash = Some(format!(
                    "function `{}` with {} parameter(s) is defined in {} too",
                    f.name,
                    f.params.len(),
                    other.display()
                ));
            }
            // Rhai would call it instead of the built-in one everywhere, shipped rules too.
            if (self.builtin_on_values.get(f.name)).is_some_and(|a| a.contains(&f.params.len())) {
                let (line, col) = definition_at(&file.text, f.name);
                let d = diags.error(
                    file,
                    line,
                    col,
                    format!(
                        "`{}` with {} is a built-in function: this one would replace it for every rule that calls it, the shipped rules too",
                        f.name,
                        crate::text::plural(f.params.len(), "parameter")
                    ),
                );
                d.width = f.name.chars().count();
                d.help = Some(format!(
                    "give yours a name of its own (`my_{}`) and call that",
                    f.name
                ));
            }
            defined.insert(key, file.path.clone());
            self.names.insert(f.name.to_string());
            let defs = self.signatures.entry(f.name.to_string()).or_default();
            defs.push(f.params.iter().map(|p| p.to_string()).collect());
            defs.sort_by_key(Vec::len);
        }
        if let Some(msg) = clash {
            diags.error(file, 0, 0, msg);
            return None;
        }
        Some(ast)
    }

    /// [`Scripts::call_problem`] for a call written as a method (`method`, `args` counting
    /// the object). A method no function has is unknown (`"x".repeat(3)` failed for every
    /// customer at run time, as text "needing numbers"), unless a script's map holds a
    /// function of that name (the object's own).
    pub fn call_problem_as(&self, name: &str, args: usize, method: bool) -> Option<String> {
        if method && !self.names.contains(name) {
            return match self.map_keys.contains(name) {
                true => None,
                false => Some(format!("unknown function `{name}`")),
            };
        }
        let problem = self.call_problem(name, args)?;
        Some(match method {
            true => format!("{problem} (as a method, the value before the `.` is the first)"),
            false => problem,
        })
    }

    /// What is wrong with calling `name` with `args` arguments, if anything: an unknown
    /// function, or a script function given the wrong number of arguments.
    pub fn call_problem(&self, name: &str, args: usize) -> Option<String> {
        if !self.names.contains(name) {
            return Some(format!("unknown function `{name}`"));
        }
        let defs = self.signatures.get(name);
        let builtin = self.builtin.get(name);
        // The language's own functions (`print`, `type_of`) take any number.
        if defs.is_none() && builtin.is_none() {
            return None;
        }
        let given = |arity: usize| {
            defs.is_some_and(|d| d.iter().any(|params| params.len() == arity))
                || builtin.is_some_and(|b| b.contains(&arity))
        };
        if given(args) {
            return None;
        }
        // A script function's by its parameters, a built-in one's by their number.
        let mut takes: Vec<(usize, String)> = (defs.into_iter().flatten())
            .map(|p| {
                let count = crate::text::plural(p.len(), "argument");
                (p.len(), format!("{count} ({})", p.join(", ")))
            })
            .collect();
        for &arity in builtin.into_iter().flatten() {
            if !takes.iter().any(|(n, _)| *n == arity) {
                takes.push((arity, crate::text::plural(arity, "argument")));
            }
        }
        takes.sort();
        let takes: Vec<String> = takes.into_iter().map(|(_, t)| t).collect();
        Some(format!(
            "`{name}` takes {}, but is given {args}",
            takes.join(" or ")
        ))
    }

    /// The help for a call of `name`: the function meant, or where functions come from.
    pub fn function_suggestion(&self, name: &str) -> Option<String> {
        if name == "round" {
            return Some(
                "`round(x)` rounds to a whole number; to round an output to cents give its decision `round: { nearest: 0.01 }` (a spreadsheet's ROUND(x, 2); `nearest: 10` for ROUND(x, -1)): it rounds halves away from zero from the decimal meant, where `(x * 100.0).round() / 100.0` rounds 1.005 to 1 (binary holds 1.00499...)".into(),
            );
        }
        if self.names.contains(name) {
            return None;
        }
        if crate::script::WITHHELD.contains(&name) {
            return Some(
                "rules cannot wait, read the clock or stop a script: the same customer must get the same policy whenever it is evaluated".into(),
            );
        }
        suggest(name, self.names.iter().map(String::as_str))
            .map(|s| format!("did you mean `{s}`?"))
            .or_else(|| {
                Some("functions come from rhai's standard library or from rules/*.rhai".into())
            })
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use super::*;

    /// Compiles the scripts `files` (name, text) with `limits`.
    fn compile_with(files: &[(&str, &str)], limits: &Limits) -> (Scripts, Vec<String>) {
        let dir = tempfile::tempdir().unwrap();
        let files: Vec<Arc<SourceFile>> = files
            .iter()
            .map(|(name, text)| SourceFile::new(dir.path().join(name), (*text).to_owned()))
            .collect();
        let mut diags = Sink::default();
        let scripts = compile(&files, limits, &mut diags);
        let shown = show(&diags.0, dir.path());
        (scripts, shown)
    }

    fn compile_scripts(files: &[(&str, &str)]) -> (Scripts, Vec<String>) {
        compile_with(files, &Limits::default())
    }

    #[test]
    fn functions_join_one_module_and_the_fast_path() {
        let (scripts, shown) = compile_scripts(&[
            ("a.rhai", "fn double(x) { x * 2 }\n"),
            (
                "b.rhai",
                "// more\nfn add(a, b) { a + b }\nfn add(a) { a }\n",
            ),
        ]);
        assert!(shown.is_empty(), "{shown:?}");
        assert!(scripts.module.is_some());
        assert_eq!(
            scripts.engine.eval::<i64>("add(double(20), 2)").unwrap(),
            42
        );
        assert_eq!(scripts.inline.len(), 3);
        assert!(!scripts.failed);
        assert_eq!(scripts.call_problem("double", 1), None);
        assert_eq!(scripts.call_problem("min", 2), None, "the standard library");
        assert_eq!(
            scripts.call_problem("add", 3).as_deref(),
            Some("`add` takes 1 argument (a) or 2 arguments (a, b), but is given 3")
        );
    }

    #[test]
    fn no_scripts_no_module() {
        let (scripts, shown) = compile_scripts(&[]);
        assert!(shown.is_empty());
        assert!(scripts.module.is_none());
        assert_eq!(
            scripts.call_problem("dubble", 1).as_deref(),
            Some("unknown function `dubble`")
        );
        assert_eq!(
            scripts.function_suggestion("maxx").as_deref(),
            Some("did you mean `max`?")
        );
        assert_eq!(
            scripts.function_suggestion("zzqqxxyy").as_deref(),
            Some("functions come from rhai's standard library or from rules/*.rhai")
        );
    }

    #[test]
    fn an_undefined_variable_is_an_error_at_its_position() {
        let (scripts, shown) =
            compile_scripts(&[("s.rhai", "fn score(a) { a + undefined_thing }\n")]);
        assert_eq!(
            shown,
            [
                "error s.rhai:1:19: unknown name `undefined_thing` | help: a script function sees only its parameters and its own `let`s: pass a field in as a parameter where the function is called"
            ]
        );
        assert!(scripts.failed);
    }

    #[test]
    fn a_script_only_defines_functions() {
        let (scripts, shown) = compile_scripts(&[("s.rhai", "let x = 1;\nfn f(a) { a }\n")]);
        assert_eq!(
            shown,
            [
                "error s.rhai:1:1: a rule script may only define functions (`fn name(...) { ... }`) \
              | help: move this statement into a function, or into a metric in a .yaml file"
            ]
        );
        assert!(scripts.failed);
        assert!(scripts.module.is_none());
    }

    #[test]
    fn a_function_defined_in_two_scripts_is_an_error() {
        let (_, shown) = compile_scripts(&[
            ("s.rhai", "fn f(a) { a }\n"),
            ("t.rhai", "fn f(b) { b * 2 }\nfn g(a, b) { a + b }\n"),
        ]);
        assert_eq!(
            shown,
            ["error t.rhai: function `f` with 1 parameter(s) is defined in s.rhai too"]
        );
    }

    #[test]
    fn calls_inside_scripts_are_checked_against_every_script() {
        let (_, shown) = compile_scripts(&[
            ("a.rhai", "fn score(a, b) { a + b + helpr(a) + later(b) }\n"),
            (
                "b.rhai",
                "fn helper(a) { a }\nfn later(a) { g(1, 2, 3) }\nfn g(a) { a }\n",
            ),
        ]);
        assert_eq!(
            shown,
            [
                "error a.rhai:1:26: unknown function `helpr` | help: did you mean `helper`?",
                "error b.rhai:2:15: `g` takes 1 argument (a), but is given 3",
            ]
        );
    }

    #[test]
    fn a_method_no_function_has_is_unknown_unless_a_map_holds_it() {
        let (_, shown) = compile_scripts(&[(
            "a.rhai",
            "fn banner(t) { t.repeat(3) + t.to_upper() }\nfn twice(x) { let m = #{ double: |v| v * 2 }; m.double(x) }\n\
             fn by_property(x) { let m = #{}; m.triple = |v| v * 3; m.triple(x) }\n\
             fn by_index(x) { let m = #{}; m[\"quad\"] = |v| v * 4; m.quad(x) }\n\
             fn made() { let m = #{}; m.put = |v| v + 100; m }\nfn from_made(x) { let m = made(); m.put(x) }\n",
        )]);
        assert_eq!(
            shown,
            ["error a.rhai:1:18: unknown function `repeat` | help: did you mean `replace`?"]
        );
    }

    #[test]
    fn scripts_compile_with_the_configured_limits() {
        let nested = |depth: usize| {
            format!(
                "fn f(x) {{ {}x{} }}\n",
                "(".repeat(depth),
                ")".repeat(depth)
            )
        };
        // Within the default depth of 64, beyond a configured 10.
        let (scripts, shown) = compile_scripts(&[("s.rhai", &nested(20))]);
        assert!(shown.is_empty() && !scripts.failed, "{shown:?}");
        let low = Limits {
            max_expr_depth: 10,
            ..Limits::default()
        };
        let (scripts, shown) = compile_with(&[("s.rhai", &nested(20))], &low);
        assert!(scripts.failed);
        assert_eq!(
            shown,
            [
                "error s.rhai:1:14: Expression exceeds maximum complexity | help: an expression of many terms or levels (a sum of 100 columns) meets `limits.max_expr_depth` in the config (64 by default, at most 100): split it into metrics (four sums of 25 terms, then their sum), or raise the limit"
            ]
        );
        // Beyond the default depth (each parenthesis is two levels), within a configured 200.
        let high = Limits {
            max_expr_depth: 200,
            ..Limits::default()
        };
        let (scripts, shown) = compile_with(&[("s.rhai", &nested(60))], &high);
        assert!(shown.is_empty() && !scripts.failed, "{shown:?}");
    }
}
