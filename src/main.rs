//! The `tierwise` command line: parse the arguments, set up logging and the evaluation
//! threads, run the command, and exit with its status.

use clap::Parser;
use std::process::ExitCode;
use tierwise::cli::Cli;
use tierwise::commands::Globals;
use tierwise::error::{Error, ExitStatus};

fn main() -> ExitCode {
    let cli = Cli::parse();
    init_logging(cli.verbose);
    if let Err(e) = tierwise::threads::init(cli.threads) {
        eprintln!("error: --threads: {e}");
        return ExitCode::from(ExitStatus::Invalid.code());
    }
    let globals = Globals { config: cli.config };
    // The command runs on a thread with the evaluation stack: rules compile and evaluate
    // on it too (explain, check, test).
    let command = cli.command;
    let json = command.json();
    let ran = tierwise::threads::spawn("tierwise", move || {
        command.run(&globals).unwrap_or_else(|e| {
            report_error(&e);
            if json {
                // A closed stdout (`| head -c0`) is no reason to panic: stderr said it.
                use std::io::Write;
                let _ = writeln!(std::io::stdout().lock(), "{:#}", e.to_json());
            }
            e.exit_status()
        })
    });
    let status = match ran.map(|thread| thread.join()) {
        Ok(Ok(status)) => status,
        Ok(Err(_)) => ExitStatus::Failure, // a panic: its message is on stderr already
        Err(e) => {
            eprintln!("error: cannot start a thread: {e}");
            ExitStatus::Invalid
        }
    };
    ExitCode::from(status.code())
}

/// The error on stderr: diagnostics as they are rendered, anything else as `error: ...`
/// with what went wrong underneath.
fn report_error(e: &Error) {
    let color = tierwise::diag::use_color(&std::io::stderr());
    if let Some(rendered) = e.rendered(color) {
        eprintln!("{rendered}");
        return;
    }
    eprintln!("error: {e}");
    for cause in e.causes() {
        eprintln!("  caused by: {cause}");
    }
}

fn init_logging(verbose: u8) {
    // `serve`'s access log (one line per request) shows without `-v`: an operator expects it.
    let default = match verbose {
        0 => "warn,tierwise::access=info",
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
