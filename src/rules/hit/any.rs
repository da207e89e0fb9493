//! `hit: any` (as in DMN): several rows may hold for a customer, but they must agree: every
//! matching row gives the same values. Useful when rules overlap on purpose ("wholesale
//! gets 30 days", "a credit score above 80 gets 30 days"): the author states that overlaps
//! are fine as long as they say the same thing. Rows that hold and give different values
//! stop the run with an error naming both; the outputs are the first matching row's.

use super::{RanksBy, Rows, Shape};
use crate::rules::Decision;
use crate::value::Value;

pub const SHAPE: Shape = Shape {
    combines_values: false,
    first_wins: false,
    exclusive: false,
    one_row: true,
    ranks_by: RanksBy::TableOrder,
};

pub fn decide<'a, R: Rows<'a>>(_d: &Decision, rows: &mut R) -> Result<(), R::Error> {
    let mut first: Option<(usize, Vec<Value<'a>>)> = None;
    for k in 0..rows.count() {
        if !rows.matches(k)? {
            continue;
        }
        let values = rows.values(k)?;
        match &first {
            None => first = Some((k, values)),
            Some((f, agreed)) if !agree(agreed, &values) => {
                let why = format!(
                    "they give different values ({} and {}) and the hit policy `any` needs matching rows to agree",
                    shown(agreed),
                    shown(&values)
                );
                return Err(rows.conflict(*f, k, &why));
            }
            Some(_) => {}
        }
    }
    match first {
        Some((k, _)) => rows.fire(k),
        None => Ok(()),
    }
}

/// The same values: numbers by value (`30` and `30.0` agree), everything else exactly.
fn agree(a: &[Value<'_>], b: &[Value<'_>]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.same(y))
}

fn shown(values: &[Value<'_>]) -> String {
    let items: Vec<String> = values.iter().map(Value::to_string).collect();
    items.join(", ")
}

#[cfg(test)]
mod tests {
    use super::super::testing::FixedRows;
    use super::*;

    #[test]
    fn matching_rows_that_agree_give_the_first_ones_values() {
        let mut rows = FixedRows::new(&[false, true, true]);
        rows.values = vec![Value::Int(60), Value::Int(30), Value::Float(30.0)];
        decide(&Decision::empty(), &mut rows).unwrap();
        assert_eq!(rows.log, ["match 0", "match 1", "match 2", "fire 1"]);
    }

    #[test]
    fn matching_rows_that_disagree_are_an_error_naming_both() {
        let mut rows = FixedRows::new(&[true, false, true]);
        rows.values = vec![Value::Int(30), Value::Null, Value::Int(45)];
        let err = decide(&Decision::empty(), &mut rows).unwrap_err();
        assert_eq!(
            err,
            "conflict 0 2: they give different values (30 and 45) and the hit policy `any` needs matching rows to agree"
        );
    }

    #[test]
    fn no_matching_row_gives_nothing() {
        let mut rows = FixedRows::new(&[false]);
        decide(&Decision::empty(), &mut rows).unwrap();
        assert_eq!(rows.log, ["match 0"]);
    }
}
