//! Loading a new rule set for `watch` and `serve`: it is accepted only when it loads, checks
//! and passes its tests, and then comes with the customers it reads; otherwise the refusal
//! says why, and the rules in force stay.

use super::{Overrides, Workspace};
use crate::cases::{self, TestReport};
use crate::diag::Diagnostics;
use crate::error::Error;
use crate::rules::RuleSet;
use crate::source::{CustomerSource, Dataset, Field, SourceError};
use std::path::Path;
use std::sync::Arc;

/// A rule set that loaded, checked and passed its tests, with the customers it reads.
pub struct Accepted {
    pub workspace: Workspace,
    pub rules: Arc<RuleSet>,
    pub customers: Dataset,
    /// The customer source's columns (to store given values as the source would).
    pub columns: Vec<Field>,
}

/// Why a new rule set was not accepted.
#[derive(Debug)]
pub enum Refusal {
    /// The rule files have errors.
    Rules(Diagnostics),
    /// The rules load but some of their tests fail.
    Tests(TestReport),
    /// The configuration or the customer database.
    Error(Error),
}

impl<E: Into<Error>> From<E> for Refusal {
    fn from(e: E) -> Self {
        match e.into() {
            Error::Rules(d) => Refusal::Rules(d),
            e => Refusal::Error(e),
        }
    }
}

/// Loads the config, the rules and the customers; the rules count only when they have no
/// errors and every test in `<rules>/tests/` passes.
pub fn load(config: &Path, overrides: &Overrides) -> Result<Accepted, Refusal> {
    let workspace = Workspace::new(config, overrides)?;
    let source = workspace.open_source()?;
    let columns = source.columns()?;
    let rules = workspace.load_rules(&source)?.rules;
    let tests_dir = workspace.rules_dir.join("tests");
    if tests_dir.is_dir() {
        let report = cases::run(
            &rules,
            &columns,
            &workspace.config.id_column,
            &tests_dir,
            None,
        )?;
        if report.failed() > 0 {
            return Err(Refusal::Tests(report));
        }
    }
    let customers = workspace.read_customers(&source, &rules, &mut |_| {})?;
    Ok(Accepted {
        workspace,
        rules: Arc::new(rules),
        customers,
        columns,
    })
}

/// Reads the customers again for rules already accepted (the database changed, the rules
/// did not): fails if the customer source's columns are no longer the ones the rules were
/// loaded with.
pub fn reload_data(
    config: &Path,
    overrides: &Overrides,
    rules: &Arc<RuleSet>,
) -> Result<Accepted, Refusal> {
    let workspace = Workspace::new(config, overrides)?;
    let source = workspace.open_source()?;
    let columns = source.columns()?;
    let same = columns.len() == rules.field_count
        && columns
            .iter()
            .zip(&rules.slots)
            .all(|(f, (name, _))| f.name == *name);
    if !same {
        return Err(SourceError::ColumnsChanged.into());
    }
    let customers = workspace.read_customers(&source, rules, &mut |_| {})?;
    Ok(Accepted {
        workspace,
        rules: rules.clone(),
        customers,
        columns,
    })
}
