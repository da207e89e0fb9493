//! `hit: collect`: every row that holds contributes its `value:`, and the values are
//! combined into the decision's single `output:` by `aggregate` (sum, min, max, list or
//! count).
//! Stacking discounts is the typical use: base by tier, plus volume, plus prompt payment,
//! capped.

use super::{RanksBy, Rows, Shape};
use crate::rules::Decision;
use crate::value::Value;
use schemars::JsonSchema;
use serde::Deserialize;

pub const SHAPE: Shape = Shape {
    combines_values: true,
    first_wins: false,
    exclusive: false,
    one_row: false,
    ranks_by: RanksBy::TableOrder,
};

/// How the values of all matching rows are combined with `hit: collect`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Aggregate {
    /// The sum of all values.
    Sum,
    /// The smallest value.
    Min,
    /// The largest value.
    Max,
    /// All values, in row order, as a list.
    List,
    /// How many rows match (DMN's C#).
    Count,
}

impl Aggregate {
    pub fn name(self) -> &'static str {
        match self {
            Aggregate::Sum => "sum",
            Aggregate::Min => "min",
            Aggregate::Max => "max",
            Aggregate::List => "list",
            Aggregate::Count => "count",
        }
    }
}

pub fn decide<'a, R: Rows<'a>>(d: &Decision, rows: &mut R) -> Result<(), R::Error> {
    let mut acc = Accumulator::new(d.aggregate.unwrap_or(Aggregate::Sum));
    // Rows that give decimals: adding up no row gives 0.0, not 0.
    acc.any_float = d.decimal;
    for k in 0..rows.count() {
        if rows.matches(k)? {
            let value = rows.take_value(k)?;
            acc.add(value).map_err(|m| rows.row_error(k, m))?;
        }
    }
    rows.set_output(acc.finish());
    Ok(())
}

/// Combines the values of matching rows.
struct Accumulator<'a> {
    aggregate: Aggregate,
    int: Option<i64>,
    float: Option<f64>,
    any_float: bool,
    list: Vec<Value<'a>>,
}

impl<'a> Accumulator<'a> {
    fn new(aggregate: Aggregate) -> Self {
        Accumulator {
            aggregate,
            int: None,
            float: None,
            any_float: false,
            list: Vec::new(),
        }
    }

    fn add(&mut self, v: Value<'a>) -> Result<(), String> {
        if self.aggregate == Aggregate::Count {
            // Counts rows, whatever they give (NULL included): the hits, as DMN's C#.
            self.int = Some(self.int.unwrap_or(0) + 1);
            return Ok(());
        }
        if v.is_null() {
            return Ok(());
        }
        if self.aggregate == Aggregate::List {
            // A row's value may itself be a list: its items join the collected list.
            match v.items() {
                Some(items) => self.list.extend(items),
                None => self.list.push(v),
            }
            return Ok(());
        }
        let x = v
            .as_f64()
            .ok_or_else(|| format!("expected a number, got `{v}` ({})", v.type_name()))?;
        self.any_float |= matches!(v, Value::Float(_));
        let f = self.float.get_or_insert(match self.aggregate {
            Aggregate::Sum => 0.0,
            Aggregate::Min => f64::INFINITY,
            _ => f64::NEG_INFINITY,
        });
        *f = match self.aggregate {
            Aggregate::Sum => *f + x,
            Aggregate::Min => f.min(x),
            _ => f.max(x),
        };
        if let Value::Int(n) = v {
            let acc = self.int.get_or_insert(match self.aggregate {
                Aggregate::Sum => 0,
                Aggregate::Min => i64::MAX,
                _ => i64::MIN,
            });
            *acc = match self.aggregate {
                Aggregate::Sum => acc.checked_add(n).ok_or("the sum is too large")?,
                Aggregate::Min => (*acc).min(n),
                _ => (*acc).max(n),
            };
        }
        Ok(())
    }

    fn finish(self) -> Value<'a> {
        match self.aggregate {
            Aggregate::List if self.list.is_empty() => Value::Consts(&[]),
            Aggregate::List => Value::List(self.list.into_boxed_slice()),
            Aggregate::Count => Value::Int(self.int.unwrap_or(0)),
            Aggregate::Sum if self.any_float => Value::Float(self.float.unwrap_or(0.0)),
            _ if self.any_float => self.float.map_or(Value::Null, Value::Float),
            Aggregate::Sum => Value::Int(self.int.unwrap_or(0)),
            _ => self.int.map_or(Value::Null, Value::Int),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::FixedRows;
    use super::*;

    #[test]
    fn sums_mixed_numbers_and_skips_nulls() {
        let mut acc = Accumulator::new(Aggregate::Sum);
        acc.add(Value::Int(5)).unwrap();
        acc.add(Value::Null).unwrap();
        acc.add(Value::Float(2.5)).unwrap();
        assert!(matches!(acc.finish(), Value::Float(7.5)));
        assert!(matches!(
            Accumulator::new(Aggregate::Sum).finish(),
            Value::Int(0)
        ));
        assert!(Accumulator::new(Aggregate::Max).finish().is_null());
        let mut bad = Accumulator::new(Aggregate::Sum);
        assert!(bad.add(Value::Str("x")).is_err());
    }

    #[test]
    fn every_matching_row_contributes() {
        let mut rows = FixedRows::new(&[true, false, true]);
        rows.values = vec![Value::Int(5), Value::Int(7), Value::Int(2)];
        decide(&Decision::empty(), &mut rows).unwrap();
        assert_eq!(
            rows.log,
            [
                "match 0", "fire 0", "match 1", "match 2", "fire 2", "output 7"
            ]
        );
    }

    #[test]
    fn decimal_tables_add_up_to_decimals_even_when_nothing_matches() {
        let d = Decision {
            decimal: true,
            ..Decision::empty()
        };
        let mut rows = FixedRows::new(&[false]);
        decide(&d, &mut rows).unwrap();
        assert_eq!(rows.log, ["match 0", "output 0.0"]);
    }

    #[test]
    fn text_in_a_sum_is_an_error_for_that_row() {
        let mut rows = FixedRows::new(&[true]);
        rows.values = vec![Value::Str("5%")];
        let err = decide(&Decision::empty(), &mut rows).unwrap_err();
        assert_eq!(err, "row 0: expected a number, got `5%` (text)");
    }
}
