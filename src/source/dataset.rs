//! Customers held column by column.
//!
//! Each column is typed from its values: whole numbers, decimals, text (all of a column's
//! text in one buffer) or, when SQLite's dynamic typing mixes kinds in one column, plain rhai
//! values. NULL is kept as NULL; rules see it as `()`.

use super::misfits::{Misfits, misfit};
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
    names
        .iter()
        .position(|n| n == id_column)
        .ok_or_else(|| SourceError::NoIdColumn {
            column: id_column.to_owned(),
            columns: names.join(", "),
            like: (names.iter())
                .find(|n| n.eq_ignore_ascii_case(id_column))
                .cloned(),
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

/// Builds a dataset row by row, as a source reads it.
pub(crate) struct Builder {
    names: Vec<String>,
    id_column: String,
    id_index: usize,
    columns: Vec<Column>,
    /// The columns worth reading: the id and those asked for.
    pub loaded: Vec<usize>,
    len: usize,
    /// Columns declared to hold numbers (`REAL`, `INTEGER`, `DECIMAL`, ...), the id aside:
    /// text in them is no number (SQLite keeps as text what does not read as one).
    numeric: Vec<bool>,
    /// A value of the current row that is not what its column holds (a malformed date, a 2
    /// in a BOOLEAN column, text in a REAL one):
    /// reported with the customer's id once the row is complete.
    bad: Option<(usize, String)>,
    /// The first such value's column and error, and per column how many rows hold one: the
    /// read goes on to the end so that the message says how many customers to fix in that
    /// column, not only the first.
    first_bad: Option<(usize, SourceError)>,
    misfits: Vec<Misfits>,
    /// A column of the current row that holds binary data.
    blob: Option<usize>,
    /// A column of the current row that holds an infinite number, and its sign.
    infinite: Option<(usize, bool)>,
    /// Infinities are read as they are (`fields`, which shows what is stored), not refused.
    pub keep_infinities: bool,
    blank_ids: bool, // a past run's rows (written before such ids were refused)
}

impl Builder {
    /// A builder for `fields`; only the id column and the columns in `load` are read
    /// (`None`: all). Date fields get date columns.
    pub fn new(
        fields: &[Field],
        id_column: &str,
        load: Option<&[&str]>,
    ) -> Result<Builder, SourceError> {
        let names: Vec<String> = fields.iter().map(|f| f.name.clone()).collect();
        let id_index = id_position(&names, id_column)?;
        let loaded = (0..names.len())
            .filter(|&i| i == id_index || load.is_none_or(|l| l.contains(&names[i].as_str())))
            .collect();
        Ok(Builder {
            numeric: (fields.iter().enumerate())
                .map(|(i, f)| i != id_index && f.kind == Some(ValueKind::Number))
                .collect(),
            columns: fields
                .iter()
                .map(|f| match f.kind {
                    Some(ValueKind::Date) => Column::Date {
                        days: Vec::new(),
                        nulls: Vec::new(),
                    },
                    Some(ValueKind::Bool) => Column::Bool {
                        values: Vec::new(),
                        nulls: Vec::new(),
                    },
                    _ => Column::Null(0),
                })
                .collect(),
            names,
            id_column: id_column.to_owned(),
            id_index,
            loaded,
            len: 0,
            bad: None,
            first_bad: None,
            misfits: vec![Misfits::default(); fields.len()],
            blob: None,
            infinite: None,
            keep_infinities: false,
            blank_ids: false,
        })
    }

    /// Column `k`'s value in the current row.
    #[inline]
    pub fn push(&mut self, k: usize, cell: Cell<'_>) -> Result<(), SourceError> {
        if k == self.id_index && cell == Cell::Null {
            return Err(SourceError::NullId {
                row: self.len + 1,
                column: self.id_column.clone(),
            });
        }
        // An id of blanks is no id (a CSV writes it as NULL; `" "` and `""` look alike).
        if k == self.id_index
            && !self.blank_ids
            && let Cell::Text(id) = &cell
            && id.trim().is_empty()
        {
            return Err(SourceError::BlankId {
                row: self.len + 1,
                column: self.id_column.clone(),
                id: format!("{:?}", id.as_ref()),
            });
        }
        if cell == Cell::Blob {
            if k == self.id_index {
                return Err(SourceError::BlobId {
                    row: self.len + 1,
                    column: self.id_column.clone(),
                });
            }
            // Never read as NULL without a word: the row's id is known once it is complete.
            self.blob.get_or_insert(k);
        }
        if let Cell::Real(f) = cell
            && f.is_infinite()
            && !self.keep_infinities
        {
            self.infinite.get_or_insert((k, f < 0.0));
        }
        if let Column::Date { days, nulls } = &mut self.columns[k] {
            let day = match &cell {
                Cell::Null => None,
                Cell::Text(t) => match Date::parse(t) {
                    Some(d) => Some(d),
                    None => {
                        misfit(&mut self.misfits, &mut self.bad, self.len, k, t.to_string());
                        None
                    }
                },
                other => {
                    misfit(
                        &mut self.misfits,
                        &mut self.bad,
                        self.len,
                        k,
                        describe(other),
                    );
                    None
                }
            };
            days.push(day.unwrap_or(Date(0)));
            nulls.push(day.is_none());
            return Ok(());
        }
        if let Column::Bool { values, nulls } = &mut self.columns[k] {
            let value = match &cell {
                Cell::Null => None,
                Cell::Int(0) => Some(false),
                Cell::Int(1) => Some(true),
                Cell::Text(t) => {
                    misfit(
                        &mut self.misfits,
                        &mut self.bad,
                        self.len,
                        k,
                        format!("the text \"{t}\""),
                    );
                    None
                }
                other => {
                    misfit(
                        &mut self.misfits,
                        &mut self.bad,
                        self.len,
                        k,
                        describe(other),
                    );
                    None
                }
            };
            values.push(value.unwrap_or(false));
            nulls.push(value.is_none());
            return Ok(());
        }
        if let (true, Cell::Text(t)) = (self.numeric[k], &cell) {
            misfit(&mut self.misfits, &mut self.bad, self.len, k, t.to_string());
        }
        self.columns[k].push(cell);
        Ok(())
    }

    /// The current row is complete; returns how many rows there are.
    pub fn end_row(&mut self) -> Result<usize, SourceError> {
        if let Some(k) = self.blob.take() {
            return Err(SourceError::Blob {
                customer: self.columns[self.id_index].id_text(self.len),
                column: self.names[k].clone(),
            });
        }
        if let Some((k, negative)) = self.infinite.take() {
            return Err(SourceError::Infinite {
                customer: self.columns[self.id_index].id_text(self.len),
                column: self.names[k].clone(),
                negative,
            });
        }
        if let Some((k, value)) = self.bad.take()
            && self.first_bad.is_none()
        {
            let (customer, column) = (
                self.columns[self.id_index].id_text(self.len),
                self.names[k].clone(),
            );
            self.first_bad = Some((
                k,
                match self.columns[k] {
                    Column::Bool { .. } => SourceError::BadBool {
                        customer,
                        column,
                        value,
                        more: 0,
                        also: String::new(),
                    },
                    Column::Date { .. } => SourceError::BadDate {
                        customer,
                        column,
                        value,
                        listed: false,
                        more: 0,
                        also: String::new(),
                    },
                    _ => SourceError::BadNumber {
                        customer,
                        column,
                        value,
                        more: 0,
                        also: String::new(),
                    },
                },
            ));
        }
        self.len += 1;
        Ok(self.len)
    }

    /// The dataset read, or the first value that is not what its column holds, with how
    /// many more rows hold one in that column.
    pub fn finish(mut self) -> Result<Dataset, SourceError> {
        if let Some((k, mut error)) = self.first_bad.take() {
            if let SourceError::BadBool { more, also, .. }
            | SourceError::BadDate { more, also, .. }
            | SourceError::BadNumber { more, also, .. } = &mut error
            {
                *more = self.misfits[k].count.saturating_sub(1);
                let others: Vec<(String, usize)> = (self.misfits.iter().enumerate())
                    .filter(|&(j, m)| j != k && m.count > 0)
                    .map(|(j, m)| (self.names[j].clone(), m.count))
                    .collect();
                // Values of other forms in the same column, each needing its own fix.
                let id = &self.columns[self.id_index];
                let forms: Vec<(String, String)> = (self.misfits[k].examples.iter().skip(1))
                    .map(|(row, value)| (id.id_text(*row), value.clone()))
                    .collect();
                let kind = match self.columns[k] {
                    Column::Bool { .. } => "true/false",
                    Column::Date { .. } => "dates",
                    _ => "numbers",
                };
                *also = format!(
                    "{}{}",
                    super::other_forms_note(&self.names[k], kind, &forms),
                    super::also_note(&others)
                );
            }
            return Err(error);
        }
        for column in &mut self.columns {
            if let Column::Null(n) = column {
                *n = self.len;
            }
        }
        Ok(Dataset {
            names: self.names,
            columns: self.columns,
            id_column: self.id_index,
            len: self.len,
        })
    }
}

/// A stored value that is not text, for a message about a date or true/false column.
fn describe(cell: &Cell<'_>) -> String {
    match cell {
        Cell::Null => "NULL".into(),
        Cell::Int(i) => format!("the number {i}"),
        Cell::Real(f) => format!("the number {f}"),
        Cell::Text(t) => t.to_string(),
        Cell::Blob => "binary data".into(),
    }
}
