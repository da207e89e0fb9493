//! The earlier periods a run reads (`previous.tier`, `previous_2.tier`, `held.tier`): for each
//! period back, its official run (the latest successful run of that period) read from the
//! run tables, as the outputs the rules ask for and of the kinds the rules give them.
//! `previous` is always the period before the run's own, whatever runs came later (a
//! backfill of an earlier period reads the periods before it).

use super::Workspace;
use crate::engine::{History, PastRun};
use crate::error::Error;
use crate::output;
use crate::rules::RuleSet;
use rusqlite::Connection;

impl Workspace {
    /// The earlier periods `rules` read, from the run tables in `conn`. A period without an
    /// official run, and every period of a first run, is `None`: its values read as NULL.
    pub fn history(&self, conn: &Connection, rules: &RuleSet) -> Result<History, Error> {
        let depth = rules.past.iter().map(|p| p.back).max().unwrap_or(0);
        if depth == 0 {
            return Ok(History::none());
        }
        let tables = &self.config.tables;
        let period = self.context.period;
        let official = output::official_runs_before(conn, tables, period, depth as usize)?;
        let mut runs = Vec::with_capacity(depth as usize);
        for back in 1..=depth {
            let run = period
                .back(back)
                .and_then(|wanted| official.iter().find(|r| r.period == wanted));
            let Some(run) = run else {
                runs.push(None);
                continue;
            };
            let mut columns: Vec<&str> = Vec::new();
            for p in rules.past.iter().filter(|p| p.back == back) {
                if !columns.contains(&p.column.as_str()) {
                    columns.push(&p.column);
                }
            }
            // Rules that read `previous_12.tier` read nothing of the ten periods between: not
            // read (a run each, as large as the customers). The previous period always is: it
            // tells who is new and who is gone.
            if columns.is_empty() && back > 1 {
                runs.push(None);
                continue;
            }
            let mut data = output::read_run(conn, tables, run.run_id, &columns)?;
            // SQLite gives true/false back as 1/0, dates and lists as text: the rules' kinds.
            for (c, column) in columns.iter().enumerate() {
                // An output of no one kind may be a list a formula builds (`= [tier, "x"]`):
                // read as lists when every value is a JSON array.
                match rules.output_kind(column) {
                    Some(kind) => data.restore(c + 1, kind),
                    None => data.restore_lists(c + 1),
                }
            }
            runs.push(Some(PastRun {
                run_id: Some(run.run_id),
                period: run.period,
                data,
            }));
        }
        Ok(History { runs })
    }
}

/// The previous period's values `rules` read (`previous.tier_level`) that its run, holding
/// customers, did not give: not among the outputs it recorded (`recorded`, the JSON object
/// of `policy_run.outputs`), or, for a run recorded before outputs were, none of its
/// customers had a value.
pub(super) fn unwritten(
    past: &History,
    rules: &RuleSet,
    recorded: Option<&serde_json::Value>,
) -> Vec<String> {
    let mut out = Vec::new();
    let Some(Some(run)) = past.runs.first() else {
        return out;
    };
    for p in rules.past.iter().filter(|p| p.back == 1) {
        let Some(c) = (run.data.names.iter()).position(|n| output::same_output(n, &p.column))
        else {
            continue;
        };
        let column = &run.data.columns[c];
        let output = p.output();
        let none_given = || (0..run.data.len).all(|i| column.value(i).is_null());
        let missing = match recorded.and_then(|r| r.as_object()) {
            // A `held.x` count has a column of its own, stored only by runs whose rules read
            // it (a count is never NULL: 0 for a NULL `x`).
            _ if p.column != output => none_given(),
            Some(outputs) => !outputs.keys().any(|k| output::same_output(k, output)),
            None => none_given(),
        };
        if run.data.len > 0 && missing {
            let name = p.written();
            if !out.contains(&name) {
                out.push(name);
            }
        }
    }
    out
}
