//! `rank_of`: the position in the ranking, 1 for the largest value. Ties share the best
//! rank and the next value skips (competition ranking: 1, 2, 2, 4).

use super::{Params, Position, Range};

pub const KEY: &str = "rank_of";
pub const NAME: &str = "rank";
pub const DOC: &str = "Position in the ranking, 1 for the customer with the largest value.";

pub fn range(_: &Params) -> Range {
    Range {
        lo: Some((1.0, true)),
        hi: None,
        words: "1 or more".into(),
    }
}

pub fn figure(p: &Position) -> Option<f64> {
    Some((p.greater + 1) as f64)
}

pub fn meaning(x: f64, ranked: usize) -> String {
    let ranked = crate::text::thousands(ranked as f64);
    format!("rank {x} of {ranked} (1 = largest)")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_for_the_largest() {
        let p = Position {
            ranked: 4,
            greater: 0,
            value: 9.0,
            sum_greater: 0.0,
            sum_through: 9.0,
            total: 20.0,
            tiles: 0,
        };
        assert_eq!(figure(&p), Some(1.0));
        assert_eq!(figure(&Position { greater: 3, ..p }), Some(4.0));
    }
}
