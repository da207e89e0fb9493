//! Exact population statistics over all ranked customers.
//!
//! A customer is ranked when its value is a number and it passes the figure's `where`
//! filter; everyone else gets NULL. Ties always resolve toward the better position, so a tie
//! at a tier boundary goes to the higher tier.

use crate::rules::Statistic;

/// A population's ranked values, kept to place a customer who is not part of it (a prospect
/// posted to `serve`) exactly where it would land if it were added.
#[derive(Debug, Clone)]
pub struct Ranking {
    statistic: Statistic,
    /// Ranked values, largest first.
    descending: Vec<f64>,
    /// `above[k]`: the sum of the `k` largest values (cumulative shares only).
    above: Vec<f64>,
    total: f64,
}

impl Ranking {
    /// How many customers are ranked.
    pub fn len(&self) -> usize {
        self.descending.len()
    }

    pub fn is_empty(&self) -> bool {
        self.descending.is_empty()
    }

    /// The figure of a newcomer with this value (`None` = not ranked), counted among the
    /// population as `compute` would count it; nobody else's figure moves.
    pub fn place(&self, value: Option<f64>) -> Option<f64> {
        let v = value?;
        let n = self.descending.len();
        let greater = self.descending.partition_point(|&x| x > v);
        let total = self.total + v;
        match self.statistic {
            // With the newcomer, n + 1 are ranked and `greater` of them are ahead of it.
            Statistic::Percentile => Some((n - greater) as f64 / (n + 1) as f64),
            Statistic::Rank => Some((greater + 1) as f64),
            Statistic::Share => (total != 0.0).then(|| v / total),
            Statistic::CumulativeShare => (total != 0.0).then(|| (self.above[greater] + v) / total),
        }
    }
}

/// Computes `statistic` for every customer from their values (`None` = not ranked).
pub fn compute(statistic: Statistic, values: &[Option<f64>]) -> Vec<Option<f64>> {
    compute_ranked(statistic, values).0
}

/// `compute`, and the ranking to place newcomers with.
pub fn compute_ranked(statistic: Statistic, values: &[Option<f64>]) -> (Vec<Option<f64>>, Ranking) {
    let mut ranked: Vec<(f64, usize)> = values
        .iter()
        .enumerate()
        .filter_map(|(i, v)| v.map(|v| (v, i)))
        .collect();
    let n = ranked.len();
    let mut out = vec![None; values.len()];
    // Descending by value; ties in source order (they get the same figure anyway).
    ranked.sort_unstable_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    let total: f64 = ranked.iter().map(|(v, _)| v).sum();
    let descending: Vec<f64> = ranked.iter().map(|(v, _)| *v).collect();
    let above = if statistic == Statistic::CumulativeShare {
        std::iter::once(0.0)
            .chain(descending.iter().scan(0.0, |sum, v| {
                *sum += v;
                Some(*sum)
            }))
            .collect()
    } else {
        Vec::new()
    };
    let ranking = Ranking {
        statistic,
        descending,
        above,
        total,
    };

    let mut start = 0; // first index of the current tie group
    let mut sum_above = 0.0; // sum of values strictly greater than the group's
    while start < n {
        let value = ranked[start].0;
        let mut end = start;
        while end < n && ranked[end].0 == value {
            end += 1;
        }
        let figure = match statistic {
            // count(v' <= v) - 1 = (n - start) - 1: the highest position of the tie.
            Statistic::Percentile => Some((n - start - 1) as f64 / n as f64),
            Statistic::Rank => Some((start + 1) as f64),
            Statistic::Share => (total != 0.0).then(|| value / total),
            Statistic::CumulativeShare => (total != 0.0).then(|| (sum_above + value) / total),
        };
        for &(_, i) in &ranked[start..end] {
            out[i] = figure;
        }
        sum_above += value * (end - start) as f64;
        start = end;
    }
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
        assert_eq!(p[9], Some(0.9));
        assert_eq!(p[7], Some(0.7));
        assert_eq!(p[0], Some(0.0));
    }

    #[test]
    fn ties_take_the_highest_position_and_nulls_are_not_ranked() {
        let p = pct(&[Some(5.0), Some(5.0), None, Some(1.0), Some(9.0)]);
        assert_eq!(p, vec![Some(0.5), Some(0.5), None, Some(0.0), Some(0.75)]);
        let r = compute(
            Statistic::Rank,
            &[Some(5.0), Some(5.0), None, Some(1.0), Some(9.0)],
        );
        assert_eq!(r, vec![Some(2.0), Some(2.0), None, Some(4.0), Some(1.0)]);
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
        for statistic in [
            Statistic::Percentile,
            Statistic::Rank,
            Statistic::Share,
            Statistic::CumulativeShare,
        ] {
            let (_, ranking) = compute_ranked(statistic, &population);
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
                let expected = *compute(statistic, &with).last().unwrap();
                assert_eq!(
                    ranking.place(newcomer),
                    expected,
                    "{statistic:?} of {newcomer:?}"
                );
            }
        }
        let (_, empty) = compute_ranked(Statistic::Percentile, &[None]);
        assert_eq!(empty.place(Some(3.0)), Some(0.0));
    }

    #[test]
    fn empty_and_zero_totals() {
        assert_eq!(pct(&[None, None]), vec![None, None]);
        assert_eq!(compute(Statistic::Share, &[Some(0.0)]), vec![None]);
    }
}
