//! `cumulative_share_of`: the Pareto position, `(sum of all larger values + this value) /
//! total`. The largest customer's figure is its own share; `<= 0.80` marks the customers who
//! make the first 80% of sales (ABC by value). Tied customers share the figure of the first
//! of their tie: the smallest for positive values (the higher tier), the largest for
//! negative ones.

use super::{Params, Position, Range};

pub const KEY: &str = "cumulative_share_of";
pub const NAME: &str = "cumulative share";
pub const DOC: &str =
    "Pareto position: the share of the total made by this customer and every larger one.";

/// As `share_of`: negative values can put it outside 0..1.
pub fn range(_: &Params) -> Range {
    Range::any()
}

pub fn figure(p: &Position) -> Option<f64> {
    (p.total != 0.0).then(|| p.sum_through / p.total)
}

pub fn meaning(x: f64, _ranked: usize) -> String {
    format!("with every larger customer, {:.1}% of the total", x * 100.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_largest_is_its_own_share_the_smallest_is_everything() {
        let largest = Position {
            ranked: 3,
            greater: 0,
            value: 50.0,
            sum_greater: 0.0,
            sum_through: 50.0,
            total: 100.0,
            tiles: 0,
        };
        assert_eq!(figure(&largest), Some(0.5));
        let smallest = Position {
            greater: 2,
            value: 10.0,
            sum_greater: 90.0,
            sum_through: 100.0,
            ..largest
        };
        assert_eq!(figure(&smallest), Some(1.0));
    }
}
