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
use std::collections::HashMap;
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
    let read_error = |source_err| DataError::Read {
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
    /// Dictionary-encoded text; `NULL_CODE` is NULL.
    Text {
        codes: Vec<u32>,
        dict: Vec<ImmutableString>,
    },
    Mixed(Vec<Dynamic>),
    /// No non-NULL value (yet): the number of NULLs.
    Null(usize),
}

const NULL_CODE: u32 = u32::MAX;

impl Column {
    /// The value of row `i`, as rules see it.
    #[inline]
    pub fn get(&self, i: usize) -> Dynamic {
        match self {
            Column::Int { values, nulls } => {
                if nulls[i] {
                    Dynamic::UNIT
                } else {
                    Dynamic::from_int(values[i])
                }
            }
            Column::Float { values, nulls } => {
                if nulls[i] {
                    Dynamic::UNIT
                } else {
                    Dynamic::from_float(values[i])
                }
            }
            Column::Text { codes, dict } => match codes[i] {
                NULL_CODE => Dynamic::UNIT,
                code => dict[code as usize].clone().into(),
            },
            Column::Mixed(values) => values[i].clone(),
            Column::Null(_) => Dynamic::UNIT,
        }
    }

    /// The value of row `i`, borrowing text from the column's dictionary.
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
            Column::Text { codes, dict } => match codes[i] {
                NULL_CODE => Value::Null,
                code => Value::Str(dict[code as usize].as_str()),
            },
            Column::Mixed(values) => Value::from_dynamic(values[i].clone()),
            Column::Null(_) => Value::Null,
        }
    }

    pub fn len(&self) -> usize {
        match self {
            Column::Int { values, .. } => values.len(),
            Column::Float { values, .. } => values.len(),
            Column::Text { codes, .. } => codes.len(),
            Column::Mixed(values) => values.len(),
            Column::Null(n) => *n,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The row's id as text, for messages and outputs.
    pub fn id_text(&self, i: usize) -> String {
        let v = self.get(i);
        if v.is_string() {
            v.into_immutable_string()
                .map(|s| s.to_string())
                .unwrap_or_default()
        } else {
            v.to_string()
        }
    }

    /// Turns the column into `Mixed` (a value that does not fit the column's type arrived).
    fn into_mixed(self) -> Column {
        let n = self.len();
        Column::Mixed((0..n).map(|i| self.get(i)).collect())
    }
}

/// Builds a column row by row, choosing its type from the values.
struct ColumnBuilder {
    column: Column,
    lookup: HashMap<ImmutableString, u32>,
}

impl ColumnBuilder {
    fn new() -> Self {
        ColumnBuilder {
            column: Column::Null(0),
            lookup: HashMap::new(),
        }
    }

    fn push(&mut self, value: ValueRef<'_>) {
        let column = &mut self.column;
        match (column, value) {
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
            (Column::Text { codes, .. }, ValueRef::Null) => codes.push(NULL_CODE),
            (Column::Text { codes, dict }, ValueRef::Text(bytes)) => {
                let text = String::from_utf8_lossy(bytes);
                let code = match self.lookup.get(text.as_ref()) {
                    Some(&code) => code,
                    None => {
                        let s: ImmutableString = text.as_ref().into();
                        let code = dict.len() as u32;
                        dict.push(s.clone());
                        self.lookup.insert(s, code);
                        code
                    }
                };
                codes.push(code);
            }
            (Column::Mixed(values), v) => values.push(to_dynamic(v)),
            (Column::Null(n), ValueRef::Null) => *n += 1,
            (Column::Null(n), v) => {
                let n = *n;
                self.column = match v {
                    ValueRef::Integer(_) => Column::Int {
                        values: vec![0; n],
                        nulls: vec![true; n],
                    },
                    ValueRef::Real(_) => Column::Float {
                        values: vec![0.0; n],
                        nulls: vec![true; n],
                    },
                    ValueRef::Text(_) => Column::Text {
                        codes: vec![NULL_CODE; n],
                        dict: Vec::new(),
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
                self.column = Column::Float {
                    values: floats,
                    nulls,
                };
            }
            (_, v) => {
                let column = std::mem::replace(&mut self.column, Column::Null(0));
                self.column = column.into_mixed();
                self.lookup.clear();
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
    pub fn id_text(&self, i: usize) -> String {
        self.columns[self.id_column].id_text(i)
    }

    pub fn id(&self, i: usize) -> Value<'_> {
        self.columns[self.id_column].value(i)
    }
}

/// Reads every customer of the source. `progress` is called every 65,536 rows.
pub fn read_customers(
    conn: &Connection,
    source: &Source,
    id_column: &str,
    progress: &mut dyn FnMut(usize),
) -> Result<Dataset, DataError> {
    let read_error = |source_err| DataError::Read {
        what: describe(source),
        source: source_err,
    };
    let mut stmt = conn.prepare(&source_sql(source)).map_err(read_error)?;
    let names: Vec<String> = stmt.column_names().map(str::to_owned).collect();
    let id_index =
        names
            .iter()
            .position(|n| n == id_column)
            .ok_or_else(|| DataError::NoIdColumn {
                column: id_column.to_owned(),
                columns: names.join(", "),
            })?;
    let mut builders: Vec<ColumnBuilder> = names.iter().map(|_| ColumnBuilder::new()).collect();
    let mut rows = stmt.query([]).map_err(read_error)?;
    let mut len = 0usize;
    while let Some(row) = rows.next().map_err(read_error)? {
        for (i, builder) in builders.iter_mut().enumerate() {
            let value = row.get_ref(i).map_err(read_error)?;
            if i == id_index && value == ValueRef::Null {
                return Err(DataError::NullId {
                    row: len + 1,
                    column: id_column.to_owned(),
                });
            }
            builder.push(value);
        }
        len += 1;
        if len.is_multiple_of(65_536) {
            progress(len);
        }
    }
    Ok(Dataset {
        names,
        columns: builders.into_iter().map(|b| b.column).collect(),
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
        read_customers(&conn, &Source::Table("t".into()), "id", &mut |_| {}).unwrap()
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
        assert!(d.columns[1].get(1).is_unit());
        assert_eq!(d.columns[2].get(2).as_float().unwrap(), 2.0);
        assert_eq!(d.columns[3].get(2).into_string().unwrap(), "KA");
        assert_eq!(d.columns[4].get(1).into_string().unwrap(), "x");
        assert_eq!(d.id_text(1), "b");
    }

    #[test]
    fn a_decimal_in_a_whole_number_column_makes_it_decimal() {
        let d =
            dataset("CREATE TABLE t (id, n); INSERT INTO t VALUES (1, 1), (2, NULL), (3, 2.5);");
        assert!(matches!(d.columns[1], Column::Float { .. }));
        assert_eq!(d.columns[1].get(0).as_float().unwrap(), 1.0);
        assert!(d.columns[1].get(1).is_unit());
        assert_eq!(d.id_text(0), "1");
    }

    #[test]
    fn null_id_is_an_error() {
        let conn = Connection::open_in_memory().unwrap();
        conn.execute_batch("CREATE TABLE t (id, n); INSERT INTO t VALUES ('a', 1), (NULL, 2);")
            .unwrap();
        let err = read_customers(&conn, &Source::Table("t".into()), "id", &mut |_| {}).unwrap_err();
        assert!(err.to_string().contains("customer number 2"), "{err}");
    }
}
