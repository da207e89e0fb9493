//! `tierwise explain ID`: why one customer of the database got its policy.

use super::run::{database, load_rules};
use crate::Error;
use crate::config::Config;
use crate::data::{self, DataError};
use crate::engine::Evaluator;
use crate::engine::explain::Explanation;
use std::path::PathBuf;

pub fn explain(
    config: &Config,
    db: Option<&PathBuf>,
    rules_dir: Option<&PathBuf>,
    customer: &str,
) -> Result<Explanation, Error> {
    let db_path = database(config, db)?;
    let conn = data::open_database(&db_path)?;
    let rules_dir = rules_dir
        .cloned()
        .unwrap_or_else(|| config.rules_dir.clone());
    let rules = load_rules(config, &rules_dir, &conn)?;
    // The whole population: the customer's percentiles and ranks are relative to it.
    let customers = super::run::read_customers(config, &conn, &rules)?;
    let index = customers
        .find(customer)
        .ok_or_else(|| DataError::UnknownCustomer {
            id: customer.to_owned(),
            column: config.id_column.clone(),
        })?;
    let evaluator = Evaluator::new(&rules, &customers)?;
    Ok(evaluator.explain(index)?)
}
