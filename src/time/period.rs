//! Periods: a run belongs to the month, quarter or year (the config's `period:`) that holds
//! its `as_of` date, labelled `2026-09`, `2026-Q3` or `2026`. History is kept per period:
//! "previous" means the period before a run's own.

use super::Date;
use serde::Deserialize;
use std::fmt;

/// How long a period is.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PeriodKind {
    #[default]
    Month,
    Quarter,
    Year,
}

impl PeriodKind {
    pub fn name(self) -> &'static str {
        match self {
            PeriodKind::Month => "month",
            PeriodKind::Quarter => "quarter",
            PeriodKind::Year => "year",
        }
    }

    pub fn months(self) -> i64 {
        match self {
            PeriodKind::Month => 1,
            PeriodKind::Quarter => 3,
            PeriodKind::Year => 12,
        }
    }

    /// An example label, for messages.
    pub fn example(self) -> &'static str {
        match self {
            PeriodKind::Month => "2026-09",
            PeriodKind::Quarter => "2026-Q3",
            PeriodKind::Year => "2026",
        }
    }
}

/// One month, quarter or year.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Period {
    pub kind: PeriodKind,
    /// The first day of the period.
    pub start: Date,
}

impl Period {
    /// The period of `kind` that holds `date`.
    pub fn containing(kind: PeriodKind, date: Date) -> Period {
        let (y, m, _) = date.ymd();
        let first_month = match kind {
            PeriodKind::Month => m,
            PeriodKind::Quarter => (m - 1) / 3 * 3 + 1,
            PeriodKind::Year => 1,
        };
        let start = Date::new(y, first_month, 1).expect("the first of a month exists");
        Period { kind, start }
    }

    /// The last day of the period.
    pub fn end(self) -> Date {
        self.start
            .add_months(self.kind.months())
            .and_then(|next| next.add_days(-1))
            .unwrap_or(Date::new(super::date::MAX_YEAR, 12, 31).expect("a date"))
    }

    /// The period `k` periods before this one (`k = 1`: the previous period).
    pub fn back(self, k: u32) -> Option<Period> {
        let start = self
            .start
            .add_months(-(self.kind.months() * i64::from(k)))?;
        Some(Period {
            kind: self.kind,
            start,
        })
    }

    pub fn previous(self) -> Option<Period> {
        self.back(1)
    }

    /// Periods in order as their labels, periods in a row as one range (`2026-12 to
    /// 9999-11`: a year mistyped ahead lists no 96,000 months).
    pub fn ranges(periods: &[Period]) -> Vec<String> {
        let mut out: Vec<(Period, Period)> = Vec::new();
        for &p in periods {
            match out.last_mut() {
                Some((_, last)) if p.previous() == Some(*last) => *last = p,
                _ => out.push((p, p)),
            }
        }
        (out.into_iter())
            .map(|(first, last)| match first == last {
                true => first.label().to_owned(),
                false => format!("{} to {}", first.label(), last.label()),
            })
            .collect()
    }

    /// Whether `date` is in the period.
    pub fn contains(self, date: Date) -> bool {
        self.start <= date && date <= self.end()
    }

    /// A period label: `2026-09` (a month), `2026-Q3` (a quarter) or `2026` (a year).
    pub fn parse(text: &str) -> Result<Period, String> {
        let t = text.trim();
        let bad = || {
            format!(
                "`{text}` is not a period: write a month as 2026-09, a quarter as 2026-Q3, a year as 2026"
            )
        };
        let year = |s: &str| -> Result<i32, String> {
            (s.len() == 4 && s.bytes().all(|c| c.is_ascii_digit()))
                .then(|| s.parse().ok())
                .flatten()
                .filter(|y| *y >= super::date::MIN_YEAR)
                .ok_or_else(bad)
        };
        let (kind, y, first_month) = match t.split_once('-') {
            None => (PeriodKind::Year, year(t)?, 1),
            Some((y, q)) if q.starts_with(['Q', 'q']) => {
                let q: u32 = (q.len() == 2)
                    .then(|| q[1..].parse().ok())
                    .flatten()
                    .filter(|q| (1..=4).contains(q))
                    .ok_or_else(bad)?;
                (PeriodKind::Quarter, year(y)?, (q - 1) * 3 + 1)
            }
            Some((y, m)) => {
                let month: u32 = (m.len() == 2)
                    .then(|| m.parse().ok())
                    .flatten()
                    .filter(|m| (1..=12).contains(m))
                    .ok_or_else(bad)?;
                (PeriodKind::Month, year(y)?, month)
            }
        };
        let start = Date::new(y, first_month, 1).ok_or_else(bad)?;
        Ok(Period { kind, start })
    }
}

impl Period {
    /// The label as text that lives as long as the program: every period's label is made
    /// once and kept (a run has one period; a process sees a handful), so rules can borrow
    /// it for every customer without copying or counting references.
    pub fn label(self) -> &'static str {
        use std::collections::HashMap;
        use std::sync::{Mutex, OnceLock};
        static LABELS: OnceLock<Mutex<HashMap<Period, &'static str>>> = OnceLock::new();
        let mut labels = LABELS
            .get_or_init(Default::default)
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        labels
            .entry(self)
            .or_insert_with(|| Box::leak(self.to_string().into_boxed_str()))
    }
}

impl PartialOrd for Period {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

/// Periods order by their end, then the shorter first: of one kind, as time goes; across a
/// change of `period:`, 2026-03, 2026-Q1, 2026-04 (a quarter is later than its months, a
/// year than its last quarter), not the year before its February.
impl Ord for Period {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        (self.end(), self.kind.months()).cmp(&(other.end(), other.kind.months()))
    }
}

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (y, m, _) = self.start.ymd();
        match self.kind {
            PeriodKind::Month => write!(f, "{y:04}-{m:02}"),
            PeriodKind::Quarter => write!(f, "{y:04}-Q{}", (m - 1) / 3 + 1),
            PeriodKind::Year => write!(f, "{y:04}"),
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn periods_in_a_row_read_as_a_range() {
        let months: Vec<Period> = ["2026-02", "2026-04", "2026-05", "2026-06", "2026-08"]
            .iter()
            .map(|m| Period::parse(m).unwrap())
            .collect();
        assert_eq!(
            Period::ranges(&months),
            ["2026-02", "2026-04 to 2026-06", "2026-08"]
        );
        assert_eq!(Period::ranges(&[]), Vec::<String>::new());
    }

    use super::*;

    fn d(s: &str) -> Date {
        Date::parse(s).unwrap()
    }

    #[test]
    fn the_period_of_a_date_its_label_start_and_end() {
        let q = Period::containing(PeriodKind::Quarter, d("2026-09-30"));
        assert_eq!(q.to_string(), "2026-Q3");
        assert_eq!((q.start, q.end()), (d("2026-07-01"), d("2026-09-30")));
        let m = Period::containing(PeriodKind::Month, d("2024-02-10"));
        assert_eq!(
            (m.to_string(), m.end()),
            ("2024-02".into(), d("2024-02-29"))
        );
        let y = Period::containing(PeriodKind::Year, d("2026-01-01"));
        assert_eq!((y.to_string(), y.end()), ("2026".into(), d("2026-12-31")));
        assert!(q.contains(d("2026-07-01")) && q.contains(d("2026-09-30")));
        assert!(!q.contains(d("2026-10-01")) && !q.contains(d("2026-06-30")));
    }

    #[test]
    fn previous_periods_cross_years() {
        let q1 = Period::parse("2026-Q1").unwrap();
        assert_eq!(q1.previous().unwrap().to_string(), "2025-Q4");
        assert_eq!(q1.back(4).unwrap().to_string(), "2025-Q1");
        let jan = Period::parse("2026-01").unwrap();
        assert_eq!(jan.previous().unwrap().to_string(), "2025-12");
        assert_eq!(
            Period::parse("2026")
                .unwrap()
                .previous()
                .unwrap()
                .to_string(),
            "2025"
        );
        assert!(q1.previous().unwrap() < q1);
    }

    #[test]
    fn labels_parse_back_and_mistakes_say_how_to_write_them() {
        for label in ["2026-09", "2026-Q3", "2026", "1999-12", "2000-Q1"] {
            assert_eq!(Period::parse(label).unwrap().to_string(), label);
        }
        assert_eq!(Period::parse("2026-q3").unwrap().to_string(), "2026-Q3");
        for bad in [
            "2026-13", "2026-Q5", "2026-Q0", "26-Q1", "2026-9", "Q3-2026", "2026-Q3x", "",
        ] {
            let err = Period::parse(bad).unwrap_err();
            assert!(err.contains("a quarter as 2026-Q3"), "{bad}: {err}");
        }
    }
}
