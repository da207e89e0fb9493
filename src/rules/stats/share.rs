//! `share_of`: this customer's value divided by the total of all ranked values (no figure
//! when the total is 0).

use super::{Params, Position, Range};

pub const KEY: &str = "share_of";
pub const NAME: &str = "share";
pub const DOC: &str = "This customer's share of the total of the value over all ranked customers.";

/// Negative values (credit notes) can put a share outside 0..1: no range is claimed.
pub fn range(_: &Params) -> Range {
    Range::any()
}

pub fn figure(p: &Position) -> Option<f64> {
    (p.total != 0.0).then(|| p.value / p.total)
}

pub fn meaning(x: f64, _ranked: usize) -> String {
    format!("{:.3}% of the total", x * 100.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_quarter_of_the_total_and_no_figure_of_nothing() {
        let p = Position {
            ranked: 2,
            greater: 1,
            value: 1.0,
            sum_greater: 3.0,
            sum_through: 4.0,
            total: 4.0,
            tiles: 0,
        };
        assert_eq!(figure(&p), Some(0.25));
        assert_eq!(figure(&Position { total: 0.0, ..p }), None);
    }
}
