//! Exact population statistics over all ranked customers.
//!
//! A customer is ranked when its value is a number and it passes the figure's `where`
//! filter; everyone else gets NULL. Ties always resolve toward the better position, so a tie
//! at a tier boundary goes to the higher tier.

use crate::rules::Statistic;

/// Computes `statistic` for every customer from their values (`None` = not ranked).
pub fn compute(statistic: Statistic, values: &[Option<f64>]) -> Vec<Option<f64>> {
    let mut ranked: Vec<(f64, usize)> = values
        .iter()
        .enumerate()
        .filter_map(|(i, v)| v.map(|v| (v, i)))
        .collect();
    let n = ranked.len();
    let mut out = vec![None; values.len()];
    if n == 0 {
        return out;
    }
    // Descending by value; ties in source order (they get the same figure anyway).
    ranked.sort_unstable_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    let total: f64 = ranked.iter().map(|(v, _)| v).sum();

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
    out
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
    fn empty_and_zero_totals() {
        assert_eq!(pct(&[None, None]), vec![None, None]);
        assert_eq!(compute(Statistic::Share, &[Some(0.0)]), vec![None]);
    }
}
