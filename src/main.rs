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

#[derive(Subcommand)]
enum Command {
    /// Evaluate every customer and write their policies as one run.
    Run {
        /// Customer database (default: the config's `database`).
        #[arg(long)]
        db: Option<PathBuf>,
        /// Rules directory (default: the config's `rules`).
        #[arg(long)]
        rules: Option<PathBuf>,
        /// Also write the policies to a .csv or .jsonl file.
        #[arg(long)]
        out: Option<PathBuf>,
        /// Summary format on stdout.
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
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            match &e {
                // Diagnostics carry their own "error:" lines.
                tierwise::Error::Rules(d) => eprintln!("{d}"),
                other => eprintln!("error: {other}"),
            }
            ExitCode::from(e.exit_code())
        }
    }
}

fn dispatch(cli: Cli) -> Result<(), tierwise::Error> {
    match cli.command {
        Command::Run {
            db,
            rules,
            out,
            format,
        } => {
            let config = Config::load(&cli.config)?;
            let opts = commands::run::RunOptions {
                database: db,
                rules,
                out,
            };
            let report = commands::run::run(&config, &opts)?;
            print(|w| report.print(format, w));
            Ok(())
        }
        Command::Sample {
            customers,
            out,
            seed,
            force,
        } => commands::sample::sample(&out, customers, seed, force),
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
        .with_target(false)
        .init();
}
