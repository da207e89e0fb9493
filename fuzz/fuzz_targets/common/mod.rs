//! What the targets share: a small project made once per process (the shipped config and
//! rules over a generated sample of 20 customers with an order history), and a scratch
//! directory the targets write their inputs into.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use tierwise::workspace::Overrides;
use tierwise::workspace::reload::{self, Accepted};

/// The repository (the fuzz crate is `<repo>/fuzz`).
pub fn repo() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/.."))
}

pub struct Project {
    /// Kept for the process's lifetime: the project lives in it.
    _dir: tempfile::TempDir,
    pub config: PathBuf,
    pub accepted: Accepted,
}

/// The shipped rules and config, over 20 sample customers; made once.
pub fn project() -> &'static Project {
    static PROJECT: OnceLock<Project> = OnceLock::new();
    PROJECT.get_or_init(|| {
        let dir = tempfile::tempdir().expect("temp dir");
        let repo = repo().canonicalize().expect("the repository");
        let shipped =
            std::fs::read_to_string(repo.join("config/tierwise.yaml")).expect("shipped config");
        let config_text = shipped
            .replace("database: ../data/sample.db", "database: sample.db")
            .replace("customers: 10000", "customers: 20")
            .replace(
                "query_file: customers.sql",
                &format!(
                    "query_file: {}",
                    repo.join("config/customers.sql").display()
                ),
            )
            .replace(
                "rules: ../rules",
                &format!("rules: {}", repo.join("rules").display()),
            );
        assert!(
            config_text.contains("customers: 20"),
            "the shipped config changed"
        );
        let config = dir.path().join("tierwise.yaml");
        std::fs::write(&config, config_text).expect("write config");
        let accepted = match reload::load(&config, &Overrides::default(), reload::Rows::AllReadable)
        {
            Ok(a) => a,
            Err(refused) => panic!(
                "the shipped rules are refused: {}",
                tierwise::report::refusal::text(&refused)
            ),
        };
        Project {
            _dir: dir,
            config,
            accepted,
        }
    })
}

/// A directory that lives as long as the process, for the inputs a target writes.
pub fn scratch() -> &'static Path {
    static DIR: OnceLock<tempfile::TempDir> = OnceLock::new();
    DIR.get_or_init(|| tempfile::tempdir().expect("temp dir"))
        .path()
}
