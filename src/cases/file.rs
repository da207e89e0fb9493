//! The test file format: `rules/tests/*.yaml`, documented at the top of
//! `rules/tests/tiers.yaml`.

use crate::diag::SourceFile;
use serde::Deserialize;
use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde_saphyr::Spanned;
use std::fmt;

/// One `rules/tests/*.yaml` file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct TestFile {
    /// Fields every case's customers start from.
    #[serde(default)]
    pub defaults: Option<Fields>,
    /// The date every case evaluates as of, unless it gives its own (default: today).
    #[serde(default)]
    pub as_of: Option<Spanned<String>>,
    pub cases: Vec<Spanned<CaseSpec>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct CaseSpec {
    pub name: Spanned<String>,
    /// The customer's fields (over `defaults`).
    #[serde(default)]
    pub customer: Option<Fields>,
    /// Or: a small population whose figures are computed; `check` says whose outputs count.
    #[serde(default)]
    pub customers: Option<Vec<Spanned<Fields>>>,
    /// The id of the customer of `customers` whose outputs are checked.
    #[serde(default)]
    pub check: Option<Spanned<Given>>,
    /// Population figures of the checked customer, given instead of computed.
    #[serde(default)]
    pub population: Option<Fields>,
    /// The outputs the customer must get (only those listed are compared).
    #[serde(default)]
    pub expect: Option<Fields>,
    /// Or: the evaluation must fail with an error that contains this text.
    #[serde(default)]
    pub expect_error: Option<Spanned<String>>,
    /// The date the case evaluates as of.
    #[serde(default)]
    pub as_of: Option<Spanned<String>>,
    /// The checked customer's outputs in the previous period (and `held.x` counts), and in
    /// the periods before it, as far back as rules read (`previous_24`).
    #[serde(default)]
    pub previous: Option<Fields>,
    #[serde(default)]
    pub previous_2: Option<Fields>,
    #[serde(default)]
    pub previous_3: Option<Fields>,
    #[serde(default)]
    pub previous_4: Option<Fields>,
    #[serde(default)]
    pub previous_5: Option<Fields>,
    #[serde(default)]
    pub previous_6: Option<Fields>,
    #[serde(default)]
    pub previous_7: Option<Fields>,
    #[serde(default)]
    pub previous_8: Option<Fields>,
    #[serde(default)]
    pub previous_9: Option<Fields>,
    #[serde(default)]
    pub previous_10: Option<Fields>,
    #[serde(default)]
    pub previous_11: Option<Fields>,
    #[serde(default)]
    pub previous_12: Option<Fields>,
    #[serde(default)]
    pub previous_13: Option<Fields>,
    #[serde(default)]
    pub previous_14: Option<Fields>,
    #[serde(default)]
    pub previous_15: Option<Fields>,
    #[serde(default)]
    pub previous_16: Option<Fields>,
    #[serde(default)]
    pub previous_17: Option<Fields>,
    #[serde(default)]
    pub previous_18: Option<Fields>,
    #[serde(default)]
    pub previous_19: Option<Fields>,
    #[serde(default)]
    pub previous_20: Option<Fields>,
    #[serde(default)]
    pub previous_21: Option<Fields>,
    #[serde(default)]
    pub previous_22: Option<Fields>,
    #[serde(default)]
    pub previous_23: Option<Fields>,
    #[serde(default)]
    pub previous_24: Option<Fields>,
}

/// A value written in a test file: the rule files' literals (text, number, true/false,
/// null, lists).
pub(super) type Given = crate::value::Literal;

/// The value as a customer id, for `check`.
pub(super) fn id_text(given: &Given) -> String {
    match given {
        Given::Text(t) => t.clone(),
        Given::Float(f) if f.fract() == 0.0 && f.abs() < 9.0e15 => (*f as i64).to_string(),
        other => crate::text::as_yaml(&other.to_json()),
    }
}

/// A mapping of names to values, in the order written, with the position of every name.
#[derive(Debug, Default)]
pub(super) struct Fields(pub Vec<(Spanned<String>, Spanned<Given>)>);

impl<'de> Deserialize<'de> for Fields {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct FieldsVisitor;
        impl<'de> Visitor<'de> for FieldsVisitor {
            type Value = Fields;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a mapping of names to values, e.g. { annual_sales: 20000 }")
            }
            fn visit_unit<E>(self) -> Result<Fields, E> {
                Ok(Fields::default())
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Fields, A::Error> {
                let mut entries: Vec<(Spanned<String>, Spanned<Given>)> = Vec::new();
                while let Some((key, value)) =
                    map.next_entry::<Spanned<String>, Spanned<Given>>()?
                {
                    if entries.iter().any(|(k, _)| k.value == key.value) {
                        return Err(de::Error::custom(format!("`{}` is given twice", key.value)));
                    }
                    entries.push((key, value));
                }
                Ok(Fields(entries))
            }
        }
        deserializer.deserialize_map(FieldsVisitor)
    }
}

/// Parses a test file; a mistake is returned as a rendered diagnostic.
pub(super) fn parse(file: &SourceFile) -> Result<TestFile, String> {
    crate::diag::yaml::parse(file).map_err(|d| d.to_string())
}

impl CaseSpec {
    /// The earlier periods given, one period back first (`previous`, `previous_2`, ...).
    pub fn earlier(&self) -> [&Option<Fields>; 24] {
        [
            &self.previous,
            &self.previous_2,
            &self.previous_3,
            &self.previous_4,
            &self.previous_5,
            &self.previous_6,
            &self.previous_7,
            &self.previous_8,
            &self.previous_9,
            &self.previous_10,
            &self.previous_11,
            &self.previous_12,
            &self.previous_13,
            &self.previous_14,
            &self.previous_15,
            &self.previous_16,
            &self.previous_17,
            &self.previous_18,
            &self.previous_19,
            &self.previous_20,
            &self.previous_21,
            &self.previous_22,
            &self.previous_23,
            &self.previous_24,
        ]
    }
}
