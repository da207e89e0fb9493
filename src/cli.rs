//! The command line: global options, then one of the [`Command`]s (each declared with its
//! own arguments in `commands/`).

use crate::commands::Command;
use clap::Parser;
use std::path::PathBuf;

#[derive(Parser, Debug)]
#[command(
    name = "tierwise",
    version,
    about = "Customer policy rules: tiers, concessions, credit terms, visits"
)]
pub struct Cli {
    /// The configuration file [default: config/tierwise.yaml, else tierwise.yaml here]
    #[arg(long, global = true)]
    pub config: Option<PathBuf>,
    /// More log output on stderr (-v info, -vv debug); RUST_LOG overrides.
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,
    /// Worker threads for evaluating customers (default: one per core); commands that
    /// evaluate none ignore it.
    #[arg(long, global = true, value_parser = clap::value_parser!(u16).range(1..=1024))]
    pub threads: Option<u16>,
    #[command(subcommand)]
    pub command: Command,
}
