//! Migration matrices: customers by their value under the base rules (rows) and under the
//! current rules (columns), for outputs with few values (tiers, segments, flags, payment
//! days of 30, 45 and 60).

use crate::engine::display_key;
use crate::value::Value;
use serde::Serialize;
use std::collections::HashMap;

/// At most this many distinct values make an output a matrix; more, and it is dropped.
pub const MAX_VALUES: usize = 12;

/// Customers by base value (rows) and current value (columns).
#[derive(Debug, Clone, Serialize)]
pub struct Matrix {
    pub output: String,
    /// The values of rows and columns, in order: the rules' declared order (`summary.moves`)
    /// where there is one, else true before false, else alphabetical; NULL last. As the
    /// rules give them (true, 45, "A", null).
    pub values: Vec<serde_json::Value>,
    /// The same values for people: `true`, `45`, `A`, `(none)`.
    #[serde(skip)]
    pub labels: Vec<String>,
    /// `counts[row][column]`.
    pub counts: Vec<Vec<usize>>,
    /// An output only one rule set has: its NULL on the other side against a value that
    /// gives nothing (0, false, empty) is no change.
    #[serde(skip)]
    pub one_sided: bool,
}

impl Matrix {
    /// Customers whose value changed.
    pub fn changed(&self) -> usize {
        self.moves().iter().map(|&(n, _, _)| n).sum()
    }

    /// Each change of value: how many customers, from the `r`-th value to the `c`-th, most
    /// customers first.
    pub fn moves(&self) -> Vec<(usize, usize, usize)> {
        let mut moves = Vec::new();
        for (r, row) in self.counts.iter().enumerate() {
            for (c, &count) in row.iter().enumerate() {
                let nothing = |k: usize| gives_nothing(&self.values[k]);
                let settled = self.one_sided
                    && ((self.values[r].is_null() && nothing(c))
                        || (self.values[c].is_null() && nothing(r)));
                if r != c && !settled && count > 0 {
                    moves.push((count, r, c));
                }
            }
        }
        moves.sort_by(|a, b| b.0.cmp(&a.0).then((a.1, a.2).cmp(&(b.1, b.2))));
        moves
    }
}

/// Counts one output's pairs of values while the customers go by.
#[derive(Debug)]
pub(super) struct Builder {
    pub output: String,
    /// Each value met: its label for people, and the value.
    keys: Vec<(String, serde_json::Value)>,
    counts: HashMap<(u8, u8), usize>,
    /// Too many values: no matrix.
    dropped: bool,
}

impl Builder {
    pub fn new(output: &str) -> Builder {
        Builder {
            output: output.to_owned(),
            keys: Vec::new(),
            counts: HashMap::new(),
            dropped: false,
        }
    }

    pub fn add(&mut self, before: &Value<'_>, after: &Value<'_>) {
        if self.dropped {
            return;
        }
        let (Some(r), Some(c)) = (self.key(before), self.key(after)) else {
            self.dropped = true;
            self.counts.clear();
            return;
        };
        *self.counts.entry((r, c)).or_default() += 1;
    }

    /// The value's position among the keys (added when new); `None` past [`MAX_VALUES`].
    /// Found without making its label, but for numbers and dates.
    fn key(&mut self, v: &Value<'_>) -> Option<u8> {
        let found = match v {
            // Lists are not values to tabulate.
            Value::Consts(_) | Value::List(_) | Value::Other(_) => return None,
            Value::Null => self.keys.iter().position(|(_, json)| json.is_null()),
            Value::Bool(b) => self.keys.iter().position(|(_, j)| j.as_bool() == Some(*b)),
            // Numbers by value, without making a label for every customer.
            Value::Int(_) | Value::Float(_) => {
                let x = v.as_f64();
                (self.keys.iter()).position(|(_, j)| j.is_number() && j.as_f64() == x)
            }
            v => match v.as_str() {
                Some(text) => self.keys.iter().position(|(_, j)| j.as_str() == Some(text)),
                // Dates: by their label and kind.
                None => {
                    let (label, json) = (display_key(v), v.to_json());
                    (self.keys.iter()).position(|(l, j)| *l == label && *j == json)
                }
            },
        };
        match found {
            Some(k) => Some(k as u8),
            None if self.keys.len() < MAX_VALUES => {
                let label = match v {
                    Value::Null => "(none)".to_owned(),
                    // Text that reads as a flag is shown in quotes (as NULL or as
                    // nothing, `"(none)"` and `""`: `display_key` quotes them).
                    v if matches!(v.as_str(), Some("true" | "false")) => {
                        format!("\"{}\"", display_key(v))
                    }
                    v => display_key(v),
                };
                self.keys.push((label, v.to_json()));
                Some((self.keys.len() - 1) as u8)
            }
            None => None,
        }
    }

    /// The matrix, its values in `order` (declared, highest first) where given.
    /// The matrix; `one_sided`: the output is one only one rule set has.
    pub fn finish(self, order: Option<&[String]>, one_sided: bool) -> Option<Matrix> {
        if self.dropped || self.keys.is_empty() {
            return None;
        }
        let rank = |(label, json): &(String, serde_json::Value)| {
            let declared = order
                .and_then(|o| o.iter().position(|v| v == label))
                .unwrap_or(usize::MAX);
            let flag = match json {
                serde_json::Value::Bool(true) => 0,
                serde_json::Value::Bool(false) => 1,
                serde_json::Value::Null => 3,
                _ => 2,
            };
            (declared, flag)
        };
        // Numbers highest first (as an order is written), other values alphabetically.
        let mut sorted: Vec<usize> = (0..self.keys.len()).collect();
        sorted.sort_by(|&a, &b| {
            let ((la, ja), (lb, jb)) = (&self.keys[a], &self.keys[b]);
            rank(&self.keys[a]).cmp(&rank(&self.keys[b])).then_with(|| {
                match (
                    ja.as_f64().filter(|_| ja.is_number()),
                    jb.as_f64().filter(|_| jb.is_number()),
                ) {
                    (Some(x), Some(y)) => y.total_cmp(&x),
                    _ => la.cmp(lb),
                }
            })
        });
        let position: Vec<usize> = {
            let mut p = vec![0; self.keys.len()];
            for (at, &k) in sorted.iter().enumerate() {
                p[k] = at;
            }
            p
        };
        let n = self.keys.len();
        let mut counts = vec![vec![0; n]; n];
        for ((r, c), count) in self.counts {
            counts[position[r as usize]][position[c as usize]] += count;
        }
        let (labels, values) = sorted.into_iter().map(|k| self.keys[k].clone()).unzip();
        Some(Matrix {
            output: self.output,
            values,
            labels,
            counts,
            one_sided,
        })
    }
}

/// A value that gives nothing: NULL, 0, false, empty text or list (an output only one rule
/// set has changes no customer it gives one of these).
pub(super) fn gives_nothing(v: &serde_json::Value) -> bool {
    use serde_json::Value as J;
    match v {
        J::Null | J::Bool(false) => true,
        J::Number(n) => n.as_f64() == Some(0.0),
        J::String(t) => t.is_empty(),
        J::Array(items) => items.is_empty(),
        J::Bool(true) | J::Object(_) => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_follow_the_declared_order_then_flags_then_names_and_none_last() {
        let mut b = Builder::new("tier");
        for (x, y) in [("C", "B"), ("A", "A"), ("B", "A"), ("dormant", "C")] {
            b.add(&Value::Str(x), &Value::Str(y));
        }
        b.add(&Value::Null, &Value::Str("C"));
        let order = ["A".to_owned(), "B".into(), "C".into(), "dormant".into()];
        let m = b.finish(Some(&order), false).expect("a matrix");
        assert_eq!(m.labels, ["A", "B", "C", "dormant", "(none)"]);
        let json = serde_json::json!(["A", "B", "C", "dormant", null]);
        assert_eq!(serde_json::Value::from(m.values.clone()), json);
        assert_eq!(m.counts[0], [1, 0, 0, 0, 0]);
        assert_eq!(m.counts[1], [1, 0, 0, 0, 0]);
        assert_eq!(m.counts[2], [0, 1, 0, 0, 0]);
        assert_eq!(m.counts[4], [0, 0, 1, 0, 0]);
        assert_eq!(m.changed(), 4);

        let mut flags = Builder::new("credit_block");
        flags.add(&Value::Bool(false), &Value::Bool(true));
        flags.add(&Value::Bool(true), &Value::Bool(true));
        // Text that reads like a flag or NULL is a value of its own.
        flags.add(&Value::Str("true"), &Value::Str("(none)"));
        flags.add(&Value::Null, &Value::Bool(false));
        let m = flags.finish(None, false).expect("a matrix");
        assert_eq!(
            m.labels,
            ["true", "false", "\"(none)\"", "\"true\"", "(none)"]
        );
        let json = serde_json::json!([true, false, "(none)", "true", null]);
        assert_eq!(serde_json::Value::from(m.values.clone()), json);
        assert_eq!(m.counts[0], [1, 0, 0, 0, 0]);
        assert_eq!(m.counts[1], [1, 0, 0, 0, 0]);
        assert_eq!(m.counts[3], [0, 0, 1, 0, 0]);
        assert_eq!(m.counts[4], [0, 1, 0, 0, 0]);
    }

    #[test]
    fn empty_text_is_labelled_with_its_quotes() {
        let mut b = Builder::new("block_reason");
        b.add(&Value::Str(""), &Value::Str("overdue share"));
        b.add(&Value::Str(""), &Value::Str(""));
        let m = b.finish(None, false).unwrap();
        assert_eq!(m.labels, ["\"\"", "overdue share"]);
    }

    #[test]
    fn a_date_met_again_is_the_same_value() {
        let mut b = Builder::new("since");
        let day = Value::Date(crate::time::Date::parse("2026-09-30").unwrap());
        for _ in 0..=MAX_VALUES {
            b.add(&day, &day);
        }
        let m = b.finish(None, false).expect("a matrix");
        assert_eq!(
            (m.labels, m.counts),
            (vec!["2026-09-30".to_owned()], vec![vec![13]])
        );
    }

    #[test]
    fn an_output_with_many_values_has_no_matrix() {
        let mut b = Builder::new("credit_limit");
        for k in 0..=MAX_VALUES as i64 {
            b.add(&Value::Int(k), &Value::Int(k));
        }
        assert!(b.finish(None, false).is_none());
    }
}
