//! tierwise: customer policy (tiers, concessions, credit terms, visits) as rules that business
//! admins can read and edit. Customers come from SQLite; rules are YAML tables whose conditions
//! and values are Rhai expressions; a batch run writes one policy per customer.
//!
//! # Source map
//!
//! Modules in pipeline order; each imports only from the rows above it (`tests/layers.rs`
//! enforces this, reading the layers from the `pub mod` groups below).
//!
//! | module | owns |
//! |---|---|
//! | [`text`], [`progress`], [`threads`], [`time`], [`interrupt`] | words and numbers for people; progress bars; the evaluation threads and their stack; dates and periods; Ctrl-C during a run |
//! | [`value`] | the values rules compute with, constants, value kinds |
//! | [`diag`] | diagnostics (file:line:column, snippet, did-you-mean); YAML errors |
//! | [`script`] | the sandboxed Rhai engine and its limits |
//! | [`config`] | `config/tierwise.yaml` |
//! | [`source`] | where customers come from: `CustomerSource`, SQLite, given values, sample data |
//! | [`rules`] | rule files -> a compiled, immutable `RuleSet`; lints; the schema |
//! | [`engine`] | population figures, per-customer evaluation, explanations |
//! | [`output`] | writing a run (policy and run tables, CSV/JSONL files) and reading runs back: history, changes, prune |
//! | [`cases`] | rule test cases (`rules/tests/*.yaml`) |
//! | [`error`] | the top-level error and exit status |
//! | [`workspace`] | config + command line -> what a command works on; batch run; hot reload |
//! | [`impact`] | two rule sets on the same customers: what a change does (diff, watch, report) |
//! | [`report`] | what commands print, as text or JSON |
//! | [`commands`] | one module per command |
//! | [`cli`] | the command line's global options |

// The modules in layers, each using only the layers above it (tests/layers.rs checks).
pub mod interrupt;
pub mod progress;
pub mod text;
pub mod threads;
pub mod time;

pub mod value;

pub mod diag;

pub mod script;

pub mod config;

pub mod source;

pub mod rules;

pub mod engine;

pub mod output;

pub mod cases;

pub mod error;

pub mod workspace;

pub mod impact;

pub mod report;

pub mod commands;

pub mod cli;

pub use error::Error;
