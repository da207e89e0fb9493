//! Ctrl-C and SIGTERM during a batch run: the run stops between chunks and unwinds, so its
//! transaction rolls back, the `--out` temp file is removed and the run is recorded as failed,
//! instead of the process dying with a half-written hidden file beside the output.
//!
//! The first signal only sets a flag the run checks; a second one ends the process at once
//! (exit 130), for a user who does not want to wait for the current chunk.

use signal_hook::consts::{SIGINT, SIGTERM};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock};

/// One flag per signal handled, set when it arrives.
static RECEIVED: OnceLock<[(i32, &str, Arc<AtomicBool>); 2]> = OnceLock::new();

/// The exit code of a process stopped by a signal it handled (128 + SIGINT).
pub const EXIT_CODE: u8 = 130;

/// From now on SIGINT and SIGTERM ask the run to stop (see the module doc).
pub fn install() -> std::io::Result<()> {
    let received = RECEIVED.get_or_init(|| {
        [
            (SIGINT, "SIGINT", Arc::default()),
            (SIGTERM, "SIGTERM", Arc::default()),
        ]
    });
    let any = Arc::new(AtomicBool::new(false));
    for (signal, _, flag) in received {
        // Registered first, so it runs first: a signal after the first ends the process.
        signal_hook::flag::register_conditional_shutdown(*signal, EXIT_CODE.into(), any.clone())?;
        signal_hook::flag::register(*signal, any.clone())?;
        signal_hook::flag::register(*signal, flag.clone())?;
    }
    Ok(())
}

/// A file-size limit (`ulimit -f`) reached makes a write fail with an error (`File too
/// large`), which the run reports and rolls back, instead of SIGXFSZ killing the process
/// without a word, possibly after its commit (while SQLite grows the database file).
pub fn ignore_file_size_signal() {
    // SAFETY: setting a signal's disposition to "ignore" runs no code of ours in a handler.
    unsafe {
        libc::signal(libc::SIGXFSZ, libc::SIG_IGN);
    }
}

/// Whether this process runs under a file-size limit (`ulimit -f`): SQLite then reports a
/// write past it as a "disk I/O error", which says nothing of the limit.
pub fn file_size_limited() -> bool {
    let mut limit = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit writes the limit into the struct given, nothing else.
    let read = unsafe { libc::getrlimit(libc::RLIMIT_FSIZE, &mut limit) };
    read == 0 && limit.rlim_cur != libc::RLIM_INFINITY
}

/// The signal that asked the run to stop (`"SIGINT"`, `"SIGTERM"`), if one did.
pub fn requested() -> Option<&'static str> {
    RECEIVED
        .get()?
        .iter()
        .find(|(_, _, flag)| flag.load(Ordering::SeqCst))
        .map(|(_, name, _)| *name)
}
