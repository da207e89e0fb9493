//! Periods made on a history replaced since: a correction or a backfill of a period after
//! the periods that read it ran, so their runs hold policies made on the old history.
//! `history`, `changes` and the next period's `run` say so, naming what to run again.

use super::OutputError;
use super::history::{OfficialRun, RunRecord, following, official, official_before, run_records};
use crate::config::OutputTables;
use crate::source::quote_ident;
use crate::time::{Period, PeriodKind};
use rusqlite::Connection;

/// An official run made on a history that has been replaced since: the run of the period
/// before it that it read (`read`, `None`: that period had no run then) is no longer that
/// period's official run (`now`), because a correction or a backfill was run after it, or
/// because the run it read was removed (`prune --run`) and that period has none now.
#[derive(Debug, Clone, PartialEq)]
pub struct StaleRun {
    pub run: OfficialRun,
    /// The period before `run`'s, whose run it read.
    pub read_of: Period,
    pub read: Option<i64>,
    /// No run it read is in the records, but runs made before it were pruned: it may have
    /// read one of them.
    pub read_pruned: bool,
    /// The run it read was removed since (`prune --run`): `now` is another run of that
    /// period (an earlier one again, or one made since), not a correction run after it.
    pub read_removed: bool,
    /// `read_of`'s official run now (`None`: it has none since its run was removed).
    pub now: Option<OfficialRun>,
    /// The periods to run first, oldest first, when `read_of` has no run now: `read_of`, and
    /// the periods right before it whose runs were removed too.
    pub missing: Vec<Period>,
    /// The official runs of the periods after it, up to the first gap: made on it, so on
    /// the old history too.
    pub after: Vec<OfficialRun>,
}

impl StaleRun {
    /// The stale run, then the runs after it.
    pub fn runs(&self) -> impl Iterator<Item = &OfficialRun> {
        std::iter::once(&self.run).chain(&self.after)
    }

    /// What to tell whoever reads these periods, and what to run.
    pub fn note(&self) -> String {
        let of = self.read_of.label();
        let read = match (self.read, self.read_pruned, self.now) {
            (Some(id), _, Some(now)) if self.read_removed => format!(
                "{of}'s run {id}, removed since (`prune --run`): {of}'s official run is run {} {}",
                now.run_id,
                if now.run_id < id { "again" } else { "now" }
            ),
            (Some(id), _, None) => {
                format!("{of}'s run {id}, removed since (`prune --run`), and {of} has no run now")
            }
            (Some(id), _, _) => format!("{of}'s run {id}"),
            (None, true, _) => {
                format!("no run of {of} the records hold (runs made before it were pruned)")
            }
            (None, false, _) => format!("no run of {of}"),
        };
        let mut periods = vec![self.run.period.label()];
        periods.extend(self.after.iter().map(|r| r.period.label()));
        // As of each run's own date (the current period's is not over yet); a period left
        // without a run is to be run first.
        let first = (self.missing.iter()).map(|p| format!("`tierwise run --as-of {}`", p.end()));
        let commands: Vec<String> = first
            .chain(
                self.runs()
                    .map(|r| format!("`tierwise run --as-of {}`", r.as_of)),
            )
            .collect();
        let replaced = match (self.read_removed, self.now) {
            (false, Some(now)) => format!(
                ", replaced since by run {} (a correction or a backfill)",
                now.run_id
            ),
            _ => String::new(),
        };
        format!(
            "{}'s run (run {}) read {read}{replaced}: if the rules read history (`previous.x`), {} {} policies made on the old history; run {}{} again{} ({})",
            self.run.period.label(),
            self.run.run_id,
            periods.join(", "),
            if periods.len() == 1 { "holds" } else { "hold" },
            match self.missing.as_slice() {
                [] => String::new(),
                missing => format!("{} first, then ", labels(missing)),
            },
            if periods.len() == 1 { "it" } else { "them" },
            if periods.len() == 1 {
                ""
            } else {
                ", oldest first"
            },
            commands.join(", then ")
        )
    }
}

/// `2026-Q1` or `2025-Q4, 2026-Q1`.
pub fn labels(periods: &[Period]) -> String {
    let labels: Vec<&str> = periods.iter().map(|p| p.label()).collect();
    labels.join(", ")
}

/// The official runs made on a history replaced since, each with the periods after it (a
/// chain is reported once, at its first stale period).
pub fn stale_runs(
    conn: &Connection,
    tables: &OutputTables,
    kind: PeriodKind,
) -> Result<Vec<StaleRun>, OutputError> {
    let records = run_records(conn, tables, kind)?;
    // Runs of another kind of period sort among these (2026-Q2 after 2026-06).
    let official: Vec<OfficialRun> = (official(&records).into_iter())
        .filter(|r| r.period.kind == kind)
        .collect();
    let mut out: Vec<StaleRun> = Vec::new();
    for (k, &run) in official.iter().enumerate() {
        let Some(previous) = run.period.previous() else {
            continue;
        };
        if out.iter().any(|s| s.after.contains(&run)) {
            continue;
        }
        let stale = match official[..k].last().filter(|b| b.period == previous) {
            Some(&before) => stale_of(&records, &official, before, run),
            None => removed_of(&records, &official, previous, run),
        };
        out.extend(unless_the_same(conn, tables, &records, &official, stale)?);
    }
    Ok(out)
}

/// `stale`, unless the run it read and the one replacing it hold the same customers with
/// the same outputs: a rerun that changed nothing (a nightly rerun of last month) leaves
/// what the later periods read as it was, and they are not to be run again (`--strict`
/// refused every later period).
fn unless_the_same(
    conn: &Connection,
    tables: &OutputTables,
    records: &[RunRecord],
    official: &[OfficialRun],
    stale: Option<StaleRun>,
) -> Result<Option<StaleRun>, OutputError> {
    let Some(s) = stale else { return Ok(None) };
    let (Some(read), Some(now), false) = (s.read, s.now, s.read_removed) else {
        return Ok(Some(s));
    };
    // The run read stood itself on an earlier period corrected since: a rule reading
    // `previous_2.x` read the old one (the same outputs one period back are not enough).
    let same = same_outputs(conn, tables, read, now.run_id)?
        && history_unchanged(conn, tables, records, official, read, now.period)?;
    Ok((!same).then_some(s))
}

/// Whether run `replaced` of `period` stood on the history as it is now: then a rerun of
/// it with the same outputs ([`changed_outputs`]) leaves the periods after it standing (a
/// later period reading `previous_2.x` read what `replaced` read).
pub fn stood_on_todays_history(
    conn: &Connection,
    tables: &OutputTables,
    replaced: i64,
    period: Period,
) -> Result<bool, OutputError> {
    let records = run_records(conn, tables, period.kind)?;
    let official: Vec<OfficialRun> = (official(&records).into_iter())
        .filter(|r| r.period.kind == period.kind)
        .collect();
    history_unchanged(conn, tables, &records, &official, replaced, period)
}

/// Whether what run `run_id` (of `period`) read of the periods before it, as far as rules
/// read back (24 periods), holds the same outputs as those periods' official runs now.
fn history_unchanged(
    conn: &Connection,
    tables: &OutputTables,
    records: &[RunRecord],
    official: &[OfficialRun],
    mut run_id: i64,
    mut period: Period,
) -> Result<bool, OutputError> {
    for _ in 0..24 {
        let Some(previous) = period.previous() else {
            return Ok(true);
        };
        let read = official_before(records, previous, run_id).map(|r| r.run_id);
        let now = official
            .iter()
            .find(|o| o.period == previous)
            .map(|o| o.run_id);
        match (read, now) {
            (None, None) => return Ok(true),
            (Some(r), Some(n)) if r == n || same_outputs(conn, tables, r, n)? => {
                (run_id, period) = (r, previous);
            }
            _ => return Ok(false),
        }
    }
    Ok(true)
}

/// What run `b` changed against run `a` of the same period: per output, the customers of
/// both whose value differs (numbers as the rules' `==` has them: `x * 0.3` and `x * 3 / 10`
/// are one value), and the customers only one of them holds.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RunChanges {
    /// Outputs with a difference, and how many customers.
    pub outputs: Vec<(String, i64)>,
    /// Customers `b` holds and `a` does not.
    pub new: i64,
    /// Customers `a` holds and `b` does not.
    pub gone: i64,
}

/// [`RunChanges`] of run `b` against run `a`; `None` when `a` holds no rows (pruned, or never
/// written): nothing to compare with, and not known to be the same.
pub fn changed_outputs(
    conn: &Connection,
    tables: &OutputTables,
    a: i64,
    b: i64,
) -> Result<Option<RunChanges>, OutputError> {
    let names = super::output_names(conn, tables)?;
    let t = quote_ident(&tables.policy_table);
    let err = super::history::read_err(&tables.policy_table);
    let held = format!("SELECT EXISTS (SELECT 1 FROM {t} WHERE run_id = ?1)");
    if !conn
        .query_row(&held, [a], |r| r.get::<_, bool>(0))
        .map_err(&err)?
    {
        return Ok(None);
    }
    let only = |x: &str, y: &str| {
        format!(
            "SELECT COUNT(*) FROM {t} WHERE run_id = {x} AND customer_id NOT IN (SELECT customer_id FROM {t} WHERE run_id = {y})"
        )
    };
    let (new, gone): (i64, i64) = conn
        .query_row(
            &format!("SELECT ({}), ({})", only("?2", "?1"), only("?1", "?2")),
            [a, b],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .map_err(&err)?;
    let mut changes = RunChanges {
        outputs: Vec::new(),
        new,
        gone,
    };
    if names.is_empty() {
        return Ok(Some(changes));
    }
    // Numbers within a part in 10^12 of the larger (or 10^-12 of 0) are one value.
    let differ = |c: &str| {
        format!(
            "SUM(a.{c} IS NOT b.{c} AND NOT (typeof(a.{c}) IN ('integer', 'real') AND typeof(b.{c}) IN ('integer', 'real')              AND abs(a.{c} - b.{c}) <= 1e-12 * (CASE WHEN a.{c} * b.{c} = 0 THEN 1 ELSE max(abs(a.{c}), abs(b.{c})) END)))"
        )
    };
    // An output run `a` did not give (added since) changed only where `b` gives something:
    // NULL against false, 0 or nothing is no change, as `diff` counts it (every customer's
    // new flag read as changed).
    let had: Option<Vec<String>> = super::history::run_outputs(conn, tables, a)?
        .and_then(|o| o.as_object().map(|o| o.keys().cloned().collect()));
    let gives = |c: &str| {
        format!(
            "SUM(b.{c} IS NOT NULL AND NOT (typeof(b.{c}) IN ('integer', 'real') AND b.{c} = 0) AND b.{c} IS NOT '' AND b.{c} IS NOT '[]')"
        )
    };
    let sums: Vec<String> = (names.iter())
        .map(|n| match &had {
            Some(had) if !had.iter().any(|h| super::same_output(h, n)) => gives(&quote_ident(n)),
            _ => differ(&quote_ident(n)),
        })
        .collect();
    let sql = format!(
        "SELECT {} FROM {t} a JOIN {t} b ON a.customer_id = b.customer_id WHERE a.run_id = ?1 AND b.run_id = ?2",
        sums.join(", "),
    );
    let counts = conn
        .query_row(&sql, [a, b], |r| {
            (0..names.len())
                .map(|k| r.get::<_, Option<i64>>(k))
                .collect::<rusqlite::Result<Vec<_>>>()
        })
        .map_err(&err)?;
    changes.outputs = (names.into_iter().zip(counts))
        .filter_map(|(name, n)| n.filter(|&n| n > 0).map(|n| (name, n)))
        .collect();
    Ok(Some(changes))
}

/// Whether runs `a` and `b` hold the same customers with the same outputs (`false` when `a`
/// holds none: a pruned run is not known to be the same).
fn same_outputs(
    conn: &Connection,
    tables: &OutputTables,
    a: i64,
    b: i64,
) -> Result<bool, OutputError> {
    Ok(changed_outputs(conn, tables, a, b)? == Some(RunChanges::default()))
}

/// `run`, whose previous period has no official run: stale when what it read of that period
/// is a run removed since (`prune --run`). The periods after it stand on that run too.
fn removed_of(
    records: &[RunRecord],
    official: &[OfficialRun],
    previous: Period,
    run: OfficialRun,
) -> Option<StaleRun> {
    let read = official_before(records, previous, run.run_id)?.run_id;
    let removed = (records.iter()).any(|r| r.run_id == read && r.status == super::prune::REMOVED);
    // Two runs in a row removed: the period before the one read has none either, and its
    // run is to be made first (the read one's run would read nothing of it).
    let mut missing = vec![previous];
    while let Some(back) = missing[0].previous() {
        let had_one = (records.iter())
            .any(|r| r.period == Some(back) && r.status == super::prune::REMOVED && r.removed_ok);
        if official.iter().any(|o| o.period == back) || !had_one {
            break;
        }
        missing.insert(0, back);
    }
    removed.then(|| StaleRun {
        run,
        read_of: previous,
        read: Some(read),
        read_pruned: false,
        read_removed: true,
        now: None,
        missing,
        after: following(official, run.period),
    })
}

/// When `period`'s official run stands on a history replaced since (it is in a chain of
/// [`stale_runs`]): what `report` and `explain` of that period say, as `history` and
/// `changes` do, with the note of the chain.
pub fn stale_note_for(
    conn: &Connection,
    tables: &OutputTables,
    period: Period,
) -> Result<Option<String>, OutputError> {
    let chains = stale_runs(conn, tables, period.kind)?;
    let chain = chains.into_iter().find_map(|s| {
        let run = *s.runs().find(|r| r.period == period)?;
        Some((run, s))
    });
    Ok(chain.map(|(run, s)| {
        format!(
            "{}'s recorded run (run {}) stands on a history replaced since, so what the rules read of earlier periods here (the history as it is now) may differ from what it read: {}",
            period.label(),
            run.run_id,
            s.note()
        )
    }))
}

/// Whether official run `run` was made on another run of the period before it than its
/// official run `before` (the period just before `run`'s).
pub fn stale_pair(
    conn: &Connection,
    tables: &OutputTables,
    kind: PeriodKind,
    before: OfficialRun,
    run: OfficialRun,
) -> Result<Option<StaleRun>, OutputError> {
    let records = run_records(conn, tables, kind)?;
    let official: Vec<OfficialRun> = (official(&records).into_iter())
        .filter(|r| r.period.kind == kind)
        .collect();
    let stale = stale_of(&records, &official, before, run);
    unless_the_same(conn, tables, &records, &official, stale)
}

/// `run` against `before`, the official run of the period before it: stale when what it read
/// of that period (as the records show) is not `before`.
fn stale_of(
    records: &[RunRecord],
    official: &[OfficialRun],
    before: OfficialRun,
    run: OfficialRun,
) -> Option<StaleRun> {
    let read = official_before(records, before.period, run.run_id).map(|r| r.run_id);
    if read == Some(before.run_id) {
        return None;
    }
    // Removed by `prune --run`, as its notes say (a period `prune --keep` pruned has no
    // official run to be stale against).
    let read_removed = read.is_some_and(|id| {
        (records.iter()).any(|r| r.run_id == id && r.status == super::prune::REMOVED)
    });
    // Runs were pruned before it: "no run" is only as far as the records go.
    let pruned = read.is_none() && pruned_before(records, before.period, run.run_id);
    Some(StaleRun {
        run,
        read_of: before.period,
        read,
        read_pruned: pruned,
        read_removed,
        now: Some(before),
        missing: Vec::new(),
        after: following(official, run.period),
    })
}

/// Whether a run of `period` made before run `before` may have been pruned: its record
/// removed (`prune --run`) or pruned (`prune --keep`), or run ids below `before` missing
/// (`prune --keep` deletes superseded runs' records, and all it pruned before it kept
/// them). What such a run read as history is then not known from the records.
fn pruned_before(records: &[RunRecord], period: Period, before: i64) -> bool {
    let earlier: Vec<&RunRecord> = records.iter().filter(|r| r.run_id < before).collect();
    let missing = earlier.len() as i64 != (before - 1).max(0);
    missing
        || earlier
            .iter()
            .any(|r| super::prune::record_only(r) && r.period.is_none_or(|p| p == period))
}
