//! A batch run must give every customer what evaluating it alone gives. Shared, by path, by
//! `tests/differential.rs` and `fuzz/fuzz_targets/eval.rs` (the fuzz crate cannot use the
//! tests' `common` module).

use tierwise::engine::{Evaluator, Mode, Outcome};

/// A customer's outputs as JSON (types kept: 5 and 5.0 differ) and its fired rules.
pub fn shown(o: &Outcome<'_, '_>) -> String {
    let values: Vec<serde_json::Value> = o.outputs.iter().map(|v| v.to_json()).collect();
    format!("{} {:?}", serde_json::Value::Array(values), o.fired)
}

/// Per customer of `ev`'s data: what [`shown`] shows of it, or its error, each evaluated
/// alone. On the fast path, also checks (panicking on a difference) that a batch run (chunks
/// evaluated column-at-a-time where they can be) gives every customer the same.
pub fn results(ev: &Evaluator<'_>, mode: Mode) -> Vec<Result<String, String>> {
    let n = ev.data.len;
    let one_by_one: Vec<Result<String, String>> = (0..n)
        .map(|i| match ev.evaluate_one(i) {
            Ok(o) => Ok(shown(&o.get(0))),
            Err(e) => Err(e.to_string()),
        })
        .collect();
    if mode == Mode::Fast {
        let (outcomes, _, errors) = ev.evaluate_keep_going(0..n);
        let mut batch: Vec<Option<Result<String, String>>> = vec![None; n];
        for o in outcomes.iter() {
            batch[o.index] = Some(Ok(shown(&o)));
        }
        // The errors come in customer order, one per customer left out.
        let mut errors = errors.into_iter();
        for slot in batch.iter_mut().filter(|b| b.is_none()) {
            *slot = errors.next().map(|e| Err(e.to_string()));
        }
        for (i, (a, b)) in one_by_one.iter().zip(batch).enumerate() {
            assert_eq!(
                Some(a),
                b.as_ref(),
                "customer {i}: one by one (left) and in a batch (right) differ"
            );
        }
    }
    one_by_one
}
