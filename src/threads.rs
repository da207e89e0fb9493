//! The threads that evaluate rules, all with one known stack size.
//!
//! Rhai evaluates on the native stack, and a stack overflow aborts the whole process (no
//! error, no cleanup). So every thread that evaluates rules or compiles them gets [`STACK`],
//! and the config's limits are bounded to what it holds ([`crate::script::MAX_CALL_LEVELS`]).
//! The stack is address space reserved, not memory used: untouched pages cost nothing.

/// Stack size of every thread that compiles or evaluates rules.
pub const STACK: usize = 256 << 20;

/// Sets up the global evaluation pool: `threads` workers (default: one per core), each with
/// [`STACK`].
pub fn init(threads: Option<usize>) -> Result<(), rayon::ThreadPoolBuildError> {
    let mut builder = rayon::ThreadPoolBuilder::new().stack_size(STACK);
    if let Some(n) = threads {
        builder = builder.num_threads(n);
    }
    builder.build_global()
}

/// A pool of `n` evaluation threads, each with [`STACK`].
pub fn pool(
    n: usize,
    name: &'static str,
) -> Result<rayon::ThreadPool, rayon::ThreadPoolBuildError> {
    rayon::ThreadPoolBuilder::new()
        .num_threads(n)
        .stack_size(STACK)
        .thread_name(move |_| name.to_owned())
        .build()
}

/// Runs `f` on a new thread with [`STACK`].
pub fn spawn<T: Send + 'static>(
    name: &str,
    f: impl FnOnce() -> T + Send + 'static,
) -> std::io::Result<std::thread::JoinHandle<T>> {
    std::thread::Builder::new()
        .name(name.to_owned())
        .stack_size(STACK)
        .spawn(f)
}
