//! `hit: max` and `hit: min` (best of; DMN's priority policy by value): of the rows that hold,
//! the one whose value is the largest (`max`) or the smallest (`min`) gives all the outputs,
//! and its id joins the customer's rule ids, which records which row won. For "a
//! promotional discount and the volume concession do not stack: the customer gets the
//! larger one". With several outputs, `by:` names the one compared; the other outputs come
//! from the same row. Ties go to the earlier row, values equal as the rules' `==` has them
//! included (0.3 and `= 0.1 + 0.2`). A matching row whose compared value is
//! NULL does not compete (it wins only when no matching row has a number); text is an error
//! naming the row.

use super::{RanksBy, Rows, Shape};
use crate::rules::Decision;
use crate::value::same_number;

pub const SHAPE: Shape = Shape {
    combines_values: false,
    first_wins: false,
    exclusive: false,
    one_row: true,
    ranks_by: RanksBy::TableOrder,
};

/// The matching row with the best value by `better(candidate, best)`.
fn decide_best<'a, R: Rows<'a>>(
    d: &Decision,
    rows: &mut R,
    policy: &str,
    better: fn(f64, f64) -> bool,
) -> Result<(), R::Error> {
    let by = d.by.unwrap_or(0);
    // The winner so far: its row and its number (`None`: a matching row whose value is NULL).
    let mut best: Option<(usize, Option<f64>)> = None;
    for k in 0..rows.count() {
        if !rows.matches(k)? {
            continue;
        }
        let value = rows.values(k)?.swap_remove(by);
        let x = match value.as_f64() {
            Some(x) => Some(x),
            None if value.is_null() => None,
            None => {
                return Err(rows.row_error(
                    k,
                    format!("`hit: {policy}` compares numbers, and this row gives `{value}`"),
                ));
            }
        };
        let wins = match (best, x) {
            (None, _) => true,
            (Some((_, None)), Some(_)) => true,
            (Some((_, Some(b))), Some(x)) => better(x, b) && !same_number(x, b),
            (Some(_), None) => false,
        };
        if wins {
            best = Some((k, x));
        }
    }
    match best {
        Some((k, _)) => rows.fire(k),
        None => Ok(()),
    }
}

/// `hit: max`: the matching row with the largest value.
pub mod max {
    use super::super::{RanksBy, Rows, Shape};
    use crate::rules::Decision;

    pub const SHAPE: Shape = Shape {
        ranks_by: RanksBy::Largest,
        ..super::SHAPE
    };

    pub fn decide<'a, R: Rows<'a>>(d: &Decision, rows: &mut R) -> Result<(), R::Error> {
        super::decide_best(d, rows, "max", |x, best| x > best)
    }
}

/// `hit: min`: the matching row with the smallest value.
pub mod min {
    use super::super::{RanksBy, Rows, Shape};
    use crate::rules::Decision;

    pub const SHAPE: Shape = Shape {
        ranks_by: RanksBy::Smallest,
        ..super::SHAPE
    };

    pub fn decide<'a, R: Rows<'a>>(d: &Decision, rows: &mut R) -> Result<(), R::Error> {
        super::decide_best(d, rows, "min", |x, best| x < best)
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::FixedRows;
    use super::*;
    use crate::value::Value;

    fn rows(matching: &[bool], values: &[Value<'static>]) -> FixedRows {
        let mut rows = FixedRows::new(matching);
        rows.values = values.to_vec();
        rows
    }

    #[test]
    fn max_fires_the_matching_row_with_the_largest_value_ties_to_the_earlier() {
        let values = [
            Value::Int(3),
            Value::Float(5.0),
            Value::Int(9),
            Value::Int(5),
        ];
        let mut r = rows(&[true, true, false, true], &values);
        max::decide(&Decision::empty(), &mut r).unwrap();
        assert_eq!(
            r.log,
            ["match 0", "match 1", "match 2", "match 3", "fire 1"]
        );
        let mut r = rows(&[true, true, false, true], &values);
        min::decide(&Decision::empty(), &mut r).unwrap();
        assert_eq!(r.log.last().unwrap(), "fire 0");
    }

    #[test]
    fn a_null_value_does_not_compete_but_wins_alone_and_no_match_gives_nothing() {
        let values = [Value::Null, Value::Int(-2)];
        let mut r = rows(&[true, true], &values);
        max::decide(&Decision::empty(), &mut r).unwrap();
        assert_eq!(r.log.last().unwrap(), "fire 1");
        let mut r = rows(&[true, false], &values);
        max::decide(&Decision::empty(), &mut r).unwrap();
        assert_eq!(r.log.last().unwrap(), "fire 0");
        let mut r = rows(&[false, false], &values);
        min::decide(&Decision::empty(), &mut r).unwrap();
        assert_eq!(r.log, ["match 0", "match 1"]);
    }

    #[test]
    fn text_is_an_error_naming_the_row() {
        let mut r = rows(&[true, true], &[Value::Int(1), Value::Str("high")]);
        assert_eq!(
            max::decide(&Decision::empty(), &mut r).unwrap_err(),
            "row 1: `hit: max` compares numbers, and this row gives `high`"
        );
    }
}
