//! `hit: priority` (DMN's P): of the rows that hold, the one whose value comes first in its
//! output's declared `values:` gives the outputs, whatever the order of the rows. "A
//! customer who is both overdue and new is `high` risk": list `values: [high, medium, low]`
//! and the rows may come in any order, so re-ordering them never changes a result (under
//! `first` it would). With several outputs that declare values, they are compared left to
//! right (the first output's rank, then the next one's). Ties go to the earlier row. A
//! value that is not among the declared ones is an error naming the row; NULL ranks last.

use super::{RanksBy, Rows, Shape};
use crate::rules::Decision;
use crate::value::Value;

pub const SHAPE: Shape = Shape {
    combines_values: false,
    first_wins: false,
    exclusive: false,
    one_row: true,
    ranks_by: RanksBy::DeclaredValues,
};

pub fn decide<'a, R: Rows<'a>>(d: &Decision, rows: &mut R) -> Result<(), R::Error> {
    let mut best: Option<(usize, Vec<usize>)> = None;
    for k in 0..rows.count() {
        if !rows.matches(k)? {
            continue;
        }
        let values = rows.values(k)?;
        let rank = rank(d, &values, "priority").map_err(|m| rows.row_error(k, m))?;
        if best.as_ref().is_none_or(|(_, b)| rank < *b) {
            best = Some((k, rank));
        }
    }
    match best {
        Some((k, _)) => rows.fire(k),
        None => Ok(()),
    }
}

/// Where a row's values come in the declared orders: per output that declares `values:`,
/// the position of the row's value (NULL after every declared value). Compared as a whole,
/// the smaller rank comes first.
pub(super) fn rank(d: &Decision, values: &[Value<'_>], policy: &str) -> Result<Vec<usize>, String> {
    let mut rank = Vec::new();
    for (k, order) in d.output_values.iter().enumerate() {
        if order.is_empty() {
            continue;
        }
        let Some(value) = values.get(k) else { continue };
        if value.is_null() {
            rank.push(order.len());
            continue;
        }
        match order.iter().position(|lit| lit.value().same(value)) {
            Some(at) => rank.push(at),
            None => {
                let listed: Vec<String> = order.iter().map(|l| l.value().to_string()).collect();
                return Err(format!(
                    "`hit: {policy}` ranks by the declared values ({}), and this row gives `{value}`, which is not one of them",
                    listed.join(", ")
                ));
            }
        }
    }
    Ok(rank)
}

#[cfg(test)]
pub(super) mod tests {
    use super::super::testing::FixedRows;
    use super::*;
    use crate::value::Lit;

    /// A decision whose single output declares `values: [high, medium, low]`.
    pub fn risk() -> Decision {
        Decision {
            output_values: vec![vec![
                Lit::Str("high".into()),
                Lit::Str("medium".into()),
                Lit::Str("low".into()),
            ]],
            ..Decision::empty()
        }
    }

    #[test]
    fn the_matching_row_whose_value_comes_first_in_the_declared_values_fires() {
        let mut rows = FixedRows::new(&[true, true, false, true]);
        rows.values = vec![
            Value::Str("low"),
            Value::Str("medium"),
            Value::Str("high"),
            Value::Str("medium"),
        ];
        decide(&risk(), &mut rows).unwrap();
        // `high` does not match; of the two `medium` rows the earlier wins.
        assert_eq!(rows.log.last().unwrap(), "fire 1");
    }

    #[test]
    fn null_ranks_last_and_no_match_gives_nothing() {
        let mut rows = FixedRows::new(&[true, true]);
        rows.values = vec![Value::Null, Value::Str("low")];
        decide(&risk(), &mut rows).unwrap();
        assert_eq!(rows.log.last().unwrap(), "fire 1");
        let mut rows = FixedRows::new(&[false, false]);
        decide(&risk(), &mut rows).unwrap();
        assert_eq!(rows.log, ["match 0", "match 1"]);
    }

    #[test]
    fn a_value_not_among_the_declared_ones_is_an_error_naming_the_row() {
        let mut rows = FixedRows::new(&[true, true]);
        rows.values = vec![Value::Str("low"), Value::Str("severe")];
        let err = decide(&risk(), &mut rows).unwrap_err();
        assert_eq!(
            err,
            "row 1: `hit: priority` ranks by the declared values (high, medium, low), and this row gives `severe`, which is not one of them"
        );
    }
}
