//! `config/tierwise.yaml`: where the customers are, where the rules are, where results go.
//! Relative paths in the file resolve against the file's own directory.

use crate::script::Limits;
use crate::time::PeriodKind;
use serde::Deserialize;
use std::path::{Component, Path, PathBuf};

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error(
        "cannot read the config file {path}: {source}\n  = help: {}",
        read_help(source, path)
    )]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    /// A YAML mistake, with its position and source line.
    #[error("{0}")]
    Parse(Box<crate::diag::Diagnostic>),
    #[error("{path}: {message}")]
    Invalid { path: PathBuf, message: String },
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ConfigFile {
    database: PathBuf,
    #[serde(default)]
    customers: SourceSpec,
    #[serde(default = "default_rules_dir")]
    rules: PathBuf,
    #[serde(default)]
    output: OutputTables,
    #[serde(default)]
    limits: Limits,
    #[serde(default)]
    sample: Option<SampleConfig>,
    #[serde(default)]
    period: PeriodKind,
    #[serde(default)]
    currency: Option<String>,
    #[serde(default)]
    timezone: Option<String>,
}

fn default_rules_dir() -> PathBuf {
    PathBuf::from("rules")
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SourceSpec {
    #[serde(default)]
    table: Option<String>,
    #[serde(default)]
    query: Option<String>,
    /// The query in a file of its own (relative to the config file).
    #[serde(default)]
    query_file: Option<PathBuf>,
    #[serde(default = "default_id_column")]
    id_column: String,
    /// Columns that hold dates though their declared type does not say so (a query's).
    #[serde(default)]
    dates: Vec<String>,
    /// Columns that hold true/false as 1/0 though their declared type does not say so (a
    /// query's).
    #[serde(default)]
    booleans: Vec<String>,
}

impl Default for SourceSpec {
    fn default() -> Self {
        SourceSpec {
            table: None,
            query: None,
            query_file: None,
            id_column: default_id_column(),
            dates: Vec::new(),
            booleans: Vec::new(),
        }
    }
}

fn default_id_column() -> String {
    "customer_id".into()
}

/// Where the customers come from: every column is a field the rules can use.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    Table(String),
    Query(String),
}

impl Source {
    /// The table's name or the query's text, as the run record keeps it.
    pub fn text(&self) -> &str {
        match self {
            Source::Table(text) | Source::Query(text) => text,
        }
    }

    /// What the source is, for messages: "table `customers`", "the customers query".
    pub fn describe(&self) -> String {
        match self {
            Source::Table(table) => format!("table `{table}`"),
            Source::Query(_) => "the customers query".into(),
        }
    }

    /// Whether it selects its customers by the run's date (a query with `:as_of`).
    pub fn reads_as_of(&self) -> bool {
        matches!(self, Source::Query(q) if [":as_of", ":period_start", ":period_end"].iter().any(|p| q.contains(p)))
    }
}

/// Names of the tables a run writes.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default, from = "OutputSpec")]
pub struct OutputTables {
    pub policy_table: String,
    pub run_table: String,
    /// The customers a `run --keep-going` could not evaluate, per run.
    pub error_table: String,
    /// Where this run table's runs recorded them before the error table followed a run
    /// table of another name (`policy_error`): read until the first run moves them over.
    pub error_table_before: Option<String>,
}

impl Default for OutputTables {
    fn default() -> Self {
        OutputTables {
            policy_table: "customer_policy".into(),
            run_table: "policy_run".into(),
            error_table: "policy_error".into(),
            error_table_before: None,
        }
    }
}

impl OutputTables {
    /// Two tables tierwise writes under one name (`policy_table: policy_run`, or the
    /// default error table's name), or a name SQLite keeps for itself: a run that wrote into
    /// its own run table altered it, and one that made `policy_error` a policy table broke
    /// every later run. SQLite compares table names without case.
    fn clash(&self) -> Option<String> {
        let p = &self.policy_table;
        let tables = [
            ("output.policy_table", p.clone(), "the policies' table"),
            (
                "output.run_table",
                self.run_table.clone(),
                "the runs' table",
            ),
            (
                "output.error_table",
                self.error_table.clone(),
                "the left-out customers' table",
            ),
            (
                "output.policy_table",
                format!("{p}_fired"),
                "the fired rules' table",
            ),
            (
                "output.policy_table",
                format!("{p}_latest"),
                "a view of the policies",
            ),
            (
                "output.policy_table",
                format!("{p}_by_period"),
                "a view of the policies",
            ),
        ];
        for (k, (key, name, holds)) in tables.iter().enumerate().take(3) {
            if name.to_ascii_lowercase().starts_with("sqlite_") {
                return Some(format!(
                    "{key}: `{name}` starts with `sqlite_`, which SQLite keeps for its own tables"
                ));
            }
            for (other_key, other, other_holds) in &tables[k + 1..] {
                if name.eq_ignore_ascii_case(other) {
                    return Some(format!(
                        "{key}: `{name}` is also the name of {other_holds} ({other_key}{}): {holds} and {other_holds} each need a name of their own",
                        match other == name {
                            true => String::new(),
                            false =>
                                format!(", `{other}`: SQLite compares table names without case"),
                        }
                    ));
                }
            }
        }
        None
    }
}

/// `output:` as written: the error table follows a run table of another name, so two
/// configurations sharing a database (one per company) keep their left-out customers apart
/// (run ids are counted per run table: both have a run 1).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
struct OutputSpec {
    policy_table: Option<String>,
    run_table: Option<String>,
    error_table: Option<String>,
}

impl From<OutputSpec> for OutputTables {
    fn from(spec: OutputSpec) -> Self {
        let default = OutputTables::default();
        let (error_table, error_table_before) = match (&spec.run_table, spec.error_table) {
            (_, Some(error)) => (error, None),
            (Some(run), None) if *run != default.run_table => {
                (format!("{run}_error"), Some(default.error_table))
            }
            _ => (default.error_table, None),
        };
        OutputTables {
            policy_table: spec.policy_table.unwrap_or(default.policy_table),
            run_table: spec.run_table.unwrap_or(default.run_table),
            error_table,
            error_table_before,
        }
    }
}

/// Generate the database as a sample when it does not exist yet (the bundled default).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SampleConfig {
    pub customers: usize,
    #[serde(default = "default_seed")]
    pub seed: u64,
    /// Also generate an order history (tables `accounts` and `orders`, 2023 to 2026).
    #[serde(default)]
    pub history: bool,
}

fn default_seed() -> u64 {
    42
}

/// The loaded configuration, with every path resolved.
#[derive(Debug, Clone)]
pub struct Config {
    pub path: PathBuf,
    pub database: PathBuf,
    pub source: Source,
    /// The file the customers query was read from (`customers.query_file`).
    pub query_file: Option<PathBuf>,
    pub id_column: String,
    pub rules_dir: PathBuf,
    pub tables: OutputTables,
    pub limits: Limits,
    /// Set when a missing `database` may be generated as sample data.
    pub sample: Option<SampleConfig>,
    /// How long a period is: every run belongs to the period of its `as_of` date.
    pub period: PeriodKind,
    /// Columns of the customer source read as dates besides those declared DATE/DATETIME.
    pub date_columns: Vec<String>,
    /// Columns of the customer source read as true/false (1/0) besides those declared
    /// BOOLEAN.
    pub boolean_columns: Vec<String>,
    /// How money totals are labelled (`EUR`, `$`), when the config says.
    pub currency: Option<String>,
    /// The time zone whose date is today (a run without `--as-of`), when the config says
    /// (`Europe/Berlin`); else UTC.
    pub timezone: Option<crate::time::Zone>,
}

/// Where the config is read from without `--config`.
pub const DEFAULT_PATH: &str = "config/tierwise.yaml";

/// The config to read: `given` (`--config`), else [`DEFAULT_PATH`], else `tierwise.yaml` in
/// the working directory when only that one is there (a project of one folder).
pub fn path_or_default(given: Option<PathBuf>) -> PathBuf {
    given.unwrap_or_else(|| {
        let here = Path::new("tierwise.yaml");
        match !Path::new(DEFAULT_PATH).exists() && here.is_file() {
            true => here.to_path_buf(),
            false => PathBuf::from(DEFAULT_PATH),
        }
    })
}

/// What to do about a config file that cannot be read: found, but in another encoding, or
/// not where tierwise looked (then the config files in the working directory and its
/// `config/`, which a newcomer named otherwise).
fn read_help(e: &std::io::Error, path: &Path) -> String {
    if e.kind() == std::io::ErrorKind::InvalidData {
        return "in Notepad: \"Save as\", Encoding \"UTF-8\"".into();
    }
    let mut found: Vec<String> = Vec::new();
    for dir in [Path::new("."), Path::new("config")] {
        let Ok(entries) = std::fs::read_dir(dir) else {
            continue;
        };
        let mut here: Vec<PathBuf> = (entries.flatten())
            .map(|entry| entry.path())
            .filter(|p| (p.extension()).is_some_and(|x| x == "yaml" || x == "yml"))
            .filter(|p| p.as_path() != path)
            .filter(|p| {
                (std::fs::read_to_string(p).ok())
                    .is_some_and(|text| text.lines().any(|l| l.starts_with("database:")))
            })
            .collect();
        here.sort();
        found.extend(here.iter().map(|p| {
            let p = p.strip_prefix(".").unwrap_or(p);
            format!("`--config {}`", p.display())
        }));
    }
    match found.is_empty() {
        true => "run tierwise from the project directory, or pass --config FILE".into(),
        false => format!(
            "a config file is here: pass {} (or run tierwise from the project directory)",
            found.join(" or ")
        ),
    }
}

impl Config {
    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        let text = crate::text::read_text(path).map_err(|source| ConfigError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        let file = crate::diag::SourceFile::new(path.to_path_buf(), text);
        let file: ConfigFile = crate::diag::yaml::parse(&file).map_err(ConfigError::Parse)?;
        let invalid = |message: String| ConfigError::Invalid {
            path: path.to_path_buf(),
            message,
        };
        let base = path.parent().unwrap_or(Path::new(""));
        let query_file = (file.customers.query_file.as_ref()).map(|f| resolve(base, f));
        let query = match (file.customers.query, &query_file) {
            (query, None) => query,
            (None, Some(query_path)) => {
                let text = crate::text::read_text(query_path).map_err(|e| {
                    invalid(format!(
                        "customers.query_file: cannot read {}: {e}",
                        query_path.display()
                    ))
                })?;
                Some(text)
            }
            (Some(_), Some(_)) => {
                return Err(invalid(
                    "customers: give either `query` or `query_file`, not both".into(),
                ));
            }
        };
        let source = match (file.customers.table, query) {
            (Some(table), None) => Source::Table(table),
            (None, Some(query)) => Source::Query(query),
            (None, None) => Source::Table("customers".into()),
            (Some(_), Some(_)) => {
                return Err(invalid(
                    "customers: give either `table` or a query, not both".into(),
                ));
            }
        };
        if let Some(problem) = file.limits.problems().into_iter().next() {
            return Err(invalid(problem));
        }
        for (key, name) in [
            ("output.policy_table", &file.output.policy_table),
            ("output.run_table", &file.output.run_table),
            ("output.error_table", &file.output.error_table),
        ] {
            if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
                return Err(invalid(format!(
                    "{key}: `{name}` is not a plain table name (letters, digits, `_`)"
                )));
            }
        }
        if let Some(problem) = file.output.clash() {
            return Err(invalid(problem));
        }
        // The id names the customer in every message: read as a date, each said "customer
        // NULL: column `customer_id` holds `C1`, which is not a date".
        let id = &file.customers.id_column;
        for (key, columns) in [
            ("dates", &file.customers.dates),
            ("booleans", &file.customers.booleans),
        ] {
            if columns.iter().any(|c| c.eq_ignore_ascii_case(id)) {
                return Err(invalid(format!(
                    "customers.{key} names `{id}`, the id column: an id is read as it is stored; take it out of `{key}`"
                )));
            }
        }
        Ok(Config {
            path: path.to_path_buf(),
            database: resolve(base, &file.database),
            source,
            query_file,
            id_column: file.customers.id_column,
            rules_dir: resolve(base, &file.rules),
            tables: file.output,
            limits: file.limits,
            sample: file.sample,
            period: file.period,
            date_columns: file.customers.dates,
            boolean_columns: file.customers.booleans,
            currency: file.currency,
            timezone: match file.timezone.as_deref() {
                Some(name) => Some(crate::time::Zone::named(name).map_err(invalid)?),
                None => None,
            },
        })
    }
}

/// `base/path`, with `.` and `dir/..` removed, so messages show `rules/tiers.yaml`
/// rather than `config/../rules/tiers.yaml`.
pub fn resolve(base: &Path, path: &Path) -> PathBuf {
    let joined = base.join(path);
    let mut out = PathBuf::new();
    for part in joined.components() {
        match part {
            Component::CurDir => {}
            Component::ParentDir => {
                if matches!(out.components().next_back(), Some(Component::Normal(_))) {
                    out.pop();
                } else {
                    out.push("..");
                }
            }
            other => out.push(other),
        }
    }
    if out.as_os_str().is_empty() {
        out.push(".");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `policy_table: policy_run` altered the run table; `policy_table: policy_error` made
    /// the error table a policy table and broke every later run: refused with the config.
    #[test]
    fn tables_tierwise_writes_need_names_of_their_own() {
        let tables = |policy: &str, run: Option<&str>| {
            OutputTables::from(OutputSpec {
                policy_table: Some(policy.into()),
                run_table: run.map(Into::into),
                error_table: None,
            })
            .clash()
        };
        assert_eq!(tables("customer_policy", None), None);
        assert_eq!(tables("bank_policy", Some("bank_run")), None);
        assert_eq!(
            tables("policy_run", None).as_deref(),
            Some(
                "output.policy_table: `policy_run` is also the name of the runs' table (output.run_table): the policies' table and the runs' table each need a name of their own"
            )
        );
        assert_eq!(
            tables("Policy_Error", None).as_deref(),
            Some(
                "output.policy_table: `Policy_Error` is also the name of the left-out customers' table (output.error_table, `policy_error`: SQLite compares table names without case): the policies' table and the left-out customers' table each need a name of their own"
            )
        );
        assert_eq!(
            tables("p", Some("p_latest")).as_deref(),
            Some(
                "output.run_table: `p_latest` is also the name of a view of the policies (output.policy_table): the runs' table and a view of the policies each need a name of their own"
            )
        );
        assert!(tables("sqlite_pol", None).unwrap().contains("SQLite keeps"));
    }

    #[test]
    fn the_id_column_is_neither_a_date_nor_a_boolean_column() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.yaml");
        for (key, expected) in [("dates", true), ("booleans", true), ("dates", false)] {
            let named = match expected {
                true => "[opened, Customer_Id]",
                false => "[opened]",
            };
            let text = format!(
                "database: x.db\ncustomers: {{ table: c, id_column: customer_id, {key}: {named} }}\n"
            );
            std::fs::write(&path, text).unwrap();
            let refused = Config::load(&path).err().map(|e| e.to_string());
            assert_eq!(
                refused.is_some_and(|m| m.ends_with(&format!(
                    "customers.{key} names `customer_id`, the id column: an id is read as it is stored; take it out of `{key}`"
                ))),
                expected,
                "{key} {named}"
            );
        }
    }

    #[test]
    fn resolves_relative_to_the_config_file() {
        assert_eq!(
            resolve(Path::new("config"), Path::new("../rules")),
            PathBuf::from("rules")
        );
        assert_eq!(
            resolve(Path::new("config"), Path::new("../data/sample.db")),
            PathBuf::from("data/sample.db")
        );
        assert_eq!(
            resolve(Path::new(""), Path::new("../x")),
            PathBuf::from("../x")
        );
        assert_eq!(
            resolve(Path::new("config"), Path::new("/abs/db")),
            PathBuf::from("/abs/db")
        );
    }
}
