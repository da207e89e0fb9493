//! The policy rows as a CSV, JSON Lines or Excel file, written beside its final path and
//! renamed into place only when the run succeeds.

use super::OutputError;
use crate::text::csv_field;
use crate::value::Value;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

/// Where the policy rows go besides the database.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileFormat {
    Csv,
    Jsonl,
    Xlsx,
}

impl FileFormat {
    pub fn from_path(path: &Path) -> Option<FileFormat> {
        // Any case: `POLICIES.XLSX`, as Windows users name files.
        match path.extension()?.to_str()?.to_ascii_lowercase().as_str() {
            "csv" => Some(FileFormat::Csv),
            "jsonl" | "ndjson" => Some(FileFormat::Jsonl),
            "xlsx" => Some(FileFormat::Xlsx),
            _ => None,
        }
    }
}

/// A CSV, JSONL or Excel file written next to its final path and renamed in on success.
pub(super) struct FileSink {
    format: FileFormat,
    path: PathBuf,
    tmp: PathBuf,
    out: Out,
    columns: Vec<String>,
    line: String,
    persisted: bool,
}

/// Where the rows go until the file is complete: text written as it comes, or a sheet
/// whose rows stream to a temp file and are zipped into the workbook at the end.
enum Out {
    Text(BufWriter<std::fs::File>),
    Sheet(Box<Sheet>),
}

/// The temp files beside `path` (named `.{name}.{pid}.tmp`) of runs no longer running (a
/// `kill -9` leaves its temp file): where the system tells which processes run (`/proc`),
/// and untouched for a day, since a process id means nothing in another container or on
/// another host writing to the same folder.
fn remove_stale_temps(path: &Path, name: &str) {
    const UNTOUCHED: std::time::Duration = std::time::Duration::from_secs(24 * 3600);
    let (Some(dir), true) = (path.parent(), Path::new("/proc/self").exists()) else {
        return;
    };
    let dir = if dir.as_os_str().is_empty() {
        Path::new(".")
    } else {
        dir
    };
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let prefix = format!(".{name}.");
    for entry in entries.flatten() {
        let file = entry.file_name().to_string_lossy().into_owned();
        let pid = file
            .strip_prefix(&prefix)
            .and_then(|rest| rest.strip_suffix(".tmp"));
        let Some(pid) = pid.filter(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
        else {
            continue;
        };
        let untouched = (entry.metadata().and_then(|m| m.modified()).ok())
            .and_then(|at| at.elapsed().ok())
            .is_some_and(|age| age > UNTOUCHED);
        if untouched && !Path::new("/proc").join(pid).exists() {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

impl FileSink {
    pub fn create(path: &Path, outputs: &[String]) -> Result<Self, OutputError> {
        let format = FileFormat::from_path(path).unwrap_or(FileFormat::Csv);
        // Renamed over, a link would become a file of its own and the file it points to (the
        // export a BI tool reads) keep last month's rows: the link's target is written.
        let path = &link_target(path);
        let name = path.file_name().unwrap_or_default().to_string_lossy();
        // A temp file of its own per process: two runs exporting to one path (two configs,
        // one export folder) each write theirs, and each puts its own rows in place.
        remove_stale_temps(path, &name);
        let tmp = path.with_file_name(format!(".{name}.{}.tmp", std::process::id()));
        let file_err = |source| OutputError::File {
            path: path.to_path_buf(),
            source,
        };
        only_a_file(path).map_err(file_err)?;
        let mut header = vec!["customer_id".to_owned()];
        header.extend(outputs.iter().cloned());
        header.push("rule_ids".into());
        let out = match format {
            FileFormat::Xlsx => {
                // The sheet first: when its temp directory is missing, no temp file of ours
                // is left behind (a failed `create` has no sink to remove it on drop).
                let sheet = Sheet::new(&header).map_err(file_err)?;
                // Created now, so a folder that cannot be written fails before the run.
                std::fs::File::create(&tmp).map_err(file_err)?;
                Out::Sheet(Box::new(sheet))
            }
            _ => {
                let file = std::fs::File::create(&tmp).map_err(file_err)?;
                let mut out = BufWriter::with_capacity(1 << 20, file);
                if format == FileFormat::Csv {
                    let header: Vec<String> = header.iter().map(|h| csv_field(h)).collect();
                    writeln!(out, "{}", header.join(",")).map_err(file_err)?;
                }
                Out::Text(out)
            }
        };
        Ok(FileSink {
            format,
            path: path.to_path_buf(),
            tmp,
            out,
            columns: outputs.to_vec(),
            line: String::new(),
            persisted: false,
        })
    }

    pub fn row(
        &mut self,
        id: &Value<'_>,
        outputs: &[Value<'_>],
        rules_json: &str,
    ) -> Result<(), OutputError> {
        if let Out::Sheet(sheet) = &mut self.out {
            return sheet
                .row(id, outputs, rules_json)
                .map_err(|source| OutputError::File {
                    path: self.path.clone(),
                    source,
                });
        }
        self.line.clear();
        match self.format {
            FileFormat::Csv => {
                self.line.push_str(&csv_field(&plain(id)));
                for v in outputs {
                    self.line.push(',');
                    match v {
                        // NULL is an empty field, empty text a quoted one (as PostgreSQL's
                        // `COPY ... CSV` and most readers tell them apart).
                        v if v.as_str() == Some("") => self.line.push_str("\"\""),
                        v => self.line.push_str(&csv_field(&plain(v))),
                    }
                }
                self.line.push(',');
                self.line.push_str(&csv_field(rules_json));
            }
            FileFormat::Jsonl => {
                let mut obj = serde_json::Map::new();
                obj.insert("customer_id".into(), id.to_json());
                for (name, v) in self.columns.iter().zip(outputs) {
                    obj.insert(name.clone(), v.to_json());
                }
                let rules: serde_json::Value = serde_json::from_str(rules_json).unwrap_or_default();
                obj.insert("rule_ids".into(), rules);
                self.line = serde_json::Value::Object(obj).to_string();
            }
            FileFormat::Xlsx => unreachable!("written as a sheet above"),
        }
        self.line.push('\n');
        let Out::Text(out) = &mut self.out else {
            unreachable!("a sheet returned above")
        };
        out.write_all(self.line.as_bytes())
            .map_err(|source| OutputError::File {
                path: self.path.clone(),
                source,
            })
    }

    pub fn flush(&mut self) -> Result<(), OutputError> {
        match &mut self.out {
            Out::Text(out) => out.flush(),
            Out::Sheet(sheet) => sheet.save(&self.tmp),
        }
        .map_err(|source| OutputError::File {
            path: self.path.clone(),
            source,
        })
    }

    /// Moves the finished file into place. Failing, it leaves the finished file where it
    /// was written, to be moved by hand, and says where.
    pub fn persist(&mut self) -> Result<(), (PathBuf, std::io::Error)> {
        let moved = std::fs::rename(&self.tmp, &self.path);
        self.persisted = true;
        moved.map_err(|e| (self.tmp.clone(), e))
    }

    /// The final path.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

/// What `path` names once its symbolic links are followed (itself when it is none; a link
/// to a file not there yet names that file).
/// Refuses a path that exists and is no regular file: written beside it and renamed over it,
/// a device (`/dev/full`), a pipe or a folder would be replaced by a file, which as root
/// even a device is.
pub fn only_a_file(path: &Path) -> std::io::Result<()> {
    match std::fs::metadata(path) {
        Ok(m) if !m.is_file() => Err(std::io::Error::other(
            "it exists and is not a regular file (a folder, a device or a pipe): give the path of a file",
        )),
        _ => Ok(()),
    }
}

fn link_target(path: &Path) -> PathBuf {
    let mut at = path.to_path_buf();
    // A loop of links is left to fail where the file is created.
    for _ in 0..40 {
        let Ok(target) = std::fs::read_link(&at) else {
            return at;
        };
        at = match at.parent() {
            Some(dir) if target.is_relative() => dir.join(target),
            _ => target,
        };
    }
    at
}

impl Drop for FileSink {
    fn drop(&mut self) {
        if !self.persisted {
            let _ = std::fs::remove_file(&self.tmp);
        }
    }
}

/// A value as plain text for CSV: NULL is empty, lists are JSON.
fn plain(v: &Value<'_>) -> String {
    match v {
        Value::Null => String::new(),
        // Every digit the value holds, for programs (as the table and `.jsonl` hold it):
        // the display drops a 16th and 17th digit (0.6799999999999999 read 0.68), and a
        // check of the file against the database found thousands of differences.
        Value::Float(x) if x.is_finite() && v.to_string().parse::<f64>() != Ok(*x) => {
            format!("{x}")
        }
        // Written out (123456789012345.67), as `.jsonl` has it, not `1.2345678901234567e14`:
        // a BI load of the column reads digits.
        Value::Float(x) if x.is_finite() && x.abs() < 1e21 && v.to_string().contains('e') => {
            format!("{x}")
        }
        v => v.to_string(),
    }
}

/// The most rows an Excel sheet has, the header's included.
const SHEET_ROWS: u32 = 1_048_576;

/// The largest whole number Excel keeps every digit of (15 significant digits): larger ones
/// are written as text.
const EXCEL_DIGITS: i64 = 999_999_999_999_999;

/// An Excel workbook of one sheet, `policy`: the header in bold, frozen and filtered; numbers
/// as numbers, true/false as booleans, dates as dates, text and lists (JSON) as text.
struct Sheet {
    book: rust_xlsxwriter::Workbook,
    header: Vec<String>,
    columns: u16,
    next_row: u32,
    date: rust_xlsxwriter::Format,
}

impl Sheet {
    fn new(header: &[String]) -> std::io::Result<Sheet> {
        let mut book = rust_xlsxwriter::Workbook::new();
        let bold = rust_xlsxwriter::Format::new().set_bold();
        let columns = u16::try_from(header.len())
            .ok()
            .filter(|&n| n <= 16_384)
            .ok_or_else(|| std::io::Error::other("an Excel sheet has at most 16,384 columns"))?;
        let sheet = (book.add_worksheet_with_constant_memory())
            .and_then(|s| s.set_name("policy"))
            .map_err(xlsx_err)?;
        for (k, name) in header.iter().enumerate() {
            sheet
                .write_string_with_format(0, k as u16, name, &bold)
                .map_err(xlsx_err)?;
        }
        sheet.set_freeze_panes(1, 0).map_err(xlsx_err)?;
        Ok(Sheet {
            book,
            header: header.to_vec(),
            columns,
            next_row: 1,
            date: rust_xlsxwriter::Format::new().set_num_format("yyyy-mm-dd"),
        })
    }

    fn row(&mut self, id: &Value<'_>, outputs: &[Value<'_>], rules: &str) -> std::io::Result<()> {
        let row = self.next_row;
        if row >= SHEET_ROWS {
            return Err(std::io::Error::other(format!(
                "an Excel sheet holds {} customers under its header, and this run has more: write a .csv or .jsonl file",
                crate::text::thousands(f64::from(SHEET_ROWS - 1))
            )));
        }
        let date = self.date.clone();
        let sheet = self.book.worksheet_from_index(0).map_err(xlsx_err)?;
        let cells = std::iter::once(id).chain(outputs).enumerate();
        for (col, v) in cells {
            let col = col as u16;
            let written = match v {
                Value::Null => continue,
                Value::Bool(b) => sheet.write_boolean(row, col, *b),
                Value::Int(i) if i.unsigned_abs() <= EXCEL_DIGITS as u64 => {
                    sheet.write_number(row, col, *i as f64)
                }
                Value::Float(f) if f.is_finite() => sheet.write_number(row, col, *f),
                Value::Date(d) => {
                    let (y, m, day) = d.ymd();
                    match u16::try_from(y).ok().filter(|y| *y >= 1900).and_then(|y| {
                        rust_xlsxwriter::ExcelDateTime::from_ymd(y, m as u8, day as u8).ok()
                    }) {
                        Some(excel) => sheet.write_datetime_with_format(row, col, &excel, &date),
                        None => sheet.write_string(row, col, d.to_string()),
                    }
                }
                v => sheet.write_string(row, col, plain(v)),
            };
            written.map_err(|e| cell_err(e, id, &self.header[usize::from(col)]))?;
        }
        sheet
            .write_string(row, self.columns - 1, rules)
            .map_err(|e| cell_err(e, id, "rule_ids"))?;
        self.next_row += 1;
        Ok(())
    }

    fn save(&mut self, path: &Path) -> std::io::Result<()> {
        let last_row = self.next_row - 1;
        let sheet = self.book.worksheet_from_index(0).map_err(xlsx_err)?;
        sheet
            .autofilter(0, 0, last_row, self.columns - 1)
            .map_err(xlsx_err)?;
        self.book.save(path).map_err(xlsx_err)
    }
}

fn xlsx_err(e: rust_xlsxwriter::XlsxError) -> std::io::Error {
    match e {
        rust_xlsxwriter::XlsxError::TempFileError(dir, source) => std::io::Error::new(
            source.kind(),
            format!(
                "the Excel writer cannot make its temp files in {} ({source}): set TMPDIR to a folder it can write",
                dir.display()
            ),
        ),
        e => std::io::Error::other(e.to_string()),
    }
}

/// A value Excel cannot hold (text longer than a cell's 32,767 characters), named by its
/// customer and column.
fn cell_err(e: rust_xlsxwriter::XlsxError, id: &Value<'_>, column: &str) -> std::io::Error {
    let e = e.to_string();
    std::io::Error::other(format!(
        "customer {}, column `{column}`: {}: write a .csv or .jsonl file",
        plain(id),
        e.trim_end_matches('.')
    ))
}
