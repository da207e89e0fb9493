//! Builds a [`Dataset`] row by row as a source reads it: each value joins its typed column,
//! and a value that is not what its column holds (a malformed date, text in a REAL column)
//! is counted, then reported with its customer.

use super::dataset::{Cell, Column, Dataset, Unreadable, id_position};
use super::misfits::{Misfits, misfit};
use super::{Field, SourceError};
use crate::time::Date;
use crate::value::ValueKind;

/// How a source reads its values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Reading {
    /// A value its column does not hold stops the read (with how many more there are).
    Strict,
    /// `run --keep-going`: such a value's customer is left out ([`Dataset::unreadable`]).
    LeavingOut,
    /// Every column as SQLite stores it, whatever its declared type (`fields`).
    AsStored,
}

/// Builds a dataset row by row, as a source reads it.
pub(crate) struct Builder {
    pub(super) names: Vec<String>,
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
    /// How values its columns do not hold are read: refused (at the end, with how many);
    /// `LeavingOut` (`run --keep-going`): the row is kept, that value read as NULL and the
    /// row listed in `unreadable` (its customer is left out of the run, as one a rule fails
    /// for is); `AsStored` (`fields`, which shows what is stored): infinities as they are.
    pub reading: Reading,
    /// The rows left out so: (row, column, what is wrong).
    pub(super) unreadable: Vec<(usize, String, SourceError)>,
    pub(super) blank_ids: bool, // a past run's rows (written before such ids were refused)
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
            reading: Reading::Strict,
            unreadable: Vec::new(),
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
            && self.reading != Reading::AsStored
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
        let mut cell = cell;
        if let (true, Cell::Text(t)) = (self.numeric[k], &cell) {
            misfit(&mut self.misfits, &mut self.bad, self.len, k, t.to_string());
            if self.reading == Reading::LeavingOut {
                cell = Cell::Null; // the customer is left out; its figures read no text
            }
        }
        if self.reading == Reading::LeavingOut && matches!(cell, Cell::Real(f) if f.is_infinite()) {
            cell = Cell::Null;
        }
        self.columns[k].push(cell);
        Ok(())
    }

    /// The current row is complete; returns how many rows there are.
    pub fn end_row(&mut self) -> Result<usize, SourceError> {
        let customer = self.columns[self.id_index].id_text(self.len);
        let refused = if let Some(k) = self.blob.take() {
            let column = self.names[k].clone();
            Some((k, SourceError::Blob { customer, column }))
        } else if let Some((k, negative)) = self.infinite.take() {
            let column = self.names[k].clone();
            Some((
                k,
                SourceError::Infinite {
                    customer,
                    column,
                    negative,
                },
            ))
        } else if let Some((k, value)) = self.bad.take() {
            let error = self.misfit_error(k, value);
            match self.reading == Reading::LeavingOut || self.first_bad.is_none() {
                true => Some((k, error)),
                false => None,
            }
        } else {
            None
        };
        self.bad = None;
        if let Some((k, error)) = refused {
            match error {
                _ if self.reading == Reading::LeavingOut => {
                    self.unreadable
                        .push((self.len, self.names[k].clone(), error))
                }
                SourceError::Blob { .. } | SourceError::Infinite { .. } => return Err(error),
                _ => self.first_bad = Some((k, error)),
            }
        }
        self.len += 1;
        Ok(self.len)
    }

    /// The error of value `value` of the current row's column `k`, which the column does not
    /// hold (its count and the other forms are added once the read is done).
    fn misfit_error(&self, k: usize, value: String) -> SourceError {
        let (customer, column) = (
            self.columns[self.id_index].id_text(self.len),
            self.names[k].clone(),
        );
        let (more, also) = (0, String::new());
        match self.columns[k] {
            Column::Bool { .. } => SourceError::BadBool {
                customer,
                column,
                value,
                more,
                also,
            },
            Column::Date { .. } => SourceError::BadDate {
                customer,
                column,
                value,
                listed: false,
                more,
                also,
            },
            _ => SourceError::BadNumber {
                customer,
                column,
                value,
                more,
                also,
            },
        }
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
                    super::other_forms_note(
                        &self.names[k],
                        kind,
                        &forms,
                        self.misfits[k].more_forms()
                    ),
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
            unreadable: (self.unreadable.into_iter())
                .map(|(row, column, error)| Unreadable::new(row, column, &error))
                .collect(),
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
