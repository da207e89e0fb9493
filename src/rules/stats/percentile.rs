//! `percentile_of`: the share of ranked customers that are not above this one, taken just
//! under that share: the largest `f64` below `(N - count(v' > v)) / N`.
//!
//! Why "just under": `percentile >= p` then holds exactly when fewer than `(1 - p) * N`
//! ranked customers are strictly above this one, so a customer that straddles a boundary
//! goes up. "Top 20% are A" (`>= 0.80`) on 23,502 ranked customers is 4,700.4 customers:
//! the customer at position 4,701 has 4,700 above it, fewer than 4,700.4, and is A. On ten
//! customers the third has exactly 20% above it and is B (two A, not three). The figure
//! runs from just under `1/N` (the smallest) to just under `1` (the largest); no figure
//! ever equals a decimal threshold, so `>` and `>=` select the same customers. Tied
//! customers share the figure of the best of their tie (the higher tier).

use super::{Params, Position, Range};

pub const KEY: &str = "percentile_of";
pub const NAME: &str = "percentile";
pub const DOC: &str = "Share of ranked customers not above this one, just under it: from just under 1/N (smallest) to just under 1.0 (largest). `>= 0.80` is every customer with fewer than 20% of the ranked customers above it.";

/// Strictly between 0 and 1: `>= 0.80` is "top 20%"; `>= 80` matches nobody.
pub fn range(_: &Params) -> Range {
    Range {
        lo: Some((0.0, false)),
        hi: Some((1.0, false)),
        words: "between 0 and 1 (exclusive)".into(),
    }
}

pub fn figure(p: &Position) -> Option<f64> {
    // Exact for every decimal threshold with a small denominator: (N - greater) / N and a
    // threshold t either are the same rational (then their nearest doubles are equal and the
    // figure is below t) or differ by at least 1 / (denominator * N), far more than an ulp.
    Some(just_under((p.ranked - p.greater) as f64 / p.ranked as f64))
}

/// Below `share` by more than rules' comparisons overlook: decimals compare equal within a
/// part in 10^12 ([`crate::value::SAME_WITHIN`]), so one ulp below would still be `>=` the
/// threshold. Four times that below is below it for every comparison, and still far closer
/// to `share` than any other customer's figure or any decimal threshold (1 / (100 N) apart
/// at least for thresholds in hundredths, N ranked).
fn just_under(share: f64) -> f64 {
    share * (1.0 - 4.0 * crate::value::SAME_WITHIN)
}

/// How many are above, as well as the share: at a boundary "20.0%" hides whether it is
/// 1,176 or 1,175 of 5,876 (20% is 1,175.2).
pub fn meaning(x: f64, ranked: usize) -> String {
    let above = (ranked as f64 * (1.0 - x)).round().max(0.0);
    format!(
        "{} of {} ranked customers above it ({:.1}%)",
        crate::text::thousands(above),
        crate::text::thousands(ranked as f64),
        ((1.0 - x) * 100.0).max(0.0)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(ranked: usize, greater: usize) -> f64 {
        figure(&Position {
            ranked,
            greater,
            value: 0.0,
            sum_greater: 0.0,
            sum_through: 0.0,
            total: 0.0,
            tiles: 0,
        })
        .unwrap()
    }

    #[test]
    fn just_under_the_share_not_above() {
        assert_eq!(at(10, 0), just_under(1.0));
        assert_eq!(at(10, 2), just_under(0.8));
        assert_eq!(at(10, 9), just_under(0.1));
        assert!(at(10, 2) < 0.8 && at(10, 1) >= 0.8);
        assert_eq!(
            meaning(at(10, 2), 10),
            "2 of 10 ranked customers above it (20.0%)"
        );
        assert_eq!(
            meaning(at(10, 0), 10),
            "0 of 10 ranked customers above it (0.0%)"
        );
        // At a boundary the count tells what the rounded share hides.
        assert_eq!(
            meaning(at(5876, 1176), 5876),
            "1,176 of 5,876 ranked customers above it (20.0%)"
        );
    }

    /// `>= p` is "fewer than (1 - p) * N above", counted exactly, for every population up
    /// to 2,000 and every threshold in hundredths.
    #[test]
    fn at_least_p_is_fewer_than_1_minus_p_of_n_above() {
        for n in 1..=2_000usize {
            for hundredths in 1..100usize {
                let p = hundredths as f64 / 100.0;
                // greater < (100 - h) * n / 100  <=>  100 * greater < (100 - h) * n
                let expected = (0..n).filter(|&g| 100 * g < (100 - hundredths) * n).count();
                let got = (0..n).filter(|&g| at(n, g) >= p).count();
                assert_eq!(got, expected, "n {n}, p {p}");
            }
        }
        // The example: 23,502 ranked, top 20% -> the customer at position 4,701
        // (4,700 above it) is in, the one at 4,702 is not.
        assert!(at(23_502, 4_700) >= 0.80);
        assert!(at(23_502, 4_701) < 0.80);
        // Eleven customers: three have fewer than 2.2 above them.
        assert_eq!((0..11).filter(|&g| at(11, g) >= 0.80).count(), 3);
    }
}
