//! One module per command: its arguments (`Args`), and `run`, which does the work through a
//! [`Workspace`](crate::workspace::Workspace) and prints a [`Report`](crate::report::Report).
//! No command imports another: what two commands share lives in a layer below.
//!
//! Adding a command: a new file here with `Args` and `run`, and one line in `commands!`
//! below (CONTRIBUTING.md).

pub mod bench;
pub mod changes;
pub mod check;
pub mod diff;
pub mod explain;
pub mod fields;
pub mod history;
pub mod prune;
pub mod report;
pub mod run;
pub mod sample;
pub mod schema;
pub mod serve;
pub mod test;
pub mod watch;

use crate::diag::Diagnostic;
use crate::error::{Error, ExitStatus};
use crate::time::Date;
use crate::workspace::Overrides;
use std::path::PathBuf;

/// What every command is given besides its own arguments.
#[derive(Debug, Clone)]
pub struct Globals {
    /// The configuration file.
    pub config: PathBuf,
}

/// Where the customers and the rules come from, when not the config's.
#[derive(clap::Args, Debug, Clone, Default)]
pub struct SourceArgs {
    /// Customer database (default: the config's `database`).
    #[arg(long)]
    pub db: Option<PathBuf>,
    /// Rules directory (default: the config's `rules`).
    #[arg(long)]
    pub rules: Option<PathBuf>,
    /// Evaluate as of this date, e.g. 2026-09-30 (default: today, UTC): what `as_of`,
    /// `period` and `previous.x` are to the rules (`run` records its run in that date's
    /// period; the other commands write nothing).
    #[arg(long, value_name = "DATE", value_parser = parse_date)]
    pub as_of: Option<Date>,
}

impl From<SourceArgs> for Overrides {
    fn from(args: SourceArgs) -> Overrides {
        Overrides {
            db: args.db,
            rules: args.rules,
            as_of: args.as_of,
        }
    }
}

/// A date given on the command line.
pub fn parse_date(text: &str) -> Result<Date, String> {
    let date = Date::parse(text).ok_or_else(|| crate::script::dates::not_a_date(text))?;
    // A run is as of a day: a time given would be dropped without a word.
    if text.trim().len() > 10 {
        return Err(format!(
            "`{text}` has a time: a run is as of a day; write `{date}`"
        ));
    }
    Ok(date)
}

/// An `--out` file must be a file (not a folder: `example` is a file name to suggest in
/// it) in a directory that exists: said before any work is done, not when the run or the
/// report is already made.
fn check_out_file(out: &std::path::Path, example: &str) -> Result<(), Error> {
    if out.is_dir() {
        return Err(Error::Argument(format!(
            "--out {}: that is a folder; name a file in it (`{}`)",
            out.display(),
            out.join(example).display()
        )));
    }
    if let Err(e) = crate::output::only_a_file(out) {
        return Err(Error::Argument(format!("--out {}: {e}", out.display())));
    }
    if let Some(dir) = out.parent()
        && !dir.as_os_str().is_empty()
        && !dir.is_dir()
    {
        return Err(Error::Argument(format!(
            "--out {}: the directory {} does not exist",
            out.display(),
            dir.display()
        )));
    }
    Ok(())
}

/// An `--out` file that would replace the customer database or a file of the rules (an
/// approver's `--out d<TAB>` gave `dist.db`, which a report replaced with its page, exit 0).
fn check_out_not_ours(
    out: &std::path::Path,
    ws: &crate::workspace::Workspace,
) -> Result<(), Error> {
    let full = |p: &std::path::Path| {
        let parent = p.parent().filter(|d| !d.as_os_str().is_empty());
        let dir = parent.map_or(std::env::current_dir().ok(), |d| d.canonicalize().ok());
        dir.map(|d| d.join(p.file_name().unwrap_or_default()))
    };
    let (out_full, db_full) = (full(out), full(&ws.database));
    let rules_dir = ws.rules_dir.canonicalize().ok();
    let in_rules =
        (out_full.as_ref().zip(rules_dir.as_ref())).is_some_and(|(o, r)| o.starts_with(r));
    if out_full.is_some() && out_full == db_full {
        return Err(Error::Argument(format!(
            "--out {}: that is the customer database, which the file would replace: name another file",
            out.display()
        )));
    }
    if in_rules {
        return Err(Error::Argument(format!(
            "--out {}: that is in the rules directory ({}), where the file would be read as rules (or replace one): name a file elsewhere",
            out.display(),
            ws.rules_dir.display()
        )));
    }
    Ok(())
}

/// Rule-file warnings, on stderr (stdout carries the command's result).
/// The rules of `--rules-at REV` (a git revision of the rules' repository, or a directory),
/// read into a temporary directory that lives as long as the result, which `overrides`
/// then names as the rules.
fn rules_at(
    reference: Option<&str>,
    globals: &Globals,
    overrides: &mut crate::workspace::Overrides,
) -> Result<Option<crate::impact::base::BaseRules>, Error> {
    let Some(reference) = reference else {
        return Ok(None);
    };
    let rules_dir = crate::workspace::Workspace::new(&globals.config, overrides)?.rules_dir;
    let at = crate::impact::base::BaseRules::find(reference, &rules_dir)
        .map_err(|e| Error::Argument(format!("--rules-at: {e}")))?;
    overrides.rules = Some(at.dir.clone());
    Ok(Some(at))
}

/// Diagnostics of rules read with `--rules-at`: at the revision's files, not the temporary
/// ones they were read into.
fn named_at(
    at: &Option<crate::impact::base::BaseRules>,
    diags: Vec<Diagnostic>,
) -> Vec<Diagnostic> {
    match at {
        Some(at) => at.name_files(diags),
        None => diags,
    }
}

fn print_warnings(warnings: &[Diagnostic]) {
    let color = crate::diag::use_color(&std::io::stderr());
    for w in warnings {
        eprintln!("{}\n", w.render(color));
    }
}

/// What `check` warns of in rules that load (their load `warnings`, then the lints as of
/// `as_of` that do not repeat them), a line each, for commands that put rules in force.
pub(crate) fn check_warning_lines(
    rules: &crate::rules::RuleSet,
    warnings: &[Diagnostic],
    as_of: crate::time::Date,
) -> Vec<String> {
    let lints = crate::rules::lint::lint(rules, as_of);
    let mut all = warnings.to_vec();
    let lints = crate::rules::lint::without_repeats(lints, warnings);
    all.extend(crate::rules::lint::for_runs(lints));
    warning_lines(&all, "warning")
}

/// Warnings a line each (`warning[TW102]: rules/a.yaml:7:9: message`) and a last line
/// counting them (`2 lint warnings in the rule files: ...`), for commands that put rules in
/// force without showing `check`'s full report; empty without warnings.
pub(crate) fn warning_lines(warnings: &[Diagnostic], noun: &str) -> Vec<String> {
    let mut lines: Vec<String> = (warnings.iter())
        .map(|w| {
            let code = w.code.map_or(String::new(), |c| format!("[{c}]"));
            format!("warning{code}: {}: {}", w.location(), w.message)
        })
        .collect();
    if !lines.is_empty() {
        lines.push(format!(
            "{} in the rule files: `tierwise check` shows them in full",
            crate::report::plural(warnings.len(), noun)
        ));
    }
    lines
}

/// Declares the commands: each `Variant => module` is a subcommand whose help is the
/// module's `Args` doc, run by the module's `run`.
macro_rules! commands {
    ($($variant:ident => $module:ident,)*) => {
        /// The commands, in the order `--help` lists them.
        #[derive(clap::Subcommand, Debug)]
        pub enum Command {
            $($variant($module::Args),)*
        }

        impl Command {
            pub fn run(self, globals: &Globals) -> Result<ExitStatus, Error> {
                match self {
                    $(Command::$variant(args) => $module::run(args, globals),)*
                }
            }
        }
    };
}

impl Command {
    /// Whether the command's output is JSON: its error is then JSON on stdout too (and in
    /// words on stderr), so that a program reading stdout gets one or the other. Every
    /// command has its arm: a new one does not compile until it says.
    pub fn json(&self) -> bool {
        use crate::report::Format::Json;
        match self {
            Command::Run(a) => a.format == Json,
            Command::Check(a) => a.format == Json,
            Command::Explain(a) => a.format == Json,
            Command::Fields(a) => a.format == Json,
            Command::Test(a) => a.format == Json,
            Command::History(a) => a.format == Json,
            Command::Prune(a) => a.format == Json,
            Command::Bench(a) => a.format == Json,
            Command::Changes(a) => a.format == changes::ChangesFormat::Json,
            Command::Diff(a) => a.format == diff::DiffFormat::Json,
            // No `--format json`: every command is listed, so a new one is decided here.
            Command::Watch(_)
            | Command::Serve(_)
            | Command::Schema(_)
            | Command::Sample(_)
            | Command::Report(_) => false,
        }
    }
}

commands! {
    Run => run,
    Check => check,
    Explain => explain,
    Fields => fields,
    Test => test,
    Watch => watch,
    Serve => serve,
    Schema => schema,
    Bench => bench,
    Sample => sample,
    History => history,
    Changes => changes,
    Diff => diff,
    Prune => prune,
    Report => report,
}
