//! The sandboxed Rhai engine every rule expression and script runs in.
//!
//! Starts from `Engine::new_raw()` (no file imports, no stdout printing), adds the standard
//! library and tierwise's spreadsheet-like semantics:
//! - `/` always divides as decimals (`3 / 2` is `1.5`, as in a spreadsheet); dividing by zero
//!   is an error, never infinity.
//! - comparing NULL (`()`) with `<`, `<=`, `>`, `>=` is false, as in SQL; `==` and `!=` work.
//! - `floor`, `ceiling`, `round`, `abs` accept whole numbers as well as decimals; so do
//!   `sqrt`, `exp`, `ln`, `log` (numbers are numbers: `sqrt(orders)` of a whole-number column
//!   is a decimal, as `sqrt(orders * 1.0)` is).
//! - `pow(x, y)` is `x ** y` (whole numbers to a power from 0 up give a whole number; a
//!   negative power or an overflow is an error, as with `**`).
//!
//! The library is Rhai's standard one without what can block or read the clock (`sleep`,
//! `timestamp`, `elapsed`, and the rest of the language-core and time packages): a rule
//! gives the same answer whenever it runs, and cannot stall a worker.
//!
//! Limits are bounded by the evaluation threads' stack ([`crate::threads::STACK`]):
//! Rhai recurses on the native stack, and a stack overflow aborts the process, so a limit
//! the stack cannot hold is a configuration error, not a crash later.

pub mod budget;
pub mod dates;
pub mod kinds;
mod text;

use crate::value::{Order, number_holds};
use rhai::packages::{
    ArithmeticPackage, BasicArrayPackage, BasicBlobPackage, BasicFnPackage, BasicIteratorPackage,
    BasicMapPackage, BasicMathPackage, BasicStringPackage, BitFieldPackage, LogicPackage,
    MoreStringPackage, Package,
};
use rhai::{Dynamic, Engine, EvalAltResult, FLOAT, INT, ImmutableString};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeSet, HashMap, HashSet};
use std::sync::OnceLock;

/// Sandbox limits for rule evaluation, from the `limits:` section of the config.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct Limits {
    /// Operations one evaluation of one expression may take (stops runaway loops).
    pub max_operations: u64,
    /// How deep script functions may call each other.
    pub max_call_levels: usize,
    /// How deeply expressions may nest.
    pub max_expr_depth: usize,
    /// Longest text a rule may build, in bytes.
    pub max_string_size: usize,
    /// Largest list a rule may build.
    pub max_array_size: usize,
    /// Largest map a rule may build.
    pub max_map_size: usize,
    /// Wall-clock time one customer's evaluation may take, in milliseconds (see
    /// [`budget`]).
    pub max_eval_ms: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_operations: 100_000,
            max_call_levels: 32,
            max_expr_depth: 64,
            max_string_size: 10_000,
            max_array_size: 10_000,
            max_map_size: 1_000,
            max_eval_ms: 1_000,
        }
    }
}

/// The most call levels and expression depth the evaluation threads' stack holds. Measured
/// on a debug build (the heaviest frames: about 56 KB per call level, 13 KB per level of
/// nesting inside a recursive call): a recursive script at both maxima uses about 130 MB of
/// the 256 MB stack; a release build uses several times less.
pub const MAX_CALL_LEVELS: usize = 100;
pub const MAX_EXPR_DEPTH: usize = 100;

impl Limits {
    /// Every limit within what the evaluation threads can hold, and none 0 (which Rhai takes
    /// as "no limit"): the problems, in words naming the key and its maximum.
    pub fn problems(&self) -> Vec<String> {
        let mut out = Vec::new();
        for (key, value, max) in [
            ("max_call_levels", self.max_call_levels, MAX_CALL_LEVELS),
            ("max_expr_depth", self.max_expr_depth, MAX_EXPR_DEPTH),
        ] {
            if value > max {
                out.push(format!(
                    "limits.{key}: {value} is more than the evaluation threads' stack holds; the most is {max}"
                ));
            }
        }
        for (key, value) in [
            ("max_operations", self.max_operations as usize),
            ("max_call_levels", self.max_call_levels),
            ("max_expr_depth", self.max_expr_depth),
            ("max_string_size", self.max_string_size),
            ("max_array_size", self.max_array_size),
            ("max_map_size", self.max_map_size),
            ("max_eval_ms", self.max_eval_ms as usize),
        ] {
            if value == 0 {
                out.push(format!(
                    "limits.{key}: 0 would mean no limit at all; give a number above 0"
                ));
            }
        }
        out
    }
}

/// Functions of Rhai's standard library that rules do not get (named, for a clear message
/// when a rule calls one).
pub const WITHHELD: &[&str] = &[
    "sleep",
    "timestamp",
    "elapsed",
    "exit",
    "parse_json",
    "tag",
    "set_tag",
    "take",
];

rhai::def_package! {
    /// Rhai's standard library without the language-core package (`sleep`, `exit`, ...),
    /// the time package (`timestamp`, `elapsed`) and debugging: nothing that blocks, reads
    /// the clock or ends a script early.
    RulesPackage(lib):
        ArithmeticPackage,
        BasicStringPackage,
        BasicIteratorPackage,
        BasicFnPackage,
        BitFieldPackage,
        LogicPackage,
        BasicMathPackage,
        BasicArrayPackage,
        BasicBlobPackage,
        BasicMapPackage,
        MoreStringPackage
    {}
}

fn rules_package() -> &'static RulesPackage {
    static PACKAGE: OnceLock<RulesPackage> = OnceLock::new();
    PACKAGE.get_or_init(RulesPackage::new)
}

/// A fresh sandboxed engine. Cheap enough to build one per worker thread (the standard
/// library is shared); rhai's string interner is behind a lock, so sharing one engine across
/// threads does not scale.
pub fn new_engine(limits: &Limits) -> Engine {
    let mut engine = Engine::new_raw();
    engine.register_global_module(rules_package().as_shared_module());
    engine
        .set_max_operations(limits.max_operations)
        .set_max_call_levels(limits.max_call_levels)
        .set_max_expr_depths(limits.max_expr_depth, limits.max_expr_depth)
        .set_max_string_size(limits.max_string_size)
        .set_max_array_size(limits.max_array_size)
        .set_max_map_size(limits.max_map_size)
        .set_max_modules(0)
        .set_max_strings_interned(256)
        .set_fail_on_invalid_map_property(true)
        // Registered operators must win over the built-in ones (decimal division).
        .set_fast_operators(false);
    engine.on_progress(budget::check);
    engine.disable_symbol("eval");
    // Script output goes to the log: stdout carries data.
    engine.on_print(|text| tracing::info!(target: "tierwise::rules", "{text}"));
    engine.on_debug(|text, source, pos| {
        tracing::debug!(target: "tierwise::rules", "{}:{pos}: {text}", source.unwrap_or("rule"))
    });
    register_semantics(&mut engine);
    engine
}

fn divide(a: FLOAT, b: FLOAT) -> Result<FLOAT, Box<EvalAltResult>> {
    if b == 0.0 {
        Err("division by zero".into())
    } else {
        Ok(a / b)
    }
}

fn register_semantics(engine: &mut Engine) {
    engine
        .register_fn("/", |a: INT, b: INT| divide(a as FLOAT, b as FLOAT))
        .register_fn("/", |a: INT, b: FLOAT| divide(a as FLOAT, b))
        .register_fn("/", |a: FLOAT, b: INT| divide(a, b as FLOAT))
        .register_fn("/", divide);

    // NULL compares false with every ordering operator, as in SQL.
    macro_rules! null_ordering {
        ($($op:literal),*) => {$(
            engine
                .register_fn($op, |_: (), _: INT| false)
                .register_fn($op, |_: (), _: FLOAT| false)
                .register_fn($op, |_: (), _: ImmutableString| false)
                .register_fn($op, |_: INT, _: ()| false)
                .register_fn($op, |_: FLOAT, _: ()| false)
                .register_fn($op, |_: ImmutableString, _: ()| false)
                .register_fn($op, |_: (), _: ()| false);
        )*};
    }
    null_ordering!(">", ">=", "<", "<=");

    // Decimals compare within a part in 10^12 (an exact 25% growth computed in binary is
    // 0.2499999999999998), where rhai's built-in operators allow one `f64::EPSILON`.
    macro_rules! tolerant {
        ($($op:literal => $order:expr),*) => {$(
            engine
                .register_fn($op, |x: FLOAT, y: FLOAT| number_holds($order, x, y))
                .register_fn($op, |x: INT, y: FLOAT| number_holds($order, x as FLOAT, y))
                .register_fn($op, |x: FLOAT, y: INT| number_holds($order, x, y as FLOAT));
        )*};
    }
    tolerant!("==" => Order::Eq, "!=" => Order::Ne, "<" => Order::Lt, "<=" => Order::Le,
        ">" => Order::Gt, ">=" => Order::Ge);

    engine
        .register_fn("is_null", |x: Dynamic| x.is_unit())
        .register_fn("floor", |x: INT| x)
        .register_fn("ceiling", |x: INT| x)
        .register_fn("round", |x: INT| x);
    register_math(engine);
    dates::register(engine);
    kinds::register(engine);
    text::register(engine);
}

/// The standard library's decimal functions for whole numbers too, and `pow`.
fn register_math(engine: &mut Engine) {
    engine
        .register_fn("sqrt", |x: INT| (x as FLOAT).sqrt())
        .register_fn("exp", |x: INT| (x as FLOAT).exp())
        .register_fn("ln", |x: INT| (x as FLOAT).ln())
        .register_fn("log", |x: INT| (x as FLOAT).log10())
        .register_fn("log", |x: INT, base: INT| (x as FLOAT).log(base as FLOAT))
        .register_fn("log", |x: INT, base: FLOAT| (x as FLOAT).log(base))
        .register_fn("log", |x: FLOAT, base: INT| x.log(base as FLOAT));
    engine
        .register_fn("pow", |x: INT, y: INT| -> Result<INT, Box<EvalAltResult>> {
            if y < 0 {
                return Err(power_error(format!(
                    "Integer raised to a negative power: {x} ** {y}"
                )));
            }
            int_pow(x, y).ok_or_else(|| power_error(format!("Exponential overflow: {x} ** {y}")))
        })
        .register_fn("pow", |x: FLOAT, y: FLOAT| x.powf(y))
        .register_fn("pow", |x: INT, y: FLOAT| (x as FLOAT).powf(y))
        .register_fn("pow", |x: FLOAT, y: INT| x.powf(y as FLOAT));
}

/// `x ** y` of whole numbers; `None` where rhai raises an error (a negative power, an
/// overflow). The native fast path computes `**` and `pow` with it too.
pub fn int_pow(x: INT, y: INT) -> Option<INT> {
    x.checked_pow(u32::try_from(y).ok()?)
}

fn power_error(message: String) -> Box<EvalAltResult> {
    EvalAltResult::ErrorArithmetic(message, rhai::Position::NONE).into()
}

/// What the engine provides, for load-time checks of calls, read from its signatures in
/// one pass (they are thousands, generated as text).
#[derive(Debug, Default)]
pub struct Catalogue {
    /// Every function's name, and those built into the language.
    pub names: HashSet<String>,
    /// How many arguments each function takes (one number per overload): `round` takes 1.
    /// The language's own (`type_of`, `print`) take any number and are not here.
    pub arities: HashMap<String, BTreeSet<usize>>,
    /// [`Catalogue::arities`] of the functions on values rules compute with (numbers, text,
    /// true/false, dates, any value): those a script function of the same name would take
    /// over in the rules' expressions. A list's, a map's or a range's own (`start`, `keys`,
    /// `shift`) are left out: a helper `fn start(region)` replaces nothing rules call on
    /// their values.
    pub on_values: HashMap<String, BTreeSet<usize>>,
}

/// The [`Catalogue`] of `engine`.
pub fn catalogue(engine: &Engine) -> Catalogue {
    // As rhai's signatures write them: `&mut range`, `&mut map`, `Array`, `FnPtr`.
    const CONTAINERS: [&str; 6] = ["array", "map", "blob", "range", "fnptr", "instant"];
    let mut found = Catalogue::default();
    for sig in engine.gen_fn_signatures(true) {
        // `round(x: f64) -> f64`, `Array.push(array: &mut Array, item: ?)`.
        let Some((head, rest)) = sig.split_once('(') else {
            continue;
        };
        let head = head.trim();
        found
            .names
            .insert(head.rsplit(' ').next().unwrap_or_default().to_owned());
        let name = head.rsplit([' ', '.']).next().unwrap_or_default();
        let Some((params, _)) = rest.rsplit_once(')') else {
            continue;
        };
        let arity = params.split(',').filter(|p| !p.trim().is_empty()).count();
        let first = (params.split(',').next())
            .and_then(|p| p.split_once(':'))
            .map(|(_, t)| t.trim().to_ascii_lowercase());
        found
            .arities
            .entry(name.to_owned())
            .or_default()
            .insert(arity);
        if first.is_none_or(|t| !CONTAINERS.iter().any(|c| t.contains(c))) {
            found
                .on_values
                .entry(name.to_owned())
                .or_default()
                .insert(arity);
        }
    }
    // Built into the language rather than registered.
    for builtin in [
        "type_of",
        "print",
        "debug",
        "Fn",
        "call",
        "curry",
        "is_def_fn",
        "is_def_var",
        "is_shared",
    ] {
        found.names.insert(builtin.to_owned());
    }
    found
}

/// What to do when an expression or script meets one of the config's `limits`: rhai's
/// message does not say which setting it is, nor the usual way round it.
pub fn limit_help(e: &rhai::ParseErrorType) -> Option<String> {
    match e {
        rhai::ParseErrorType::ExprTooDeep => Some(
            "an expression of many terms or levels (a sum of 100 columns) meets `limits.max_expr_depth` in the config (64 by default, at most 100): split it into metrics (four sums of 25 terms, then their sum), or raise the limit".to_owned(),
        ),
        rhai::ParseErrorType::LiteralTooLarge(what, _) => Some(format!(
            "{} in the config raises the limit; a list this long (a VIP list of ids) is easier to keep as a column of the customer source (`vip`, 1 or 0) than in a rule",
            match what.as_str() {
                "Length of string" => "`limits.max_string_size`",
                "Number of properties in object map literal" => "`limits.max_map_size`",
                _ => "`limits.max_array_size`",
            }
        )),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn eval(expr: &str) -> Result<Dynamic, Box<EvalAltResult>> {
        let engine = new_engine(&Limits::default());
        let mut scope = rhai::Scope::new();
        scope.push("n", ());
        scope.push("i", 3 as INT);
        scope.push("f", 2.5 as FLOAT);
        engine.eval_expression_with_scope::<Dynamic>(&mut scope, expr)
    }

    /// The scripts' comparisons are the fast path's: an exact 25% growth to the cent is
    /// 0.2499999999999998 in binary, several ulps under, and still `>= 0.25`.
    #[test]
    fn decimals_compare_within_a_part_in_a_trillion() {
        let holds = |sales: FLOAT, expr: &str| {
            let engine = new_engine(&Limits::default());
            let mut scope = rhai::Scope::new();
            scope.push("sales", sales);
            scope.push("ly", 47_793.48 as FLOAT);
            scope.push("whole", 4 as INT);
            engine
                .eval_expression_with_scope::<bool>(&mut scope, expr)
                .unwrap()
        };
        assert!(holds(59_741.85, "sales / ly - 1 >= 0.25"));
        assert!(holds(59_741.85, "(sales - ly) / ly >= 0.25"));
        assert!(!holds(59_741.85, "sales / ly - 1 < 0.25"));
        assert!(!holds(59_741.84, "sales / ly - 1 >= 0.25"));
        assert!(holds(59_741.84, "sales / ly - 1 != 0.25"));
        assert!(holds(0.0, "0.1 + 0.2 + sales == 0.3"));
        assert!(holds(0.0, "whole == 4.0 + sales * 1e-13"));
        assert!(!holds(0.0, "whole > 4.0 + sales"));
    }

    #[test]
    fn division_is_decimal_and_zero_is_an_error() {
        assert_eq!(eval("i / 2").unwrap().as_float().unwrap(), 1.5);
        assert_eq!(eval("3 / 2").unwrap().as_float().unwrap(), 1.5);
        assert!(
            eval("i / 0")
                .unwrap_err()
                .to_string()
                .contains("division by zero")
        );
        assert!(eval("f / 0.0").is_err());
    }

    #[test]
    fn ints_and_floats_mix() {
        assert!(eval("i == 3.0").unwrap().as_bool().unwrap());
        assert!(eval("i >= 2.5").unwrap().as_bool().unwrap());
        assert_eq!(eval("i + f").unwrap().as_float().unwrap(), 5.5);
    }

    #[test]
    fn numbers_are_numbers_for_roots_logarithms_and_powers() {
        assert_eq!(eval("sqrt(i + 1)").unwrap().as_float().unwrap(), 2.0);
        assert_eq!(eval("exp(0)").unwrap().as_float().unwrap(), 1.0);
        assert_eq!(eval("ln(1)").unwrap().as_float().unwrap(), 0.0);
        assert_eq!(eval("log(100)").unwrap().as_float().unwrap(), 2.0);
        assert_eq!(eval("log(8, 2)").unwrap().as_float().unwrap(), 3.0);
        assert_eq!(eval("i.sqrt() == sqrt(3.0)").unwrap().as_bool(), Ok(true));
        assert_eq!(eval("pow(i, 2)").unwrap().as_int().unwrap(), 9);
        assert_eq!(eval("pow(f, 2)").unwrap().as_float().unwrap(), 6.25);
        assert_eq!(eval("pow(4, 0.5)").unwrap().as_float().unwrap(), 2.0);
        for (expr, message) in [
            ("pow(2, 63)", "Exponential overflow: 2 ** 63"),
            ("pow(2, -1)", "Integer raised to a negative power: 2 ** -1"),
        ] {
            let err = eval(expr).unwrap_err().to_string();
            assert!(err.contains(message), "{expr}: {err}");
        }
        assert!(eval("sqrt(n)").is_err(), "NULL is not a number");
    }

    #[test]
    fn null_orders_false_and_can_be_tested() {
        assert!(!eval("n >= 0.5").unwrap().as_bool().unwrap());
        assert!(!eval("n < 0.5").unwrap().as_bool().unwrap());
        assert!(eval("n == ()").unwrap().as_bool().unwrap());
        assert!(eval("is_null(n)").unwrap().as_bool().unwrap());
        assert_eq!(eval("n ?? 7").unwrap().as_int().unwrap(), 7);
        assert!(
            eval("n + 1").is_err(),
            "arithmetic on NULL must fail loudly"
        );
    }

    #[test]
    fn sandbox_stops_runaway_loops_and_has_no_eval() {
        let engine = new_engine(&Limits::default());
        let err = engine
            .eval::<Dynamic>("let x = 0; loop { x += 1; }")
            .unwrap_err();
        assert!(err.to_string().contains("Too many operations"), "{err}");
        assert!(eval(r#"eval("1")"#).is_err());
    }

    #[test]
    fn rules_cannot_wait_or_read_the_clock() {
        let names = catalogue(&new_engine(&Limits::default())).names;
        for &name in WITHHELD {
            assert!(!names.contains(name), "{name} is available to rules");
            assert!(eval(&format!("{name}(1)")).is_err(), "{name}(1) ran");
            assert!(eval(&format!("{name}()")).is_err(), "{name}() ran");
        }
    }

    #[test]
    fn limits_beyond_the_stack_or_zero_are_refused() {
        assert!(Limits::default().problems().is_empty());
        let deep = Limits {
            max_call_levels: 1000,
            max_operations: 0,
            ..Limits::default()
        };
        assert_eq!(
            deep.problems(),
            [
                "limits.max_call_levels: 1000 is more than the evaluation threads' stack holds; the most is 100",
                "limits.max_operations: 0 would mean no limit at all; give a number above 0",
            ]
        );
    }

    #[test]
    fn recursion_at_the_largest_limits_stops_with_an_error_not_an_overflow() {
        let limits = Limits {
            max_call_levels: MAX_CALL_LEVELS,
            max_expr_depth: MAX_EXPR_DEPTH,
            max_operations: 10_000_000,
            ..Limits::default()
        };
        // Every level of recursion inside an expression nested as deep as the limit allows.
        let script = |depth: usize| {
            let nested = format!("{}f(n - 1){}", "n + (".repeat(depth), ")".repeat(depth));
            format!("fn f(n) {{ if n == 0 {{ 0 }} else {{ {nested} }} }} f(100000)")
        };
        let outcome = crate::threads::spawn("deep", move || {
            let engine = new_engine(&limits);
            let deepest = (1..MAX_EXPR_DEPTH)
                .rev()
                .map(script)
                .find_map(|s| engine.compile(&s).ok())
                .expect("some nesting compiles");
            engine.eval_ast::<Dynamic>(&deepest).map(|_| ())
        })
        .unwrap()
        .join()
        .unwrap();
        let err = outcome.unwrap_err();
        assert!(
            matches!(*err, EvalAltResult::ErrorStackOverflow(_))
                || matches!(*err, EvalAltResult::ErrorInFunctionCall(..)),
            "{err}"
        );
    }

    #[test]
    fn knows_how_many_arguments_standard_functions_take() {
        let found = catalogue(&new_engine(&Limits::default()));
        let of = |name: &str| found.arities[name].iter().copied().collect::<Vec<_>>();
        assert_eq!(of("round"), [1]);
        assert_eq!(of("min"), [2]);
        assert_eq!(of("days_between"), [2]);
        assert!(of("to_string").contains(&1) && of("replace").contains(&3));
        let values = &found.on_values;
        assert!(values["min"].contains(&2) && values["round"].contains(&1));
        assert!(!values.contains_key("start") && !values.contains_key("keys"));
    }

    #[test]
    fn knows_standard_function_names() {
        let names = catalogue(&new_engine(&Limits::default())).names;
        for n in ["floor", "max", "min", "abs", "is_null", "to_string"] {
            assert!(names.contains(n), "{n} missing");
        }
    }
}
