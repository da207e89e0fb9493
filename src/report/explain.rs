//! `tierwise explain` as text: the fields, metrics and population figures of one customer,
//! and for each decision every row tried.

use super::{Report, thousands};
use crate::engine::explain::{DecisionTrace, Explanation, Named};
use std::io::{self, Write};

impl Report for Explanation {
    fn text(&self, out: &mut dyn Write, _color: bool) -> io::Result<()> {
        let width = |items: &[Named]| items.iter().map(|n| n.name.len()).max().unwrap_or(0);
        writeln!(
            out,
            "customer {} (one of {} customers; rules {}; as of {}, period {})",
            self.customer,
            thousands(self.customers as f64),
            self.fingerprint,
            self.as_of,
            self.period
        )?;
        let section = |out: &mut dyn Write, title: &str, items: &[Named]| -> io::Result<()> {
            if items.is_empty() {
                return Ok(());
            }
            writeln!(out, "\n{title}")?;
            let w = width(items);
            for n in items {
                writeln!(out, "  {:<w$}  {}", n.name, show(&n.value))?;
            }
            Ok(())
        };
        section(out, "fields the rules use", &self.fields)?;
        section(out, "metrics", &self.metrics)?;
        if !self.population.is_empty() {
            writeln!(out, "\npopulation")?;
            let w = self
                .population
                .iter()
                .map(|f| f.name.len())
                .max()
                .unwrap_or(0);
            for f in &self.population {
                writeln!(
                    out,
                    "  {:<w$}  {}  ({} = {}: {})",
                    f.name,
                    show(&f.value),
                    f.of,
                    show(&f.input),
                    f.meaning
                )?;
            }
        }
        writeln!(out, "\ndecisions")?;
        for d in &self.decisions {
            write_decision(d, &self.as_of, out)?;
        }
        writeln!(out, "\nrule ids: {}", self.rule_ids.join(", "))
    }
}

/// One decision: every row tried, with the values it looked at, and what it gave.
fn write_decision(d: &DecisionTrace, as_of: &str, out: &mut dyn Write) -> io::Result<()> {
    writeln!(out, "\n  {} (hit: {})", d.name, d.hit)?;
    if let Some(s) = &d.scale {
        writeln!(out, "    scale over {} = {}", s.name, show(&s.value))?;
    }
    for r in &d.rows {
        let mark = if r.matched { "✓" } else { "✗" };
        let when = r
            .when
            .as_deref()
            .map_or("(always)".to_owned(), |w| format!("when {w}"));
        writeln!(out, "    {mark} {}  {when}", r.id)?;
        if let Some(window) = &r.not_in_effect {
            writeln!(out, "        not in effect: {window} (as of {as_of})")?;
            continue;
        }
        if !r.inputs.is_empty() {
            let inputs: Vec<String> = r
                .inputs
                .iter()
                .map(|n| format!("{} = {}", n.name, show(&n.value)))
                .collect();
            writeln!(out, "        with {}", inputs.join(", "))?;
        }
        if let Some(part) = &r.failed_at {
            writeln!(out, "        fails at: {part}")?;
        }
        for g in &r.gives {
            writeln!(out, "        gives {} = {}", g.name, show(&g.value))?;
        }
    }
    if !d.not_tried.is_empty() {
        writeln!(
            out,
            "    not tried (an earlier row matched): {}",
            d.not_tried.join(", ")
        )?;
    }
    let outputs: Vec<String> = d
        .outputs
        .iter()
        .map(|n| format!("{} = {}", n.name, show(&n.value)))
        .collect();
    let mut line = format!("    => {}", outputs.join(", "));
    let before = d
        .before_round_and_caps
        .map(|b| show(&serde_json::Value::from(b)));
    if !d.capped_by.is_empty() {
        let before = before.map_or(String::new(), |b| format!("{b}, "));
        line.push_str(&format!("  ({before}bound by {})", d.capped_by.join(", ")));
    } else if let Some(b) = before
        && d.outputs.first().map(|o| show(&o.value)) != Some(b.clone())
    {
        line.push_str(&format!("  ({b} before rounding)"));
    } else if d.rows.iter().all(|r| !r.matched) && d.hit != "collect (sum)" {
        line.push_str("  (no row matched)");
    }
    writeln!(out, "{line}")?;
    Ok(())
}

/// A value for people: NULL, text as is (empty text as `""`), decimals to 4 places.
fn show(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::Null => "NULL".to_owned(),
        serde_json::Value::String(s) if s.is_empty() => "\"\"".to_owned(),
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Number(n) if n.is_f64() => {
            let x = n.as_f64().unwrap_or_default();
            let text = format!("{x:.4}");
            let text = text.trim_end_matches('0');
            if text.ends_with('.') {
                format!("{text}0")
            } else {
                text.to_owned()
            }
        }
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::show;

    #[test]
    fn shows_values_for_people() {
        assert_eq!(show(&serde_json::json!(0.8508771929824561)), "0.8509");
        assert_eq!(show(&serde_json::json!(2.0)), "2.0");
        assert_eq!(show(&serde_json::json!(12000)), "12000");
        assert_eq!(show(&serde_json::json!("")), "\"\"");
        assert_eq!(show(&serde_json::Value::Null), "NULL");
    }
}
