//! The rule files as written: the serde model of one `rules/*.yaml` file.
//!
//! Every string that holds an expression is `Spanned`, so that a Rhai error inside it can be
//! reported at its real line and column in the YAML file.

use serde::Deserialize;
use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_saphyr::Spanned;
use std::fmt;

/// One rule file. Every section is optional; all files in `rules/` together form one rule set.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleFile {
    /// Per-customer named values: `name: expression`.
    #[serde(default)]
    pub metrics: OrderedMap<Spanned<String>>,
    /// Statistics over the whole population: `name: { percentile_of: expression, ... }`.
    #[serde(default)]
    pub population: OrderedMap<Spanned<PopulationSpec>>,
    /// Decision tables, evaluated in dependency order.
    #[serde(default)]
    pub decisions: Vec<Spanned<DecisionSpec>>,
    /// What `tierwise run` prints after a run.
    #[serde(default)]
    pub summary: Option<SummarySpec>,
}

/// A population statistic: exactly one of the `*_of` keys, plus an optional filter.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PopulationSpec {
    pub percentile_of: Option<Spanned<String>>,
    pub rank_of: Option<Spanned<String>>,
    pub share_of: Option<Spanned<String>>,
    pub cumulative_share_of: Option<Spanned<String>>,
    /// Only customers for which this condition holds are ranked; the others get NULL.
    #[serde(rename = "where")]
    pub filter: Option<Spanned<String>>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum HitPolicy {
    /// The first row whose condition holds gives the outputs.
    #[default]
    First,
    /// Exactly one row may hold; two is an error naming both.
    Unique,
    /// Every row that holds contributes a value, combined by `aggregate`.
    Collect,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Aggregate {
    Sum,
    Min,
    Max,
    /// All values, in row order, as a list.
    List,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DecisionSpec {
    pub name: Spanned<String>,
    #[serde(default)]
    pub doc: Option<String>,
    #[serde(default)]
    pub hit: HitPolicy,
    #[serde(default)]
    pub aggregate: Option<Spanned<Aggregate>>,
    /// The single output of this decision, for rows that give a `value`.
    #[serde(default)]
    pub output: Option<Spanned<String>>,
    #[serde(default)]
    pub rules: Vec<Spanned<RowSpec>>,
    /// A range scale: bands over one value, lower bound included, upper bound excluded.
    #[serde(default)]
    pub scale: Option<ScaleSpec>,
    /// Floor and ceiling for the output (numbers or `=` formulas).
    #[serde(default)]
    pub cap: Option<CapSpec>,
    /// Rounding of the output, applied before the cap.
    #[serde(default)]
    pub round: Option<Spanned<RoundSpec>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RowSpec {
    pub id: Spanned<String>,
    #[serde(default)]
    pub doc: Option<String>,
    /// The condition; a row without one always matches.
    #[serde(default)]
    pub when: Option<Spanned<String>>,
    /// Output values, by output name.
    #[serde(default)]
    pub then: Option<OrderedMap<Spanned<Literal>>>,
    /// The value of the decision's `output`.
    #[serde(default)]
    pub value: Option<Spanned<Literal>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScaleSpec {
    /// The value the bands are over (an expression, usually a field name).
    pub of: Spanned<String>,
    pub bands: Vec<Spanned<BandSpec>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BandSpec {
    pub id: Spanned<String>,
    /// Lower bound, included. Missing: no lower bound.
    #[serde(default)]
    pub from: Option<f64>,
    /// Upper bound, excluded. Missing: no upper bound.
    #[serde(default)]
    pub below: Option<f64>,
    pub value: Spanned<Literal>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CapSpec {
    #[serde(default)]
    pub min: Option<Spanned<Literal>>,
    #[serde(default)]
    pub max: Option<Spanned<Literal>>,
}

#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RoundSpec {
    /// Round down to a multiple of this step (credit limits: `down: 10000`).
    Down(f64),
    /// Round up to a multiple of this step.
    Up(f64),
    /// Round to the nearest multiple of this step (halves away from zero).
    Nearest(f64),
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SummarySpec {
    /// Outputs (or fields) whose values are counted: customers per tier, per segment.
    #[serde(default)]
    pub count_by: Vec<Spanned<String>>,
    /// Named sums over all customers: `name: expression`.
    #[serde(default)]
    pub totals: OrderedMap<Spanned<String>>,
}

/// A value written in YAML: text, number, true/false, or a list of those.
/// Text that starts with `=` is a formula, compiled as a Rhai expression.
#[derive(Debug, Clone, PartialEq)]
pub enum Literal {
    Bool(bool),
    Int(i64),
    Float(f64),
    Text(String),
    List(Vec<Literal>),
}

impl<'de> Deserialize<'de> for Literal {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct LiteralVisitor;
        impl<'de> Visitor<'de> for LiteralVisitor {
            type Value = Literal;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a value: text, a number, true/false, a list, or an `=` formula")
            }
            fn visit_bool<E>(self, v: bool) -> Result<Literal, E> {
                Ok(Literal::Bool(v))
            }
            fn visit_i64<E>(self, v: i64) -> Result<Literal, E> {
                Ok(Literal::Int(v))
            }
            fn visit_u64<E>(self, v: u64) -> Result<Literal, E> {
                Ok(i64::try_from(v).map_or(Literal::Float(v as f64), Literal::Int))
            }
            fn visit_f64<E>(self, v: f64) -> Result<Literal, E> {
                Ok(Literal::Float(v))
            }
            fn visit_str<E>(self, v: &str) -> Result<Literal, E> {
                Ok(Literal::Text(v.to_owned()))
            }
            fn visit_string<E>(self, v: String) -> Result<Literal, E> {
                Ok(Literal::Text(v))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Literal, A::Error> {
                let mut items = Vec::new();
                while let Some(item) = seq.next_element()? {
                    items.push(item);
                }
                Ok(Literal::List(items))
            }
        }
        deserializer.deserialize_any(LiteralVisitor)
    }
}

/// A YAML mapping that keeps its keys in the order they were written (output columns and
/// the summary follow the author's order) and rejects duplicate keys.
#[derive(Debug)]
pub struct OrderedMap<V>(pub Vec<(String, V)>);

impl<V> Default for OrderedMap<V> {
    fn default() -> Self {
        OrderedMap(Vec::new())
    }
}

impl<'de, V: Deserialize<'de>> Deserialize<'de> for OrderedMap<V> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct MapVisitor<V>(std::marker::PhantomData<V>);
        impl<'de, V: Deserialize<'de>> Visitor<'de> for MapVisitor<V> {
            type Value = OrderedMap<V>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a mapping of names to values")
            }
            fn visit_unit<E>(self) -> Result<Self::Value, E> {
                Ok(OrderedMap(Vec::new()))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut entries: Vec<(String, V)> = Vec::new();
                while let Some((key, value)) = map.next_entry::<String, V>()? {
                    if entries.iter().any(|(k, _)| *k == key) {
                        return Err(de::Error::custom(format!("`{key}` is given twice")));
                    }
                    entries.push((key, value));
                }
                Ok(OrderedMap(entries))
            }
        }
        deserializer.deserialize_map(MapVisitor(std::marker::PhantomData))
    }
}
