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

pub fn run(args: Args, _globals: &Globals) -> Result<ExitStatus, Error> {
    let Args {
        customers,
        out,
        seed,
        force,
        history,
    } = args;
    if force && out.exists() {
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
