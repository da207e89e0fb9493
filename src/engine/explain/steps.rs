//! What `explain` says of a customer, as data: each figure, each decision's rows tried and
//! what they gave, the limits, the recorded run (`crate::report::explain` puts it in words;
//! JSON is these types as they are).

use super::{LatestRun, Recorded};
use crate::engine::EvalError;
use serde::Serialize;

/// A name and its value.
#[derive(Debug, Clone, Serialize)]
pub struct Named {
    pub name: String,
    pub value: serde_json::Value,
}

/// An output a matching row gives: its value and, for a formula, the formula and the
/// values of the names it read (a commission of -5.0 is disputed until `-previous.commission`
/// with `previous.commission = 5.0` is shown).
#[derive(Debug, Clone, Serialize)]
pub struct Given {
    pub name: String,
    pub value: serde_json::Value,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub formula: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub with: Vec<Named>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Figure {
    pub name: String,
    pub statistic: &'static str,
    /// The expression the figure is computed from, and its value for this customer.
    pub of: String,
    pub input: serde_json::Value,
    pub value: serde_json::Value,
    /// How many customers are ranked.
    pub ranked: usize,
    /// The figure in words.
    pub meaning: String,
    /// How many ranked customers are better (`None`: not ranked), and how many others share
    /// its value: a tie at a boundary goes up, which the sentence says and a program reads.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub better: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tied: Option<usize>,
}

#[derive(Debug, Clone, Serialize)]
pub struct RowTrace {
    pub id: String,
    /// The condition as written (`None`: the row always matches); for a band, its range.
    pub when: Option<String>,
    /// The values of the names the condition uses.
    pub inputs: Vec<Named>,
    pub matched: bool,
    /// The evaluation failed at this row: its condition, or a value it gives.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub failed: bool,
    /// For a condition of several `&&` parts that did not hold: the first part that failed.
    pub failed_at: Option<String>,
    /// Set when the row was passed over because the run's date is outside its `effective`
    /// window: the window.
    pub not_in_effect: Option<String>,
    /// What a matching row gives.
    pub gives: Vec<Given>,
    /// For a row of a grid: each input cell that tests something, and its verdict.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub cells: Vec<CellTrace>,
    /// For a band of a range scale: its ends as numbers (`when` has them in words), the
    /// value matching when `from <= value < below`; an end `None` when open.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub band: Option<BandTrace>,
}

/// One cap's limit for one customer.
#[derive(Debug, Clone, Serialize)]
pub struct LimitTrace {
    pub id: String,
    /// `min` (a floor) or `max` (a ceiling).
    pub side: &'static str,
    /// `None`: the limit is NULL for this customer: no limit.
    #[serde(serialize_with = "crate::text::optional_number")]
    pub value: Option<f64>,
    pub bound: bool,
    /// For a limit computed by a formula: the formula, and the values of the names it read
    /// (a damping floor of 10,400 is disputed until `previous.credit_limit = 13000` is shown).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub formula: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub with: Vec<Named>,
}

/// A band's ends, for programs.
#[derive(Debug, Clone, Serialize)]
pub struct BandTrace {
    pub from: Option<f64>,
    pub below: Option<f64>,
}

/// One cell of a grid row tried: its test in words (`segment = exit`) and whether it holds
/// (`None`: it failed with an error).
#[derive(Debug, Clone, Serialize)]
pub struct CellTrace {
    pub test: String,
    /// `None`: the cell's test failed with an error (or was not tried).
    pub holds: Option<bool>,
    /// Whether the rule got to this cell: its cells are tested left to right, and the rule
    /// stops at the first that does not hold.
    pub tried: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct DecisionTrace {
    pub name: String,
    /// The hit policy's name (`first`, `collect`, ...).
    pub hit: String,
    /// How a `collect` combines its rows' values (`sum`, `list`, ...); none for the others.
    pub aggregate: Option<String>,
    /// For range scales: the value the bands are over.
    pub scale: Option<Named>,
    pub rows: Vec<RowTrace>,
    /// Rows not tried because an earlier row matched (`hit: first`).
    pub not_tried: Vec<String>,
    pub outputs: Vec<Named>,
    /// The value before rounding and caps, when either applies.
    pub before_round_and_caps: Option<f64>,
    /// The output rounding and caps apply to (the decision's `output:`), when they do.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rounded_output: Option<String>,
    /// The value once rounded, before caps, when both apply (rounding comes first).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rounded: Option<serde_json::Value>,
    /// Caps or floors that bound (`discount.max`).
    pub capped_by: Vec<String>,
    /// Every cap's limit for this customer, as written, and whether it bound: what a credit
    /// file shows beside the limit granted.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub limits: Vec<LimitTrace>,
    /// The outputs that got their `default:` (no row matched).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub defaults: Vec<String>,
    /// Why the hit policy took the row it took, when several matched and it chose by their
    /// values (`priority`, `max`, `min`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub chosen: Option<Chosen>,
    /// The evaluation failed in this decision: `not_tried` are the rows it did not reach,
    /// and it gave no outputs.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub failed: bool,
}

/// A customer whose evaluation failed: what was worked out before the error, and the error.
#[derive(Debug)]
pub struct Failed {
    pub so_far: Explanation,
    pub error: EvalError,
}

/// The row a hit policy chose among several that matched, and why.
#[derive(Debug, Clone, Serialize)]
pub struct Chosen {
    /// The rule id of the row that gave the outputs.
    pub rule: String,
    /// How many rows matched.
    pub matched: usize,
    /// The output the policy compares, and the chosen row's value of it (NULL: no row that
    /// matched gave it a value).
    pub output: String,
    pub value: serde_json::Value,
    /// How that value compares with the other rows': "is the largest", "comes first in
    /// `values: [high, medium, low]`".
    pub compared: String,
    /// How many of the rows that matched give that same value (the chosen one included).
    pub ties: usize,
    /// What decides between rows with the same value.
    pub tie_break: String,
}

/// Everything that decided one customer's policy.
#[derive(Debug, Clone, Serialize)]
pub struct Explanation {
    pub customer: String,
    pub fingerprint: String,
    /// The date the customer was evaluated as of, and its period.
    pub as_of: String,
    pub period: String,
    pub customers: usize,
    pub fields: Vec<Named>,
    pub metrics: Vec<Named>,
    pub population: Vec<Figure>,
    pub decisions: Vec<DecisionTrace>,
    pub rule_ids: Vec<String>,
    /// Every output as `run` writes it, in column order: the decisions' outputs, `capped_by`
    /// outputs and the `held.x` counts the period stores for the next.
    pub outputs: Vec<Named>,
    /// Set when the evaluation failed: where ("rule `tier-a`", "metric `loyalty`"). What
    /// the explanation holds is what was worked out before.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub failed_at: Option<String>,
    /// What the period's recorded run holds for this customer, compared with this
    /// explanation (set by `explain` when the period has an official run).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub recorded: Option<Recorded>,
    /// When the period has no recorded run: the latest recorded run of its kind of period,
    /// which an explanation as of its day would compare with (explaining as of today
    /// explains a period the runs may never have reached).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub latest_run: Option<LatestRun>,
    /// Today (UTC), when the explanation is as of a later day: the customer data most
    /// likely does not reach it yet.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub after_today: Option<String>,
    /// The period's recorded run stands on a history replaced since (a correction of an
    /// earlier period after it ran): what to run again.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stale_history: Option<String>,
    /// Other customers hold values their columns do not hold: `run` stops on them, and the
    /// figures here read those values as NULL, as `run --keep-going` does.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unreadable_data: Option<String>,
    /// The period had an official run that `prune --keep` deleted (its record kept): not
    /// "no recorded run".
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub period_pruned: bool,
    /// The earlier periods the rules read, and the run each was read from (`None`: that
    /// period has no run, so what they read of it is NULL).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub history_read: Vec<HistoryRead>,
    /// The numbers the decisions' conditions and bands compare with: a value is shown with
    /// as many digits as it takes to be on the same side of each (0.79997 next to
    /// `>= 0.80`, not 0.8). The JSON has every value exactly, so it leaves this out.
    #[serde(skip)]
    pub boundaries: Vec<f64>,
}

/// An earlier period the rules read (`previous_2.x`), and its run.
#[derive(Debug, Clone, Serialize)]
pub struct HistoryRead {
    /// `previous`, `previous_2`, ...
    pub reads: String,
    pub period: String,
    pub run_id: Option<i64>,
}
