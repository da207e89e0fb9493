//! A run refuses to write into run tables that hold another customer source's runs: two
//! configs (two business units) that share a database without output tables of their own.
//! The second unit's run replaced the first one's official run, took its place in the
//! `latest` view a BI tool reads, and followed its history, exit 0. The runs say which
//! customers they read (`customers_from`); a run whose source differs from the run it
//! replaces (or builds on) and that holds none of its customers is another unit's.

use super::Workspace;
use super::standing::Standing;
use crate::error::Error;
use crate::source::Dataset;

impl Workspace {
    /// `Err` when the official run this run replaces, or else the previous period's, was
    /// made from another customer source and holds none of this run's customers.
    pub(super) fn check_same_source(
        &self,
        conn: &rusqlite::Connection,
        standing: &Standing,
        customers: &Dataset,
    ) -> Result<(), Error> {
        let (run_id, how) = match (&standing.replaces, &standing.previous) {
            (Some((run_id, ..)), _) => (*run_id, "replace"),
            (None, Some(previous)) => (previous.run_id, "follow"),
            (None, None) => return Ok(()),
        };
        let ours = self.config.source.text();
        let tables = &self.config.tables;
        let ids = (0..customers.len).map(|i| customers.id_text(i));
        let Some((theirs, shared)) = crate::output::run_source_holding(conn, tables, run_id, ids)?
        else {
            return Ok(());
        };
        if theirs == ours || shared {
            return Ok(());
        }
        Err(Error::Argument(format!(
            "this run would {how} run {run_id} in `{}`, which was made from other customers ({}) and holds none of this run's ({}): another configuration writes into these tables; give this one tables of its own (`output: {{ policy_table: ..., run_table: ... }}` in the config)",
            tables.run_table,
            shown(&theirs),
            shown(ours),
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
