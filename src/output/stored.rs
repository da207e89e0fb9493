//! A stored value as people and programs read it back: text for tables and CSV, JSON typed
//! as the output is (true/false and lists restored where the run's types say so).

use super::schema::Declared;
use rusqlite::types::Value as SqlValue;

/// A stored value as text, as `Value`'s `Display` writes it (`2.0`, `30`, `gold`, `true`,
/// `["business"]`); `None` for NULL. `declared`: its column's type.
pub fn value_text(value: &SqlValue, declared: Declared) -> Option<String> {
    match value {
        SqlValue::Null => None,
        SqlValue::Integer(i @ (0 | 1)) if declared == Declared::Boolean => {
            Some((*i == 1).to_string())
        }
        SqlValue::Integer(i) => Some(i.to_string()),
        SqlValue::Real(f) => Some(crate::value::Value::Float(table_decimal(*f)).to_string()),
        SqlValue::Text(s) => Some(s.clone()),
        SqlValue::Blob(b) => Some(format!("({} bytes)", b.len())),
    }
}

/// A decimal as a table shows it: a computed one (`2083.3333333333335`) to 4 places, as
/// `explain` shows metrics (a small one, below 0.001, as it is); one written with fewer
/// places as it is. JSON gives it exactly.
fn table_decimal(x: f64) -> f64 {
    let places = x.to_string().split_once('.').map_or(0, |(_, d)| d.len());
    match places > 6 && x.abs() >= 1e-3 {
        true => (x * 1e4).round() / 1e4,
        false => x,
    }
}

/// A stored value as JSON: true/false and lists as the rules gave them, where `declared` (the
/// run's recorded type of the output, else its column's) says so.
pub fn value_json(value: &SqlValue, declared: Declared) -> serde_json::Value {
    match value {
        SqlValue::Null | SqlValue::Blob(_) => serde_json::Value::Null,
        SqlValue::Integer(i @ (0 | 1)) if declared == Declared::Boolean => (*i == 1).into(),
        SqlValue::Text(s) if declared == Declared::Json => {
            serde_json::from_str(s).unwrap_or_else(|_| s.as_str().into())
        }
        SqlValue::Integer(i) => (*i).into(),
        SqlValue::Real(f) => (*f).into(),
        SqlValue::Text(s) => s.as_str().into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn computed_decimals_show_to_four_places_and_written_ones_as_they_are() {
        let text = |x: f64| value_text(&SqlValue::Real(x), Declared::Decimal).unwrap();
        assert_eq!(text(2083.3333333333335), "2083.3333");
        assert_eq!(text(0.1 + 0.2), "0.3");
        assert_eq!(text(1500.25), "1500.25");
        assert_eq!(text(0.79997), "0.79997");
        assert_eq!(text(7000.0), "7000.0");
        assert_eq!(text(0.0000125), "0.0000125");
        // JSON keeps the value exactly.
        assert_eq!(
            value_json(&SqlValue::Real(2083.3333333333335), Declared::Decimal),
            serde_json::json!(2083.3333333333335)
        );
    }
}
