//! `percentile_of`: the share of ranked customers at or below this one, not counting itself:
//! `(count(v' <= v) - 1) / N`, from 0 for the smallest to just under 1 for the largest, so
//! `>= 0.80` is exactly the top 20% by count. Tied customers share the highest position of
//! their tie.

use super::Position;

pub const KEY: &str = "percentile_of";
pub const NAME: &str = "percentile";
pub const DOC: &str =
    "Share of ranked customers at or below this one, from 0.0 (smallest) to just under 1.0.";

pub fn figure(p: &Position) -> Option<f64> {
    // Every ranked value but those greater, and but itself, is at or below it.
    Some((p.ranked - p.greater - 1) as f64 / p.ranked as f64)
}

pub fn meaning(x: f64, ranked: &str) -> String {
    format!(
        "in the top {:.1}% of {ranked} ranked customers",
        (1.0 - x) * 100.0
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_largest_of_ten_is_at_0_9_and_the_smallest_at_0() {
        let at = |greater| Position {
            ranked: 10,
            greater,
            value: 0.0,
            sum_greater: 0.0,
            total: 0.0,
        };
        assert_eq!(figure(&at(0)), Some(0.9));
        assert_eq!(figure(&at(9)), Some(0.0));
        assert_eq!(
            meaning(0.9, "10"),
            "in the top 10.0% of 10 ranked customers"
        );
    }
}
