//! Evaluation errors: a rule that failed for a customer, said in words an admin can act on.

use crate::rules::{Origin, RuleIdx, RuleSet};
use crate::script::kinds::Mismatch;
use rhai::EvalAltResult;

mod kinds;

/// A rule that failed for a customer.
#[derive(Debug, Clone, thiserror::Error)]
// The id escaped where it holds what a terminal acts on (`ESC[2J` from a CRM field).
#[error("customer {}: {rule} failed: {message}{}", crate::text::printable(.customer), if at.is_empty() { String::new() } else { format!("\n  --> {at}") })]
pub struct EvalError {
    pub customer: String,
    /// "rule `tier-a`", "metric `loyalty`", ...
    pub rule: String,
    pub message: String,
    /// file:line:column of the failing expression.
    pub at: String,
}

impl EvalError {
    /// The rule's id when a rule row or a cap failed (`tier-a` of "rule `tier-a`"), for
    /// programs that read the error as JSON; `None` for a metric, a population figure or a
    /// decision's conflict, which [`EvalError::rule`] names.
    pub fn rule_id(&self) -> Option<&str> {
        (self.rule.strip_prefix("rule `")).and_then(|id| id.strip_suffix('`'))
    }
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
        origin.file.place(line, col)
    })
}

/// What the failing expression read: its AST and the values its names had, so that a
/// message names the field that is NULL or holds text.
pub struct Reads<'x> {
    pub ast: &'x rhai::AST,
    pub scope: &'x rhai::Scope<'static>,
}

/// The message of a Rhai error, without Rhai's own position (the error shows the rule
/// file's) and without Rhai's type names (`f64`, `()`): a value that is NULL or text is
/// named, with its value, where the expression read it by name.
pub fn message(err: &EvalAltResult, reads: Option<&Reads>) -> String {
    // Inside a script function, names are the function's: say the values' kinds.
    let reads = reads.filter(|_| !matches!(err, EvalAltResult::ErrorInFunctionCall(..)));
    let inner = err.unwrap_inner();
    if let EvalAltResult::ErrorRuntime(payload, pos) = inner
        && let Some(m) = payload.read_lock::<Mismatch>()
    {
        let names = reads.map(|r| operand_names(r, *pos)).unwrap_or_default();
        return kinds::mismatch(&m, &names);
    }
    let mut message = match inner {
        // rhai's `sort` says this as a function not found.
        EvalAltResult::ErrorFunctionNotFound(said, _) if said.contains("cannot be sorted") => {
            "`sort`: the list holds values of more than one kind (whole numbers and decimals count as two: 3 and 2.5): make them one kind first (`x.to_float()`)".into()
        }
        EvalAltResult::ErrorPropertyNotFound(key, _) => format!(
            "the map has no key `{key}` (a missing key is an error, not NULL, so that a misspelt one does not pass unseen): for a default write `map.get(key) ?? default`, or test `key in map` first"
        ),
        EvalAltResult::ErrorFunctionNotFound(signature, pos) => {
            let operands = reads.map(|r| operand_names(r, *pos)).unwrap_or_default();
            let values = operands
                .iter()
                .map(|name| {
                    name.as_ref()
                        .and_then(|n| reads?.scope.get_value::<rhai::Dynamic>(n))
                })
                .collect::<Vec<_>>();
            return kinds::not_found(signature, &operands, &values);
        }
        // `due.month` with `due` NULL (or text): rhai's "a getter is not registered".
        EvalAltResult::ErrorDotExpr(said, pos) if said.contains("a getter is not registered") => {
            let prop = said.split('\'').nth(1).unwrap_or_default();
            let kind = kinds::words(said.rsplit('\'').nth(1).unwrap_or_default());
            let name = reads.and_then(|r| dotted_variable(r, *pos));
            let what = name.as_ref().map_or("a value".to_owned(), |n| format!("`{n}`"));
            match (kind, &name) {
                ("NULL", Some(n)) => format!(
                    "{what} is NULL for this customer, and `.{prop}` needs a value (test it with `is_null({n})` first)"
                ),
                ("NULL", None) => {
                    format!("a value is NULL for this customer, and `.{prop}` needs a value")
                }
                (kind, _) => format!("{what} is {kind}, which has no `.{prop}`"),
            }
        }
        // `vip && seg == "KA"` with `vip` NULL: rhai points at the operand.
        EvalAltResult::ErrorMismatchDataType(expected, actual, pos)
            if expected == "bool"
                && actual == "()"
                && let Some(name) = reads.and_then(|r| variable_at(r, *pos)) =>
        {
            format!(
                "`{name}` is NULL for this customer, where true or false is needed (test `is_null({name})` first, or, for a true/false field, give a default with `({name} ?? false)`)"
            )
        }
        EvalAltResult::ErrorMismatchDataType(expected, actual, _)
        | EvalAltResult::ErrorMismatchOutputType(expected, actual, _) => format!(
            "{} where {} is needed",
            kinds::words(actual),
            kinds::words(expected)
        ),
        EvalAltResult::ErrorTerminated(token, _) => crate::script::budget::overrun_message(token),
        // Rhai's own words around it ("Runtime error: ... @ 'file' in call to function
        // 'f' (from 'file')") say where, which the error's location already does.
        EvalAltResult::ErrorRuntime(payload, _) if payload.is_unit() => {
            "the script threw an error (`throw` without a message)".into()
        }
        EvalAltResult::ErrorRuntime(payload, pos) if payload.to_string() == "division by zero" => {
            let divisor = reads.and_then(|r| operand_names(r, *pos).get(1).cloned().flatten());
            match divisor {
                Some(n) => format!(
                    "division by zero: `{n}` is 0 for this customer (test it first: `{n} != 0 && ...`, or `if {n} == 0 {{ ... }} else {{ ... }}`)"
                ),
                None => {
                    "division by zero: the divisor is 0 for this customer (test it first)".into()
                }
            }
        }
        EvalAltResult::ErrorRuntime(payload, _) => payload.to_string(),
        _ => strip_rhai_position(&inner.to_string()),
    };
    if let Some(function) = innermost_function(err) {
        message.push_str(&format!(" (in script function `{function}`)"));
    }
    match inner {
        EvalAltResult::ErrorTooManyOperations(_) => message.push_str(
            " (a loop that does not end? the limit is `limits.max_operations` in the config)",
        ),
        EvalAltResult::ErrorStackOverflow(_) => message.push_str(
            ": functions call each other too deeply (a recursion that does not end? the limit \
             is `limits.max_call_levels` in the config)",
        ),
        // "Length of string too large": which limit, and its default.
        EvalAltResult::ErrorDataTooLarge(what, _) => message.push_str(match what.as_str() {
            "Length of string" => " (text longer than `limits.max_string_size` in the config, 10,000 bytes by default, a letter with an accent taking 2: a long value of the data joined into a text, or a loop building one: raise the limit)",
            w if w.contains("map") => " (a map with more entries than `limits.max_map_size` in the config, 1,000 by default)",
            _ => " (a list longer than `limits.max_array_size` in the config, 10,000 items by default)",
        }),
        _ => {}
    }
    message
}

/// The script function an error happened in (the innermost of the calls it went through).
fn innermost_function(err: &EvalAltResult) -> Option<&str> {
    let mut found = None;
    let mut current = err;
    while let EvalAltResult::ErrorInFunctionCall(name, _, inner, _) = current {
        found = Some(name.as_str());
        current = inner;
    }
    found
}

/// The names of the operands of the operator or call at `pos` (`None` for an operand that
/// is not a plain name).
fn operand_names(reads: &Reads, pos: rhai::Position) -> Vec<Option<String>> {
    let mut found = Vec::new();
    reads.ast.walk(&mut |path: &[rhai::ASTNode]| {
        if let Some(
            rhai::ASTNode::Expr(rhai::Expr::FnCall(f, at))
            | rhai::ASTNode::Stmt(rhai::Stmt::FnCall(f, at)),
        ) = path.last()
            && *at == pos
            && found.is_empty()
        {
            found = f
                .args
                .iter()
                .map(|a| match a {
                    rhai::Expr::Variable(v, ..) => Some(v.1.to_string()),
                    // `previous.paid_ytd`: what the rules read of an earlier period.
                    rhai::Expr::Dot(x, ..) => match (&x.lhs, &x.rhs) {
                        (rhai::Expr::Variable(v, ..), rhai::Expr::Property(p, _)) => {
                            Some(format!("{}.{}", v.1, p.2))
                        }
                        _ => None,
                    },
                    _ => None,
                })
                .collect();
        }
        true
    });
    found
}

/// The name read at `pos`, if a plain name is there.
fn variable_at(reads: &Reads, pos: rhai::Position) -> Option<String> {
    let mut found = None;
    reads.ast.walk(&mut |path: &[rhai::ASTNode]| {
        if let Some(rhai::ASTNode::Expr(rhai::Expr::Variable(v, _, at))) = path.last()
            && *at == pos
        {
            found = Some(v.1.to_string());
        }
        found.is_none()
    });
    found
}

/// The variable whose property is read at `pos` (`due` of `due.month`).
fn dotted_variable(reads: &Reads, pos: rhai::Position) -> Option<String> {
    let mut found = None;
    reads.ast.walk(&mut |path: &[rhai::ASTNode]| {
        if let Some(rhai::ASTNode::Expr(rhai::Expr::Dot(dot, _, at))) = path.last()
            && (*at == pos || dot.rhs.position() == pos)
            && let rhai::Expr::Variable(v, ..) = &dot.lhs
        {
            found = Some(v.1.to_string());
        }
        found.is_none()
    });
    found
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
        let ast = engine.compile_expression("n + 1").unwrap();
        let err = engine
            .eval_ast_with_scope::<rhai::Dynamic>(&mut scope, &ast)
            .unwrap_err();
        let reads = Reads {
            ast: &ast,
            scope: &scope,
        };
        assert_eq!(
            message(&err, Some(&reads)),
            "`n` is NULL for this customer, and `+` needs a value (test it with `is_null(n)` or give a default with `n ?? 0`)"
        );
        let err = engine
            .eval::<rhai::Dynamic>("let x = 0; loop { x += 1; }")
            .unwrap_err();
        assert!(
            message(&err, None).contains("limits.max_operations"),
            "{}",
            message(&err, None)
        );
    }
}

#[cfg(test)]
mod rule_id_tests {
    use super::EvalError;

    #[test]
    fn only_a_rule_row_or_cap_has_a_rule_id() {
        let failed = |rule: &str| EvalError {
            customer: "C1".into(),
            rule: rule.into(),
            message: String::new(),
            at: String::new(),
        };
        assert_eq!(failed("rule `tier-a`").rule_id(), Some("tier-a"));
        assert_eq!(failed("metric `loyalty`").rule_id(), None);
        assert_eq!(failed("decision `tier`").rule_id(), None);
        assert_eq!(failed("the population figures").rule_id(), None);
    }
}
