//! `hit: rule_order` and `hit: output_order` (DMN's R and O): every row that holds counts,
//! its id joins the customer's rule ids, and each output is the **list** of those rows'
//! values: top to bottom for `rule_order`, in the order of the outputs' declared `values:`
//! for `output_order` (rows with the same value keep their order). "Every alert that
//! applies, most severe first." No matching row gives empty lists, so these tables need no
//! default row. With one output, a row that gives NULL adds nothing to the list (a row
//! that raises no alert); with several, every matching row adds to every list, NULL
//! included, so that the lists line up: the k-th value of each comes from the same row.

use super::{RanksBy, Rows, Shape};
use crate::rules::Decision;
use crate::value::Value;

pub const SHAPE: Shape = Shape {
    combines_values: false,
    first_wins: false,
    exclusive: false,
    one_row: false,
    ranks_by: RanksBy::TableOrder,
};

/// Lists the matching rows' values: top to bottom, or by the declared values (`by_output`).
fn decide_listed<'a, R: Rows<'a>>(
    d: &Decision,
    rows: &mut R,
    by_output: bool,
) -> Result<(), R::Error> {
    let mut hits: Vec<(Vec<usize>, usize, Vec<Value<'a>>)> = Vec::new();
    for k in 0..rows.count() {
        if !rows.matches(k)? {
            continue;
        }
        let values = rows.values(k)?;
        let rank = if by_output {
            super::priority::rank(d, &values, "output_order").map_err(|m| rows.row_error(k, m))?
        } else {
            Vec::new()
        };
        hits.push((rank, k, values));
    }
    // A stable sort: rows of the same rank stay top to bottom.
    hits.sort_by(|a, b| a.0.cmp(&b.0));
    let mut lists: Vec<Vec<Value<'a>>> = vec![Vec::new(); d.outputs.len()];
    let aligned = d.outputs.len() > 1;
    for (_, k, values) in hits {
        rows.record(k);
        for (list, value) in lists.iter_mut().zip(values) {
            if aligned || !value.is_null() {
                list.push(value);
            }
        }
    }
    rows.set_outputs(
        lists
            .into_iter()
            .map(|l| Value::List(l.into_boxed_slice()))
            .collect(),
    );
    Ok(())
}

/// `hit: rule_order`: the matching rows top to bottom.
pub mod rule_order {
    use super::super::{Rows, Shape};
    use crate::rules::Decision;

    pub const SHAPE: Shape = super::SHAPE;

    pub fn decide<'a, R: Rows<'a>>(d: &Decision, rows: &mut R) -> Result<(), R::Error> {
        super::decide_listed(d, rows, false)
    }
}

/// `hit: output_order`: the matching rows in the order of the declared values.
pub mod output_order {
    use super::super::{RanksBy, Rows, Shape};
    use crate::rules::Decision;

    pub const SHAPE: Shape = Shape {
        ranks_by: RanksBy::DeclaredValues,
        ..super::SHAPE
    };

    pub fn decide<'a, R: Rows<'a>>(d: &Decision, rows: &mut R) -> Result<(), R::Error> {
        super::decide_listed(d, rows, true)
    }
}

#[cfg(test)]
mod tests {
    use super::super::priority::tests::risk;
    use super::super::testing::FixedRows;
    use super::*;

    fn rows() -> FixedRows {
        let mut rows = FixedRows::new(&[true, false, true, true, true]);
        rows.values = vec![
            Value::Str("low"),
            Value::Str("high"),
            Value::Str("high"),
            Value::Null,
            Value::Str("medium"),
        ];
        rows
    }

    #[test]
    fn rule_order_lists_every_matching_rows_value_top_to_bottom() {
        let mut r = rows();
        rule_order::decide(&risk(), &mut r).unwrap();
        let tail: Vec<&str> = r.log.iter().skip(5).map(String::as_str).collect();
        assert_eq!(
            tail,
            [
                "record 0",
                "record 2",
                "record 3",
                "record 4",
                "outputs [\"low\",\"high\",\"medium\"]"
            ]
        );
    }

    #[test]
    fn output_order_lists_them_in_the_declared_order_null_last() {
        let mut r = rows();
        output_order::decide(&risk(), &mut r).unwrap();
        let tail: Vec<&str> = r.log.iter().skip(5).map(String::as_str).collect();
        assert_eq!(
            tail,
            [
                "record 2",
                "record 4",
                "record 0",
                "record 3",
                "outputs [\"high\",\"medium\",\"low\"]"
            ]
        );
    }

    #[test]
    fn no_matching_row_gives_empty_lists() {
        let mut r = FixedRows::new(&[false]);
        rule_order::decide(&risk(), &mut r).unwrap();
        assert_eq!(r.log, ["match 0", "outputs []"]);
    }
}
