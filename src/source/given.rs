//! Values given by hand (test cases, a prospect posted to `serve`) stored as SQLite would
//! store them in the customer source's columns, so the rules see what real data would give.

use super::Affinity;
use super::dataset::Cell;
use crate::value::Literal;
use std::borrow::Cow;

/// A given value as SQLite would store it in a column of this affinity. Text that is not a
/// number in a number column is refused: it is a mistake in what was given, not data.
pub fn stored(given: &Literal, affinity: Affinity) -> Result<Cell<'static>, String> {
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
    fn stores_values_as_sqlite_would() {
        assert_eq!(
            stored(&Literal::Int(5), Affinity::of(Some("REAL"))),
            Ok(Cell::Real(5.0))
        );
        assert_eq!(
            stored(&Literal::Float(5.0), Affinity::of(Some("INTEGER"))),
            Ok(Cell::Int(5))
        );
        assert_eq!(
            stored(&Literal::Int(42), Affinity::of(Some("TEXT"))),
            Ok(Cell::Text("42".into()))
        );
        assert_eq!(
            stored(&Literal::Text("7".into()), Affinity::of(Some("INTEGER"))),
            Ok(Cell::Int(7))
        );
        assert!(
            stored(
                &Literal::Text("2,500,000".into()),
                Affinity::of(Some("REAL"))
            )
            .is_err()
        );
        assert_eq!(
            stored(&Literal::Text("x".into()), Affinity::of(None)),
            Ok(Cell::Text("x".into()))
        );
        assert!(stored(&Literal::List(vec![]), Affinity::Blob).is_err());
    }
}
