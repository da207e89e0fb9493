//! The JSON Schema of a rule file (`tierwise schema`), generated from the serde model in
//! [`crate::rules::model`] so that it cannot drift from what the loader accepts.
//!
//! The committed copy, `schema/rules.schema.json`, is what editors use: every shipped rule file
//! starts with `# yaml-language-server: $schema=../schema/rules.schema.json`, so VS Code's YAML
//! extension completes keys, shows their descriptions and flags mistakes while typing. It is
//! draft 7, the newest draft that extension fully supports.

use crate::rules::model::RuleFile;
use schemars::generate::SchemaSettings;
use serde_json::Value;

/// The JSON Schema of one `rules/*.yaml` file.
pub fn rules_schema() -> Value {
    let mut schema = SchemaSettings::draft07()
        .into_generator()
        .into_root_schema_for::<RuleFile>()
        .to_value();
    schema["title"] = "tierwise rule file".into();
    schema["description"] = "A tierwise rule file: metrics, population figures, decision tables \
        and the run summary. All files in rules/ together form one rule set."
        .into();
    drop_null_defaults(&mut schema);
    schema
}

/// [`rules_schema`] pretty-printed, with a trailing newline: the content of
/// `schema/rules.schema.json`.
pub fn schema_json() -> String {
    let mut json = serde_json::to_string_pretty(&rules_schema()).expect("a JSON value prints");
    json.push('\n');
    json
}

/// Removes `"default": null` (what an optional key defaults to): it says nothing, and editors
/// would offer `null` as the value to type.
fn drop_null_defaults(schema: &mut Value) {
    match schema {
        Value::Object(map) => {
            if map.get("default") == Some(&Value::Null) {
                map.remove("default");
            }
            map.values_mut().for_each(drop_null_defaults);
        }
        Value::Array(items) => items.iter_mut().for_each(drop_null_defaults),
        _ => {}
    }
}
