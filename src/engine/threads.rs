//! The threads that evaluate rules.

/// Sets up the evaluation thread pool: `threads` workers (default: one per core).
pub fn init(threads: Option<usize>) -> Result<(), rayon::ThreadPoolBuildError> {
    let Some(n) = threads else {
        return Ok(());
    };
    rayon::ThreadPoolBuilder::new()
        .num_threads(n)
        .build_global()
}
