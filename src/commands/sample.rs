//! `tierwise sample`: generate a realistic sample customer database of any size.

use crate::Error;
use crate::data::sample::{SampleSpec, generate};
use std::path::Path;

pub fn sample(out: &Path, customers: usize, seed: u64, force: bool) -> Result<(), Error> {
    if force && out.exists() {
        std::fs::remove_file(out).map_err(|source| {
            Error::Data(crate::data::DataError::File {
                path: out.to_path_buf(),
                source,
            })
        })?;
    }
    let bar = super::run::progress_bar(customers as u64, "generating");
    generate(out, &SampleSpec { customers, seed }, &mut |n| {
        bar.set_position(n as u64)
    })?;
    bar.finish_and_clear();
    eprintln!(
        "wrote {} sample customers (seed {seed}) to {}",
        super::thousands(customers as f64),
        out.display()
    );
    Ok(())
}
