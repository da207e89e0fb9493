//! Values given by hand (test cases, a prospect posted to `serve`) stored as SQLite would
//! store them in the customer source's columns, so the rules see what real data would give.

use super::dataset::Cell;
use super::{Affinity, Field};
use crate::time::Date;
use crate::value::{Literal, ValueKind};
use std::borrow::Cow;

/// A given value as SQLite would store it in `field`'s column. Text that is not a number in
/// a number column, or not a date in a date column, is refused: it is a mistake in what was
/// given, not data.
pub fn stored(given: &Literal, field: &Field) -> Result<Cell<'static>, String> {
    if field.kind == Some(ValueKind::Date) {
        return match given {
            Literal::Null => Ok(Cell::Null),
            Literal::Text(t) if Date::parse(t).is_some() => Ok(Cell::Text(Cow::Owned(t.clone()))),
            other => Err(format!(
                "this is a date column: `{}` is not a date (write it as 2025-03-01)",
                crate::text::as_yaml(&other.to_json())
            )),
        };
    }
    if field.kind == Some(ValueKind::Bool) {
        return match given {
            Literal::Null => Ok(Cell::Null),
            Literal::Bool(b) => Ok(Cell::Int(i64::from(*b))),
            Literal::Int(i @ (0 | 1)) => Ok(Cell::Int(*i)),
            other => Err(format!(
                "this is a true/false column: `{}` is not true/false (write true or false)",
                crate::text::as_yaml(&other.to_json())
            )),
        };
    }
    if let (Some(ValueKind::Number | ValueKind::Text), Literal::Bool(b)) = (field.kind, given) {
        // SQLite would store 1 or 0; a rule would then see a number, not what was meant.
        let kind = field.kind.map_or("", ValueKind::noun);
        return Err(format!(
            "this column holds {kind}: `{b}` is true/false (give {kind})"
        ));
    }
    stored_by_affinity(given, field.affinity)
}

/// A given value as SQLite would store it in a column of this affinity.
fn stored_by_affinity(given: &Literal, affinity: Affinity) -> Result<Cell<'static>, String> {
    let value = match given {
        Literal::Null => Cell::Null,
        Literal::Bool(b) => Cell::Int(i64::from(*b)),
        Literal::Int(i) => Cell::Int(*i),
        Literal::Float(f) => Cell::Real(*f),
        Literal::Text(t) => {
            if affinity.is_numeric() {
                let s = t.trim();
                if let Ok(i) = s.parse::<i64>() {
                    Cell::Int(i)
                } else if let Some(f) = s.parse::<f64>().ok().filter(|f| f.is_finite()) {
                    Cell::Real(f)
                } else {
                    return Err(format!(
                        "this is a number column: `{t}` is not a number (write digits only, e.g. 2500000)"
                    ));
                }
            } else {
                Cell::Text(Cow::Owned(t.clone()))
            }
        }
        Literal::List(_) => return Err("a field holds one value, not a list".into()),
    };
    Ok(match (value, affinity) {
        (Cell::Int(i), Affinity::Real) => Cell::Real(i as f64),
        (Cell::Real(f), Affinity::Integer | Affinity::Numeric)
            if f.fract() == 0.0 && f.abs() < 9.0e15 =>
        {
            Cell::Int(f as i64)
        }
        (Cell::Int(i), Affinity::Text) => Cell::Text(Cow::Owned(i.to_string())),
        (Cell::Real(f), Affinity::Text) => Cell::Text(Cow::Owned(format!("{f:?}"))),
        (v, _) => v,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn true_false_in_a_number_or_text_column_is_refused() {
        let number = Field::new("annual_sales", Some("REAL"));
        assert_eq!(
            stored(&Literal::Bool(true), &number),
            Err("this column holds a number: `true` is true/false (give a number)".into())
        );
        let flag = Field::new("blocked", Some("BOOLEAN"));
        assert_eq!(stored(&Literal::Bool(true), &flag), Ok(Cell::Int(1)));
        // A column that declares no type stores it as SQLite does.
        let untyped = Field::new("x", None);
        assert_eq!(stored(&Literal::Bool(false), &untyped), Ok(Cell::Int(0)));
    }

    #[test]
    fn stores_values_as_sqlite_would() {
        assert_eq!(
            stored_by_affinity(&Literal::Int(5), Affinity::of(Some("REAL"))),
            Ok(Cell::Real(5.0))
        );
        assert_eq!(
            stored_by_affinity(&Literal::Float(5.0), Affinity::of(Some("INTEGER"))),
            Ok(Cell::Int(5))
        );
        assert_eq!(
            stored_by_affinity(&Literal::Int(42), Affinity::of(Some("TEXT"))),
            Ok(Cell::Text("42".into()))
        );
        assert_eq!(
            stored_by_affinity(&Literal::Text("7".into()), Affinity::of(Some("INTEGER"))),
            Ok(Cell::Int(7))
        );
        assert!(
            stored_by_affinity(
                &Literal::Text("2,500,000".into()),
                Affinity::of(Some("REAL"))
            )
            .is_err()
        );
        assert_eq!(
            stored_by_affinity(&Literal::Text("x".into()), Affinity::of(None)),
            Ok(Cell::Text("x".into()))
        );
        assert!(stored_by_affinity(&Literal::List(vec![]), Affinity::Blob).is_err());
    }

    #[test]
    fn a_boolean_column_takes_true_and_false_only() {
        let ok = Field::new("ok", Some("BOOLEAN"));
        assert_eq!(stored(&Literal::Bool(true), &ok), Ok(Cell::Int(1)));
        assert_eq!(stored(&Literal::Int(0), &ok), Ok(Cell::Int(0)));
        assert_eq!(stored(&Literal::Null, &ok), Ok(Cell::Null));
        let err = stored(&Literal::Text("yes".into()), &ok).unwrap_err();
        assert!(err.contains("is not true/false"), "{err}");
        assert!(stored(&Literal::Int(2), &ok).is_err());
    }

    #[test]
    fn a_date_column_takes_dates_only() {
        let day = Field::new("d", Some("DATE"));
        assert_eq!(
            stored(&Literal::Text("2025-03-01".into()), &day),
            Ok(Cell::Text("2025-03-01".into()))
        );
        assert_eq!(stored(&Literal::Null, &day), Ok(Cell::Null));
        let err = stored(&Literal::Text("01/03/2025".into()), &day).unwrap_err();
        assert!(err.contains("is not a date"), "{err}");
        assert!(stored(&Literal::Int(20250301), &day).is_err());
    }
}
