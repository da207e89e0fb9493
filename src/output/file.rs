//! The policy rows as a CSV or JSON Lines file, written beside its final path and renamed
//! into place only when the run succeeds.

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
}

impl FileFormat {
    pub fn from_path(path: &Path) -> Option<FileFormat> {
        match path.extension()?.to_str()? {
            "csv" => Some(FileFormat::Csv),
            "jsonl" | "ndjson" => Some(FileFormat::Jsonl),
            _ => None,
        }
    }
}

/// A CSV or JSONL file written next to its final path and renamed in on success.
pub(super) struct FileSink {
    format: FileFormat,
    path: PathBuf,
    tmp: PathBuf,
    out: BufWriter<std::fs::File>,
    columns: Vec<String>,
    line: String,
    persisted: bool,
}

impl FileSink {
    pub fn create(path: &Path, outputs: &[String]) -> Result<Self, OutputError> {
        let format = FileFormat::from_path(path).unwrap_or(FileFormat::Csv);
        // Renamed over, a link would become a file of its own and the file it points to (the
        // export a BI tool reads) keep last month's rows: the link's target is written.
        let path = &link_target(path);
        let name = path.file_name().unwrap_or_default().to_string_lossy();
        let tmp = path.with_file_name(format!(".{name}.tmp"));
        let file_err = |source| OutputError::File {
            path: path.to_path_buf(),
            source,
        };
        only_a_file(path).map_err(file_err)?;
        let file = std::fs::File::create(&tmp).map_err(file_err)?;
        let mut sink = FileSink {
            format,
            path: path.to_path_buf(),
            tmp,
            out: BufWriter::with_capacity(1 << 20, file),
            columns: outputs.to_vec(),
            line: String::new(),
            persisted: false,
        };
        if format == FileFormat::Csv {
            let mut header = vec!["customer_id".to_owned()];
            header.extend(outputs.iter().cloned());
            header.push("rule_ids".into());
            let header: Vec<String> = header.iter().map(|h| csv_field(h)).collect();
            writeln!(sink.out, "{}", header.join(",")).map_err(file_err)?;
        }
        Ok(sink)
    }

    pub fn row(
        &mut self,
        id: &Value<'_>,
        outputs: &[Value<'_>],
        rules_json: &str,
    ) -> Result<(), OutputError> {
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
        }
        self.line.push('\n');
        self.out
            .write_all(self.line.as_bytes())
            .map_err(|source| OutputError::File {
                path: self.path.clone(),
                source,
            })
    }

    pub fn flush(&mut self) -> Result<(), OutputError> {
        self.out.flush().map_err(|source| OutputError::File {
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
        v => v.to_string(),
    }
}
