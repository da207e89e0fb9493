//! The config loader: the input is `tierwise.yaml`, in a directory that also holds a
//! `customers.sql` (so `query_file: customers.sql` reads something), loaded as every
//! command loads it.

#![no_main]

mod common;

use libfuzzer_sys::fuzz_target;
use tierwise::workspace::{Overrides, Workspace};

fuzz_target!(|data: &[u8]| {
    let dir = common::scratch();
    let config = dir.join("tierwise.yaml");
    std::fs::write(&config, data).unwrap();
    let sql = dir.join("customers.sql");
    if !sql.exists() {
        std::fs::write(&sql, "SELECT 1 AS customer_id").unwrap();
    }
    if let Ok(loaded) = tierwise::config::Config::load(&config) {
        // What the commands build from it (reads the config again; touches no database).
        let _ = Workspace::new(&config, &Overrides::default());
        let _ = format!("{loaded:?}");
    }
});
