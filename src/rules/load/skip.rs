//! Files in the rules directory that are not rule files although they may end in `.yaml`:
//! hidden files, what editors leave beside a file (backups, swap and lock files), and the
//! copies file managers make (`tiers - Copy.yaml`). Loading a copy would define every name
//! twice; loading a backup would bring back old rules. The loader skips them with a note,
//! and the watcher does not reload when they change.

/// Where `path`, inside folder `dir`, leads when a symbolic link takes it outside `dir`
/// (both followed to the end: a Kubernetes ConfigMap's links into its own `..data` folder
/// stay inside). Such a file is not read: an admin trusted to edit the rules could
/// otherwise link `/etc/passwd` or `/proc/self/environ` into the folder, and every error
/// quoting its first line (shown by `serve`'s `/health` to anyone who can reach it) would
/// read out what only the service may read.
/// `dir` is given followed to the end already (`canonicalize`), once for all its files.
pub fn leads_outside(dir: &std::path::Path, path: &std::path::Path) -> Option<std::path::PathBuf> {
    let target = path.canonicalize().ok()?;
    (!target.starts_with(dir)).then_some(target)
}

/// The error for a rule or test file that leads outside its folder ([`leads_outside`]).
pub fn outside_message(target: &std::path::Path) -> String {
    format!(
        "not read: a symbolic link to `{}`, outside the rules directory; rule and test files are read from inside it only (a link could otherwise show any file the service may read in its messages)",
        target.display()
    )
}

/// Why a file named `name` is not a rule file, or `None` when it may be one.
pub fn not_a_rule_file(name: &str) -> Option<&'static str> {
    if name.starts_with("~$") {
        return Some("an Excel lock file (`~$` name), not a rule file");
    }
    if let Some(rest) = name.strip_prefix('.') {
        return Some(if rest.starts_with('_') {
            "a macOS metadata file (`._` name), not a rule file"
        } else if rest.starts_with("~lock.") {
            "a LibreOffice lock file (`.~lock.` name), not a rule file"
        } else if rest.starts_with('#') {
            "an Emacs lock file (`.#` name), not a rule file"
        } else if name.ends_with(".swp") || name.ends_with(".swo") {
            "a Vim swap file, not a rule file"
        } else {
            "a hidden file (its name starts with `.`), not a rule file"
        });
    }
    if name.ends_with('~') {
        return Some("an editor's backup (its name ends with `~`), not a rule file");
    }
    if name.len() > 1 && name.starts_with('#') && name.ends_with('#') {
        return Some("an Emacs auto-save file (`#name#`), not a rule file");
    }
    let (stem, extension) = name.rsplit_once('.').unwrap_or((name, ""));
    match extension {
        "bak" => return Some("a backup (`.bak`), not a rule file"),
        "orig" => return Some("a copy left by a merge or a patch (`.orig`), not a rule file"),
        "swp" | "swo" => return Some("a Vim swap file, not a rule file"),
        "tmp" => return Some("a temporary file left by a save (`.tmp`), not a rule file"),
        "txt" if looks_like_a_rule_file(stem) => {
            return Some(
                "a text document (Notepad adds `.txt` when \"Save as type\" is \"Text Documents\", and Windows hides it), not a rule file: rename it without `.txt` to load it",
            );
        }
        _ => {}
    }
    copy_of(stem)
}

/// The copies file managers name: Windows Explorer `x - Copy`, `x - Copy (2)`; the macOS
/// Finder `x copy`, `x copy 2`; a second download or paste `x (1)` (one to three digits, so
/// that `plan (2024).yaml` is a rule file).
fn copy_of(stem: &str) -> Option<&'static str> {
    let numbered = |s: &str| -> Option<usize> {
        let inner = s.strip_suffix(')')?;
        let open = inner.rfind(" (")?;
        let digits = &inner[open + 2..];
        let ok = (1..=3).contains(&digits.len()) && digits.bytes().all(|b| b.is_ascii_digit());
        ok.then_some(open)
    };
    let unnumbered = numbered(stem).map_or(stem, |open| &stem[..open]);
    // "Copy" as Explorer writes it in German, Dutch, Spanish, Italian, French, Polish,
    // Swedish, Portuguese, Finnish; Polish with a long dash.
    const COPY: [&str; 7] = ["copy", "kopie", "copia", "copie", "kopia", "cópia", "kopio"];
    let explorer = [" - ", " — ", " – "].iter().any(|dash| {
        unnumbered
            .rsplit_once(dash)
            .is_some_and(|(_, word)| COPY.contains(&word.to_lowercase().as_str()))
    });
    if explorer {
        return Some("a copy made by Windows Explorer (`- Copy`, `- Kopie`, ...), not a rule file");
    }
    let finder = stem.strip_suffix(" copy").is_some()
        || stem.rsplit_once(" copy ").is_some_and(|(_, n)| {
            (1..=3).contains(&n.len()) && n.bytes().all(|b| b.is_ascii_digit())
        });
    if finder {
        return Some("a copy made by the macOS Finder (`copy`), not a rule file");
    }
    if numbered(stem).is_some() {
        return Some("a duplicate made by a download or a file manager (`(1)`), not a rule file");
    }
    None
}

/// Whether a skipped file would be taken for a rule file at a glance (its name mentions
/// `.yaml`, `.yml`, `.rhai` or a spreadsheet's extension): those are noted, other files (`.DS_Store`) are not.
pub(super) fn looks_like_a_rule_file(name: &str) -> bool {
    [".yaml", ".yml", ".rhai", ".csv", ".xlsx", ".ods"]
        .iter()
        .any(|e| name.contains(e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hidden_backup_and_copied_files_are_not_rule_files() {
        for name in [
            "._credit.yaml",
            ".credit.yaml",
            ".#credit.yaml",
            ".credit.yaml.swp",
            "credit.yaml~",
            "#credit.yaml#",
            "credit.yaml.bak",
            "credit.bak",
            "credit.yaml.orig",
            "tiers - Copy.yaml",
            "tiers - Copy (2).yaml",
            "stufen - Kopie.yaml",
            "stufen - Kopie (2).yaml",
            "niveles - copia.yaml",
            "poziomy — kopia.yaml",
            "niveaux - Copie.yaml",
            "tiers copy.yaml",
            "tiers copy 2.yaml",
            "tiers (1).yaml",
            "scores (12).rhai",
            "~$pricing.xlsx",
            ".~lock.pricing.xlsx#",
            "pricing.xlsx.tmp",
            "pricing (1).xlsx",
            "tiers.yaml.txt",
            "scores.rhai.txt",
        ] {
            assert!(not_a_rule_file(name).is_some(), "{name} is a rule file");
        }
    }

    #[test]
    fn ordinary_names_are_rule_files() {
        for name in [
            "credit.yaml",
            "tiers-copy.yaml",
            "tiers - kopiert.yaml",
            "a - b.yaml",
            "copy.yaml",
            "plan (2024).yaml",
            "tiers (draft).yaml",
            "scores.rhai",
            "a.yml",
            "pricing.xlsx",
            "discount.csv",
            "plan.ods",
        ] {
            assert_eq!(not_a_rule_file(name), None, "{name}");
        }
    }

    #[test]
    fn each_kind_says_what_it_is() {
        assert_eq!(
            not_a_rule_file("tiers - Copy.yaml"),
            Some("a copy made by Windows Explorer (`- Copy`, `- Kopie`, ...), not a rule file")
        );
        assert_eq!(
            not_a_rule_file("._credit.yaml"),
            Some("a macOS metadata file (`._` name), not a rule file")
        );
        assert_eq!(
            not_a_rule_file("~$pricing.xlsx"),
            Some("an Excel lock file (`~$` name), not a rule file")
        );
        assert_eq!(
            not_a_rule_file(".~lock.pricing.xlsx#"),
            Some("a LibreOffice lock file (`.~lock.` name), not a rule file")
        );
        assert_eq!(
            not_a_rule_file("pricing.xlsx.tmp"),
            Some("a temporary file left by a save (`.tmp`), not a rule file")
        );
        assert!(looks_like_a_rule_file("~$pricing.xlsx"));
        assert!(looks_like_a_rule_file("credit.yaml~"));
        assert!(!looks_like_a_rule_file(".DS_Store"));
    }
}
