//! `tierwise prune --keep N`: keep the official runs of the last N periods of each kind (and the latest
//! run), delete every other run and its rows in one transaction; `--vacuum` then gives the
//! space back to the file system. `tierwise prune --run ID`: remove runs by id (a run made
//! by mistake), saying which run each period reads now.

use super::Globals;
use crate::error::{Error, ExitStatus};
use crate::output::{self, DeletedRun, RemovedRun};
use crate::report::{Format, Report, plural, shown, thousands};
use crate::source::SqliteSource;
use crate::workspace::{Overrides, Workspace};
use serde::Serialize;
use std::io::{self, Write};
use std::path::PathBuf;

/// Keep the official runs of the last N periods (never the latest run); delete the other
/// runs and their rows. Or remove runs by id (`--run`).
#[derive(clap::Args, Debug)]
#[command(group = clap::ArgGroup::new("what").required(true).args(["keep", "run"]))]
pub struct Args {
    /// How many periods' official runs to keep (at least 1), of each kind of period (after
    /// a change of `period:`, N months and N quarters), with their closes restated since.
    #[arg(long)]
    pub keep: Option<usize>,
    /// Remove this run and its rows instead (a run made by mistake: a wrong date, the wrong
    /// rules); its period's official run is then its latest remaining successful run. Give
    /// it more than once to remove several. `run` prints each run's id.
    #[arg(long, value_name = "ID")]
    pub run: Vec<i64>,
    /// Then rewrite the database so the file shrinks (takes as long as copying it).
    #[arg(long, conflicts_with = "dry_run")]
    pub vacuum: bool,
    /// Say what would be deleted (or removed), and delete nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Customer database (default: the config's `database`).
    #[arg(long)]
    pub db: Option<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    pub format: Format,
}

pub fn run(args: Args, globals: &Globals) -> Result<ExitStatus, Error> {
    if args.keep == Some(0) {
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
    let Some(keep) = args.keep else {
        let removed = output::remove_runs(
            source.connection(),
            &ws.config.tables,
            &args.run,
            args.dry_run,
        )
        .map_err(|e| match e {
            output::OutputError::NoSuchRun(message) => Error::Argument(message),
            e => e.beside(&ws.database).into(),
        })?;
        let (size_mb, vacuum_failed) = vacuum(&mut source, &ws.database, args.vacuum);
        let report = RemoveReport {
            dry_run: args.dry_run,
            database: shown(&ws.database),
            removed,
            vacuumed: args.vacuum && vacuum_failed.is_none(),
            size_mb,
        };
        crate::report::print(&report, args.format);
        return vacuum_failed.map_or(Ok(ExitStatus::Success), |e| Err(e.into()));
    };
    let pruned = output::prune(source.connection(), &ws.config.tables, keep, args.dry_run)
        .map_err(|e| e.beside(&ws.database))?;
    // The deletion is committed: a failed rewrite must not hide what it deleted.
    let (size_mb, vacuum_failed) = vacuum(&mut source, &ws.database, args.vacuum);
    // The oldest period kept (of each kind) read the one before it, whose runs are deleted:
    // evaluated again, it reads no history, so a recorded decision of it no longer
    // reproduces.
    let oldest_of_each_kind = (pruned.kept.iter().enumerate())
        .filter(|(k, r)| {
            !pruned.kept[..*k]
                .iter()
                .any(|o| o.period.kind == r.period.kind)
        })
        .map(|(_, r)| r);
    let notes = oldest_of_each_kind
        .filter_map(|oldest| Some((oldest, oldest.period.previous()?)))
        .filter(|(_, before)| {
            (pruned.deleted.iter())
                .any(|d| d.status == "ok" && d.period.as_deref() == Some(before.label()))
        })
        .map(|(oldest, before)| {
            format!(
                "{}'s run read {} as its history, whose runs are deleted now: {} evaluated again (`explain --as-of`, a rerun) reads no history, so what its run recorded no longer reproduces where the rules read `previous.x` (`--keep {}` would have kept that history)",
                oldest.period.label(),
                before.label(),
                oldest.period.label(),
                keep + 1
            )
        })
        .collect::<Vec<String>>();
    let mut notes = notes;
    notes.extend(deeper_reads_deleted(&ws, &pruned));
    // A run dated after today (a year mistyped) counted among the periods kept, pushing a
    // real month out (the fiscal controller's F06).
    let today = crate::time::today();
    for ahead in pruned.kept.iter().filter(|r| r.as_of > today) {
        notes.push(format!(
            "{} (run {}) is dated {}, after today, and counts among the {keep} periods kept; if it was made by mistake, `tierwise prune --run {}` removes it, and a `--keep` after that keeps a real period in its place",
            ahead.period.label(),
            ahead.run_id,
            ahead.as_of,
            ahead.run_id
        ));
    }
    let report = PruneReport {
        dry_run: args.dry_run,
        notes,
        database: shown(&ws.database),
        kept: pruned
            .kept
            .iter()
            .map(|r| KeptRun {
                period: r.period.to_string(),
                run_id: r.run_id,
                restated: (pruned.restated.iter())
                    .filter(|c| c.period == r.period)
                    .map(|c| c.run_id)
                    .collect(),
            })
            .collect(),
        latest_run_kept: pruned.latest,
        rows_deleted: pruned.deleted.iter().map(|d| d.rows).sum(),
        deleted: pruned.deleted,
        vacuumed: args.vacuum && vacuum_failed.is_none(),
        size_mb,
    };
    crate::report::print(&report, args.format);
    vacuum_failed.map_or(Ok(ExitStatus::Success), |e| Err(e.into()))
}

/// With `--vacuum`, rewrites the database and gives its size after, in MB, or why the
/// rewrite failed (the runs are deleted by then: the caller reports them first).
fn vacuum(
    source: &mut SqliteSource,
    database: &std::path::Path,
    asked: bool,
) -> (Option<f64>, Option<output::OutputError>) {
    if !asked {
        return (None, None);
    }
    let mb = |path: &std::path::Path| {
        std::fs::metadata(path)
            .ok()
            .map(|m| (m.len() as f64 / 1e6 * 10.0).round() / 10.0)
    };
    if let Err(e) = output::vacuum(source.connection(), mb(database)) {
        return (None, Some(e));
    }
    // The write-ahead log a reader kept from being emptied is disk the database takes too.
    let wal = crate::source::wal_of(database);
    let log = mb(&wal).unwrap_or(0.0);
    if log >= 0.1 {
        eprintln!(
            "note: the database's write-ahead log ({wal}) still takes {log} MB: a reader such as a running `tierwise serve` holds it; it is given back when the readers close",
            wal = wal.display()
        );
    }
    (mb(database), None)
}

/// A period's official run that was kept.
#[derive(Debug, Serialize)]
pub struct KeptRun {
    pub period: String,
    pub run_id: i64,
    /// The period's closes as first made (as of its last day), restated since by later
    /// runs: kept too, for what was sent before the correction.
    pub restated: Vec<i64>,
}

/// What a prune did.
#[derive(Debug, Serialize)]
pub struct PruneReport {
    /// `--dry-run`: what it would do; nothing was deleted.
    pub dry_run: bool,
    /// What the reader should know of what is kept.
    pub notes: Vec<String>,
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
            .map(|k| match &k.restated[..] {
                [] => format!("{} (run {})", k.period, k.run_id),
                closes => format!(
                    "{} (run {}; and {} {}, the close it restates)",
                    k.period,
                    k.run_id,
                    if closes.len() == 1 { "run" } else { "runs" },
                    closes
                        .iter()
                        .map(i64::to_string)
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            })
            .collect();
        let (keep, delete) = match self.dry_run {
            true => ("would keep", "would delete"),
            false => ("kept", "deleted"),
        };
        write!(out, "{keep} {}", plural(self.kept.len(), "period"))?;
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
                "{delete} {} and {} policy rows from {}",
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
        for note in &self.notes {
            writeln!(out, "note: {note}")?;
        }
        if self.dry_run {
            writeln!(out, "dry run: nothing was deleted")?;
        }
        Ok(())
    }
}

/// What `prune --run` removed.
#[derive(Debug, Serialize)]
pub struct RemoveReport {
    /// `--dry-run`: what it would do; nothing was removed.
    pub dry_run: bool,
    pub database: PathBuf,
    pub removed: Vec<RemovedRun>,
    pub vacuumed: bool,
    /// The database's size after `--vacuum`, in MB.
    pub size_mb: Option<f64>,
}

impl Report for RemoveReport {
    fn text(&self, out: &mut dyn Write, _color: bool) -> io::Result<()> {
        for r in &self.removed {
            let d = &r.run;
            let period = d.period.as_deref().unwrap_or("no period");
            writeln!(
                out,
                "{} run {} ({period}, {}, {} policy rows) from {}",
                match self.dry_run {
                    true => "would remove",
                    false => "removed",
                },
                d.run_id,
                d.status,
                thousands(d.rows as f64),
                self.database.display()
            )?;
            if r.was_official {
                let (is, has) = match self.dry_run {
                    true => ("would be", "would have no run"),
                    false => ("is now", "has no run now"),
                };
                match (r.official_now, &r.official_now_as_of) {
                    (Some(id), Some(as_of)) => writeln!(
                        out,
                        "  {period}'s official run {is} run {id} (as of {as_of})"
                    )?,
                    (Some(id), None) => writeln!(out, "  {period}'s official run {is} run {id}")?,
                    (None, _) => writeln!(out, "  {period} {has}")?,
                }
            }
            if !r.read_by.is_empty() {
                writeln!(
                    out,
                    "  note: the runs of {} read its outputs as history: run them again, oldest first",
                    r.read_by.join(", ")
                )?;
            }
        }
        if let Some(mb) = self.size_mb {
            writeln!(out, "vacuumed: the database is now {mb} MB")?;
        }
        if self.dry_run {
            writeln!(out, "dry run: nothing was removed")?;
        }
        Ok(())
    }
}

/// The periods further back than the previous one that the rules read (`previous_12.x`,
/// the same month a year earlier) for the latest period kept, when their runs are deleted
/// now: a rerun of that period (a correction) reads NULL there for every customer, and the
/// prune's note spoke only of the period before the oldest kept (the fiscal controller's
/// F02). Nothing when the rules do not load.
fn deeper_reads_deleted(ws: &Workspace, pruned: &output::Pruned) -> Vec<String> {
    // Opened as the commands that evaluate open it: a query reads `:as_of`.
    let Ok(loaded) = ws.open_source().and_then(|source| ws.load_rules(&source)) else {
        return Vec::new();
    };
    let mut backs: Vec<u32> = (loaded.rules.past.iter())
        .filter(|p| p.read && p.back > 1)
        .map(|p| p.back)
        .collect();
    backs.sort_unstable();
    backs.dedup();
    let deleted = |label: &str| {
        (pruned.deleted.iter()).any(|d| d.status == "ok" && d.period.as_deref() == Some(label))
    };
    let mut notes = Vec::new();
    let mut kinds_seen = Vec::new();
    for latest in pruned.kept.iter().rev() {
        if kinds_seen.contains(&latest.period.kind) {
            continue;
        }
        kinds_seen.push(latest.period.kind);
        let gone: Vec<(u32, String)> = (backs.iter())
            .filter_map(|&back| Some((back, latest.period.back(back)?.label().to_owned())))
            .filter(|(_, label)| deleted(label))
            .collect();
        let Some(&(deepest, _)) = gone.last() else {
            continue;
        };
        let read: Vec<String> = (gone.iter())
            .map(|(back, label)| format!("{label} (`{}.x`)", crate::rules::periods_back(*back)))
            .collect();
        notes.push(format!(
            "the rules read {} of {}, whose runs are deleted now: evaluated again (a correction, `explain --as-of`), {} reads NULL there for every customer (`--keep {}` would have kept them)",
            read.join(", "),
            latest.period.label(),
            latest.period.label(),
            deepest + 1
        ));
    }
    notes
}
