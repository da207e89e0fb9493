//! The rule-file JSON Schema: the committed copy is current, every shipped rule file points to
//! it and passes it, and typical mistakes fail it (as they fail the parser).

use serde_json::Value;
use std::path::Path;
use tierwise::rules::model::RuleFile;
use tierwise::rules::schema::schema_json;

const SCHEMA_LINE: &str = "# yaml-language-server: $schema=../schema/rules.schema.json";

#[test]
fn committed_schema_is_current() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("schema/rules.schema.json");
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == schema_json(),
        "{} is out of date with src/rules/model.rs; regenerate it with\n    \
         cargo run -- schema > schema/rules.schema.json",
        path.display()
    );
}

#[test]
fn shipped_rule_files_point_to_the_schema_and_pass_it() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("rules");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "yaml"))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no rule files in {}", dir.display());
    for path in files {
        let text = std::fs::read_to_string(&path).unwrap();
        assert_eq!(
            text.lines().next(),
            Some(SCHEMA_LINE),
            "first line of {}",
            path.display()
        );
        let errors = validate(&yaml(&text));
        assert!(errors.is_empty(), "{}: {errors:#?}", path.display());
    }
}

#[test]
fn mistakes_fail_the_schema_and_the_parser() {
    let broken = [
        (
            "typo in a row key",
            "decisions: [{ name: t, rules: [{ id: r, wehn: x > 1 }] }]",
            "wehn",
        ),
        (
            "unknown hit policy",
            "decisions: [{ name: t, hit: frist, rules: [{ id: r }] }]",
            "hit",
        ),
        (
            "unknown aggregate",
            "decisions: [{ name: t, aggregate: avg, rules: [{ id: r }] }]",
            "aggregate",
        ),
        (
            "decision without name",
            "decisions: [{ rules: [{ id: r, value: 1 }] }]",
            "name",
        ),
        (
            "unknown rounding",
            "decisions: [{ name: t, round: { half: 10 } }]",
            "round",
        ),
        (
            "unknown key of an output",
            "decisions: [{ name: t, outputs: [{ name: o, order: [a] }], grid: 'o' }]",
            "order",
        ),
        ("unknown section", "metric: { a: x }", "metric"),
        ("empty section", "metrics:", "metrics"),
    ];
    for (what, doc, key) in broken {
        let errors = validate(&yaml(doc));
        assert!(
            errors.iter().any(|e| e.contains(key)),
            "{what}: schema errors {errors:?}"
        );
        assert!(parse(doc).is_err(), "{what}: the parser accepts it");
    }
}

#[test]
fn the_schema_accepts_what_the_parser_accepts() {
    let valid = [
        "metrics: { a: x }",
        "population: { r: { rank_of: sales, where: sales > 0 } }",
        "decisions: [{ name: t, hit: collect, aggregate: list, output: o, rules: [{ id: r }] }]",
        "decisions: [{ name: t, rules: [{ id: r, value: [a, 1, [2.5]], then: { x: '= y' } }] }]",
        "decisions: [{ name: t, round: { nearest: 0.5 }, cap: { min: 0, max: '= m' } }]",
        "decisions: [{ name: t, doc: ~, rules: [{ id: r, when: ~, then: ~ }] }]",
        "decisions: [{ name: t, scale: { of: x, bands: [{ id: b, from: 1, value: 1 }] } }]",
        "summary: { count_by: [tier], totals: { n: '= 1' } }",
        "decisions: [{ name: t, outputs: [note, { name: r, values: [a, 1], default: a, doc: d }], grid: \"x | note | r\\n> 1 | y | a\" }]",
    ];
    for doc in valid {
        assert_eq!(validate(&yaml(doc)), Vec::<String>::new(), "{doc}");
        parse(doc).unwrap_or_else(|e| panic!("{doc}: the parser rejects it: {e}"));
    }
}

/// YAML as the loader reads it (only `true`/`false` are booleans), as JSON.
fn yaml(text: &str) -> Value {
    serde_saphyr::from_str_with_options(text, serde_saphyr::options! { strict_booleans: true })
        .unwrap()
}

/// The rule-file parser's verdict (serde only; the loader's later checks are not run).
fn parse(text: &str) -> Result<RuleFile, serde_saphyr::Error> {
    serde_saphyr::from_str_with_options(text, serde_saphyr::options! { strict_booleans: true })
}

/// Errors of `value` against the committed schema, each as `path: problem`.
fn validate(value: &Value) -> Vec<String> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("schema/rules.schema.json");
    let schema: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let mut errors = Vec::new();
    check(&schema, &schema, value, "$", &mut errors);
    errors
}

/// A minimal JSON Schema validator for the keywords the schema uses: `$ref` (local),
/// `type`, `const`, `enum`, `properties`, `required`, `additionalProperties`, `items`,
/// `allOf`, `anyOf` and `oneOf`. Annotations (`description`, `format`, `default`) are ignored.
fn check(root: &Value, schema: &Value, value: &Value, path: &str, errors: &mut Vec<String>) {
    if let Some(pointer) = schema.get("$ref").and_then(Value::as_str) {
        let target = pointer.strip_prefix('#').and_then(|p| root.pointer(p));
        let target = target.unwrap_or_else(|| panic!("unresolvable $ref {pointer}"));
        check(root, target, value, path, errors);
        return;
    }
    if let Some(ty) = schema.get("type") {
        let types: Vec<&str> = match ty {
            Value::Array(types) => types.iter().filter_map(Value::as_str).collect(),
            _ => ty.as_str().into_iter().collect(),
        };
        if !types.iter().any(|&t| has_type(value, t)) {
            errors.push(format!("{path}: {value} is not of type {ty}"));
        }
    }
    if let Some(expected) = schema.get("const").filter(|&c| c != value) {
        errors.push(format!("{path}: {value} is not {expected}"));
    }
    if let Some(options) = schema.get("enum").and_then(Value::as_array)
        && !options.contains(value)
    {
        errors.push(format!("{path}: {value} is not one of {options:?}"));
    }
    if let Value::Object(object) = value {
        let properties = schema.get("properties").and_then(Value::as_object);
        for name in schema
            .get("required")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            if !object.contains_key(name.as_str().unwrap()) {
                errors.push(format!("{path}: missing required key {name}"));
            }
        }
        for (key, item) in object {
            let item_path = format!("{path}.{key}");
            match (
                properties.and_then(|p| p.get(key)),
                schema.get("additionalProperties"),
            ) {
                (Some(sub), _) => check(root, sub, item, &item_path, errors),
                (None, Some(Value::Bool(false))) => {
                    errors.push(format!("{item_path}: unknown key `{key}`"));
                }
                (None, Some(sub)) => check(root, sub, item, &item_path, errors),
                (None, None) => {}
            }
        }
    }
    if let (Value::Array(items), Some(sub)) = (value, schema.get("items")) {
        for (i, item) in items.iter().enumerate() {
            check(root, sub, item, &format!("{path}[{i}]"), errors);
        }
    }
    for sub in schema
        .get("allOf")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        check(root, sub, value, path, errors);
    }
    for (keyword, wanted) in [("anyOf", 1..usize::MAX), ("oneOf", 1..2)] {
        let Some(options) = schema.get(keyword).and_then(Value::as_array) else {
            continue;
        };
        let results: Vec<Vec<String>> = options
            .iter()
            .map(|sub| {
                let mut sub_errors = Vec::new();
                check(root, sub, value, path, &mut sub_errors);
                sub_errors
            })
            .collect();
        let passing = results.iter().filter(|e| e.is_empty()).count();
        if !wanted.contains(&passing) {
            let why = results.concat().join("; ");
            errors.push(format!(
                "{path}: {passing} of the {keyword} options match ({why})"
            ));
        }
    }
}

fn has_type(value: &Value, ty: &str) -> bool {
    match ty {
        "null" => value.is_null(),
        "boolean" => value.is_boolean(),
        "number" => value.is_number(),
        "integer" => value.is_i64() || value.is_u64(),
        "string" => value.is_string(),
        "array" => value.is_array(),
        "object" => value.is_object(),
        other => panic!("unknown type {other}"),
    }
}
