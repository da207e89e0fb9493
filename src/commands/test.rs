//! `tierwise test`: run the rule test cases in `rules/tests/*.yaml` (see [`crate::cases`]).

use super::{Globals, print_warnings};
use crate::cases;
use crate::error::{Error, ExitStatus};
use crate::report::Format;
use crate::source::CustomerSource;
use crate::workspace::{Overrides, Workspace};
use std::path::PathBuf;

/// Run the test cases in `<rules>/tests/*.yaml`: pass or fail per case, row coverage.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// Rules directory (default: the config's `rules`); the cases are in its `tests/`.
    #[arg(long)]
    pub rules: Option<PathBuf>,
    /// Only the cases whose name contains this text (upper and lower case ignored).
    #[arg(long = "case", value_name = "SUBSTRING")]
    pub case: Option<String>,
    /// The date of the cases that give none (no `as_of:` in the case or at the top of its
    /// file), e.g. 2027-01-31 (default: today, UTC): rules that read the date
    /// (`month(as_of)`) are tested on the date they will run on.
    #[arg(long, value_name = "DATE", value_parser = super::parse_date)]
    pub as_of: Option<crate::time::Date>,
    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    pub format: Format,
}

pub fn run(args: Args, globals: &Globals) -> Result<ExitStatus, Error> {
    let overrides = Overrides {
        rules: args.rules,
        as_of: args.as_of,
        ..Overrides::default()
    };
    let ws = Workspace::new(&globals.config, &overrides)?;
    let source = ws.open_source()?;
    let loaded = ws.load_rules(&source)?;
    print_warnings(&loaded.warnings);
    let report = cases::run(
        &loaded.rules,
        &source.columns()?,
        &ws.config.id_column,
        &ws.rules_dir.join("tests"),
        args.case.as_deref(),
        ws.context,
    )?;
    crate::report::print(&report, args.format);
    // A date that no case is evaluated on: every case (or its file) gives its own.
    let evaluated = || (report.cases.iter()).filter(|c| !c.as_of.is_empty());
    if let Some(as_of) = args.as_of
        && evaluated().count() > 0
        && evaluated().all(|c| c.as_of != as_of.to_string())
    {
        eprintln!(
            "note: --as-of {as_of} applies to no case: each gives its own `as_of` (in the case or at the top of its file), which it is evaluated on"
        );
    }
    // A test file or case that could not be evaluated is to be fixed first (as a broken
    // rule file is): a scheduler tells it from rules that fail their tests.
    let broken = !report.file_errors.is_empty()
        || (report.cases.iter()).any(|c| c.status == cases::Status::Error);
    Ok(match (broken, report.failed() > 0) {
        (true, _) => ExitStatus::Invalid,
        (false, true) => ExitStatus::Failure,
        (false, false) => ExitStatus::Success,
    })
}
