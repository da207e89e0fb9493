//! `tierwise fields`: the customer source's columns as the rules see them, for whoever writes
//! rules: each column's kind (as its type declares it, or as the data holds it), how many
//! customers have no value, an example, and whether the rules use it.

use super::{Globals, SourceArgs};
use crate::error::{Error, ExitStatus};
use crate::report::{Format, Report, thousands};
use crate::source::{Column, CustomerSource};
use crate::time::Date;
use crate::value::{Value, ValueKind};
use crate::workspace::Workspace;
use serde::Serialize;
use std::io::{self, Write};

/// List the customer source's columns: the fields rules can use, with their kinds and an
/// example value.
#[derive(clap::Args, Debug)]
pub struct Args {
    #[command(flatten)]
    pub sources: SourceArgs,
    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    pub format: Format,
}

pub fn run(args: Args, globals: &Globals) -> Result<ExitStatus, Error> {
    let ws = Workspace::new(&globals.config, &args.sources.into())?;
    let source = ws.open_source()?;
    let declared = source.columns()?;
    // As stored: a value that is not of its column's declared kind is shown, not an error.
    let data = source.read_as_stored(&ws.config.id_column)?;
    // Which fields the rules use, when they load (the columns are listed either way: they
    // are what an admin needs to mend rules that do not).
    let used: Option<Vec<String>> = ws.load_rules(&source).ok().map(|loaded| {
        let rules = loaded.rules;
        (rules.used_fields.iter())
            .map(|&s| rules.slot_name(s).to_owned())
            .collect()
    });
    let fields = (data.names.iter().zip(&data.columns))
        .map(|(name, column)| {
            let declared_kind = (declared.iter())
                .find(|f| f.name == *name)
                .and_then(|f| f.kind);
            let kind = declared_kind
                .map(|k| (k.noun().to_owned(), true))
                .unwrap_or_else(|| (seen(column).to_owned(), false));
            let n = column.len();
            let is_id = *name == ws.config.id_column;
            let misfits: Vec<Value> = match (declared_kind, is_id) {
                (Some(k), false) => (0..n)
                    .map(|i| column.value(i))
                    .filter(|v| !fits(v, k))
                    .collect(),
                _ => Vec::new(),
            };
            FieldRow {
                not_of_kind: misfits.len(),
                not_of_kind_example: misfits.first().map(|v| v.to_json()),
                not_of_kind_forms: first_of_each_form(&misfits),
                name: name.clone(),
                kind: kind.0,
                declared: kind.1,
                listed_in: [
                    ("customers.dates", &ws.config.date_columns),
                    ("customers.booleans", &ws.config.boolean_columns),
                ]
                .into_iter()
                .find(|(_, listed)| listed.iter().any(|c| c.eq_ignore_ascii_case(name)))
                .map(|(setting, _)| setting),
                nulls: (0..n).filter(|&i| column.value(i).is_null()).count(),
                blanks: (0..n).filter(|&i| blank(&column.value(i))).count(),
                // As a run reads it: a BOOLEAN column's 1 is true. Empty text is a value, but
                // a poor example of what the column holds.
                example: (0..n)
                    .map(|i| column.value(i))
                    .filter(|v| !v.is_null())
                    .min_by_key(blank)
                    .map(|v| match (v, declared_kind) {
                        (Value::Int(b @ (0 | 1)), Some(ValueKind::Bool)) => (b == 1).into(),
                        (v, _) => v.to_json(),
                    }),
                used: used.as_ref().map(|u| u.contains(name)),
                id: is_id,
            }
        })
        .collect();
    let report = FieldsReport {
        source: source.describe(),
        customers: data.len,
        fields,
    };
    crate::report::print(&report, args.format);
    Ok(ExitStatus::Success)
}

/// Empty text, or blanks: a value to the rules (`is_null` is false for it), which an export
/// writes for "none".
fn blank(value: &Value) -> bool {
    matches!(value, Value::Str(_) | Value::Owned(_)) && value.to_string().trim().is_empty()
}

/// Whether a value as SQLite stores it reads as `kind` (what a run reads the column as):
/// NULL does; text in a number column, `2` in a BOOLEAN one, `31/01/2025` in a date one do not.
fn fits(value: &Value, kind: ValueKind) -> bool {
    match (value, kind) {
        (Value::Null, _) => true,
        (Value::Int(_) | Value::Float(_), ValueKind::Number) => true,
        // A column of several storage classes reads as the wider one: 1 beside 1.5 is 1.0,
        // a date beside a number a date (they counted as misfits, shown as the example).
        (Value::Int(0 | 1) | Value::Bool(_), ValueKind::Bool) => true,
        (Value::Float(x), ValueKind::Bool) => *x == 0.0 || *x == 1.0,
        (Value::Date(_), ValueKind::Date) => true,
        (Value::Str(t), ValueKind::Date) => Date::parse(t).is_some(),
        (Value::Owned(t), ValueKind::Date) => Date::parse(t).is_some(),
        (Value::Str(_) | Value::Owned(_), ValueKind::Text) => true,
        (Value::Int(_) | Value::Float(_), ValueKind::Text) => true,
        _ => false,
    }
}

/// The kind a column's values have, when its type declares none.
fn seen(column: &Column) -> &'static str {
    match (column.kind(), column) {
        (Some(kind), _) => kind.noun(),
        (None, Column::Null(_)) => "unknown (every value NULL)",
        (None, _) => "mixed kinds",
    }
}

/// The customer source's columns.
#[derive(Debug, Serialize)]
pub struct FieldsReport {
    /// "table `customers`", "the customers query".
    pub source: String,
    pub customers: usize,
    pub fields: Vec<FieldRow>,
}

/// One column.
#[derive(Debug, Serialize)]
pub struct FieldRow {
    pub name: String,
    /// What its values are, in words: "a number", "text", "a date", "true/false".
    pub kind: String,
    /// The kind is the column's declared type's, or the config's list's (else the data's).
    pub declared: bool,
    /// The config's list that says the kind (`customers.dates`, `customers.booleans`), when
    /// one does.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub listed_in: Option<&'static str>,
    /// Customers with no value (NULL).
    pub nulls: usize,
    /// Customers whose value is empty text or blanks: a value to the rules, not NULL.
    pub blanks: usize,
    /// The first value that is not NULL.
    pub example: Option<serde_json::Value>,
    /// Whether the rules use it (`None`: the rules did not load).
    pub used: Option<bool>,
    /// The customer id column.
    pub id: bool,
    /// Customers whose value is not of the declared kind (text in a REAL column, 2 in a
    /// BOOLEAN one): a run stops on them.
    pub not_of_kind: usize,
    /// The first such value, as stored.
    pub not_of_kind_example: Option<serde_json::Value>,
    /// The first such value of each form (`31/12/2025`, `2025-1-5`, `45000`: each needs a
    /// conversion of its own), up to four.
    pub not_of_kind_forms: Vec<serde_json::Value>,
}

impl Report for FieldsReport {
    fn text(&self, out: &mut dyn Write, _color: bool) -> io::Result<()> {
        writeln!(
            out,
            "{}: {} customers, {} columns\n",
            self.source,
            thousands(self.customers as f64),
            self.fields.len()
        )?;
        let header = ["column", "kind", "NULL", "example", "rules use it"];
        let mut rows = vec![header.map(String::from).to_vec()];
        for f in &self.fields {
            let kind = match (f.id, f.declared) {
                (true, _) => format!("{} (the id)", f.kind),
                (false, true) if f.listed_in.is_some() => {
                    format!("{} (listed: {})", f.kind, f.listed_in.unwrap_or_default())
                }
                (false, true) => format!("{} (declared)", f.kind),
                (false, false) => f.kind.clone(),
            };
            let example = f.example.as_ref().map_or("-".into(), |v| {
                crate::text::cut(crate::report::explain::show(v, &[]), 30)
            });
            let used = match f.used {
                Some(true) => "yes",
                Some(false) => "",
                None => "?",
            };
            rows.push(vec![
                f.name.clone(),
                kind,
                thousands(f.nulls as f64),
                example,
                used.into(),
            ]);
        }
        crate::report::table(out, &rows)?;
        for f in self.fields.iter().filter(|f| f.not_of_kind > 0) {
            let forms: Vec<String> = f.not_of_kind_forms.iter().map(|v| v.to_string()).collect();
            let example = match forms.len() {
                0 => String::new(),
                1 => format!(" ({})", forms[0]),
                _ => format!(" (of {} forms: {})", forms.len(), forms.join(", ")),
            };
            writeln!(
                out,
                "\nwarning: column `{}` is declared {}, but {} {} a value that is not{example}: a run whose rules use the column stops on {}; fix the data, or convert in the customers query",
                f.name,
                f.kind,
                crate::report::plural(f.not_of_kind, "customer"),
                if f.not_of_kind == 1 { "holds" } else { "hold" },
                if f.not_of_kind == 1 { "it" } else { "them" },
            )?;
        }
        for f in self.fields.iter().filter(|f| f.blanks > 0 && !f.id) {
            writeln!(
                out,
                "\nnote: column `{}`: {} {} empty or blank text, which the rules read as text, not NULL (`is_null({})` is false for {}); to read {} as NULL, write `NULLIF(TRIM({}), '') AS {}` in the customers query",
                f.name,
                crate::report::plural(f.blanks, "customer"),
                if f.blanks == 1 { "holds" } else { "hold" },
                f.name,
                if f.blanks == 1 { "it" } else { "them" },
                if f.blanks == 1 { "it" } else { "them" },
                crate::source::quote_ident(&f.name),
                crate::source::quote_ident(&f.name),
            )?;
        }
        if self.fields.iter().any(|f| f.used.is_none()) {
            writeln!(
                out,
                "\nthe rules did not load (`tierwise check` says why): which columns they use is not known"
            )?;
        }
        writeln!(
            out,
            "\na column's kind is its declared type's (DATE, TEXT, REAL, ...), else what the data holds; rules compare numbers with numbers, text with text (in quotes) and dates with date(\"2025-01-01\")"
        )
    }
}

/// The first value of each form among `values` (digits and letters alike), up to four.
fn first_of_each_form(values: &[Value<'_>]) -> Vec<serde_json::Value> {
    let mut forms: Vec<(String, serde_json::Value)> = Vec::new();
    for v in values {
        let json = v.to_json();
        let form = crate::source::form(&json.to_string());
        if !forms.iter().any(|(f, _)| *f == form) {
            forms.push((form, json));
            if forms.len() == 4 {
                break;
            }
        }
    }
    forms.into_iter().map(|(_, v)| v).collect()
}
