//! The rule loader on one rule file and one script: the input is the YAML, then optionally
//! `SEPARATOR` and the Rhai script (`rules/fuzz.yaml`, `rules/fuzz.rhai`), loaded against the
//! shipped customer source's columns as `tierwise check` loads them, then linted. A rule set
//! that loads is also evaluated on the project's 20 customers, on the fast path and in the
//! interpreter.

#![no_main]

mod common;

use libfuzzer_sys::fuzz_target;
use tierwise::engine::{Evaluator, Mode};

/// Where the YAML ends and the script begins.
const SEPARATOR: &[u8] = b"\n#%rhai\n";

fuzz_target!(|data: &[u8]| {
    let project = common::project();
    let (yaml, script) = match data.windows(SEPARATOR.len()).position(|w| w == SEPARATOR) {
        Some(at) => (&data[..at], Some(&data[at + SEPARATOR.len()..])),
        None => (data, None),
    };
    let rules_dir = common::scratch().join("rules");
    std::fs::create_dir_all(&rules_dir).unwrap();
    std::fs::write(rules_dir.join("fuzz.yaml"), yaml).unwrap();
    let rhai = rules_dir.join("fuzz.rhai");
    match script {
        Some(script) => std::fs::write(&rhai, script).unwrap(),
        None => {
            let _ = std::fs::remove_file(&rhai);
        }
    }
    let accepted = &project.accepted;
    let Ok((rules, _warnings)) = tierwise::rules::load(
        &rules_dir,
        &accepted.columns,
        &accepted.workspace.config.limits,
    ) else {
        return;
    };
    let _ = tierwise::rules::lint::lint(&rules, accepted.workspace.context.as_of);
    for mode in [Mode::Fast, Mode::Interpreter] {
        if let Ok(ev) = Evaluator::with_mode(
            &rules,
            &accepted.customers,
            accepted.workspace.context,
            mode,
        ) {
            for i in 0..accepted.customers.len {
                let _ = ev.evaluate_one(i);
            }
        }
    }
});
