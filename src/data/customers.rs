//! Reading the customer source into typed columns.
//!
//! Each column is typed from its values: whole numbers, decimals, text (dictionary-encoded:
//! channels and regions repeat) or, when SQLite's dynamic typing mixes kinds in one column,
//! plain rhai values. NULL is kept as NULL; rules see it as `()`.

use super::{DataError, quote_ident};
use crate::config::Source;
use crate::rules::Field;
use crate::value::Value;
use rhai::{Dynamic, ImmutableString};
use rusqlite::types::ValueRef;
use rusqlite::{Connection, OpenFlags};
use std::path::Path;

/// Opens an existing database for reading and writing; never creates one.
pub fn open_database(path: &Path) -> Result<Connection, DataError> {
    if !path.is_file() {
        return Err(DataError::Missing(path.to_path_buf()));
    }
    let open = |path: &Path| -> rusqlite::Result<Connection> {
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        conn.busy_timeout(std::time::Duration::from_secs(10))?;
        conn.pragma_update(None, "mmap_size", 1i64 << 30)?;
        Ok(conn)
    };
    open(path).map_err(|source| DataError::Open {
        path: path.to_path_buf(),
        source,
    })
}

fn source_sql(source: &Source) -> String {
    match source {
        Source::Table(table) => format!("SELECT * FROM {}", quote_ident(table)),
        Source::Query(query) => format!("SELECT * FROM ({})", query.trim().trim_end_matches(';')),
    }
}

fn describe(source: &Source) -> String {
    match source {
        Source::Table(table) => format!("table `{table}`"),
        Source::Query(_) => "the customers query".into(),
    }
}

/// The columns of the customer source (names and declared types), without reading rows.
pub fn source_columns(conn: &Connection, source: &Source) -> Result<Vec<Field>, DataError> {
    let read_error = |source_err| DataError::Source {
        what: describe(source),
        source: source_err,
    };
    let stmt = conn
        .prepare(&format!("{} LIMIT 0", source_sql(source)))
        .map_err(read_error)?;
    Ok(stmt
        .columns()
        .map(|c| Field::new(c.name(), c.decl_type()))
        .collect())
}

/// One column of customer data.
#[derive(Debug)]
pub enum Column {
    Int {
        values: Vec<i64>,
        nulls: Vec<bool>,
    },
    Float {
        values: Vec<f64>,
        nulls: Vec<bool>,
    },
    /// All the column's text in one buffer; row `i` is `text[ends[i-1]..ends[i]]`. No
    /// allocation per row: rules borrow the text as `&str`.
    Text {
        text: String,
        ends: Vec<usize>,
        nulls: Vec<bool>,
    },
    Mixed(Vec<Dynamic>),
    /// No non-NULL value (yet), or not loaded because no rule uses it: the number of rows.
    Null(usize),
}

impl Column {
    /// The value of row `i`, borrowing text from the column.
    #[inline]
    pub fn value(&self, i: usize) -> Value<'_> {
        match self {
            Column::Int { values, nulls } => {
                if nulls[i] {
                    Value::Null
                } else {
                    Value::Int(values[i])
                }
            }
            Column::Float { values, nulls } => {
                if nulls[i] {
                    Value::Null
                } else {
                    Value::Float(values[i])
                }
            }
            Column::Text { text, ends, nulls } => {
                if nulls[i] {
                    Value::Null
                } else {
                    let start = if i == 0 { 0 } else { ends[i - 1] };
                    Value::Str(&text[start..ends[i]])
                }
            }
            Column::Mixed(values) => Value::from_dynamic(values[i].clone()),
            Column::Null(_) => Value::Null,
        }
    }

    pub fn len(&self) -> usize {
        match self {
            Column::Int { values, .. } => values.len(),
            Column::Float { values, .. } => values.len(),
            Column::Text { ends, .. } => ends.len(),
            Column::Mixed(values) => values.len(),
            Column::Null(n) => *n,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The row's id as text, for messages.
    pub fn id_text(&self, i: usize) -> String {
        self.value(i).to_string()
    }

    /// Turns the column into `Mixed` (a value that does not fit the column's type arrived).
    fn into_mixed(self) -> Column {
        let n = self.len();
        Column::Mixed((0..n).map(|i| self.value(i).to_dynamic()).collect())
    }

    /// Adds a row's value, changing the column's type when the value does not fit it.
    fn push(&mut self, value: ValueRef<'_>) {
        match (&mut *self, value) {
            (Column::Int { values, nulls }, ValueRef::Integer(v)) => {
                values.push(v);
                nulls.push(false);
            }
            (Column::Int { values, nulls }, ValueRef::Null) => {
                values.push(0);
                nulls.push(true);
            }
            (Column::Float { values, nulls }, ValueRef::Real(v)) => {
                values.push(v);
                nulls.push(false);
            }
            (Column::Float { values, nulls }, ValueRef::Integer(v)) => {
                values.push(v as f64);
                nulls.push(false);
            }
            (Column::Float { values, nulls }, ValueRef::Null) => {
                values.push(0.0);
                nulls.push(true);
            }
            (Column::Text { text, ends, nulls }, ValueRef::Null) => {
                ends.push(text.len());
                nulls.push(true);
            }
            (Column::Text { text, ends, nulls }, ValueRef::Text(bytes)) => {
                text.push_str(&String::from_utf8_lossy(bytes));
                ends.push(text.len());
                nulls.push(false);
            }
            (Column::Mixed(values), v) => values.push(to_dynamic(v)),
            (Column::Null(n), ValueRef::Null) => *n += 1,
            (Column::Null(n), v) => {
                let n = *n;
                *self = match v {
                    ValueRef::Integer(_) => Column::Int {
                        values: vec![0; n],
                        nulls: vec![true; n],
                    },
                    ValueRef::Real(_) => Column::Float {
                        values: vec![0.0; n],
                        nulls: vec![true; n],
                    },
                    ValueRef::Text(_) => Column::Text {
                        text: String::new(),
                        ends: vec![0; n],
                        nulls: vec![true; n],
                    },
                    _ => Column::Mixed(vec![Dynamic::UNIT; n]),
                };
                self.push(v);
            }
            (Column::Int { values, nulls }, ValueRef::Real(v)) => {
                // A decimal in a whole-number column: the column becomes decimal.
                let mut floats: Vec<f64> = values.iter().map(|&x| x as f64).collect();
                floats.push(v);
                nulls.push(false);
                let nulls = std::mem::take(nulls);
                *self = Column::Float {
                    values: floats,
                    nulls,
                };
            }
            (_, v) => {
                let column = std::mem::replace(self, Column::Null(0));
                *self = column.into_mixed();
                self.push(v);
            }
        }
    }
}

fn to_dynamic(v: ValueRef<'_>) -> Dynamic {
    match v {
        ValueRef::Null => Dynamic::UNIT,
        ValueRef::Integer(i) => Dynamic::from_int(i),
        ValueRef::Real(f) => Dynamic::from_float(f),
        ValueRef::Text(t) => ImmutableString::from(String::from_utf8_lossy(t).as_ref()).into(),
        // Binary data is not something a rule can compare; it reads as NULL.
        ValueRef::Blob(_) => Dynamic::UNIT,
    }
}

/// Where the id column is among the source's columns.
fn id_position(names: &[String], id_column: &str) -> Result<usize, DataError> {
    names
        .iter()
        .position(|n| n == id_column)
        .ok_or_else(|| DataError::NoIdColumn {
            column: id_column.to_owned(),
            columns: names.join(", "),
        })
}

/// All customers of the source, column by column.
#[derive(Debug)]
pub struct Dataset {
    pub names: Vec<String>,
    pub columns: Vec<Column>,
    /// Index of the id column in `columns`.
    pub id_column: usize,
    pub len: usize,
}

impl Dataset {
    /// A dataset from given rows (test cases, a prospect posted to `serve`): `names` are the
    /// columns, each row holds a value per column.
    pub fn from_rows(
        names: Vec<String>,
        id_column: &str,
        rows: &[Vec<rusqlite::types::Value>],
    ) -> Result<Dataset, DataError> {
        let id_index = id_position(&names, id_column)?;
        let mut columns: Vec<Column> = names.iter().map(|_| Column::Null(0)).collect();
        for (r, row) in rows.iter().enumerate() {
            for (i, column) in columns.iter_mut().enumerate() {
                let value = row.get(i).map_or(ValueRef::Null, ValueRef::from);
                if i == id_index && value == ValueRef::Null {
                    return Err(DataError::NullId {
                        row: r + 1,
                        column: id_column.to_owned(),
                    });
                }
                column.push(value);
            }
        }
        Ok(Dataset {
            names,
            columns,
            id_column: id_index,
            len: rows.len(),
        })
    }

    /// The row of a customer id, if present (an id column of numbers matches `"42"`).
    pub fn find(&self, id: &str) -> Option<usize> {
        let column = &self.columns[self.id_column];
        let number: Option<i64> = id.parse().ok();
        (0..self.len).find(|&i| match column.value(i) {
            Value::Str(s) => s == id,
            Value::Int(n) => Some(n) == number,
            other => other.to_string() == id,
        })
    }

    pub fn id_text(&self, i: usize) -> String {
        self.columns[self.id_column].id_text(i)
    }

    pub fn id(&self, i: usize) -> Value<'_> {
        self.columns[self.id_column].value(i)
    }
}

/// Reads every customer of the source. Only the columns in `load` (by name) and the id are
/// materialized: the others read as NULL (`None` loads every column). `progress` is called
/// every 65,536 rows.
pub fn read_customers(
    conn: &Connection,
    source: &Source,
    id_column: &str,
    load: Option<&[&str]>,
    progress: &mut dyn FnMut(usize),
) -> Result<Dataset, DataError> {
    let read_error = |source_err| DataError::Read {
        what: describe(source),
        source: source_err,
    };
    let mut stmt = conn.prepare(&source_sql(source)).map_err(read_error)?;
    let names: Vec<String> = stmt.column_names().map(str::to_owned).collect();
    let id_index = id_position(&names, id_column)?;
    let loaded: Vec<usize> = (0..names.len())
        .filter(|&i| i == id_index || load.is_none_or(|l| l.contains(&names[i].as_str())))
        .collect();
    let mut columns: Vec<Column> = names.iter().map(|_| Column::Null(0)).collect();
    let mut rows = stmt.query([]).map_err(read_error)?;
    let mut len = 0usize;
    while let Some(row) = rows.next().map_err(read_error)? {
        for &i in &loaded {
            let value = row.get_ref(i).map_err(read_error)?;
            if i == id_index && value == ValueRef::Null {
                return Err(DataError::NullId {
                    row: len + 1,
                    column: id_column.to_owned(),
                });
            }
            columns[i].push(value);
        }
        len += 1;
        if len.is_multiple_of(65_536) {
            progress(len);
        }
    }
    for column in &mut columns {
        if let Column::Null(n) = column {
            *n = len;
        }
    }
    Ok(Dataset {
        names,
        columns,
        id_column: id_index,
        len,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dataset(sql: &str) -> Dataset {
        let conn = Connection::open_in_memory().unwrap();
        conn.execute_batch(sql).unwrap();
        read_customers(&conn, &Source::Table("t".into()), "id", None, &mut |_| {}).unwrap()
    }

    #[test]
    fn types_columns_from_values_and_keeps_nulls() {
        let d = dataset(
            "CREATE TABLE t (id TEXT, n INTEGER, x REAL, s TEXT, m);
             INSERT INTO t VALUES ('a', 1, 1.5, 'KA', 1), ('b', NULL, NULL, NULL, 'x'),
                                  ('c', 3, 2, 'KA', 2.5);",
        );
        assert_eq!(d.len, 3);
        assert!(matches!(d.columns[1], Column::Int { .. }));
        assert!(matches!(d.columns[2], Column::Float { .. }));
        assert!(matches!(d.columns[3], Column::Text { .. }));
        assert!(matches!(d.columns[4], Column::Mixed(_)));
        assert!(d.columns[1].value(1).is_null());
        assert_eq!(d.columns[2].value(2).as_f64(), Some(2.0));
        assert_eq!(d.columns[3].value(2).as_str(), Some("KA"));
        assert_eq!(d.columns[3].value(1).as_str(), None);
        assert_eq!(d.columns[4].value(1).as_str(), Some("x"));
        assert_eq!(d.id_text(1), "b");
    }

    #[test]
    fn a_decimal_in_a_whole_number_column_makes_it_decimal() {
        let d =
            dataset("CREATE TABLE t (id, n); INSERT INTO t VALUES (1, 1), (2, NULL), (3, 2.5);");
        assert!(matches!(d.columns[1], Column::Float { .. }));
        assert_eq!(d.columns[1].value(0).as_f64(), Some(1.0));
        assert!(d.columns[1].value(1).is_null());
        assert_eq!(d.id_text(0), "1");
    }

    #[test]
    fn null_id_is_an_error() {
        let conn = Connection::open_in_memory().unwrap();
        conn.execute_batch("CREATE TABLE t (id, n); INSERT INTO t VALUES ('a', 1), (NULL, 2);")
            .unwrap();
        let err =
            read_customers(&conn, &Source::Table("t".into()), "id", None, &mut |_| {}).unwrap_err();
        assert!(err.to_string().contains("customer number 2"), "{err}");
    }
}
