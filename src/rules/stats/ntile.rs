//! `ntile_of` with `n:`: the tile of `n` (quintiles with `n: 5`) a value falls in, `n` for
//! the best and 1 for the worst: `n - floor(n * above / N)`, where `above` is how many ranked
//! customers are strictly better and `N` how many are ranked.
//!
//! The boundary rule is the percentile's: tile `n` holds every customer with fewer than
//! `N / n` ranked customers strictly above it, so a customer straddling a boundary goes up
//! (on 11 customers with `n: 5`, 2.2 per tile: the three largest are in tile 5), and tied
//! customers share the tile of the best of their tie. Which way is better (`better: higher`,
//! the default, or `better: lower`, for recency in days) is applied by the ranking in
//! [`crate::engine::population`]: here `greater` already counts the better values.

use super::{Params, Position, Range};

pub const KEY: &str = "ntile_of";
pub const NAME: &str = "ntile";
pub const DOC: &str = "The tile (of `n:`, e.g. 5 for quintiles) the value falls in: n for the best values, 1 for the worst; n - floor(n x above / N) with `above` the ranked customers strictly better, so the customer straddling a boundary goes up. `better: lower` ranks the smallest values best (recency in days).";

pub fn range(params: &Params) -> Range {
    let n = params.tiles.max(1);
    Range {
        lo: Some((1.0, true)),
        hi: Some((n as f64, true)),
        words: format!("a tile from 1 to {n}"),
    }
}

pub fn figure(p: &Position) -> Option<f64> {
    let n = p.tiles.max(1);
    // Exact in integers: n * greater < n * ranked, far below usize::MAX for any population.
    Some((n - n * p.greater / p.ranked) as f64)
}

pub fn meaning(x: f64, ranked: usize) -> String {
    let ranked = crate::text::thousands(ranked as f64);
    format!("tile {x} among {ranked} ranked customers (the highest tile is the best)")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tile(ranked: usize, greater: usize, tiles: usize) -> f64 {
        figure(&Position {
            ranked,
            greater,
            value: 0.0,
            sum_greater: 0.0,
            sum_through: 0.0,
            total: 0.0,
            tiles,
        })
        .unwrap()
    }

    #[test]
    fn eleven_customers_in_quintiles_straddlers_go_up() {
        let tiles: Vec<f64> = (0..11).map(|g| tile(11, g, 5)).collect();
        // 2.2 customers per tile: 0,1,2 above -> 5; 3,4 -> 4; 5,6 -> 3; 7,8 -> 2; 9,10 -> 1.
        assert_eq!(
            tiles,
            [5.0, 5.0, 5.0, 4.0, 4.0, 3.0, 3.0, 2.0, 2.0, 1.0, 1.0]
        );
    }

    #[test]
    fn tiles_run_from_n_to_1_and_match_the_percentile_boundary() {
        for ranked in 1..=300usize {
            for n in 1..=10usize {
                for greater in 0..ranked {
                    let t = tile(ranked, greater, n);
                    assert!((1.0..=n as f64).contains(&t), "{ranked} {n} {greater}");
                    // Tile n exactly when fewer than N / n are above (percentile >= 1 - 1/n).
                    assert_eq!(
                        t == n as f64,
                        greater * n < ranked,
                        "{ranked} {n} {greater}"
                    );
                }
            }
        }
        assert_eq!(tile(1, 0, 5), 5.0);
        assert_eq!(tile(10, 2, 5), 4.0); // exactly 20% above: the second tile, as B is
        assert_eq!(
            meaning(5.0, 11),
            "tile 5 among 11 ranked customers (the highest tile is the best)"
        );
    }
}
