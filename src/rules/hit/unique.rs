//! `hit: unique`: at most one row may hold for a customer. Every row is tried; two that hold
//! stop the run with an error naming both (and the customer), because the table's author
//! promised they never overlap.

use super::{RanksBy, Rows, Shape};
use crate::rules::Decision;

pub const SHAPE: Shape = Shape {
    combines_values: false,
    first_wins: false,
    exclusive: true,
    one_row: true,
    ranks_by: RanksBy::TableOrder,
};

pub fn decide<'a, R: Rows<'a>>(_d: &Decision, rows: &mut R) -> Result<(), R::Error> {
    let mut hit = None;
    for k in 0..rows.count() {
        if rows.matches(k)? {
            if let Some(first) = hit {
                return Err(rows.conflict(first, k, "the hit policy is `unique`"));
            }
            hit = Some(k);
        }
    }
    match hit {
        Some(k) => rows.fire(k),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::FixedRows;
    use super::*;

    #[test]
    fn the_one_matching_row_fires_after_every_row_is_tried() {
        let mut rows = FixedRows::new(&[false, true, false]);
        decide(&Decision::empty(), &mut rows).unwrap();
        assert_eq!(rows.log, ["match 0", "match 1", "match 2", "fire 1"]);
    }

    #[test]
    fn two_matching_rows_are_an_error_naming_both() {
        let mut rows = FixedRows::new(&[true, false, true]);
        assert_eq!(
            decide(&Decision::empty(), &mut rows),
            Err("conflict 0 2: the hit policy is `unique`".into())
        );
    }
}
