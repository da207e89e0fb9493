//! One module per CLI command. Each takes parsed options and returns a report that can be
//! printed as text (for people) or JSON (for programs).

pub mod bench;
pub mod check;
pub mod explain;
pub mod reload;
pub mod run;
pub mod sample;
pub mod schema;
pub mod serve;
pub mod test;
pub mod watch;

use std::path::{Path, PathBuf};

/// How a command prints its result on stdout.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    #[default]
    Text,
    Json,
}

/// `1234567.891` -> `1,234,567.89`; whole numbers get no decimals.
pub fn thousands(x: f64) -> String {
    let negative = x < 0.0;
    let x = x.abs();
    let whole = x.trunc() as u128;
    let frac = x - x.trunc();
    let digits = whole.to_string();
    let mut out = String::new();
    for (k, c) in digits.chars().enumerate() {
        if k > 0 && (digits.len() - k).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    if frac > 0.0 {
        let cents = format!("{frac:.2}");
        if cents == "1.00" {
            return thousands(if negative {
                -(x.trunc() + 1.0)
            } else {
                x.trunc() + 1.0
            });
        }
        out.push_str(&cents[1..]);
    }
    if negative { format!("-{out}") } else { out }
}

/// A path for messages: relative to the working directory when it is inside it.
pub fn shown(path: &Path) -> PathBuf {
    std::env::current_dir()
        .ok()
        .and_then(|cwd| path.strip_prefix(cwd).ok().map(Path::to_path_buf))
        .unwrap_or_else(|| path.to_path_buf())
}

#[cfg(test)]
mod tests {
    use super::thousands;

    #[test]
    fn formats_thousands() {
        assert_eq!(thousands(0.0), "0");
        assert_eq!(thousands(1234567.891), "1,234,567.89");
        assert_eq!(thousands(999.999), "1,000");
        assert_eq!(thousands(-1500.0), "-1,500");
        assert_eq!(thousands(100.0), "100");
    }
}
