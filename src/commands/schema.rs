//! `tierwise schema`: print the JSON Schema of the rule files.

use super::Globals;
use crate::error::{Error, ExitStatus};

/// Print the JSON Schema of the rule files (committed as schema/rules.schema.json).
#[derive(clap::Args, Debug)]
pub struct Args {}

pub fn run(_args: Args, _globals: &Globals) -> Result<ExitStatus, Error> {
    crate::report::stdout(|w| w.write_all(crate::rules::schema::schema_json().as_bytes()));
    Ok(ExitStatus::Success)
}
