use super::*;

fn compile_with(script: &str, expr: &str, names: &[&str]) -> Option<Native> {
    let engine = crate::script::new_engine(&crate::script::Limits::default());
    let fns = functions(&engine.compile(script).unwrap());
    let ast = engine.compile_expression(expr).unwrap();
    compile(&ast, &|n| names.iter().position(|x| *x == n), &fns)
}

#[test]
fn inlines_script_functions_with_lets_and_ifs() {
    let script = "fn f(a, b) { let r = a ?? 0.0; let t = min(b ?? 0, 10) / 10; if a == () || b == 0 { () } else { r + t } }";
    let n = compile_with(script, "f(x, y)", &["x", "y"]).expect("compiles");
    let frame = [Value::Float(0.5), Value::Int(20)];
    let mut locals = vec![Scalar::Null; n.locals];
    let v = eval(&n.root, &frame, &mut locals).unwrap();
    assert_eq!(v, Scalar::Float(1.5));
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
