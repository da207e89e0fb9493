//! The values of a `switch`'s cases, for the type checks. Rhai keeps only the hashes of the
//! case values, so a case of another kind than the value switched on was invisible: it can
//! never match, and `switch channel { 1 => "a", 2 => "b" }` on a text column gave NULL for
//! every customer, silently. The values are read back from the expression's tokens, and
//! each case of `switch <name> { ... }` counts as `name == value` for the checks of
//! comparisons (the declared kinds at load time, the kinds seen in the data before a run).
//! A case matches only a value of its exact kind, so the data's numbers are checked too: a
//! whole-number case never matches a column of decimals (5.0 is not 5). Ranges (`0..10`)
//! match both.

mod decimal_locals;
mod defaults;

use super::operations::{SWITCH_CASE, SWITCH_RANGE};
pub(super) use decimal_locals::decimal_local_cases;
use defaults::{defaulted, is_constant};
use rhai::{Dynamic, Position, Token};

/// A case value of a `switch` on a name.
#[derive(Debug, Clone)]
pub(super) struct Case {
    pub name: String,
    pub value: Dynamic,
    /// Where the value is written.
    pub pos: Position,
    /// A value the case matches exactly (not an end of a range, which matches whole and
    /// decimal numbers alike).
    pub exact: bool,
    /// Which switch of the text the case is in (the same number for its every case).
    pub switch: usize,
}

impl Case {
    /// The operation the case counts as for the kind checks: `name == value`, matched
    /// exactly ([`SWITCH_CASE`]) unless it is the end of a range ([`SWITCH_RANGE`]).
    pub fn op(&self) -> &'static str {
        if self.exact {
            SWITCH_CASE
        } else {
            SWITCH_RANGE
        }
    }
}

/// Every case value of each `switch <name> { ... }` in `text`. Ranges (`1..10`) give their
/// ends; a case guard (`1 if x`), the default `_` and values that are not constants give
/// nothing.
pub(super) fn switch_cases(text: &str) -> Vec<Case> {
    cases_in(&tokens(text))
}

/// The text cases of each `switch <name> { ... }` in `text`: `(name, text)`, for the lints
/// on the data (a case `"PL"` misses the customers whose data writes `pl`).
pub(in crate::rules) fn switch_text_cases(text: &str) -> Vec<(String, String)> {
    (switch_cases(text).into_iter())
        .filter(|c| c.exact)
        .filter_map(|c| Some((c.name, c.value.into_immutable_string().ok()?.to_string())))
        .collect()
}

/// A case of a `switch` on a parameter of a script function (`fn f(channel) { switch
/// channel { 1 => ... } }`): what each call passes for the parameter is checked against it.
#[derive(Debug, Clone)]
pub(super) struct ParamCase {
    pub function: String,
    pub arity: usize,
    /// Which parameter the switch is on.
    pub param: usize,
    /// That parameter's name in `function` (the case's own name when the switch is in it).
    pub param_name: String,
    /// The case, named by the parameter of the function whose switch it is in, placed in
    /// the script.
    pub case: Case,
    /// How the value reaches that switch when `function` passes its parameter on to
    /// another function: "`bonus` passes `ch` to `channel_bonus` as `channel`", outermost
    /// first (empty when the switch is in `function`).
    pub hops: Vec<String>,
}

impl ParamCase {
    /// The same case, reached through `caller`, which passes its parameter `param` on
    /// unchanged as this case's parameter.
    pub fn through(&self, caller: &Forward) -> ParamCase {
        let mut hops = vec![format!(
            "`{}` passes `{}` to `{}` as `{}`",
            caller.function, caller.param_name, self.function, self.param_name
        )];
        hops.extend(self.hops.iter().cloned());
        ParamCase {
            function: caller.function.clone(),
            arity: caller.arity,
            param: caller.param,
            param_name: caller.param_name.clone(),
            case: self.case.clone(),
            hops,
        }
    }
}

/// A script function passing one of its parameters on, unchanged, to another function:
/// `fn bonus(ch) { channel_bonus(ch) * 2 }`. A switch on the callee's parameter sees what
/// each call of `bonus` passes.
#[derive(Debug)]
pub(super) struct Forward {
    pub function: String,
    pub arity: usize,
    pub param: usize,
    pub param_name: String,
    pub callee: String,
    pub callee_arity: usize,
    /// Which of the callee's parameters it is passed as.
    pub callee_param: usize,
}

/// A function definition in a script's tokens: its name, its parameters, and its body's
/// tokens (from its `{` to the matching `}`).
struct Function<'t> {
    name: String,
    params: Vec<String>,
    body: &'t [(Token, Position)],
}

/// The names the script `text` declares: its functions' parameters, and every name after
/// `let`, `const` or `for`.
pub(super) fn declared_names(text: &str) -> std::collections::BTreeSet<String> {
    let tokens = tokens(text);
    let mut names: std::collections::BTreeSet<String> = functions(&tokens)
        .into_iter()
        .flat_map(|f| f.params)
        .collect();
    for w in tokens.windows(2) {
        if let (Token::Let | Token::Const | Token::For, Token::Identifier(n)) = (&w[0].0, &w[1].0) {
            names.insert(n.to_string());
        }
    }
    names
}

/// Every `fn name(params) { body }` in `tokens`, in order.
fn functions(tokens: &[(Token, Position)]) -> Vec<Function<'_>> {
    let mut found = Vec::new();
    let mut k = 0;
    while k + 2 < tokens.len() {
        let (Token::Fn, Token::Identifier(name), Token::LeftParen) =
            (&tokens[k].0, &tokens[k + 1].0, &tokens[k + 2].0)
        else {
            k += 1;
            continue;
        };
        let mut params = Vec::new();
        let mut j = k + 3;
        while let Some((token, _)) = tokens.get(j) {
            j += 1;
            match token {
                Token::Identifier(p) => params.push(p.to_string()),
                Token::RightParen => break,
                _ => {}
            }
        }
        // The body: from its `{` to the matching `}`.
        let start = j;
        let mut depth = 0usize;
        while let Some((token, _)) = tokens.get(j) {
            j += 1;
            match token {
                Token::LeftBrace | Token::MapStart => depth += 1,
                Token::RightBrace => {
                    depth = depth.saturating_sub(1);
                    if depth == 0 {
                        break;
                    }
                }
                _ => {}
            }
        }
        found.push(Function {
            name: name.to_string(),
            params,
            body: &tokens[start.min(j)..j],
        });
        k = j;
    }
    found
}

/// The switch cases on parameters in the script `text`. A parameter the function assigns
/// (`let channel = ...`, `channel = ...`) is skipped: the switch may see another value.
pub(super) fn param_cases(text: &str) -> Vec<ParamCase> {
    let tokens = tokens(text);
    let mut found = Vec::new();
    for f in functions(&tokens) {
        let cases = cases_in(f.body);
        let generic: Vec<bool> = cases.iter().map(|c| generic(&cases, c.switch)).collect();
        for (case, generic) in cases.into_iter().zip(generic) {
            // `let r = q ?? 0; switch r { ... }`: the NULL default the README teaches.
            let name = defaulted(f.body, &case.name)
                .unwrap_or(&case.name)
                .to_owned();
            if let Some(param) = f.params.iter().position(|p| *p == name)
                && !generic
                && !rebound(f.body, &name)
            {
                found.push(ParamCase {
                    function: f.name.clone(),
                    arity: f.params.len(),
                    param,
                    param_name: name,
                    case,
                    hops: Vec::new(),
                });
            }
        }
    }
    found
}

/// Each call in a script function of `text` that passes one of the function's parameters,
/// as it is, as an argument of another function (`inner(ch)`, not `inner(ch + 1)`). A
/// parameter the function assigns is skipped, as in [`param_cases`]; so are method calls
/// (`ch.inner()`).
pub(super) fn forwards(text: &str) -> Vec<Forward> {
    let tokens = tokens(text);
    let mut found = Vec::new();
    for f in functions(&tokens) {
        let body = f.body;
        for k in 0..body.len().saturating_sub(1) {
            let (Token::Identifier(callee), Token::LeftParen) = (&body[k].0, &body[k + 1].0) else {
                continue;
            };
            if k > 0 && body[k - 1].0 == Token::Period {
                continue;
            }
            let args = call_args(&body[k + 2..]);
            for (callee_param, arg) in args.iter().enumerate() {
                let Some(Token::Identifier(name)) = arg else {
                    continue;
                };
                if let Some(param) = f.params.iter().position(|p| p == name.as_str())
                    && !rebound(body, name)
                    && !kind_tested(body, name)
                {
                    found.push(Forward {
                        function: f.name.clone(),
                        arity: f.params.len(),
                        param,
                        param_name: name.to_string(),
                        callee: callee.to_string(),
                        callee_arity: args.len(),
                        callee_param,
                    });
                }
            }
        }
    }
    found
}

/// The arguments of a call, from the tokens after its `(`: each argument's token when it is
/// a single token, `None` when it is more (`x + 1`, `f(x)`).
fn call_args(tokens: &[(Token, Position)]) -> Vec<Option<&Token>> {
    let mut args = Vec::new();
    let (mut depth, mut current): (usize, Vec<&Token>) = (0, Vec::new());
    // A closure's parameters (`|a, b| a + b`): their commas are not the call's.
    let mut in_pipes = false;
    for (token, _) in tokens {
        match token {
            Token::Pipe if depth == 0 => in_pipes = !in_pipes,
            Token::Comma if in_pipes => {}
            Token::LeftParen | Token::LeftBracket | Token::LeftBrace | Token::MapStart => {
                depth += 1
            }
            Token::RightParen | Token::RightBracket | Token::RightBrace if depth > 0 => depth -= 1,
            Token::RightParen => break,
            Token::Comma if depth == 0 => {
                args.push(std::mem::take(&mut current));
                continue;
            }
            _ => {}
        }
        current.push(token);
    }
    if !current.is_empty() || !args.is_empty() {
        args.push(current);
    }
    args.into_iter()
        .map(|a| match a[..] {
            [one] => Some(one),
            _ => None,
        })
        .collect()
}

/// Whether the body may give the parameter `p` another value, or another name `p` (which a
/// switch on `p` might see instead): `let p`, `const p`, `p = ...`, `for p in`, `catch (p)`,
/// a closure's `|p|`. Any of them, anywhere in the body, and its switches on `p` are not
/// checked.
fn rebound(body: &[(Token, Position)], p: &str) -> bool {
    let is_p = |t: &Token| matches!(t, Token::Identifier(n) if n.as_str() == p);
    let mut in_pipes = false;
    body.iter().enumerate().any(|(k, (token, _))| {
        let next = body.get(k + 1).map(|(t, _)| t);
        if *token == Token::Pipe {
            in_pipes = !in_pipes;
        }
        match token {
            Token::Let | Token::Const | Token::For => next.is_some_and(is_p),
            Token::Catch => body.get(k + 2).is_some_and(|(t, _)| is_p(t)),
            t if is_p(t) => in_pipes || next.is_some_and(assigns),
            _ => false,
        }
    })
}

/// `=`, `+=`, `-=`, ...: the name before it is given another value.
fn assigns(t: &Token) -> bool {
    use Token::*;
    matches!(
        t,
        Equals
            | PlusAssign
            | MinusAssign
            | MultiplyAssign
            | DivideAssign
            | ModuloAssign
            | PowerOfAssign
            | LeftShiftAssign
            | RightShiftAssign
            | AndAssign
            | OrAssign
            | XOrAssign
    )
}

/// Whether the body asks what kind `p` is (`type_of(p)`): a helper for values of any
/// kind, whose calls are guarded by it, so the switch it reaches is not checked.
fn kind_tested(body: &[(Token, Position)], p: &str) -> bool {
    // `type_of` is a keyword to the lexer, not a name.
    let type_of = |t: &Token| match t {
        Token::Identifier(n) => n.as_str() == "type_of",
        Token::Reserved(n) => n.as_str() == "type_of",
        _ => false,
    };
    let is_p = |t: &Token| matches!(t, Token::Identifier(n) if n.as_str() == p);
    body.windows(3).any(|w| {
        (type_of(&w[0].0) && w[1].0 == Token::LeftParen && is_p(&w[2].0))
            || (is_p(&w[0].0) && w[1].0 == Token::Period && type_of(&w[2].0))
    })
}

/// Whether switch `switch` has exact cases of more than one kind (`true`, `"Y"`, `1`): a
/// helper written for values of any kind, whose cases of the other kinds are meant not to
/// match.
fn generic(cases: &[Case], switch: usize) -> bool {
    let kind = |v: &Dynamic| {
        if v.is_int() || v.is_float() {
            0
        } else if v.is_string() {
            1
        } else if v.is_bool() {
            2
        } else {
            3
        }
    };
    let mut kinds = cases
        .iter()
        .filter(|c| c.switch == switch)
        .map(|c| kind(&c.value));
    let first = kinds.next();
    kinds.any(|k| Some(k) != first)
}

/// The cases of each `switch <name> { ... }` in `tokens`.
fn cases_in(tokens: &[(Token, Position)]) -> Vec<Case> {
    let mut found = Vec::new();
    for (k, window) in tokens.windows(3).enumerate() {
        // `switch q { ...`, or `switch q ?? 0 { ...` (NULL's default).
        let (name, open) = match window {
            [
                (Token::Switch, _),
                (Token::Identifier(name), _),
                (Token::LeftBrace, _),
            ] => (name, k + 3),
            [
                (Token::Switch, _),
                (Token::Identifier(name), _),
                (Token::DoubleQuestion, _),
            ] if tokens.get(k + 3).is_some_and(|(t, _)| is_constant(t))
                && tokens
                    .get(k + 4)
                    .is_some_and(|(t, _)| *t == Token::LeftBrace) =>
            {
                (name, k + 5)
            }
            _ => continue,
        };
        {
            for (value, pos, exact) in case_values(&tokens[open..]) {
                let name = name.to_string();
                found.push(Case {
                    name,
                    value,
                    pos,
                    exact,
                    switch: k,
                });
            }
        }
    }
    found
}

/// The tokens of the expression `text` as rhai's parser sees them (a template's `}` ends
/// its `${`, and its text goes on), up to the end or the first lexing error.
fn tokens(text: &str) -> Vec<(Token, Position)> {
    let engine = rhai::Engine::new_raw();
    let (stream, control) = engine.lex([&text]);
    let mut tokens: Vec<(Token, Position)> = Vec::new();
    // Whether each open `{` is a template's `${`: after its `}` the template's text goes
    // on, which the lexer is told as rhai's parser tells it.
    let (mut braces, mut template) = (Vec::new(), false);
    for (token, pos) in stream {
        match &token {
            Token::EOF | Token::LexError(_) => break,
            Token::InterpolatedString(_) => template = true,
            Token::LeftBrace => {
                let opens_template = std::mem::take(&mut template);
                braces.push(opens_template);
                if opens_template {
                    continue; // the `${`: not a brace of the expression
                }
            }
            // Every `}` closes the brace on top (the guard pops it); a template's `}` is
            // dropped too, and the template's text goes on.
            Token::RightBrace if braces.pop() == Some(true) => {
                control.borrow_mut().is_within_text = true;
                continue;
            }
            _ => {}
        }
        tokens.push((token, pos));
    }
    tokens
}

/// Where each item of the list whose `[` is at `open` in `text` starts (empty when there is
/// no `[` there). Rhai keeps a list of constants as one value, without its items' places.
pub(super) fn list_items(text: &str, open: Position) -> Vec<Position> {
    let tokens = tokens(text);
    let Some(start) = tokens
        .iter()
        .position(|(t, p)| *t == Token::LeftBracket && *p == open)
    else {
        return Vec::new();
    };
    let (mut items, mut depth, mut item_starts) = (Vec::new(), 0usize, true);
    for (token, pos) in &tokens[start + 1..] {
        if item_starts && depth == 0 && !matches!(token, Token::RightBracket) {
            items.push(*pos);
        }
        item_starts = false;
        match token {
            Token::LeftBracket | Token::LeftParen | Token::LeftBrace | Token::MapStart => {
                depth += 1
            }
            Token::RightBracket if depth == 0 => break,
            Token::RightBracket | Token::RightParen | Token::RightBrace => {
                depth = depth.saturating_sub(1)
            }
            Token::Comma if depth == 0 => item_starts = true,
            _ => {}
        }
    }
    items
}

/// The case values of a switch's cases, from the tokens after its `{` to its `}`, and
/// whether each is matched exactly (not a range's end).
fn case_values(tokens: &[(Token, Position)]) -> Vec<(Dynamic, Position, bool)> {
    let mut values: Vec<(Dynamic, Position, bool)> = Vec::new();
    // Where we are: in a case's values (before `=>`), its guard, or its body.
    let (mut in_values, mut depth, mut negative) = (true, 0usize, false);
    let mut range_end = false;
    for (token, pos) in tokens {
        match token {
            Token::LeftBrace | Token::LeftParen | Token::LeftBracket | Token::MapStart => {
                depth += 1
            }
            Token::RightBrace | Token::RightParen | Token::RightBracket if depth > 0 => depth -= 1,
            Token::RightBrace => break, // the switch's own `}`
            Token::DoubleArrow if depth == 0 => in_values = false,
            Token::Comma if depth == 0 => in_values = true,
            Token::If if depth == 0 => in_values = false, // a guard, up to `=>`
            _ if !in_values || depth > 0 => {}
            Token::UnaryMinus | Token::Minus => negative = true,
            Token::ExclusiveRange | Token::InclusiveRange => {
                if let Some(start) = values.last_mut() {
                    start.2 = false;
                }
                range_end = true;
            }
            token => {
                let value = match token {
                    Token::IntegerConstant(i) => Some(Dynamic::from_int(if negative {
                        i.wrapping_neg()
                    } else {
                        *i
                    })),
                    Token::FloatConstant(f) => {
                        let x = *f.0;
                        Some(Dynamic::from_float(if negative { -x } else { x }))
                    }
                    Token::StringConstant(s) => Some(Dynamic::from(s.to_string())),
                    Token::True => Some(Dynamic::from_bool(true)),
                    Token::False => Some(Dynamic::from_bool(false)),
                    _ => None,
                };
                negative = false;
                values.extend(value.map(|v| (v, *pos, !range_end)));
                range_end = false;
            }
        }
    }
    values
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn switches_on_parameters_are_found_by_function_and_parameter() {
        let script = "fn f(a, b) {\n  switch b { 1 => 2, 3 => 3 }\n}\nfn g(c) { let c = 1; switch c { 5 => 1 } }\nfn h() { switch d { 7 => 1 } }\nfn k(e) { `${e}`; switch e { 0..2 => `{ ${e} }` } }";
        let found: Vec<String> = param_cases(script)
            .into_iter()
            .map(|c| {
                format!(
                    "{}/{} #{} {}:{} at {}",
                    c.function, c.arity, c.param, c.case.name, c.case.value, c.case.pos
                )
            })
            .collect();
        assert_eq!(
            found,
            [
                "f/2 #1 b:1 at line 2, position 14",
                "f/2 #1 b:3 at line 2, position 22",
                "k/1 #0 e:0 at line 6, position 30",
                "k/1 #0 e:2 at line 6, position 33",
            ]
        );
    }

    #[test]
    fn a_parameter_given_another_value_or_name_and_generic_switches_are_not_checked() {
        let script = "fn a(c) { for c in [1] { switch c { 1 => 1 } } }\n\
            fn b(c) { [1].map(|c| switch c { 1 => 1 }) }\n\
            fn d(c) { try { 1 } catch (c) { switch c { 1 => 1 } } }\n\
            fn e(c) { const c = 2; switch c { 1 => 1 } }\n\
            fn f(v) { switch v { true => 1, \"Y\" => 1, 1 => 1, _ => 0 } }\n\
            fn g(v) { switch v { 1 => 1, 2.5 => 2 } }";
        let found: Vec<String> = param_cases(script)
            .into_iter()
            .map(|c| format!("{} {}", c.function, c.case.value))
            .collect();
        assert_eq!(
            found,
            ["g 1", "g 2.5"],
            "whole and decimal cases are one kind"
        );
    }

    #[test]
    fn a_parameter_passed_on_as_it_is_is_a_forward() {
        let script = "fn a(x, y) { b(y, x + 1) + c(f(x)) }\n\
            fn d(p) { p.b(1); e() + g(p) }\n\
            fn h(q) { let q = 2; b(q, 1) }\n\
            fn k(r) { m([r, 1], r) }\n\
            fn n(s) { s += 1; b(s) }\n\
            fn o(t) { if type_of(t) == \"string\" { 0 } else { b(t) } }\n\
            fn q(u) { m(|a, b| a + b, u) }";
        let found: Vec<String> = forwards(script)
            .into_iter()
            .map(|f| {
                format!(
                    "{}/{} #{} {} -> {}/{} #{}",
                    f.function,
                    f.arity,
                    f.param,
                    f.param_name,
                    f.callee,
                    f.callee_arity,
                    f.callee_param
                )
            })
            .collect();
        assert_eq!(
            found,
            [
                "a/2 #1 y -> b/2 #0",
                "a/2 #0 x -> f/1 #0",
                "d/1 #0 p -> g/1 #0",
                "k/1 #0 r -> m/2 #1",
                "q/1 #0 u -> m/2 #1"
            ],
            "`f(x)` inside `c(...)`, but not `x + 1`, `f(x)` or a list as an argument; not a method call; not a parameter given another value"
        );
    }

    #[test]
    fn a_lists_items_are_found_where_they_are_written() {
        let text = "x in [1, -2.5, \"a, b\", [3, 4], f(5, 6)] && y in []";
        let at = |line, col| Position::new(line, col);
        assert_eq!(
            list_items(text, at(1, 6)),
            [at(1, 7), at(1, 10), at(1, 16), at(1, 24), at(1, 32)]
        );
        assert_eq!(list_items(text, at(1, 49)), [], "an empty list");
        assert_eq!(list_items(text, at(1, 1)), [], "no `[` there");
    }

    fn cases(text: &str) -> Vec<String> {
        switch_cases(text)
            .into_iter()
            .map(|c| {
                format!(
                    "{} {}:{}{} at {}",
                    c.name,
                    c.value.type_name(),
                    c.value,
                    if c.exact { "" } else { " (range)" },
                    c.pos.position().unwrap_or(0)
                )
            })
            .collect()
    }

    #[test]
    fn each_case_value_is_read_with_its_kind_and_position() {
        assert_eq!(
            cases(
                r#"switch channel { 1 | -2 => "a", "KA" => "b", 2.5 => "c", true => "d", _ => "e" }"#
            ),
            [
                "channel i64:1 at 18",
                "channel i64:-2 at 22",
                "channel string:KA at 33",
                "channel f64:2.5 at 46",
                "channel bool:true at 58",
            ]
        );
    }

    #[test]
    fn bodies_guards_and_nested_switches_are_not_case_values() {
        assert_eq!(
            cases(
                r#"switch tier { "A" if x > 1 => [1, 2], "B" => switch seg { 3 => #{a: 4}, _ => 5 }, 0..10 => { 6 } }"#
            ),
            [
                "tier string:A at 15",
                "tier string:B at 39",
                "tier i64:0 (range) at 83",
                "tier i64:10 (range) at 86",
                "seg i64:3 at 59",
            ]
        );
    }

    #[test]
    fn a_template_in_a_case_body_does_not_end_the_switch() {
        assert_eq!(
            cases(r#"switch t { "A" => `x ${y} z`, 1 => 2 }"#),
            ["t string:A at 12", "t i64:1 at 31"]
        );
    }

    #[test]
    fn a_switch_on_anything_but_a_name_is_left_alone() {
        assert!(cases(r#"switch x + 1 { 1 => 2 }"#).is_empty());
        assert!(cases(r#"if switch_x { 1 } else { 2 }"#).is_empty());
    }
}
