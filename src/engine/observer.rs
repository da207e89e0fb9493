//! What evaluation can report as it goes, for whoever wants it: nothing in a batch run (the
//! no-op observer `()` compiles away), every row tried and every cap that bound when
//! explaining one customer ([`Trace`]). The worker pushes events to the observer instead of
//! threading an optional trace through the hot loop.

use crate::rules::RuleIdx;

/// Receives the events of one customer's evaluation.
pub trait Observer {
    /// A decision starts; `scale` is its range scale's value, for scale decisions.
    fn decision(&mut self, _scale: Option<f64>) {}
    /// A row's condition was evaluated.
    fn row(&mut self, _rule: RuleIdx, _matched: bool) {}
    /// A row was passed over: the run's date is outside its `effective` window.
    fn not_in_effect(&mut self, _rule: RuleIdx) {}
    /// The decision's value before rounding and caps (when either applies).
    fn unbounded(&mut self, _value: f64) {}
    /// A cap bound the decision's value.
    fn bound(&mut self, _cap: RuleIdx) {}
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
    /// Caps that bound.
    pub caps: Vec<RuleIdx>,
}

/// Records every decision's log, for `explain`.
#[derive(Debug, Default)]
pub struct Trace(pub Vec<DecisionLog>);

impl Observer for Trace {
    fn decision(&mut self, scale: Option<f64>) {
        self.0.push(DecisionLog {
            scale,
            ..Default::default()
        });
    }

    fn row(&mut self, rule: RuleIdx, matched: bool) {
        if let Some(log) = self.0.last_mut() {
            log.rows.push((rule, matched));
        }
    }

    fn not_in_effect(&mut self, rule: RuleIdx) {
        if let Some(log) = self.0.last_mut() {
            log.rows.push((rule, false));
            log.not_in_effect.push(rule);
        }
    }

    fn unbounded(&mut self, value: f64) {
        if let Some(log) = self.0.last_mut() {
            log.unbounded = Some(value);
        }
    }

    fn bound(&mut self, cap: RuleIdx) {
        if let Some(log) = self.0.last_mut() {
            log.caps.push(cap);
        }
    }
}
