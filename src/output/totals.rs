//! A run's summary totals, recorded with it in `policy_run.totals` (schema version 2) as a
//! JSON object in the summary's order, `{"key_accounts": 507, "concession_cost": 36796816.69}`,
//! and read back for the next period's comparison.

use super::OutputError;
use super::history::read_err;
use crate::config::OutputTables;
use crate::source::quote_ident;
use rusqlite::{Connection, OptionalExtension};

/// The totals as the run table stores them. A total that is not a finite number is stored
/// as `null` (JSON has no infinity) and read back as missing.
pub(super) fn to_json<'n>(totals: impl IntoIterator<Item = (&'n str, f64)>) -> String {
    let map: serde_json::Map<String, serde_json::Value> = totals
        .into_iter()
        .map(|(name, value)| (name.to_owned(), crate::text::Number(value).to_json()))
        .collect();
    serde_json::Value::Object(map).to_string()
}

/// What a run recorded of its totals.
#[derive(Debug, Clone, Default, PartialEq)]
pub enum RecordedTotals {
    /// Each total by name, in the order the run's summary gave them.
    Recorded(Vec<(String, f64)>),
    /// None: the run was written by a tierwise that did not record totals (before schema
    /// version 2), or its record is not readable as totals.
    #[default]
    NotRecorded,
}

/// The totals run `run_id` recorded.
pub fn recorded_totals(
    conn: &Connection,
    tables: &OutputTables,
    run_id: i64,
) -> Result<RecordedTotals, OutputError> {
    if !super::schema::runs_record(conn, tables, "totals")? {
        return Ok(RecordedTotals::NotRecorded);
    }
    let sql = format!(
        "SELECT totals FROM {} WHERE run_id = ?1",
        quote_ident(&tables.run_table)
    );
    let json: Option<Option<String>> = conn
        .query_row(&sql, [run_id], |r| r.get(0))
        .optional()
        .map_err(read_err(&tables.run_table))?;
    Ok(json
        .flatten()
        .map_or(RecordedTotals::NotRecorded, |j| parse(&j)))
}

fn parse(json: &str) -> RecordedTotals {
    match serde_json::from_str::<serde_json::Map<String, serde_json::Value>>(json) {
        Ok(map) => RecordedTotals::Recorded(
            map.into_iter()
                .filter_map(|(name, v)| v.as_f64().map(|x| (name, x)))
                .collect(),
        ),
        Err(_) => RecordedTotals::NotRecorded,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn totals_keep_their_order_and_exact_values() {
        let json = to_json([
            ("z", 36_796_816.69),
            ("a", 0.1 + 0.2),
            ("inf", f64::INFINITY),
        ]);
        assert_eq!(
            parse(&json),
            RecordedTotals::Recorded(vec![("z".into(), 36_796_816.69), ("a".into(), 0.1 + 0.2)])
        );
        assert_eq!(parse("{}"), RecordedTotals::Recorded(vec![]));
        assert_eq!(parse("not json"), RecordedTotals::NotRecorded);
    }
}
