//! `tierwise diff --base REF`: what changing the rules from REF to the current ones does to
//! the customers, before the change goes live: migration matrices, money totals before and
//! after, the customers that change most, the rules that fire differently. Nothing is
//! written.

use super::{Globals, SourceArgs};
use crate::error::{Error, ExitStatus};
use crate::impact::{self, base::BaseRules};
use crate::report::impact::ImpactReport;
use crate::workspace::Workspace;

/// How `diff` prints.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum DiffFormat {
    /// For people.
    #[default]
    Text,
    /// For programs.
    Json,
    /// Markdown tables, to paste into a change request.
    Md,
}

/// Show what the current rules change against a base (a directory or a git revision), on
/// the same customers as of the same date.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// The base rules: a directory, or a git revision of the repository that holds the rules
    /// directory (HEAD, main~3, a tag), read with git without touching your files.
    #[arg(long, value_name = "REF")]
    pub base: String,
    #[command(flatten)]
    pub source: SourceArgs,
    /// Exit with 1 when anything changed (for the CI of a rules repository).
    #[arg(long)]
    pub fail_on_change: bool,
    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    pub format: DiffFormat,
}

pub fn run(args: Args, globals: &Globals) -> Result<ExitStatus, Error> {
    let ws = Workspace::new(&globals.config, &args.source.into())?;
    let base =
        BaseRules::find(&args.base, &ws.rules_dir).map_err(|e| Error::Argument(e.to_string()))?;
    let impact = impact::against(&ws, &base, &mut |_| {})?;
    super::print_warnings(&impact.warnings);
    let report = ImpactReport {
        base: base.label.clone(),
        rules: ws.rules_dir.display().to_string(),
        as_of: ws.context.as_of.to_string(),
        period: ws.context.period.to_string(),
        currency: ws.config.currency.clone(),
        impact: &impact,
    };
    crate::report::stdout(|out| match args.format {
        DiffFormat::Text => report.text(out),
        DiffFormat::Md => report.markdown(out),
        DiffFormat::Json => writeln!(
            out,
            "{:#}",
            serde_json::to_value(&report).unwrap_or_default()
        ),
    });
    Ok(if args.fail_on_change && impact.changed() {
        // The exit status is said: with no customer's policy changed (a rule renamed, rows
        // swapped), exit 1 came without a word.
        eprintln!(
            "--fail-on-change: exit 1, because {}",
            impact.what_changed().join("; ")
        );
        ExitStatus::Failure
    } else {
        ExitStatus::Success
    })
}
