//! `tierwise sample`: generate a realistic sample customer database of any size.

use super::Globals;
use crate::error::{Error, ExitStatus};
use crate::report::thousands;
use crate::source::sample::{SampleSpec, generate};
use std::path::PathBuf;

/// Generate a sample customer database.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// Number of customers.
    #[arg(long, default_value_t = 10_000)]
    pub customers: usize,
    /// The database file to create.
    #[arg(long)]
    pub out: PathBuf,
    /// Random seed: the same seed gives the same customers.
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    /// Replace the file if it exists.
    #[arg(long)]
    pub force: bool,
    /// Also write an order history, 2023-01-01 to 2026-12-31 (tables `accounts` and
    /// `orders`), from which config/customers.sql computes the customers as of any
    /// date. The `customers` table is the same with or without it.
    #[arg(long)]
    pub history: bool,
}

/// Why the file at `path` is not a sample database `--force` may replace: not a database,
/// or one holding tables a sample does not write (recorded runs above all: `--force` on a
/// project's database wiped its months of runs).
fn not_a_sample(path: &std::path::Path) -> Option<String> {
    let flags = rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY;
    let listed = rusqlite::Connection::open_with_flags(path, flags).and_then(|conn| {
        let mut stmt = conn.prepare(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name",
        )?;
        stmt.query_map([], |r| r.get::<_, String>(0))?.collect::<Result<Vec<_>, _>>()
    });
    let Ok(tables) = listed else {
        return Some("is not a database".into());
    };
    let others: Vec<String> = (tables.iter())
        .filter(|t| !["customers", "accounts", "orders"].contains(&t.as_str()))
        .map(|t| format!("`{t}`"))
        .collect();
    (!others.is_empty()).then(|| {
        format!(
            "holds tables a sample does not write ({}: recorded runs, or data of your own)",
            others.join(", ")
        )
    })
}

pub fn run(args: Args, _globals: &Globals) -> Result<ExitStatus, Error> {
    let Args {
        customers,
        out,
        seed,
        force,
        history,
    } = args;
    if force && out.exists() {
        if let Some(why) = not_a_sample(&out) {
            return Err(Error::Argument(format!(
                "--force replaces a sample database only, and {} {why}: delete the file yourself if it is to go, or write the sample to another file",
                out.display()
            )));
        }
        std::fs::remove_file(&out).map_err(|source| Error::Io {
            what: format!("cannot replace {}", out.display()),
            source,
        })?;
    }
    let bar = crate::progress::bar(customers as u64, "generating");
    let spec = SampleSpec {
        customers,
        seed,
        history,
    };
    generate(&out, &spec, &mut |n| bar.set_position(n as u64))?;
    bar.finish_and_clear();
    eprintln!(
        "wrote {} sample customers{} (seed {seed}) to {}",
        thousands(customers as f64),
        if history { " with their orders" } else { "" },
        out.display()
    );
    if !history {
        eprintln!(
            "note: only the `customers` table; the bundled config's query (config/customers.sql) reads the orders too: add --history to run it with that config"
        );
    }
    Ok(ExitStatus::Success)
}
