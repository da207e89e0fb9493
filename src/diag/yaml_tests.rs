use super::*;

#[test]
fn a_comma_in_a_number_inside_braces_is_said_as_such() {
    let text = "- { id: a, value: 1,000 }\n- { id: b, then: { x: 2, y: 3 } }\n";
    assert_eq!(
        split_number(text, 1, "000").as_deref(),
        Some(
            "in `{ ... }` a comma separates entries, so `1,000` was read as `1` and a key `000`: write 1000, without the thousands separator (or 1.000 if the comma is a decimal point)"
        )
    );
    // A comma that cannot group thousands is a decimal comma, with or without `%`.
    let decimals = "- { id: a, value: 0,5 }\n- { id: b, value: 1,5% }\n";
    assert_eq!(
        split_number(decimals, 1, "5").as_deref(),
        Some(
            "in `{ ... }` a comma separates entries, so `0,5` was read as `0` and a key `5`: write 0.5, with a decimal point"
        )
    );
    assert_eq!(
        split_number(decimals, 2, "5%").as_deref(),
        Some(
            "in `{ ... }` a comma separates entries, so `1,5%` was read as `1` and a key `5%`: write 1.5 for 1,5%: a percentage is a number here"
        )
    );
    // Digits that end a word (`v1,2`, `€1,5`): the value is text, to be quoted.
    assert_eq!(
        split_number("- { version: v1,2 }\n- { p: €1,5 }\n", 1, "2").as_deref(),
        Some(
            "in `{ ... }` a comma separates entries, so `v1,2` was read as `v1` and a key `2`: quote the value: \"v1,2\""
        )
    );
    assert!(split_number("- { version: v1,2 }\n- { p: €1,5 }\n", 2, "5").is_some());
    // A date written as in a letter: the ISO date, not a decimal point (`1.2026`).
    assert_eq!(
        split_number(
            "- { id: a1, effective: { from: April 1, 2026 } }\n",
            1,
            "2026"
        )
        .as_deref(),
        Some(
            "in `{ ... }` a comma separates entries, so `1, 2026` was read as `1` and a key `2026`: a date is written year-month-day, `2026-04-01`"
        )
    );
    assert_eq!(
        split_number("- { from: Feb 30, 2026 }\n", 1, "2026").as_deref(),
        Some(
            "in `{ ... }` a comma separates entries, so `30,2026` was read as `30` and a key `2026`: write 30.2026, with a decimal point"
        )
    );
    // `y` after `2,` is a key of its own, not digits.
    assert_eq!(split_number(text, 2, "y"), None);
    assert_eq!(split_number(text, 2, "3"), None);
    assert_eq!(split_number(text, 9, "000"), None);
}

#[test]
fn messages_in_words() {
    assert_eq!(
        message("non-finite float `.nan` rejected by the configured policy at line 4, column 9"),
        "`.nan` is not a number a rule can use (not a number, or infinite): write a number"
    );
    assert_eq!(
        message("cannot deserialize null into string; use Option<String> at line 4, column 9"),
        "a value is missing here"
    );
    assert_eq!(
        message("invalid u64 at line 2, column 3"),
        "expected a whole number (0 or more) here"
    );
    assert_eq!(
        message("duplicate mapping key: expect, set 2 at line 3, column 1"),
        "`expect` is given twice"
    );
    // Only a second `when:` is about a row's conditions (a config's `limits:` is not).
    assert_eq!(
        structure_help("`limits` is given twice").as_deref(),
        Some("a key appears once in its mapping: keep one")
    );
    assert!(
        structure_help("`when` is given twice")
            .unwrap()
            .contains("joined with `&&`")
    );
    assert_eq!(
        unknown_key_help("unknown field `rulez`, expected one of database, customers, rules")
            .as_deref(),
        Some("did you mean `rules`?")
    );
    assert_eq!(
        unknown_key_help("unknown field `zzz`, expected one of a, b").as_deref(),
        Some("expected one of: a, b")
    );
}

#[test]
fn a_missing_key_is_said_at_the_first_key_of_its_mapping() {
    #[derive(serde::Deserialize, Debug)]
    #[allow(dead_code)]
    struct Row {
        id: String,
        when: Option<String>,
        value: Option<i64>,
    }
    for (text, at) in [
        (
            "- { id: a, value: 1 }\n- { when: x > 1, value: 2 }\n",
            (2, 5),
        ),
        ("- id: a\n- when: x > 1\n  value: 2\n", (2, 3)),
        ("- id: a\n- { when: '{ x }', value: 1 }\n", (2, 5)),
        ("- id: a\n- { then: { t: A }, when: x }\n", (2, 5)),
    ] {
        let file = SourceFile::new("t.yaml".into(), text.into());
        let d = parse::<Vec<Row>>(&file).unwrap_err();
        assert_eq!((d.line, d.column), at, "{text:?}: {d}");
        assert_eq!(d.message, "missing key `id:` in this mapping", "{text:?}");
        assert!(
            d.help
                .as_deref()
                .unwrap()
                .starts_with("every rule needs an `id:`")
        );
    }
    // Not sure where the mapping starts: the parser's position stays.
    assert_eq!(mapping_start("a:\n    b: 1\n", 2, 5), None);
}

#[test]
fn indentation_mistakes_are_said_in_words_with_the_fix() {
    for (text, at, message) in [
        ("rules:\n  - { id: a }\n - { id: b }\n", (3, 2), INDENTED),
        ("rule:\n  id: a\n  value: 1\n    when: x\n", (4, 9), COLON),
        ("rule:\n  when: \"A\" == tier\n", (2, 13), QUOTED),
    ] {
        let file = SourceFile::new("t.yaml".into(), text.into());
        let d = parse::<serde_json::Value>(&file).unwrap_err();
        assert_eq!(
            (d.line, d.column, d.message.as_str()),
            (at.0, at.1, message),
            "{text:?}"
        );
        let help = match message {
            INDENTED => "YAML reads the structure from the indentation",
            COLON => "if this line belongs to the mapping above",
            _ => "put the whole expression in the other quotes",
        };
        assert!(d.help.as_deref().unwrap().starts_with(help), "{d}");
    }
}

#[test]
fn a_tab_is_pointed_at_where_it_is() {
    // The parser blames the plain scalar on the line above ("while scanning a plain
    // scalar, found a tab"), or the character after the tab.
    for (text, at) in [
        ("id: a\nwhen: x > 1\n\tthen: 1\n", (3, 1)),
        ("rows:\n  - id: a\n  \t- id: b\n", (3, 3)),
        ("rows:\n\t- id: a\n", (2, 1)),
    ] {
        let file = SourceFile::new("t.yaml".into(), text.into());
        let d = parse::<serde_json::Value>(&file).unwrap_err();
        assert_eq!((d.line, d.column), at, "{text:?}: {d}");
        assert_eq!(d.message, "a tab indents this line", "{text:?}");
    }
}

#[test]
fn a_mistyped_key_is_pointed_at_with_a_suggestion() {
    #[derive(serde::Deserialize, Debug)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Row {
        id: String,
        when: Option<String>,
    }
    let file = SourceFile::new("t.yaml".into(), "id: a\nwehn: x > 1\n".into());
    let d = parse::<Row>(&file).unwrap_err();
    assert_eq!((d.line, d.column), (2, 1));
    assert_eq!(d.help.as_deref(), Some("did you mean `when`?"));
    assert!(
        d.message.starts_with("unknown field `wehn`"),
        "{}",
        d.message
    );
}

/// A decimal comma where serde wanted a number got its raw message only.
#[test]
fn a_decimal_comma_in_a_rounding_step_says_what_to_write() {
    let text = "    round: { nearest: 0,01 }\n    round: { up: \"0,5\" }\n    values: [1,2]\n";
    let help = |message: &str, line: usize| comma_number_help(message, text, line);
    assert_eq!(
        help("expected end of mapping after enum variant value", 1).as_deref(),
        Some(
            "`0,01` has a decimal comma: write 0.01, a number with a decimal point (not in quotes)"
        )
    );
    assert_eq!(
        help("invalid floating point", 2).as_deref(),
        Some("`0,5` has a decimal comma: write 0.5, a number with a decimal point (not in quotes)")
    );
    // Other messages, or no such number on the line: no help of this kind.
    assert_eq!(help("invalid type: string", 3), None);
    assert_eq!(help("invalid floating point", 9), None);
}
