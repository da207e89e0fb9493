//! `hit: first`: the rows are tried top to bottom and the first whose condition holds gives
//! the outputs; the rows after it are not tried. The usual table: specific rows first, a
//! row without `when` last as the default.

use super::{RanksBy, Rows, Shape};
use crate::rules::Decision;

pub const SHAPE: Shape = Shape {
    combines_values: false,
    first_wins: true,
    exclusive: false,
    one_row: true,
    ranks_by: RanksBy::TableOrder,
};

pub fn decide<'a, R: Rows<'a>>(_d: &Decision, rows: &mut R) -> Result<(), R::Error> {
    for k in 0..rows.count() {
        if rows.matches(k)? {
            return rows.fire(k);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::super::testing::FixedRows;
    use super::*;

    #[test]
    fn the_first_matching_row_fires_and_later_rows_are_not_tried() {
        let mut rows = FixedRows::new(&[false, true, true]);
        decide(&Decision::empty(), &mut rows).unwrap();
        assert_eq!(rows.log, ["match 0", "match 1", "fire 1"]);
    }

    #[test]
    fn no_matching_row_gives_nothing() {
        let mut rows = FixedRows::new(&[false, false]);
        decide(&Decision::empty(), &mut rows).unwrap();
        assert_eq!(rows.log, ["match 0", "match 1"]);
    }
}
