//! Names, types and text of the customer source that are not UTF-8 (a file in another
//! encoding, Windows-1252 or Latin-1, imported as it was: SQLite keeps its bytes), and how to
//! fix them. Rust's text is UTF-8, so such a name or value is an error that shows it with its
//! odd bytes written `\xE4`, never read with a replacement character.

use super::{Affinity, Field, SourceError, quote_ident};
use crate::config::Source;
use crate::text::{escape_bytes, windows_1252};
use std::path::Path;

/// A column of a statement's result as SQLite holds it: its name and declared type as bytes.
pub(super) struct RawColumn {
    pub name: Vec<u8>,
    pub declared: Option<Vec<u8>>,
}

/// The fields of `columns`, or the first column whose name (then whose declared type) is not
/// UTF-8. `database` is the file, for the command that renames the column.
pub(super) fn fields(
    columns: Vec<RawColumn>,
    source: &Source,
    database: &Path,
) -> Result<Vec<Field>, SourceError> {
    if let Some(k) = columns
        .iter()
        .position(|c| std::str::from_utf8(&c.name).is_err())
    {
        return Err(SourceError::NameNotUtf8 {
            what: source.describe(),
            column: escape_bytes(&columns[k].name),
            position: k + 1,
            help: name_help(&columns, k, source, database),
        });
    }
    let names: Vec<String> = (columns.iter())
        .map(|c| String::from_utf8_lossy(&c.name).into_owned())
        .collect();
    let mut fields = Vec::with_capacity(columns.len());
    for (k, column) in columns.iter().enumerate() {
        let declared = match column.declared.as_deref().map(std::str::from_utf8) {
            None => None,
            Some(Ok(declared)) => Some(declared),
            Some(Err(_)) => {
                let bytes = column.declared.as_deref().unwrap_or_default();
                return Err(SourceError::TypeNotUtf8 {
                    what: source.describe(),
                    column: names[k].clone(),
                    declared: escape_bytes(bytes),
                    help: type_help(&names, k, bytes, source),
                });
            }
        };
        fields.push(Field::new(&names[k], declared));
    }
    Ok(fields)
}

/// How to give column `k` a UTF-8 name: rename it in the database (from a shell, as the
/// bytes cannot be typed), or name every column in a customers query.
fn name_help(columns: &[RawColumn], k: usize, source: &Source, database: &Path) -> String {
    let bad = &columns[k].name;
    let meant = windows_1252(bad);
    let list: Vec<String> = (columns.iter())
        .map(|c| quote_ident(&windows_1252(&c.name)))
        .collect();
    let (table, query) = match source {
        Source::Table(table) => (
            quote_ident(table),
            format!("SELECT * FROM {}", quote_ident(table)),
        ),
        Source::Query(_) => ("<table>".to_owned(), "<the query>".to_owned()),
    };
    let rename = format!(
        "ALTER TABLE {table} RENAME COLUMN \"{}\" TO {}",
        escape_bytes(bad).replace('"', "\"\""),
        quote_ident(&meant)
    );
    let rename = match printf_sql(
        &rename,
        &[table.as_bytes(), bad, meant.as_bytes()],
        database,
    ) {
        Some(command) => format!("giving its bytes as they are (in a shell: {command})"),
        None => "giving its bytes as they are (ALTER TABLE ... RENAME COLUMN)".to_owned(),
    };
    format!(
        "the name is in another encoding (a Windows-1252 or Latin-1 file imported as it was): rename the column, {rename}, or read it under a UTF-8 name with a `customers.query` that names every column: WITH c({}) AS ({query}) SELECT * FROM c",
        list.join(", ")
    )
}

/// `printf '<sql>;' | sqlite3 <database>`: SQL that names bytes that are not UTF-8 (written
/// `\xE4`, as [`escape_bytes`] writes them), to run in a shell, which gives `sqlite3` the bytes
/// themselves. `None` when one of `names` (the names in `sql`, as bytes) has a `'`, `%` or
/// `\` of its own, or the path a `'`: they would need quoting beyond this.
pub fn printf_sql(sql: &str, names: &[&[u8]], database: &Path) -> Option<String> {
    let plain = |b: &[u8]| !b.iter().any(|c| matches!(c, b'\'' | b'%' | b'\\'));
    if !names.iter().all(|n| plain(n)) {
        return None;
    }
    let path = crate::text::shown(database).to_str()?.to_owned();
    let path = match path
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || "/._-+".contains(c))
    {
        true => path,
        false if !path.contains('\'') => format!("'{path}'"),
        false => return None,
    };
    Some(format!("printf '{sql};' | sqlite3 {path}"))
}

/// How to read column `k` without its declared type: as an expression (`+amount`), which
/// declares none and leaves every value as it is.
fn type_help(names: &[String], k: usize, declared: &[u8], source: &Source) -> String {
    let column = quote_ident(&names[k]);
    let affinity = match Affinity::of(Some(&String::from_utf8_lossy(declared))) {
        Affinity::Integer => "INTEGER",
        Affinity::Text => "TEXT",
        Affinity::Real => "REAL",
        Affinity::Numeric => "NUMERIC",
        Affinity::Blob => "BLOB (no conversion)",
    };
    let read = format!("+{column} AS {column}");
    let query = match source {
        Source::Table(table) => {
            let list: Vec<String> = (names.iter().enumerate())
                .map(|(i, n)| match i == k {
                    true => read.clone(),
                    false => quote_ident(n),
                })
                .collect();
            format!(": SELECT {} FROM {}", list.join(", "), quote_ident(table))
        }
        Source::Query(_) => format!(" (`{read}`)"),
    };
    format!(
        "SQLite reads the type as {affinity}; give the column a UTF-8 type (create the table again), or read it in a `customers.query` as an expression, which declares no type and keeps every value as it is{query}"
    )
}

/// Customer `customer`'s value of `column` is text that is not UTF-8.
pub(super) fn text_not_utf8(
    customer: String,
    column: &str,
    bytes: &[u8],
    source: &Source,
) -> SourceError {
    let (convert, column_sql) = replace(column, bytes);
    let table = match source {
        Source::Table(table) => quote_ident(table),
        Source::Query(_) => "<table>".to_owned(),
    };
    SourceError::TextNotUtf8 {
        customer,
        column: column.to_owned(),
        value: shown(bytes),
        more: 0,
        help: format!(
            "{}: import the file again converted to UTF-8 (iconv -f WINDOWS-1252 -t UTF-8), convert the values in the database byte by byte (UPDATE {table} SET {column_sql} = {convert}), or convert them in `customers.query` ({convert} AS {column_sql})",
            encoded(bytes, "text"),
        ),
    }
}

/// Customer number `row`'s id (in `column`) is text that is not UTF-8.
pub(super) fn id_not_utf8(row: usize, column: &str, bytes: &[u8], source: &Source) -> SourceError {
    let (convert, column_sql) = replace(column, bytes);
    let table = match source {
        Source::Table(table) => quote_ident(table),
        Source::Query(_) => "<table>".to_owned(),
    };
    SourceError::IdNotUtf8 {
        row,
        column: column.to_owned(),
        value: shown(bytes),
        help: format!(
            "{}: import the file again converted to UTF-8 (iconv -f WINDOWS-1252 -t UTF-8), or convert the ids in the database byte by byte, in every table that holds them (UPDATE {table} SET {column_sql} = {convert}); converted in `customers.query` instead, the policies' ids would not match the table's",
            encoded(bytes, "id"),
        ),
    }
}

/// "the text is in another encoding (...; as Windows-1252 it reads "Müller")".
fn encoded(bytes: &[u8], what: &str) -> String {
    format!(
        "the {what} is in another encoding (a Windows-1252 or Latin-1 file imported as it was; as Windows-1252 it reads \"{}\")",
        crate::text::cut(windows_1252(bytes), 60)
    )
}

/// `REPLACE("name", CAST(X'FC' AS TEXT), 'ü')` for the first byte of `bytes` that is not
/// UTF-8, and the column as SQL writes it.
fn replace(column: &str, bytes: &[u8]) -> (String, String) {
    let column = quote_ident(column);
    let byte = (bytes.utf8_chunks())
        .find_map(|c| c.invalid().first().copied())
        .unwrap_or(b'?');
    (
        format!(
            "REPLACE({column}, CAST(X'{byte:02X}' AS TEXT), '{}')",
            windows_1252(&[byte])
        ),
        column,
    )
}

/// A value for a message: its bytes, the odd ones as `\xFC`, around the first odd one when
/// it is long.
fn shown(bytes: &[u8]) -> String {
    let valid = std::str::from_utf8(bytes).map_or_else(|e| e.valid_up_to(), str::len);
    let before = String::from_utf8_lossy(&bytes[..valid]);
    let start = before.char_indices().rev().nth(29).map_or(0, |(at, _)| at);
    let text = escape_bytes(&bytes[start..]);
    let text = crate::text::cut(text, 80);
    match start {
        0 => text,
        _ => format!("...{text}"),
    }
}
