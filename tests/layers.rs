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

/// The top-level modules a line of code names: `crate::x`, and each name of a
/// `use crate::{x, y::z}` group.
fn modules_used(code: &str) -> Vec<String> {
    let mut used = Vec::new();
    let mut rest = code;
    while let Some(at) = rest.find("crate::") {
        rest = &rest[at + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            let end = group.find('}').unwrap_or(group.len());
            for item in group[..end].split(',') {
                let name: String = item
                    .trim()
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect();
                used.push(name);
            }
        } else {
            used.push(
                rest.chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect(),
            );
        }
    }
    used
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
        for (n, line) in text.lines().enumerate() {
            let code = line.split("//").next().unwrap_or_default();
            for used in modules_used(code) {
                if let Some(theirs) = layer(&used)
                    && theirs > own
                {
                    violations.push(format!(
                        "src/{}:{}: `{top}` uses `{used}`, a later layer\n    {}",
                        relative.display(),
                        n + 1,
                        line.trim()
                    ));
                }
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

#[test]
fn reads_grouped_and_plain_imports() {
    assert_eq!(
        modules_used("use crate::{rules::RuleSet, value::Value};"),
        ["rules", "value"]
    );
    assert_eq!(
        modules_used("let x = crate::text::thousands(1.0);"),
        ["text"]
    );
}
