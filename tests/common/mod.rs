//! Test fixture for the `tierwise` CLI: a temporary project directory with its own
//! `config.yaml`, `rules/` and SQLite customer database, and helpers to run the real binary
//! and read back what a run wrote.
#![allow(dead_code)]

use rusqlite::Connection;
use rusqlite::types::Value;
use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{Receiver, channel};
use std::time::{Duration, Instant};
use tempfile::TempDir;

pub mod http;

/// Policies of one run: customer id -> (output column -> value). Includes `rule_ids`.
pub type Policies = BTreeMap<String, BTreeMap<String, Value>>;

pub const BIN: &str = env!("CARGO_BIN_EXE_tierwise");

pub fn int(v: i64) -> Value {
    Value::Integer(v)
}
pub fn real(v: f64) -> Value {
    Value::Real(v)
}
pub fn text(v: &str) -> Value {
    Value::Text(v.to_owned())
}
pub fn null() -> Value {
    Value::Null
}

/// A value as a map key / for messages: integers and text print plainly.
pub fn key(v: &Value) -> String {
    match v {
        Value::Integer(i) => i.to_string(),
        Value::Real(f) => f.to_string(),
        Value::Text(s) => s.clone(),
        Value::Null => "NULL".into(),
        Value::Blob(b) => format!("{b:?}"),
    }
}

/// What one invocation of the binary did.
#[derive(Debug)]
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    pub fn assert_code(&self, code: i32) -> &Self {
        assert_eq!(
            self.code, code,
            "expected exit code {code}, got {}\n--- stdout\n{}\n--- stderr\n{}",
            self.code, self.stdout, self.stderr
        );
        self
    }

    pub fn assert_stderr_contains(&self, needle: &str) -> &Self {
        assert!(
            self.stderr.contains(needle),
            "stderr does not contain {needle:?}\n--- stderr\n{}",
            self.stderr
        );
        self
    }

    /// The diagnostic block of stderr (blocks are separated by blank lines) that contains
    /// `--> location`; panics if there is none.
    pub fn diagnostic_at(&self, location: &str) -> String {
        let arrow = format!("--> {location}\n");
        let arrow_end = format!("--> {location}");
        self.stderr
            .split("\n\n")
            .find(|block| block.contains(&arrow) || block.trim_end().ends_with(arrow_end.as_str()))
            .unwrap_or_else(|| panic!("no diagnostic at {location} in stderr:\n{}", self.stderr))
            .to_owned()
    }
}

/// A record of `policy_run`.
#[derive(Debug, Clone, PartialEq)]
pub struct RunRecord {
    pub run_id: i64,
    pub status: String,
    pub customers: i64,
    pub fingerprint: String,
    pub message: Option<String>,
}

/// A temporary tierwise project: `config.yaml`, `rules/`, `customers.db`.
pub struct Fixture {
    pub dir: TempDir,
}

impl Default for Fixture {
    fn default() -> Self {
        Self::new()
    }
}

impl Fixture {
    pub fn new() -> Self {
        let dir = tempfile::Builder::new()
            .prefix("tierwise-test-")
            .tempdir()
            .expect("temp dir");
        std::fs::write(
            dir.path().join("config.yaml"),
            "database: customers.db\n\
             customers: { table: customers, id_column: customer_id }\n\
             rules: rules\n",
        )
        .expect("write config");
        std::fs::create_dir(dir.path().join("rules")).expect("rules dir");
        Fixture { dir }
    }

    pub fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    pub fn db_path(&self) -> PathBuf {
        self.path("customers.db")
    }

    pub fn conn(&self) -> Connection {
        Connection::open(self.db_path()).expect("open test database")
    }

    /// Creates table `customers` with the given column definitions (SQL, e.g.
    /// `"customer_id INTEGER PRIMARY KEY, annual_sales REAL"`) and inserts `rows`.
    pub fn customers(&self, columns: &str, rows: &[Vec<Value>]) {
        let mut conn = self.conn();
        let tx = conn.transaction().unwrap();
        tx.execute_batch(&format!(
            "DROP TABLE IF EXISTS customers; CREATE TABLE customers ({columns});"
        ))
        .unwrap();
        if let Some(first) = rows.first() {
            let placeholders = vec!["?"; first.len()].join(", ");
            let mut stmt = tx
                .prepare(&format!("INSERT INTO customers VALUES ({placeholders})"))
                .unwrap();
            for row in rows {
                stmt.execute(rusqlite::params_from_iter(row.iter()))
                    .unwrap();
            }
        }
        tx.commit().unwrap();
    }

    /// Customers `(customer_id INTEGER, annual_sales REAL)` with ids 1.. and the given sales.
    pub fn sales_customers(&self, sales: &[f64]) {
        let rows: Vec<Vec<Value>> = sales
            .iter()
            .enumerate()
            .map(|(i, &s)| vec![int(i as i64 + 1), real(s)])
            .collect();
        self.customers("customer_id INTEGER PRIMARY KEY, annual_sales REAL", &rows);
    }

    /// `n` customers with sales spread over 0..1000 (`i * 37 % 1000`): a population big
    /// enough for a run to take a while, for the tests that interrupt or read during one.
    pub fn many_sales_customers(&self, n: usize) {
        let sales: Vec<f64> = (0..n).map(|i| (i * 37 % 1000) as f64).collect();
        self.sales_customers(&sales);
    }

    /// Customers `fast` (`loops` 0) and `slow` (a loop of minutes in a debug build), the
    /// script `spin(n)` that loops `n` times, and limits that let it: no operation limit
    /// to speak of, `max_eval_ms` of `budget_ms`. For the tests of time budgets and of
    /// reloads that overrun.
    pub fn spinning_customers(&self, budget_ms: u64) {
        self.customers(
            "customer_id TEXT, loops INTEGER",
            &[
                vec![text("fast"), int(0)],
                vec![text("slow"), int(1_000_000_000)],
            ],
        );
        let mut config = std::fs::read_to_string(self.path("config.yaml")).unwrap();
        config.push_str(&format!(
            "limits: {{ max_operations: 1000000000000, max_eval_ms: {budget_ms} }}\n"
        ));
        std::fs::write(self.path("config.yaml"), config).unwrap();
        self.rule(
            "spin.rhai",
            "fn spin(n) {\n    let i = 0;\n    while i < n { i += 1; }\n    i\n}\n",
        );
    }

    /// Whether the policy table exists: a run that failed before writing never creates it.
    pub fn has_policy_table(&self) -> bool {
        let tables: i64 = self
            .conn()
            .query_row(
                "SELECT COUNT(*) FROM sqlite_master WHERE name = 'customer_policy'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        tables > 0
    }

    /// The names of the files in `dir` (relative to the fixture) that `keep` keeps: the temp
    /// files a run may leave beside its `--out`.
    pub fn names_in(&self, dir: &str, keep: impl Fn(&str) -> bool) -> Vec<String> {
        std::fs::read_dir(self.path(dir))
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|name| keep(name))
            .collect()
    }

    /// Writes (or replaces) `rules/<name>`; returns the text written.
    pub fn rule(&self, name: &str, yaml: &str) -> String {
        std::fs::write(self.path("rules").join(name), yaml).expect("write rule file");
        yaml.to_owned()
    }

    /// Runs `git <args>` in the fixture directory (as a user of its own), asserting success.
    pub fn git(&self, args: &[&str]) {
        let out = Command::new("git")
            .args(["-c", "user.name=t", "-c", "user.email=t@t"])
            .args(["-c", "init.defaultBranch=main"])
            .args(args)
            .current_dir(self.dir.path())
            .output()
            .expect("git");
        assert!(
            out.status.success(),
            "git {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    /// Runs `tierwise --config config.yaml <args>` in the fixture directory.
    pub fn run(&self, args: &[&str]) -> Run {
        run_in(
            self.dir.path(),
            &[&["--config", "config.yaml"], args].concat(),
        )
    }

    /// `tierwise run <extra>`, asserting exit code 0.
    pub fn run_ok(&self, extra: &[&str]) -> Run {
        let run = self.run(&[&["run"], extra].concat());
        run.assert_code(0);
        run
    }

    /// Every record of `policy_run`, by run id.
    pub fn runs(&self) -> Vec<RunRecord> {
        let conn = self.conn();
        let mut stmt = conn
            .prepare(
                "SELECT run_id, status, customers, fingerprint, message FROM policy_run ORDER BY run_id",
            )
            .unwrap();
        stmt.query_map([], |r| {
            Ok(RunRecord {
                run_id: r.get(0)?,
                status: r.get(1)?,
                customers: r.get(2)?,
                fingerprint: r.get(3)?,
                message: r.get(4)?,
            })
        })
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
    }

    /// The id of the latest successful run.
    pub fn latest_ok_run(&self) -> i64 {
        self.conn()
            .query_row(
                "SELECT MAX(run_id) FROM policy_run WHERE status = 'ok'",
                [],
                |r| r.get::<_, Option<i64>>(0),
            )
            .unwrap()
            .expect("no successful run recorded")
    }

    /// The `customer_policy` rows of run `run_id`, with `rule_ids` as JSON text (decoded
    /// from the row's list of fired rules).
    pub fn policies_of(&self, run_id: i64) -> Policies {
        let conn = self.conn();
        let lists = fired_lists(&conn, run_id);
        let mut stmt = conn
            .prepare("SELECT * FROM customer_policy WHERE run_id = ?1")
            .unwrap();
        let names: Vec<String> = stmt.column_names().map(str::to_owned).collect();
        // Whole numbers of a DECIMAL column (an output that is always a decimal) are stored
        // as integers and read as decimals.
        let decimal: Vec<bool> = stmt
            .columns()
            .map(|c| c.decl_type() == Some("DECIMAL"))
            .collect();
        let mut out = Policies::new();
        let mut rows = stmt.query([run_id]).unwrap();
        while let Some(row) = rows.next().unwrap() {
            let mut id = None;
            let mut values = BTreeMap::new();
            for (k, name) in names.iter().enumerate() {
                let v = match row.get(k).unwrap() {
                    Value::Integer(i) if decimal[k] => Value::Real(i as f64),
                    v => v,
                };
                match (name.as_str(), v) {
                    ("run_id", _) | ("fired", Value::Null) => {}
                    ("rule_ids", Value::Text(t)) if t.is_empty() => {}
                    ("customer_id", v) => id = Some(key(&v)),
                    ("fired", Value::Integer(n)) => {
                        values.insert("rule_ids".into(), text(&lists[&n]));
                    }
                    (_, v) => {
                        values.insert(name.clone(), v);
                    }
                }
            }
            let id = id.expect("customer_id column");
            assert!(
                out.insert(id.clone(), values).is_none(),
                "duplicate id {id}"
            );
        }
        out
    }

    /// The policies of the latest successful run.
    pub fn latest(&self) -> Policies {
        self.policies_of(self.latest_ok_run())
    }

    /// Number of rows in `customer_policy` (0 when the table does not exist).
    pub fn policy_row_count(&self) -> i64 {
        let conn = self.conn();
        let exists: i64 = conn
            .query_row(
                "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'customer_policy'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        if exists == 0 {
            return 0;
        }
        conn.query_row("SELECT COUNT(*) FROM customer_policy", [], |r| r.get(0))
            .unwrap()
    }
}

/// Run `run_id`'s lists of fired rules: number -> rule ids as JSON text.
pub fn fired_lists(conn: &Connection, run_id: i64) -> BTreeMap<i64, String> {
    let Ok(mut stmt) =
        conn.prepare("SELECT fired, rule_ids FROM customer_policy_fired WHERE run_id = ?1")
    else {
        return BTreeMap::new();
    };
    stmt.query_map([run_id], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

/// Runs the binary with `args` in `dir`.
pub fn run_in(dir: &Path, args: &[&str]) -> Run {
    let out = Command::new(BIN)
        .args(args)
        .current_dir(dir)
        .env_remove("RUST_LOG")
        .output()
        .expect("run tierwise");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// One output column of every customer: id -> value.
pub fn column(p: &Policies, name: &str) -> BTreeMap<String, Value> {
    p.iter()
        .map(|(id, values)| {
            let v = values
                .get(name)
                .unwrap_or_else(|| panic!("no column `{name}` in {values:?}"))
                .clone();
            (id.clone(), v)
        })
        .collect()
}

/// What an expected value may be written as: text, whole number, decimal, or a `Value`.
pub trait ToValue {
    fn to_value(&self) -> Value;
}
impl ToValue for &str {
    fn to_value(&self) -> Value {
        text(self)
    }
}
impl ToValue for i32 {
    fn to_value(&self) -> Value {
        int(i64::from(*self))
    }
}
impl ToValue for i64 {
    fn to_value(&self) -> Value {
        int(*self)
    }
}
impl ToValue for f64 {
    fn to_value(&self) -> Value {
        real(*self)
    }
}
impl ToValue for Value {
    fn to_value(&self) -> Value {
        self.clone()
    }
}

/// `[(id, value)]` as a map, for comparison with [`column`].
pub fn expect<V: ToValue>(pairs: &[(&str, V)]) -> BTreeMap<String, Value> {
    pairs
        .iter()
        .map(|(id, v)| (id.to_string(), v.to_value()))
        .collect()
}

/// Ids 1..=n mapped to tiers by a function of the id.
pub fn tiers_by_id(n: usize, tier: impl Fn(usize) -> &'static str) -> BTreeMap<String, Value> {
    (1..=n).map(|i| (i.to_string(), text(tier(i)))).collect()
}

/// The 1-based (line, column) of the `nth` (0-based) occurrence of `needle` in `text`,
/// the column counted in characters.
pub fn position_of(text: &str, needle: &str, nth: usize) -> (usize, usize) {
    let offset = text
        .match_indices(needle)
        .nth(nth)
        .unwrap_or_else(|| panic!("{needle:?} occurs fewer than {} times", nth + 1))
        .0;
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = text[line_start..offset].chars().count() + 1;
    (line, column)
}

/// Copies a directory tree (files and subdirectories).
pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// A running `tierwise` command whose output lines are read as they come; killed when
/// dropped.
pub struct Spawned {
    pub child: Child,
    lines: Receiver<String>,
    /// Every line read so far.
    pub seen: Vec<String>,
}

impl Spawned {
    /// Starts `tierwise <args>` in `dir`, reading its stdout (stderr is discarded).
    pub fn start(dir: &Path, args: &[&str]) -> Spawned {
        let mut child = Command::new(BIN)
            .current_dir(dir)
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start tierwise");
        let stdout = child.stdout.take().unwrap();
        let (tx, lines) = channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        Spawned {
            child,
            lines,
            seen: Vec::new(),
        }
    }

    /// Starts `tierwise --config config.yaml serve --listen 127.0.0.1:0 <extra>` in `dir` and
    /// waits until it listens; returns it and its address (`127.0.0.1:port`).
    pub fn serve(dir: &Path, extra: &[&str]) -> (Spawned, String) {
        let args = [
            &[
                "--config",
                "config.yaml",
                "serve",
                "--listen",
                "127.0.0.1:0",
            ],
            extra,
        ]
        .concat();
        let mut process = Spawned::start(dir, &args);
        let lines = process.wait_for("listening on http://");
        let addr = lines.last().unwrap()["listening on http://".len()..]
            .split_whitespace()
            .next()
            .unwrap()
            .to_owned();
        (process, addr)
    }

    /// Waits (up to 20 s) for a line containing `needle`; returns the lines read meanwhile.
    pub fn wait_for(&mut self, needle: &str) -> Vec<String> {
        let deadline = Instant::now() + Duration::from_secs(20);
        let mut read = Vec::new();
        while let Some(left) = deadline.checked_duration_since(Instant::now()) {
            match self.lines.recv_timeout(left) {
                Ok(line) => {
                    let found = line.contains(needle);
                    read.push(line.clone());
                    self.seen.push(line);
                    if found {
                        return read;
                    }
                }
                Err(_) => break,
            }
        }
        panic!(
            "no line containing {needle:?} within 20 s; output so far:\n{}",
            self.seen.join("\n")
        );
    }

    /// Lines that arrive within `quiet` of each other, until the output is quiet; fails if
    /// it never gets quiet (a reload that triggers the next one).
    pub fn drain(&mut self, quiet: Duration) -> Vec<String> {
        let deadline = Instant::now() + Duration::from_secs(10);
        let mut read = Vec::new();
        while let Ok(line) = self.lines.recv_timeout(quiet) {
            self.seen.push(line.clone());
            read.push(line);
            assert!(
                Instant::now() < deadline,
                "the output never gets quiet:\n{}",
                self.seen.join("\n")
            );
        }
        read
    }
}

impl Drop for Spawned {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
