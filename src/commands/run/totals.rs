//! The totals part of `run`'s summary: each summary total of this run beside the one the
//! previous period's official run recorded, with the difference; money totals labelled with
//! the config's currency.

use super::map;
use crate::output::RecordedTotals;
use crate::text::{amount, optional_number, signed, to_cents};
use crate::workspace::standing::PreviousRun;
use serde::Serialize;
use std::io::{self, Write};

/// The totals of the previous period's official run, against this run's.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TotalsSince {
    pub period: &'static str,
    pub run_id: i64,
    /// Whether that run recorded its totals (a run written by a tierwise before schema
    /// version 2 did not: then `totals` is empty).
    pub recorded: bool,
    /// Every total of either run: this run's in the summary's order, then those only the
    /// previous run had.
    #[serde(serialize_with = "map")]
    pub totals: Vec<(String, Change)>,
}

/// One total before and now (`None`: that run has no such total).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Change {
    pub money: bool,
    #[serde(serialize_with = "optional_number")]
    pub before: Option<f64>,
    #[serde(serialize_with = "optional_number")]
    pub now: Option<f64>,
    #[serde(serialize_with = "optional_number")]
    pub difference: Option<f64>,
    /// The difference in percent of `before` (`None` unless `before` is above 0:
    /// [`crate::text::percent_change`]).
    pub percent: Option<f64>,
}

impl TotalsSince {
    /// This run's `totals` (with which are `money`) against `previous`'s.
    pub fn new(previous: &PreviousRun, totals: &[(String, f64)], money: &[String]) -> Self {
        let before = match &previous.totals {
            RecordedTotals::Recorded(before) => Some(before),
            RecordedTotals::NotRecorded => None,
        };
        let mut changes = Vec::new();
        if let Some(before) = before {
            for (name, now) in totals {
                let was = before.iter().find(|(n, _)| n == name).map(|(_, v)| *v);
                changes.push((name.clone(), change(money, name, was, Some(*now))));
            }
            for (name, was) in before {
                if !totals.iter().any(|(n, _)| n == name) {
                    changes.push((name.clone(), change(money, name, Some(*was), None)));
                }
            }
        }
        TotalsSince {
            period: previous.period.label(),
            run_id: previous.run_id,
            recorded: before.is_some(),
            totals: changes,
        }
    }

    /// The lines under `totals since ...`, aligned.
    pub fn text(&self, out: &mut dyn Write, currency: Option<&str>) -> io::Result<()> {
        let shown =
            |v: Option<f64>, money: bool| v.map_or("-".to_owned(), |x| amount(x, money, currency));
        let rows: Vec<[String; 4]> = self
            .totals
            .iter()
            .map(|(name, c)| {
                let difference = match (c.difference, c.percent) {
                    (Some(d), _) if d.abs() < 0.005 => "  (no change)".to_owned(),
                    (Some(d), Some(p)) => format!("  ({}, {p:+.1}%)", signed(d, c.money)),
                    (Some(d), None) => format!("  ({})", signed(d, c.money)),
                    (None, _) => String::new(),
                };
                [
                    name.clone(),
                    shown(c.before, c.money),
                    shown(c.now, c.money),
                    difference,
                ]
            })
            .collect();
        let width = |k: usize| rows.iter().map(|r| r[k].chars().count()).max().unwrap_or(0);
        let (w0, w1, w2) = (width(0), width(1), width(2));
        for [name, before, now, difference] in rows {
            writeln!(
                out,
                "  {name:<w0$}  {before:>w1$} -> {now:>w2$}{difference}"
            )?;
        }
        Ok(())
    }
}

fn change(money: &[String], name: &str, before: Option<f64>, now: Option<f64>) -> Change {
    let money = money.iter().any(|m| m == name);
    // Money totals are kept to the cent; so is their difference.
    let difference = before
        .zip(now)
        .map(|(b, n)| if money { to_cents(n - b) } else { n - b });
    Change {
        money,
        before,
        now,
        difference,
        percent: difference
            .zip(before)
            .and_then(|(d, b)| crate::text::percent_change(d, b)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::cents;
    use crate::time::{Period, PeriodKind};

    #[test]
    fn amounts_for_people() {
        assert_eq!(cents(36_796_816.69), "36,796,816.69");
        assert_eq!(cents(1_000.0), "1,000.00");
        assert_eq!(cents(-0.001), "0.00");
        assert_eq!(cents(-1_234.5), "-1,234.50");
        assert_eq!(amount(12.5, true, Some("EUR")), "EUR 12.50");
        assert_eq!(amount(507.0, false, Some("EUR")), "507");
        assert_eq!(signed(784_416.59, true), "+784,416.59");
        assert_eq!(signed(-12.0, false), "-12");
    }

    #[test]
    fn totals_on_one_side_only_show_a_dash() {
        let previous = PreviousRun {
            period: Period::containing(
                PeriodKind::Quarter,
                crate::time::Date::parse("2026-06-30").unwrap(),
            ),
            run_id: 3,
            as_of: crate::time::Date::parse("2026-06-30").unwrap(),
            made_on: None,
            totals: RecordedTotals::Recorded(vec![
                ("cost".into(), 100.0),
                ("clawbacks".into(), -7128.37),
                ("gone".into(), 5.0),
            ]),
            rules: None,
        };
        let now = [
            ("cost".to_owned(), 150.0),
            ("clawbacks".to_owned(), -5478.05),
            ("added".to_owned(), 2.0),
        ];
        let since = TotalsSince::new(&previous, &now, &["cost".into(), "clawbacks".into()]);
        let mut text = Vec::new();
        since.text(&mut text, Some("EUR")).unwrap();
        assert_eq!(
            String::from_utf8(text).unwrap(),
            "  cost          EUR 100.00 ->    EUR 150.00  (+50.00, +50.0%)\n\
             \x20 clawbacks  EUR -7,128.37 -> EUR -5,478.05  (+1,650.32)\n\
             \x20 added                  - ->             2\n\
             \x20 gone                   5 ->             -\n"
        );
        assert_eq!(since.period, "2026-Q2");
        assert!(since.recorded);
    }
}

/// The official run this run replaces as its period's (a rerun: a correction of a quarter
/// already paid out), and what it changed against it: what the notes say in words, for
/// programs (what to pay or recover, whom to tell again).
#[derive(Debug, Serialize)]
pub struct Replaced {
    pub run_id: i64,
    pub as_of: String,
    pub customers: i64,
    /// Per output, the customers of both runs whose value this run changed.
    #[serde(serialize_with = "map")]
    pub changed: Vec<(String, i64)>,
    /// Customers this run holds and that run did not, and the other way round.
    pub new: i64,
    pub gone: i64,
    /// Every total, that run's (`before`) against this one's (`now`); empty when that run
    /// recorded none.
    #[serde(serialize_with = "map")]
    pub totals: Vec<(String, Change)>,
}

impl Replaced {
    /// What run `summary` replaced, when it replaced one (`totals`: this run's, `money`: which
    /// of them are money).
    pub fn of(
        summary: &crate::workspace::batch::RunSummary,
        period: crate::time::Period,
        totals: &[(String, f64)],
        money: &[String],
    ) -> Option<Replaced> {
        let (run_id, as_of, customers) = summary.standing.replaces?;
        let replaced = PreviousRun {
            period,
            run_id,
            as_of,
            made_on: None,
            totals: summary.standing.replaces_totals.clone(),
            rules: None,
        };
        let changes = &summary.standing.replaces_changed;
        Some(Replaced {
            run_id,
            as_of: as_of.to_string(),
            customers,
            changed: changes.outputs.clone(),
            new: changes.new,
            gone: changes.gone,
            totals: TotalsSince::new(&replaced, totals, money).totals,
        })
    }
}
