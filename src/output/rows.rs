//! A run's policy rows: how a value is bound into a row, and the run's distinct lists of fired
//! rules, numbered as they first appear.

use super::OutputError;
use super::schema::{Declared, PolicyTable, fired_table};
use super::tables::write_err;
use crate::config::OutputTables;
use crate::engine::Outcome;
use crate::rules::RuleIdx;
use crate::source::{Dataset, quote_ident};
use crate::value::Value;
use rusqlite::{Connection, Statement};
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// The distinct lists of fired rules of one run, numbered from 0 in order of first
/// appearance, each with its rule ids as JSON text (`["tier-a","disc-base-a"]`), made once
/// per list: the text the fired-lists table and `--out` files hold.
pub(super) struct FiredLists<'r> {
    numbers: HashMap<Box<[RuleIdx]>, u32, BuildHasherDefault<FxHasher>>,
    json: Vec<String>,
    rule_ids: &'r [String],
}

impl<'r> FiredLists<'r> {
    pub fn new(rule_ids: &'r [String]) -> Self {
        FiredLists {
            numbers: HashMap::default(),
            json: Vec::new(),
            rule_ids,
        }
    }

    /// The number of the list `fired`, numbering it when it is new.
    #[inline]
    pub fn number(&mut self, fired: &[RuleIdx]) -> u32 {
        if let Some(&n) = self.numbers.get(fired) {
            return n;
        }
        let n = self.json.len() as u32;
        self.json.push(rule_list_json(fired, self.rule_ids));
        self.numbers.insert(fired.into(), n);
        n
    }

    /// List `n`'s rule ids as JSON.
    pub fn json(&self, n: u32) -> &str {
        &self.json[n as usize]
    }

    /// Inserts every list of run `run_id` into the fired-lists table.
    pub fn write(
        &self,
        conn: &Connection,
        tables: &OutputTables,
        run_id: i64,
    ) -> Result<(), OutputError> {
        let table = fired_table(tables);
        let err = write_err(&table);
        let mut stmt = conn
            .prepare(&format!(
                "INSERT INTO {} (run_id, fired, rule_ids) VALUES (?1, ?2, ?3)",
                quote_ident(&table)
            ))
            .map_err(&err)?;
        for (n, json) in self.json.iter().enumerate() {
            stmt.execute(rusqlite::params![run_id, n as i64, json])
                .map_err(&err)?;
        }
        Ok(())
    }
}

/// The Fx hash (rustc's): a lookup per customer on the writer thread, where SipHash's
/// resistance to chosen keys buys nothing (the keys are the rules' own indices).
#[derive(Default)]
struct FxHasher(u64);

impl Hasher for FxHasher {
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8) {
            let mut word = [0u8; 8];
            word[..chunk.len()].copy_from_slice(chunk);
            self.write_u64(u64::from_le_bytes(word));
        }
    }

    #[inline]
    fn write_u64(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }

    #[inline]
    fn write_usize(&mut self, word: usize) {
        self.write_u64(word as u64);
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

/// `["tier-a","disc-base-a"]`: rule ids are plain (letters, digits, `-_.`), no escaping needed.
fn rule_list_json(fired: &[RuleIdx], rule_ids: &[String]) -> String {
    let mut out = String::from("[");
    for (k, &r) in fired.iter().enumerate() {
        if k > 0 {
            out.push(',');
        }
        out.push('"');
        out.push_str(&rule_ids[r as usize]);
        out.push('"');
    }
    out.push(']');
    out
}

/// Binds a value; a list is bound as its JSON text, written into `json` (reused from value
/// to value: SQLite copies bound text).
fn bind(
    stmt: &mut Statement<'_>,
    index: usize,
    value: &Value<'_>,
    json: &mut Vec<u8>,
) -> rusqlite::Result<()> {
    match value {
        Value::Null => stmt.raw_bind_parameter(index, rusqlite::types::Null),
        Value::Bool(b) => stmt.raw_bind_parameter(index, *b),
        Value::Int(i) => stmt.raw_bind_parameter(index, *i),
        Value::Float(f) => stmt.raw_bind_parameter(index, *f),
        Value::Str(s) => stmt.raw_bind_parameter(index, *s),
        Value::Owned(s) => stmt.raw_bind_parameter(index, s.as_str()),
        Value::Date(d) => stmt.raw_bind_parameter(index, d.to_string()),
        Value::Consts(_) | Value::List(_) | Value::Other(_) => {
            json.clear();
            write_json(json, value);
            let text = std::str::from_utf8(json).unwrap_or_default();
            stmt.raw_bind_parameter(index, text)
        }
    }
}

/// `value.to_json().to_string()`, without building the JSON value: the same text.
fn write_json(out: &mut Vec<u8>, value: &Value<'_>) {
    let items = |out: &mut Vec<u8>, values: &mut dyn Iterator<Item = Value<'_>>| {
        out.push(b'[');
        for (k, v) in values.enumerate() {
            if k > 0 {
                out.push(b',');
            }
            write_json(out, &v);
        }
        out.push(b']');
    };
    let written = match value {
        Value::Consts(lits) => {
            items(out, &mut lits.iter().map(|l| l.value()));
            Ok(())
        }
        Value::List(values) => {
            items(out, &mut values.iter().cloned());
            Ok(())
        }
        Value::Null => serde_json::to_writer(&mut *out, &()),
        Value::Bool(b) => serde_json::to_writer(&mut *out, b),
        Value::Int(i) => serde_json::to_writer(&mut *out, i),
        Value::Float(f) => serde_json::to_writer(&mut *out, &serde_json::Value::from(*f)),
        Value::Str(s) => serde_json::to_writer(&mut *out, s),
        Value::Owned(s) => serde_json::to_writer(&mut *out, s.as_str()),
        Value::Date(d) => serde_json::to_writer(&mut *out, &d.to_string()),
        Value::Other(_) => serde_json::to_writer(&mut *out, &value.to_json()),
    };
    debug_assert!(written.is_ok(), "JSON into memory cannot fail");
}

/// Why `value` cannot go into a column declared `declared` and read back the same: text
/// SQLite would turn into a number (`DECIMAL`, `BOOLEAN` and `JSON` have NUMERIC affinity),
/// or a whole number too large for a decimal to hold exactly (readers read a `DECIMAL`
/// column's whole numbers as decimals). An output whose column was declared from what the
/// rules gave when it was made may later give something else.
fn column_problem(value: &Value<'_>, declared: Declared) -> Option<String> {
    let sql = declared.sql();
    match value {
        _ if declared == Declared::Plain => None,
        Value::Str(_) | Value::Owned(_) => {
            let text = value.as_str().unwrap_or_default();
            text.trim().parse::<f64>().is_ok().then(|| {
                format!("the text {text:?}, which its {sql} column would store as a number")
            })
        }
        Value::Int(i) if declared == Declared::Decimal && i.unsigned_abs() > 1 << 53 => {
            Some(format!("{i}, which its {sql} column cannot hold exactly"))
        }
        _ => None,
    }
}

/// Inserts one run's policy rows with one prepared statement.
pub(super) struct PolicyRows<'c> {
    stmt: Statement<'c>,
    table: &'c str,
    outputs: &'c [String],
    /// Per output: its column's declared type.
    declared: Vec<Declared>,
    /// The JSON text of the list being bound.
    json: Vec<u8>,
}

impl<'c> PolicyRows<'c> {
    /// Columns: `run_id, customer_id, fired`, the outputs, and in a table from before
    /// version 1, `rule_ids` (`''`: the list is in `fired`).
    pub fn prepare(
        conn: &'c Connection,
        tables: &'c OutputTables,
        policy: &PolicyTable,
        outputs: &'c [String],
        run_id: i64,
    ) -> Result<Self, OutputError> {
        let table = tables.policy_table.as_str();
        let mut columns = vec!["run_id", "customer_id", "fired"];
        columns.extend(outputs.iter().map(String::as_str));
        let mut values = vec!["?"; columns.len()];
        if policy.legacy() {
            columns.push("rule_ids");
            values.push("''");
        }
        let sql = format!(
            "INSERT INTO {} ({}) VALUES ({})",
            quote_ident(table),
            columns
                .iter()
                .map(|c| quote_ident(c))
                .collect::<Vec<_>>()
                .join(", "),
            values.join(", ")
        );
        let mut stmt = conn.prepare(&sql).map_err(write_err(table))?;
        // Bindings stay from row to row: the run id is bound once.
        stmt.raw_bind_parameter(1, run_id)
            .map_err(write_err(table))?;
        Ok(PolicyRows {
            stmt,
            table,
            outputs,
            declared: outputs.iter().map(|o| policy.declared(o)).collect(),
            json: Vec::new(),
        })
    }

    /// Inserts one customer's row, whose fired rules are list `fired`.
    pub fn insert(
        &mut self,
        data: &Dataset,
        outcome: &Outcome<'_, '_>,
        fired: u32,
    ) -> Result<(), OutputError> {
        let err = write_err(self.table);
        bind(&mut self.stmt, 2, &data.id(outcome.index), &mut self.json).map_err(&err)?;
        self.stmt.raw_bind_parameter(3, fired).map_err(&err)?;
        for (k, value) in outcome.outputs.iter().enumerate() {
            let problem = match value {
                Value::Float(f) if !f.is_finite() => Some(f.to_string()),
                _ => column_problem(value, self.declared[k]),
            };
            if let Some(problem) = problem {
                return Err(OutputError::BadValue {
                    customer: data.id_text(outcome.index),
                    output: self.outputs[k].clone(),
                    problem,
                });
            }
            bind(&mut self.stmt, k + 4, value, &mut self.json).map_err(&err)?;
        }
        self.stmt.raw_execute().map_err(|e| match e {
            rusqlite::Error::SqliteFailure(f, _)
                if f.code == rusqlite::ErrorCode::ConstraintViolation =>
            {
                // Every repeated id, looked for only now that one is known; none: the
                // table held a row of this run already (a damaged file).
                match data.repeated_id() {
                    Some(all) => OutputError::DuplicateId(all),
                    None => OutputError::RowExists {
                        table: self.table.to_owned(),
                        customer: data.id_text(outcome.index),
                    },
                }
            }
            e => err(e),
        })?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_are_numbered_once_in_order_of_first_appearance() {
        let ids: Vec<String> = (0..3).map(|i| format!("r{i}")).collect();
        let mut lists = FiredLists::new(&ids);
        assert_eq!(lists.number(&[0, 2]), 0);
        assert_eq!(lists.number(&[]), 1);
        assert_eq!(lists.number(&[0, 2]), 0);
        assert_eq!(lists.number(&[2, 0]), 2);
        assert_eq!(lists.json(0), r#"["r0","r2"]"#);
        assert_eq!(lists.json(1), "[]");
        assert_eq!(lists.json(2), r#"["r2","r0"]"#);
    }

    #[test]
    fn lists_are_written_as_their_json_text() {
        let lits = [
            crate::value::Lit::Str("a\"b".into()),
            crate::value::Lit::Float(2.0),
            crate::value::Lit::List(vec![crate::value::Lit::Int(1), crate::value::Lit::Null]),
        ];
        let values = [
            Value::Consts(&lits),
            Value::List(vec![Value::Str("x"), Value::Bool(true), Value::Float(0.1)].into()),
            Value::List(Vec::new().into()),
            Value::Other(rhai::Dynamic::from_array(vec![1.into(), "é".into()])),
        ];
        for v in &values {
            let mut out = Vec::new();
            write_json(&mut out, v);
            assert_eq!(String::from_utf8(out).unwrap(), v.to_json().to_string());
        }
    }

    #[test]
    fn a_typed_column_refuses_what_it_would_change() {
        let decimal = |v: Value<'_>| column_problem(&v, Declared::Decimal);
        assert!(decimal(Value::Str("007")).is_some());
        assert!(decimal(Value::Str(" 1e3 ")).is_some());
        assert!(decimal(Value::Str("gold")).is_none());
        assert!(decimal(Value::Int(5)).is_none());
        assert!(decimal(Value::Int(1 << 60)).is_some());
        assert!(decimal(Value::Float(2.0)).is_none());
        let boolean = |v: Value<'_>| column_problem(&v, Declared::Boolean);
        assert_eq!(
            boolean(Value::Str("1")).as_deref(),
            Some("the text \"1\", which its BOOLEAN column would store as a number")
        );
        assert!(boolean(Value::Bool(true)).is_none());
        assert!(boolean(Value::Int(1 << 60)).is_none());
        assert!(column_problem(&Value::Str("7"), Declared::Json).is_some());
        assert!(column_problem(&Value::Str("7"), Declared::Plain).is_none());
    }
}
