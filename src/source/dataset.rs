//! Customers held column by column.
//!
//! Each column is typed from its values: whole numbers, decimals, text (all of a column's
//! text in one buffer) or, when SQLite's dynamic typing mixes kinds in one column, plain rhai
//! values. NULL is kept as NULL; rules see it as `()`.

pub(crate) use super::builder::Builder;
use super::{Field, SourceError};
use crate::time::Date;
use crate::value::{Value, ValueKind};
use rhai::{Dynamic, ImmutableString};
use std::borrow::Cow;

/// One value as a source stores it, before it joins a typed column.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell<'a> {
    Null,
    Int(i64),
    Real(f64),
    Text(Cow<'a, str>),
    /// Binary data: no rule can compare it; it reads as NULL.
    Blob,
}

/// One column of customer data.
#[derive(Debug)]
pub enum Column {
    Int {
        values: Vec<i64>,
        nulls: Vec<bool>,
    },
    Float {
        values: Vec<f64>,
        nulls: Vec<bool>,
    },
    /// All the column's text in one buffer; row `i` is `text[ends[i-1]..ends[i]]`. No
    /// allocation per row: rules borrow the text as `&str`.
    Text {
        text: String,
        ends: Vec<usize>,
        nulls: Vec<bool>,
    },
    Mixed(Vec<Dynamic>),
    /// A date column (declared DATE/DATETIME, or listed as a date in the config): ISO text
    /// in the source, days here.
    Date {
        days: Vec<Date>,
        nulls: Vec<bool>,
    },
    /// true/false (outputs of earlier runs, which SQLite stores as 1 and 0).
    Bool {
        values: Vec<bool>,
        nulls: Vec<bool>,
    },
    /// No non-NULL value (yet), or not loaded because no rule uses it: the number of rows.
    Null(usize),
}

impl Column {
    /// Whether the column holds decimals (beside whole numbers: a DECIMAL money column).
    pub fn holds_decimals(&self) -> bool {
        match self {
            Column::Float { .. } => true,
            Column::Mixed(values) => values.iter().any(|v| v.is_float()),
            _ => false,
        }
    }

    /// The one kind the column's values have (`None`: mixed, or every value NULL).
    pub fn kind(&self) -> Option<ValueKind> {
        match self {
            Column::Int { .. } | Column::Float { .. } => Some(ValueKind::Number),
            Column::Text { .. } => Some(ValueKind::Text),
            Column::Date { .. } => Some(ValueKind::Date),
            Column::Bool { .. } => Some(ValueKind::Bool),
            Column::Mixed(values) => {
                let mut present = values.iter().filter(|v| !v.is_unit()).peekable();
                present.peek()?;
                present
                    .all(|v| v.is_int() || v.is_float())
                    .then_some(ValueKind::Number)
            }
            Column::Null(_) => None,
        }
    }

    /// The value of row `i`, borrowing text from the column.
    #[inline]
    pub fn value(&self, i: usize) -> Value<'_> {
        match self {
            Column::Int { values, nulls } => {
                if nulls[i] {
                    Value::Null
                } else {
                    Value::Int(values[i])
                }
            }
            Column::Float { values, nulls } => {
                if nulls[i] {
                    Value::Null
                } else {
                    Value::Float(values[i])
                }
            }
            Column::Text { text, ends, nulls } => {
                if nulls[i] {
                    Value::Null
                } else {
                    let start = if i == 0 { 0 } else { ends[i - 1] };
                    Value::Str(&text[start..ends[i]])
                }
            }
            Column::Mixed(values) => Value::from_dynamic(values[i].clone()),
            Column::Date { days, nulls } => {
                if nulls[i] {
                    Value::Null
                } else {
                    Value::Date(days[i])
                }
            }
            Column::Bool { values, nulls } => {
                if nulls[i] {
                    Value::Null
                } else {
                    Value::Bool(values[i])
                }
            }
            Column::Null(_) => Value::Null,
        }
    }

    pub fn len(&self) -> usize {
        match self {
            Column::Int { values, .. } => values.len(),
            Column::Float { values, .. } => values.len(),
            Column::Text { ends, .. } => ends.len(),
            Column::Mixed(values) => values.len(),
            Column::Date { days, .. } => days.len(),
            Column::Bool { values, .. } => values.len(),
            Column::Null(n) => *n,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The row's id as text, for messages.
    /// A whole decimal as the whole number (`2.0` is customer 2, as SQLite's key has it).
    pub fn id_text(&self, i: usize) -> String {
        match self.value(i) {
            Value::Float(x) if let Some(n) = crate::text::whole(x) => n.to_string(),
            v => v.to_string(),
        }
    }

    /// Turns the column into `Mixed` (a value that does not fit the column's type arrived).
    fn into_mixed(self) -> Column {
        let n = self.len();
        Column::Mixed((0..n).map(|i| self.value(i).to_dynamic()).collect())
    }

    /// Adds a row's value, changing the column's type when the value does not fit it.
    pub(super) fn push(&mut self, value: Cell<'_>) {
        match (&mut *self, value) {
            (Column::Int { values, nulls }, Cell::Int(v)) => {
                values.push(v);
                nulls.push(false);
            }
            (Column::Int { values, nulls }, Cell::Null) => {
                values.push(0);
                nulls.push(true);
            }
            (Column::Float { values, nulls }, Cell::Real(v)) => {
                values.push(v);
                nulls.push(false);
            }
            (Column::Float { values, nulls }, Cell::Null) => {
                values.push(0.0);
                nulls.push(true);
            }
            (Column::Text { text, ends, nulls }, Cell::Null) => {
                ends.push(text.len());
                nulls.push(true);
            }
            (Column::Text { text, ends, nulls }, Cell::Text(t)) => {
                text.push_str(&t);
                ends.push(text.len());
                nulls.push(false);
            }
            (Column::Mixed(values), v) => values.push(to_dynamic(v)),
            (Column::Null(n), Cell::Null) => *n += 1,
            (Column::Null(n), v) => {
                let n = *n;
                *self = match v {
                    Cell::Int(_) => Column::Int {
                        values: vec![0; n],
                        nulls: vec![true; n],
                    },
                    Cell::Real(_) => Column::Float {
                        values: vec![0.0; n],
                        nulls: vec![true; n],
                    },
                    Cell::Text(_) => Column::Text {
                        text: String::new(),
                        ends: vec![0; n],
                        nulls: vec![true; n],
                    },
                    _ => Column::Mixed(vec![Dynamic::UNIT; n]),
                };
                self.push(v);
            }
            // A decimal among whole numbers keeps each value as it is: made decimal, a whole
            // number lost digits beyond 2^53 and read `1001` as `1001.0` in an id or a key.
            (_, v) => {
                let column = std::mem::replace(self, Column::Null(0));
                *self = column.into_mixed();
                self.push(v);
            }
        }
    }
}

fn to_dynamic(v: Cell<'_>) -> Dynamic {
    match v {
        Cell::Null => Dynamic::UNIT,
        Cell::Int(i) => Dynamic::from_int(i),
        Cell::Real(f) => Dynamic::from_float(f),
        Cell::Text(t) => ImmutableString::from(t.as_ref()).into(),
        // Binary data is not something a rule can compare; it reads as NULL.
        Cell::Blob => Dynamic::UNIT,
    }
}

/// Where the id column is among the source's columns.
pub(super) fn id_position(names: &[String], id_column: &str) -> Result<usize, SourceError> {
    names.iter().position(|n| n == id_column).ok_or_else(|| {
        // Without what a screen does not show (a byte-order mark from Excel's CSV).
        let seen = |n: &str| -> String {
            (n.chars())
                .filter(|c| crate::text::invisible_name(*c).is_none())
                .collect()
        };
        SourceError::NoIdColumn {
            column: id_column.to_owned(),
            columns: (names.iter())
                .map(|n| crate::text::visible(n))
                .collect::<Vec<_>>()
                .join(", "),
            like: (names.iter())
                .find(|n| seen(n).eq_ignore_ascii_case(id_column))
                .cloned(),
        }
    })
}

/// The whole number an id given as text stands for in an id column of numbers: `42` is
/// customer 42, but `042` and ` 42` are not (ids with leading zeros are text).
pub fn id_number(id: &str) -> Option<i64> {
    // `1001.0`: a whole number stored as a decimal (an Excel or pandas export's ids), as
    // the outputs write it back.
    let whole = id.strip_suffix(".0").unwrap_or(id);
    let n: i64 = whole.parse().ok()?;
    (n.to_string() == whole).then_some(n)
}

/// All customers of the source, column by column.
#[derive(Debug)]
pub struct Dataset {
    pub names: Vec<String>,
    pub columns: Vec<Column>,
    /// Index of the id column in `columns`.
    pub id_column: usize,
    pub len: usize,
    /// The customers holding a value its column does not hold, read under `run
    /// --keep-going` (that value as NULL), by row: left out as a customer a rule fails for is.
    pub unreadable: Vec<Unreadable>,
}

/// A customer whose data holds a value its column does not hold (`31/01/2025` in a DATE
/// column, text in a REAL one): under `run --keep-going`, it is left out of the run with
/// this, where the read would stop every customer's run.
#[derive(Debug, Clone)]
pub struct Unreadable {
    pub row: usize,
    pub column: String,
    /// What is wrong and its help, without the customer ("it holds `31/01/2025`, which ...").
    pub message: String,
}

impl Unreadable {
    pub(super) fn new(row: usize, column: String, error: &SourceError) -> Unreadable {
        let text = error.to_string();
        // "customer 7: column `due` holds ...": the customer and column are said apart.
        let message = match text.find(&format!("column `{column}` ")) {
            Some(at) => format!("it {}", &text[at + column.len() + 10..]),
            None => text,
        };
        Unreadable {
            row,
            column,
            message,
        }
    }
}

impl Dataset {
    /// A dataset from given rows (test cases, a prospect posted to `serve`): `fields` are
    /// the columns, each row holds a value per column.
    pub fn from_rows(
        fields: &[Field],
        id_column: &str,
        rows: &[Vec<Cell<'_>>],
    ) -> Result<Dataset, SourceError> {
        let mut builder = Builder::new(fields, id_column, None)?;
        for row in rows {
            for k in 0..builder.names.len() {
                builder.push(k, row.get(k).cloned().unwrap_or(Cell::Null))?;
            }
            builder.end_row()?;
        }
        builder.finish()
    }

    /// Reads column `k` back as `kind` where SQLite stored it as something else: 1 and 0
    /// as true and false, ISO text as dates. Other values stay as they are.
    pub fn restore(&mut self, k: usize, kind: ValueKind) {
        let column = &self.columns[k];
        let n = column.len();
        let restored = match kind {
            ValueKind::Bool => {
                let values: Option<Vec<Option<bool>>> = (0..n)
                    .map(|i| match column.value(i) {
                        Value::Null => Some(None),
                        Value::Int(0) => Some(Some(false)),
                        Value::Int(1) => Some(Some(true)),
                        Value::Bool(b) => Some(Some(b)),
                        _ => None,
                    })
                    .collect();
                values.map(|v| Column::Bool {
                    nulls: v.iter().map(Option::is_none).collect(),
                    values: v.iter().map(|b| b.unwrap_or(false)).collect(),
                })
            }
            ValueKind::Date => {
                let values: Option<Vec<Option<Date>>> = (0..n)
                    .map(|i| match column.value(i) {
                        Value::Null => Some(None),
                        Value::Str(t) => Date::parse(t).map(Some),
                        Value::Date(d) => Some(Some(d)),
                        _ => None,
                    })
                    .collect();
                values.map(|v| Column::Date {
                    nulls: v.iter().map(Option::is_none).collect(),
                    days: v.iter().map(|d| d.unwrap_or(Date(0))).collect(),
                })
            }
            ValueKind::Number | ValueKind::Text => None,
        };
        if let Some(column) = restored {
            self.columns[k] = column;
        }
    }

    /// Reads column `k` back as lists where SQLite stored a list output as its JSON text
    /// (`["no order for 53 days"]`): `len(previous.alerts)` counts alerts, not characters,
    /// and `in` finds an alert, not a piece of one. Unchanged unless every value is NULL or
    /// a JSON array of numbers, text, true/false and NULL.
    pub fn restore_lists(&mut self, k: usize) {
        let column = &self.columns[k];
        let item = |v: serde_json::Value| -> Option<Dynamic> {
            Some(match v {
                serde_json::Value::Null => Dynamic::UNIT,
                serde_json::Value::Bool(b) => Dynamic::from_bool(b),
                serde_json::Value::Number(n) => match n.as_i64() {
                    Some(i) => Dynamic::from_int(i),
                    None => Dynamic::from_float(n.as_f64()?),
                },
                serde_json::Value::String(t) => Dynamic::from(ImmutableString::from(t)),
                _ => return None,
            })
        };
        let lists: Option<Vec<Dynamic>> = (0..column.len())
            .map(|i| match column.value(i) {
                Value::Null => Some(Dynamic::UNIT),
                Value::Str(text) => match serde_json::from_str(text).ok()? {
                    serde_json::Value::Array(items) => {
                        let items: Option<rhai::Array> = items.into_iter().map(item).collect();
                        Some(Dynamic::from_array(items?))
                    }
                    _ => None,
                },
                _ => None,
            })
            .collect();
        if let Some(lists) = lists {
            self.columns[k] = Column::Mixed(lists);
        }
    }

    /// A builder of a dataset with every column of `names` (of undeclared types), for
    /// readers outside `source` (a past run's outputs).
    pub(crate) fn builder(names: &[String], id_column: &str) -> Result<Builder, SourceError> {
        let fields: Vec<Field> = names.iter().map(|n| Field::new(n, None)).collect();
        let mut builder = Builder::new(&fields, id_column, None)?;
        builder.blank_ids = true;
        Ok(builder)
    }

    /// The row of a customer id, if present (an id column of numbers matches `"42"`).
    pub fn find(&self, id: &str) -> Option<usize> {
        let column = &self.columns[self.id_column];
        let number = id_number(id);
        (0..self.len).find(|&i| match column.value(i) {
            Value::Str(s) => s == id,
            Value::Int(n) => Some(n) == number,
            Value::Float(x) if number.is_some_and(|n| n as f64 == x) => true,
            other => other.to_string() == id,
        })
    }

    /// Whether the id column holds both numbers and text: then the policy table's key,
    /// which tells the number 5017 from the text "5017", cannot refuse a repeated id, and
    /// [`Dataset::repeated_id`] must look (an id column of one kind needs no such pass).
    pub fn ids_of_two_kinds(&self) -> bool {
        matches!(self.columns[self.id_column], Column::Mixed(_))
    }

    /// An id that differs from `id` only in case or surrounding blanks, for "did you mean".
    pub fn id_like(&self, id: &str) -> Option<String> {
        let id = folded_id(id);
        (0..self.len)
            .map(|i| self.id_text(i))
            .find(|other| folded_id(other) == id)
    }

    pub fn id_text(&self, i: usize) -> String {
        self.columns[self.id_column].id_text(i)
    }

    /// Row `i`'s value its column does not hold, when read under `run --keep-going`.
    pub fn unreadable_at(&self, i: usize) -> Option<&Unreadable> {
        if self.unreadable.is_empty() {
            return None; // every run but a `--keep-going` one over such data
        }
        let at = self.unreadable.binary_search_by_key(&i, |u| u.row).ok()?;
        Some(&self.unreadable[at])
    }

    pub fn id(&self, i: usize) -> Value<'_> {
        self.columns[self.id_column].value(i)
    }
}

/// An id as "did you mean" compares ids: trimmed, in lower case, letters composed (NFC):
/// `c-000042 ` is like `C-000042`, `łódź-7` like `Łódź-7`.
pub fn folded_id(id: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    id.trim().nfc().collect::<String>().to_lowercase()
}
