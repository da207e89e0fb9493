//! `tierwise explain ID`: why one customer of the database got its policy.

use super::{Globals, SourceArgs, print_warnings};
use crate::engine::{Evaluator, Mode};
use crate::error::{Error, ExitStatus};
use crate::report::Format;
use crate::source::SourceError;
use crate::workspace::Workspace;

/// Explain why one customer gets its policy: fields, figures, every row tried.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// The customer's id.
    pub customer: String,
    #[command(flatten)]
    pub sources: SourceArgs,
    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    pub format: Format,
}

pub fn run(args: Args, globals: &Globals) -> Result<ExitStatus, Error> {
    let ws = Workspace::new(&globals.config, &args.sources.into())?;
    let mut source = ws.open_source()?;
    let loaded = ws.load_rules(&source)?;
    print_warnings(&loaded.warnings);
    let rules = loaded.rules;
    // The whole population: the customer's percentiles and ranks are relative to it.
    let customers = ws.read_customers(&source, &rules, &mut |_| {})?;
    // What `run` refuses, explained would be figures `run` never gives.
    if customers.len == 0 {
        return Err(ws.no_customers());
    }
    if let Some(id) = customers.repeated_id() {
        return Err(crate::output::OutputError::DuplicateId(id).into());
    }
    let index = customers
        .find(&args.customer)
        .ok_or_else(|| SourceError::UnknownCustomer {
            id: args.customer.clone(),
            column: ws.config.id_column.clone(),
            like: customers.id_like(&args.customer),
        })?;
    let history = ws.history(source.connection(), &rules)?;
    let evaluator = Evaluator::with_history(&rules, &customers, ws.context, &history, Mode::Fast)?;
    match evaluator.explain(index) {
        Ok(explanation) => {
            crate::report::print(&explanation, args.format);
            Ok(ExitStatus::Success)
        }
        Err(failed) => {
            // What the customer holds and what the rules worked out before the error is
            // where an admin starts looking: shown before the error (which names the rule
            // and where). A program gets the error alone.
            if args.format == Format::Text {
                crate::report::print(&failed.so_far, args.format);
            }
            Err(failed.error.into())
        }
    }
}
