//! Population figures ranked within groups (`by: country`): each group of customers with the
//! same `by` value is a population of its own, ranked as [`super::population`] ranks all
//! customers. A customer whose `by` value is NULL is in no group, so not ranked.

use super::population::{Ranking, compute_ranked};
use crate::rules::stats::{Params, Statistic};
use crate::time::Date;
use crate::value::Value;
use std::collections::HashMap;

/// A `by` value, as a group's key: numbers the rules' `==` calls equal are one group (`1`
/// and `1.0`, `0.3` and `0.1 + 0.2`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum GroupKey {
    Text(Box<str>),
    Whole(i64),
    Decimal(u64),
    Bool(bool),
    Date(Date),
}

impl GroupKey {
    /// The key of a `by` value (`None`: NULL, in no group); a list or a map is an error.
    pub fn of(v: &Value<'_>) -> Result<Option<GroupKey>, String> {
        Ok(Some(match v {
            Value::Null => return Ok(None),
            Value::Bool(b) => GroupKey::Bool(*b),
            Value::Int(i) => GroupKey::Whole(*i),
            Value::Float(f) if !f.is_finite() => return Ok(None),
            Value::Float(f) => match crate::value::compared_decimal(*f) {
                // Whole and in range: the key of the integer it equals (+0.0 and -0.0 alike).
                f if f.fract() == 0.0 && f.abs() < 9.0e18 => GroupKey::Whole(f as i64),
                f => GroupKey::Decimal(f.to_bits()),
            },
            Value::Date(d) => GroupKey::Date(*d),
            v => match v.as_str() {
                Some(s) => GroupKey::Text(s.into()),
                None => {
                    return Err(format!(
                        "`by:` groups customers by a text, a number, true/false or a date, got `{v}` ({})",
                        v.type_name()
                    ));
                }
            },
        }))
    }
}

/// A figure's ranked values, to place newcomers (a prospect posted to `serve`) and to say in
/// `explain` how many were ranked: of all customers, or per group.
#[derive(Debug, Clone)]
pub enum Rankings {
    All(Ranking),
    By {
        statistic: Statistic,
        params: Params,
        groups: HashMap<GroupKey, Ranking>,
    },
}

impl Rankings {
    /// The ranking a customer of group `key` was ranked in: `None` when grouped and the key
    /// is NULL (not ranked) or no customer of the population is in its group.
    pub fn of(&self, key: Option<&GroupKey>) -> Option<&Ranking> {
        match self {
            Rankings::All(r) => Some(r),
            Rankings::By { groups, .. } => groups.get(key?),
        }
    }

    /// The figure of a newcomer of group `key` with this value, counted among its group
    /// (alone, when no customer is in it): nobody else's figure moves. `was`: the group and
    /// value of the customer it stands in for, left out of the count (a what-if on a
    /// current customer).
    pub fn place(
        &self,
        key: Option<&GroupKey>,
        value: Option<f64>,
        was: Option<(Option<&GroupKey>, Option<f64>)>,
    ) -> Option<f64> {
        match self {
            Rankings::All(r) => r.place(value, was.and_then(|(_, v)| v)),
            Rankings::By {
                statistic,
                params,
                groups,
            } => {
                // Left out only of the group it was ranked in.
                let was = was.filter(|(k, _)| *k == key).and_then(|(_, v)| v);
                match groups.get(key?) {
                    Some(r) => r.place(value, was),
                    None => compute_ranked(*statistic, *params, &[])
                        .1
                        .place(value, None),
                }
            }
        }
    }
}

/// Each customer's figure (`None`: not ranked) and the rankings: over all customers when
/// `keys` is `None`, else within each group of equal keys (a NULL key is not ranked).
pub fn compute(
    statistic: Statistic,
    params: Params,
    values: &[Option<f64>],
    keys: Option<&[Option<GroupKey>]>,
) -> (Vec<Option<f64>>, Rankings) {
    let Some(keys) = keys else {
        let (figures, ranking) = compute_ranked(statistic, params, values);
        return (figures, Rankings::All(ranking));
    };
    let mut members: HashMap<&GroupKey, Vec<usize>> = HashMap::new();
    for (i, (value, key)) in values.iter().zip(keys).enumerate() {
        if let (Some(_), Some(key)) = (value, key) {
            members.entry(key).or_default().push(i);
        }
    }
    let mut figures = vec![None; values.len()];
    let mut groups = HashMap::with_capacity(members.len());
    for (key, indices) in members {
        let group: Vec<Option<f64>> = indices.iter().map(|&i| values[i]).collect();
        let (figured, ranking) = compute_ranked(statistic, params, &group);
        for (&i, figure) in indices.iter().zip(figured) {
            figures[i] = figure;
        }
        groups.insert(key.clone(), ranking);
    }
    let rankings = Rankings::By {
        statistic,
        params,
        groups,
    };
    (figures, rankings)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(s: &str) -> Option<GroupKey> {
        Some(GroupKey::Text(s.into()))
    }

    #[test]
    fn each_group_is_ranked_on_its_own_and_a_null_key_is_not_ranked() {
        // DE: 10, 20, 30; FR: 5, 1; one customer with no country.
        let values = [10.0, 5.0, 20.0, 1.0, 30.0, 99.0].map(Some);
        let keys = [key("DE"), key("FR"), key("DE"), key("FR"), key("DE"), None];
        let (ranks, rankings) =
            compute(Statistic::Rank, Params::default(), &values, Some(&keys[..]));
        assert_eq!(
            ranks,
            [Some(3.0), Some(1.0), Some(2.0), Some(2.0), Some(1.0), None]
        );
        assert_eq!(rankings.of(key("DE").as_ref()).map(Ranking::len), Some(3));
        assert_eq!(rankings.of(None).map(Ranking::len), None);
        // A newcomer of FR with 3 comes second in FR; of a country nobody is in, first.
        assert_eq!(
            rankings.place(key("FR").as_ref(), Some(3.0), None),
            Some(2.0)
        );
        assert_eq!(
            rankings.place(key("NL").as_ref(), Some(3.0), None),
            Some(1.0)
        );
        assert_eq!(rankings.place(None, Some(3.0), None), None);
        // A what-if on FR's 5 with 0.5: below the 1 once the 5 is left out (rank 2, not 3).
        let fr = key("FR");
        let was = Some((fr.as_ref(), Some(5.0)));
        assert_eq!(rankings.place(fr.as_ref(), Some(0.5), was), Some(2.0));
        // Moved to DE, it is no longer in FR: counted among DE's three as a fourth.
        assert_eq!(
            rankings.place(key("DE").as_ref(), Some(0.5), was),
            Some(4.0)
        );
    }

    #[test]
    fn whole_numbers_held_as_decimals_are_one_group() {
        let one = GroupKey::of(&Value::Int(1)).unwrap();
        assert_eq!(GroupKey::of(&Value::Float(1.0)).unwrap(), one);
        assert_ne!(GroupKey::of(&Value::Float(1.5)).unwrap(), one);
        assert_eq!(
            GroupKey::of(&Value::Float(0.1 + 0.2)).unwrap(),
            GroupKey::of(&Value::Float(0.3)).unwrap()
        );
        assert_eq!(
            GroupKey::of(&Value::Float(12.999999999999998)).unwrap(),
            GroupKey::of(&Value::Int(13)).unwrap()
        );
        // A 13-digit code held as a decimal is its integer's group; two such codes stay apart.
        let gln = |x: f64| GroupKey::of(&Value::Float(x)).unwrap();
        assert_eq!(
            gln(4006381333931.0),
            GroupKey::of(&Value::Int(4006381333931)).unwrap()
        );
        assert_ne!(gln(4006381333926.0), gln(4006381333934.0));
        // What the rules call 0 is 0's group.
        assert_eq!(gln(0.1 + 0.2 - 0.3), gln(0.0));
        assert_eq!(
            GroupKey::of(&Value::Float(-0.0)).unwrap(),
            GroupKey::of(&Value::Int(0)).unwrap()
        );
        assert_eq!(GroupKey::of(&Value::Null).unwrap(), None);
        let list = Value::List(vec![Value::Int(1)].into_boxed_slice());
        assert!(
            GroupKey::of(&list)
                .unwrap_err()
                .contains("`by:` groups customers")
        );
    }
}
