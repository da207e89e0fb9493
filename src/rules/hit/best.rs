//! `hit: max` and `hit: min` (best of; DMN's priority policy by value): of the rows that hold,
//! the one whose value is the largest (`max`) or the smallest (`min`) gives all the outputs,
//! and its id joins the customer's rule ids, which records which row won. For "a
//! promotional discount and the volume concession do not stack: the customer gets the
//! larger one". With several outputs, `by:` names the one compared; the other outputs come
//! from the same row. Ties go to the earlier row, values equal as the rules' `==` has them
//! included (0.3 and `= 0.1 + 0.2`). A matching row whose compared value is
//! NULL does not compete (it wins only when no matching row has a value). Dates compare too
//! (`max`: the latest); text, or a date where another row gave a number, is an error naming the row.

use super::{RanksBy, Rows, Shape};
use crate::rules::Decision;
use crate::value::{Value, same_number};

pub const SHAPE: Shape = Shape {
    combines_values: false,
    first_wins: false,
    exclusive: false,
    one_row: true,
    ranks_by: RanksBy::TableOrder,
};

/// What a row's compared value is ranked by: a number, or a date (a deadline, a licence's
/// expiry: "the latest date wins"). The two do not compare with each other.
#[derive(Clone, Copy, PartialEq)]
enum Key {
    Number(f64),
    Date(i32),
}

impl Key {
    fn kind(self) -> &'static str {
        match self {
            Key::Number(_) => "a number",
            Key::Date(_) => "a date",
        }
    }
}

/// The matching row with the best value by `better(candidate, best)`, over numbers or dates.
fn decide_best<'a, R: Rows<'a>>(
    d: &Decision,
    rows: &mut R,
    policy: &str,
    better: fn(f64, f64) -> bool,
) -> Result<(), R::Error> {
    let by = d.by.unwrap_or(0);
    // The winner so far: its row and its key (`None`: a matching row whose value is NULL).
    let mut best: Option<(usize, Option<Key>)> = None;
    // The row that set the kind compared (numbers or dates), for the message on a mix.
    let mut first_keyed: Option<(usize, Key)> = None;
    for k in 0..rows.count() {
        if !rows.matches(k)? {
            continue;
        }
        let value = rows.values(k)?.swap_remove(by);
        let key = match &value {
            Value::Date(date) => Some(Key::Date(date.0)),
            Value::Null => None,
            other => match other.as_f64() {
                Some(x) => Some(Key::Number(x)),
                None => {
                    return Err(rows.row_error(
                        k,
                        format!(
                            "`hit: {policy}` compares numbers or dates, and this row gives `{value}`"
                        ),
                    ));
                }
            },
        };
        if let (Some(key), Some((row, seen))) = (key, first_keyed)
            && key.kind() != seen.kind()
        {
            let why = format!(
                "`hit: {policy}` compares values of one kind, and the first gives {} where the second gives {} (`{value}`)",
                seen.kind(),
                key.kind()
            );
            return Err(rows.conflict(row, k, &why));
        }
        if let (Some(key), None) = (key, first_keyed) {
            first_keyed = Some((k, key));
        }
        let wins = match (best, key) {
            (None, _) => true,
            (Some((_, None)), Some(_)) => true,
            (Some((_, Some(Key::Number(b)))), Some(Key::Number(x))) => {
                better(x, b) && !same_number(x, b)
            }
            (Some((_, Some(Key::Date(b)))), Some(Key::Date(x))) => better(x as f64, b as f64),
            (Some(_), _) => false,
        };
        if wins {
            best = Some((k, key));
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
    fn dates_compare_the_latest_wins_max_ties_to_the_earlier() {
        let day = |t| Value::Date(crate::time::Date::parse(t).unwrap());
        let values = [
            day("2026-03-01"),
            day("2026-12-31"),
            Value::Null,
            day("2026-12-31"),
        ];
        let mut r = rows(&[true, true, true, true], &values);
        max::decide(&Decision::empty(), &mut r).unwrap();
        assert_eq!(r.log.last().unwrap(), "fire 1");
        let mut r = rows(&[true, true, true, true], &values);
        min::decide(&Decision::empty(), &mut r).unwrap();
        assert_eq!(r.log.last().unwrap(), "fire 0");
    }

    #[test]
    fn a_date_against_a_number_is_a_conflict_naming_both_rows() {
        let date = Value::Date(crate::time::Date::parse("2026-03-01").unwrap());
        let mut r = rows(&[true, false, true], &[Value::Int(1), Value::Null, date]);
        assert_eq!(
            max::decide(&Decision::empty(), &mut r).unwrap_err(),
            "conflict 0 2: `hit: max` compares values of one kind, and the first gives a number where the second gives a date (`2026-03-01`)"
        );
    }

    #[test]
    fn text_is_an_error_naming_the_row() {
        let mut r = rows(&[true, true], &[Value::Int(1), Value::Str("high")]);
        assert_eq!(
            max::decide(&Decision::empty(), &mut r).unwrap_err(),
            "row 1: `hit: max` compares numbers or dates, and this row gives `high`"
        );
    }
}
