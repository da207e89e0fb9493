//! Deterministic generator of tierwise's bundled sample: a B2B customer base of an FMCG
//! distributor. Most customers are small terminal shops and local supermarkets, while a few key
//! accounts and wholesalers carry the bulk of the revenue (lognormal sales with channel-dependent
//! scale, so the top 20% of customers make roughly three quarters of the sales); payment behaviour,
//! overdue debt, order frequency, tenure, margins and credit ratings are drawn per customer and
//! correlated with channel, size and each other, with a few dormant, new and unrated customers.
//!
//! With `history`, the customers also get an order history (2023-2026) whose last year is
//! the `customers` table (`history/mod.rs`).
//!
//! This module owns the file: the table, the insert loop, and the temp file that is renamed
//! into place only when complete. `generator.rs` owns the customer model (channels,
//! distributions, names), `random.rs` the distributions, `history/` the order history; the
//! tests are in `tests.rs`.

mod generator;
mod history;
mod random;
#[cfg(test)]
mod tests;

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use rusqlite::{Connection, params};

use generator::Generator;
use history::History;

/// Options for generating a sample database.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SampleSpec {
    /// Number of customer rows to generate (0 gives an empty table).
    pub customers: usize,
    /// Seed of the random generator: the same seed and count give identical data.
    pub seed: u64,
    /// Also write the order history (tables `accounts` and `orders`, 2023-2026). The
    /// `customers` table is the same either way.
    pub history: bool,
}

/// Errors from generating a sample database.
#[derive(Debug, thiserror::Error)]
pub enum SampleError {
    /// The target file already exists; the generator never overwrites anything.
    #[error("cannot create sample database {}: the file already exists", .0.display())]
    Exists(PathBuf),
    /// The target path has no file name (e.g. `/` or `..`).
    #[error("cannot create sample database {}: not a file path", .0.display())]
    InvalidPath(PathBuf),
    /// An SQLite error while writing into a caller-provided connection ([`generate_into`]).
    #[error("SQLite error while writing the sample tables")]
    Sqlite(#[from] rusqlite::Error),
    /// Creating or writing the (temporary) database file failed.
    #[error("failed to write sample database {}", path.display())]
    Write {
        /// The requested target path.
        path: PathBuf,
        /// The underlying SQLite error.
        #[source]
        source: rusqlite::Error,
    },
    /// Moving the finished temporary file into place failed.
    #[error("failed to move the generated sample database into place at {}", path.display())]
    Rename {
        /// The requested target path.
        path: PathBuf,
        /// The underlying I/O error.
        #[source]
        source: std::io::Error,
    },
}

/// Rows between two calls of the progress callback.
const PROGRESS_EVERY: usize = 10_000;

/// Creates `path` (must not exist: error `Exists` otherwise) with a table `customers`, filled with
/// `spec.customers` rows, in one transaction; writes to a temp file beside `path` and renames it
/// into place on success so a failed/interrupted generation never leaves a half-written file.
/// Calls `progress(done_rows)` every ~10,000 rows (may be a no-op closure).
pub fn generate(
    path: &Path,
    spec: &SampleSpec,
    progress: &mut dyn FnMut(usize),
) -> Result<(), SampleError> {
    // `symlink_metadata` also sees dangling symlinks, which `rename` would silently replace.
    if fs::symlink_metadata(path).is_ok() {
        return Err(SampleError::Exists(path.to_path_buf()));
    }
    let Some(file_name) = path.file_name() else {
        return Err(SampleError::InvalidPath(path.to_path_buf()));
    };
    // Unique per process and call, so parallel generations never share a temp file.
    static CALLS: AtomicU64 = AtomicU64::new(0);
    let tmp = path.with_file_name(format!(
        ".{}.tmp-{}-{}",
        file_name.to_string_lossy(),
        std::process::id(),
        CALLS.fetch_add(1, Ordering::Relaxed)
    ));

    // Removes the temp file on every early exit, including a panic in `progress`.
    let guard = TempFileGuard(Some(tmp.clone()));
    write_file(&tmp, path, spec, progress)?;
    // Into place without clobbering what another process put there meanwhile (it may
    // already be writing into it): a hard link fails if the target exists, where a rename
    // would replace it. Where links are not supported, check, then rename.
    match fs::hard_link(&tmp, path) {
        Ok(()) => return Ok(()), // the guard removes the temporary name
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            return Err(SampleError::Exists(path.to_path_buf()));
        }
        Err(_) => {}
    }
    if fs::symlink_metadata(path).is_ok() {
        return Err(SampleError::Exists(path.to_path_buf()));
    }
    fs::rename(&tmp, path).map_err(|source| SampleError::Rename {
        path: path.to_path_buf(),
        source,
    })?;
    guard.disarm();
    Ok(())
}

/// Deletes the temporary database (and a stray rollback journal) when dropped while armed.
struct TempFileGuard(Option<PathBuf>);

impl TempFileGuard {
    /// Keeps the file: it has been renamed into place.
    fn disarm(mut self) {
        self.0 = None;
    }
}

impl Drop for TempFileGuard {
    fn drop(&mut self) {
        if let Some(tmp) = self.0.take() {
            // Best effort: the file may never have been created.
            let _ = fs::remove_file(&tmp);
            let mut journal = tmp.into_os_string();
            journal.push("-journal");
            let _ = fs::remove_file(journal);
        }
    }
}

/// Creates the database at `tmp` and fills it; errors name the requested `target`.
fn write_file(
    tmp: &Path,
    target: &Path,
    spec: &SampleSpec,
    progress: &mut dyn FnMut(usize),
) -> Result<(), SampleError> {
    let write_err = |source| SampleError::Write {
        path: target.to_path_buf(),
        source,
    };
    let conn = Connection::open(tmp).map_err(write_err)?;
    // A generated file needs no crash safety: we delete it on failure anyway.
    conn.execute_batch("PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF;")
        .map_err(write_err)?;
    generate_into(&conn, spec, progress).map_err(|e| match e {
        SampleError::Sqlite(source) => write_err(source),
        other => other,
    })?;
    conn.close().map_err(|(_, source)| write_err(source))
}

/// Creates the table `customers` in `conn` (it must not exist yet) and fills it with
/// `spec.customers` rows in one transaction; with `spec.history`, also the tables `accounts`
/// and `orders`. Calls `progress(done_customers)` every ~10,000 customers.
pub fn generate_into(
    conn: &Connection,
    spec: &SampleSpec,
    progress: &mut dyn FnMut(usize),
) -> Result<(), SampleError> {
    let tx = conn.unchecked_transaction()?;
    tx.execute_batch(
        "CREATE TABLE customers (
            customer_id TEXT PRIMARY KEY,
            name TEXT,
            channel TEXT,
            region TEXT,
            annual_sales REAL,
            orders_last_12m INTEGER,
            orders_prev_12m INTEGER,
            gross_margin_pct REAL,
            avg_unit_price REAL,
            on_time_payment_rate REAL,
            overdue_days INTEGER,
            overdue_amount REAL,
            quality_claims INTEGER,
            years_active INTEGER,
            repeat_purchase_rate REAL,
            credit_score INTEGER,
            industry_influence INTEGER
        );",
    )?;
    {
        let mut stmt = tx.prepare_cached(
            "INSERT INTO customers VALUES
             (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17)",
        )?;
        // Pad every id to the same width so text order equals numeric order (and insertion
        // order equals primary-key order) even beyond 999,999 customers.
        let width = spec.customers.to_string().len().max(6);
        let mut generator = Generator::new(spec.seed);
        let mut history = if spec.history {
            Some(History::new(&tx, spec.seed)?)
        } else {
            None
        };
        let mut id = String::new();
        let mut name = String::new();
        for i in 1..=spec.customers {
            id.clear();
            id.push_str("C-");
            push_padded(&mut id, i, width);
            let r = generator.row(&mut name);
            stmt.execute(params![
                id,
                name,
                r.channel,
                r.region,
                r.annual_sales,
                r.orders_last_12m,
                r.orders_prev_12m,
                r.gross_margin_pct,
                r.avg_unit_price,
                r.on_time_payment_rate,
                r.overdue_days,
                r.overdue_amount,
                r.quality_claims,
                r.years_active,
                r.repeat_purchase_rate,
                r.credit_score,
                r.industry_influence,
            ])?;
            if let Some(history) = history.as_mut() {
                history.customer(i, &id, &r)?;
            }
            if i.is_multiple_of(PROGRESS_EVERY) {
                progress(i);
            }
        }
        if let Some(history) = history {
            history.finish(&tx)?;
        }
        if !spec.customers.is_multiple_of(PROGRESS_EVERY) {
            progress(spec.customers);
        }
    }
    tx.commit()?;
    Ok(())
}

/// Appends `n` zero-padded to `width` digits without allocating.
fn push_padded(out: &mut String, n: usize, width: usize) {
    let mut digits = [0u8; 20];
    let mut len = 0;
    let mut rest = n;
    loop {
        digits[len] = b'0' + (rest % 10) as u8;
        len += 1;
        rest /= 10;
        if rest == 0 {
            break;
        }
    }
    for _ in len..width {
        out.push('0');
    }
    for &d in digits[..len].iter().rev() {
        out.push(char::from(d));
    }
}
