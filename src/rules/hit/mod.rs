//! Hit policies: which of a decision table's matching rows count.
//!
//! A policy is one file that says everything it means: its [`Shape`] (what the loader
//! requires of the table and what the lint may warn about) and its `decide`, which picks the
//! rows that fire. `decide` works on [`Rows`], which the engine implements: the engine knows
//! how to evaluate a row's condition and values for a customer; the policy only decides which
//! rows count. Dispatch is a `match` on [`HitPolicy`] with generic `Rows`, so the hot loop
//! has no dynamic calls.
//!
//! Adding a policy: a new file here with `SHAPE` and `decide`, and one line (with its doc)
//! in `hit_policies!` below. CONTRIBUTING.md has the recipe.

mod any;
mod best;
mod collect;
mod first;
mod ordered;
mod priority;
mod unique;

use best::{max, min};
pub use collect::Aggregate;
use ordered::{output_order, rule_order};

use super::Decision;
use crate::value::Value;
use schemars::JsonSchema;
use serde::Deserialize;

/// What a policy requires of a table and allows its rows to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shape {
    /// Rows give one `value:` each, combined into the decision's single `output:` (which is
    /// then required, and `aggregate:` says how); a customer no row matches still gets the
    /// empty combination, so a table needs no default row.
    pub combines_values: bool,
    /// Only the first matching row counts: a row covered by earlier rows is unreachable.
    pub first_wins: bool,
    /// At most one row may match a customer: rows that overlap are a problem.
    pub exclusive: bool,
    /// The outputs come from one matching row (or none): a customer no row matches gets
    /// NULL, so a table may need a default. Not so for policies that combine or list the
    /// values of every matching row.
    pub one_row: bool,
    /// What orders the matching rows, when not their place in the table: the loader asks
    /// for what it needs (`by:`, declared `values:`) and `explain` says why a row won.
    pub ranks_by: RanksBy,
}

/// What a policy orders the matching rows by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RanksBy {
    /// Their order in the table (or nothing: one row, or all of them combined).
    TableOrder,
    /// The value of one output (`by:`, or the single output): the largest wins.
    Largest,
    /// The value of one output: the smallest wins.
    Smallest,
    /// Where their values come in the outputs' declared `values:`.
    DeclaredValues,
}

/// A decision's rows for one customer, as a policy sees them. Conditions and values are
/// evaluated only when asked for, so a policy that stops early costs nothing more.
pub trait Rows<'a> {
    type Error;

    /// How many rows the table has.
    fn count(&self) -> usize;

    /// Whether row `row` matches the customer (its condition is evaluated now).
    fn matches(&mut self, row: usize) -> Result<bool, Self::Error>;

    /// Row `row` fires: its id joins the customer's rule ids and it gives its outputs.
    fn fire(&mut self, row: usize) -> Result<(), Self::Error>;

    /// Row `row` fires and its single `value:` is returned, for a policy that combines
    /// values into the decision's output itself.
    fn take_value(&mut self, row: usize) -> Result<Value<'a>, Self::Error>;

    /// The values row `row` gives, one per output of the decision (NULL for an output the
    /// row does not give), without firing it: for policies that compare rows.
    fn values(&mut self, row: usize) -> Result<Vec<Value<'a>>, Self::Error>;

    /// Sets the decision's single output.
    fn set_output(&mut self, value: Value<'a>);

    /// Row `row` counts: its id joins the customer's rule ids, without giving its outputs
    /// (for a policy that sets the outputs itself, with [`Rows::set_outputs`]).
    fn record(&mut self, row: usize);

    /// Sets every output of the decision, in the order of its outputs.
    fn set_outputs(&mut self, values: Vec<Value<'a>>);

    /// Rows `first` and `second` both match, which the policy does not allow; `why`
    /// finishes the sentence "rules `a` and `b` both match, but ...".
    fn conflict(&self, first: usize, second: usize, why: &str) -> Self::Error;

    /// A problem with row `row`'s value (text in a sum, say).
    fn row_error(&self, row: usize, message: String) -> Self::Error;
}

/// Declares the hit policies: `module => Variant` per policy, with the doc admins see (in
/// the rule files' schema); `#[default]` marks the policy of a table that names none.
macro_rules! hit_policies {
    ($($(#[$meta:meta])* $module:ident => $variant:ident,)*) => {
        /// Which matching rows count: the first one, exactly one, or all of them.
        #[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, JsonSchema)]
        #[serde(rename_all = "snake_case")]
        pub enum HitPolicy {
            $($(#[$meta])* $variant,)*
        }

        impl HitPolicy {
            /// The policy's name as written in rule files.
            pub fn name(self) -> &'static str {
                match self {
                    $(HitPolicy::$variant => stringify!($module),)*
                }
            }

            pub fn shape(self) -> Shape {
                match self {
                    $(HitPolicy::$variant => $module::SHAPE,)*
                }
            }

            /// Decides which of `d`'s rows fire for one customer.
            #[inline]
            pub fn decide<'a, R: Rows<'a>>(self, d: &Decision, rows: &mut R) -> Result<(), R::Error> {
                match self {
                    $(HitPolicy::$variant => $module::decide(d, rows),)*
                }
            }
        }
    };
}

hit_policies! {
    /// The first row whose condition holds gives the outputs.
    #[default]
    first => First,
    /// Exactly one row may hold; two is an error naming both.
    unique => Unique,
    /// Every row that holds contributes a value, combined by `aggregate`.
    collect => Collect,
    /// Several rows may hold if they give the same values; rows that disagree are an error.
    any => Any,
    /// Of the rows that hold, the one with the largest value (`by:` names the output compared
    /// when there are several) gives the outputs; ties go to the earlier row.
    max => Max,
    /// Of the rows that hold, the one with the smallest value (`by:` names the output
    /// compared when there are several) gives the outputs; ties go to the earlier row.
    min => Min,
    /// Of the rows that hold, the one whose value comes first in the output's declared
    /// `values:` gives the outputs (DMN's priority); ties go to the earlier row.
    priority => Priority,
    /// Every row that holds, in the order of the outputs' declared `values:` (DMN's output
    /// order): each output is the list of their values.
    output_order => OutputOrder,
    /// Every row that holds, top to bottom (DMN's rule order): each output is the list of
    /// their values.
    rule_order => RuleOrder,
}

#[cfg(test)]
pub(crate) mod testing {
    //! Rows with fixed answers, to test policies without an engine.

    use super::Rows;
    use crate::value::Value;

    /// Row `k` matches when `matching[k]`; its value is `values[k]`.
    #[derive(Default)]
    pub struct FixedRows {
        pub matching: Vec<bool>,
        pub values: Vec<Value<'static>>,
        /// What happened, in order: `match 0`, `fire 0`, `output 5`.
        pub log: Vec<String>,
    }

    impl FixedRows {
        pub fn new(matching: &[bool]) -> Self {
            FixedRows {
                matching: matching.to_vec(),
                values: vec![Value::Null; matching.len()],
                log: Vec::new(),
            }
        }
    }

    impl Rows<'static> for FixedRows {
        type Error = String;

        fn count(&self) -> usize {
            self.matching.len()
        }

        fn matches(&mut self, row: usize) -> Result<bool, String> {
            self.log.push(format!("match {row}"));
            Ok(self.matching[row])
        }

        fn fire(&mut self, row: usize) -> Result<(), String> {
            self.log.push(format!("fire {row}"));
            Ok(())
        }

        fn take_value(&mut self, row: usize) -> Result<Value<'static>, String> {
            self.log.push(format!("fire {row}"));
            Ok(self.values[row].clone())
        }

        fn values(&mut self, row: usize) -> Result<Vec<Value<'static>>, String> {
            Ok(vec![self.values[row].clone()])
        }

        fn set_output(&mut self, value: Value<'static>) {
            self.log.push(format!("output {value}"));
        }

        fn record(&mut self, row: usize) {
            self.log.push(format!("record {row}"));
        }

        fn set_outputs(&mut self, values: Vec<Value<'static>>) {
            let shown: Vec<String> = values.iter().map(Value::to_string).collect();
            self.log.push(format!("outputs {}", shown.join("; ")));
        }

        fn conflict(&self, first: usize, second: usize, why: &str) -> String {
            format!("conflict {first} {second}: {why}")
        }

        fn row_error(&self, row: usize, message: String) -> String {
            format!("row {row}: {message}")
        }
    }
}
