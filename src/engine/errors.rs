//! Evaluation errors: a rule that failed for a customer, said in words an admin can act on.

use crate::rules::{Origin, RuleIdx, RuleSet};
use rhai::EvalAltResult;

/// A rule that failed for a customer.
#[derive(Debug, Clone, thiserror::Error)]
#[error("customer {customer}: {rule} failed: {message}{}", if at.is_empty() { String::new() } else { format!("\n  --> {at}") })]
pub struct EvalError {
    pub customer: String,
    /// "rule `tier-a`", "metric `loyalty`", ...
    pub rule: String,
    pub message: String,
    /// file:line:column of the failing expression.
    pub at: String,
}

/// "rule `tier-a`", for messages.
pub fn rule_label(rules: &RuleSet, rule: RuleIdx) -> String {
    format!("rule `{}`", rules.rule_ids[rule as usize])
}

/// Where a Rhai error happened: inside a script function, at its place in the script;
/// otherwise at its place in the expression, mapped into the rule file.
pub fn location(err: &EvalAltResult, origin: &Origin) -> String {
    let mut found = None;
    let mut current = err;
    while let EvalAltResult::ErrorInFunctionCall(_, source, inner, _) = current {
        if !source.is_empty() {
            let pos = inner.position();
            found = Some(format!(
                "{source}:{}:{}",
                pos.line().unwrap_or(0),
                pos.position().unwrap_or(0)
            ));
        }
        current = inner;
    }
    found.unwrap_or_else(|| {
        let pos = err.position();
        let (line, col) = origin.map(pos.line().unwrap_or(1), pos.position().unwrap_or(1));
        format!("{}:{line}:{col}", origin.file.path.display())
    })
}

/// The message of a Rhai error, without Rhai's own position (the error shows the rule
/// file's), with a hint where the kind of error has a usual cause.
pub fn message(err: &EvalAltResult) -> String {
    let mut message = strip_rhai_position(&err.to_string());
    match err.unwrap_inner() {
        // Arithmetic or a function on NULL: `+ (i64, ())`.
        EvalAltResult::ErrorFunctionNotFound(signature, _) if signature.contains("()") => {
            message.push_str(
                " (a value is NULL: test it with `is_null(x)` or give a default with `x ?? 0`)",
            );
        }
        EvalAltResult::ErrorTooManyOperations(_) => {
            message.push_str(
                " (a loop that does not end? the limit is `limits.max_operations` in the config)",
            );
        }
        _ => {}
    }
    message
}

/// rhai ends messages with " (line 1, position 5)" relative to the expression; the error
/// shows the position in the rule file instead.
fn strip_rhai_position(message: &str) -> String {
    let mut out = message.to_owned();
    while let Some(start) = out.find(" (line ") {
        match out[start..].find(')') {
            Some(end) => out.replace_range(start..start + end + 1, ""),
            None => break,
        }
    }
    out.replace('\n', " ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strips_rhai_positions() {
        assert_eq!(
            strip_rhai_position("Function not found: + (i64, ()) (line 1, position 3)"),
            "Function not found: + (i64, ())"
        );
    }

    #[test]
    fn hints_come_from_the_kind_of_error() {
        let engine = crate::script::new_engine(&Default::default());
        let mut scope = rhai::Scope::new();
        scope.push("n", ());
        let err = engine
            .eval_expression_with_scope::<rhai::Dynamic>(&mut scope, "n + 1")
            .unwrap_err();
        assert!(
            message(&err).ends_with("give a default with `x ?? 0`)"),
            "{}",
            message(&err)
        );
        let err = engine
            .eval::<rhai::Dynamic>("let x = 0; loop { x += 1; }")
            .unwrap_err();
        assert!(
            message(&err).contains("limits.max_operations"),
            "{}",
            message(&err)
        );
    }
}
