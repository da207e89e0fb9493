//! Where customers come from: a [`CustomerSource`] gives the columns (before any rule is
//! loaded, so that names resolve) and reads the customers into a columnar [`Dataset`].
//! SQLite ([`SqliteSource`]) is the one implementation that reads a database; values given by
//! hand (test cases, a prospect posted to `serve`) become a `Dataset` through [`given`], stored
//! as SQLite would store them. [`sample`] generates a realistic sample database.
//!
//! The source is a seam: the engine sees only `Field`s and a `Dataset`, never rusqlite.

mod affinity;
mod builder;
mod data_watch;
mod dataset;
mod encoding;
mod fingerprint;
pub mod given;
mod ids;
mod misfits;
mod parameters;
pub mod sample;
mod sqlite;

pub use affinity::Affinity;
pub use dataset::{Cell, Column, Dataset, Unreadable, folded_id, id_number};
pub use encoding::printf_sql;
pub use fingerprint::SCHEME as FINGERPRINT_SCHEME;
pub use ids::unpadded;
pub use ids::variants_message;
pub use misfits::form;
pub use sqlite::{SqliteSource, quote_ident};

use crate::value::ValueKind;
use std::path::PathBuf;

/// A column of the customer source, as the rules see it before any data is read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Field {
    pub name: String,
    /// How a value given for this column is stored (SQLite's affinity of its declared type).
    pub affinity: Affinity,
    /// The kind the declared type promises, when it says (TEXT, INTEGER, REAL, ...).
    pub kind: Option<ValueKind>,
}

impl Field {
    /// A column and its declared type (`None` for an expression in a query).
    pub fn new(name: &str, declared: Option<&str>) -> Field {
        Field {
            name: name.to_owned(),
            affinity: Affinity::of(declared),
            kind: affinity::declared_kind(declared),
        }
    }
}

/// Customers, from wherever they are kept.
pub trait CustomerSource {
    /// What the source is, for messages: "table `customers`", "the customers query".
    fn describe(&self) -> String;

    /// The source's columns, in order, without reading any row.
    fn columns(&self) -> Result<Vec<Field>, SourceError>;

    /// Every customer. Only the columns named in `load` and the id column are read (the
    /// others hold NULL); `None` reads every column. `progress` is told the number of rows
    /// read now and then.
    fn read(
        &self,
        id_column: &str,
        load: Option<&[&str]>,
        progress: &mut dyn FnMut(usize),
    ) -> Result<Dataset, SourceError>;

    /// Every customer, as [`CustomerSource::read`], except that a customer holding a value
    /// its column does not hold is left out (`run --keep-going`), not the read stopped:
    /// listed in [`Dataset::unreadable`], that value read as NULL.
    fn read_leaving_out(
        &self,
        id_column: &str,
        load: Option<&[&str]>,
        progress: &mut dyn FnMut(usize),
    ) -> Result<Dataset, SourceError>;

    /// Every customer and every column as SQLite stores it: no column read as dates or
    /// true/false, and no value refused for not being what its column's type declares
    /// (`fields` shows such values rather than stopping at the first).
    fn read_as_stored(&self, id_column: &str) -> Result<Dataset, SourceError>;

    /// Something that tells later whether the data may have changed since now.
    fn watch_changes(&self) -> Box<dyn ChangeWatch>;
}

/// Tells whether a source's data may have changed since it was created.
pub trait ChangeWatch: Send {
    fn changed(&self) -> bool;
}

#[derive(Debug, thiserror::Error)]
pub enum SourceError {
    #[error(
        "the customer database {0} does not exist\n  = help: check `database:` in the config, or the path given with --db"
    )]
    Missing(PathBuf),
    /// Missing, in a config with `sample:` whose `database:` does not name a sample file: a
    /// copied config pointed at real data (mistyped) would otherwise run on made-up customers.
    #[error(
        "the customer database {0} does not exist; the config's `sample:` section generates sample data only into a file named like a sample (data/sample.db), not into {0}\n  = help: for real data, check `database:` and remove the `sample:` section; for a sample, give its file a name with `sample` in it"
    )]
    NotASample(PathBuf),
    #[error("cannot open the customer database {path}: {source}")]
    Open {
        path: PathBuf,
        source: rusqlite::Error,
    },
    #[error(
        "the customer source ({what}) cannot be read: {}\n  = help: check `customers.table` / `customers.query` in the config",
        sql_error(.cause)
    )]
    Unreadable {
        what: String,
        /// Not the error's `source`: its display quotes the whole query, said above instead.
        cause: rusqlite::Error,
    },
    #[error(
        "the customer database {0} is locked by another process (a run, an import or a backup writing to it): waited {secs} s\n  = help: try again when that process has finished",
        secs = BUSY_TIMEOUT.as_secs()
    )]
    Locked(PathBuf),
    #[error(
        "the customer database {0} cannot be read: SQLite reports a disk I/O error, and a file-size limit is set for this process (`ulimit -f`): reading a database in WAL mode writes beside it (its -wal and -shm files), which cannot grow past the limit\n  = help: raise the limit, then run again"
    )]
    SizeLimited(PathBuf),
    /// A disk I/O error or a full disk while reading: not the query's fault (it was sent
    /// to `customers.table` / `customers.query`, exit 2).
    #[error(
        "the customer database {0} cannot be read: SQLite reports a disk I/O error or a full disk; reading a database in WAL mode writes beside it (its -wal and -shm files), so a full disk stops reads too\n  = help: free space on the disk that holds it (`df -h` on its folder), or check the disk, then run again"
    )]
    DiskTrouble(PathBuf),
    /// SQLite writes beside a database even to read it (a WAL database's `-shm` file): the
    /// query is not at fault.
    #[error(
        "the customer database {0} cannot be read: SQLite cannot write beside it, which it needs even to read a database in WAL mode (its -wal and -shm files): the folder it is in cannot be written by this user, or it is on a read-only disk\n  = help: run tierwise as a user who can write to that folder, or copy the database (with its -wal file) to a folder that can be written"
    )]
    ReadNeedsWrite(PathBuf),
    /// SQLite's "database disk image is malformed": most often, with a `-wal` file beside
    /// it, a database replaced by another file while the old one's `-wal` stayed.
    #[error(
        "the customer database {path} is damaged as SQLite reads it (\"database disk image is malformed\")\n  = help: {}",
        corrupt_help(.path, *.wal_beside)
    )]
    Corrupt { path: PathBuf, wal_beside: bool },
    #[error(
        "the customer database {0} is not a SQLite database\n  = help: check `database:` in the config, or the path given with --db"
    )]
    NotADatabase(PathBuf),
    #[error(
        "there is no table `{table}` in the customer database {path} ({tables})\n  = help: check `customers.table` in the config"
    )]
    NoTable {
        table: String,
        path: PathBuf,
        /// "its tables: a, b", or "it has no tables".
        tables: String,
    },
    /// A run on no customers is a mistake (a date the data does not hold, an empty import):
    /// it would replace its period's run with nothing.
    #[error("{what} holds no customer as of {as_of}: {outcome}\n  = help: {help}")]
    NoCustomers {
        what: String,
        as_of: String,
        /// What the command did instead: "nothing was written, ..." for a run.
        outcome: &'static str,
        help: String,
    },
    #[error(
        "the customers query must read (begin with SELECT or WITH); it begins with `{0}`\n  = help: tierwise only reads the customer source: write a SELECT in `customers.query`"
    )]
    NotASelect(String),
    /// A column name that is not UTF-8: `column` shows its bytes, the odd ones as `\xE4`.
    #[error(
        "the customer source ({what}) has a column whose name is not UTF-8: `{column}` (column {position})\n  = help: {help}"
    )]
    NameNotUtf8 {
        what: String,
        column: String,
        position: usize,
        help: String,
    },
    #[error(
        "the customer source ({what}) declares column `{column}` with a type that is not UTF-8: `{declared}`\n  = help: {help}"
    )]
    TypeNotUtf8 {
        what: String,
        column: String,
        declared: String,
        help: String,
    },
    #[error("cannot read customers ({what}): {source}")]
    Read {
        what: String,
        source: rusqlite::Error,
    },
    #[error("the id column `{column}` is not a column of the customer source (columns: {columns}){}", id_column_like(.column, .like))]
    NoIdColumn {
        column: String,
        columns: String,
        /// The column of that name in another case (`Customer_ID` for `customer_id`).
        like: Option<String>,
    },
    #[error("`{setting}` in the config names `{column}`, which is not a column of the customer source{}", .like.as_ref().map_or(String::new(), |c| format!(": did you mean `{c}`?")))]
    NoListedColumn {
        /// `customers.dates` or `customers.booleans`.
        setting: &'static str,
        column: String,
        /// The closest column's name.
        like: Option<String>,
    },
    #[error("the customers query uses the parameter `{parameter}`{at}, which tierwise does not give: SQLite would read it as NULL for every row (tierwise gives :as_of, :period_start and :period_end){}", .like.as_ref().map_or(String::new(), |c| format!(": did you mean `{c}`?")))]
    UnknownParameter {
        parameter: String,
        /// " (line N of the query: `...`)", where it is found.
        at: String,
        like: Option<String>,
    },
    #[error("customer number {row} (in source order) has no id: column `{column}` is NULL")]
    NullId { row: usize, column: String },
    #[error(
        "customer number {row} (in source order) has no id: column `{column}` holds {id}, text of blanks (leave such rows out in the customers query: `WHERE TRIM({column}) <> ''`)"
    )]
    BlankId {
        row: usize,
        column: String,
        id: String,
    },
    #[error("no customer has {column} = `{id}` in the customer source{}{}", did_you_mean(.id, .like), .elsewhere.as_deref().unwrap_or_default())]
    UnknownCustomer {
        id: String,
        column: String,
        /// An id that differs only in case or blanks (`c-000001` for `C-000001`).
        like: Option<String>,
        /// Where the customer is after all (another period's run), in words.
        elsewhere: Option<String>,
    },
    #[error("the customer source's columns changed: the rules must be loaded again")]
    ColumnsChanged,
    #[error(
        "customer {customer}: column `{column}` holds {}, which is not a date{}\n  = help: {}{also}",
        shown_value(value),
        more_customers(*.more),
        date_help(column, value, *.listed)
    )]
    BadDate {
        customer: String,
        column: String,
        value: String,
        /// Whether the config lists the column under `customers.dates` (the help then
        /// does not ask for it).
        listed: bool,
        /// How many more customers hold a value that is no date in a date column.
        more: usize,
        /// Other columns holding values not of their kind ([`also_note`]).
        also: String,
    },
    #[error(
        "customer {customer}: column `{column}` holds {value}, which is not true/false{}\n  = help: a BOOLEAN column holds 1 (true), 0 (false) or NULL; fix the value, or do not declare the column BOOLEAN{}{also}",
        more_customers(*.more),
        bool_help(column, value)
    )]
    BadBool {
        customer: String,
        column: String,
        value: String,
        more: usize,
        also: String,
    },
    /// Text in a column declared to hold numbers: SQLite keeps as text what does not read
    /// as a number (`12.500,00`, `n/a`, an empty string), and `+` would join it as text.
    #[error(
        "customer {customer}: column `{column}` holds the text \"{value}\", which is not a number{}\n  = help: the column is declared to hold numbers, so the rules take it for one; {}{also}",
        more_customers(*.more),
        number_fix(.column, .value)
    )]
    BadNumber {
        customer: String,
        column: String,
        value: String,
        more: usize,
        also: String,
    },
    /// Text that is not UTF-8 (a file in another encoding imported as it was): `value` shows
    /// its bytes, the odd ones as `\xFC`.
    #[error(
        "customer {customer}: column `{column}` holds the text \"{value}\", which is not UTF-8{}\n  = help: {help}",
        more_customers(*.more)
    )]
    TextNotUtf8 {
        customer: String,
        column: String,
        value: String,
        more: usize,
        help: String,
    },
    #[error(
        "customer number {row} (in source order) has the id \"{value}\" in column `{column}`, which is not UTF-8\n  = help: {help}"
    )]
    IdNotUtf8 {
        row: usize,
        column: String,
        value: String,
        help: String,
    },
    #[error(
        "customer {customer}: column `{column}` holds binary data (a BLOB), which rules cannot read\n  = help: store the value as text or a number"
    )]
    Blob { customer: String, column: String },
    /// `9e999` (or an overflow) stored as SQLite's infinity: no rule can rank, compare or
    /// add it (it made the largest customer of a bad import dormant, without a word).
    #[error(
        "customer {customer}: column `{column}` holds {}infinity (SQLite stores a number too large for it, such as 9e999, so), which rules cannot compare, rank or add\n  = help: write the real value, or NULL for none, at the source (in a table, `WHERE abs({column}) = 9e999` finds every such value; a value the customers query computes, such as a product overflowing, is mended there)",
        if *.negative { "minus " } else { "" }
    )]
    Infinite {
        customer: String,
        column: String,
        negative: bool,
    },
    #[error(
        "customer number {row} (in source order) has binary data (a BLOB) as its id in column `{column}`\n  = help: ids are text or whole numbers"
    )]
    BlobId { row: usize, column: String },
}

/// A value a date or true/false column should not hold, as a message shows it: text quoted
/// (`31/01/2025`), empty text said so, a number as it is (`the number 20240229`).
fn shown_value(value: &str) -> String {
    match value {
        "" => "empty text".into(),
        // A bad value is never SQL's NULL (every column holds that): this is the text, as
        // `sqlite3 .import` writes an export's NULLs, which read bare as SQL's.
        "NULL" => "the text `NULL` (not SQL's NULL)".into(),
        v if v.starts_with("the number ") || v == "binary data" => v.into(),
        v => format!("`{v}`"),
    }
}

/// How to read yes/no text as true/false: converted in the customers query to 1 and 0 (other
/// text stays, and is still refused), the column listed as one of true/false.
fn bool_help(column: &str, value: &str) -> String {
    const WORDS: [&str; 8] = ["Y", "N", "YES", "NO", "TRUE", "FALSE", "T", "F"];
    // As the reader words it: `the text "Y"`.
    let text = (value.strip_prefix("the text \"")).and_then(|t| t.strip_suffix('"'));
    if !text.is_some_and(|t| WORDS.contains(&t.trim().to_uppercase().as_str())) {
        return String::new();
    }
    let c = crate::source::quote_ident(column);
    format!(
        "; yes/no text converts in the customers query (`customers.query`): `CASE WHEN UPPER(TRIM({c})) IN ('Y', 'YES', 'TRUE', 'T') THEN 1 WHEN UPPER(TRIM({c})) IN ('N', 'NO', 'FALSE', 'F') THEN 0 ELSE {c} END AS {c}`, with `{column}` listed under `customers.booleans` in the config (a query's columns declare no type)"
    )
}

/// How to mend a value that is not a date, by its look: an export's day-first text, a
/// number `20240229`, empty text, else the way dates are written. The conversion goes in
/// the customers query: undeclared, the column would be text, which orders `31-12-2021`
/// after `2024-01-01`.
fn date_help(column: &str, value: &str, listed: bool) -> String {
    let c = crate::source::quote_ident(column);
    let b = value.as_bytes();
    let digits = |r: std::ops::Range<usize>| b[r].iter().all(u8::is_ascii_digit);
    let day_first = b.len() == 10
        && digits(0..2)
        && digits(3..5)
        && digits(6..10)
        && b[2] == b[5]
        && matches!(b[2], b'/' | b'-' | b'.');
    let common = "dates are written as 2025-03-01 (or 2025-03-01 14:30:00)";
    // A query's columns declare no type: what it converts must be said to be dates.
    let listed = match listed {
        true => String::new(),
        false => format!(
            "; a query's columns declare no type: list `{column}` under `customers.dates` in the config"
        ),
    };
    if value.is_empty() {
        format!(
            "{common}; for no date, write NULL, or read the column as `NULLIF({c}, '') AS {c}` in the customers query (`customers.query`)"
        )
    } else if crate::text::stands_for_no_value(value) {
        format!(
            "{common}; `{value}` stands for no date: read such text as NULL in the customers query (`customers.query`), `{}`{listed}",
            crate::text::no_value_as_null(&c)
        )
    } else if value.len() == 5
        && value.bytes().all(|d| d.is_ascii_digit())
        && (20_000..80_000).contains(&value.parse::<u32>().unwrap_or(0))
    {
        // An Excel serial kept as text (a CSV imported into TEXT columns).
        format!(
            "{common}; this reads as an Excel date serial (days since 1899-12-30) kept as text: convert it in the customers query (`customers.query`), `CASE WHEN {c} GLOB '[0-9][0-9][0-9][0-9][0-9]' AND CAST({c} AS INTEGER) BETWEEN 20000 AND 80000 THEN date('1899-12-30', '+' || {c} || ' days') ELSE {c} END AS {c}` (other values stay as they are, and are still refused){listed}"
        )
    } else if day_first {
        // Only the rows written so: the ISO dates beside them stay as they are. Which of
        // the first two numbers is the month, the value tells when one is above 12 (a
        // Los Angeles export's 12/31/2025); 03/04/2025 alone cannot tell.
        let sep = b[2] as char;
        let number = |r: std::ops::Range<usize>| value[r].parse::<u32>().unwrap_or(0);
        let (first, middle) = (number(0..2), number(3..5));
        let convert = |day: usize, month: usize| {
            format!(
                "`CASE WHEN {c} LIKE '__{sep}__{sep}____' THEN substr({c}, 7, 4) || '-' || substr({c}, {}, 2) || '-' || substr({c}, {}, 2) ELSE NULLIF({c}, '') END AS {c}`",
                month + 1,
                day + 1
            )
        };
        match (first > 12, middle > 12) {
            (false, true) => format!(
                "{common}; this reads as month, day, year ({middle} is no month): convert it in the customers query (`customers.query`), {}{listed}",
                convert(3, 0)
            ),
            (true, false) => format!(
                "{common}; this reads as day, month, year ({first} is no month): convert it in the customers query (`customers.query`), {}{listed}",
                convert(0, 3)
            ),
            // Neither order is a day (13/13/2025): no conversion reads it.
            (true, true) => format!("{common}; `{value}` is no day in either order: fix the value"),
            _ => format!(
                "{common}; this is day, month, year or month, day, year, and `{value}` alone does not tell which: look at the column (a first number above 12 is a day: day first; a middle one: month first), then convert it in the customers query (`customers.query`), day first {}, month first {}{listed}",
                convert(0, 3),
                convert(3, 0)
            ),
        }
    } else if let Some(n) = value.strip_prefix("the number ")
        && n.len() == 8
        && n.bytes().all(|d| d.is_ascii_digit())
    {
        format!(
            "{common}; this reads as a number year-month-day: convert it in the customers query (`customers.query`), `printf('%04d-%02d-%02d', {c} / 10000, {c} / 100 % 100, {c} % 100) AS {c}`{listed}"
        )
    } else if let Some(n) = value.strip_prefix("the number ")
        && n.parse::<f64>()
            .is_ok_and(|d| (20_000.0..80_000.0).contains(&d))
    {
        // Excel counts days from 1899-12-30 (its 1900 leap-year bug included).
        format!(
            "{common}; this reads as an Excel date serial (days since 1899-12-30): convert it in the customers query (`customers.query`), `CASE WHEN typeof({c}) IN ('integer', 'real') AND {c} BETWEEN 20000 AND 80000 THEN date('1899-12-30', '+' || CAST({c} AS INTEGER) || ' days') ELSE {c} END AS {c}` (other numbers stay as they are, and are still refused: a conversion of them would give NULL){listed}"
        )
    } else if let Some(n) = value.strip_prefix("the number ")
        && n.parse::<f64>()
            .is_ok_and(|d| (2_400_000.0..2_500_000.0).contains(&d))
    {
        // SQLite's own numeric date; `date()` reads a number as one.
        format!(
            "{common}; this reads as a Julian day number (SQLite's `julianday()`): convert it in the customers query (`customers.query`), `CASE WHEN typeof({c}) IN ('integer', 'real') AND {c} BETWEEN 2400000 AND 2500000 THEN date({c}) ELSE {c} END AS {c}` (other numbers stay as they are, and are still refused){listed}"
        )
    } else {
        format!(
            "{common}; fix the value, or convert the column in the customers query (`customers.query`)"
        )
    }
}

/// The other columns that hold values not of their declared kind, with how many customers
/// each: all of them at once, where they came one fix at a time.
pub(crate) fn also_note(others: &[(String, usize)]) -> String {
    if others.is_empty() {
        return String::new();
    }
    let listed: Vec<String> = (others.iter())
        .map(|(column, n)| format!("`{column}` ({})", crate::text::customers(*n)))
        .collect();
    format!(
        "\n  = note: other columns hold values not of their kind too: {} (`tierwise fields` lists them)",
        listed.join(", ")
    )
}

/// The first value of each other form in the same column, with its customer: each needs
/// its own conversion, and the help fits the first only.
pub(crate) fn other_forms_note(
    column: &str,
    kind: &str,
    forms: &[(String, String)],
    more: usize,
) -> String {
    if forms.is_empty() {
        return String::new();
    }
    let listed: Vec<String> = (forms.iter())
        .map(|(customer, value)| format!("{} (customer {customer})", shown_value(value)))
        .collect();
    let more = match more {
        0 => String::new(),
        n => format!(
            ", and {} more form{} (`tierwise fields` shows the column's values)",
            crate::text::thousands(n as f64),
            if n == 1 { "" } else { "s" }
        ),
    };
    format!(
        "\n  = note: `{column}` also holds values of other forms that are not {kind}: {}{more}",
        listed.join(", ")
    )
}

/// ` (and 613 more customers)`: how many more hold a value their column does not.
fn more_customers(more: usize) -> String {
    match more {
        0 => String::new(),
        1 => " (and 1 more customer)".into(),
        n => format!(" (and {} more customers)", crate::text::thousands(n as f64)),
    }
}

/// How to mend text in a number column, fitted to the text (a conversion that fits another
/// form reads ordinary decimals a hundred times too large).
fn number_fix(column: &str, value: &str) -> String {
    match crate::text::number_conversion(column, value, true) {
        Some(conversion) => format!(
            "fix the value at its source, or in the customers query: {conversion}"
        ),
        None => "fix the value, or write NULL for no value; converting it in the customers query with a CAST makes text that is no number 0".into(),
    }
}

/// The `-wal` file SQLite keeps beside a database in WAL mode.
pub fn wal_of(path: &std::path::Path) -> PathBuf {
    let mut wal = path.as_os_str().to_owned();
    wal.push("-wal");
    PathBuf::from(wal)
}

/// What to do about a damaged database: with a `-wal` file beside it, the likely cause.
fn corrupt_help(path: &std::path::Path, wal_beside: bool) -> String {
    let check = format!(
        "`sqlite3 {} \"PRAGMA integrity_check\"` says what is damaged",
        path.display()
    );
    match wal_beside {
        true => format!(
            "a -wal file lies beside it: if the database was replaced by another file (a new copy renamed over it) while the old one's -wal and -shm files stayed, SQLite applies them to the new file. Replace a database in WAL mode only after removing its -wal and -shm files with no process reading it, or write the new data into it; {check}"
        ),
        false => check,
    }
}

/// How long a command waits for another process's lock on the database before it says so.
pub const BUSY_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);

impl SourceError {
    /// `error`, or [`SourceError::Locked`] when SQLite says another process holds a lock
    /// (after waiting [`BUSY_TIMEOUT`]): not a setting to fix, and the message says so.
    pub fn unless_locked(self, path: &std::path::Path) -> SourceError {
        let source = match &self {
            SourceError::Open { source, .. }
            | SourceError::Unreadable { cause: source, .. }
            | SourceError::Read { source, .. } => source,
            _ => return self,
        };
        match source.sqlite_error_code() {
            Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked) => {
                SourceError::Locked(path.to_path_buf())
            }
            Some(rusqlite::ErrorCode::ReadOnly) => SourceError::ReadNeedsWrite(path.to_path_buf()),
            Some(rusqlite::ErrorCode::SystemIoFailure | rusqlite::ErrorCode::DiskFull)
                if crate::interrupt::file_size_limited() =>
            {
                SourceError::SizeLimited(path.to_path_buf())
            }
            Some(rusqlite::ErrorCode::SystemIoFailure | rusqlite::ErrorCode::DiskFull) => {
                SourceError::DiskTrouble(path.to_path_buf())
            }
            Some(rusqlite::ErrorCode::DatabaseCorrupt) => SourceError::Corrupt {
                path: path.to_path_buf(),
                // Not empty: a WAL database's own open makes an empty one.
                wal_beside: std::fs::metadata(wal_of(path)).is_ok_and(|m| m.len() > 0),
            },
            _ => self,
        }
    }

    /// The error, saying that `more` customers hold such a value too (text that is not UTF-8).
    fn with_more(mut self, count: usize) -> SourceError {
        if let SourceError::TextNotUtf8 { more, .. } = &mut self {
            *more = count;
        }
        self
    }

    /// A setting or argument to fix (a database, table, column or customer that is not
    /// there), rather than a problem in the data itself.
    pub fn is_setting(&self) -> bool {
        matches!(
            self,
            SourceError::Missing(_)
                | SourceError::NotASample(_)
                | SourceError::Unreadable { .. }
                | SourceError::NoIdColumn { .. }
                | SourceError::NoListedColumn { .. }
                | SourceError::UnknownParameter { .. }
                | SourceError::NotADatabase(_)
                | SourceError::ReadNeedsWrite(_)
                | SourceError::NoTable { .. }
                | SourceError::NotASelect(_)
                | SourceError::UnknownCustomer { .. }
        )
    }
}

/// The column the id column was likely meant as: in another case, or with a character a
/// screen does not show (a CSV saved by Excel as UTF-8 starts with a byte-order mark, which
/// `.import` keeps in the first column's name).
fn id_column_like(column: &str, like: &Option<String>) -> String {
    let Some(like) = like else {
        return String::new();
    };
    let shown = crate::text::visible(like);
    let invisible: Vec<&str> = (like.chars())
        .filter_map(crate::text::invisible_name)
        .collect();
    match invisible.first() {
        Some(what) => format!(
            ": the column {shown} holds {what} a screen does not show (a CSV saved by Excel as UTF-8 starts with one, and `.import` keeps it in the first column's name): import the file again saved without it (Excel: \"CSV (Comma delimited)\"), or rename the column (Python: `conn.execute('ALTER TABLE <table> RENAME COLUMN \"{}\" TO {column}')`)",
            (like.chars())
                .map(|c| match crate::text::invisible_name(c) {
                    Some(_) => format!("\\u{:04x}", c as u32),
                    None => c.to_string(),
                })
                .collect::<String>()
        ),
        None => format!(": did you mean `{like}`? (`customers.id_column` is matched as written)"),
    }
}

fn did_you_mean(id: &str, like: &Option<String>) -> String {
    use unicode_normalization::UnicodeNormalization;
    let Some(like) = like else {
        return String::new();
    };
    // The same on screen: say what tells them apart.
    let composed = |t: &str| t.nfc().collect::<String>();
    match composed(like) == composed(id) {
        true => format!(
            ": did you mean `{like}`? (stored as {like:?} and asked as {id:?}: the same letters, composed another way in Unicode)"
        ),
        false => format!(": did you mean `{like}`?"),
    }
}

/// SQLite's error, without the whole query it quotes (the bundled query is 165 lines): its
/// message, and the line of the query where it stopped.
fn sql_error(e: &rusqlite::Error) -> String {
    let rusqlite::Error::SqlInputError {
        msg, sql, offset, ..
    } = e
    else {
        return e.to_string();
    };
    let Some(at) = usize::try_from(*offset).ok().filter(|&o| o <= sql.len()) else {
        return msg.clone();
    };
    let before = sql.get(..at).unwrap_or_default();
    let line = before.matches('\n').count() + 1;
    let text = sql.lines().nth(line - 1).unwrap_or_default().trim();
    // The query is read wrapped (`SELECT * FROM (<query>\n)`): its own first line.
    let text = text.strip_prefix("SELECT * FROM (").unwrap_or(text);
    match line {
        1 if text.len() > 120 => msg.clone(),
        _ => format!("{msg} (line {line} of the query: `{text}`)"),
    }
}

#[cfg(test)]
mod tests {
    use super::SourceError;
    use std::path::Path;

    /// A full disk while reading the customers (a WAL database's -shm cannot be made) was
    /// said as a query to fix in the config (exit 2).
    #[test]
    fn a_full_disk_while_reading_is_no_setting() {
        let path = Path::new("data/c.db");
        for code in [rusqlite::ffi::SQLITE_FULL, rusqlite::ffi::SQLITE_IOERR] {
            let cause = rusqlite::Error::SqliteFailure(rusqlite::ffi::Error::new(code), None);
            let what = "table `customers`".to_owned();
            let said = SourceError::Unreadable { what, cause }.unless_locked(path);
            if crate::interrupt::file_size_limited() {
                return; // said as the limit instead
            }
            assert!(matches!(said, SourceError::DiskTrouble(_)), "{said}");
            assert!(!said.is_setting());
            assert!(
                said.to_string()
                    .contains("free space on the disk that holds it")
            );
        }
    }
}
