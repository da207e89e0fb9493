//! Outputs whose column an earlier run declared a type these rules may not give (a BOOLEAN
//! `flag` now given `2`, a JSON `tags` now given text): SQLite cannot change a column's
//! type, so readers that go by it (the views, BI tools parsing the JSON column) get values
//! of another kind. tierwise reads each run by the kinds it recorded; the others cannot.

use super::OutputError;
use super::schema::{Declared, PolicyTable, declared_outputs, latest_view};
use crate::config::OutputTables;
use crate::rules::RuleSet;
use rusqlite::Connection;

/// A line for each output whose column says a kind these rules are not known to always give.
pub fn column_kind_changes(
    conn: &Connection,
    tables: &OutputTables,
    rules: &RuleSet,
) -> Result<Vec<String>, OutputError> {
    let Some(policy) = PolicyTable::read(conn, tables)? else {
        return Ok(Vec::new());
    };
    let declared = declared_outputs(rules);
    Ok((rules.outputs.iter().zip(declared))
        .filter_map(|(output, now)| {
            let made = policy.declared(&output.name);
            (policy.has(&output.name) && made != Declared::Plain && now != made).then(|| {
                format!(
                    "output `{}`: its column is {}, made so by an earlier run, and these rules are not known to always give {}: readers that go by the column's type (`{}`, a BI tool) read its values as {} (tierwise reads each run as it gave them); a new output name gets a column of its own",
                    output.name,
                    made.sql(),
                    made.noun(),
                    latest_view(tables),
                    made.noun(),
                )
            })
        })
        .collect())
}
