//! Values given by hand (test cases, a prospect posted to `serve`) stored as SQLite would
//! store them in the customer source's columns, so the rules see what real data would give.

use super::{DataError, quote_ident};
use crate::config::Source;
use crate::value::Literal;
use rusqlite::types::Value as SqlValue;

/// A column of the customer source with the affinity its declared type gives.
pub struct SourceColumn {
    pub name: String,
    pub affinity: Affinity,
}

/// SQLite's type affinity of a declared column type: how a value stored in the column is
/// converted. Test cases store their values the same way, so a case sees what real data would.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Affinity {
    Integer,
    Text,
    Real,
    Numeric,
    /// No declared type: values are kept as given.
    Blob,
}

impl Affinity {
    /// The rules of <https://sqlite.org/datatype3.html#determination_of_column_affinity>.
    pub fn of(declared: Option<&str>) -> Affinity {
        let t = declared.unwrap_or_default().to_ascii_uppercase();
        if t.contains("INT") {
            Affinity::Integer
        } else if ["CHAR", "CLOB", "TEXT"].iter().any(|k| t.contains(k)) {
            Affinity::Text
        } else if t.is_empty() || t.contains("BLOB") {
            Affinity::Blob
        } else if ["REAL", "FLOA", "DOUB"].iter().any(|k| t.contains(k)) {
            Affinity::Real
        } else {
            Affinity::Numeric
        }
    }

    pub fn is_numeric(self) -> bool {
        matches!(self, Affinity::Integer | Affinity::Real | Affinity::Numeric)
    }
}

/// The columns of the customer source with their declared types.
pub fn source_column_types(
    conn: &rusqlite::Connection,
    source: &Source,
) -> Result<Vec<SourceColumn>, DataError> {
    let sql = match source {
        Source::Table(table) => format!("SELECT * FROM {} LIMIT 0", quote_ident(table)),
        Source::Query(query) => format!(
            "SELECT * FROM ({}) LIMIT 0",
            query.trim().trim_end_matches(';')
        ),
    };
    let stmt = conn.prepare(&sql).map_err(|source| DataError::Read {
        what: "the columns of the customer source".into(),
        source,
    })?;
    Ok(stmt
        .columns()
        .map(|c| SourceColumn {
            name: c.name().to_owned(),
            affinity: Affinity::of(c.decl_type()),
        })
        .collect())
}

/// A given value as SQLite would store it in a column of this affinity. Text that is not a
/// number in a number column is refused: it is a mistake in what was given, not data.
pub fn to_sql(given: &Literal, affinity: Affinity) -> Result<SqlValue, String> {
    let value = match given {
        Literal::Null => SqlValue::Null,
        Literal::Bool(b) => SqlValue::Integer(i64::from(*b)),
        Literal::Int(i) => SqlValue::Integer(*i),
        Literal::Float(f) => SqlValue::Real(*f),
        Literal::Text(t) => {
            if affinity.is_numeric() {
                let s = t.trim();
                if let Ok(i) = s.parse::<i64>() {
                    SqlValue::Integer(i)
                } else if let Some(f) = s.parse::<f64>().ok().filter(|f| f.is_finite()) {
                    SqlValue::Real(f)
                } else {
                    return Err(format!(
                        "this is a number column: `{t}` is not a number (write digits only, e.g. 2500000)"
                    ));
                }
            } else {
                SqlValue::Text(t.clone())
            }
        }
        Literal::List(_) => return Err("a field holds one value, not a list".into()),
    };
    Ok(match (value, affinity) {
        (SqlValue::Integer(i), Affinity::Real) => SqlValue::Real(i as f64),
        (SqlValue::Real(f), Affinity::Integer | Affinity::Numeric)
            if f.fract() == 0.0 && f.abs() < 9.0e15 =>
        {
            SqlValue::Integer(f as i64)
        }
        (SqlValue::Integer(i), Affinity::Text) => SqlValue::Text(i.to_string()),
        (SqlValue::Real(f), Affinity::Text) => SqlValue::Text(format!("{f:?}")),
        (v, _) => v,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stores_values_as_sqlite_would() {
        assert_eq!(
            to_sql(&Literal::Int(5), Affinity::of(Some("REAL"))),
            Ok(SqlValue::Real(5.0))
        );
        assert_eq!(
            to_sql(&Literal::Float(5.0), Affinity::of(Some("INTEGER"))),
            Ok(SqlValue::Integer(5))
        );
        assert_eq!(
            to_sql(&Literal::Int(42), Affinity::of(Some("TEXT"))),
            Ok(SqlValue::Text("42".into()))
        );
        assert_eq!(
            to_sql(&Literal::Text("7".into()), Affinity::of(Some("INTEGER"))),
            Ok(SqlValue::Integer(7))
        );
        assert!(
            to_sql(
                &Literal::Text("2,500,000".into()),
                Affinity::of(Some("REAL"))
            )
            .is_err()
        );
        assert_eq!(
            to_sql(&Literal::Text("x".into()), Affinity::of(None)),
            Ok(SqlValue::Text("x".into()))
        );
        assert!(to_sql(&Literal::List(vec![]), Affinity::Blob).is_err());
    }
}
