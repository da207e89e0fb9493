//! The rule files as written: the serde model of one `rules/*.yaml` file.
//!
//! Every string that holds an expression is `Spanned`, so that a Rhai error inside it can be
//! reported at its real line and column in the YAML file.

use super::hit::{Aggregate, HitPolicy};
use super::stats::{Better, FIGURE_KEYS, Statistic};
use crate::value::Literal;
use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::Deserialize;

use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde_saphyr::Spanned;
use std::borrow::Cow;
use std::fmt;

/// One rule file in `rules/`. Every section is optional; all files together form one rule set.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RuleFile {
    /// Named values computed for every customer: `name: expression`.
    #[serde(default)]
    #[schemars(with = "OrderedMap<String>")]
    pub metrics: OrderedMap<Spanned<String>>,
    /// Figures over all customers, computed before any decision: `name: { percentile_of: expr }`.
    #[serde(default)]
    #[schemars(with = "OrderedMap<PopulationSpec>")]
    pub population: OrderedMap<Spanned<PopulationSpec>>,
    /// Decision tables; each sets outputs for every customer and may use other decisions' outputs.
    #[serde(default)]
    #[schemars(with = "Vec<DecisionSpec>")]
    pub decisions: Vec<Spanned<DecisionSpec>>,
    /// What `tierwise run` prints after a run: counts per value and totals.
    #[serde(default)]
    pub summary: Option<SummarySpec>,
    /// When this file's decisions apply: `{ from: 2025-03-01, to: 2025-04-30 }`.
    #[serde(default)]
    #[schemars(with = "Option<EffectiveSpec>")]
    pub effective: Option<Spanned<EffectiveSpec>>,
}

/// When a row, a decision or a file applies: from and to a date, both included; either may
/// be left out (no start, no end). Outside it, the row does not match (a decision or file
/// outside it gives no value).
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EffectiveSpec {
    /// The first day it applies (`2025-03-01`).
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub from: Option<Spanned<String>>,
    /// The last day it applies (`2025-04-30`).
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub to: Option<Spanned<String>>,
}

/// A population figure: exactly one of the `*_of` keys, plus an optional `where` filter and
/// `by` group.
/// The keys come from the statistics registry ([`super::stats`]), so a new statistic needs
/// no change here.
#[derive(Debug, Default)]
pub struct PopulationSpec {
    /// The statistics asked for (one, for a valid figure) and the expression of each.
    pub statistics: Vec<(Statistic, Spanned<String>)>,
    /// Only customers for which this condition holds are ranked; the others get NULL.
    pub filter: Option<Spanned<String>>,
    /// `by:`: customers are ranked among those with the same value of this expression.
    pub by: Option<Spanned<String>>,
    /// `n:` (how many tiles, for `ntile_of`).
    pub n: Option<Spanned<i64>>,
    /// `better:` (`higher` or `lower`, for `ntile_of`).
    pub better: Option<Spanned<Better>>,
}

/// What a population figure's `where` means, for the schema.
const WHERE_DOC: &str =
    "Only customers for which this condition holds are ranked; the others get NULL.";

/// What a population figure's `by` means, for the schema.
const BY_DOC: &str = "Rank each customer among the customers with the same value of this expression (`by: country`: ABC within each country); customers for whom it is NULL are not ranked.";

impl<'de> Deserialize<'de> for PopulationSpec {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct SpecVisitor;
        impl<'de> Visitor<'de> for SpecVisitor {
            type Value = PopulationSpec;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a population figure, e.g. { percentile_of: annual_sales }")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<PopulationSpec, A::Error> {
                let mut spec = PopulationSpec::default();
                let mut seen: Vec<String> = Vec::new();
                while let Some(key) = map.next_key::<String>()? {
                    if seen.contains(&key) {
                        return Err(de::Error::custom(format!("`{key}` is given twice")));
                    }
                    if key == "where" {
                        spec.filter = Some(map.next_value()?);
                    } else if key == "by" {
                        spec.by = Some(map.next_value()?);
                    } else if key == "n" {
                        // serde's own words ("expected i64") do not say which key.
                        spec.n = Some(map.next_value().map_err(|_: A::Error| {
                            de::Error::custom(
                                "`n:` is how many tiles, a whole number from 1 to 1000 (5 for quintiles)",
                            )
                        })?);
                    } else if key == "better" {
                        let word: Spanned<String> = map.next_value()?;
                        let better = match word.value.as_str() {
                            "higher" => Better::Higher,
                            "lower" => Better::Lower,
                            other => {
                                return Err(de::Error::custom(format!(
                                    "`better: {other}`: it is `higher` (the largest value ranks best) or `lower` (the smallest does)"
                                )));
                            }
                        };
                        spec.better = Some(Spanned {
                            value: better,
                            referenced: word.referenced,
                            defined: word.defined,
                        });
                    } else if let Some(statistic) = Statistic::by_key(&key) {
                        spec.statistics.push((statistic, map.next_value()?));
                    } else {
                        return Err(de::Error::unknown_field(&key, FIGURE_KEYS));
                    }
                    seen.push(key);
                }
                Ok(spec)
            }
        }
        deserializer.deserialize_map(SpecVisitor)
    }
}

/// One optional string property per statistic key, `where` and `by`.
impl JsonSchema for PopulationSpec {
    fn schema_name() -> Cow<'static, str> {
        "PopulationSpec".into()
    }

    fn json_schema(_generator: &mut SchemaGenerator) -> Schema {
        let property = |doc: &str| json_schema!({ "type": ["string", "null"], "description": doc });
        let mut properties = serde_json::Map::new();
        for statistic in Statistic::ALL {
            properties.insert(statistic.key().into(), property(statistic.doc()).into());
        }
        properties.insert("where".into(), property(WHERE_DOC).into());
        properties.insert("by".into(), property(BY_DOC).into());
        properties.insert(
            "n".into(),
            json_schema!({ "type": "integer", "minimum": 1, "description": "With `ntile_of`: how many tiles (5 for quintiles)." }).into(),
        );
        properties.insert(
            "better".into(),
            json_schema!({ "enum": ["higher", "lower"], "description": "With `ntile_of`: which values rank best, `higher` (the default) or `lower` (recency in days)." }).into(),
        );
        json_schema!({
            "type": "object",
            "additionalProperties": false,
            "properties": properties,
            "description": "A population figure: exactly one of the `*_of` keys, plus an optional `where` filter and `by` group.",
        })
    }
}

/// A decision table: rows tried top to bottom, each with a condition and the outputs it gives.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DecisionSpec {
    /// The decision's name, used in messages and to order decisions that depend on each other.
    #[schemars(with = "String")]
    pub name: Spanned<String>,
    /// A note for readers: what the decision is for and why it is set up this way.
    #[serde(default)]
    pub doc: Option<String>,
    /// Which matching rows count: `first` (the default), `unique`, `any`, `collect`, `max` or `min`.
    #[serde(default)]
    #[schemars(with = "HitPolicy")]
    pub hit: Option<Spanned<HitPolicy>>,
    /// With `hit: collect`, how the matching rows' values are combined (default: sum).
    #[serde(default)]
    #[schemars(with = "Option<Aggregate>")]
    pub aggregate: Option<Spanned<Aggregate>>,
    /// With `hit: max` or `min`: the output whose largest (smallest) value wins, when the
    /// rows give several (default: the decision's `output:`).
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub by: Option<Spanned<String>>,
    /// The output of this decision for rows that give a `value`; with rows that give
    /// several (`then:`), the one `cap`, `caps` and `round` apply to.
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub output: Option<Spanned<String>>,
    /// The rows of the table, tried from top to bottom.
    #[serde(default)]
    #[schemars(with = "Vec<RowSpec>")]
    pub rules: Vec<Spanned<RowSpec>>,
    /// The outputs the decision gives, declared: a name, or `{ name, values, default }`. In a
    /// grid, the columns named here are its output columns (the last ones).
    #[serde(default)]
    #[schemars(with = "Vec<OutputItem>")]
    pub outputs: Vec<Spanned<OutputSpec>>,
    /// The table as a grid, one line per row, cells split by `|`: a header line (`id`, the
    /// input expressions, the output names), then a line per rule: its id, a test per input
    /// (`>= 500000`, `[1..10)`, `"KA", "BC"`, `not(exit)`, `-`, `null`, `= expr`), a value
    /// (or `=` formula) per output.
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub grid: Option<Spanned<String>>,
    /// A range scale: bands over one value, lower bound included, upper bound excluded.
    #[serde(default)]
    pub scale: Option<ScaleSpec>,
    /// Floor and ceiling for the output (numbers or `=` formulas).
    #[serde(default)]
    pub cap: Option<CapSpec>,
    /// Named limits on the output (numbers or `=` formulas); the tightest applies, and the
    /// id of the one that bound joins the customer's rule ids. A limit that is NULL for a
    /// customer is no limit.
    #[serde(default)]
    #[schemars(with = "Vec<NamedCapSpec>")]
    pub caps: Vec<Spanned<NamedCapSpec>>,
    /// An output that receives the id of the cap that bound (NULL when none did).
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub capped_by: Option<Spanned<String>>,
    /// Rounding of the output, applied before the cap.
    #[serde(default)]
    #[schemars(with = "Option<RoundSpec>")]
    pub round: Option<Spanned<RoundSpec>>,
    /// When the decision applies (as of the run's date); outside it, it gives no value.
    #[serde(default)]
    #[schemars(with = "Option<EffectiveSpec>")]
    pub effective: Option<Spanned<EffectiveSpec>>,
    /// The decision once per item of a list: `{ category: [beverages, snacks] }`. Each copy
    /// writes `<output>_<item>` and its rule ids are `<id>@<item>`; in its expressions,
    /// `category` is the item as text and `{category}` in a name is the item
    /// (`sales_{category}`).
    #[serde(default)]
    #[schemars(with = "Option<OrderedMap<Vec<String>>>")]
    pub for_each: Option<Spanned<OrderedMap<Vec<Spanned<String>>>>>,
    /// Set when a `for_each` decision is expanded: the variable and the item of this copy,
    /// substituted in its expressions.
    #[serde(skip)]
    #[schemars(skip)]
    pub bindings: Vec<(String, String)>,
}

impl DecisionSpec {
    /// The hit policy (`first` when `hit:` is not written).
    pub fn hit(&self) -> HitPolicy {
        self.hit
            .as_ref()
            .map_or_else(HitPolicy::default, |h| h.value)
    }
}

/// One row of a decision table: a condition and the values it gives.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RowSpec {
    /// A unique name for the row, shown in results and explanations.
    #[schemars(with = "String")]
    pub id: Spanned<String>,
    /// A note for readers: why this row exists.
    #[serde(default)]
    pub doc: Option<String>,
    /// The condition; a row without one always matches.
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub when: Option<Spanned<String>>,
    /// Output values, by output name.
    #[serde(default)]
    #[schemars(with = "Option<OrderedMap<Literal>>")]
    pub then: Option<OrderedMap<Spanned<Literal>>>,
    /// The value of the decision's `output` (`null`: no value).
    #[serde(default, deserialize_with = "present")]
    #[schemars(with = "Option<Literal>")]
    pub value: Option<Spanned<Literal>>,
    /// When the row applies (as of the run's date); outside it, it does not match.
    #[serde(default)]
    #[schemars(with = "Option<EffectiveSpec>")]
    pub effective: Option<Spanned<EffectiveSpec>>,
}

/// A declared output of a decision: its name, the values it may take in their order (what
/// `priority` and `output_order` rank by), and its value when no row matches.
#[derive(Debug, Clone, Default, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct OutputSpec {
    /// The output's name (a column of the policy table).
    pub name: String,
    /// The values it may take, first the one that wins under `hit: priority`.
    #[serde(default)]
    #[schemars(with = "Vec<Literal>")]
    pub values: Vec<Spanned<Literal>>,
    /// Its value when no row of the table matches (a value or an `=` formula).
    #[serde(default)]
    #[schemars(with = "Option<Literal>")]
    pub default: Option<Spanned<Literal>>,
    /// A note for readers.
    #[serde(default)]
    pub doc: Option<String>,
}

/// An entry of `outputs:`, for the schema: a name, or the mapping [`OutputSpec`].
#[derive(JsonSchema)]
#[serde(untagged)]
#[allow(dead_code)]
enum OutputItem {
    /// The output's name.
    Name(String),
    Spec(OutputSpec),
}

/// An output is written as its name alone, or as a mapping with `name:`.
impl<'de> Deserialize<'de> for OutputSpec {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct OutputVisitor;
        impl<'de> Visitor<'de> for OutputVisitor {
            type Value = OutputSpec;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an output: its name, or { name, values, default }")
            }
            fn visit_str<E>(self, v: &str) -> Result<OutputSpec, E> {
                Ok(OutputSpec {
                    name: v.to_owned(),
                    ..OutputSpec::default()
                })
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<OutputSpec, A::Error> {
                let mut spec = OutputSpec::default();
                let mut seen: Vec<String> = Vec::new();
                while let Some(key) = map.next_key::<String>()? {
                    if seen.contains(&key) {
                        return Err(de::Error::custom(format!("`{key}` is given twice")));
                    }
                    match key.as_str() {
                        "name" => spec.name = map.next_value()?,
                        "values" => spec.values = map.next_value()?,
                        "default" => spec.default = Some(map.next_value()?),
                        "doc" => spec.doc = map.next_value()?,
                        other => {
                            return Err(de::Error::unknown_field(
                                other,
                                &["name", "values", "default", "doc"],
                            ));
                        }
                    }
                    seen.push(key);
                }
                if spec.name.is_empty() {
                    return Err(de::Error::missing_field("name"));
                }
                Ok(spec)
            }
        }
        deserializer.deserialize_any(OutputVisitor)
    }
}

/// A key that is there, even with the value `null`: `Some` (serde's `Option` would read
/// `value: null` as no `value:` at all).
fn present<'de, D: Deserializer<'de>, T: Deserialize<'de>>(d: D) -> Result<Option<T>, D::Error> {
    T::deserialize(d).map(Some)
}

/// A range scale: the value is looked up in a list of bands.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ScaleSpec {
    /// The value the bands are over (an expression, usually a field name).
    #[schemars(with = "String")]
    pub of: Spanned<String>,
    /// The bands, each from a lower bound (included) to an upper bound (excluded).
    #[schemars(with = "Vec<BandSpec>")]
    pub bands: Vec<Spanned<BandSpec>>,
}

/// One band of a scale: a range of the value and the output for it.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BandSpec {
    /// A unique name for the band, shown in results and explanations.
    #[schemars(with = "String")]
    pub id: Spanned<String>,
    /// Lower bound, included. Missing: no lower bound.
    #[serde(default)]
    pub from: Option<f64>,
    /// Upper bound, excluded. Missing: no upper bound.
    #[serde(default)]
    pub below: Option<f64>,
    /// The output for values in this band.
    #[schemars(with = "Literal")]
    pub value: Spanned<Literal>,
}

/// Floor and ceiling for a decision's output.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CapSpec {
    /// The smallest allowed output; smaller values are raised to it.
    #[serde(default)]
    #[schemars(with = "Option<Literal>")]
    pub min: Option<Spanned<Literal>>,
    /// The largest allowed output; larger values are lowered to it.
    #[serde(default)]
    #[schemars(with = "Option<Literal>")]
    pub max: Option<Spanned<Literal>>,
}

/// A named limit of a decision's output: `{ id: list-8pct, max: 8 }`.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NamedCapSpec {
    /// The cap's rule id, recorded when it binds.
    #[schemars(with = "String")]
    pub id: Spanned<String>,
    /// A note for readers: why the limit exists.
    #[serde(default)]
    pub doc: Option<String>,
    /// The smallest allowed output (a number or an `=` formula; NULL: no limit).
    #[serde(default)]
    #[schemars(with = "Option<Literal>")]
    pub min: Option<Spanned<Literal>>,
    /// The largest allowed output (a number or an `=` formula; NULL: no limit).
    #[serde(default)]
    #[schemars(with = "Option<Literal>")]
    pub max: Option<Spanned<Literal>>,
}

/// Rounding of a decision's output to a multiple of a step: `down`, `up` or `nearest`.
#[derive(Debug, Clone, Copy, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum RoundSpec {
    /// Round down to a multiple of this step (credit limits: `down: 10000`).
    Down(f64),
    /// Round up to a multiple of this step.
    Up(f64),
    /// Round to the nearest multiple of this step (halves away from zero).
    Nearest(f64),
}

impl RoundSpec {
    pub fn step(self) -> f64 {
        match self {
            RoundSpec::Down(s) | RoundSpec::Up(s) | RoundSpec::Nearest(s) => s,
        }
    }
}

/// What `tierwise run` prints after a run.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SummarySpec {
    /// Outputs (or fields) whose values are counted: customers per tier, per segment.
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    pub count_by: Vec<Spanned<String>>,
    /// Named sums over all customers: `name: expression`.
    #[serde(default)]
    #[schemars(with = "OrderedMap<String>")]
    pub totals: OrderedMap<Spanned<String>>,
    /// Outputs whose moves since the previous period a run counts, each with its values
    /// highest first: `tier: [A, B, C, dormant]`. `tierwise changes` uses the same order.
    #[serde(default)]
    #[schemars(with = "OrderedMap<Vec<String>>")]
    pub moves: OrderedMap<Spanned<Vec<String>>>,
    /// Totals that are amounts of money: `[concession_cost, credit_limit]`. They are shown
    /// with the config's `currency`, and `diff` ranks customers by how much they changed.
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    pub money: Vec<Spanned<String>>,
    /// What `tierwise report` draws: which output holds the tiers, the value customers are
    /// ranked by, the quadrant's axes, the lists of customers to act on. A part left out is
    /// left out of the report, which says so.
    #[serde(default)]
    pub report: Option<ReportSpec>,
}

/// The parts of `tierwise report` the rules decide.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ReportSpec {
    /// The output whose values are the tiers, in the order `moves` gives them (default: the
    /// first output in `moves`).
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub tiers: Option<Spanned<String>>,
    /// The value customers are ranked by (sales): its total per tier and the Pareto curve.
    #[serde(default)]
    pub value: Option<MeasureSpec>,
    /// A scatter of every customer (a sample beyond 20,000), coloured by an output.
    #[serde(default)]
    pub quadrant: Option<QuadrantSpec>,
    /// Lists of customers to act on: those for whom an output is set (true, a non-empty list
    /// or text), the first 100 by `value`, with the total count.
    #[serde(default)]
    pub lists: Vec<ListSpec>,
}

/// A number per customer the report plots: a name for people and an expression.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MeasureSpec {
    /// What it is called on the charts: `sales`.
    pub name: String,
    /// Its expression (fields, metrics, population figures, outputs): `annual_sales ?? 0`.
    #[schemars(with = "String")]
    pub of: Spanned<String>,
    /// It is an amount of money (shown with the config's currency).
    #[serde(default)]
    pub money: bool,
}

/// The value x loyalty quadrant.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct QuadrantSpec {
    /// Across: usually the value (sales). A log scale is used when the values span more
    /// than three orders of magnitude.
    pub x: MeasureSpec,
    /// Up: usually loyalty.
    pub y: MeasureSpec,
    /// The output whose values colour the points: `segment`.
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub colour: Option<Spanned<String>>,
    /// Where the rules split the quadrant across and up (a line is drawn there):
    /// `{ y: 0.6 }`.
    #[serde(default)]
    pub split: Option<SplitSpec>,
}

/// The lines that split the quadrant.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SplitSpec {
    #[serde(default)]
    pub x: Option<f64>,
    #[serde(default)]
    pub y: Option<f64>,
}

/// A list of customers to act on.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ListSpec {
    /// Its title: `win-back proposals`.
    pub name: String,
    /// The output that puts a customer on the list when set: `winback`, `alerts`.
    #[schemars(with = "String")]
    pub when: Spanned<String>,
    /// The outputs shown for each customer: `[tier, winback_reason]`.
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    pub show: Vec<Spanned<String>>,
}

/// A YAML mapping that keeps its keys in the order they were written (output columns and
/// the summary follow the author's order) and rejects duplicate keys.
#[derive(Debug, Clone)]
pub struct OrderedMap<V>(pub Vec<(String, V)>);

impl<V> Default for OrderedMap<V> {
    fn default() -> Self {
        OrderedMap(Vec::new())
    }
}

/// A mapping of any names to `V`.
impl<V: JsonSchema> JsonSchema for OrderedMap<V> {
    fn inline_schema() -> bool {
        true
    }

    fn schema_name() -> Cow<'static, str> {
        format!("OrderedMap_of_{}", V::schema_name()).into()
    }

    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "type": "object",
            "additionalProperties": generator.subschema_for::<V>(),
        })
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_grid_decision_reads_its_outputs_and_its_grid_text() {
        let yaml = r#"
decisions:
  - name: risk
    outputs:
      - note
      - { name: risk, values: [high, medium, low], default: low }
    grid: |
      id        | segment | overdue_days ?? 0 | note | risk
      risk-exit | exit    | -                 | exit | high
      risk-late | -       | > 60              | null | medium
"#;
        let file: RuleFile = serde_saphyr::from_str(yaml).unwrap();
        let d = &file.decisions[0].value;
        assert_eq!(d.outputs[0].value.name, "note");
        let risk = &d.outputs[1].value;
        assert_eq!(risk.values.len(), 3);
        assert!(matches!(&risk.default, Some(v) if v.value == Literal::Text("low".into())));
        let grid = d.grid.as_ref().unwrap();
        assert_eq!(grid.value.lines().count(), 3);
        assert!(grid.value.starts_with("id        | segment |"));
    }

    #[test]
    fn an_output_mapping_needs_a_name_and_known_keys() {
        let missing = "decisions: [{ name: d, outputs: [{ values: [a] }] }]";
        assert!(serde_saphyr::from_str::<RuleFile>(missing).is_err());
        let unknown = "decisions: [{ name: d, outputs: [{ name: x, order: [a] }] }]";
        assert!(serde_saphyr::from_str::<RuleFile>(unknown).is_err());
    }
}
