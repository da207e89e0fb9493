//! How each `summary.moves` output moved since the previous period, as `run` shows it: the
//! customers up, down, the same and new; the migration matrix (value before by value now);
//! and per value, where its customers came from and how many left it. Everything is read
//! off the counts the evaluation kept ([`MoveCount`]): no second pass over the customers.

use super::{map, nested_map};
use crate::engine::MoveCount;
use crate::report::number_table;
use crate::report::thousands;
use serde::Serialize;
use std::io::{self, Write};

/// The row of customers with no value in the previous period.
pub const NEW: &str = "(new)";
/// The row and column of values the order does not rank (shown only when there are any).
pub const OTHER: &str = "(other)";

/// One output's moves since the previous period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Moves {
    pub up: usize,
    pub down: usize,
    pub same: usize,
    /// From or to a value the order does not rank.
    pub changed: usize,
    /// No value in the previous period.
    pub new: usize,
    /// In the previous period's run, not in this run's source.
    pub gone: usize,
    /// Customers by value before (rows: the order's values, `(other)` when any, `(new)`)
    /// and value now (columns: the order's values, `(other)` when any).
    #[serde(serialize_with = "nested_map")]
    pub matrix: Vec<(String, Vec<(String, usize)>)>,
    /// Per value of the order (and `(other)` when the matrix has it): where its customers
    /// came from and went.
    #[serde(serialize_with = "map")]
    pub values: Vec<(String, Flow)>,
}

/// One value's customers: `now = before - left + from_above + from_below + from_other +
/// new`. For `(other)`, the values the order does not rank taken as one, `from_other` is
/// its customers from a ranked value.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Flow {
    /// This run's customers who had the value in the previous period.
    pub before: usize,
    /// Came from a higher value (moved down into it).
    pub from_above: usize,
    /// Came from a lower value (moved up into it).
    pub from_below: usize,
    /// Came from a value the order does not rank (for `(other)`: from one it ranks).
    pub from_other: usize,
    /// Had no value in the previous period.
    pub new: usize,
    /// Had it in the previous period and another value now.
    pub left: usize,
    /// Had it in the previous period and are not in this run's source: the previous run's
    /// customers with the value are `before + gone`.
    pub gone: usize,
    /// Have it now.
    pub now: usize,
}

impl Moves {
    /// The report of `count`, an output whose values are `order`, highest first; `gone`:
    /// how many of the previous period's customers no longer in the source had each value,
    /// `gone_total` how many there are (those with a value the order does not rank, or
    /// none, included).
    pub fn new(count: &MoveCount, order: &[String], gone: &[usize], gone_total: usize) -> Self {
        let n = order.len();
        let other =
            (0..=n + 1).any(|r| count.cell(r, n) > 0) || (0..n).any(|c| count.cell(n, c) > 0);
        let mut labels: Vec<(usize, &str)> =
            order[..n].iter().map(String::as_str).enumerate().collect();
        if other {
            labels.push((n, OTHER));
        }
        let mut rows = labels.clone();
        rows.push((n + 1, NEW));
        let matrix = rows
            .iter()
            .map(|&(r, before)| {
                let cells = labels
                    .iter()
                    .map(|&(c, now)| (now.to_owned(), count.cell(r, c)));
                (before.to_owned(), cells.collect())
            })
            .collect();
        let mut values: Vec<(String, Flow)> = (0..n)
            .map(|v| {
                let gone = gone.get(v).copied().unwrap_or(0);
                (order[v].clone(), flow(count, n, v, gone))
            })
            .collect();
        // Beside the matrix's `(other)`: its gone customers are those the values do not
        // count (a value the order does not rank, or none).
        if other {
            let gone_ranked: usize = values.iter().map(|(_, f)| f.gone).sum();
            let gone_other = gone_total.saturating_sub(gone_ranked);
            values.push((OTHER.to_owned(), other_flow(count, n, gone_other)));
        }
        Moves {
            up: count.up,
            down: count.down,
            same: count.same,
            changed: count.changed,
            new: count.new,
            gone: gone_total,
            matrix,
            values,
        }
    }

    /// `390 up, 218 down, 8,652 same, 353 new`.
    pub fn line(&self) -> String {
        let mut parts = vec![
            format!("{} up", thousands(self.up as f64)),
            format!("{} down", thousands(self.down as f64)),
            format!("{} same", thousands(self.same as f64)),
        ];
        if self.changed > 0 {
            parts.push(format!("{} unranked", thousands(self.changed as f64)));
        }
        parts.push(format!("{} new", thousands(self.new as f64)));
        if self.gone > 0 {
            parts.push(format!("{} gone", thousands(self.gone as f64)));
        }
        parts.join(", ")
    }

    /// The matrix and the flows per value, as two small tables.
    pub fn tables(
        &self,
        out: &mut dyn Write,
        name: &str,
        before: &str,
        now: &str,
    ) -> io::Result<()> {
        writeln!(out, "\n  {name} (rows: {before}, columns: {now})")?;
        let mut rows = vec![header("", self.matrix.first().map(|(_, c)| c))];
        for (label, cells) in &self.matrix {
            let mut row = vec![label.clone()];
            row.extend(cells.iter().map(|(_, n)| thousands(*n as f64)));
            rows.push(row);
        }
        number_table(out, &rows)?;
        writeln!(out)?;
        // `from other` only where some value is not ranked: the rows then add up.
        let others = self.values.iter().any(|(value, _)| value == OTHER);
        let mut head = vec![name, "before", "from above", "from below"];
        if others {
            head.push("from other");
        }
        head.extend(["new", "left", "gone", "now"]);
        let mut rows = vec![head.into_iter().map(String::from).collect::<Vec<_>>()];
        for (value, f) in &self.values {
            let mut counts = vec![f.before, f.from_above, f.from_below];
            if others {
                counts.push(f.from_other);
            }
            counts.extend([f.new, f.left, f.gone, f.now]);
            let mut row = vec![value.clone()];
            row.extend(counts.into_iter().map(|n| thousands(n as f64)));
            rows.push(row);
        }
        number_table(out, &rows)
    }
}

/// A header row: `first`, then the columns' labels.
fn header(first: &str, columns: Option<&Vec<(String, usize)>>) -> Vec<String> {
    let mut row = vec![first.to_owned()];
    row.extend(
        columns
            .into_iter()
            .flatten()
            .map(|(label, _)| label.clone()),
    );
    row
}

/// The flow of the `v`-th of `n` ranked values, `gone` of its customers gone since.
fn flow(count: &MoveCount, n: usize, v: usize, gone: usize) -> Flow {
    let before: usize = (0..=n).map(|c| count.cell(v, c)).sum();
    let now: usize = (0..=n + 1).map(|r| count.cell(r, v)).sum();
    Flow {
        before,
        from_above: (0..v).map(|r| count.cell(r, v)).sum(),
        from_below: (v + 1..n).map(|r| count.cell(r, v)).sum(),
        from_other: count.cell(n, v),
        new: count.cell(n + 1, v),
        left: before - count.cell(v, v),
        gone,
        now,
    }
}

/// The flow of the values the order does not rank, taken as one value (index `n`): its
/// customers from ranked values are `from_other`, and a move between two unranked values
/// stays in it.
fn other_flow(count: &MoveCount, n: usize, gone: usize) -> Flow {
    let before: usize = (0..=n).map(|c| count.cell(n, c)).sum();
    Flow {
        before,
        from_above: 0,
        from_below: 0,
        from_other: (0..n).map(|r| count.cell(r, n)).sum(),
        new: count.cell(n + 1, n),
        left: before - count.cell(n, n),
        gone,
        now: (0..=n + 1).map(|r| count.cell(r, n)).sum(),
    }
}
