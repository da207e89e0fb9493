//! The `tierwise` command line: parse the arguments, set up logging and the evaluation
//! threads, run the command, and exit with its status.

use clap::Parser;
use std::process::ExitCode;
use tierwise::cli::Cli;
use tierwise::commands::Globals;
use tierwise::error::{Error, ExitStatus};

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => return arguments_refused(e),
    };
    init_logging(cli.verbose);
    tierwise::interrupt::ignore_file_size_signal();
    tierwise::output::report_writer_panics_once();
    let threads = cli.threads.map(usize::from);
    if let Err(e) = tierwise::threads::init(threads) {
        let given = cli.threads.map_or("", |_| "--threads: ");
        eprintln!(
            "error: {given}cannot start the evaluation threads: {e}{}",
            memory_help(threads)
        );
        return ExitCode::from(ExitStatus::Invalid.code());
    }
    let globals = Globals {
        config: tierwise::config::path_or_default(cli.config),
    };
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
            eprintln!("error: cannot start a thread: {e}{}", memory_help(threads));
            ExitStatus::Invalid
        }
    };
    ExitCode::from(status.code())
}

/// Why a thread may not start though memory is free: each reserves its stack's address
/// space, the evaluation threads (`threads`, default one per core) and the command's own.
fn memory_help(threads: Option<usize>) -> String {
    let mb = tierwise::threads::STACK >> 20;
    let count =
        threads.unwrap_or_else(|| std::thread::available_parallelism().map_or(1, usize::from));
    let fewer = match count {
        1 => String::new(),
        _ => " or give fewer threads (`--threads 1` reserves least)".to_owned(),
    };
    format!(
        "\n  = help: each thread that evaluates rules reserves {mb} MB of address space for its stack: {count} evaluation thread{} and the command's own, {} MB with the data on top; under a virtual-memory limit (`ulimit -v`), raise the limit{fewer}",
        if count == 1 { "" } else { "s" },
        (count + 1) * mb
    )
}

/// Arguments clap refused (or `--help`, `--version`): clap says it on stderr as usual; a
/// program that asked for `--format json` also gets the error as JSON on stdout, as for
/// every other error.
fn arguments_refused(e: clap::Error) -> ExitCode {
    use clap::error::ErrorKind;
    if matches!(e.kind(), ErrorKind::DisplayHelp | ErrorKind::DisplayVersion)
        || !asks_for_json(std::env::args())
    {
        e.exit();
    }
    let _ = e.print();
    // The message is the rendering's first paragraph (before usage and tips), on one line.
    let rendered = e.render().to_string();
    let paragraph: Vec<&str> = (rendered.lines())
        .take_while(|l| !l.trim().is_empty())
        .map(str::trim)
        .collect();
    let message = paragraph.join(" ");
    let error = Error::Argument(
        message
            .strip_prefix("error: ")
            .unwrap_or(&message)
            .to_owned(),
    );
    use std::io::Write;
    let _ = writeln!(std::io::stdout().lock(), "{:#}", error.to_json());
    ExitCode::from(error.exit_status().code())
}

/// `--format json` (or `--format=json`) among the arguments, whatever else is wrong.
fn asks_for_json(args: impl Iterator<Item = String>) -> bool {
    let args: Vec<String> = args.collect();
    args.iter().any(|a| a == "--format=json")
        || args
            .windows(2)
            .any(|w| w[0] == "--format" && w[1] == "json")
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
    // notify's one warning (a watch on a folder already gone, after a `git checkout` or a
    // folder swap) is Rust's debug text of a case the watcher handles: at `-v -v` only.
    let default = match verbose {
        0 => "warn,tierwise::access=info,notify=error",
        1 => "info,notify=error",
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
