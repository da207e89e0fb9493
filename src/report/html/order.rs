//! Putting what was gathered in the order people read it: tiers in the rules' order
//! (`summary.moves`, highest first; never alphabetical by accident), categories by size, and
//! the quadrant's points sampled when there are too many to draw.

use super::gather::{MAX_POINTS, Scatter, TierRow};
use crate::rules::Quadrant;

/// The tiers in order: those of `order` first (even with no customer), then the others by
/// number of customers. Returns the rows and, per index of `names`, its place in them.
pub fn tiers(
    per_tier: &[TierRow],
    names: &[String],
    order: Option<&[String]>,
) -> (Vec<TierRow>, Vec<usize>) {
    let width = per_tier.first().map_or(0, |r| r.totals.len());
    let mut rows: Vec<TierRow> = Vec::new();
    let mut rank = vec![0; names.len()];
    for name in order.unwrap_or_default() {
        let row = match names.iter().position(|n| n == name) {
            Some(k) => {
                rank[k] = rows.len();
                per_tier[k].clone()
            }
            None => TierRow {
                totals: vec![0.0; width],
                ..TierRow::default()
            },
        };
        rows.push(TierRow {
            name: name.clone(),
            ..row
        });
    }
    let mut others: Vec<usize> = (0..names.len())
        .filter(|&k| !order.unwrap_or_default().contains(&names[k]))
        .collect();
    others.sort_by(|&a, &b| {
        per_tier[b]
            .customers
            .cmp(&per_tier[a].customers)
            .then(crate::text::reading_order(&names[a], &names[b]))
    });
    for k in others {
        rank[k] = rows.len();
        rows.push(TierRow {
            name: names[k].clone(),
            ..per_tier[k].clone()
        });
    }
    (rows, rank)
}

/// The quadrant's points: every customer with two finite values, or a sample of
/// [`MAX_POINTS`] of them when there are more (each customer equally likely, the same
/// sample for the same data). Categories are in `order` (the values the rules give the
/// colour output, in their order), then by size: a category keeps its colour from one
/// month's page to the next (by size, `core` was green one month and orange the next).
pub fn scatter(
    q: &Quadrant,
    xy: Vec<(f64, f64, u16)>,
    colours: Vec<String>,
    order: &[String],
) -> Scatter {
    let mut counts = vec![0usize; colours.len().max(1)];
    for &(_, _, c) in &xy {
        counts[c as usize] += 1;
    }
    // Points renumbered to match.
    let place_in_order = |k: usize| {
        order
            .iter()
            .position(|o| *o == colours[k])
            .unwrap_or(usize::MAX)
    };
    let mut by_place: Vec<usize> = (0..colours.len()).collect();
    by_place.sort_by(|&a, &b| {
        (place_in_order(a).cmp(&place_in_order(b)))
            .then(counts[b].cmp(&counts[a]))
            .then(colours[a].cmp(&colours[b]))
    });
    let mut place = vec![0u16; colours.len().max(1)];
    for (p, &k) in by_place.iter().enumerate() {
        place[k] = p as u16;
    }
    let categories = by_place
        .iter()
        .map(|&k| (colours[k].clone(), counts[k]))
        .collect();
    let mut unlisted = order.len();
    let palette = (by_place.iter())
        .map(|&k| match place_in_order(k) {
            usize::MAX => {
                unlisted += 1;
                unlisted - 1
            }
            place => place,
        })
        .collect();
    let mut points: Vec<(f64, f64, u16)> = xy
        .into_iter()
        .filter(|(x, y, _)| x.is_finite() && y.is_finite())
        .map(|(x, y, c)| (x, y, place[c as usize]))
        .collect();
    let plotted_of = points.len();
    if points.len() > MAX_POINTS {
        let mut keyed: Vec<(u64, usize)> =
            (0..points.len()).map(|i| (splitmix(i as u64), i)).collect();
        keyed.select_nth_unstable(MAX_POINTS - 1);
        let mut keep: Vec<usize> = keyed[..MAX_POINTS].iter().map(|&(_, i)| i).collect();
        keep.sort_unstable();
        points = keep.into_iter().map(|i| points[i]).collect();
    }
    Scatter {
        x: (q.x.name.clone(), q.x.money),
        y: (q.y.name.clone(), q.y.money),
        colour: q.colour.clone(),
        categories,
        palette,
        points,
        plotted_of,
        split: q.split,
    }
}

/// A well-mixed 64-bit hash of `i` (SplitMix64), for a fixed sample.
fn splitmix(i: u64) -> u64 {
    let mut z = i.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(customers: usize) -> TierRow {
        TierRow {
            customers,
            totals: vec![1.0],
            ..TierRow::default()
        }
    }

    #[test]
    fn tiers_follow_the_rules_order_then_size() {
        let names: Vec<String> = ["C", "zz", "A", "big"].map(String::from).into();
        let per = [row(5), row(1), row(2), row(9)];
        let order: Vec<String> = ["A", "B", "C"].map(String::from).into();
        let (rows, rank) = tiers(&per, &names, Some(&order));
        let got: Vec<(&str, usize)> = rows
            .iter()
            .map(|r| (r.name.as_str(), r.customers))
            .collect();
        assert_eq!(got, [("A", 2), ("B", 0), ("C", 5), ("big", 9), ("zz", 1)]);
        assert_eq!(rank, [2, 4, 0, 3]);
        assert_eq!(rows[1].totals, [0.0]);
    }
}
