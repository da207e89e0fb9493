//! A name that stands for a parameter with a NULL default (`let r = q ?? 0;`), and the
//! constants such a default is written with: a switch on `r` sees `q`'s values.

use super::assigns;
use rhai::{Position, Token};

/// The name `name` is a default of, when the body gives `name` its value once, as
/// `let name = other ?? <constant>;`, and never again: a switch on `name` sees `other`'s
/// values (or the constant, for NULL).
pub(super) fn defaulted<'b>(body: &'b [(Token, Position)], name: &str) -> Option<&'b str> {
    let is = |t: &Token, n: &str| matches!(t, Token::Identifier(x) if x.as_str() == n);
    let mut found = None;
    for (k, w) in body.windows(7).enumerate() {
        if let [
            (Token::Let, _),
            (named, _),
            (Token::Equals, _),
            (Token::Identifier(other), _),
            (Token::DoubleQuestion, _),
            (constant, _),
            (Token::SemiColon, _),
        ] = w
            && is(named, name)
            && is_constant(constant)
        {
            if found.is_some() {
                return None;
            }
            found = Some((k, other.as_str()));
        }
    }
    let (at, other) = found?;
    // Given another value anywhere else (a second `let`, `r = ...`, `r += ...`): not followed.
    let elsewhere = body.iter().enumerate().any(|(k, (t, _))| {
        k != at + 1 && is(t, name) && body.get(k + 1).is_some_and(|(n, _)| assigns(n))
            || (k != at && *t == Token::Let && body.get(k + 1).is_some_and(|(n, _)| is(n, name)))
    });
    (!elsewhere).then_some(other)
}

/// A number, text or true/false written as it is.
pub(super) fn is_constant(t: &Token) -> bool {
    matches!(
        t,
        Token::IntegerConstant(_)
            | Token::FloatConstant(_)
            | Token::StringConstant(_)
            | Token::True
            | Token::False
    )
}
