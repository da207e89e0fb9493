//! Words and numbers for people: `1,234,567.89`, "1 error", "3 errors", a value as an
//! admin would write it in YAML.

/// `1234567.891` -> `1,234,567.89`; whole numbers get no decimals.
pub fn thousands(x: f64) -> String {
    let negative = x < 0.0;
    let x = x.abs();
    let whole = x.trunc() as u128;
    let frac = x - x.trunc();
    let digits = whole.to_string();
    let mut out = String::new();
    for (k, c) in digits.chars().enumerate() {
        if k > 0 && (digits.len() - k).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    if frac > 0.0 {
        let cents = format!("{frac:.2}");
        if cents == "1.00" {
            return thousands(if negative {
                -(x.trunc() + 1.0)
            } else {
                x.trunc() + 1.0
            });
        }
        out.push_str(&cents[1..]);
    }
    if negative { format!("-{out}") } else { out }
}

/// A total for people: money with two decimals and the currency, others as they are.
pub fn amount(x: f64, money: bool, currency: Option<&str>) -> String {
    match (money, currency) {
        (true, Some(c)) => format!("{c} {}", cents(x)),
        (true, None) => cents(x),
        (false, _) => thousands(x),
    }
}

/// A difference with its sign: `+784,416.59`, `-12`.
pub fn signed(d: f64, money: bool) -> String {
    let sign = if d < 0.0 { '-' } else { '+' };
    let magnitude = if money {
        cents(d.abs())
    } else {
        thousands(d.abs())
    };
    format!("{sign}{magnitude}")
}

/// `36,796,816.69`: thousands separators and always two decimals.
pub fn cents(x: f64) -> String {
    let fixed = format!("{:.2}", x.abs());
    let (whole, decimals) = fixed.split_once('.').unwrap_or((&fixed, "00"));
    let whole = thousands(whole.parse::<f64>().unwrap_or(0.0));
    let sign = if x < 0.0 && fixed != "0.00" { "-" } else { "" };
    format!("{sign}{whole}.{decimals}")
}

/// "1 error", "2 errors".
pub fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("1 {word}")
    } else {
        format!("{n} {word}s")
    }
}

/// A value as an admin would write it in a test file: `A`, `12`, `null`, `[a, b]`; text that
/// would read as something else (`"12"`, `"true"`, `""`) is quoted.
pub fn as_yaml(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::Null => "null".into(),
        serde_json::Value::String(s) => {
            let ambiguous = s.is_empty()
                || s.trim() != s
                || s.parse::<f64>().is_ok()
                || matches!(s.as_str(), "true" | "false" | "null" | "~")
                || s.contains([',', '[', ']', '"']);
            if ambiguous {
                serde_json::Value::String(s.clone()).to_string()
            } else {
                s.clone()
            }
        }
        serde_json::Value::Array(items) => {
            let items: Vec<String> = items.iter().map(as_yaml).collect();
            format!("[{}]", items.join(", "))
        }
        serde_json::Value::Number(n) => match (n.as_i64(), n.as_f64()) {
            (Some(i), _) => i.to_string(),
            (None, Some(f)) => f.to_string(),
            _ => n.to_string(),
        },
        other => other.to_string(),
    }
}

/// A path for messages: relative to the working directory when it is inside it.
pub fn shown(path: &std::path::Path) -> std::path::PathBuf {
    std::env::current_dir()
        .ok()
        .and_then(|cwd| {
            path.strip_prefix(cwd)
                .ok()
                .map(std::path::Path::to_path_buf)
        })
        .unwrap_or_else(|| path.to_path_buf())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_thousands() {
        assert_eq!(thousands(0.0), "0");
        assert_eq!(thousands(1234567.891), "1,234,567.89");
        assert_eq!(thousands(999.999), "1,000");
        assert_eq!(thousands(-1500.0), "-1,500");
        assert_eq!(thousands(100.0), "100");
    }

    #[test]
    fn values_as_written_in_yaml() {
        use serde_json::json;
        assert_eq!(as_yaml(&json!("A")), "A");
        assert_eq!(as_yaml(&json!("12")), "\"12\"");
        assert_eq!(as_yaml(&json!("")), "\"\"");
        assert_eq!(as_yaml(&json!(null)), "null");
        assert_eq!(as_yaml(&json!(8.0)), "8");
        assert_eq!(
            as_yaml(&json!(["business", "technical"])),
            "[business, technical]"
        );
    }

    #[test]
    fn plurals() {
        assert_eq!(plural(1, "error"), "1 error");
        assert_eq!(plural(0, "warning"), "0 warnings");
    }
}
