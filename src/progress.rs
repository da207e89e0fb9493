//! Progress bars on stderr for long work (indicatif hides them when stderr is not a
//! terminal, so logs and pipes stay clean).

use indicatif::{ProgressBar, ProgressStyle};

/// A bar for `len` items of work, labelled `what`; hidden for short work.
pub fn bar(len: u64, what: &str) -> ProgressBar {
    if len < 100_000 {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(len);
    bar.set_style(
        ProgressStyle::with_template("{msg:>12} [{bar:40}] {human_pos}/{human_len} ({eta})")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    bar.set_message(what.to_owned());
    bar
}
