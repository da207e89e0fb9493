//! The tables a run writes, their layout, and the upgrade of databases written by an older
//! tierwise. Schema version 5 (`PRAGMA user_version = 5`):
//!
//! - `policy_run`: one record per run, `ok`, `failed`, `removed` (by `prune --run`: its
//!   rows deleted, its record kept so its id is not reused) or `pruned` (a period's official
//!   run `prune --keep` deleted: its record kept so what reads the period can say so), with `as_of` (ISO date), `period`
//!   (`2026-09`, `2026-Q3`, `2026`), `value_order` (per output, its values highest first,
//!   a JSON object) and `totals` (the summary's totals over the run's customers, a JSON
//!   object `{"concession_cost": 36796816.69, ...}` in the summary's order; NULL for a
//!   failed run and for runs recorded before version 2) and `outputs` (the outputs the
//!   run gave, in column order, each with the type its values have, a JSON object
//!   `{"tier": "", "credit_limit": "DECIMAL", "key_account": "BOOLEAN", "alerts": "JSON"}`;
//!   NULL for a failed run and for runs recorded before version 4), `tierwise_version` and
//!   `customers_from` (the customer table's name or the query's text; both NULL for runs
//!   recorded before version 5), `rules_revision` (the git commit of the rules folder, with
//!   ` with uncommitted edits: rules/tiers.yaml, ...` when it had some; NULL outside a
//!   repository and for runs recorded before it was), `data_fingerprint` (a hash of the
//!   customer data the run read, for `explain` and `report` of its period). A column's declared
//!   type is that of the run that made it; `outputs` says how each run's values read.
//! - `customer_policy`: one row per customer per run, `WITHOUT ROWID` with the primary key
//!   `(run_id, customer_id)`: a row is about 65 bytes, so the clustered layout stores the key
//!   once (a rowid table repeats it in a separate index, ~22 bytes a row), and inserts no
//!   slower. `fired` is the number of the customer's list of fired rules within the run.
//!   An output column's declared type says what the rules give ([`Declared`]), so readers
//!   give values back as they were: outputs that are always decimals are `DECIMAL` (that
//!   NUMERIC affinity stores a whole decimal, `2.0`, as an integer of 0-1 bytes instead of 8;
//!   the view, [`read_run`](super::read_run) and history give its whole numbers back as
//!   decimals; `REAL` reads back as decimals by itself, but the bundled SQLite 3.54 stores
//!   every `REAL` value of a `WITHOUT ROWID` table in 8 bytes, 3.40 did not), outputs that
//!   are always true/false `BOOLEAN` (stored as 1/0, as the customer data's own `BOOLEAN`
//!   columns are, read back as true/false), and lists `JSON` (their JSON text). A column
//!   keeps the type it was made with: one made before an output's kind was known, or
//!   before tierwise declared these types, reads as SQLite stores it.
//!   Earlier rowid tables keep their layout (only a rebuild could change it): they keep
//!   `rule_ids` (JSON text; `''` in rows written since) and gain `fired`.
//! - `customer_policy_fired`: each run's distinct lists of fired rules, `(run_id, fired)` ->
//!   `rule_ids`, the JSON array of text `--out` files write. A million customers of the
//!   shipped rules fire 559 distinct lists: the rule ids cost a row 1-2 bytes instead of
//!   ~156, and the lists ~0.1 byte per customer. (Were every customer's list different, a
//!   run would pay what rule ids cost per row before, no more.) Lists are text, not indexes
//!   into a dictionary, so every reader, the view included, reads them with a plain
//!   key lookup, whatever its SQLite.
//! - `policy_error`: the customers a `run --keep-going` left out because a rule failed for
//!   them: `(run_id, customer_id, rule, message, at)`, `at` being where the failing
//!   expression is written (file:line:column). The run itself is `ok` and its `message`
//!   says how many were left out.
//! - `customer_policy_latest`: a view of the latest period's official run for people and BI
//!   tools (view.rs).
//!
//! Versions: 0, before runs had dates (no `as_of`, `period`, `value_order`; rule ids as JSON
//! text in `customer_policy`); 1, dated runs and lists of fired rules; 2, `policy_run.totals`;
//! 3, `policy_error`; 4, `policy_run.outputs`.
//! Each upgrade only adds: tables, columns, and the dates of old runs.
//!
//! Everything here runs inside the run's write transaction: an upgrade that fails leaves the
//! database as it was.

use super::tables::write_err;
use super::{OutputError, view};
use crate::config::OutputTables;
use crate::rules::{RuleSet, Slot};
use crate::source::quote_ident;
use crate::text::escape_bytes;
use crate::time::{Date, Period, PeriodKind};
use crate::value::ValueKind;
use rusqlite::Connection;

/// The schema version this tierwise writes, kept in `PRAGMA user_version`.
pub const SCHEMA_VERSION: i64 = 5;

/// The table of each run's distinct lists of fired rules.
pub fn fired_table(tables: &OutputTables) -> String {
    format!("{}_fired", tables.policy_table)
}

/// The view of the latest period's official run.
pub fn latest_view(tables: &OutputTables) -> String {
    format!("{}_latest", tables.policy_table)
}

/// What the policy table holds, as read from the database.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyTable {
    /// Every column: name and declared type (`""` when none).
    pub columns: Vec<(String, String)>,
}

/// How an output's column is declared, from the kind of values the rules give it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Declared {
    /// No type: values are stored as they are.
    #[default]
    Plain,
    /// Always a decimal or NULL.
    Decimal,
    /// Always true/false or NULL, stored as 1/0.
    Boolean,
    /// A list, stored as its JSON text.
    Json,
}

impl Declared {
    /// The declared type in SQL (`""` for none).
    pub fn sql(self) -> &'static str {
        match self {
            Declared::Plain => "",
            Declared::Decimal => "DECIMAL",
            Declared::Boolean => "BOOLEAN",
            Declared::Json => "JSON",
        }
    }

    /// What the type says its values are, for messages.
    pub fn noun(self) -> &'static str {
        match self {
            Declared::Plain => "values of any kind",
            Declared::Decimal => "decimals",
            Declared::Boolean => "true/false",
            Declared::Json => "lists",
        }
    }

    /// The kind a column declared `sql` holds (any case; other types are plain).
    pub(super) fn of_sql(sql: &str) -> Self {
        [Declared::Decimal, Declared::Boolean, Declared::Json]
            .into_iter()
            .find(|d| sql.eq_ignore_ascii_case(d.sql()))
            .unwrap_or_default()
    }
}

/// Columns of the policy table that are not outputs.
const KEY_COLUMNS: [&str; 4] = ["run_id", "customer_id", "fired", "rule_ids"];

impl PolicyTable {
    /// The policy table's columns, or `None` when there is no such table yet.
    pub fn read(conn: &Connection, tables: &OutputTables) -> Result<Option<Self>, OutputError> {
        Ok(columns(conn, &tables.policy_table)?.map(|columns| PolicyTable { columns }))
    }

    /// Whether the table has `column`, without case as SQLite (`Tier` renamed `tier`).
    pub fn has(&self, column: &str) -> bool {
        self.columns
            .iter()
            .any(|(c, _)| c.eq_ignore_ascii_case(column))
    }

    /// A table from before version 1: rule ids as JSON in `rule_ids` (later rows: `''`).
    pub fn legacy(&self) -> bool {
        self.has("rule_ids")
    }

    /// The output columns, in table order.
    pub fn outputs(&self) -> Vec<String> {
        self.columns
            .iter()
            .filter(|(c, _)| !KEY_COLUMNS.contains(&c.as_str()))
            .map(|(c, _)| c.clone())
            .collect()
    }

    /// How output `column` is declared (plain when the table has no such column).
    pub fn declared(&self, column: &str) -> Declared {
        self.columns
            .iter()
            .find(|(c, _)| c.eq_ignore_ascii_case(column))
            .map_or(Declared::Plain, |(_, t)| Declared::of_sql(t))
    }
}

/// How each output of `rules` is declared (by position in `rules.outputs`): what every value
/// the rules can give it is.
pub fn declared_outputs(rules: &RuleSet) -> Vec<Declared> {
    let lists: Vec<Slot> = rules
        .decisions
        .iter()
        .flat_map(|d| d.list_outputs())
        .collect();
    (rules.outputs.iter().enumerate())
        .map(|(k, output)| {
            if rules.output_decimal.get(k) == Some(&true) {
                Declared::Decimal
            } else if rules.output_kinds.get(k) == Some(&Some(ValueKind::Bool)) {
                Declared::Boolean
            } else if lists.contains(&output.slot) {
                Declared::Json
            } else {
                Declared::Plain
            }
        })
        .collect()
}

/// A table's columns (name, declared type), `None` when it does not exist.
pub fn columns(
    conn: &Connection,
    table: &str,
) -> Result<Option<Vec<(String, String)>>, OutputError> {
    // Read by readers and writers alike: a file that is no database fails here first.
    let mut stmt = conn
        .prepare("SELECT name, type FROM pragma_table_info(?1)")
        .map_err(super::history::read_err(table))?;
    // As bytes: a name or type that is not UTF-8 (added by hand) is said, not a type error.
    let bytes = |r: &rusqlite::Row<'_>, i| -> rusqlite::Result<Vec<u8>> {
        Ok(r.get_ref(i)?
            .as_bytes_or_null()?
            .unwrap_or_default()
            .to_vec())
    };
    let raw: Vec<(Vec<u8>, Vec<u8>)> = stmt
        .query_map([table], |r| Ok((bytes(r, 0)?, bytes(r, 1)?)))
        .and_then(|rows| rows.collect())
        .map_err(super::history::read_err(table))?;
    let columns = raw
        .into_iter()
        .map(
            |(name, declared)| match (String::from_utf8(name), String::from_utf8(declared)) {
                (Ok(name), Ok(declared)) => Ok((name, declared)),
                (Err(name), _) => Err(not_utf8(conn, table, name.as_bytes(), None)),
                (Ok(name), Err(declared)) => Err(not_utf8(
                    conn,
                    table,
                    name.as_bytes(),
                    Some(declared.as_bytes()),
                )),
            },
        )
        .collect::<Result<Vec<_>, _>>()?;
    Ok((!columns.is_empty()).then_some(columns))
}

/// A column of a table tierwise writes whose name (or, given, declared type) is not UTF-8:
/// tierwise writes none, so it was added or changed by hand or by another program.
fn not_utf8(conn: &Connection, table: &str, name: &[u8], declared: Option<&[u8]>) -> OutputError {
    let column = escape_bytes(name);
    let (what, help) = match declared {
        None => {
            let drop = format!(
                "ALTER TABLE {} DROP COLUMN \"{}\"",
                quote_ident(table),
                column.replace('"', "\"\"")
            );
            let database = std::path::Path::new(conn.path().unwrap_or_default());
            let command = crate::source::printf_sql(&drop, &[table.as_bytes(), name], database)
                .map_or(String::new(), |c| {
                    format!(" (in a shell, which gives sqlite3 its bytes: {c})")
                });
            (
                format!("a column whose name is not UTF-8: `{column}`"),
                format!("drop or rename the column{command}"),
            )
        }
        Some(declared) => (
            format!(
                "column `{column}` declared with a type that is not UTF-8: `{}`",
                escape_bytes(declared)
            ),
            "give the column a UTF-8 type again (SQLite changes a type only by creating the table again)".to_owned(),
        ),
    };
    OutputError::Schema(format!(
        "table `{table}` has {what}; tierwise writes no such column (it was added or changed by hand or by another program)\n  = help: {help}"
    ))
}

/// Creates or upgrades the output tables to the current version, adds a column for every new
/// output (of the type `declared` gives it, by position) and (re)creates the view.
/// `kind` is the period kind runs recorded before version 1 are given, from their start.
pub fn prepare(
    conn: &Connection,
    tables: &OutputTables,
    outputs: &[String],
    declared: &[Declared],
    kind: PeriodKind,
) -> Result<PolicyTable, OutputError> {
    let version: i64 = conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .map_err(write_err(&tables.run_table))?;
    if version > SCHEMA_VERSION {
        return Err(OutputError::Schema(format!(
            "the database's schema version is {version}, newer than this tierwise knows \
             ({SCHEMA_VERSION}): use a newer tierwise"
        )));
    }
    not_foreign(conn, tables)?;
    let upgraded = version < SCHEMA_VERSION && columns(conn, &tables.run_table)?.is_some();
    prepare_runs(conn, tables, kind)?;
    prepare_policy(conn, tables)?;
    let moving = match &tables.error_table_before {
        Some(before) if columns(conn, &tables.error_table)?.is_none() => {
            columns(conn, before)?.map(|_| before)
        }
        _ => None,
    };
    conn.execute_batch(&format!(
        "CREATE TABLE IF NOT EXISTS {} (
            run_id INTEGER NOT NULL,
            customer_id NOT NULL,
            rule TEXT NOT NULL,
            message TEXT NOT NULL,
            at TEXT
        )",
        quote_ident(&tables.error_table)
    ))
    .map_err(write_err(&tables.error_table))?;
    if let Some(before) = moving {
        // The rows of this run table's runs, which said where they put them.
        conn.execute(
            &format!(
                "INSERT INTO {} (run_id, customer_id, rule, message, at)
                 SELECT e.run_id, e.customer_id, e.rule, e.message, e.at FROM {} e
                 JOIN {} r ON r.run_id = e.run_id WHERE r.message LIKE '%see ' || ?1 || '%'",
                quote_ident(&tables.error_table),
                quote_ident(before),
                quote_ident(&tables.run_table)
            ),
            [before],
        )
        .map_err(write_err(&tables.error_table))?;
    }
    let mut policy = PolicyTable::read(conn, tables)?.unwrap_or(PolicyTable {
        columns: Vec::new(),
    });
    // Columns are never dropped: the outputs of earlier rule sets stay beside these.
    let new = outputs.iter().filter(|o| !policy.has(o)).count();
    let held = policy.outputs().len();
    if new > 0 && held + new > crate::rules::MOST_OUTPUTS {
        return Err(OutputError::Schema(format!(
            "the policy table `{}` holds {} output columns (those of earlier rule sets too: columns are never dropped), and these rules add {new}: more than the {} a policy table holds (its views show each beside 6 more of SQLite's 2,000 columns); write to a new policy table (`output.policy_table` in the config), or copy the runs you keep into one",
            tables.policy_table,
            crate::text::thousands(held as f64),
            crate::text::thousands(crate::rules::MOST_OUTPUTS as f64)
        )));
    }
    for (k, output) in outputs.iter().enumerate() {
        if !policy.has(output) {
            let declared = declared.get(k).copied().unwrap_or_default().sql();
            conn.execute_batch(&format!(
                "ALTER TABLE {} ADD COLUMN {} {declared}",
                quote_ident(&tables.policy_table),
                quote_ident(output),
            ))
            .map_err(write_err(&tables.policy_table))?;
            policy.columns.push((output.clone(), declared.into()));
        }
        // A column an earlier run declared another type keeps it (SQLite cannot change a
        // column's type): `run` notes it (column_kinds.rs).
    }
    view::replace(conn, tables, &policy)?;
    if upgraded {
        // Said, as it cannot be undone: an older tierwise refuses to `run` on it after.
        tracing::warn!(
            "the run tables were made by an older tierwise (schema version {version}): upgraded to version {SCHEMA_VERSION} with this run, keeping every run; a tierwise that knows only version {version} refuses to run on this database from now on (README, \"Upgrading\")"
        );
    }
    if version < SCHEMA_VERSION {
        conn.execute_batch(&format!("PRAGMA user_version = {SCHEMA_VERSION}"))
            .map_err(write_err(&tables.run_table))?;
    }
    Ok(policy)
}

/// The columns by which a table of each name is one tierwise made (at any version): a table
/// of the user's own under that name (an insurance table called `customer_policy`, or the
/// customer table itself) is refused before anything is altered, rather than given columns
/// and mixed with the runs' rows.
fn not_foreign(conn: &Connection, tables: &OutputTables) -> Result<(), OutputError> {
    let shapes: [(&str, &[&str], &str); 3] = [
        (
            &tables.policy_table,
            &["run_id", "customer_id"],
            "output.policy_table",
        ),
        (
            &tables.run_table,
            &["run_id", "status", "fingerprint"],
            "output.run_table",
        ),
        (
            &tables.error_table,
            &["run_id", "customer_id", "rule"],
            "output.error_table",
        ),
    ];
    for (table, needed, key) in shapes {
        let Some(existing) = columns(conn, table)? else {
            continue;
        };
        let mut missing: Vec<&str> = (needed.iter().copied())
            .filter(|c| {
                !existing
                    .iter()
                    .any(|(name, _)| name.eq_ignore_ascii_case(c))
            })
            .collect();
        let policy = table == tables.policy_table.as_str();
        if policy
            && !existing
                .iter()
                .any(|(n, _)| n == "fired" || n == "rule_ids")
        {
            missing.push("fired");
        }
        if !missing.is_empty() {
            return Err(OutputError::Foreign(format!(
                "table `{table}` is not one tierwise made (it has no column {}): tierwise does not write into a table of yours; set `{key}` in the configuration to a name no table has",
                missing.join(", ")
            )));
        }
    }
    Ok(())
}

/// The error table readers read: the configured one, or, in a database no run has written
/// since the error table followed a run table of another name, the one its runs used
/// (`None`: neither exists).
pub(super) fn error_table_to_read<'t>(
    conn: &Connection,
    tables: &'t OutputTables,
) -> Result<Option<&'t str>, OutputError> {
    if columns(conn, &tables.error_table)?.is_some() {
        return Ok(Some(&tables.error_table));
    }
    match &tables.error_table_before {
        Some(before) if columns(conn, before)?.is_some() => Ok(Some(before)),
        _ => Ok(None),
    }
}

/// The run table: created, or given the columns of versions 1 and 2 and its records' dates.
fn prepare_runs(
    conn: &Connection,
    tables: &OutputTables,
    kind: PeriodKind,
) -> Result<(), OutputError> {
    let run = quote_ident(&tables.run_table);
    let err = write_err(&tables.run_table);
    let Some(existing) = columns(conn, &tables.run_table)? else {
        return conn
            .execute_batch(&format!(
                "CREATE TABLE {run} (
                    run_id INTEGER PRIMARY KEY,
                    started_at TEXT NOT NULL,
                    finished_at TEXT,
                    status TEXT NOT NULL,
                    customers INTEGER NOT NULL,
                    fingerprint TEXT NOT NULL,
                    rules_dir TEXT,
                    message TEXT,
                    as_of TEXT,
                    period TEXT,
                    value_order TEXT,
                    totals TEXT,
                    outputs TEXT,
                    tierwise_version TEXT,
                    customers_from TEXT,
                    logic_fingerprint TEXT,
                    rules_revision TEXT,
                    data_fingerprint TEXT
                );"
            ))
            .map_err(err);
    };
    let has = |c: &str| existing.iter().any(|(name, _)| name == c);
    for column in [
        "as_of",
        "period",
        "value_order",
        "totals",
        "outputs",
        "tierwise_version",
        "customers_from",
        "logic_fingerprint",
        "rules_revision",
        "data_fingerprint",
    ] {
        if !has(column) {
            conn.execute_batch(&format!("ALTER TABLE {run} ADD COLUMN {column} TEXT"))
                .map_err(&err)?;
        }
    }
    if !has("as_of") {
        date_old_runs(conn, tables, kind)?;
    }
    Ok(())
}

/// Runs recorded before version 1 get `as_of` from the date they started, and that date's
/// period of `kind`.
fn date_old_runs(
    conn: &Connection,
    tables: &OutputTables,
    kind: PeriodKind,
) -> Result<(), OutputError> {
    let run = quote_ident(&tables.run_table);
    let err = write_err(&tables.run_table);
    let started: Vec<(i64, String)> = conn
        .prepare(&format!("SELECT run_id, started_at FROM {run}"))
        .and_then(|mut s| s.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?.collect())
        .map_err(&err)?;
    let mut update = conn
        .prepare(&format!(
            "UPDATE {run} SET as_of = ?2, period = ?3 WHERE run_id = ?1"
        ))
        .map_err(&err)?;
    for (run_id, started_at) in started {
        let (as_of, period) = derived_date(&started_at, kind);
        update
            .execute(rusqlite::params![
                run_id,
                as_of.map(|d| d.to_string()),
                period.map(|p| p.to_string())
            ])
            .map_err(&err)?;
    }
    Ok(())
}

/// The date and period a run from before version 1 is given: the day it started.
pub fn derived_date(started_at: &str, kind: PeriodKind) -> (Option<Date>, Option<Period>) {
    let as_of = Date::parse(started_at);
    (as_of, as_of.map(|d| Period::containing(kind, d)))
}

/// The policy table (new: the compact layout; from before version 1: gains `fired`) and
/// the table of fired-rule lists.
fn prepare_policy(conn: &Connection, tables: &OutputTables) -> Result<(), OutputError> {
    let policy = quote_ident(&tables.policy_table);
    let fired = quote_ident(&fired_table(tables));
    let err = write_err(&tables.policy_table);
    match columns(conn, &tables.policy_table)? {
        None => conn
            .execute_batch(&format!(
                "CREATE TABLE {policy} (
                    run_id INTEGER NOT NULL,
                    customer_id NOT NULL,
                    fired INTEGER NOT NULL,
                    PRIMARY KEY (run_id, customer_id)
                ) WITHOUT ROWID;"
            ))
            .map_err(&err)?,
        Some(existing) if !existing.iter().any(|(c, _)| c == "fired") => conn
            .execute_batch(&format!("ALTER TABLE {policy} ADD COLUMN fired INTEGER"))
            .map_err(&err)?,
        Some(_) => {}
    }
    conn.execute_batch(&format!(
        "CREATE TABLE IF NOT EXISTS {fired} (
            run_id INTEGER NOT NULL,
            fired INTEGER NOT NULL,
            rule_ids TEXT NOT NULL,
            PRIMARY KEY (run_id, fired)
        ) WITHOUT ROWID;"
    ))
    .map_err(&err)
}

/// Whether the run table has the columns of version 1 (a database not written since the
/// upgrade has not).
pub fn runs_dated(conn: &Connection, tables: &OutputTables) -> Result<bool, OutputError> {
    runs_record(conn, tables, "as_of")
}

/// Whether the run table has `column` (a database last written by an earlier tierwise may
/// not: its readers read NULL for it).
pub(super) fn runs_record(
    conn: &Connection,
    tables: &OutputTables,
    column: &str,
) -> Result<bool, OutputError> {
    Ok(columns(conn, &tables.run_table)?.is_some_and(|c| c.iter().any(|(name, _)| name == column)))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The two tables as tierwise created them before version 1, with two runs.
    fn old(conn: &Connection) {
        conn.execute_batch(
            r#"CREATE TABLE "policy_run" (run_id INTEGER PRIMARY KEY, started_at TEXT NOT NULL,
                 finished_at TEXT, status TEXT NOT NULL, customers INTEGER NOT NULL,
                 fingerprint TEXT NOT NULL, rules_dir TEXT, message TEXT);
               CREATE TABLE "customer_policy" (run_id INTEGER NOT NULL, customer_id NOT NULL,
                 rule_ids TEXT NOT NULL, PRIMARY KEY (run_id, customer_id));
               ALTER TABLE "customer_policy" ADD COLUMN "tier";
               INSERT INTO policy_run VALUES
                 (1, '2026-02-10T09:00:00.000Z', NULL, 'ok', 1, 'f', 'rules', NULL),
                 (2, '2026-08-01T23:59:59.999Z', NULL, 'ok', 1, 'f', 'rules', NULL);
               INSERT INTO customer_policy VALUES (1, 'a', '["t"]', 'A'), (2, 'a', '["u"]', 'B');"#,
        )
        .unwrap();
    }

    fn dated(conn: &Connection) -> Vec<(i64, String, String)> {
        conn.prepare("SELECT run_id, as_of, period FROM policy_run ORDER BY run_id")
            .unwrap()
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .unwrap()
            .map(Result::unwrap)
            .collect()
    }

    #[test]
    fn old_runs_are_dated_in_the_kind_of_period_given() {
        let conn = Connection::open_in_memory().unwrap();
        old(&conn);
        let tables = OutputTables::default();
        let policy = prepare(&conn, &tables, &["tier".into()], &[], PeriodKind::Quarter).unwrap();
        assert!(policy.legacy() && policy.has("fired"));
        assert_eq!(
            dated(&conn),
            [
                (1, "2026-02-10".into(), "2026-Q1".into()),
                (2, "2026-08-01".into(), "2026-Q3".into())
            ]
        );
        let version: i64 = conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .unwrap();
        assert_eq!(version, SCHEMA_VERSION);
        // A second prepare changes nothing.
        prepare(&conn, &tables, &["tier".into()], &[], PeriodKind::Month).unwrap();
        assert_eq!(dated(&conn)[0].2, "2026-Q1");
    }

    #[test]
    fn a_version_1_run_table_gains_totals_and_keeps_its_records() {
        let conn = Connection::open_in_memory().unwrap();
        let tables = OutputTables::default();
        prepare(&conn, &tables, &["tier".into()], &[], PeriodKind::Quarter).unwrap();
        conn.execute_batch(
            "ALTER TABLE policy_run DROP COLUMN totals;
             INSERT INTO policy_run (run_id, started_at, status, customers, fingerprint, as_of, period)
               VALUES (1, '2026-07-01T00:00:00.000Z', 'ok', 0, 'f', '2026-06-30', '2026-Q2');
             PRAGMA user_version = 1;",
        )
        .unwrap();
        prepare(&conn, &tables, &["tier".into()], &[], PeriodKind::Quarter).unwrap();
        let (period, totals): (String, Option<String>) = conn
            .query_row("SELECT period, totals FROM policy_run", [], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .unwrap();
        assert_eq!((period.as_str(), totals), ("2026-Q2", None));
        let version: i64 = conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .unwrap();
        assert_eq!(version, SCHEMA_VERSION);
    }

    #[test]
    fn an_upgrade_rolled_back_with_its_transaction_leaves_the_old_tables() {
        let mut conn = Connection::open_in_memory().unwrap();
        old(&conn);
        let tables = OutputTables::default();
        {
            let tx = conn.transaction().unwrap();
            prepare(&tx, &tables, &["tier".into()], &[], PeriodKind::Month).unwrap();
            // Dropped without commit, as a failed run's transaction is.
        }
        assert!(!runs_dated(&conn, &tables).unwrap());
        let policy = PolicyTable::read(&conn, &tables).unwrap().unwrap();
        assert!(!policy.has("fired"));
        assert!(columns(&conn, &fired_table(&tables)).unwrap().is_none());
        let version: i64 = conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .unwrap();
        assert_eq!(version, 0);
    }

    #[test]
    fn new_tables_are_compact_and_outputs_declared_as_the_rules_give_them() {
        let conn = Connection::open_in_memory().unwrap();
        let tables = OutputTables::default();
        let outputs = ["tier", "pct", "blocked", "alerts"].map(String::from);
        let declared = [
            Declared::Plain,
            Declared::Decimal,
            Declared::Boolean,
            Declared::Json,
        ];
        let policy = prepare(&conn, &tables, &outputs, &declared, PeriodKind::Month).unwrap();
        assert!(!policy.legacy());
        assert_eq!(policy.outputs(), outputs);
        let read = PolicyTable::read(&conn, &tables).unwrap().unwrap();
        assert_eq!(outputs.map(|o| read.declared(&o)), declared);
        assert_eq!(read.declared("no such output"), Declared::Plain);
        let sql: String = conn
            .query_row(
                "SELECT sql FROM sqlite_master WHERE name = 'customer_policy'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert!(sql.contains("WITHOUT ROWID"), "{sql}");
    }
}
