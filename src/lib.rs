//! tierwise: customer policy (tiers, concessions, credit terms, visits) as rules that business
//! admins can read and edit. Customers come from SQLite; rules are YAML tables whose conditions
//! and values are Rhai expressions; a batch run writes one policy per customer.
//!
//! Modules, in the order data flows: [`config`] -> [`data`] (customers in) -> [`rules`]
//! (compiled rule set) -> [`engine`] (evaluation) -> [`data::output`] (policies out);
//! [`commands`] holds one file per CLI command.

pub mod commands;
pub mod config;
pub mod data;
pub mod diag;
pub mod engine;
pub mod error;
pub mod rules;
pub mod script;
pub mod value;

pub use error::Error;
