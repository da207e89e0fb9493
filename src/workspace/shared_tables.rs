//! A run refuses to write into run tables that hold another customer source's runs: two
//! configs (two business units) that share a database without output tables of their own.
//! The second unit's run replaced the first one's official run, took its place in the
//! `latest` view a BI tool reads, and followed its history, exit 0. The runs say which
//! customers they read (`customers_from`); a run whose source differs from the run it
//! replaces (or builds on) is another unit's when the two share less than a tenth of the
//! fewer side's customers (two units may share a reused id or two), or when both are tables (of
//! different names: integer ids 1, 2, 3 are in both units).

use super::Workspace;
use super::standing::Standing;
use crate::error::Error;
use crate::source::Dataset;

impl Workspace {
    /// `Err` when the official run this run replaces, or else the one it builds on (the
    /// previous period's, or the latest before a skipped period), was made from another
    /// customer source and is another unit's: the two share less than a tenth of the fewer
    /// side's customers, or both sources are tables of different names (ids 1, 2, 3 in
    /// both). An edited query holding the same customers (or a subset) is the same source:
    /// `Ok(Some(note))` says it changed (a change between the periods may be the query's,
    /// where `changes` and `explain` would blame the customers).
    pub(super) fn check_same_source(
        &self,
        conn: &rusqlite::Connection,
        standing: &Standing,
        customers: &Dataset,
    ) -> Result<Option<String>, Error> {
        let (run_id, how) = match (&standing.replaces, &standing.previous, standing.skipped_to) {
            (Some((run_id, ..)), _, _) => (*run_id, "replace"),
            (None, Some(previous), _) => (previous.run_id, "follow"),
            (None, None, Some((_, run_id))) => (run_id, "follow"),
            (None, None, None) => return Ok(None),
        };
        let ours = self.config.source.text();
        let tables = &self.config.tables;
        let ids = (0..customers.len).map(|i| customers.id_text(i));
        let Some(other) = crate::output::other_source_holding(conn, tables, run_id, ours, ids)?
        else {
            return Ok(None);
        };
        let theirs = &other.from;
        // One unit's customers, read another way (an edited query, a region's subset, a
        // season's churn): a tenth or more of the fewer side's customers are in both. Two
        // units may share an id or two (reused ERP numbers), which made another unit's run
        // the same source.
        let same_customers = other.shared * 10 >= other.held.min(other.ours).max(1);
        let table = |source: &str| !source.trim().contains(char::is_whitespace);
        if same_customers && !(table(theirs) && table(ours)) {
            let which = match how {
                "replace" => "the run this run replaces",
                _ => "the run this run follows",
            };
            let detail = match (shown(theirs), shown(ours)) {
                (then, now) if then != now => format!(" ({then} then, {now} now)"),
                _ => String::new(),
            };
            return Ok(Some(format!(
                "the config's customers query (or table) is not the one run {run_id}, {which}, read{detail}: what changed between them may be the query's, not the customers'"
            )));
        }
        Err(Error::Argument(format!(
            "this run would {how} run {run_id} in `{}`, which was made from other customers ({}, this run reads {}{}): another configuration writes into these tables; give this one tables of its own (`output: {{ policy_table: ..., run_table: ... }}` in the config); if run {run_id} itself read the wrong customers, `tierwise prune --run {run_id}` removes it; if this configuration's customers moved to another table on purpose, `run --new-source`",
            tables.run_table,
            shown(theirs),
            shown(ours),
            match other.shared {
                0 => ", none of them in that run".to_owned(),
                n if !same_customers => format!(
                    ", only {} of its {} in that run",
                    crate::text::thousands(n as f64),
                    crate::text::thousands(other.ours as f64)
                ),
                _ => String::new(),
            },
        )))
    }
}

/// A customer source for a message: a table's name, or a query cut to its first line.
fn shown(source: &str) -> String {
    let first = source.trim().lines().next().unwrap_or_default();
    match first.len() < source.trim().len() {
        true => format!("`{}...`", crate::text::cut(first.to_owned(), 60)),
        false => format!("`{}`", crate::text::cut(first.to_owned(), 60)),
    }
}
