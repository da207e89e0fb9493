//! Exact population statistics over all ranked customers: the ranking machinery every
//! statistic of [`crate::rules::stats`] shares.
//!
//! A customer is ranked when its value is a number and it passes the figure's `where`
//! filter; everyone else gets NULL. Tied values share one position, the best of their tie,
//! so a tie at a tier boundary goes to the higher tier. Values tie when the rules' `==`
//! calls them equal ([`same_number`]): 100.1 + 150.2 summed by SQL is 250.29999999999998,
//! which must not rank below another customer's 250.3; whole numbers only when equal.
//! Equal is not transitive (250.3, 250.29999999999998, 250.29999999999995): a tie runs on
//! while neighbours in value order are equal, so the groups are the same whichever way the
//! values are ranked.

use crate::rules::stats::{Better, Params, Position, Statistic};
use crate::value::{Sum, same_number};

/// A population's ranked values, kept to place a customer who is not part of it (a prospect
/// posted to `serve`) exactly where it would land if it were added.
#[derive(Debug, Clone)]
pub struct Ranking {
    statistic: Statistic,
    params: Params,
    /// Ranked values, largest first.
    descending: Vec<f64>,
    /// `above[k]`: the sum of the `k` largest values.
    above: Vec<f64>,
    total: f64,
    /// How far the total may be from the decimals' total by the values' binary noise alone:
    /// half a unit in the last place of each.
    noise: f64,
}

impl Ranking {
    /// How many customers are ranked.
    pub fn len(&self) -> usize {
        self.descending.len()
    }

    pub fn is_empty(&self) -> bool {
        self.descending.is_empty()
    }

    /// The total of the ranked values.
    pub fn total(&self) -> f64 {
        self.total
    }

    /// Of a ranked customer's value: how many ranked customers are better, and how many
    /// share its tie (itself included), as `compute_ranked` counts them.
    pub fn above_and_tied(&self, value: f64) -> (usize, usize) {
        let (start, d) = (
            self.tie_start(oriented(self.params, value)),
            &self.descending,
        );
        let mut end = start + 1;
        while end < d.len() && same_number(d[end], d[end - 1]) {
            end += 1;
        }
        (start, end.min(d.len()) - start)
    }

    /// Where the tie of (oriented) value `v` starts among the ranked values: how many are
    /// better. It reaches up through neighbours equal in turn, as in `compute_ranked`.
    fn tie_start(&self, v: f64) -> usize {
        let d = &self.descending;
        let mut start = d.partition_point(|&x| x > v);
        let mut reached = v;
        while start > 0 && same_number(d[start - 1], reached) {
            start -= 1;
            reached = d[start];
        }
        start
    }

    /// The figure of a newcomer with this value (`None` = not ranked), counted among the
    /// population as `compute` would count it; nobody else's figure moves. `was`: the value
    /// of the ranked customer it stands in for (a what-if on a current customer), left out.
    pub fn place(&self, value: Option<f64>, was: Option<f64>) -> Option<f64> {
        let v = oriented(self.params, value?);
        let mut greater = self.tie_start(v);
        let mut sum_greater = self.above[greater];
        // With the newcomer, one more is ranked and the total grows by its value.
        let (mut ranked, mut total) = (self.descending.len() + 1, self.total + v);
        if let Some(was) = was.map(|w| oriented(self.params, w)) {
            ranked -= 1;
            total -= was;
            // Above the newcomer's tie, it no longer is.
            if self.tie_start(was) < greater {
                greater -= 1;
                sum_greater -= was;
            }
        }
        self.statistic.figure(&Position {
            ranked,
            greater,
            value: v,
            sum_greater,
            sum_through: Sum::default().plus(sum_greater).plus(v).total(),
            total: net_total(total, self.noise + half_ulp(v)),
            tiles: self.params.tiles,
        })
    }
}

/// Computes `statistic` for every customer from their values (`None` = not ranked).
pub fn compute(statistic: Statistic, values: &[Option<f64>]) -> Vec<Option<f64>> {
    compute_ranked(statistic, Params::default(), values).0
}

/// A value as the ranking sees it: larger is better (`better: lower` ranks the negation;
/// `0.0 - v`, not `-v`, so that 0 stays 0 and ties with itself).
fn oriented(params: Params, v: f64) -> f64 {
    match params.better {
        Better::Higher => v,
        Better::Lower => 0.0 - v,
    }
}

/// A total of amounts that net out is 0: what is left is the binary noise of the cents
/// (25,575.58 + 4,896.56 - 30,472.14 is 2.7e-12 in binary, which made shares of 10^15).
/// Each amount is within half a unit in its last place of the decimal it stands for, so a
/// total within their sum (`noise`) is 0; the compensated sum adds no noise of its own
/// (10^15 + 0.6 - 10^15 is 0.6, above the 0.125 that 10^15 may be off by).
fn net_total(total: f64, noise: f64) -> f64 {
    match total.abs() <= noise {
        true => 0.0,
        false => total,
    }
}

/// Half a unit in the last place of `v`: how far it may be from the decimal it stands for.
fn half_ulp(v: f64) -> f64 {
    let v = v.abs();
    (f64::from_bits(v.to_bits() + 1) - v) / 2.0
}

/// `compute`, and the ranking to place newcomers with.
pub fn compute_ranked(
    statistic: Statistic,
    params: Params,
    values: &[Option<f64>],
) -> (Vec<Option<f64>>, Ranking) {
    let mut ranked: Vec<(f64, usize)> = values
        .iter()
        .enumerate()
        .filter_map(|(i, v)| v.map(|v| (oriented(params, v), i)))
        .collect();
    let n = ranked.len();
    let mut out = vec![None; values.len()];
    // Descending by value; ties in source order (they get the same figure anyway).
    ranked.sort_unstable_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    let descending: Vec<f64> = ranked.iter().map(|(v, _)| *v).collect();
    let above: Vec<f64> = std::iter::once(0.0)
        // Compensated: credit notes that cancel large amounts leave the rest exact.
        .chain(descending.iter().scan(Sum::default(), |sum, v| {
            *sum = sum.plus(*v);
            Some(sum.total())
        }))
        .collect();
    let noise: f64 = descending.iter().map(|&v| half_ulp(v)).sum();
    let total = net_total(above[n], noise);

    let mut start = 0; // first index of the current tie group
    while start < n {
        let value = ranked[start].0;
        let mut end = start;
        while end < n && (end == start || same_number(ranked[end].0, ranked[end - 1].0)) {
            end += 1;
        }
        let figure = statistic.figure(&Position {
            ranked: n,
            greater: start,
            value,
            sum_greater: above[start],
            // The first of its tie, summed in order with the larger ones.
            sum_through: above[start + 1],
            total,
            tiles: params.tiles,
        });
        for &(_, i) in &ranked[start..end] {
            out[i] = figure;
        }
        start = end;
    }
    let ranking = Ranking {
        statistic,
        params,
        descending,
        above,
        total,
        noise,
    };
    (out, ranking)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pct(values: &[Option<f64>]) -> Vec<Option<f64>> {
        compute(Statistic::Percentile, values)
    }

    #[test]
    fn percentile_of_ten_distinct_values_splits_20_40_40() {
        let values: Vec<Option<f64>> = (1..=10).map(|v| Some(v as f64)).collect();
        let p = pct(&values);
        let a = p.iter().filter(|p| p.unwrap() >= 0.8).count();
        let b = p
            .iter()
            .filter(|p| (0.4..0.8).contains(&p.unwrap()))
            .count();
        assert_eq!((a, b), (2, 4));
        // Just under the share of customers not above: (10 - greater) / 10.
        assert_eq!(p[9], Some(1.0f64 * (1.0 - 4.0 * crate::value::SAME_WITHIN)));
        assert_eq!(p[7], Some(0.8f64 * (1.0 - 4.0 * crate::value::SAME_WITHIN)));
        assert_eq!(p[0], Some(0.1f64 * (1.0 - 4.0 * crate::value::SAME_WITHIN)));
    }

    #[test]
    fn percentile_of_eleven_puts_the_straddling_customer_in_the_top_20_percent() {
        // 20% of 11 is 2.2 customers: the third largest has 2 above it, fewer than 2.2.
        let values: Vec<Option<f64>> = (1..=11).map(|v| Some(v as f64)).collect();
        let p = pct(&values);
        let a: Vec<usize> = (0..11).filter(|&i| p[i].unwrap() >= 0.8).collect();
        assert_eq!(a, [8, 9, 10]);
        // 60% of 11 is 6.6: the seventh largest (6 above) is B too.
        let b = p
            .iter()
            .filter(|p| (0.4..0.8).contains(&p.unwrap()))
            .count();
        assert_eq!(b, 4);
    }

    /// Amounts that net out to 0.00 in cents leave binary noise (2.7e-12): no share, as for
    /// a total of 0; the Pareto position of the last is the whole total, summed compensated.
    #[test]
    fn amounts_that_net_out_have_no_share_and_the_pareto_position_is_exact() {
        let shares = compute(
            Statistic::Share,
            &[Some(25_575.58), Some(4_896.56), Some(-30_472.14)],
        );
        assert_eq!(shares, [None, None, None]);
        let values = [1e15, 7.0, 0.3, 0.2, 0.1, -7.0, -1e15].map(Some);
        let pareto = compute(Statistic::CumulativeShare, &values);
        assert_eq!(pareto[6], Some(1.0));
        assert_eq!(pareto[0], Some(1e15 / 0.6));
    }

    #[test]
    fn ties_take_the_highest_position_and_nulls_are_not_ranked() {
        let p = pct(&[Some(5.0), Some(5.0), None, Some(1.0), Some(9.0)]);
        let under = |x: f64| Some(x * (1.0 - 4.0 * crate::value::SAME_WITHIN));
        assert_eq!(
            p,
            vec![under(0.75), under(0.75), None, under(0.25), under(1.0)]
        );
        let r = compute(
            Statistic::Rank,
            &[Some(5.0), Some(5.0), None, Some(1.0), Some(9.0)],
        );
        assert_eq!(r, vec![Some(2.0), Some(2.0), None, Some(4.0), Some(1.0)]);
    }

    #[test]
    fn values_the_rules_call_equal_tie() {
        // 100.1 + 150.2 as SQL sums it, and one order of 250.3: one figure, the best.
        let summed = 100.1 + 150.2;
        assert_ne!(summed, 250.3);
        let figures = pct(&[Some(summed), Some(250.3), Some(10.0)]);
        assert_eq!(figures[0], figures[1]);
        assert!(figures[0] > figures[2]);
        let (_, ranking) = compute_ranked(
            Statistic::Percentile,
            Params::default(),
            &[Some(250.3), Some(10.0)],
        );
        assert_eq!(
            ranking.place(Some(summed), None),
            ranking.place(Some(250.3), None)
        );
        // Neighbours equal in turn are one tie, highest first or lowest first, and a
        // newcomer joins it as it would if added.
        let drift = [
            Some(250.3),
            Some(250.29999999999998),
            Some(250.29999999999995),
            Some(10.0),
        ];
        let ranks = |better| {
            let params = Params {
                better,
                ..Params::default()
            };
            compute_ranked(Statistic::Rank, params, &drift).0
        };
        assert_eq!(
            ranks(Better::Higher),
            [Some(1.0), Some(1.0), Some(1.0), Some(4.0)]
        );
        assert_eq!(
            ranks(Better::Lower),
            [Some(2.0), Some(2.0), Some(2.0), Some(1.0)]
        );
        let (_, ranking) = compute_ranked(Statistic::Rank, Params::default(), &drift[..2]);
        assert_eq!(ranking.place(Some(250.29999999999995), None), Some(1.0));
        let (_, ranking) = compute_ranked(Statistic::Rank, Params::default(), &drift);
        assert_eq!(ranking.above_and_tied(250.29999999999995), (0, 3));
        assert_eq!(ranking.above_and_tied(10.0), (3, 1));
    }

    #[test]
    fn cumulative_share_is_the_pareto_position() {
        let c = compute(
            Statistic::CumulativeShare,
            &[Some(10.0), Some(50.0), Some(20.0), Some(20.0)],
        );
        assert_eq!(c, vec![Some(1.0), Some(0.5), Some(0.7), Some(0.7)]);
        let s = compute(Statistic::Share, &[Some(1.0), Some(3.0)]);
        assert_eq!(s, vec![Some(0.25), Some(0.75)]);
    }

    #[test]
    fn a_newcomer_is_placed_as_if_added_to_the_population() {
        let population = [
            Some(5.0),
            Some(5.0),
            None,
            Some(1.0),
            Some(9.0),
            Some(0.0),
            Some(12.0),
        ];
        for &statistic in Statistic::ALL {
            let params = Params {
                tiles: 3,
                better: Better::Lower,
            };
            let (_, ranking) = compute_ranked(statistic, params, &population);
            for newcomer in [
                None,
                Some(-1.0),
                Some(0.0),
                Some(1.0),
                Some(5.0),
                Some(7.0),
                Some(12.0),
                Some(20.0),
            ] {
                let mut with = population.to_vec();
                with.push(newcomer);
                let expected = *compute_ranked(statistic, params, &with).0.last().unwrap();
                assert_eq!(
                    ranking.place(newcomer, None),
                    expected,
                    "{statistic:?} of {newcomer:?}"
                );
            }
        }
        let (_, empty) = compute_ranked(Statistic::Percentile, Params::default(), &[None]);
        assert_eq!(
            empty.place(Some(3.0), None),
            Some(1.0f64 * (1.0 - 4.0 * crate::value::SAME_WITHIN))
        );
    }

    #[test]
    fn ntile_better_lower_ranks_the_smallest_best_ties_and_nulls_as_percentile() {
        let days = [
            Some(3.0),
            Some(40.0),
            None,
            Some(3.0),
            Some(0.0),
            Some(90.0),
        ];
        let lower = Params {
            tiles: 5,
            better: Better::Lower,
        };
        // Five ranked: 0 is best (tile 5), the two 3s share the best of their tie (1 above:
        // 5 - floor(5/5) = 4), 40 has 3 above (5 - 3 = 2), 90 has 4 above (tile 1).
        assert_eq!(
            compute_ranked(Statistic::Ntile, lower, &days).0,
            vec![Some(4.0), Some(2.0), None, Some(4.0), Some(5.0), Some(1.0)]
        );
        let higher = Params {
            tiles: 5,
            ..Params::default()
        };
        assert_eq!(
            compute_ranked(Statistic::Ntile, higher, &days).0,
            vec![Some(3.0), Some(4.0), None, Some(3.0), Some(1.0), Some(5.0)]
        );
    }

    #[test]
    fn empty_and_zero_totals() {
        assert_eq!(pct(&[None, None]), vec![None, None]);
        assert_eq!(compute(Statistic::Share, &[Some(0.0)]), vec![None]);
    }
}
