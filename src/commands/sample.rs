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
}

pub fn run(args: Args, _globals: &Globals) -> Result<ExitStatus, Error> {
    let Args {
        customers,
        out,
        seed,
        force,
    } = args;
    if force && out.exists() {
        std::fs::remove_file(&out).map_err(|source| Error::Io {
            what: format!("cannot replace {}", out.display()),
            source,
        })?;
    }
    let bar = crate::progress::bar(customers as u64, "generating");
    generate(&out, &SampleSpec { customers, seed }, &mut |n| {
        bar.set_position(n as u64)
    })?;
    bar.finish_and_clear();
    eprintln!(
        "wrote {} sample customers (seed {seed}) to {}",
        thousands(customers as f64),
        out.display()
    );
    Ok(ExitStatus::Success)
}
