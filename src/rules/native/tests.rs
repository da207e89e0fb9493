use super::*;
use rhai::Dynamic;

fn compile_with(script: &str, expr: &str, names: &[&str]) -> Option<Native> {
    let engine = crate::script::new_engine(&crate::script::Limits::default());
    let fns = functions(&engine.compile(script).unwrap());
    let ast = engine.compile_expression(expr).unwrap();
    compile(&ast, &|n| names.iter().position(|x| *x == n), &fns)
}

/// Compiled, ready to evaluate over slots of the kinds `kinds` tells.
fn compile_typed(
    script: &str,
    expr: &str,
    names: &[&str],
    kinds: &dyn Fn(crate::rules::Slot) -> Option<Kind>,
) -> Option<Fast> {
    Some(compile_with(script, expr, names)?.fast(kinds))
}

/// Ready to evaluate, with no kinds known.
fn untyped(n: &Native) -> Fast {
    n.fast(&|_| None)
}

/// The kind a value is: what a column declared for it would say.
fn kind_of(v: &Value<'_>) -> Option<Kind> {
    match v {
        Value::Int(_) => Some(Kind::Int),
        Value::Float(_) => Some(Kind::Float),
        Value::Bool(_) => Some(Kind::Bool),
        _ => None,
    }
}

/// A wrong guess of the same: whole numbers said to be decimals and the other way round,
/// NULL said to be a number.
fn wrong_kind_of(v: &Value<'_>) -> Option<Kind> {
    match v {
        Value::Int(_) => Some(Kind::Float),
        Value::Float(_) | Value::Null => Some(Kind::Int),
        Value::Bool(_) => Some(Kind::Bool),
        _ => None,
    }
}

/// A value with its type, as both paths are compared.
fn describe(v: &Value<'_>) -> String {
    match v {
        Value::Null => "()".into(),
        Value::Bool(b) => format!("{b}"),
        Value::Int(i) => format!("int {i}"),
        Value::Float(f) => format!("float {f:?}"),
        Value::Str(s) => format!("{s:?}"),
        Value::Owned(s) => format!("{:?}", s.as_str()),
        Value::Date(d) => format!("date {d}"),
        other => format!("{other:?}"),
    }
}

/// `expr` (with `script`'s functions) over `vars` on both paths. The fast path must have
/// compiled it; where it decides, it must give what rhai gives. Returns rhai's answer: the
/// value, or `error: ...` (then the fast path must have handed it to rhai).
fn both_in(script: &str, expr: &str, vars: &[(&str, Value<'static>)]) -> String {
    let names: Vec<&str> = vars.iter().map(|(n, _)| *n).collect();
    let frame: Vec<Value<'static>> = vars.iter().map(|(_, v)| v.clone()).collect();
    let max_text = crate::script::Limits::default().max_string_size;
    // Untyped, typed with the kinds the values have, and typed with wrong guesses (which
    // the typed code must notice): all three give one answer.
    let right = |slot: crate::rules::Slot| kind_of(&frame[slot]);
    let wrong = |slot: crate::rules::Slot| wrong_kind_of(&frame[slot]);
    let kinds: [&dyn Fn(crate::rules::Slot) -> Option<Kind>; 3] = [&|_| None, &right, &wrong];
    let answers: Vec<Result<String, Fallback>> = kinds
        .iter()
        .map(|kinds| match compile_typed(script, expr, &names, kinds) {
            Some(n) => Scratch::new(max_text)
                .value(&n, &frame)
                .map(|v| describe(&v)),
            None => Err(Fallback),
        })
        .collect();
    // Column-at-a-time (one lane, the frame's customer): where it decides, it must give what
    // the per-customer walk gives.
    for kinds in &kinds[1..] {
        let Some(fast) = compile_typed(script, expr, &names, *kinds) else {
            continue;
        };
        if let Some(cell) = lanes(&fast, std::slice::from_ref(&frame))[0].value() {
            let walked = Scratch::new(max_text).value(&fast, &frame);
            assert_eq!(
                Ok(describe(&cell)),
                walked.map(|v| describe(&v)),
                "{expr}: column-at-a-time (left) and the per-customer walk (right) differ"
            );
        }
    }
    for typed in &answers[1..] {
        if let (Ok(typed), Ok(untyped)) = (typed, &answers[0]) {
            assert_eq!(
                typed, untyped,
                "{expr}: typed (left) and untyped (right) differ"
            );
        }
    }
    let fast = answers
        .into_iter()
        .find(|a| a.is_ok())
        .unwrap_or(Err(Fallback));

    let engine = crate::script::new_engine(&crate::script::Limits::default());
    let ast = engine
        .compile(script)
        .unwrap()
        .merge(&engine.compile_expression(expr).unwrap());
    let mut scope = rhai::Scope::new();
    for (name, v) in vars {
        scope.push_dynamic(*name, v.to_dynamic());
    }
    let slow = engine.eval_ast_with_scope::<Dynamic>(&mut scope, &ast);
    match (fast, slow) {
        (Ok(f), Ok(s)) => {
            let s = describe(&Value::from_dynamic(s));
            assert_eq!(f, s, "{expr}: fast path (left) and rhai (right) differ");
            s
        }
        (Err(Fallback), Ok(s)) => describe(&Value::from_dynamic(s)),
        (Ok(f), Err(e)) => panic!("{expr}: fast path gave {f} where rhai fails: {e}"),
        (Err(Fallback), Err(e)) => format!("error: {e}"),
    }
}

/// `fast` evaluated column-at-a-time over `frames`, one lane per frame (every lane gives up
/// when the expression has no whole typed tree).
fn lanes(fast: &Fast, frames: &[Vec<Value<'static>>]) -> Vec<Cell> {
    let Some((tree, locals)) = fast.whole() else {
        return vec![Cell::GaveUp; frames.len()];
    };
    let mut out = Vec::new();
    let mut read = |slot: crate::rules::Slot, cells: &mut [Cell]| {
        for (cell, frame) in cells.iter_mut().zip(frames) {
            *cell = Cell::of(&frame[slot]);
        }
    };
    tree.eval(
        frames.len(),
        locals,
        &mut read,
        &mut Buffers::default(),
        &mut out,
    );
    out
}

fn both(expr: &str, vars: &[(&str, Value<'static>)]) -> String {
    both_in("", expr, vars)
}

/// `expr` over `vars` is decided on the fast path (no fallback), giving `expected`.
fn fast(expr: &str, vars: &[(&str, Value<'static>)], expected: &str) {
    let names: Vec<&str> = vars.iter().map(|(n, _)| *n).collect();
    let n = compile_with("", expr, &names).unwrap();
    let frame: Vec<Value<'static>> = vars.iter().map(|(_, v)| v.clone()).collect();
    let v = Scratch::new(10_000).value(&untyped(&n), &frame);
    assert!(v.is_ok(), "{expr}: handed to the interpreter");
    assert_eq!(both(expr, vars), expected, "{expr}");
}

#[test]
fn inlines_script_functions_with_lets_and_ifs() {
    let script = "fn f(a, b) { let r = a ?? 0.0; let t = min(b ?? 0, 10) / 10; if a == () || b == 0 { () } else { r + t } }";
    let n = compile_with(script, "f(x, y)", &["x", "y"]).expect("compiles");
    let frame = [Value::Float(0.5), Value::Int(20)];
    let v = Scratch::new(100).value(&untyped(&n), &frame).unwrap();
    assert_eq!(describe(&v), "float 1.5");
}

#[test]
fn shipped_scripts_compile_to_the_fast_path() {
    let engine = crate::script::new_engine(&crate::script::Limits::default());
    let script =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/rules/scores.rhai")).unwrap();
    let fns = functions(&engine.compile(&script).unwrap());
    for (expr, names) in [
        ("order_trend(a, b)", vec!["a", "b"]),
        ("loyalty_score(a, b, c)", vec!["a", "b", "c"]),
        (
            "key_account_score(a, b, c, d, e, f)",
            vec!["a", "b", "c", "d", "e", "f"],
        ),
    ] {
        let ast = engine.compile_expression(expr).unwrap();
        let n = compile(&ast, &|n| names.iter().position(|x| *x == n), &fns);
        assert!(n.is_some(), "{expr} has no fast path");
    }
}

#[test]
fn logarithms_roots_and_exponentials_of_whole_numbers_and_decimals() {
    let i = |v| Value::Int(v);
    let f = |v| Value::Float(v);
    fast("sqrt(x)", &[("x", i(16))], "float 4.0");
    fast("sqrt(x)", &[("x", f(2.25))], "float 1.5");
    fast("sqrt(x)", &[("x", i(-1))], "float NaN");
    fast("exp(x)", &[("x", i(0))], "float 1.0");
    fast("exp(x)", &[("x", f(1000.0))], "float inf");
    fast("ln(x)", &[("x", i(1))], "float 0.0");
    // ln of 0 is minus infinity and of a negative number NaN, in rhai as here; a run
    // refuses either as a result (`the result is -inf, not a number`).
    fast("ln(x)", &[("x", i(0))], "float -inf");
    fast("ln(x)", &[("x", f(-2.0))], "float NaN");
    fast("log(x)", &[("x", i(1000))], "float 3.0");
    fast("log(x, 2)", &[("x", i(8))], "float 3.0");
    fast("log(x, 2.0)", &[("x", f(8.0))], "float 3.0");
    fast("log(x, 10)", &[("x", f(100.0))], "float 2.0");
    fast("x.ln()", &[("x", i(1))], "float 0.0");
    // NULL or text is rhai's error to raise.
    assert!(both("ln(x)", &[("x", Value::Null)]).starts_with("error: Function not found"));
    assert!(both("sqrt(x)", &[("x", Value::Str("4"))]).starts_with("error:"));
}

#[test]
fn powers_are_whole_for_whole_numbers_and_overflow_is_an_error() {
    let i = |v| Value::Int(v);
    fast("x ** 3", &[("x", i(2))], "int 8");
    fast("pow(x, 3)", &[("x", i(2))], "int 8");
    fast("x ** 0.5", &[("x", i(4))], "float 2.0");
    fast("pow(x, 2)", &[("x", Value::Float(1.5))], "float 2.25");
    fast("x ** 0", &[("x", i(0))], "int 1");
    for expr in ["x ** 63", "pow(x, 63)"] {
        assert_eq!(
            both(expr, &[("x", i(2))]),
            "error: Exponential overflow: 2 ** 63 (line 1, position 3)".replace(
                "position 3",
                if expr.starts_with("pow") {
                    "position 1"
                } else {
                    "position 3"
                }
            )
        );
    }
    assert!(both("x ** -1", &[("x", i(2))]).contains("Integer raised to a negative power"));
    assert!(both("pow(x, -1)", &[("x", i(2))]).contains("Integer raised to a negative power"));
    assert!(both("x ** 4294967296", &[("x", i(1))]).starts_with("error:"));
}

#[test]
fn to_int_truncates_and_refuses_what_does_not_fit() {
    let f = |v| Value::Float(v);
    fast("x.to_int()", &[("x", f(2.7))], "int 2");
    fast("to_int(x)", &[("x", f(-2.7))], "int -2");
    fast("x.to_int()", &[("x", Value::Int(5))], "int 5");
    fast("round(x).to_int()", &[("x", f(2.5))], "int 3");
    // NaN gives 0 in rhai: so here.
    fast("sqrt(x).to_int()", &[("x", f(-1.0))], "int 0");
    assert!(both("x.to_int()", &[("x", f(1e30))]).contains("Integer overflow"));
    assert!(both("x.to_int()", &[("x", f(f64::INFINITY))]).contains("Integer overflow"));
    assert!(both("x.to_int()", &[("x", Value::Null)]).starts_with("error:"));
    fast("x.to_float()", &[("x", Value::Int(5))], "float 5.0");
    fast("to_float(x)", &[("x", f(0.5))], "float 0.5");
}

#[test]
fn templates_write_values_as_rhai_does() {
    let vars = [
        ("tier", Value::Str("A")),
        ("score", Value::Float(71.6)),
        ("n", Value::Null),
        ("big", Value::Float(1e20)),
        ("whole", Value::Float(3.0)),
        ("day", Value::Date(Date::new(2026, 2, 28).unwrap())),
        ("ok", Value::Bool(true)),
    ];
    fast(
        "`tier ${tier}: score ${score.to_int()}`",
        &vars,
        "\"tier A: score 71\"",
    );
    fast(
        "`${score} ${whole} ${big} ${-0.0} ${1.0/3} ${day} ${ok}`",
        &vars,
        "\"71.6 3.0 1e20 0.0 0.3333333333333333 2026-02-28 true\"",
    );
    // NULL writes nothing.
    fast("`[${n}]`", &vars, "\"[]\"");
    fast("`${tier}` + `${tier}` == \"AA\"", &vars, "true");
    fast("score.to_string()", &vars, "\"71.6\"");
    fast("n.to_string()", &vars, "\"\"");
    // A template inside a template's part; whole numbers at their extremes.
    fast(
        "`<${tier} ${`(${score.to_int()} ${-9223372036854775807 - 1})`} ${tier}>`",
        &vars,
        "\"<A (71 -9223372036854775808) A>\"",
    );
    // `to_int()` of a name in a template: as the function gives it, or rhai's error.
    fast("`${whole.to_int()}|${tier}`", &vars, "\"3|A\"");
    assert!(both("`x ${big.to_int()}`", &vars).starts_with("error"));
    assert!(both("`x ${n.to_int()}`", &vars).starts_with("error"));
    assert_eq!(
        both("`x ${tier.to_int()}`", &[("tier", Value::Int(-7))]),
        "\"x -7\""
    );
    // Any number of parts.
    let many = (0..40).map(|k| format!("{k}${{tier}}")).collect::<String>();
    let expected = (0..40).map(|k| format!("{k}A")).collect::<String>();
    fast(&format!("`{many}`"), &vars, &format!("{expected:?}"));
}

#[test]
fn text_concatenates_compares_and_searches() {
    let vars = [
        ("a", Value::Str("North")),
        ("b", Value::Str("east")),
        ("n", Value::Null),
        ("x", Value::Float(1.5)),
        ("i", Value::Int(7)),
        ("built", Value::Owned("North-east".into())),
    ];
    fast("a + b", &vars, "\"Northeast\"");
    fast("a + \"-\" + b == built", &vars, "true");
    // NULL adds nothing, on either side.
    fast("a + n", &vars, "\"North\"");
    fast("n + a", &vars, "\"North\"");
    fast("a + x + i", &vars, "\"North1.57\"");
    fast("i + a", &vars, "\"7North\"");
    fast("a < b", &vars, "true");
    fast("a + b > \"Northd\"", &vars, "true");
    fast("a == n", &vars, "false");
    fast("a.contains(\"rt\")", &vars, "true");
    fast("\"rt\" in a", &vars, "true");
    fast("contains(built, b)", &vars, "true");
    fast(
        "a.starts_with(\"No\") && !b.ends_with(\"x\")",
        &vars,
        "true",
    );
    fast("built.ends_with(a + \"-\" + b)", &vars, "true");
    assert!(both("a.contains(n)", &vars).starts_with("error:"));
    assert!(both("n + n", &vars).starts_with("error:"));
}

#[test]
fn text_longer_than_the_limit_is_the_interpreters_error() {
    let long: &'static str = Box::leak("x".repeat(6000).into_boxed_str());
    let r = both("`${a}${a}`", &[("a", Value::Str(long))]);
    assert!(r.contains("Length of string"), "{r}");
    let r = both("a + a", &[("a", Value::Str(long))]);
    assert!(r.contains("Length of string"), "{r}");
}

#[test]
fn switch_matches_values_of_their_exact_kind_then_ranges() {
    let expr = r#"switch x { 1 => "one", "A" => "a", 2.5 => "two and a half", () => "none", 7 if y => "seven if", 3..5 => "three to five", _ => "other" }"#;
    for (x, y, expected) in [
        (Value::Int(1), true, "\"one\""),
        (Value::Float(1.0), true, "\"other\""),
        (Value::Str("A"), true, "\"a\""),
        (Value::Float(2.5), true, "\"two and a half\""),
        (Value::Null, true, "\"none\""),
        (Value::Int(4), true, "\"three to five\""),
        (Value::Float(4.5), true, "\"three to five\""),
        (Value::Int(5), true, "\"other\""),
        (Value::Int(7), true, "\"seven if\""),
        (Value::Int(7), false, "\"other\""),
    ] {
        fast(expr, &[("x", x), ("y", Value::Bool(y))], expected);
    }
    fast("switch x { 1 => 10 }", &[("x", Value::Int(2))], "()");
    let either = r#"switch t { "A" => 3, "B" | "C" => 2, _ => 1 }"#;
    fast(either, &[("t", Value::Str("C"))], "int 2");
    fast(either, &[("t", Value::Str("D"))], "int 1");
    // The README's examples of infinities and NaN in comparisons: minus infinity is below
    // every number; NaN compares by rhai's formula.
    fast("ln(x) < 0", &[("x", Value::Int(0))], "true");
    fast("ln(x) != 0", &[("x", Value::Int(0))], "true");
    fast("0 <= sqrt(x)", &[("x", Value::Int(-1))], "true");
    assert!(
        both(
            "switch x { 7 if y => 1 }",
            &[("x", Value::Int(7)), ("y", Value::Null)]
        )
        .starts_with("error:")
    );
}

#[test]
fn functions_with_lets_assignments_and_guard_clauses() {
    let script = r#"
        fn score(sales, orders) {
            if sales == () { return 0.0; }
            let s = ln(sales + 1);
            let label = "s";
            if orders > 10 { s += 1; label += "+"; }
            s = s * 2;
            let s = s + 0.5;
            if s > 100 { return 100.0; } else { s }
        }
        fn label(t, v) {
            let text = `${t}: ${v.to_int()}`;
            switch t { "A" => text + " (key)", _ => text }
        }"#;
    for (sales, orders, expected) in [
        (Value::Null, Value::Int(3), "float 0.0"),
        (Value::Int(0), Value::Int(3), "float 0.5"),
        (Value::Float(1e60), Value::Int(3), "float 100.0"),
    ] {
        assert_eq!(
            both_in(script, "score(x, y)", &[("x", sales), ("y", orders)]),
            expected
        );
    }
    assert!(compile_with(script, "score(x, y)", &["x", "y"]).is_some());
    assert_eq!(
        both_in(
            script,
            "score(x, y)",
            &[("x", Value::Int(0)), ("y", Value::Int(11))]
        ),
        "float 2.5"
    );
    let vars = [("t", Value::Str("A")), ("v", Value::Float(12.9))];
    assert_eq!(both_in(script, "label(t, v)", &vars), "\"A: 12 (key)\"");
    assert!(compile_with(script, "label(t, v)", &["t", "v"]).is_some());
    let guard = "fn g(x) { if x == () { return -1; } let y = x * 2; y + 1 }";
    let n = compile_with(guard, "g(a)", &["a"]).expect("guard clauses compile");
    for (a, expected) in [(Value::Null, "int -1"), (Value::Int(4), "int 9")] {
        let v = Scratch::new(100)
            .value(&untyped(&n), std::slice::from_ref(&a))
            .unwrap();
        assert_eq!(describe(&v), expected);
        assert_eq!(both_in(guard, "g(a)", &[("a", a)]), expected);
    }
    // A `return` inside an expression leaves the function in rhai: not inlined.
    let early = "fn h(x) { let y = if x > 1 { return 5; } else { 2 }; y * 10 }";
    assert!(compile_with(early, "h(a)", &["a"]).is_none());
}

#[test]
fn decimals_compare_as_rhai_compares_them() {
    let f = |v| Value::Float(v);
    // Within a relative epsilon counts as equal, in rhai as here.
    fast("x + 0.2 == 0.3", &[("x", f(0.1))], "true");
    fast("x + 0.2 > 0.3", &[("x", f(0.1))], "false");
    fast("x == 3.0000000000000004", &[("x", Value::Int(3))], "true");
    fast(
        "x >= 0.30",
        &[("x", f((10_000.30 - 7_000.21) / 10_000.30))],
        "true",
    );
    // NaN: whatever the formulas give.
    for x in [0, 1, -1] {
        for op in ["==", "!=", "<", "<=", ">", ">="] {
            both(&format!("x {op} sqrt(-1.0)"), &[("x", Value::Int(x))]);
            both(
                &format!("sqrt(-1.0) {op} x"),
                &[("x", Value::Float(x as f64))],
            );
        }
    }
}

/// A weighted score as admins write one (the policy script of `tierwise bench`).
/// The policy script the bench measures against hand-written Rust.
const SCORE: &str = include_str!("../../../benches/policy_score.rhai");

#[test]
fn a_score_of_typed_columns_runs_typed_and_gives_what_rhai_gives() {
    let names = ["s", "m", "p", "o", "y"];
    let kinds = |slot: crate::rules::Slot| Some(if slot >= 3 { Kind::Int } else { Kind::Float });
    let n = compile_typed(SCORE, "policy_score(s, m, p, o, y)", &names, &kinds).unwrap();
    // The whole function, its guard clause and its `let`s: one typed tree.
    assert!(matches!(n.run, Node::Num(_)), "{:#?}", n.run);
    let (f, i) = (Value::Float, Value::Int);
    let customers = [
        [f(250_000.0), f(31.5), f(0.97), i(48), i(12)],
        [f(0.0), Value::Null, Value::Null, Value::Null, Value::Null],
        [Value::Null, f(10.0), f(0.5), i(3), i(1)],
        [f(-5.5), f(-3.0), f(0.0), i(0), i(0)],
        [f(9.0e15), f(45.0), f(1.0), i(i64::MAX), i(i64::MIN)],
        // Not what the columns declare: the typed code notices and gives way.
        [i(1000), f(20.0), i(1), f(2.5), f(3.0)],
    ];
    // All customers at once, column-at-a-time: each lane as the per-customer walk.
    let frames: Vec<Vec<Value<'static>>> = customers.iter().map(|c| c.to_vec()).collect();
    let cells = lanes(&n, &frames);
    assert_eq!(
        cells.iter().filter(|c| **c == Cell::GaveUp).count(),
        2,
        "gave up: the guard's NULL and the wrong kinds only: {cells:?}"
    );
    for (cell, frame) in cells.iter().zip(&frames) {
        if let Some(v) = cell.value() {
            let walked = Scratch::new(1000).value(&n, frame).unwrap();
            assert_eq!(describe(&v), describe(&walked), "{frame:?}");
        }
    }
    for c in customers {
        let vars: Vec<(&str, Value<'static>)> = names.iter().copied().zip(c).collect();
        let rhai = both_in(SCORE, "policy_score(s, m, p, o, y)", &vars);
        let frame: Vec<Value<'static>> = vars.iter().map(|(_, v)| v.clone()).collect();
        match Scratch::new(1000).value(&n, &frame) {
            Ok(v) => assert_eq!(describe(&v), rhai, "{vars:?}"),
            Err(Fallback) => assert!(rhai.starts_with("error"), "{vars:?}: {rhai}"),
        }
    }
}

#[test]
fn a_long_list_of_texts_is_looked_up_as_each_item_is_compared() {
    let ids: Vec<String> = (0..40).map(|i| format!("\"C-{i:03}\"")).collect();
    let expr = format!("x in [{}]", ids.join(", "));
    for (x, expected) in [
        (Value::Str("C-007"), "true"),
        (Value::Str("C-040"), "false"),
        (Value::Str("c-007"), "false"),
        (Value::Null, "false"),
    ] {
        fast(&expr, &[("x", x)], expected);
    }
    // A number against texts is rhai's error, as with a short list.
    assert!(
        both(&expr, &[("x", Value::Int(7))]).starts_with("error:"),
        "{expr}"
    );
    // A list mixing kinds is compared item by item.
    let mixed = format!("x in [{}, 7]", ids.join(", "));
    assert_eq!(both(&mixed, &[("x", Value::Str("C-001"))]), "true");
}
