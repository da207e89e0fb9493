//! `tierwise prune --keep N`: keep the official runs of the last N periods (and the latest
//! run), delete every other run and its rows in one transaction; `--vacuum` then gives the
//! space back to the file system.

use super::Globals;
use crate::error::{Error, ExitStatus};
use crate::output::{self, DeletedRun};
use crate::report::{Format, Report, plural, shown, thousands};
use crate::source::SqliteSource;
use crate::workspace::{Overrides, Workspace};
use serde::Serialize;
use std::io::{self, Write};
use std::path::PathBuf;

/// Keep the official runs of the last N periods (never the latest run); delete the other
/// runs and their rows.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// How many periods' official runs to keep (at least 1).
    #[arg(long)]
    pub keep: usize,
    /// Then rewrite the database so the file shrinks (takes as long as copying it).
    #[arg(long)]
    pub vacuum: bool,
    /// Customer database (default: the config's `database`).
    #[arg(long)]
    pub db: Option<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    pub format: Format,
}

pub fn run(args: Args, globals: &Globals) -> Result<ExitStatus, Error> {
    if args.keep == 0 {
        return Err(Error::Argument(
            "--keep 0: the latest period's official run is always kept; give 1 or more".into(),
        ));
    }
    let overrides = Overrides {
        db: args.db,
        rules: None,
        as_of: None,
    };
    let ws = Workspace::new(&globals.config, &overrides)?;
    let mut source = SqliteSource::open(&ws.database, &ws.config.source)?;
    let pruned = output::prune(source.connection(), &ws.config.tables, args.keep)?;
    let mut size_mb = None;
    if args.vacuum {
        output::vacuum(source.connection())?;
        size_mb = std::fs::metadata(&ws.database)
            .ok()
            .map(|m| (m.len() as f64 / 1e6 * 10.0).round() / 10.0);
    }
    let report = PruneReport {
        database: shown(&ws.database),
        kept: pruned
            .kept
            .iter()
            .map(|r| KeptRun {
                period: r.period.to_string(),
                run_id: r.run_id,
            })
            .collect(),
        latest_run_kept: pruned.latest,
        rows_deleted: pruned.deleted.iter().map(|d| d.rows).sum(),
        deleted: pruned.deleted,
        vacuumed: args.vacuum,
        size_mb,
    };
    crate::report::print(&report, args.format);
    Ok(ExitStatus::Success)
}

/// A period's official run that was kept.
#[derive(Debug, Serialize)]
pub struct KeptRun {
    pub period: String,
    pub run_id: i64,
}

/// What a prune did.
#[derive(Debug, Serialize)]
pub struct PruneReport {
    pub database: PathBuf,
    pub kept: Vec<KeptRun>,
    /// The latest run, kept besides the official runs (a failed run, or a backfill).
    pub latest_run_kept: Option<i64>,
    pub deleted: Vec<DeletedRun>,
    pub rows_deleted: usize,
    pub vacuumed: bool,
    /// The database's size after `--vacuum`, in MB.
    pub size_mb: Option<f64>,
}

impl Report for PruneReport {
    fn text(&self, out: &mut dyn Write, _color: bool) -> io::Result<()> {
        let kept: Vec<String> = self
            .kept
            .iter()
            .map(|k| format!("{} (run {})", k.period, k.run_id))
            .collect();
        write!(out, "kept {}", plural(self.kept.len(), "period"))?;
        if !kept.is_empty() {
            write!(out, ": {}", kept.join(", "))?;
        }
        match self.latest_run_kept {
            Some(id) => writeln!(out, "; and the latest run, {id}")?,
            None => writeln!(out)?,
        }
        if self.deleted.is_empty() {
            writeln!(out, "nothing to delete in {}", self.database.display())?;
        } else {
            writeln!(
                out,
                "deleted {} and {} policy rows from {}",
                plural(self.deleted.len(), "run"),
                thousands(self.rows_deleted as f64),
                self.database.display()
            )?;
            let mut rows = Vec::new();
            for d in &self.deleted {
                rows.push(vec![
                    format!("run {}", d.run_id),
                    d.period.clone().unwrap_or_default(),
                    d.status.clone(),
                    format!("{} rows", thousands(d.rows as f64)),
                ]);
            }
            crate::report::table(out, &rows)?;
        }
        if let Some(mb) = self.size_mb {
            writeln!(out, "vacuumed: the database is now {mb} MB")?;
        }
        Ok(())
    }
}
