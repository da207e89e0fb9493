//! The previous period's tiers, for the migration: read from that period's official run
//! (the latest successful run of the period just before the report's), by customer id.

use super::gather::{Migration, TierRow};
use crate::config::OutputTables;
use crate::engine::{Context, display_key};
use crate::output;
use crate::source::Dataset;
use crate::value::Value;
use rusqlite::Connection;
use std::collections::HashMap;

/// What the previous period says about the tiers.
#[derive(Debug, Default)]
pub enum Previous {
    /// Not looked up (no tier output, or no database).
    #[default]
    NotAsked,
    /// The period before has no official run.
    NoRun { period: String },
    /// Its run could not be read (why).
    Unreadable(String),
    /// Its run holds no such output (newer than it): nothing to compare with (what to say).
    Without(String),
    Run {
        period: String,
        /// The tiers seen, as shown.
        labels: Vec<String>,
        /// Per tier seen: how many customers had it.
        totals: Vec<usize>,
        /// How many customers the run holds without a tier (NULL).
        untiered: usize,
        /// Customer id -> index into `labels`.
        by_id: HashMap<Box<str>, u16>,
    },
}

/// A customer not in the previous period's run.
pub const NONE: u16 = u16::MAX;
/// A customer in the previous period's run without a tier (NULL): a `new` row as for `run`,
/// and among the gone when it is no longer in the data.
pub const NO_TIER: u16 = u16::MAX - 1;

impl Previous {
    /// Reads output `tiers` of the official run of the period before `context`'s.
    pub fn read(
        conn: &Connection,
        tables: &OutputTables,
        context: &Context,
        tiers: &str,
    ) -> Previous {
        let Some(wanted) = context.period.previous() else {
            return Previous::NotAsked;
        };
        let period = wanted.label().to_owned();
        let runs = match output::official_runs_before(conn, tables, context.period, 1) {
            Ok(runs) => runs,
            Err(e) => return Previous::Unreadable(e.to_string()),
        };
        let Some(run) = runs.into_iter().find(|r| r.period == wanted) else {
            return Previous::NoRun { period };
        };
        // An output the run did not give reads as NULL for all: every customer "new".
        if let Ok(Some(serde_json::Value::Object(given))) =
            output::run_outputs(conn, tables, run.run_id)
            && !given.keys().any(|k| output::same_output(k, tiers))
        {
            return Previous::Without(format!(
                "{period}'s run (run {}) holds no `{tiers}` (the output is newer than it): there is nothing to compare with",
                run.run_id
            ));
        }
        let data = match output::read_run(conn, tables, run.run_id, &[tiers]) {
            Ok(data) => data,
            Err(e) => return Previous::Unreadable(e.to_string()),
        };
        let mut labels: Vec<String> = Vec::new();
        let mut totals: Vec<usize> = Vec::new();
        let mut by_id = HashMap::with_capacity(data.len);
        let mut untiered = 0;
        for i in 0..data.len {
            let v = data.columns[1].value(i);
            if v.is_null() {
                untiered += 1;
                by_id.insert(data.id_text(i).into_boxed_str(), NO_TIER);
                continue;
            }
            let key = display_key(&v);
            let k = match labels.iter().position(|l| *l == key) {
                Some(k) => k,
                None => {
                    labels.push(key);
                    totals.push(0);
                    labels.len() - 1
                }
            };
            totals[k] += 1;
            by_id.insert(data.id_text(i).into_boxed_str(), k as u16);
        }
        Previous::Run {
            period,
            labels,
            totals,
            untiered,
            by_id,
        }
    }

    /// Customer `i`'s tier in the previous period (`NONE` when not in its run, `NO_TIER`
    /// when without a tier there).
    pub fn tier_of(&self, data: &Dataset, i: usize) -> u16 {
        match data.id(i) {
            Value::Str(s) => self.tier_of_id(s),
            other => self.tier_of_id(&other.to_string()),
        }
    }

    /// [`Previous::tier_of`] the customer whose id reads `id`.
    pub fn tier_of_id(&self, id: &str) -> u16 {
        let Previous::Run { by_id, .. } = self else {
            return NONE;
        };
        by_id.get(id).copied().unwrap_or(NONE)
    }
}

/// Whether tier `now` (as this page's rules give it) is the previous run's `before` (as read
/// back): `4` is the `4.0` a decimal column gives back, `true` the `1` an untyped one does.
fn same_tier(now: &str, before: &str) -> bool {
    crate::value::same_text_value(now, before)
        || matches!((now, before), ("true", "1") | ("false", "0"))
}

/// This period's customers, for the migration.
pub struct Now<'a> {
    /// Per tier index (of the evaluation's names), its place among the page's tiers.
    pub rank: &'a [usize],
    /// Per customer drawn: its tier index now, and its previous tier ([`Previous::tier_of`]).
    pub tiers: &'a [u16],
    pub before: &'a [u16],
    /// The previous tier of each customer left out (a rule failed for it): in the data, so
    /// not gone, though in no cell.
    pub left_out_before: &'a [u16],
}

/// The migration matrix: rows are the previous tiers (the current order first, then other
/// values, then `new` for customers without one), columns the current tiers.
pub fn migration(previous: &Previous, tiers: &[TierRow], now: &Now<'_>) -> Option<Migration> {
    let (since, labels, totals, untiered) = match previous {
        Previous::NotAsked => return None,
        Previous::NoRun { period } => {
            return Some(Migration::NoRun {
                period: period.clone(),
            });
        }
        Previous::Unreadable(why) => return Some(Migration::Unreadable(why.clone())),
        Previous::Without(what) => return Some(Migration::Without(what.clone())),
        Previous::Run {
            period,
            labels,
            totals,
            untiered,
            ..
        } => (period.clone(), labels, totals, *untiered),
    };
    let mut from: Vec<String> = tiers.iter().map(|t| t.name.clone()).collect();
    let row_of: Vec<usize> = labels
        .iter()
        .map(|l| match from.iter().position(|f| same_tier(f, l)) {
            Some(k) => k,
            None => {
                from.push(l.clone());
                from.len() - 1
            }
        })
        .collect();
    from.push("new".into());
    let mut counts = vec![vec![0usize; tiers.len()]; from.len()];
    // Of each previous tier's customers, those still here; the others are gone.
    let mut here = vec![0usize; labels.len()];
    let mut untiered_here = 0;
    for (&t, &b) in now.tiers.iter().zip(now.before) {
        let row = if b == NONE || b == NO_TIER {
            untiered_here += usize::from(b == NO_TIER);
            from.len() - 1
        } else {
            here[b as usize] += 1;
            row_of[b as usize]
        };
        counts[row][now.rank[t as usize]] += 1;
    }
    for &b in now.left_out_before {
        match b {
            NONE => {}
            NO_TIER => untiered_here += 1,
            b => here[b as usize] += 1,
        }
    }
    let mut gone = vec![0usize; from.len()];
    for (l, &total) in totals.iter().enumerate() {
        gone[row_of[l]] += total.saturating_sub(here[l]);
    }
    gone[from.len() - 1] = untiered.saturating_sub(untiered_here);
    Some(Migration::Counts {
        since,
        from,
        counts,
        gone,
    })
}
