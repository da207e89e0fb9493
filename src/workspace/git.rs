//! Git, as the rules' repository is read: a revision's rules for `diff --base`, and the
//! revision a run was made from, for its record.

use std::path::Path;
use std::process::Command;

/// `git <args>` run in `dir`: its trimmed stdout, or its stderr.
pub fn git(dir: &Path, args: &[&str]) -> Result<String, String> {
    let bytes = git_bytes(dir, args)?;
    Ok(String::from_utf8_lossy(&bytes)
        .trim_end_matches('\n')
        .to_owned())
}

pub fn git_bytes(dir: &Path, args: &[&str]) -> Result<Vec<u8>, String> {
    // Its messages in English, whatever the locale: they are matched (`dubious ownership`).
    let out = Command::new("git")
        .env("LC_ALL", "C")
        .env("LANGUAGE", "C")
        .arg("-C")
        .arg(dir)
        .args(args)
        .output()
        .map_err(|e| format!("cannot run git: {e}"))?;
    if out.status.success() {
        Ok(out.stdout)
    } else {
        Err(String::from_utf8_lossy(&out.stderr).trim().to_owned())
    }
}

/// The commit the rules folder is at, and its uncommitted edits (`9f3c...` or `9f3c... with
/// uncommitted edits: rules/tiers.yaml`): what a run records so an audit can name the rules
/// it was made with. `None` outside a repository, or without git.
pub fn rules_revision(rules_dir: &Path) -> Option<String> {
    let commit = git(rules_dir, &["rev-parse", "--verify", "--quiet", "HEAD"]).ok()?;
    let status = git(
        rules_dir,
        &[
            "status",
            "--porcelain",
            "-z",
            "--untracked-files=all",
            "--",
            ".",
        ],
    )
    .unwrap_or_default();
    // `XY path` entries; a rename is followed by its old path, skipped.
    let mut edited: Vec<&str> = Vec::new();
    let mut entries = status.split('\0').filter(|e| !e.is_empty());
    while let Some(entry) = entries.next() {
        if entry.starts_with('R') || entry.starts_with('C') {
            entries.next();
        }
        if let Some(path) = entry.get(3..) {
            edited.push(path);
        }
    }
    edited.sort_unstable();
    Some(match edited.is_empty() {
        true => commit,
        false => format!("{commit} with uncommitted edits: {}", edited.join(", ")),
    })
}
