//! The test-case loader: the input is one test file (`<tests>/fuzz.yaml`), read, parsed and
//! run by `tierwise test`'s code against the shipped rules and the shipped source's columns.

#![no_main]

mod common;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let project = common::project();
    let tests = common::scratch().join("tests");
    std::fs::create_dir_all(&tests).unwrap();
    std::fs::write(tests.join("fuzz.yaml"), data).unwrap();
    let accepted = &project.accepted;
    let _ = tierwise::cases::run(
        &accepted.rules,
        &accepted.columns,
        &accepted.workspace.config.id_column,
        &tests,
        None,
        accepted.workspace.context,
    );
});
