//! `GET /report`: the page `tierwise report` writes, for the version in force (its rules,
//! customers and history; the previous period's tiers read from the database).

use super::state::Version;
use crate::engine::EvalError;
use crate::report::html::{self, Input, Meta, Previous};
use rusqlite::{Connection, OpenFlags};

/// The report's HTML for version `v`.
pub(super) fn page(v: &Version) -> Result<String, EvalError> {
    let rules = v.rules();
    let previous = match html::tier_output(rules) {
        Some(tiers) => {
            match Connection::open_with_flags(&v.database, OpenFlags::SQLITE_OPEN_READ_ONLY) {
                Ok(conn) => Previous::read(&conn, &v.tables, &v.context, &tiers),
                Err(e) => {
                    Previous::Unreadable(format!("cannot open {}: {e}", v.database.display()))
                }
            }
        }
        None => Previous::NotAsked,
    };
    let input = Input {
        rules,
        customers: v.customers(),
        history: v.history(),
        context: v.context,
        previous,
    };
    let meta = Meta::new(
        rules,
        &v.context,
        &v.rules_dir,
        &v.database,
        v.currency.as_deref(),
    );
    html::report(&input, meta)
}
