use super::*;

/// (line, column, width, instead) of each habit, and the expression fixed.
fn scan(body: &str) -> (Vec<(usize, usize, usize, String)>, String) {
    let habits = find(body);
    let shown = habits
        .iter()
        .map(|h| (h.line, h.column, h.width, h.instead.clone()))
        .collect();
    (shown, fix(body, &habits))
}

#[test]
fn each_habit_is_found_and_fixed() {
    let cases = [
        ("tier = \"A\"", "tier == \"A\""),
        ("segment == “Premium”", "segment == \"Premium\""),
        ("segment == ‘Premium’", "segment == \"Premium\""),
        ("status == 'Premium'", "status == \"Premium\""),
        ("a > 1 and b < 2", "a > 1 && b < 2"),
        ("a or c", "a || c"),
        ("not is_null(x)", "!is_null(x)"),
        ("NOT is_null(x)", "!is_null(x)"),
        ("x <> \"B\"", "x != \"B\""),
        ("rank >= 80%", "rank >= 0.8"),
        ("rank >= 12.5%", "rank >= 0.125"),
        ("rank >= 0,80", "rank >= 0.80"),
        ("sales > 1,000,000", "sales > 1000000"),
        ("IF(x > 30, 1, 2)", "if x > 30 { 1 } else { 2 }"),
        ("AND(x > 1, y)", "(x > 1 && y)"),
        ("OR(x > 1, y, z)", "(x > 1 || y || z)"),
        ("IF(x = 0, 80%, 0)", "if x == 0 { 0.8 } else { 0 }"),
        ("x == 0 and (y ?? 0) < 40", "x == 0 && (y ?? 0) < 40"),
        ("x or (y)", "x || (y)"),
        ("not (key_account)", "!(key_account)"),
        ("credit_score =< 40", "credit_score <= 40"),
        ("credit_score => 40", "credit_score >= 40"),
        ("credit_score ≥ 40 && x ≠ 1", "credit_score >= 40 && x != 1"),
        ("sales_rank >= 0.8 %", "sales_rank >= 0.008"),
        ("x > 1 AND (y < 2)", "x > 1 && (y < 2)"),
        ("sales_pct == null", "sales_pct == ()"),
        ("tier in (\"A\",\"B\")", "tier in [\"A\", \"B\"]"),
        ("sales > 100k", "sales > 100000"),
        ("sales > 1.5M", "sales > 1500000"),
        ("sales > 2.01k", "sales > 2010"),
        ("sales > 0.5k", "sales > 500"),
        ("sales > 1.2345k", "sales > 1234.5"),
        ("rate >= .8", "rate >= 0.8"),
        ("sales > 1.000.000", "sales > 1000000"),
    ];
    for (written, fixed) in cases {
        let (habits, got) = scan(written);
        // One habit each; an `IF` also holds those of its arguments.
        assert!(!habits.is_empty(), "{written}");
        assert_eq!(got, fixed, "{written}");
    }
    // One character in single quotes is Rhai's character, which compares with text.
    assert_eq!(find("code == 'D'"), []);
    assert_eq!(find("code == '\\n'"), []);
}

#[test]
fn what_rhai_means_is_left_alone() {
    for body in [
        "a == 1 && b != 2 || c <= 3 && d >= 4",
        "x % 3 == 0",
        "x %3 == 0",
        "max(0,80)",
        "min(x, 1,000)",
        "tier == \"a = b, 80% and 0,80\"",
        "'='",
        "`and ${x}`",
        "s.and(1)",
        "if x > 1 { 2 } else { 3 }",
        "score(1, 2)",
        "switch x { 1..=5 => 1, _ => 2 }",
        "x % y",
        "10 % -3",
        "x in [1, 2] && (1..5).contains(y) && s.len() > 0.5",
        "f(x).y > 1.25 && km > 2 && 3 > mm",
    ] {
        assert_eq!(find(body), vec![], "{body}");
    }
}

#[test]
fn positions_are_lines_and_columns_inside_the_expression() {
    let (habits, _) = scan("a > 1\n  and b = 2");
    assert_eq!(
        habits,
        [(2, 3, 3, "&&".to_owned()), (2, 9, 1, "==".to_owned())]
    );
}

#[test]
fn messages_and_help_read_as_advice() {
    let h = &find("rank >= 80%")[0];
    assert_eq!(
        h.message,
        "`80%` is not how a rule says it: a percentage is written as a fraction, `0.8`"
    );
    assert_eq!(
        help(h, Some("rank >= 0.8")),
        "write `rank >= 0.8` (or `80` when the value is in percent)"
    );
    assert_eq!(
        help(h, None),
        "write `0.8` here (or `80` when the value is in percent)"
    );
    // A percentile is a share, whatever its name says.
    let h = &find("sales_percentile >= 80%")[0];
    assert!(
        h.message
            .ends_with("a percentage is written as a fraction, `0.8`"),
        "{}",
        h.message
    );
    // A name that says percent: the number itself keeps the rule's meaning.
    let h = &find("sales_change_pct < -25%")[0];
    assert_eq!(
        h.message,
        "`25%` is not how a rule says it: the value is in percent, so write `25`"
    );
    assert_eq!(
        help(h, Some("sales_change_pct < -25")),
        "write `sales_change_pct < -25` (or `-0.25` when the value is a share)"
    );
    let h = &find("IF(a, b, c)")[0];
    assert_eq!(
        h.message,
        "`IF(...)` is not a function in a rule: a choice is written `if condition { a } else { b }`"
    );
    assert_eq!(
        quoted_name_help("tier ==\n  A || x", 2, 3, "A"),
        "did you mean the text \"A\"? Text is written in quotes: `tier == \"A\" || x`"
    );
}
