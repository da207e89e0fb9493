//! SQLite's type affinity: the one rule for what a declared column type means, used both to
//! store given values as SQLite would and to tell the rules what kind a column holds.

use crate::value::ValueKind;

/// SQLite's type affinity of a declared column type: how a value stored in the column is
/// converted.
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
    /// The rules of <https://sqlite.org/datatype3.html#determination_of_column_affinity>,
    /// in their order (so `FLOATING POINT` is INTEGER, as SQLite has it).
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

/// The kind of value a declared type promises the rules: `DATE`, `DATETIME` and `TIMESTAMP`
/// hold dates (as ISO text, which their NUMERIC affinity keeps as text); `BOOLEAN` and
/// `BOOL` hold true/false (as 0 and 1). NUMERIC affinity covers types that hold other things
/// too, so only `NUMERIC` and `DECIMAL` themselves promise numbers.
pub fn declared_kind(declared: Option<&str>) -> Option<ValueKind> {
    let t = declared.unwrap_or_default().to_ascii_uppercase();
    // DATE, DATETIME, TIMESTAMP hold ISO dates (NUMERIC affinity keeps such text as text).
    if t.contains("DATE") || t == "TIMESTAMP" {
        return Some(ValueKind::Date);
    }
    // BOOLEAN, BOOL: SQLite stores 0 and 1, read as false and true.
    if matches!(t.trim(), "BOOLEAN" | "BOOL") {
        return Some(ValueKind::Bool);
    }
    match Affinity::of(declared) {
        Affinity::Integer | Affinity::Real => Some(ValueKind::Number),
        Affinity::Text => Some(ValueKind::Text),
        Affinity::Numeric => {
            (t.contains("NUMERIC") || t.contains("DECIMAL")).then_some(ValueKind::Number)
        }
        Affinity::Blob => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn affinity_follows_sqlite_and_kinds_follow_affinity() {
        let cases = [
            ("INTEGER", Affinity::Integer, Some(ValueKind::Number)),
            ("BIGINT", Affinity::Integer, Some(ValueKind::Number)),
            ("VARCHAR(20)", Affinity::Text, Some(ValueKind::Text)),
            ("REAL", Affinity::Real, Some(ValueKind::Number)),
            ("DOUBLE PRECISION", Affinity::Real, Some(ValueKind::Number)),
            ("FLOATING POINT", Affinity::Integer, Some(ValueKind::Number)),
            ("DECIMAL(10,2)", Affinity::Numeric, Some(ValueKind::Number)),
            ("BOOLEAN", Affinity::Numeric, Some(ValueKind::Bool)),
            ("bool", Affinity::Numeric, Some(ValueKind::Bool)),
            ("Boolean", Affinity::Numeric, Some(ValueKind::Bool)),
            ("BOOLEANS", Affinity::Numeric, None),
            ("DATE", Affinity::Numeric, Some(ValueKind::Date)),
            ("DATETIME", Affinity::Numeric, Some(ValueKind::Date)),
            ("TIMESTAMP", Affinity::Numeric, Some(ValueKind::Date)),
            ("TIME", Affinity::Numeric, None),
            ("", Affinity::Blob, None),
        ];
        for (declared, affinity, kind) in cases {
            assert_eq!(Affinity::of(Some(declared)), affinity, "{declared}");
            assert_eq!(declared_kind(Some(declared)), kind, "{declared}");
        }
        assert_eq!(Affinity::of(None), Affinity::Blob);
    }
}
