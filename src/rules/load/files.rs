//! Pass 1, files: list the rule files, read them, fingerprint them and parse the YAML ones.
//!
//! A file that does not read or parse is reported and left out; the others still load, so
//! that one `check` shows every problem. The fingerprint covers the names and contents of
//! the files that were read, scripts included.

use super::logic::{Logic, hash, short_hex};
use super::{Sink, sheet, skip};
use crate::diag::{Diagnostic, Diagnostics, SourceFile};
use crate::rules::model::RuleFile;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// The rule files of a directory, read.
pub(super) struct RuleFiles {
    /// The rules directory.
    pub dir: PathBuf,
    /// Every rule file, policies first, then scripts (each sorted by name).
    pub paths: Vec<PathBuf>,
    /// The policies that parsed, in file name order.
    pub parsed: Vec<(Arc<SourceFile>, RuleFile)>,
    /// The scripts that were read, in file name order.
    pub scripts: Vec<Arc<SourceFile>>,
    /// A script could not be read (another encoding): the functions it defines are unknown.
    pub script_unread: bool,
    /// The text of each policy file that failed to parse (a name it could define is written
    /// in it); `None` for a spreadsheet whose text cannot be searched (.xlsx, .ods: zipped),
    /// which may define any name.
    pub unparsed: Vec<Option<String>>,
    /// Hash of the files' names and contents (hex, 16 characters).
    pub fingerprint: String,
    /// Hash of what in them decides ([`Logic`]).
    pub logic_fingerprint: String,
}

/// Lists, reads and parses the rule files in `dir`. Fails only when the directory itself
/// cannot be read; other problems go to `diags`.
pub(super) fn read(dir: &Path, diags: &mut Sink) -> Result<RuleFiles, Diagnostics> {
    let (yaml_files, script_files) = list_rule_files(dir, diags)?;
    let mut hasher = blake3::Hasher::new();
    let mut files = RuleFiles {
        dir: dir.to_path_buf(),
        paths: Vec::new(),
        parsed: Vec::new(),
        scripts: Vec::new(),
        unparsed: Vec::new(),
        script_unread: false,
        fingerprint: String::new(),
        logic_fingerprint: String::new(),
    };
    let mut logic = Logic::new();
    for (path, is_script) in yaml_files
        .iter()
        .map(|p| (p, false))
        .chain(script_files.iter().map(|p| (p, true)))
    {
        if let Some(too_big) = too_big(path) {
            diags.push(too_big);
            continue;
        }
        let name = path.file_name().unwrap_or_default().to_string_lossy();
        if sheet::is_spreadsheet(path) {
            let bytes = match std::fs::read(path) {
                Ok(bytes) => bytes,
                Err(e) => {
                    diags.push(unreadable(path, &e));
                    continue;
                }
            };
            hash(&mut hasher, &name, &bytes);
            logic.bytes(&name, &bytes);
            match sheet::read(path, &bytes, diags)
                .and_then(|file| Some((parse(&file, diags)?, file)))
            {
                Some((rules, file)) => {
                    // In its cells' texts as in a YAML file's (positions are cells): a cell
                    // typed `20.000` or `>= 200.000` reads as 20 or 200.
                    for warning in super::invisible::invisible(&file) {
                        diags.push(warning);
                    }
                    for warning in super::dotted_thousands::dotted_thousands(&file) {
                        diags.push(warning);
                    }
                    files.parsed.push((file, rules));
                }
                None => {
                    let csv = path
                        .extension()
                        .is_some_and(|e| e.eq_ignore_ascii_case("csv"));
                    // As read (UTF-16 decoded), so the names it defines can be found in it.
                    let text = csv.then(|| {
                        crate::text::utf16(&bytes)
                            .flatten()
                            .unwrap_or_else(|| String::from_utf8_lossy(&bytes).into_owned())
                    });
                    files.unparsed.push(text);
                }
            }
            continue;
        }
        let text = match crate::text::read_text(path) {
            Ok(text) => text,
            Err(e) => {
                diags.push(unreadable(path, &e));
                // Saved in another encoding (Windows-1252): the names it defines are still
                // in it, and the other files' uses of them are not "unknown" meanwhile.
                if !is_script {
                    let bytes = std::fs::read(path).ok();
                    files
                        .unparsed
                        .push(bytes.map(|b| String::from_utf8_lossy(&b).into_owned()));
                }
                files.script_unread |= is_script;
                continue;
            }
        };
        hash(&mut hasher, &name, text.as_bytes());
        // Notepad's "UTF-8 with BOM": an invisible `Unexpected '\u{feff}'` to rhai. Columns
        // count from after it, as an editor shows them.
        let text = match text.strip_prefix('\u{feff}') {
            Some(rest) => rest.to_owned(),
            None => text,
        };
        match is_script {
            true => logic.script(&name, &text),
            false => logic.policy(&name, &text),
        }
        let file = SourceFile::new(path.clone(), text);
        if !is_script {
            for warning in super::dotted_thousands::dotted_thousands(&file) {
                diags.push(warning);
            }
        }
        for warning in super::invisible::invisible(&file) {
            diags.push(warning);
        }
        if is_script {
            files.scripts.push(file);
        } else if let Some(rules) = parse(&file, diags) {
            if defines_nothing(&rules) {
                diags
                    .push(Diagnostic::file_error(path, "this rule file defines nothing").warning());
            }
            files.parsed.push((file, rules));
        } else {
            files.unparsed.push(Some(file.text.clone()));
        }
    }
    if yaml_files.is_empty() {
        diags.push(Diagnostic::file_error(
            dir,
            "no rule files (*.yaml, or a table as .xlsx, .ods or .csv) in the rules directory",
        ));
    } else if !files.parsed.is_empty()
        && files.unparsed.is_empty()
        && files.parsed.iter().all(|(_, r)| r.decisions.is_empty())
    {
        diags.push(
            Diagnostic::file_error(
                dir,
                "the rule files define no decisions: a run would decide nothing",
            )
            .help("add a `decisions:` section to a rule file"),
        );
    }
    files.fingerprint = short_hex(&hasher);
    files.logic_fingerprint = logic.finish();
    files.paths = yaml_files.into_iter().chain(script_files).collect();
    Ok(files)
}

/// The fingerprint of the rule files in `dir` as they are now ([`RuleFiles::fingerprint`],
/// the same names and contents hashed the same way), without parsing them; `None` when the
/// directory cannot be read.
pub fn fingerprint_now(dir: &Path) -> Option<String> {
    let (policies, scripts) = list_rule_files(dir, &mut Sink::default()).ok()?;
    let mut hasher = blake3::Hasher::new();
    for path in policies.iter().chain(&scripts) {
        if too_big(path).is_some() {
            continue;
        }
        let name = path.file_name().unwrap_or_default().to_string_lossy();
        if sheet::is_spreadsheet(path) {
            if let Ok(bytes) = std::fs::read(path) {
                hash(&mut hasher, &name, &bytes);
            }
        } else if let Ok(text) = crate::text::read_text(path) {
            hash(&mut hasher, &name, text.as_bytes());
        }
    }
    Some(short_hex(&hasher))
}

/// The rule files of a directory, sorted by name: policies (`*.yaml`, `*.yml`, and the
/// spreadsheets `*.csv`, `*.xlsx`, `*.ods`) and scripts (`*.rhai`). Subdirectories (such as `tests/`) are not part of the rule set. Hidden, backup
/// and copied files are skipped with a note ([`skip`]); a rule file that is a broken
/// symbolic link is an error.
fn list_rule_files(
    dir: &Path,
    diags: &mut Sink,
) -> Result<(Vec<PathBuf>, Vec<PathBuf>), Diagnostics> {
    let entries = std::fs::read_dir(dir).map_err(|e| {
        let d = match e.kind() {
            std::io::ErrorKind::NotFound => {
                Diagnostic::file_error(dir, "the rules directory does not exist")
                    .help("check `rules:` in the config, or the path given with --rules")
            }
            _ => Diagnostic::file_error(dir, format!("cannot read the rules directory: {e}")),
        };
        Diagnostics(vec![d])
    })?;
    let (mut yaml, mut scripts, mut notes) = (Vec::new(), Vec::new(), Vec::new());
    let rules_dir = dir.canonicalize().ok();
    for entry in entries.flatten() {
        let path = entry.path();
        let name = entry.file_name().to_string_lossy().into_owned();
        if let Some(why) = skip::not_a_rule_file(&name) {
            if skip::looks_like_a_rule_file(&name) && !path.is_dir() {
                notes.push(Diagnostic::file_error(&path, format!("skipped: {why}")).warning());
            }
            continue;
        }
        let is_rule_file = is_rule_file(&path);
        if is_rule_file && !path.exists() && path.is_symlink() {
            notes.push(broken_link(&path));
            continue;
        }
        if let Some(target) = (rules_dir.as_ref()).and_then(|d| skip::leads_outside(d, &path)) {
            // A folder outside is not listed either: its file names are not the rules'.
            if is_rule_file {
                notes.push(
                    Diagnostic::file_error(&path, skip::outside_message(&target)).help(
                        "copy the file into the rules directory, or link to a file inside it",
                    ),
                );
            }
            continue;
        }
        if is_rule_file && path.is_dir() {
            notes.push(
                Diagnostic::file_error(&path, "skipped: a directory, not a rule file").warning(),
            );
            continue;
        }
        if path.is_dir() && name != "tests" {
            // A link back to the rules directory (or above it) holds the files read here.
            let loops_back = (path.canonicalize().ok())
                .zip(rules_dir.as_ref())
                .is_some_and(|(target, rules)| rules.starts_with(target));
            if !loops_back {
                notes.extend(rule_files_in_subdirectory(&path));
            }
            continue;
        }
        if !path.is_file() {
            continue;
        }
        match crate::text::extension(&path).as_deref() {
            Some("yaml" | "yml") => yaml.push(path),
            Some("rhai") => scripts.push(path),
            _ if sheet::is_spreadsheet(&path) => yaml.push(path),
            // A workbook of a kind not read: it took three decisions out of the run unseen.
            Some(kind @ ("xlsm" | "xlsb" | "xls")) => notes.push(
                Diagnostic::file_error(
                    &path,
                    format!("skipped: a .{kind} workbook is not read (rule tables are .xlsx, .ods or .csv)"),
                )
                .warning()
                .help("save it as an Excel Workbook (.xlsx) in the rules directory (a macro workbook's macros are not needed for its tables)"),
            ),
            _ => {}
        }
    }
    yaml.sort();
    scripts.sort();
    notes.sort_by(|a, b| a.file.cmp(&b.file));
    for note in notes {
        diags.push(note);
    }
    Ok((yaml, scripts))
}

/// Whether a file's name makes it a rule file: a policy (`*.yaml`, `*.yml`, a spreadsheet)
/// or a script (`*.rhai`). `VISITS.CSV`, `Extra.YAML`: an extension in capitals is the same
/// kind of file.
fn is_rule_file(path: &Path) -> bool {
    matches!(
        crate::text::extension(path).as_deref(),
        Some("yaml" | "yml" | "rhai")
    ) || sheet::is_spreadsheet(path)
}

/// A subdirectory holding what looks like rule files: they are not read (a file moved into
/// `rules/policy/` took its outputs out of the run without a word).
fn rule_files_in_subdirectory(dir: &Path) -> Option<Diagnostic> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .ok()?
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|name| skip::not_a_rule_file(name).is_none() && is_rule_file(Path::new(name)))
        .map(|name| format!("`{name}`"))
        .collect();
    names.sort();
    if names.is_empty() {
        return None;
    }
    let first = crate::text::first_three(&names);
    Some(
        Diagnostic::file_error(
            dir,
            format!(
                "not read: {first} in this subdirectory; only the files directly in the rules directory are rules (and `tests/` holds the rule tests)"
            ),
        )
        .warning()
        .help("move the files into the rules directory to use them; keep old versions outside it (or in git)"),
    )
}

/// A rule file that is a symbolic link to nothing: to a missing file, or round a loop.
fn broken_link(path: &Path) -> Diagnostic {
    let target = std::fs::read_link(path).unwrap_or_default();
    // ELOOP: following the link leads back to it.
    let looped = std::fs::metadata(path).is_err_and(|e| e.raw_os_error() == Some(40));
    let message = if looped {
        format!(
            "this rule file is a symbolic link to `{}`, which leads back to it (a loop of links)",
            target.display()
        )
    } else {
        format!(
            "this rule file is a symbolic link to `{}`, which does not exist",
            target.display()
        )
    };
    Diagnostic::file_error(path, message).help(if looped {
        "point the link at a real file, or remove it"
    } else {
        "restore the file it points to, or remove the link"
    })
}

/// The largest rule file read: the biggest real rule sets are a few hundred KB; a larger
/// file (an export, a log saved as .yaml) would only hold `check`, `watch` and `serve` up.
const MAX_RULE_FILE: u64 = 10 << 20;

/// A rule file too large to read, said before reading it.
fn too_big(path: &Path) -> Option<Diagnostic> {
    let len = std::fs::metadata(path).ok()?.len();
    (len > MAX_RULE_FILE).then(|| {
        Diagnostic::file_error(
            path,
            format!(
                "this rule file is {:.1} MB; rule files are at most {} MB",
                len as f64 / (1 << 20) as f64,
                MAX_RULE_FILE >> 20
            ),
        )
        .help("split it into several files, or move data into the customer database")
    })
}

/// Why a rule file cannot be read, in words.
fn unreadable(path: &Path, e: &std::io::Error) -> Diagnostic {
    if let Some(at) = crate::text::not_utf8_place(e) {
        let (byte, line, column) = (at.byte, at.line, at.column);
        let mut d = Diagnostic::file_error(
            path,
            format!("this file is not UTF-8 text: byte 0x{byte:02X} at line {line}, column {column}"),
        )
        .help("save it as UTF-8 (in Excel or Notepad: \"Save as\", encoding UTF-8); until it reads, the other files' uses of the names written in it are not checked");
        (d.line, d.column) = (line, column);
        return d;
    }
    Diagnostic::file_error(path, format!("cannot read: {e}"))
}

fn defines_nothing(rules: &RuleFile) -> bool {
    rules.metrics.0.is_empty()
        && rules.population.0.is_empty()
        && rules.decisions.is_empty()
        && rules.summary.is_none()
}

/// The file's rules, or `None` after reporting why it does not parse.
fn parse(file: &Arc<SourceFile>, diags: &mut Sink) -> Option<RuleFile> {
    match crate::diag::yaml::parse::<RuleFile>(file) {
        Ok(mut rules) => {
            imply_single_output(&mut rules);
            Some(rules)
        }
        Err(mut d) => {
            const UNCHECKED: &str = "until this file reads, the other files' uses of the names written in it are not checked";
            // A help of its own says what to do; the note only where there is none.
            d.help = Some(d.help.unwrap_or_else(|| UNCHECKED.into()));
            diags.push(*d);
            None
        }
    }
}

/// A decision that declares exactly one output (`outputs: [salary]`) and no `output:` has
/// that one as its `output:`: what `collect`, caps, rounding and `value:` rows combine into.
fn imply_single_output(rules: &mut RuleFile) {
    for decision in &mut rules.decisions {
        let d = &mut decision.value;
        if let ([only], None) = (&d.outputs[..], &d.output) {
            d.output = Some(serde_saphyr::Spanned::new(
                only.value.name.clone(),
                only.referenced,
                only.defined,
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use super::*;

    fn read_dir(files: &[(&str, &[u8])]) -> (Result<RuleFiles, Diagnostics>, Vec<String>) {
        let dir = rule_dir(files);
        let mut diags = Sink::default();
        let read = read(&dir.path().join("rules"), &mut diags);
        let shown = show(&diags.0, dir.path());
        (read, shown)
    }

    #[test]
    fn lists_policies_then_scripts_by_name_and_skips_other_files_and_subdirectories() {
        let dir = rule_dir(&[
            ("b.yaml", DECISION.as_bytes()),
            ("a.yml", b"metrics: { m: 1 }\n"),
            ("z.rhai", b"fn f(x) { x }\n"),
            ("a.rhai", b"fn g(x) { x }\n"),
            ("notes.txt", b"not a rule file"),
            ("tests/case.yaml", b"not: [read"),
        ]);
        let mut diags = Sink::default();
        let files = read(&dir.path().join("rules"), &mut diags).unwrap();
        let names: Vec<String> = files
            .paths
            .iter()
            .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names, ["a.yml", "b.yaml", "a.rhai", "z.rhai"]);
        assert_eq!(files.parsed.len(), 2);
        assert_eq!(files.scripts.len(), 2);
        assert!(files.unparsed.is_empty());
        assert!(diags.0.is_empty(), "{:?}", diags.0);
    }

    #[test]
    fn the_fingerprint_follows_names_and_contents() {
        let fingerprint = |files: &[(&str, &[u8])]| read_dir(files).0.unwrap().fingerprint;
        let base = fingerprint(&[("a.yaml", DECISION.as_bytes())]);
        assert_eq!(base.len(), 16);
        assert_eq!(base, fingerprint(&[("a.yaml", DECISION.as_bytes())]));
        assert_ne!(base, fingerprint(&[("b.yaml", DECISION.as_bytes())]));
        let edited = format!("{DECISION}# a comment\n");
        assert_ne!(base, fingerprint(&[("a.yaml", edited.as_bytes())]));
        let with_script: &[(&str, &[u8])] = &[
            ("a.yaml", DECISION.as_bytes()),
            ("s.rhai", b"fn f(x) { x }\n"),
        ];
        assert_ne!(base, fingerprint(with_script));
    }

    #[test]
    fn spreadsheets_are_policies_and_their_bytes_are_in_the_fingerprint() {
        let csv = "hit: first\nid,annual_sales,discount\nid,input,output\nd-a,>= 100,5\n";
        let book =
            super::super::sheet::tests::workbook(&[("tiers", super::super::sheet::tests::TIERS)]);
        let files: &[(&str, &[u8])] = &[
            ("a.yaml", DECISION.as_bytes()),
            ("discount.csv", csv.as_bytes()),
            ("pricing.xlsx", &book),
            ("~$pricing.xlsx", b"\x00lock"),
            (".~lock.pricing.xlsx#", b"admin,host"),
        ];
        let (read, shown) = read_dir(files);
        let read = read.unwrap();
        assert_eq!(read.parsed.len(), 3);
        assert!(read.parsed[1].0.cells.is_some());
        assert_eq!(
            shown,
            [
                "warning rules/.~lock.pricing.xlsx#: skipped: a LibreOffice lock file (`.~lock.` name), not a rule file",
                "warning rules/~$pricing.xlsx: skipped: an Excel lock file (`~$` name), not a rule file",
                "warning rules/pricing.xlsx, sheet tiers, E5: E5 holds a formula: its saved value 5 is used; \
                 the rules do not recompute it | help: type the value itself, or save the workbook again \
                 after each change the formula depends on",
            ]
        );
        let edited = csv.replace("5", "6").into_bytes();
        let fingerprint = |files: &[(&str, &[u8])]| read_dir(files).0.unwrap().fingerprint;
        let mut changed = files.to_vec();
        changed[1].1 = &edited;
        assert_ne!(read.fingerprint, fingerprint(&changed));
        assert_eq!(read.fingerprint, fingerprint(files));
    }

    #[test]
    fn hidden_backup_and_copied_files_are_skipped_with_a_note() {
        let (files, shown) = read_dir(&[
            ("tiers.yaml", DECISION.as_bytes()),
            ("tiers - Copy.yaml", DECISION.as_bytes()),
            ("._tiers.yaml", b"\x00\x05\x16\x07"),
            ("tiers.yaml~", DECISION.as_bytes()),
            (".DS_Store", b"\x00"),
        ]);
        assert_eq!(files.unwrap().parsed.len(), 1);
        assert_eq!(
            shown,
            [
                "warning rules/._tiers.yaml: skipped: a macOS metadata file (`._` name), not a rule file",
                "warning rules/tiers - Copy.yaml: skipped: a copy made by Windows Explorer (`- Copy`, `- Kopie`, ...), not a rule file",
                "warning rules/tiers.yaml~: skipped: an editor's backup (its name ends with `~`), not a rule file",
            ]
        );
    }

    #[test]
    fn rule_files_in_a_subdirectory_other_than_tests_are_noted() {
        let (files, shown) = read_dir(&[
            ("tiers.yaml", DECISION.as_bytes()),
            ("policy/review.yaml", DECISION.as_bytes()),
            ("policy/limits.rhai", b"fn f(x) { x }\n"),
            ("policy/notes.txt", b"x"),
            ("images/logo.png", b"x"),
            ("tests/case.yaml", b"cases: []"),
        ]);
        assert_eq!(files.unwrap().parsed.len(), 1);
        assert_eq!(
            shown,
            [
                "warning rules/policy: not read: `limits.rhai`, `review.yaml` in this subdirectory; only the files directly in the rules directory are rules (and `tests/` holds the rule tests) | help: move the files into the rules directory to use them; keep old versions outside it (or in git)"
            ]
        );
    }

    #[cfg(unix)]
    #[test]
    fn a_link_back_to_the_rules_directory_is_no_subdirectory_of_rules() {
        let dir = rule_dir(&[("tiers.yaml", DECISION.as_bytes())]);
        let rules = dir.path().join("rules");
        std::os::unix::fs::symlink(&rules, rules.join("loop")).unwrap();
        std::os::unix::fs::symlink(dir.path(), rules.join("up")).unwrap();
        let mut diags = Sink::default();
        assert_eq!(read(&rules, &mut diags).unwrap().parsed.len(), 1);
        assert!(diags.0.is_empty(), "{:?}", show(&diags.0, dir.path()));
    }

    #[cfg(unix)]
    #[test]
    fn a_broken_symbolic_link_is_an_error_and_a_hidden_one_is_skipped() {
        let dir = rule_dir(&[("tiers.yaml", DECISION.as_bytes())]);
        let rules = dir.path().join("rules");
        std::os::unix::fs::symlink("../shared/credit.yaml", rules.join("credit.yaml")).unwrap();
        // Emacs's lock files are broken links.
        std::os::unix::fs::symlink("admin@host.42", rules.join(".#tiers.yaml")).unwrap();
        let mut diags = Sink::default();
        read(&rules, &mut diags).unwrap();
        assert_eq!(
            show(&diags.0, dir.path()),
            [
                "warning rules/.#tiers.yaml: skipped: an Emacs lock file (`.#` name), not a rule file",
                "error rules/credit.yaml: this rule file is a symbolic link to `../shared/credit.yaml`, \
                 which does not exist | help: restore the file it points to, or remove the link",
            ]
        );
    }

    #[test]
    fn a_missing_directory_is_the_only_error() {
        let dir = tempfile::tempdir().unwrap();
        let mut diags = Sink::default();
        let Err(e) = read(&dir.path().join("nowhere"), &mut diags) else {
            panic!("a missing directory reads")
        };
        assert_eq!(e.0.len(), 1);
        assert_eq!(e.0[0].message, "the rules directory does not exist");
    }

    #[test]
    fn an_empty_directory_has_no_rule_files() {
        let (_, shown) = read_dir(&[("s.rhai", b"fn f(x) { x }\n")]);
        assert_eq!(
            shown,
            [
                "error rules: no rule files (*.yaml, or a table as .xlsx, .ods or .csv) in the rules directory"
            ]
        );
    }

    #[test]
    fn a_file_that_defines_nothing_warns_and_no_decisions_is_an_error() {
        let (_, shown) = read_dir(&[
            ("a.yaml", b"metrics: {}\n"),
            ("b.yaml", b"metrics: { m: 1 }\n"),
        ]);
        assert_eq!(
            shown,
            [
                "warning rules/a.yaml: this rule file defines nothing",
                "error rules: the rule files define no decisions: a run would decide nothing \
                 | help: add a `decisions:` section to a rule file",
            ]
        );
    }

    #[test]
    fn a_file_that_does_not_parse_is_left_out_and_says_what_goes_unchecked() {
        let (files, shown) = read_dir(&[
            ("a.yaml", b"metrics: { m: 1 }\n"),
            (
                "b.yaml",
                b"decisions:\n  - { name: t, rules: [], wehn: 1 }\n",
            ),
        ]);
        let files = files.unwrap();
        assert!(!files.unparsed.is_empty());
        assert_eq!(files.parsed.len(), 1);
        assert_eq!(
            shown,
            [
                "error rules/b.yaml:2:27: unknown field `wehn`, expected one of name, doc, hit, \
              aggregate, by, output, rules, outputs, grid, scale, cap, caps, capped_by, round, \
              effective, for_each | help: expected one of: name, doc, hit, aggregate, by, output, \
              rules, outputs, grid, scale, cap, caps, capped_by, round, effective, for_each"
            ]
        );
    }

    #[test]
    fn a_file_that_does_not_read_is_reported_and_left_out() {
        let (files, shown) = read_dir(&[("a.yaml", b"\xff\xff"), ("b.yaml", DECISION.as_bytes())]);
        assert_eq!(files.unwrap().parsed.len(), 1);
        assert_eq!(
            shown,
            [
                "error rules/a.yaml:1:1: this file is not UTF-8 text: byte 0xFF at line 1, column 1 \
                 | help: save it as UTF-8 (in Excel or Notepad: \"Save as\", encoding UTF-8); \
                 until it reads, the other files' uses of the names written in it are not checked"
            ]
        );
    }
}
