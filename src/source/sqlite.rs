//! The SQLite customer source: a table, or any `SELECT`, of an existing database file.

use super::builder::Reading;
use super::dataset::{Builder, Cell};
use super::encoding::{self, RawColumn};
use super::{ChangeWatch, CustomerSource, Dataset, Field, SourceError};
use crate::config::Source;
use rusqlite::types::ValueRef;
use rusqlite::{Connection, OpenFlags};
use std::path::{Path, PathBuf};

/// Quotes an SQL identifier (table or column name).
pub fn quote_ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// Customers in a table or query of an SQLite database.
pub struct SqliteSource {
    path: PathBuf,
    conn: Connection,
    source: Source,
    /// Columns that hold dates though their declared type does not say so (a query's).
    dates: Vec<String>,
    /// Columns that hold true/false as 1/0 though their declared type does not say so.
    booleans: Vec<String>,
    /// Values for the query's named parameters (`:as_of`, ...), bound where it uses them.
    parameters: Vec<(String, String)>,
}

impl SqliteSource {
    /// Opens an existing database (never creates one) for reading and writing: a run writes
    /// its results into the same file.
    pub fn open(path: &Path, source: &Source) -> Result<SqliteSource, SourceError> {
        Ok(SqliteSource {
            path: path.to_path_buf(),
            conn: open_database(path)?,
            source: source.clone(),
            dates: Vec::new(),
            booleans: Vec::new(),
            parameters: Vec::new(),
        })
    }

    /// Reads these columns as dates, whatever their declared type.
    pub fn with_dates(mut self, columns: &[String]) -> Self {
        self.dates = columns.to_vec();
        self
    }

    /// Reads these columns as true/false (1 and 0), whatever their declared type.
    pub fn with_booleans(mut self, columns: &[String]) -> Self {
        self.booleans = columns.to_vec();
        self
    }

    /// Binds these values to the query's named parameters (`:as_of` -> `2026-09-30`) where
    /// the query uses them.
    pub fn with_parameters(mut self, parameters: Vec<(String, String)>) -> Self {
        self.parameters = parameters;
        self
    }

    /// A parameter of the query that tierwise gives no value for (`:as_at` for `:as_of`, a
    /// `?`): SQLite binds NULL, and a date filter on it silently keeps nothing.
    fn unknown_parameter(&self, stmt: &rusqlite::Statement<'_>) -> Result<(), SourceError> {
        let Source::Query(query) = &self.source else {
            return Ok(());
        };
        let known = |name: &str| self.parameters.iter().any(|(p, _)| p == name);
        for i in 1..=stmt.parameter_count() {
            let name = stmt.parameter_name(i).unwrap_or("?");
            if known(name) {
                continue;
            }
            // Where SQLite reads it: the query's comments and texts name parameters too.
            let at = super::parameters::first_use(query, name).map_or(String::new(), |at| {
                let line = query[..at].matches('\n').count();
                let text = query.lines().nth(line).unwrap_or_default().trim();
                format!(" (line {} of the query: `{text}`)", line + 1)
            });
            let names = self.parameters.iter().map(|(p, _)| p.as_str());
            // `:AS_OF`: SQLite's names are case-sensitive.
            let like = (self.parameters.iter())
                .find(|(p, _)| p.eq_ignore_ascii_case(name))
                .map(|(p, _)| p.clone())
                .or_else(|| crate::diag::suggest(name, names));
            return Err(SourceError::UnknownParameter {
                parameter: name.to_owned(),
                at,
                like,
            });
        }
        Ok(())
    }

    fn bind(&self, stmt: &mut rusqlite::Statement<'_>) -> rusqlite::Result<()> {
        for (name, value) in &self.parameters {
            if let Some(index) = stmt.parameter_index(name)? {
                stmt.raw_bind_parameter(index, value.as_str())?;
            }
        }
        Ok(())
    }

    /// The fields of `sql`'s result (a statement already prepared, so `sql` is known to be
    /// valid), or an error for a column whose name or declared type is not UTF-8.
    fn fields(&self, sql: &str) -> Result<Vec<Field>, SourceError> {
        let columns = raw_columns(&self.conn, sql).map_err(|source| self.unreadable(source))?;
        let mut fields = encoding::fields(columns, &self.source, &self.path)?;
        use crate::value::ValueKind;
        for (setting, listed, kind) in [
            ("customers.dates", &self.dates, ValueKind::Date),
            ("customers.booleans", &self.booleans, ValueKind::Bool),
        ] {
            // A misspelt column would leave the real one as it is, and a run fail on it
            // later with advice to list it (which the admin did).
            if let Some(column) =
                (listed.iter()).find(|d| !fields.iter().any(|f| f.name.eq_ignore_ascii_case(d)))
            {
                let names = fields.iter().map(|f| f.name.as_str());
                return Err(SourceError::NoListedColumn {
                    setting,
                    column: column.clone(),
                    like: crate::diag::suggest(column, names),
                });
            }
            // SQLite's column names are the same in any case: `LAST_ORDER_DAY` is
            // `last_order_day`.
            for field in &mut fields {
                if listed.iter().any(|d| d.eq_ignore_ascii_case(&field.name)) {
                    field.kind = Some(kind);
                }
            }
        }
        Ok(fields)
    }

    /// Reads the customers as `reading` says.
    fn read_with(
        &self,
        id_column: &str,
        load: Option<&[&str]>,
        reading: Reading,
        progress: &mut dyn FnMut(usize),
    ) -> Result<Dataset, SourceError> {
        let read_error = |source| {
            self.keep_wal_if_damaged(&source);
            SourceError::Read {
                what: self.describe(),
                source,
            }
            .unless_locked(&self.path)
        };
        let sql = self.sql();
        let mut stmt = self.conn.prepare(&sql).map_err(read_error)?;
        self.unknown_parameter(&stmt)?;
        let mut fields = self.fields(&sql)?;
        if reading == Reading::AsStored {
            fields.iter_mut().for_each(|f| f.kind = None);
        }
        let mut builder = Builder::new(&fields, id_column, load)?;
        builder.reading = reading;
        let loaded = std::mem::take(&mut builder.loaded);
        self.bind(&mut stmt).map_err(read_error)?;
        let id = fields.iter().position(|f| f.name == id_column).unwrap_or(0);
        // The first text that is not UTF-8 (its column and error), and how many more rows
        // hold such text in that column: the read goes on to count them, as for a number
        // column holding text; a problem found after it is said after it is fixed.
        let mut not_utf8: Option<(usize, SourceError)> = None;
        let mut more = 0;
        let earlier = |found: &mut Option<(usize, SourceError)>, more, later| match found.take() {
            Some((_, error)) => error.with_more(more),
            None => later,
        };
        let mut rows = stmt.raw_query();
        let mut len = 0;
        while let Some(row) = rows.next().map_err(read_error)? {
            for &k in &loaded {
                let cell = match cell(row.get_ref(k).map_err(read_error)?) {
                    Ok(cell) => cell,
                    Err(bytes) => {
                        match &not_utf8 {
                            None => {
                                let error = self.not_utf8(row, &fields, id, k, bytes, len + 1);
                                if k == id {
                                    return Err(error);
                                }
                                not_utf8 = Some((k, error));
                            }
                            Some((first, _)) => more += usize::from(*first == k),
                        }
                        Cell::Null
                    }
                };
                builder
                    .push(k, cell)
                    .map_err(|later| earlier(&mut not_utf8, more, self.listed(later)))?;
            }
            len = builder
                .end_row()
                .map_err(|later| earlier(&mut not_utf8, more, self.listed(later)))?;
            if len.is_multiple_of(65_536) {
                progress(len);
            }
        }
        match not_utf8 {
            Some((_, error)) => Err(error.with_more(more)),
            None => {
                for (_, _, error) in &mut builder.unreadable {
                    self.mark_listed(error);
                }
                builder.finish().map_err(|e| self.listed(e))
            }
        }
    }

    /// A date column's error says whether the config lists the column as a date already.
    fn listed(&self, mut error: SourceError) -> SourceError {
        self.mark_listed(&mut error);
        error
    }

    fn mark_listed(&self, error: &mut SourceError) {
        if let SourceError::BadDate { column, listed, .. } = error {
            *listed = (self.dates.iter()).any(|d| d.eq_ignore_ascii_case(column));
        }
    }

    /// Text that is not UTF-8 in column `k` of `row` (number `number` in source order).
    fn not_utf8(
        &self,
        row: &rusqlite::Row<'_>,
        fields: &[Field],
        id: usize,
        k: usize,
        bytes: &[u8],
        number: usize,
    ) -> SourceError {
        let customer = match row.get_ref(id) {
            Ok(ValueRef::Text(t)) => match std::str::from_utf8(t) {
                Ok(t) => t.to_owned(),
                Err(_) => {
                    return encoding::id_not_utf8(number, &fields[id].name, t, &self.source);
                }
            },
            Ok(ValueRef::Integer(i)) => i.to_string(),
            Ok(ValueRef::Real(f)) => crate::value::Value::Float(f).to_string(),
            _ => format!("number {number} (in source order)"),
        };
        encoding::text_not_utf8(customer, &fields[k].name, bytes, &self.source)
    }

    /// A source over a connection already open (an in-memory database, in tests).
    pub fn with_connection(conn: Connection, source: &Source) -> SqliteSource {
        SqliteSource {
            path: PathBuf::new(),
            conn,
            source: source.clone(),
            dates: Vec::new(),
            booleans: Vec::new(),
            parameters: Vec::new(),
        }
    }

    /// The open connection (a run writes its results through it).
    pub fn connection(&mut self) -> &mut Connection {
        &mut self.conn
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    fn sql(&self) -> String {
        match &self.source {
            Source::Table(table) => format!("SELECT * FROM {}", quote_ident(table)),
            // On a line of its own: a query that ends in a `--` comment still closes.
            Source::Query(query) => {
                format!("SELECT * FROM ({}\n)", query.trim().trim_end_matches(';'))
            }
        }
    }
}

/// A customers query only reads: it begins with SELECT or WITH (after comments).
fn check_select(query: &str) -> Result<(), SourceError> {
    // Past comments of either kind (`-- ...` to the line's end, `/* ... */`): a query that
    // opens with a block comment was refused as beginning with nothing.
    let mut code = query;
    loop {
        code = code.trim_start().trim_start_matches('(');
        if let Some(rest) = code.strip_prefix("--") {
            code = rest.split_once('\n').map_or("", |(_, after)| after);
        } else if let Some(rest) = code.strip_prefix("/*") {
            code = rest.split_once("*/").map_or("", |(_, after)| after);
        } else {
            break;
        }
    }
    let first: String = code
        .chars()
        .take_while(|c| c.is_alphanumeric() || *c == '_')
        .collect();
    match first.to_ascii_uppercase().as_str() {
        "SELECT" | "WITH" | "VALUES" => Ok(()),
        // Not a word: what it begins with, as written.
        _ if first.is_empty() => Err(SourceError::NotASelect(code.chars().take(12).collect())),
        _ => Err(SourceError::NotASelect(first)),
    }
}

/// Opens an existing database for reading and writing; never creates one.
pub fn open_database(path: &Path) -> Result<Connection, SourceError> {
    if !path.is_file() {
        return Err(SourceError::Missing(path.to_path_buf()));
    }
    let open = |path: &Path| -> rusqlite::Result<Connection> {
        // SQLite reads `file:prod.db` as a URI (query parameters and all): a file's name.
        let path = match path.to_str().is_some_and(|p| p.starts_with("file:")) {
            true => Path::new(".").join(path),
            false => path.to_path_buf(),
        };
        let mut conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        conn.busy_handler(Some(wait_unless_stopped))?;
        // A customers query of minutes, or a write, stops for Ctrl-C or SIGTERM, not after.
        conn.progress_handler(100_000, Some(|| crate::interrupt::requested().is_some()))?;
        conn.pragma_update(None, "mmap_size", 1i64 << 30)?;
        Ok(conn)
    };
    open(path).map_err(|source| {
        SourceError::Open {
            path: path.to_path_buf(),
            source,
        }
        .unless_locked(path)
    })
}

/// SQLite's busy handler: waits for another process's lock up to [`super::BUSY_TIMEOUT`], in
/// steps of 10 ms, and gives up at once on Ctrl-C or SIGTERM (a scheduler's stop within its
/// grace period, not after the other process's whole transaction).
fn wait_unless_stopped(attempts: i32) -> bool {
    const STEP: std::time::Duration = std::time::Duration::from_millis(10);
    if crate::interrupt::requested().is_some() {
        return false;
    }
    let waited = STEP * u32::try_from(attempts).unwrap_or(u32::MAX);
    if waited >= super::BUSY_TIMEOUT {
        return false;
    }
    std::thread::sleep(STEP);
    true
}

/// The names and declared types of the columns of `sql`'s result, as bytes: rusqlite's
/// `Statement::columns` (and `column_name`, `column_names`) panic on a name or type that is
/// not UTF-8, which SQLite keeps as it was written (an import of a Windows-1252 file).
fn raw_columns(conn: &Connection, sql: &str) -> rusqlite::Result<Vec<RawColumn>> {
    use rusqlite::ffi;
    use std::ffi::{CStr, c_char};
    let failure = |code, message: &str| {
        rusqlite::Error::SqliteFailure(ffi::Error::new(code), Some(message.to_owned()))
    };
    let len = std::ffi::c_int::try_from(sql.len())
        .map_err(|_| failure(ffi::SQLITE_TOOBIG, "the query is too long"))?;
    // An owned copy of a C string SQLite returns (NULL: none).
    // SAFETY: SQLite's strings are NUL-terminated and live until the statement is finalized.
    let bytes =
        |p: *const c_char| (!p.is_null()).then(|| unsafe { CStr::from_ptr(p) }.to_bytes().to_vec());
    let mut stmt = std::ptr::null_mut();
    // SAFETY: `conn` is open and, borrowed here, used by no one else (a `Connection` is not
    // `Sync`); the statement is prepared on it from `sql`'s `len` bytes, read only for its
    // columns' names and declared types (copied before anything else is done with it), and
    // finalized before the function returns.
    unsafe {
        let db = conn.handle();
        let rc = ffi::sqlite3_prepare_v2(
            db,
            sql.as_ptr().cast(),
            len,
            &mut stmt,
            std::ptr::null_mut(),
        );
        if rc != ffi::SQLITE_OK {
            let message = bytes(ffi::sqlite3_errmsg(db)).unwrap_or_default();
            return Err(failure(rc, &String::from_utf8_lossy(&message)));
        }
        let columns = (0..ffi::sqlite3_column_count(stmt))
            .map(|i| RawColumn {
                name: bytes(ffi::sqlite3_column_name(stmt, i)).unwrap_or_default(),
                declared: bytes(ffi::sqlite3_column_decltype(stmt, i)),
            })
            .collect();
        ffi::sqlite3_finalize(stmt);
        Ok(columns)
    }
}

/// A stored value as a cell, or the bytes of text that is not UTF-8: never read with a
/// replacement character, which would make two customers one (`M\xFC` and `M\xE4`) and
/// store an id that no longer matches the source's. Checking costs what reading it as text
/// costs: a pass over the bytes, no copy.
fn cell(value: ValueRef<'_>) -> Result<Cell<'_>, &[u8]> {
    Ok(match value {
        ValueRef::Null => Cell::Null,
        ValueRef::Integer(i) => Cell::Int(i),
        ValueRef::Real(f) => Cell::Real(f),
        ValueRef::Text(bytes) => match std::str::from_utf8(bytes) {
            Ok(text) => Cell::Text(std::borrow::Cow::Borrowed(text)),
            Err(_) => return Err(bytes),
        },
        ValueRef::Blob(_) => Cell::Blob,
    })
}

impl SqliteSource {
    /// Why the source cannot be read, as precisely as SQLite says.
    /// A damaged database is left as it is: closing the connection would checkpoint its
    /// `-wal` into it (a stale one, of the file a new copy replaced, ruins the new copy) and
    /// delete the `-wal` the message points to.
    fn keep_wal_if_damaged(&self, error: &rusqlite::Error) {
        if error.sqlite_error_code() == Some(rusqlite::ErrorCode::DatabaseCorrupt) {
            let keep = rusqlite::config::DbConfig::SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE;
            let _ = self.conn.set_db_config(keep, true);
        }
    }

    fn unreadable(&self, source: rusqlite::Error) -> SourceError {
        self.keep_wal_if_damaged(&source);
        if source.sqlite_error_code() == Some(rusqlite::ErrorCode::NotADatabase) {
            return SourceError::NotADatabase(self.path.clone());
        }
        if let Source::Table(table) = &self.source
            && source.to_string().starts_with("no such table")
        {
            let tables: Vec<String> = self
                .conn
                .prepare(
                    "SELECT name FROM sqlite_master WHERE type IN ('table', 'view') ORDER BY name",
                )
                .and_then(|mut s| s.query_map([], |r| r.get(0))?.collect())
                .unwrap_or_default();
            return SourceError::NoTable {
                table: table.clone(),
                path: self.path.clone(),
                tables: match tables.is_empty() {
                    true => "it has no tables".into(),
                    false => format!("its tables: {}", tables.join(", ")),
                },
            };
        }
        SourceError::Unreadable {
            what: self.describe(),
            cause: source,
        }
        .unless_locked(&self.path)
    }
}

impl CustomerSource for SqliteSource {
    fn describe(&self) -> String {
        self.source.describe()
    }

    fn columns(&self) -> Result<Vec<Field>, SourceError> {
        if let Source::Query(query) = &self.source {
            check_select(query)?;
        }
        let sql = format!("{} LIMIT 0", self.sql());
        let stmt = (self.conn.prepare(&sql)).map_err(|source| self.unreadable(source))?;
        self.unknown_parameter(&stmt)?;
        self.fields(&sql)
    }

    fn read(
        &self,
        id_column: &str,
        load: Option<&[&str]>,
        progress: &mut dyn FnMut(usize),
    ) -> Result<Dataset, SourceError> {
        self.read_with(id_column, load, Reading::Strict, progress)
    }

    fn read_leaving_out(
        &self,
        id_column: &str,
        load: Option<&[&str]>,
        progress: &mut dyn FnMut(usize),
    ) -> Result<Dataset, SourceError> {
        self.read_with(id_column, load, Reading::LeavingOut, progress)
    }

    fn read_as_stored(&self, id_column: &str) -> Result<Dataset, SourceError> {
        self.read_with(id_column, None, Reading::AsStored, &mut |_| {})
    }

    fn watch_changes(&self) -> Box<dyn ChangeWatch> {
        Box::new(super::data_watch::DataWatch::new(&self.path))
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_customers_query_may_open_with_comments_of_either_kind() {
        use super::check_select;
        for ok in [
            "/* customers of both units */ SELECT * FROM c",
            "-- note\n  /* a */ /* b */\n(WITH x AS (SELECT 1) SELECT * FROM x)",
            "select 1",
        ] {
            assert!(check_select(ok).is_ok(), "{ok}");
        }
        let refused = |q: &str| match check_select(q) {
            Err(crate::source::SourceError::NotASelect(first)) => first,
            other => panic!("{q}: {other:?}"),
        };
        assert_eq!(refused("/* x */ DELETE FROM secrets"), "DELETE");
        assert_eq!(refused("-- all\n* FROM c"), "* FROM c");
        assert_eq!(refused("/* never closed SELECT"), "");
    }

    use super::*;
    use crate::source::Column;

    fn source(sql: &str) -> (tempfile::TempDir, SqliteSource) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.db");
        Connection::open(&path).unwrap().execute_batch(sql).unwrap();
        let source = SqliteSource::open(&path, &Source::Table("t".into())).unwrap();
        (dir, source)
    }

    fn dataset(sql: &str) -> Dataset {
        source(sql).1.read("id", None, &mut |_| {}).unwrap()
    }

    #[test]
    fn types_columns_from_values_and_keeps_nulls() {
        let d = dataset(
            "CREATE TABLE t (id TEXT, n INTEGER, x REAL, s TEXT, m);
             INSERT INTO t VALUES ('a', 1, 1.5, 'KA', 1), ('b', NULL, NULL, NULL, 'x'),
                                  ('c', 3, 2, 'KA', 2.5);",
        );
        assert_eq!(d.len, 3);
        assert!(matches!(d.columns[1], Column::Int { .. }));
        assert!(matches!(d.columns[2], Column::Float { .. }));
        assert!(matches!(d.columns[3], Column::Text { .. }));
        assert!(matches!(d.columns[4], Column::Mixed(_)));
        assert!(d.columns[1].value(1).is_null());
        assert_eq!(d.columns[2].value(2).as_f64(), Some(2.0));
        assert_eq!(d.columns[3].value(2).as_str(), Some("KA"));
        assert_eq!(d.columns[3].value(1).as_str(), None);
        assert_eq!(d.columns[4].value(1).as_str(), Some("x"));
        assert_eq!(d.id_text(1), "b");
    }

    /// A decimal among whole numbers (a merged export) made every whole number decimal:
    /// `1001` read as `1001.0` in keys and texts, and digits beyond 2^53 lost. Each keeps its
    /// kind, whichever comes first, and the column still holds numbers.
    #[test]
    fn a_decimal_among_whole_numbers_keeps_each_as_it_is() {
        let d = dataset(
            "CREATE TABLE t (id, n, m); INSERT INTO t VALUES (1, 9007199254740993, 2.5), (2, NULL, NULL), (3, 2.5, 7);",
        );
        for column in [&d.columns[1], &d.columns[2]] {
            assert_eq!(column.kind(), Some(crate::value::ValueKind::Number));
            assert!(column.value(1).is_null());
        }
        assert!(matches!(
            d.columns[1].value(0),
            crate::value::Value::Int(9007199254740993)
        ));
        assert!(matches!(d.columns[1].value(2), crate::value::Value::Float(x) if x == 2.5));
        assert!(matches!(d.columns[2].value(2), crate::value::Value::Int(7)));
        assert_eq!(d.id_text(0), "1");
    }

    #[test]
    fn only_the_columns_asked_for_are_read() {
        let (_dir, s) = source("CREATE TABLE t (id, a, b); INSERT INTO t VALUES (1, 2, 3);");
        let d = s.read("id", Some(&["b"]), &mut |_| {}).unwrap();
        assert!(d.columns[1].value(0).is_null());
        assert_eq!(d.columns[2].value(0).as_f64(), Some(3.0));
    }

    #[test]
    fn null_id_is_an_error() {
        let (_dir, s) = source("CREATE TABLE t (id, n); INSERT INTO t VALUES ('a', 1), (NULL, 2);");
        let err = s.read("id", None, &mut |_| {}).unwrap_err();
        assert!(err.to_string().contains("customer number 2"), "{err}");
    }

    /// An id of empty text or blanks was a customer: written to a CSV as an empty field
    /// (NULL to a loader), and `" "` another customer beside `""`.
    #[test]
    fn an_id_of_blanks_is_an_error() {
        for blank in ["''", "'   '"] {
            let (_dir, s) = source(&format!(
                "CREATE TABLE t (id, n); INSERT INTO t VALUES ('a', 1), ({blank}, 2);"
            ));
            let err = s.read("id", None, &mut |_| {}).unwrap_err().to_string();
            assert!(
                err.contains("customer number 2 (in source order) has no id: column `id` holds")
                    && err.contains("WHERE TRIM(id) <> ''"),
                "{err}"
            );
        }
    }

    #[test]
    fn a_column_name_or_type_that_is_not_utf8_is_an_error_naming_it() {
        let schema = |from: &str, to: &str| {
            format!(
                "PRAGMA writable_schema = ON;
                 UPDATE sqlite_schema SET sql = replace(sql, '{from}', {to}) WHERE name = 't';
                 PRAGMA writable_schema = OFF;"
            )
        };
        let (_dir, s) = source(&format!(
            "CREATE TABLE t (id, \"a_x\" REAL); {}",
            schema("a_x", "'a_' || CAST(X'E4' AS TEXT)")
        ));
        let err = s.columns().unwrap_err().to_string();
        assert!(
            err.contains("whose name is not UTF-8: `a_\\xE4` (column 2)"),
            "{err}"
        );
        let err = s.read("id", None, &mut |_| {}).unwrap_err().to_string();
        assert!(err.contains("`a_\\xE4`"), "{err}");
        let (_dir, s) = source(&format!(
            "CREATE TABLE t (id, n INTEGEX); {}",
            schema("INTEGEX", "'INTEGE' || CAST(X'D2' AS TEXT)")
        ));
        let err = s.columns().unwrap_err().to_string();
        assert!(
            err.contains("declares column `n` with a type that is not UTF-8: `INTEGE\\xD2`"),
            "{err}"
        );
        assert!(err.contains("SQLite reads the type as INTEGER"), "{err}");
    }

    #[test]
    fn a_commit_by_another_connection_is_a_change() {
        let (_dir, s) = source("CREATE TABLE t (id, n); INSERT INTO t VALUES (1, 1);");
        let watch = s.watch_changes();
        assert!(!watch.changed());
        let other = Connection::open(&s.path).unwrap();
        other.execute("UPDATE t SET n = 2", []).unwrap();
        assert!(watch.changed());
    }
}
