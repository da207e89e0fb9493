//! The values one name may hold, as sets closed under "and", "or" and "not": numbers as
//! sorted disjoint intervals, texts as finitely many or all but finitely many, dates as
//! intervals of whole days, NULL, true/false, and "other" (lists). Every condition over one name is exact in this algebra;
//! [`super::region`] combines names.

use super::super::native::Cmp;
use crate::time::{Date, MAX_YEAR, MIN_YEAR};
use crate::value::Lit;
use std::collections::BTreeSet;

/// One end of a numeric interval; infinite ends are open.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct End {
    at: f64,
    closed: bool,
}

const NO_LOW: End = End {
    at: f64::NEG_INFINITY,
    closed: false,
};
const NO_HIGH: End = End {
    at: f64::INFINITY,
    closed: false,
};

#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct Interval {
    lo: End,
    hi: End,
}

impl Interval {
    const ALL: Interval = Interval {
        lo: NO_LOW,
        hi: NO_HIGH,
    };

    pub(super) fn new(
        lo: Option<f64>,
        lo_closed: bool,
        hi: Option<f64>,
        hi_closed: bool,
    ) -> Interval {
        Interval {
            lo: lo.map_or(NO_LOW, |at| End {
                at,
                closed: lo_closed,
            }),
            hi: hi.map_or(NO_HIGH, |at| End {
                at,
                closed: hi_closed,
            }),
        }
    }

    /// The one number the interval holds, if it holds one only.
    pub(super) fn single(self) -> Option<f64> {
        (self.lo.at == self.hi.at && self.lo.closed && self.hi.closed).then_some(self.lo.at)
    }

    fn point(x: f64) -> Interval {
        Interval::new(Some(x), true, Some(x), true)
    }

    fn is_empty(self) -> bool {
        self.lo.at > self.hi.at || (self.lo.at == self.hi.at && !(self.lo.closed && self.hi.closed))
    }

    fn meet(self, other: Interval) -> Interval {
        let tighter_lo = |a: End, b: End| a.at > b.at || (a.at == b.at && !a.closed);
        let tighter_hi = |a: End, b: End| a.at < b.at || (a.at == b.at && !a.closed);
        Interval {
            lo: if tighter_lo(self.lo, other.lo) {
                self.lo
            } else {
                other.lo
            },
            hi: if tighter_hi(self.hi, other.hi) {
                self.hi
            } else {
                other.hi
            },
        }
    }

    /// A round number inside the interval, for examples.
    fn example(self) -> f64 {
        let (lo, hi) = (self.lo, self.hi);
        if lo.at.is_finite() && lo.closed {
            return lo.at;
        }
        if hi.at.is_finite() && hi.closed {
            return hi.at;
        }
        match (lo.at.is_finite(), hi.at.is_finite()) {
            (false, false) => 0.0,
            (true, false) => lo.at.floor() + 1.0,
            (false, true) => hi.at.ceil() - 1.0,
            (true, true) => {
                let whole = lo.at.floor() + 1.0;
                if whole < hi.at {
                    whole
                } else {
                    (lo.at + hi.at) / 2.0
                }
            }
        }
    }
}

/// A set of numbers: sorted, disjoint intervals.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Numbers(pub(super) Vec<Interval>);

impl Numbers {
    fn all() -> Numbers {
        Numbers(vec![Interval::ALL])
    }

    pub(super) fn none() -> Numbers {
        Numbers(Vec::new())
    }

    fn of(interval: Interval) -> Numbers {
        Numbers(if interval.is_empty() {
            Vec::new()
        } else {
            vec![interval]
        })
    }

    fn meet(&self, other: &Numbers) -> Numbers {
        let mut out: Vec<Interval> = Vec::new();
        for a in &self.0 {
            for b in &other.0 {
                let m = a.meet(*b);
                if !m.is_empty() {
                    out.push(m);
                }
            }
        }
        out.sort_by(|a, b| {
            a.lo.at
                .total_cmp(&b.lo.at)
                .then(b.lo.closed.cmp(&a.lo.closed))
        });
        Numbers(out)
    }

    fn complement(&self) -> Numbers {
        let mut out = Vec::new();
        let mut lo = NO_LOW;
        for piece in &self.0 {
            let gap = Interval {
                lo,
                hi: End {
                    at: piece.lo.at,
                    closed: !piece.lo.closed,
                },
            };
            if !gap.is_empty() {
                out.push(gap);
            }
            lo = End {
                at: piece.hi.at,
                closed: !piece.hi.closed,
            };
        }
        let last = Interval { lo, hi: NO_HIGH };
        if !last.is_empty() {
            out.push(last);
        }
        Numbers(out)
    }

    fn contains(&self, x: f64) -> bool {
        self.0
            .iter()
            .any(|i| !i.meet(Interval::point(x)).is_empty())
    }
}

/// A set of texts: finitely many, or all but finitely many.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Texts {
    Only(BTreeSet<String>),
    AllBut(BTreeSet<String>),
}

impl Texts {
    fn meet(&self, other: &Texts) -> Texts {
        use Texts::*;
        match (self, other) {
            (Only(a), Only(b)) => Only(a.intersection(b).cloned().collect()),
            (Only(a), AllBut(b)) | (AllBut(b), Only(a)) => Only(a.difference(b).cloned().collect()),
            (AllBut(a), AllBut(b)) => AllBut(a.union(b).cloned().collect()),
        }
    }

    fn complement(&self) -> Texts {
        match self {
            Texts::Only(a) => Texts::AllBut(a.clone()),
            Texts::AllBut(a) => Texts::Only(a.clone()),
        }
    }

    fn is_empty(&self) -> bool {
        matches!(self, Texts::Only(a) if a.is_empty())
    }

    /// How many texts the set names (those it holds, or those it leaves out).
    pub(super) fn named(&self) -> usize {
        match self {
            Texts::Only(a) | Texts::AllBut(a) => a.len(),
        }
    }

    fn contains(&self, s: &str) -> bool {
        match self {
            Texts::Only(a) => a.contains(s),
            Texts::AllBut(a) => !a.contains(s),
        }
    }
}

/// The values one name may hold: NULL, numbers (integers and decimals alike, as they
/// compare), texts, dates, true/false, and `other` (lists, and a decimal that is not a
/// number), which equal no constant and are never ordered. Closed under "and", "or" and
/// "not", so every condition over one name is exact.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Values {
    pub(super) null: bool,
    pub(super) numbers: Numbers,
    pub(super) texts: Texts,
    /// Days since 1970-01-01, every interval from the start of a day to the start of a
    /// later one (`<= D` is `< D + 1`): the reals' algebra is then exact on whole days.
    pub(super) dates: Numbers,
    /// [false, true]
    pub(super) bools: [bool; 2],
    pub(super) other: bool,
}

impl Values {
    pub(super) fn all() -> Values {
        Values {
            null: true,
            numbers: Numbers::all(),
            texts: Texts::AllBut(BTreeSet::new()),
            dates: every_day(),
            bools: [true, true],
            other: true,
        }
    }

    pub(super) fn none() -> Values {
        Values {
            null: false,
            numbers: Numbers::none(),
            texts: Texts::Only(BTreeSet::new()),
            dates: Numbers::none(),
            bools: [false, false],
            other: false,
        }
    }

    pub(super) fn null() -> Values {
        Values {
            null: true,
            ..Values::none()
        }
    }

    pub(super) fn numbers(interval: Interval) -> Values {
        Values {
            numbers: Numbers::of(interval),
            ..Values::none()
        }
    }

    /// The days from `from` up to (not including) `until`; `None` is no end (the first or
    /// the last day there is).
    fn days(from: Option<Date>, until: Option<Date>) -> Values {
        let day = |d: Date| f64::from(d.0);
        let days = Numbers::of(Interval::new(from.map(day), true, until.map(day), false));
        Values {
            dates: days.meet(&every_day()),
            ..Values::none()
        }
    }

    fn text(s: &str) -> Values {
        Values {
            texts: Texts::Only([s.to_owned()].into()),
            ..Values::none()
        }
    }

    pub(super) fn bool(b: bool) -> Values {
        let mut v = Values::none();
        v.bools[b as usize] = true;
        v
    }

    pub(super) fn meet(&self, other: &Values) -> Values {
        Values {
            null: self.null && other.null,
            numbers: self.numbers.meet(&other.numbers),
            texts: self.texts.meet(&other.texts),
            dates: self.dates.meet(&other.dates),
            bools: [
                self.bools[0] && other.bools[0],
                self.bools[1] && other.bools[1],
            ],
            other: self.other && other.other,
        }
    }

    pub(super) fn complement(&self) -> Values {
        Values {
            null: !self.null,
            numbers: self.numbers.complement(),
            texts: self.texts.complement(),
            dates: self.dates.complement().meet(&every_day()),
            bools: [!self.bools[0], !self.bools[1]],
            other: !self.other,
        }
    }

    pub(super) fn join(&self, other: &Values) -> Values {
        self.complement().meet(&other.complement()).complement()
    }

    /// The texts the set holds when it holds nothing else (no NULL, number, date, ...).
    pub(super) fn only_texts(&self) -> Option<&BTreeSet<String>> {
        match &self.texts {
            Texts::Only(set)
                if !self.null
                    && self.numbers.0.is_empty()
                    && self.dates.0.is_empty()
                    && self.bools == [false, false]
                    && !self.other =>
            {
                Some(set)
            }
            _ => None,
        }
    }

    pub(super) fn is_empty(&self) -> bool {
        !self.null
            && self.numbers.0.is_empty()
            && self.texts.is_empty()
            && self.dates.0.is_empty()
            && self.bools == [false, false]
            && !self.other
    }

    pub(super) fn is_subset(&self, of: &Values) -> bool {
        self.meet(&of.complement()).is_empty()
    }

    /// Whether the constant is in the set (`None` for a list).
    pub(super) fn contains(&self, lit: &Lit) -> Option<bool> {
        Some(match lit {
            Lit::Null => self.null,
            Lit::Bool(b) => self.bools[*b as usize],
            Lit::Str(s) => self.texts.contains(s),
            Lit::Int(_) | Lit::Float(_) => self.numbers.contains(number(lit)?),
            Lit::Date(d) => self.dates.contains(f64::from(d.0)),
            Lit::List(_) => return None,
        })
    }

    /// The values a constant stands for: a list is `other`.
    pub(super) fn of_constant(lit: &Lit) -> Values {
        match lit {
            Lit::Null => Values::null(),
            Lit::Bool(b) => Values::bool(*b),
            Lit::Str(s) => Values::text(s),
            Lit::Int(_) | Lit::Float(_) => match number(lit) {
                Some(x) => Values::numbers(Interval::point(x)),
                None => Values {
                    numbers: Numbers::all(),
                    ..Values::none()
                },
            },
            Lit::Date(d) => Values::days(Some(*d), next_day(*d)),
            Lit::List(_) => Values {
                other: true,
                ..Values::none()
            },
        }
    }

    /// The values `v` for which `v <op> lit` is true, as `native::compare` decides it.
    /// `None` for comparisons this analysis does not model (text ordering, lists).
    pub(super) fn compared(op: Cmp, lit: &Lit) -> Option<Values> {
        let ordering = !matches!(op, Cmp::Eq | Cmp::Ne);
        let equal = match lit {
            Lit::Int(_) | Lit::Float(_) => {
                let x = number(lit)?;
                let v = |lo, lo_closed, hi, hi_closed| {
                    Values::numbers(Interval::new(lo, lo_closed, hi, hi_closed))
                };
                match op {
                    Cmp::Lt => return Some(v(None, false, Some(x), false)),
                    Cmp::Le => return Some(v(None, false, Some(x), true)),
                    Cmp::Gt => return Some(v(Some(x), false, None, false)),
                    Cmp::Ge => return Some(v(Some(x), true, None, false)),
                    Cmp::Eq | Cmp::Ne => Values::numbers(Interval::point(x)),
                }
            }
            Lit::Date(d) => {
                let (d, next) = (Some(*d), next_day(*d));
                match op {
                    Cmp::Lt => return Some(Values::days(None, d)),
                    Cmp::Le => return Some(Values::days(None, next)),
                    // No day comes after the last there is.
                    Cmp::Gt if next.is_none() => return Some(Values::none()),
                    Cmp::Gt => return Some(Values::days(next, None)),
                    Cmp::Ge => return Some(Values::days(d, None)),
                    Cmp::Eq | Cmp::Ne => Values::days(d, next),
                }
            }
            Lit::Str(_) if ordering => return None,
            Lit::Str(s) => Values::text(s),
            // NULL and true/false are never ordered.
            Lit::Null | Lit::Bool(_) if ordering => return Some(Values::none()),
            Lit::Null => Values::null(),
            Lit::Bool(b) => Values::bool(*b),
            Lit::List(_) => return None,
        };
        Some(if op == Cmp::Ne {
            equal.complement()
        } else {
            equal
        })
    }
}

impl Values {
    /// [`Values::compared`] for a name that holds whole numbers only (a count of days): the
    /// bounds snap to them, `<= 30` is `< 31` and `== 5` is `[5, 6)`, so `<= 30` and `>= 31`
    /// leave no gap (no such name holds 30.5).
    pub(super) fn compared_whole(op: Cmp, lit: &Lit) -> Option<Values> {
        let x = match lit {
            Lit::Int(_) | Lit::Float(_) => number(lit)?,
            _ => return Values::compared(op, lit),
        };
        let v = |lo, hi| Values::numbers(Interval::new(lo, lo.is_some(), hi, false));
        let equal = match x.fract() == 0.0 {
            true => v(Some(x), Some(x + 1.0)),
            false => Values::none(),
        };
        Some(match op {
            Cmp::Lt => v(None, Some(x.ceil())),
            Cmp::Le => v(None, Some(x.floor() + 1.0)),
            Cmp::Gt => v(Some(x.floor() + 1.0), None),
            Cmp::Ge => v(Some(x.ceil()), None),
            Cmp::Eq => equal,
            Cmp::Ne => equal.complement(),
        })
    }
}

/// Every date there is (years 1 to 9999), as days: a gap's example is a real date.
fn every_day() -> Numbers {
    let first = Date::new(MIN_YEAR, 1, 1).map(|d| f64::from(d.0));
    let after_last = Date::new(MAX_YEAR, 12, 31).map(|d| f64::from(d.0) + 1.0);
    Numbers::of(Interval::new(first, true, after_last, false))
}

/// The day after `d`; `None` (no end) past the last date there is.
fn next_day(d: Date) -> Option<Date> {
    d.add_days(1)
}

/// A numeric constant as the decimal it compares as. Integers beyond 2^53 are left out:
/// they compare exactly with integers, which a decimal cannot stand for.
fn number(lit: &Lit) -> Option<f64> {
    const EXACT: i64 = 1 << 53;
    match lit {
        Lit::Int(i) if i.unsigned_abs() < EXACT as u64 => Some(*i as f64),
        Lit::Float(f) if f.is_finite() => Some(*f),
        _ => None,
    }
}

/// One value of the set, in words: `5`, `"A"`, `true`, `NULL`.
pub(super) fn describe(v: &Values) -> String {
    if let Some(i) = v.numbers.0.first() {
        return format!("{}", i.example());
    }
    match &v.texts {
        Texts::Only(set) if !set.is_empty() => {
            return format!("{:?}", set.first().expect("not empty"));
        }
        Texts::AllBut(set) if set.is_empty() => return "any text".into(),
        Texts::AllBut(set) => {
            // A table of customer overrides leaves out thousands: a few, and how many.
            let shown: Vec<String> = set.iter().take(5).map(|s| format!("{s:?}")).collect();
            let more = match set.len() {
                n if n > shown.len() => format!(" and {} more", n - shown.len()),
                _ => String::new(),
            };
            return format!("a text other than {}{more}", shown.join(", "));
        }
        Texts::Only(_) => {}
    }
    if let Some(i) = v.dates.0.first() {
        // A whole day: interval ends are starts of days.
        return Date(i.example() as i32).to_string();
    }
    if v.bools[1] {
        "true".into()
    } else if v.bools[0] {
        "false".into()
    } else if v.null {
        "NULL".into()
    } else {
        "a list".into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_algebra() {
        let ge5 = Values::compared(Cmp::Ge, &Lit::Int(5)).unwrap();
        let lt5 = Values::compared(Cmp::Lt, &Lit::Float(5.0)).unwrap();
        // Orderings exclude NULL: together they leave NULL, texts, true/false and lists.
        let rest = ge5.join(&lt5).complement();
        assert!(rest.null && rest.numbers.0.is_empty() && rest.other);
        // `!=` holds for NULL and for other kinds.
        let ne = Values::compared(Cmp::Ne, &Lit::Str("A".into())).unwrap();
        assert!(ne.null && ne.contains(&Lit::Int(1)) == Some(true));
        assert_eq!(ne.contains(&Lit::Str("A".into())), Some(false));
        // Beyond 2^53 integers are not modelled.
        assert!(Values::compared(Cmp::Lt, &Lit::Int(1 << 60)).is_none());
        assert_eq!(Interval::new(Some(0.3), false, None, false).example(), 1.0);
        // Dates are whole days: `<= D` and `> D` leave no day out, `== D` is one day.
        let d = Lit::Date(Date::parse("2024-05-31").unwrap());
        let le = Values::compared(Cmp::Le, &d).unwrap();
        let gt = Values::compared(Cmp::Gt, &Lit::Date(Date::parse("2024-05-31").unwrap())).unwrap();
        assert!(le.join(&gt).complement().dates.0.is_empty());
        let eq = Values::compared(Cmp::Eq, &d).unwrap();
        assert_eq!(describe(&eq), "2024-05-31");
        assert_eq!(eq.contains(&d), Some(true));
        let lt = Values::compared(Cmp::Lt, &Lit::Date(Date::parse("2024-06-01").unwrap()));
        assert_eq!(
            describe(&lt.unwrap().meet(&Values::compared(Cmp::Ge, &d).unwrap())),
            "2024-05-31"
        );
        assert_eq!(
            Interval::new(Some(0.3), false, Some(0.4), false).example(),
            0.35
        );
        // The first and the last day there is: nothing after the last, nothing before the
        // first, and a gap's example is a real date.
        let last = Lit::Date(Date::new(9999, 12, 31).unwrap());
        let first = Lit::Date(Date::new(1, 1, 1).unwrap());
        assert!(Values::compared(Cmp::Gt, &last).unwrap().is_empty());
        assert!(Values::compared(Cmp::Lt, &first).unwrap().is_empty());
        let rest = Values::compared(Cmp::Ge, &first).unwrap().complement();
        assert!(rest.dates.0.is_empty() && rest.null);
        let before = Values::compared(Cmp::Le, &last).unwrap().complement();
        assert!(before.dates.0.is_empty());
    }
}
