//! The values rules compute with.
//!
//! `Value<'a>` borrows text from where it lives (the customer data's dictionaries, the rule
//! set's constants) instead of reference-counting it: a tier of `"A"` for a million customers
//! is a million borrowed pointers, not a million atomic increments shared by every thread.
//! Values turn into rhai `Dynamic`s only when an expression runs in the interpreter.
//!
//! Also the two kinds of constant: [`Literal`], a value as written in a YAML file (before
//! a formula is told from text), and [`Lit`], a constant of the compiled rule set.

use crate::time::Date;
use rhai::{Dynamic, ImmutableString};
use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::de::{Deserialize, Deserializer, SeqAccess, Visitor};
use std::borrow::Cow;
use std::fmt;

#[derive(Debug, Clone, Default)]
pub enum Value<'a> {
    #[default]
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    /// Text borrowed from the data or the rule set.
    Str(&'a str),
    /// Text computed by a script.
    Owned(ImmutableString),
    /// A calendar day.
    Date(Date),
    /// A list written in the rules (`[business, technical]`), borrowed.
    Consts(&'a [Lit]),
    /// A list built during evaluation (`aggregate: list`).
    List(Box<[Value<'a>]>),
    /// Anything else (lists and maps built by scripts), as rhai holds it.
    Other(Dynamic),
}

impl<'a> Value<'a> {
    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::Str(s) => Some(s),
            Value::Owned(s) => Some(s.as_str()),
            _ => None,
        }
    }

    /// The value as a number, if it is one.
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Value::Int(i) => Some(*i as f64),
            Value::Float(f) => Some(*f),
            _ => None,
        }
    }

    /// The same value: numbers by value as the rules' `==` compares them (`30` is `30.0`,
    /// `0.1 + 0.2` is `0.3`: [`same_number`]), everything else as its JSON (text
    /// as text, a date as its day, lists item by item; NULL is NULL).
    /// Text, numbers, true/false, dates and NULL are compared without building JSON:
    /// this runs per customer (`any`, `priority`, `held`, `diff`).
    pub fn same(&self, other: &Value<'_>) -> bool {
        match (self, other) {
            (Value::Null, Value::Null) => true,
            (Value::Null, _) | (_, Value::Null) => false,
            (Value::Bool(x), Value::Bool(y)) => x == y,
            (Value::Date(x), Value::Date(y)) => x == y,
            // Whole numbers exactly, as `==` has them (account numbers of 16 digits).
            (Value::Int(x), Value::Int(y)) => x == y,
            _ => match (self.as_str(), other.as_str(), self.as_f64(), other.as_f64()) {
                (Some(x), Some(y), _, _) => x == y,
                (_, _, Some(x), Some(y)) => same_number(x, y),
                _ => self.to_json() == other.to_json(),
            },
        }
    }

    pub fn to_dynamic(&self) -> Dynamic {
        match self {
            Value::Null => Dynamic::UNIT,
            Value::Bool(b) => Dynamic::from_bool(*b),
            Value::Int(i) => Dynamic::from_int(*i),
            Value::Float(f) => Dynamic::from_float(*f),
            Value::Str(s) => ImmutableString::from(*s).into(),
            Value::Owned(s) => s.clone().into(),
            Value::Date(d) => Dynamic::from(*d),
            Value::Consts(items) => {
                Dynamic::from_array(items.iter().map(|l| l.value().to_dynamic()).collect())
            }
            Value::List(items) => {
                Dynamic::from_array(items.iter().map(Value::to_dynamic).collect())
            }
            Value::Other(d) => d.clone(),
        }
    }

    /// The items of a list value; `None` when the value is not a list.
    pub fn items(&self) -> Option<Vec<Value<'a>>> {
        match self {
            Value::Consts(items) => Some(items.iter().map(Lit::value).collect()),
            Value::List(items) => Some(items.to_vec()),
            Value::Other(d) => d
                .read_lock::<rhai::Array>()
                .map(|a| a.iter().cloned().map(Value::from_dynamic).collect()),
            _ => None,
        }
    }

    pub fn from_dynamic(d: Dynamic) -> Value<'a> {
        if d.is_unit() {
            Value::Null
        } else if let Ok(b) = d.as_bool() {
            Value::Bool(b)
        } else if let Ok(i) = d.as_int() {
            Value::Int(i)
        } else if let Ok(f) = d.as_float() {
            Value::Float(f)
        } else if d.is_string() {
            match d.into_immutable_string() {
                Ok(s) => Value::Owned(s),
                Err(_) => Value::Null,
            }
        } else if let Some(date) = d.clone().try_cast::<Date>() {
            Value::Date(date)
        } else {
            Value::Other(d)
        }
    }

    /// A name for the value's type in messages.
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::Null => "NULL",
            Value::Bool(_) => "true/false",
            Value::Int(_) | Value::Float(_) => "a number",
            Value::Str(_) | Value::Owned(_) => "text",
            Value::Date(_) => "a date",
            Value::Consts(_) | Value::List(_) => "a list",
            Value::Other(d) if d.is_array() => "a list",
            Value::Other(_) => "a value",
        }
    }

    /// The value as JSON (lists become arrays; NULL becomes null).
    pub fn to_json(&self) -> serde_json::Value {
        match self {
            Value::Null => serde_json::Value::Null,
            Value::Bool(b) => (*b).into(),
            Value::Int(i) => (*i).into(),
            // `-0.0` (a negative amount rounded to zero) is 0.0, as the CSV and the summary
            // write it: adding 0.0 makes it so.
            Value::Float(f) => (*f + 0.0).into(),
            Value::Str(s) => (*s).into(),
            Value::Owned(s) => s.as_str().into(),
            Value::Date(d) => d.to_string().into(),
            Value::Consts(items) => items.iter().map(|l| l.value().to_json()).collect(),
            Value::List(items) => items.iter().map(Value::to_json).collect(),
            Value::Other(d) => dynamic_to_json(d),
        }
    }
}

/// A rhai value as JSON.
pub fn dynamic_to_json(value: &Dynamic) -> serde_json::Value {
    if let Some(items) = value.read_lock::<rhai::Array>() {
        serde_json::Value::Array(items.iter().map(dynamic_to_json).collect())
    } else if value.is_array() || value.is_map() {
        serde_json::Value::from(value.to_string())
    } else {
        Value::from_dynamic(value.clone()).to_json()
    }
}

impl fmt::Display for Value<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Null => f.write_str("NULL"),
            Value::Bool(b) => write!(f, "{b}"),
            Value::Int(i) => write!(f, "{i}"),
            Value::Float(x) => {
                // Most decimals have 15 digits or fewer as written: no rounding to do.
                let written = Dynamic::from_float(*x).to_string();
                match significant_digits(&written) {
                    0..=15 => f.write_str(&written),
                    _ => write!(f, "{}", Dynamic::from_float(shown_decimal(*x))),
                }
            }
            Value::Str(s) => f.write_str(s),
            Value::Owned(s) => f.write_str(s),
            Value::Date(d) => write!(f, "{d}"),
            Value::Consts(_) | Value::List(_) => write!(f, "{}", self.to_json()),
            Value::Other(d) if d.is_array() => write!(f, "{}", dynamic_to_json(d)),
            Value::Other(d) => write!(f, "{d}"),
        }
    }
}

/// A constant of a compiled expression.
#[derive(Debug, Clone)]
pub enum Lit {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(ImmutableString),
    Date(Date),
    /// A list written in the rules.
    List(Vec<Lit>),
}

impl Lit {
    #[inline]
    pub fn value(&self) -> Value<'_> {
        match self {
            Lit::Null => Value::Null,
            Lit::Bool(b) => Value::Bool(*b),
            Lit::Int(i) => Value::Int(*i),
            Lit::Float(f) => Value::Float(*f),
            Lit::Str(s) => Value::Str(s.as_str()),
            Lit::Date(d) => Value::Date(*d),
            Lit::List(items) => Value::Consts(items),
        }
    }
}

/// A value written in YAML: text, number, true/false, null (no value), or a list of those.
/// Text that starts with `=` is a formula, compiled as a Rhai expression.
#[derive(Debug, Clone, PartialEq)]
pub enum Literal {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Text(String),
    List(Vec<Literal>),
}

/// Any of the scalars (or a list) the [`Deserialize`] impl below accepts.
impl JsonSchema for Literal {
    fn schema_name() -> Cow<'static, str> {
        "Literal".into()
    }

    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "description": concat!(
                "A value: text, a number, true/false, null (no value), or a list of those. ",
                "Text starting with `=` is a formula."
            ),
            "anyOf": [
                { "type": "null" },
                { "type": "string" },
                { "type": "number" },
                { "type": "boolean" },
                { "type": "array", "items": generator.subschema_for::<Literal>() },
            ],
        })
    }
}

impl<'de> Deserialize<'de> for Literal {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct LiteralVisitor;
        impl<'de> Visitor<'de> for LiteralVisitor {
            type Value = Literal;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a value: text, a number, true/false, null, a list, or an `=` formula")
            }
            fn visit_unit<E>(self) -> Result<Literal, E> {
                Ok(Literal::Null)
            }
            fn visit_none<E>(self) -> Result<Literal, E> {
                Ok(Literal::Null)
            }
            fn visit_bool<E>(self, v: bool) -> Result<Literal, E> {
                Ok(Literal::Bool(v))
            }
            fn visit_i64<E>(self, v: i64) -> Result<Literal, E> {
                Ok(Literal::Int(v))
            }
            fn visit_u64<E>(self, v: u64) -> Result<Literal, E> {
                Ok(i64::try_from(v).map_or(Literal::Float(v as f64), Literal::Int))
            }
            fn visit_f64<E>(self, v: f64) -> Result<Literal, E> {
                Ok(Literal::Float(v))
            }
            fn visit_str<E>(self, v: &str) -> Result<Literal, E> {
                Ok(Literal::Text(v.to_owned()))
            }
            fn visit_string<E>(self, v: String) -> Result<Literal, E> {
                Ok(Literal::Text(v))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Literal, A::Error> {
                let mut items = Vec::new();
                while let Some(item) = seq.next_element()? {
                    items.push(item);
                }
                Ok(Literal::List(items))
            }
        }
        deserializer.deserialize_any(LiteralVisitor)
    }
}

impl Literal {
    pub fn to_json(&self) -> serde_json::Value {
        match self {
            Literal::Null => serde_json::Value::Null,
            Literal::Bool(b) => (*b).into(),
            Literal::Int(i) => (*i).into(),
            Literal::Float(f) => (*f).into(),
            Literal::Text(t) => t.as_str().into(),
            Literal::List(items) => items.iter().map(Literal::to_json).collect(),
        }
    }
}

impl From<&Literal> for Lit {
    /// A YAML literal as a constant of the rule set (formulas are told apart before this).
    fn from(lit: &Literal) -> Lit {
        match lit {
            Literal::Null => Lit::Null,
            Literal::Bool(b) => Lit::Bool(*b),
            Literal::Int(i) => Lit::Int(*i),
            Literal::Float(f) => Lit::Float(*f),
            Literal::Text(t) => Lit::Str(t.as_str().into()),
            Literal::List(items) => Lit::List(items.iter().map(Lit::from).collect()),
        }
    }
}

/// The kind of value a name holds, where it can be known before evaluation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ValueKind {
    Number,
    Text,
    Bool,
    Date,
}

impl ValueKind {
    pub fn noun(self) -> &'static str {
        match self {
            ValueKind::Number => "a number",
            ValueKind::Text => "text",
            ValueKind::Bool => "true/false",
            ValueKind::Date => "a date",
        }
    }

    /// The kind of a constant; `None` for NULL and for a list (a kind of its own).
    pub fn of_lit(lit: &Lit) -> Option<ValueKind> {
        match lit {
            Lit::Bool(_) => Some(ValueKind::Bool),
            Lit::Int(_) | Lit::Float(_) => Some(ValueKind::Number),
            Lit::Str(_) => Some(ValueKind::Text),
            Lit::Date(_) => Some(ValueKind::Date),
            Lit::Null | Lit::List(_) => None,
        }
    }

    /// The kind of a Rhai value, if it is one of the four.
    pub fn of(v: &Dynamic) -> Option<ValueKind> {
        if v.is_int() || v.is_float() {
            Some(ValueKind::Number)
        } else if v.is_string() {
            Some(ValueKind::Text)
        } else if v.is_bool() {
            Some(ValueKind::Bool)
        } else if v.is::<Date>() {
            Some(ValueKind::Date)
        } else {
            None
        }
    }
}

/// A decimal as it is written out: rounded to 15 significant digits where that is the same
/// number to the rules' `==` ([`same_number`]), so that `16.27 + 25` reads 41.27 in a CSV or
/// a message and not 41.269999999999996 (the binary sum); a decimal that needs more digits
/// to be told apart (0.1234567890123456) is written whole, so what is written reads back
/// as the same number, and two values shown alike are equal to the rules.
pub fn shown_decimal(x: f64) -> f64 {
    if !x.is_finite() {
        return x;
    }
    let rounded: f64 = format!("{x:.14e}").parse().unwrap_or(x);
    // Within an ulp or so only: a 16th digit that the arithmetic left is noise, one the
    // data holds (0.1234567890123456) is not, though the rules compare the two equal.
    let noise = (rounded - x).abs() <= f64::EPSILON * x.abs();
    if noise { rounded } else { x }
}

/// A decimal as the rules' `==` tells decimals apart, for keys (a group, a `count_by`
/// value): within a part in 10^12 of 0 is 0, else 15 significant digits, which binary noise
/// does not reach (0.1 + 0.2 is 0.3; 4,006,381,333,931.0 stays itself, where 12 digits made
/// it 4,006,381,333,930 and two such codes one).
pub fn compared_decimal(x: f64) -> f64 {
    if !x.is_finite() || x.fract() == 0.0 {
        return x;
    }
    if x.abs() <= SAME_WITHIN {
        return 0.0;
    }
    format!("{x:.14e}").parse().unwrap_or(x)
}

/// How many significant digits a written number has (`0.0125` two, `1.5e20` two).
fn significant_digits(written: &str) -> usize {
    let mantissa = written.split(['e', 'E']).next().unwrap_or_default();
    let digits = mantissa.bytes().filter(u8::is_ascii_digit);
    digits.skip_while(|&b| b == b'0').count()
}

/// A sum that carries what each addition rounded off (Neumaier), so a sum of thousands of
/// amounts in cents is the decimal sum to the last digit shown (a plain sum drifted to
/// 24849206.080000047), and credit notes that cancel a large amount leave the rest exact
/// (1e16 + 2,000 x 1.5 - 1e16 is 3,000, where a plain sum gave 4,000).
#[derive(Debug, Clone, Copy, Default)]
pub struct Sum {
    sum: f64,
    lost: f64,
}

impl Sum {
    pub fn plus(self, x: f64) -> Sum {
        let sum = self.sum + x;
        let lost = if self.sum.abs() >= x.abs() {
            (self.sum - sum) + x
        } else {
            (x - sum) + self.sum
        };
        Sum {
            sum,
            lost: self.lost + lost,
        }
    }

    pub fn total(self) -> f64 {
        self.sum + self.lost
    }
}

/// How far apart two decimals may be, relative to the larger (the difference itself when
/// either is zero), and still be the same number to the rules' comparisons: a part in
/// 10^12. Binary arithmetic leaves money a few parts in 10^16 off its decimal value, and a
/// ratio of differences several times that (an exact 25% growth, `sales / sales_ly - 1`,
/// is 0.2499999999999998; of amounts 0.01% apart, parts in 10^13); amounts to the cent
/// below ten billion still never compare equal.
pub const SAME_WITHIN: f64 = 1e-12;

/// A comparison, as the rules' operators make it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Order {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

impl Order {
    /// The operator as written.
    pub fn symbol(self) -> &'static str {
        match self {
            Order::Eq => "==",
            Order::Ne => "!=",
            Order::Lt => "<",
            Order::Le => "<=",
            Order::Gt => ">",
            Order::Ge => ">=",
        }
    }
}

/// `x <op> y` as the rules compare decimals: within [`SAME_WITHIN`] counts as equal
/// (`0.1 + 0.2 == 0.3`). The shape is rhai's own checked comparison (relative to the larger
/// magnitude; NaN compares as that formula gives: `0 <= NaN` is true, `1 <= NaN` false), with
/// a wider tolerance than its `f64::EPSILON`; the scripts' operators are this function.
#[inline]
pub fn number_holds(op: Order, x: f64, y: f64) -> bool {
    let max = if x * y == 0.0 {
        1.0
    } else {
        x.abs().max(y.abs())
    };
    // Only with NaN (NaN x 0 is not 0, and `max` skips NaN): `0 <= NaN` holds, as rhai has it.
    if max == 0.0 {
        return matches!(op, Order::Eq | Order::Ge | Order::Le);
    }
    // `(x - y) / max` against the tolerance, without dividing (this runs for every decimal
    // comparison on the fast path).
    let band = SAME_WITHIN * max;
    let d = x - y;
    // An infinity (`ln(0)`, an overflow): compared as it is, minus infinity below every
    // number, where the band would be infinite and make it equal to every number. (No
    // comparison held, so `ln(turnover) < 16` was false for a turnover of 0, and a firm with
    // none was "large": the model-risk validator's F01.)
    if !band.is_finite() {
        return exactly(op, x, y);
    }
    // Two whole numbers compare exactly: a 13-digit code stored as a decimal (an EAN, an
    // account number read from a CSV) is one code, not a band of its neighbours; what
    // arithmetic leaves off a boundary is seldom whole. Only near each other does it differ.
    if d.abs() <= band && x.fract() == 0.0 && y.fract() == 0.0 {
        return exactly(op, x, y);
    }
    // `>=` is `>` or `==`, and `<=` is `<` or `==`, at the band's edge too (`0 >= 1e-12`
    // was false where `0 == 1e-12` was true).
    match op {
        Order::Eq => d.abs() <= band,
        Order::Ne => d.abs() > band,
        Order::Gt => d > band,
        Order::Ge => d >= -band,
        Order::Lt => -d > band,
        Order::Le => d <= band,
    }
}

/// `x <op> y` without a tolerance.
fn exactly(op: Order, x: f64, y: f64) -> bool {
    match op {
        Order::Eq => x == y,
        Order::Ne => x != y,
        Order::Lt => x < y,
        Order::Le => x <= y,
        Order::Gt => x > y,
        Order::Ge => x >= y,
    }
}

/// Whether two values written as text are one value: the same text, or the same number
/// written two ways (`4` in a `moves:` order, `4.0` read back from a run's decimal column).
pub fn same_text_value(a: &str, b: &str) -> bool {
    a == b
        || matches!(
            (a.parse::<f64>(), b.parse::<f64>()),
            (Ok(x), Ok(y)) if x == y
        )
}

/// A decimal that is a whole number (`3.0`, what `6 / 2` gives), as one; `None` for one
/// with decimals, or beyond the whole numbers' range.
pub fn whole_number(x: f64) -> Option<i64> {
    (x.fract() == 0.0 && x.abs() < 9.2e18).then_some(x as i64)
}

/// Two numbers equal as the rules' `==` has them ([`number_holds`]), so `0.1 + 0.2` is `0.3`
/// and a diff or `changes` does not call a value that only the binary arithmetic moved a
/// change.
pub fn same_number(x: f64, y: f64) -> bool {
    x == y || number_holds(Order::Eq, x, y)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn at_or_above_is_above_or_equal_at_the_edge_of_equal_too() {
        use Order::*;
        for (x, y) in [
            (0.0, 1e-12),
            (0.0, -1e-12),
            (1e-12, 0.0),
            (1.0, 1.0 + 1e-12),
            (0.3, 0.1 + 0.2),
        ] {
            let holds = |op| number_holds(op, x, y);
            assert_eq!(holds(Ge), holds(Gt) || holds(Eq), "{x} >= {y}");
            assert_eq!(holds(Le), holds(Lt) || holds(Eq), "{x} <= {y}");
            assert_eq!(holds(Ne), !holds(Eq), "{x} != {y}");
        }
    }

    #[test]
    fn an_infinity_compares_as_it_is() {
        use Order::*;
        let inf = f64::INFINITY;
        for (x, op, y, holds) in [
            (inf, Gt, 5.0, true),
            (5.0, Lt, inf, true),
            (f64::NEG_INFINITY, Lt, -1e300, true),
            (f64::NEG_INFINITY, Lt, 16.0, true),
            (inf, Eq, inf, true),
            (inf, Ge, inf, true),
            (inf, Eq, 0.0, false),
            (inf, Ne, 0.0, true),
            (1e300 * 1e10, Gt, 1e308, true),
        ] {
            assert_eq!(number_holds(op, x, y), holds, "{x} {op:?} {y}");
        }
        assert!(number_holds(Eq, 0.1 + 0.2, 0.3));
        assert!(number_holds(Ge, 0.2499999999999998, 0.25));
        assert!(!number_holds(Eq, 1234567890123.0, 1234567890124.0));
    }

    #[test]
    fn minus_zero_is_written_as_zero_in_json() {
        assert_eq!(Value::Float(-0.0).to_json().to_string(), "0.0");
        assert_eq!(Value::Float(-1.5).to_json().to_string(), "-1.5");
    }

    #[test]
    fn decimals_are_written_to_15_significant_digits() {
        let shown = |x: f64| Value::Float(x).to_string();
        assert_eq!(shown(16.27 + 25.0), "41.27");
        assert_eq!(shown(16.27 + 116.0 - 0.1), "132.17");
        assert_eq!(shown(0.1 + 0.2), "0.3");
        // What has 15 digits or fewer is written as it is.
        assert_eq!(shown(3.0), "3.0");
        assert_eq!(shown(0.123456789012345), "0.123456789012345");
        assert_eq!(shown(-7128.37), "-7128.37");
        assert_eq!(shown(1e20), "1e20");
        assert_eq!(shown(f64::NAN), Value::Float(f64::NAN).to_string());
        // More digits where they tell the value apart from its 15-digit neighbour.
        assert_eq!(shown(0.1234567890123456), "0.1234567890123456");
        assert_eq!(shown(1.0000000000000004), "1.0000000000000004");
    }
}
