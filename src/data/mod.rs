//! SQLite: reading customers, writing policies and runs, the sample generator.

mod customers;
pub mod given;
pub mod output;
pub mod sample;

pub use customers::{Column, Dataset, open_database, read_customers, source_columns};

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum DataError {
    #[error(
        "the customer database {0} does not exist\n  = help: check `database:` in the config, or the path given with --db"
    )]
    Missing(PathBuf),
    #[error("cannot open the customer database {path}: {source}")]
    Open {
        path: PathBuf,
        source: rusqlite::Error,
    },
    #[error(
        "the customer source ({what}) cannot be read: {source}\n  = help: check `customers.table` / `customers.query` in the config"
    )]
    Source {
        what: String,
        source: rusqlite::Error,
    },
    #[error("cannot read customers ({what}): {source}")]
    Read {
        what: String,
        source: rusqlite::Error,
    },
    #[error("the id column `{column}` is not a column of the customer source (columns: {columns})")]
    NoIdColumn { column: String, columns: String },
    #[error("customer number {row} (in source order) has no id: column `{column}` is NULL")]
    NullId { row: usize, column: String },
    #[error("no customer has {column} = `{id}` in the customer source")]
    UnknownCustomer { id: String, column: String },
    #[error("customer id {0} appears more than once in the customer source")]
    DuplicateId(String),
    #[error("cannot write results to {what}: {source}")]
    Write {
        what: String,
        source: rusqlite::Error,
    },
    #[error("cannot write {path}: {source}")]
    File {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("customer {customer}: output `{output}` is {problem}, which cannot be stored")]
    BadValue {
        customer: String,
        output: String,
        problem: String,
    },
}

/// Quotes an SQL identifier (table or column name).
pub fn quote_ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}
