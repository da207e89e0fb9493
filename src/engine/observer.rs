//! What evaluation can report as it goes, for whoever wants it: nothing in a batch run (the
//! no-op observer `()` compiles away), every row tried and every cap that bound when
//! explaining one customer ([`Trace`]). The worker pushes events to the observer instead of
//! threading an optional trace through the hot loop.

use crate::rules::{Bound, RuleIdx};

/// Receives the events of one customer's evaluation.
pub trait Observer {
    /// A metric computed per customer (after the population pass) has its value.
    fn metric(&mut self) {}
    /// A decision starts; `scale` is its range scale's value, for scale decisions.
    fn decision(&mut self, _scale: Option<f64>) {}
    /// The decision started last has given its outputs.
    fn decided(&mut self) {}
    /// A row's condition was evaluated.
    fn row(&mut self, _rule: RuleIdx, _matched: bool) {}
    /// A row was passed over: the run's date is outside its `effective` window.
    fn not_in_effect(&mut self, _rule: RuleIdx) {}
    /// The decision's value before rounding and caps (when either applies).
    fn unbounded(&mut self, _value: f64) {}
    /// A cap's limit on `side` for this customer (`None`: NULL, no limit).
    fn limit(&mut self, _cap: RuleIdx, _side: Bound, _value: Option<f64>) {}
    /// A cap's limit on `side` bound the decision's value.
    fn bound(&mut self, _cap: RuleIdx, _side: Bound) {}
    /// A cap that bound decides nothing after all: a ceiling bound over it.
    fn overruled(&mut self, _cap: RuleIdx) {}
}

/// Observes nothing: the batch run's observer.
impl Observer for () {}

/// What one decision did for one customer.
#[derive(Debug, Default)]
pub struct DecisionLog {
    /// The range scale's value, for scale decisions.
    pub scale: Option<f64>,
    /// Rows tried, in order, and whether each matched.
    pub rows: Vec<(RuleIdx, bool)>,
    /// Rows passed over because they were not in effect.
    pub not_in_effect: Vec<RuleIdx>,
    /// The value before rounding and caps, when either applies.
    pub unbounded: Option<f64>,
    /// Every cap's limit for this customer, as evaluated (`None`: no limit).
    pub limits: Vec<(RuleIdx, Bound, Option<f64>)>,
    /// Caps that bound, and on which side, in the order applied (a floor, then a ceiling).
    pub caps: Vec<(RuleIdx, Bound)>,
}

/// Records every decision's log, for `explain`, and how far the evaluation got (it may
/// fail part way).
#[derive(Debug, Default)]
pub struct Trace {
    /// How many of the metrics computed per customer have their value.
    pub metrics: usize,
    /// The decisions started, in order.
    pub decisions: Vec<DecisionLog>,
    /// How many of them gave their outputs (one fewer when the evaluation failed in one).
    pub decided: usize,
}

impl Observer for Trace {
    fn metric(&mut self) {
        self.metrics += 1;
    }

    fn decided(&mut self) {
        self.decided += 1;
    }

    fn decision(&mut self, scale: Option<f64>) {
        self.decisions.push(DecisionLog {
            scale,
            ..Default::default()
        });
    }

    fn row(&mut self, rule: RuleIdx, matched: bool) {
        if let Some(log) = self.decisions.last_mut() {
            log.rows.push((rule, matched));
        }
    }

    fn not_in_effect(&mut self, rule: RuleIdx) {
        if let Some(log) = self.decisions.last_mut() {
            log.rows.push((rule, false));
            log.not_in_effect.push(rule);
        }
    }

    fn unbounded(&mut self, value: f64) {
        if let Some(log) = self.decisions.last_mut() {
            log.unbounded = Some(value);
        }
    }

    fn limit(&mut self, cap: RuleIdx, side: Bound, value: Option<f64>) {
        if let Some(log) = self.decisions.last_mut() {
            log.limits.push((cap, side, value));
        }
    }

    fn bound(&mut self, cap: RuleIdx, side: Bound) {
        if let Some(log) = self.decisions.last_mut() {
            log.caps.push((cap, side));
        }
    }

    fn overruled(&mut self, cap: RuleIdx) {
        if let Some(log) = self.decisions.last_mut() {
            log.caps.retain(|(c, _)| *c != cap);
        }
    }
}
