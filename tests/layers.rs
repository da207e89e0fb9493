//! The source tree reads as a pipeline: each module of `src/lib.rs` imports only from the
//! modules declared before it (`text` ... `value` -> `diag` -> ... -> `commands` -> `cli`).
//! An import from a later layer fails this test, naming the file, the line and both layers.
//! Comments and doc links do not count; test code does.

use std::path::{Path, PathBuf};

/// The layers of `src/lib.rs`: groups of `pub mod` lines separated by blank lines, in
/// order (rustfmt sorts the modules within a group, never across groups).
fn layers(src: &Path) -> Vec<Vec<String>> {
    let lib = std::fs::read_to_string(src.join("lib.rs")).unwrap();
    let mut layers: Vec<Vec<String>> = vec![Vec::new()];
    for line in lib.lines() {
        match line.strip_prefix("pub mod ") {
            Some(name) => layers
                .last_mut()
                .unwrap()
                .push(name.trim_end_matches(';').to_owned()),
            None if line.trim().is_empty() => layers.push(Vec::new()),
            None => {}
        }
    }
    layers.retain(|l| !l.is_empty());
    layers
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The top-level modules code names, each with the byte where it is named: `crate::x`,
/// and each top-level name of a `use crate::{x, y::{z, w}}` group, over as many lines as
/// rustfmt spreads it.
fn modules_used(code: &str) -> Vec<(String, usize)> {
    let word = |s: &str| -> String {
        s.chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect()
    };
    let mut used = Vec::new();
    let mut from = 0;
    while let Some(at) = code[from..].find("crate::") {
        let start = from + at + "crate::".len();
        from = start;
        if !code[start..].starts_with('{') {
            used.push((word(&code[start..]), start));
            continue;
        }
        // The group's items at its own depth: after `{` and after each `,` there.
        let mut depth = 0;
        let mut item = true;
        for (k, c) in code[start..].char_indices() {
            match c {
                '{' => {
                    depth += 1;
                    item = depth == 1;
                    continue;
                }
                '}' => {
                    depth -= 1;
                    if depth == 0 {
                        from = start + k;
                        break;
                    }
                }
                ',' if depth == 1 => item = true,
                c if item && depth == 1 && !c.is_whitespace() => {
                    used.push((word(&code[start + k..]), start + k));
                    item = false;
                }
                _ => {}
            }
        }
    }
    used
}

#[test]
fn imports_are_read_across_nested_and_spread_groups() {
    let names =
        |code: &str| -> Vec<String> { modules_used(code).into_iter().map(|(n, _)| n).collect() };
    assert_eq!(names("use crate::rules::RuleSet;"), ["rules"]);
    assert_eq!(
        names("use crate::{rules::{RuleSet, Slot}, engine::Evaluator};"),
        ["rules", "engine"]
    );
    assert_eq!(
        names("use crate::{\n    diag::Diagnostic,\n    output::{self, Writer},\n};"),
        ["diag", "output"]
    );
    assert_eq!(names("let x = crate::text::plural(1, \"a\");"), ["text"]);
}

#[test]
fn no_module_imports_from_a_later_layer() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let layers = layers(&src);
    assert!(
        layers.len() > 10,
        "read the layers from src/lib.rs: {layers:?}"
    );
    let layer = |name: &str| {
        let name = if name == "Error" { "error" } else { name };
        layers.iter().position(|l| l.iter().any(|m| m == name))
    };
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let mut violations = Vec::new();
    for file in files {
        let relative = file.strip_prefix(&src).unwrap();
        let top = relative
            .components()
            .next()
            .unwrap()
            .as_os_str()
            .to_string_lossy()
            .trim_end_matches(".rs")
            .to_owned();
        let Some(own) = layer(&top) else {
            continue; // lib.rs and main.rs sit on top of everything
        };
        let text = std::fs::read_to_string(&file).unwrap();
        // The code without its comments, line for line.
        let lines: Vec<&str> = text.lines().collect();
        let code: String = (lines.iter())
            .map(|line| line.split("//").next().unwrap_or_default())
            .collect::<Vec<_>>()
            .join("\n");
        for (used, at) in modules_used(&code) {
            if let Some(theirs) = layer(&used)
                && theirs > own
            {
                let n = code[..at].matches('\n').count();
                violations.push(format!(
                    "src/{}:{}: `{top}` uses `{used}`, a later layer\n    {}",
                    relative.display(),
                    n + 1,
                    lines[n].trim()
                ));
            }
        }
    }
    assert!(
        violations.is_empty(),
        "imports against the layering of src/lib.rs ({}):\n{}",
        layers
            .iter()
            .map(|l| l.join(", "))
            .collect::<Vec<_>>()
            .join(" -> "),
        violations.join("\n")
    );
}
