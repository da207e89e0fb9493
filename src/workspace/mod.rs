//! What a command works on, built once from the config file and the command line: where the
//! customers are, where the rules are, and the steps every command shares (open the
//! customer source, load the rules against its columns, read the customers the rules use).
//! Commands build one `Workspace` and never repeat these steps themselves.
//!
//! [`batch`] is the batch run (`run`, `watch --write`), and [`standing`] where it stands among
//! the runs recorded before it; [`reload`] and [`watcher`] are the hot reload that `watch` and
//! `serve` share.

pub mod batch;
pub mod git;
mod history;
pub mod reload;
mod shared_tables;
pub mod standing;
pub mod watcher;

use crate::config::{Config, SampleConfig};
use crate::diag::Diagnostic;
use crate::engine::Context;
use crate::error::Error;
use crate::rules::{self, RuleSet};
use crate::source::sample::{SampleError, SampleSpec, generate};
use crate::source::{CustomerSource, Dataset, SqliteSource};
use crate::time::Date;
use std::path::{Path, PathBuf};

/// What the command line says instead of the config, when it says it.
#[derive(Debug, Clone, Default)]
pub struct Overrides {
    /// Another customer database (never replaced by sample data when missing).
    pub db: Option<PathBuf>,
    /// Another rules directory.
    pub rules: Option<PathBuf>,
    /// Evaluate as of this date instead of today (UTC).
    pub as_of: Option<Date>,
}

/// The config, with the command line's overrides applied.
#[derive(Debug, Clone)]
pub struct Workspace {
    pub config_path: PathBuf,
    pub config: Config,
    pub database: PathBuf,
    pub rules_dir: PathBuf,
    /// The date the rules evaluate as of, and its period.
    pub context: Context,
    /// Set when the database may be generated as sample data (the config's own database,
    /// and the config allows it).
    sample: Option<SampleConfig>,
}

/// A rule set and the warnings found while loading it.
pub struct Loaded {
    pub rules: RuleSet,
    pub warnings: Vec<Diagnostic>,
}

impl Workspace {
    /// Reads the config; touches neither the database nor the rules.
    pub fn new(config_path: &Path, overrides: &Overrides) -> Result<Workspace, Error> {
        let config = Config::load(config_path)?;
        // Before today is read: the config's time zone says which day it is.
        crate::time::set_zone(config.timezone.clone());
        Ok(Workspace {
            config_path: config_path.to_path_buf(),
            database: overrides
                .db
                .clone()
                .unwrap_or_else(|| config.database.clone()),
            rules_dir: overrides
                .rules
                .clone()
                .unwrap_or_else(|| config.rules_dir.clone()),
            sample: match overrides.db {
                Some(_) => None,
                None => config.sample.clone(),
            },
            context: Context::new(
                overrides.as_of.unwrap_or_else(crate::time::today),
                config.period,
            ),
            config,
        })
    }

    /// Opens the customer source. The bundled config's database is generated as sample data
    /// the first time (saying so on stderr); any other missing database is an error.
    pub fn open_source(&self) -> Result<SqliteSource, Error> {
        if !self.database.exists()
            && let Some(sample) = &self.sample
        {
            let named = (self.database.file_name())
                .is_some_and(|n| n.to_string_lossy().to_lowercase().contains("sample"));
            if !named {
                return Err(crate::source::SourceError::NotASample(self.database.clone()).into());
            }
            self.generate_sample(sample)?;
        }
        Ok(SqliteSource::open(&self.database, &self.config.source)?
            .with_dates(&self.config.date_columns)
            .with_booleans(&self.config.boolean_columns)
            .with_parameters(self.context.parameters()))
    }

    /// The error for a customer source that holds no customer as of the run's date: a run
    /// (or an explanation) on nobody is a mistake, most often a date the data does not hold.
    /// `outcome`: what the command did instead, in words.
    pub fn no_customers(&self, outcome: &'static str) -> Error {
        let source = &self.config.source;
        let mut help = match source.reads_as_of() {
            true => {
                "the customers query selects rows by the run's date (`:as_of`, `:period_start`, `:period_end`): give `--as-of` a date the data holds (a period's end, as your snapshots are dated)"
            }
            false => {
                "load the customers first, or check `customers.table` / `customers.query` in the config"
            }
        }
        .to_owned();
        // The day the latest recorded run was made as of: one the data held.
        let open = SqliteSource::open(&self.database, &self.config.source);
        let latest = open.ok().and_then(|mut source| {
            let kind = self.context.period.kind;
            let tables = &self.config.tables;
            let runs = crate::output::official_runs(source.connection(), tables, kind).ok()?;
            runs.into_iter().rev().find(|r| r.period.kind == kind)
        });
        if let Some(run) = latest.filter(|r| r.as_of != self.context.as_of && source.reads_as_of())
        {
            help.push_str(&format!(
                "; the latest recorded run is {}'s (run {}, as of {}): `--as-of {}` reads the data as of it",
                run.period.label(),
                run.run_id,
                run.as_of,
                run.as_of
            ));
        }
        crate::source::SourceError::NoCustomers {
            what: source.describe(),
            as_of: self.context.as_of.to_string(),
            outcome,
            help,
        }
        .into()
    }

    fn generate_sample(&self, sample: &SampleConfig) -> Result<(), Error> {
        let path = &self.database;
        eprintln!(
            "no database at {}: generating a sample of {} customers (seed {})",
            path.display(),
            crate::text::thousands(sample.customers as f64),
            sample.seed
        );
        if let Some(dir) = path.parent()
            && !dir.as_os_str().is_empty()
        {
            std::fs::create_dir_all(dir).map_err(|source| Error::Io {
                what: format!("cannot create {}", dir.display()),
                source,
            })?;
        }
        let spec = SampleSpec {
            customers: sample.customers,
            seed: sample.seed,
            history: sample.history,
        };
        let started = std::time::Instant::now();
        let bar = crate::progress::bar(sample.customers as u64, "generating");
        let generated = generate(path, &spec, &mut |n| bar.set_position(n as u64));
        bar.finish_and_clear();
        // Two first runs at once: the other one put the same sample (same seed) in place.
        if let Err(SampleError::Exists(_)) = generated {
            eprintln!(
                "{} was generated meanwhile by another tierwise: using it",
                path.display()
            );
            return Ok(());
        }
        generated?;
        // The run's `time:` line counts from its start: this says where the rest went.
        eprintln!(
            "generated {} in {:.2} s",
            path.display(),
            started.elapsed().as_secs_f64()
        );
        Ok(())
    }

    /// Loads the rules against the source's columns.
    pub fn load_rules(&self, source: &dyn CustomerSource) -> Result<Loaded, Error> {
        let fields = source.columns()?;
        let (rules, mut warnings) = rules::load(&self.rules_dir, &fields, &self.config.limits)?;
        warnings.extend(self.columns_named_twice(&fields, &rules));
        Ok(Loaded { rules, warnings })
    }

    /// A column the rules read that the customer source gives twice (`SELECT *,
    /// TRIM(segment) AS segment`, meant to replace it): the rules read the first, as given.
    fn columns_named_twice(
        &self,
        fields: &[crate::source::Field],
        rules: &RuleSet,
    ) -> Vec<Diagnostic> {
        let mut out = Vec::new();
        for name in rules.loaded_fields() {
            // SQLite names a second `channel` of a query `channel:1`.
            let same = |f: &str| {
                let base = match f.rsplit_once(':') {
                    Some((base, n)) if n.bytes().all(|b| b.is_ascii_digit()) => base,
                    _ => f,
                };
                base.eq_ignore_ascii_case(name)
            };
            let at: Vec<usize> = (fields.iter().enumerate())
                .filter(|(_, f)| same(&f.name))
                .map(|(k, _)| k + 1)
                .collect();
            if at.len() < 2 {
                continue;
            }
            let message = format!(
                "the customer source gives {} columns named `{name}` (columns {} of its query): the rules read the first, as it is",
                at.len(),
                at.iter()
                    .map(usize::to_string)
                    .collect::<Vec<_>>()
                    .join(" and ")
            );
            out.push(
                Diagnostic::file_error(&self.config_path, message)
                    .warning()
                    .help(format!(
                        "`SELECT *, TRIM({name}) AS {name}` adds a column, it does not replace one: list the columns the rules need instead of `*`, or give the new one its own name (`AS {name}_clean`) and use that"
                    )),
            );
        }
        out
    }

    /// Every customer of the source, with the columns the rules read. Text compared with a
    /// number, or used in arithmetic, in a column that declares no type is an error here
    /// (as it is at load time for declared columns). `keep_going` (`run --keep-going`): a
    /// customer holding a value its column does not hold is left out, not every customer.
    pub fn read_customers(
        &self,
        source: &dyn CustomerSource,
        rules: &RuleSet,
        keep_going: bool,
        progress: &mut dyn FnMut(usize),
    ) -> Result<Dataset, Error> {
        let (id, load) = (&self.config.id_column, rules.loaded_fields());
        let data = match keep_going {
            true => source.read_leaving_out(id, Some(&load), progress)?,
            false => source.read(id, Some(&load), progress)?,
        };
        // Columns that declare no type: what the data holds must fit how the rules use it.
        rules::check_seen(rules, &data)?;
        Ok(data)
    }
}
