use super::*;
use crate::diag::Severity;
use crate::rules::Field;

/// The warnings of a one-file rule set over `fields` (name, declared type).
fn lint_file(yaml: &str, fields: &[(&str, &str)]) -> Vec<Diagnostic> {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("rules.yaml"), yaml).unwrap();
    let fields: Vec<Field> = fields.iter().map(|(n, t)| Field::new(n, Some(t))).collect();
    let (rules, _) = crate::rules::load(dir.path(), &fields, &Default::default())
        .unwrap_or_else(|e| panic!("{e}"));
    lint(&rules, crate::time::Date::new(2026, 1, 1).unwrap())
}

/// "line:column CODE [rule] message" of a warning.
fn shown(d: &Diagnostic) -> String {
    let code = d.code.expect("every lint warning has a code");
    let rule = d.rule.as_deref().unwrap_or("-");
    format!("{}:{} {code} [{rule}] {}", d.line, d.column, d.message)
}

/// [`lint_yaml`] with each warning's help.
pub(super) fn lint_yaml_full(yaml: &str, fields: &[(&str, &str)]) -> Vec<String> {
    lint_file(yaml, fields)
        .iter()
        .map(|d| format!("{} | help: {}", shown(d), d.help.as_deref().unwrap_or("-")))
        .collect()
}

/// Lints a one-file rule set: "line:column CODE [rule] message" per warning (each a
/// warning with a help).
pub(super) fn lint_yaml(yaml: &str, fields: &[(&str, &str)]) -> Vec<String> {
    lint_file(yaml, fields)
        .iter()
        .map(|d| {
            assert_eq!(d.severity, Severity::Warning);
            assert!(d.help.is_some(), "{d}");
            shown(d)
        })
        .collect()
}

/// The columns the lint tests' rules read, with their declared types.
pub(super) const X: &[(&str, &str)] = &[("x", "REAL"), ("y", "INTEGER"), ("region", "TEXT")];

#[test]
fn registry_codes_and_names_are_unique_and_well_formed() {
    for (k, lint) in LINTS.iter().enumerate() {
        let number = lint
            .code
            .strip_prefix("TW")
            .and_then(|n| n.parse::<u32>().ok());
        assert!(number.is_some() && lint.code.len() == 5, "{}", lint.code);
        assert!(
            lint.name.split('-').all(|w| !w.is_empty()
                && w.chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())),
            "{} is not kebab-case",
            lint.name
        );
        assert_ne!(lint.hit, Policies::None, "{} runs on no table", lint.code);
        for other in &LINTS[..k] {
            assert!(
                other.code < lint.code,
                "codes ascend: {} after {}",
                lint.code,
                other.code
            );
            assert_ne!(other.name, lint.name);
        }
    }
}

#[test]
fn outputs_of_earlier_decisions_have_known_values() {
    // `tier` is always A, B or C: the last row of `commission` is never reached, and
    // `visits` needs no default row.
    let yaml = r#"
decisions:
  - name: tier
    rules:
      - { id: tier-a, when: "x >= 0.8", then: { tier: A } }
      - { id: tier-b, when: "x >= 0.4", then: { tier: B } }
      - { id: tier-c, then: { tier: C } }
  - name: commission
    output: commission
    rules:
      - { id: comm-a, when: 'tier == "A"', value: 1 }
      - { id: comm-bc, when: 'tier in ["B", "C"]', value: 2 }
      - { id: comm-other, value: 3 }
  - name: visits
    output: visits
    rules:
      - { id: visits-a, when: 'tier == "A"', value: 4 }
      - { id: visits-other, when: 'tier != "A"', value: 1 }
"#;
    assert_eq!(
        lint_yaml(yaml, X),
        [
            "13:15 TW101 [comm-other] row `comm-other` can never match: the rows above already match every customer"
        ]
    );
}

#[test]
fn outputs_given_by_formulas_of_known_values_have_known_values() {
    // `tier` is `abc`'s value, an `if` of constants or last period's `tier`: always A,
    // B, C or NULL, so `tier == "a"` (a slip of case) can never match.
    let yaml = r#"
decisions:
  - name: abc
    rules:
      - { id: abc-a, when: "x >= 0.8", then: { abc: A } }
      - { id: abc-b, then: { abc: B } }
  - name: tier
    rules:
      - { id: tier-first, when: 'is_null(previous.tier)', then: { tier: "= abc" } }
      - { id: tier-down, when: "x < 0.1", then: { tier: '= if x < 0.05 { "C" } else { "B" }' } }
      - { id: tier-held, then: { tier: "= previous.tier" } }
  - name: discount
    output: pct
    rules:
      - { id: disc-a, when: 'tier == "a"', value: 5 }
      - { id: disc-c, when: 'tier == "C"', value: 1 }
      - { id: disc-none, value: 0 }
"#;
    assert_eq!(
        lint_yaml(yaml, X),
        [
            "15:30 TW102 [disc-a] row `disc-a` can never match: no customer can satisfy its condition"
        ]
    );
    // A formula of unknown values (a field) leaves the output's values unknown.
    let open = yaml.replace(r#"'= if x < 0.05 { "C" } else { "B" }'"#, "'= region'");
    assert_eq!(lint_yaml(&open, X), Vec::<String>::new());
}

#[test]
fn shipped_rules_have_no_warnings() {
    // The columns of the bundled config's customer query over the bundled sample, as the
    // shipped rules are loaded against.
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let config = crate::config::Config::load(&root.join("config/tierwise.yaml")).unwrap();
    let conn = rusqlite::Connection::open_in_memory().unwrap();
    let spec = crate::source::sample::SampleSpec {
        customers: 3,
        seed: 1,
        history: true,
    };
    crate::source::sample::generate_into(&conn, &spec, &mut |_| {}).unwrap();
    let bound = [
        (":as_of", "2026-06-30"),
        (":period_start", "2026-04-01"),
        (":period_end", "2026-06-30"),
    ];
    let source = crate::source::SqliteSource::with_connection(conn, &config.source)
        .with_dates(&config.date_columns)
        .with_parameters(bound.map(|(p, v)| (p.to_owned(), v.to_owned())).to_vec());
    let fields = crate::source::CustomerSource::columns(&source).unwrap();
    let dir = root.join("rules");
    let (rules, _) =
        crate::rules::load(&dir, &fields, &Default::default()).unwrap_or_else(|e| panic!("{e}"));
    let warnings: Vec<String> = lint(&rules, crate::time::today())
        .iter()
        .map(|d| d.to_string())
        .collect();
    assert!(warnings.is_empty(), "{}", warnings.join("\n\n"));
}
