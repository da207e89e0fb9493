//! The `tierwise` command line: parses arguments and dispatches to `tierwise::commands`.

use clap::{Parser, Subcommand};
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use tierwise::commands::{self, Format};
use tierwise::config::Config;

#[derive(Parser)]
#[command(
    name = "tierwise",
    version,
    about = "Customer policy rules: tiers, concessions, credit terms, visits"
)]
struct Cli {
    /// The configuration file.
    #[arg(long, global = true, default_value = "config/tierwise.yaml")]
    config: PathBuf,
    /// More log output on stderr (-v info, -vv debug); RUST_LOG overrides.
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    verbose: u8,
    /// Worker threads for evaluation (default: one per core).
    #[arg(long, global = true)]
    threads: Option<usize>,
    #[command(subcommand)]
    command: Command,
}

/// Where the customers and the rules come from, when not the config's.
#[derive(clap::Args)]
struct Sources {
    /// Customer database (default: the config's `database`).
    #[arg(long)]
    db: Option<PathBuf>,
    /// Rules directory (default: the config's `rules`).
    #[arg(long)]
    rules: Option<PathBuf>,
}

#[derive(Subcommand)]
enum Command {
    /// Evaluate every customer and write their policies as one run.
    Run {
        #[command(flatten)]
        sources: Sources,
        /// Also write the policies to a .csv or .jsonl file.
        #[arg(long)]
        out: Option<PathBuf>,
        /// Summary format on stdout.
        #[arg(long, value_enum, default_value_t)]
        format: Format,
    },
    /// Check the rule files: every problem at once, and lint warnings for tables.
    Check {
        /// Also evaluate the rules on the customers: rows that never match, customers
        /// without a value, rules that fail.
        #[arg(long)]
        data: bool,
        #[command(flatten)]
        sources: Sources,
        /// Output format.
        #[arg(long, value_enum, default_value_t)]
        format: Format,
    },
    /// Explain why one customer gets its policy: fields, figures, every row tried.
    Explain {
        /// The customer's id.
        customer: String,
        #[command(flatten)]
        sources: Sources,
        /// Output format.
        #[arg(long, value_enum, default_value_t)]
        format: Format,
    },
    /// Run the test cases in <rules>/tests/*.yaml: pass or fail per case, row coverage.
    Test {
        /// Rules directory (default: the config's `rules`); the cases are in its `tests/`.
        #[arg(long)]
        rules: Option<PathBuf>,
        /// Only the cases whose name contains this text (upper and lower case ignored).
        #[arg(long = "case", value_name = "SUBSTRING")]
        case: Option<String>,
        /// Output format.
        #[arg(long, value_enum, default_value_t)]
        format: Format,
    },
    /// Evaluate, then on every saved rule change: reload, check, test, re-evaluate and
    /// print what changed; a broken edit keeps the last good rules.
    Watch {
        #[command(flatten)]
        sources: Sources,
        /// Also write each accepted evaluation as a run.
        #[arg(long)]
        write: bool,
        /// Quiet time after the last save before reloading, in milliseconds.
        #[arg(long, default_value_t = 100)]
        debounce_ms: u64,
    },
    /// Serve policies over HTTP (JSON), with the same hot reload as `watch`.
    ///
    /// GET /customers/{id}/policy, GET /customers/{id}/explain, POST /evaluate (a prospect's
    /// fields as a JSON object), GET /rules, GET /health.
    Serve {
        #[command(flatten)]
        sources: Sources,
        /// Address to listen on (loopback by default; port 0 picks a free port).
        #[arg(long, default_value = "127.0.0.1:8080")]
        listen: std::net::SocketAddr,
        /// Quiet time after the last save before reloading, in milliseconds.
        #[arg(long, default_value_t = 100)]
        debounce_ms: u64,
        /// How often to check the customer database for changes, in milliseconds (0: never).
        #[arg(long, default_value_t = 1000)]
        data_check_ms: u64,
    },
    /// Print the JSON Schema of the rule files (committed as schema/rules.schema.json).
    Schema,
    /// Measure where a run's time goes, against baselines measured in the same run.
    Bench {
        /// Population sizes, comma-separated.
        #[arg(long, value_delimiter = ',', default_value = "10000,100000,1000000")]
        customers: Vec<usize>,
        /// Repeats per size (the median is reported).
        #[arg(long, default_value_t = 3)]
        repeat: usize,
        /// Where the generated sample databases are kept between runs.
        #[arg(long, default_value = "target/bench-data")]
        dir: PathBuf,
        /// Rules directory (default: the config's `rules`).
        #[arg(long)]
        rules: Option<PathBuf>,
        /// Also time every expression in the interpreter (slow).
        #[arg(long)]
        interpreter: bool,
        /// Output format.
        #[arg(long, value_enum, default_value_t)]
        format: Format,
    },
    /// Generate a sample customer database.
    Sample {
        /// Number of customers.
        #[arg(long, default_value_t = 10_000)]
        customers: usize,
        /// The database file to create.
        #[arg(long)]
        out: PathBuf,
        /// Random seed: the same seed gives the same customers.
        #[arg(long, default_value_t = 42)]
        seed: u64,
        /// Replace the file if it exists.
        #[arg(long)]
        force: bool,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    init_logging(cli.verbose);
    if let Some(n) = cli.threads
        && let Err(e) = rayon::ThreadPoolBuilder::new()
            .num_threads(n)
            .build_global()
    {
        eprintln!("error: --threads {n}: {e}");
        return ExitCode::from(2);
    }
    match dispatch(cli) {
        Ok(Outcome::Done) => ExitCode::SUCCESS,
        Ok(Outcome::Exit(code)) => ExitCode::from(code),
        Err(e) => {
            match &e {
                // Diagnostics carry their own "error:" lines.
                tierwise::Error::Rules(d) => {
                    eprintln!(
                        "{}",
                        d.render(tierwise::diag::use_color(&std::io::stderr()))
                    )
                }
                tierwise::Error::Config(tierwise::config::ConfigError::Parse(d)) => {
                    eprintln!(
                        "{}",
                        d.render(tierwise::diag::use_color(&std::io::stderr()))
                    )
                }
                other => {
                    eprintln!("error: {other}");
                    // What went wrong underneath (an SQLite or I/O message), when the
                    // message above does not already say it.
                    let mut source = std::error::Error::source(other);
                    while let Some(cause) = source {
                        let text = cause.to_string();
                        // SQLite's generic "Error code 1: SQL logic error" adds nothing.
                        if !other.to_string().contains(&text) && !text.starts_with("Error code ") {
                            eprintln!("  caused by: {text}");
                        }
                        source = cause.source();
                    }
                }
            }
            ExitCode::from(e.exit_code())
        }
    }
}

/// How a command that printed its report ends.
enum Outcome {
    Done,
    /// The report is printed, but it found problems: exit with this code.
    Exit(u8),
}

fn dispatch(cli: Cli) -> Result<Outcome, tierwise::Error> {
    match cli.command {
        Command::Run {
            sources,
            out,
            format,
        } => {
            let config = Config::load(&cli.config)?;
            let opts = commands::run::RunOptions {
                database: sources.db,
                rules: sources.rules,
                out,
            };
            let report = commands::run::run(&config, &opts)?;
            print(|w| report.print(format, w));
            Ok(Outcome::Done)
        }
        Command::Sample {
            customers,
            out,
            seed,
            force,
        } => commands::sample::sample(&out, customers, seed, force).map(|()| Outcome::Done),
        Command::Check {
            data,
            sources,
            format,
        } => {
            let config = Config::load(&cli.config)?;
            let report =
                commands::check::check(&config, sources.db.as_ref(), sources.rules.as_ref(), data)?;
            let color = tierwise::diag::use_color(&std::io::stdout());
            print(|w| report.print(format, color, w));
            if report.errors() > 0 {
                Ok(Outcome::Exit(2))
            } else if report.data_failures() > 0 {
                Ok(Outcome::Exit(1))
            } else {
                Ok(Outcome::Done)
            }
        }
        Command::Test {
            rules,
            case,
            format,
        } => {
            let config = Config::load(&cli.config)?;
            let report = commands::test::run_tests(&config, rules.as_deref(), case.as_deref())?;
            print(|w| report.print(format, w));
            Ok(if report.failed() > 0 {
                Outcome::Exit(1)
            } else {
                Outcome::Done
            })
        }
        Command::Watch {
            sources,
            write,
            debounce_ms,
        } => {
            let opts = commands::watch::WatchOptions {
                config: cli.config.clone(),
                db: sources.db,
                rules: sources.rules,
                write,
                debounce: std::time::Duration::from_millis(debounce_ms),
            };
            commands::watch::watch(&opts, &mut std::io::stdout())?;
            Ok(Outcome::Done)
        }
        Command::Serve {
            sources,
            listen,
            debounce_ms,
            data_check_ms,
        } => {
            let opts = commands::serve::ServeOptions {
                sources: commands::reload::Sources {
                    config: cli.config.clone(),
                    db: sources.db,
                    rules: sources.rules,
                },
                listen,
                debounce: std::time::Duration::from_millis(debounce_ms),
                data_check: (data_check_ms > 0)
                    .then(|| std::time::Duration::from_millis(data_check_ms)),
            };
            commands::serve::serve(&opts, &mut std::io::stdout())?;
            Ok(Outcome::Done)
        }
        Command::Schema => {
            print(|w| w.write_all(commands::schema::schema_json().as_bytes()));
            Ok(Outcome::Done)
        }
        Command::Explain {
            customer,
            sources,
            format,
        } => {
            let config = Config::load(&cli.config)?;
            let explanation = commands::explain::explain(
                &config,
                sources.db.as_ref(),
                sources.rules.as_ref(),
                &customer,
            )?;
            match format {
                Format::Json => print(|w| {
                    writeln!(
                        w,
                        "{}",
                        serde_json::to_string_pretty(&explanation).unwrap_or_default()
                    )
                }),
                Format::Text => print(|w| explanation.print(w)),
            }
            Ok(Outcome::Done)
        }
        Command::Bench {
            customers,
            repeat,
            dir,
            rules,
            interpreter,
            format,
        } => {
            let rules = match rules {
                Some(dir) => dir,
                None => Config::load(&cli.config)?.rules_dir,
            };
            let opts = commands::bench::BenchOptions {
                sizes: customers,
                repeat: repeat.max(1),
                dir,
                rules,
                interpreter,
            };
            let reports = commands::bench::bench(&opts, &mut |msg| eprintln!("bench: {msg}"))?;
            match format {
                Format::Json => print(|w| {
                    writeln!(
                        w,
                        "{}",
                        serde_json::to_string_pretty(&reports).unwrap_or_default()
                    )
                }),
                Format::Text => print(|w| commands::bench::print(&reports, w)),
            }
            Ok(Outcome::Done)
        }
    }
}

/// Writes to stdout; a closed pipe (`tierwise run | head`) is not an error.
fn print(f: impl FnOnce(&mut dyn Write) -> std::io::Result<()>) {
    let stdout = std::io::stdout();
    let mut lock = stdout.lock();
    if let Err(e) = f(&mut lock).and_then(|_| lock.flush())
        && e.kind() != std::io::ErrorKind::BrokenPipe
    {
        eprintln!("error: cannot write to stdout: {e}");
    }
}

fn init_logging(verbose: u8) {
    let default = match verbose {
        0 => "warn",
        1 => "info",
        _ => "debug",
    };
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(tierwise::diag::use_color(&std::io::stderr()))
        .with_target(false)
        .init();
}
