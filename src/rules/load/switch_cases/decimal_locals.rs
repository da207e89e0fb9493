//! A `switch` in a script function on a `let` local that a division gives (`let h = (pc ??
//! 0) / 2; switch h { 0 => ..., 1 => ... }`): `/` always gives a decimal (`7 / 2` is 3.5,
//! `4 / 2` is 2.0), which a whole-number case never matches, so every customer got the
//! switch's `_`, and `check --data` said nothing. The same switch on a metric was a load
//! error; one on a local was not looked at.

use super::{Case, assigns, cases_in, functions, tokens};
use rhai::Token;

/// Each whole-number case of a switch on a local given once by `let local = ... / ...;`
/// (a division outside brackets), with the local's name.
pub(in crate::rules::load) fn decimal_local_cases(text: &str) -> Vec<(String, Case)> {
    let tokens = tokens(text);
    let mut found = Vec::new();
    for f in functions(&tokens) {
        let body = f.body;
        for case in cases_in(body) {
            if !case.exact || !case.value.is_int() {
                continue;
            }
            let is_name = |t: &Token| matches!(t, Token::Identifier(n) if n.as_str() == case.name);
            // The local's `let`s and other assignments: one `let`, nothing else.
            let lets: Vec<usize> = (0..body.len().saturating_sub(1))
                .filter(|&k| body[k].0 == Token::Let && is_name(&body[k + 1].0))
                .collect();
            let reassigned = (0..body.len().saturating_sub(1)).any(|k| {
                is_name(&body[k].0) && assigns(&body[k + 1].0) && !lets.iter().any(|&l| l + 1 == k)
            });
            let ([at], false) = (lets.as_slice(), reassigned) else {
                continue;
            };
            // Its initializer, to the `;`: a `/` outside brackets.
            let mut depth = 0usize;
            let mut divides = false;
            for (token, _) in &body[at + 3..] {
                match token {
                    Token::LeftParen | Token::LeftBracket | Token::LeftBrace => depth += 1,
                    Token::RightParen | Token::RightBracket | Token::RightBrace => {
                        depth = depth.saturating_sub(1)
                    }
                    Token::SemiColon if depth == 0 => break,
                    Token::Divide if depth == 0 => divides = true,
                    _ => {}
                }
            }
            if divides {
                found.push((case.name.clone(), case));
            }
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::decimal_local_cases;

    #[test]
    fn whole_number_cases_on_a_quotient_are_found() {
        let script = "fn pairs(pc) {\n    let h = (pc ?? 0) / 2;\n    switch h { 0 => \"none\", 1 => \"one\", _ => \"many\" }\n}\n";
        let found: Vec<(String, String)> = decimal_local_cases(script)
            .into_iter()
            .map(|(local, c)| (local, c.value.to_string()))
            .collect();
        assert_eq!(found, [("h".into(), "0".into()), ("h".into(), "1".into())]);
        // Made whole, ranges, a division inside a call, a local given twice: nothing.
        for script in [
            "fn f(x) { let h = (x / 2).to_int(); switch h { 0 => 1, _ => 2 } }",
            "fn f(x) { let h = x / 2; switch h { 0..1 => 1, _ => 2 } }",
            "fn f(x) { let h = x * 2; switch h { 0 => 1, _ => 2 } }",
            "fn f(x) { let h = x / 2; h = 3; switch h { 0 => 1, _ => 2 } }",
        ] {
            assert!(decimal_local_cases(script).is_empty(), "{script}");
        }
    }
}
