//! `tierwise explain` as text: the fields, metrics and population figures of one customer,
//! and for each decision every row tried.

use super::{Report, thousands};
use crate::engine::explain::{DecisionTrace, Explanation, Named, Recorded};
use crate::text::Number;
use std::io::{self, Write};

impl Report for Explanation {
    fn text(&self, out: &mut dyn Write, _color: bool) -> io::Result<()> {
        let width = |items: &[Named]| items.iter().map(|n| n.name.len()).max().unwrap_or(0);
        let b = &self.boundaries[..];
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
                writeln!(out, "  {:<w$}  {}", n.name, show(&n.value, b))?;
            }
            Ok(())
        };
        if let Some(r) = &self.recorded {
            writeln!(out, "{}", recorded_line(r, &self.as_of, b))?;
        }
        if let Some(l) = &self.latest_run {
            let none = match self.period_pruned {
                // Its record is kept (rules, totals): only its policies are gone.
                true => format!(
                    "{}'s official run was pruned (`prune --keep`: its policies deleted, its record kept in the run table), so there is no recorded policy to compare with",
                    self.period
                ),
                false => format!(
                    "{} has no recorded run (what the rules read of earlier periods may be NULL)",
                    self.period
                ),
            };
            writeln!(
                out,
                "note: {none}; the latest is {}'s (run {}, as of {}): `--as-of {}` explains the customer as of it",
                l.period, l.run_id, l.as_of, l.as_of
            )?;
        }
        if !self.history_read.is_empty() {
            let read: Vec<String> = (self.history_read.iter())
                .map(|h| match h.run_id {
                    Some(run) => format!("{} = {} (run {run})", h.reads, h.period),
                    None => format!("{} = {} (no run: NULL)", h.reads, h.period),
                })
                .collect();
            writeln!(out, "history read: {}", read.join(", "))?;
        }
        for note in [&self.stale_history, &self.unreadable_data]
            .into_iter()
            .flatten()
        {
            writeln!(out, "note: {note}")?;
        }
        if let Some(today) = &self.after_today {
            let words = crate::time::after_today_words(&self.as_of, today);
            writeln!(out, "note: {words}")?;
        }
        if let Some(at) = &self.failed_at {
            writeln!(
                out,
                "\nthe evaluation failed at {at} (the error follows); below is what it worked out before"
            )?;
        }
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
                    show(&f.value, b),
                    f.of,
                    show(&f.input, b),
                    f.meaning
                )?;
            }
        }
        if !self.decisions.is_empty() {
            writeln!(out, "\ndecisions")?;
        }
        for d in &self.decisions {
            write_decision(d, &self.as_of, b, out)?;
        }
        match &self.failed_at {
            Some(at) => writeln!(out, "\nstopped: {at} failed"),
            None => writeln!(out, "\nrule ids: {}", self.rule_ids.join(", ")),
        }
    }
}

/// One decision: every row tried, with the values it looked at, and what it gave.
fn write_decision(
    d: &DecisionTrace,
    as_of: &str,
    b: &[f64],
    out: &mut dyn Write,
) -> io::Result<()> {
    match &d.aggregate {
        Some(aggregate) => writeln!(out, "\n  {} (hit: {} ({aggregate}))", d.name, d.hit)?,
        None => writeln!(out, "\n  {} (hit: {})", d.name, d.hit)?,
    }
    if let Some(s) = &d.scale {
        writeln!(out, "    scale over {} = {}", s.name, show(&s.value, b))?;
    }
    for r in &d.rows {
        let mark = match (r.failed, r.matched) {
            (true, _) => "!",
            (false, true) => "✓",
            (false, false) => "✗",
        };
        let when = r.when.as_deref().map_or("(always)".to_owned(), |w| {
            format!("when {}", crate::text::unhidden(w))
        });
        if r.cells.is_empty() {
            writeln!(out, "    {mark} {}  {when}", r.id)?;
        } else {
            // A grid row: each cell's verdict says why.
            writeln!(out, "    {mark} {}", r.id)?;
        }
        if let Some(window) = &r.not_in_effect {
            writeln!(out, "        not in effect: {window} (as of {as_of})")?;
            continue;
        }
        if !r.inputs.is_empty() {
            writeln!(out, "        with {}", pairs(&r.inputs, b))?;
        }
        for c in &r.cells {
            let verdict = match (c.tried, c.holds) {
                (false, _) => "not tried (an earlier cell does not hold)",
                (true, Some(true)) => "yes",
                (true, Some(false)) => "no",
                (true, None) => "error",
            };
            writeln!(out, "        {}: {verdict}", c.test)?;
        }
        if r.failed {
            writeln!(out, "        failed here (the error follows)")?;
        }
        // A grid row's cells above already say which failed.
        if let Some(part) = r.failed_at.as_ref().filter(|_| r.cells.is_empty()) {
            writeln!(out, "        fails at: {part}")?;
        }
        for g in &r.gives {
            writeln!(out, "        gives {} = {}", g.name, show(&g.value, b))?;
            // A formula: what it computed the value from (on one line, as written over several).
            if let Some(formula) = &g.formula {
                let formula = formula.split_whitespace().collect::<Vec<_>>().join(" ");
                match g.with.is_empty() {
                    true => writeln!(out, "          = {formula}")?,
                    false => writeln!(out, "          = {formula}, with {}", pairs(&g.with, b))?,
                }
            }
        }
    }
    if d.failed {
        if !d.not_tried.is_empty() {
            writeln!(out, "    not reached: {}", d.not_tried.join(", "))?;
        }
        return Ok(());
    }
    if !d.not_tried.is_empty() {
        writeln!(
            out,
            "    not tried (an earlier row matched): {}",
            d.not_tried.join(", ")
        )?;
    }
    if !d.limits.is_empty() {
        // The value the limits applied to, as it came out.
        let result = (d.outputs.iter())
            .find(|o| Some(&o.name) == d.rounded_output.as_ref())
            .and_then(|o| o.value.as_f64());
        let limits: Vec<String> = (d.limits.iter())
            .map(|l| {
                let value = l.value.map_or("none (NULL)".to_owned(), |x| {
                    let sign = if l.side == "min" { ">=" } else { "<=" };
                    format!("{sign} {}", show(&Number(x).to_json(), b))
                });
                // A floor above a ceiling: the ceiling wins (README), and the floor is not
                // met; a reader of a credit file must not take the floor as granted.
                let unmet = l.side == "min"
                    && (l.value.zip(result))
                        .is_some_and(|(x, r)| r < x && !crate::value::same_number(r, x));
                let bound = match (unmet, l.bound) {
                    (true, _) => Some("not met: a lower ceiling wins".to_owned()),
                    (false, true) => Some("bound".to_owned()),
                    (false, false) => None,
                };
                // What a computed limit stood on (`= previous.credit_limit * 0.8` with the
                // previous period's limit): the figure behind a damping, not only its result.
                let from = match (&l.formula, l.with.is_empty()) {
                    (Some(f), false) => Some(format!("= {f}, with {}", pairs(&l.with, b))),
                    _ => None,
                };
                let said: Vec<String> = bound.into_iter().chain(from).collect();
                match said.is_empty() {
                    true => format!("{} {value}", l.id),
                    false => format!("{} {value} ({})", l.id, said.join("; ")),
                }
            })
            .collect();
        writeln!(out, "    limits: {}", limits.join(", "))?;
    }
    let mut line = format!("    => {}", pairs(&d.outputs, b));
    let before = d
        .before_round_and_caps
        .map(|x| show(&serde_json::Value::from(x), b));
    if !d.capped_by.is_empty() {
        let rounded = d
            .rounded
            .as_ref()
            .map(|x| format!("rounded to {}, ", show(x, b)));
        let before = before.map_or(String::new(), |x| format!("{x}, "));
        let before = format!("{before}{}", rounded.unwrap_or_default());
        // A limit that bound is rounded to the step again, inside it (629,997.035 -> 629,000).
        // The limit that decided: a ceiling that bound, else a floor (applied first).
        let limit = (d.limits.iter())
            .filter(|l| l.bound)
            .max_by_key(|l| l.side == "max")
            .and_then(|l| l.value);
        let output = (d.outputs.iter()).find(|o| Some(&o.name) == d.rounded_output.as_ref());
        let to_step = match (limit, output.and_then(|o| o.value.as_f64())) {
            (Some(limit), Some(value)) if d.rounded.is_some() && value != limit => {
                format!(
                    " at {}, then to the step",
                    show(&Number(limit).to_json(), b)
                )
            }
            _ => String::new(),
        };
        line.push_str(&format!(
            "  ({before}bound by {}{to_step})",
            d.capped_by.join(", ")
        ));
    } else if let Some(x) = before
        && let Some(output) = (d.outputs.iter()).find(|o| Some(&o.name) == d.rounded_output.as_ref())
        // Said only where it differs: not for 0 from 0.0, nor for what shows alike.
        && output.value.as_f64() != d.before_round_and_caps
        && show(&output.value, b) != x
    {
        line.push_str(&format!("  ({x} before rounding)"));
    } else if !d.defaults.is_empty() {
        line.push_str(&format!(
            "  (no row matched: the default of {})",
            d.defaults.join(", ")
        ));
    } else if d.rows.iter().all(|r| !r.matched) && d.aggregate.as_deref() != Some("sum") {
        line.push_str("  (no row matched)");
    }
    writeln!(out, "{line}")?;
    if let Some(c) = &d.chosen {
        let n = c.matched;
        let why = if c.value.is_null() {
            format!(
                "no row that matched gave `{}` a value: {}",
                c.output, c.tie_break
            )
        } else {
            let tie = match c.ties {
                0 | 1 => String::new(),
                ties => format!(" ({ties} rows tie: {})", c.tie_break),
            };
            let value = show(&c.value, b);
            format!("its `{}` ({value}) {}{tie}", c.output, c.compared)
        };
        writeln!(
            out,
            "       by {}: of the {n} rows that matched, {why}",
            c.rule
        )?;
    }
    Ok(())
}

/// A value for people: NULL, text as is (empty text as `""`), decimals to 4 places, or
/// more where 4 would put the value on the other side of one of `boundaries` (or on it):
/// 0.79997 next to `>= 0.80` is not shown as 0.8.
pub fn show(v: &serde_json::Value, boundaries: &[f64]) -> String {
    match v {
        serde_json::Value::Null => "NULL".to_owned(),
        serde_json::Value::String(s) if s.is_empty() => "\"\"".to_owned(),
        serde_json::Value::String(s) => crate::text::visible(s).into_owned(),
        serde_json::Value::Number(n) if n.is_f64() => {
            decimal(n.as_f64().unwrap_or_default(), boundaries)
        }
        other => other.to_string(),
    }
}

/// How the rules compare `x` with `c` (within a part in 10^12 is equal): 0.2499999999999998
/// is shown as 0.25 beside `>= 0.25: yes`, which the rules have it equal to.
fn order(x: f64, c: f64) -> Option<std::cmp::Ordering> {
    use crate::value::{Order, number_holds};
    use std::cmp::Ordering;
    match (number_holds(Order::Eq, x, c), number_holds(Order::Lt, x, c)) {
        (true, _) => Some(Ordering::Equal),
        (false, true) => Some(Ordering::Less),
        (false, false) if number_holds(Order::Gt, x, c) => Some(Ordering::Greater),
        _ => None,
    }
}

fn decimal(x: f64, boundaries: &[f64]) -> String {
    for places in 4..=17 {
        let text = format!("{x:.places$}");
        let shown: f64 = text.parse().unwrap_or(x);
        // Not a whole number shown as one (59.99999999999999 as 60.0): `floor`, `to_int` and
        // a `switch` range see the difference, and `floor(score) = 59.0` beside
        // `score = 60.0` could not be told.
        let whole_shown = shown.fract() == 0.0 && shown != x;
        if !whole_shown && boundaries.iter().all(|c| order(shown, *c) == order(x, *c)) {
            let text = text.trim_end_matches('0');
            return if text.ends_with('.') {
                format!("{text}0")
            } else {
                text.to_owned()
            };
        }
    }
    // The shortest text that reads back as `x` exactly.
    format!("{x:?}")
}

/// `name = value, ...` of named values, shown next to the conditions' boundaries `b`.
fn pairs(named: &[Named], b: &[f64]) -> String {
    let shown: Vec<String> = (named.iter())
        .map(|n| format!("{} = {}", n.name, show(&n.value, b)))
        .collect();
    shown.join(", ")
}

/// How the explanation compares with what the period's recorded run holds for the customer,
/// and the likely reason when it differs (other rules, another date, else the data or the
/// history changed since).
fn recorded_line(r: &Recorded, as_of: &str, b: &[f64]) -> String {
    let run = match &r.replaced_by {
        None => format!(
            "{}'s recorded run (run {}, as of {})",
            r.period, r.run_id, r.as_of
        ),
        Some(official) => format!(
            "{}'s run {} as of {} (replaced since by run {}, as of {}, the period's official run)",
            r.period, r.run_id, r.as_of, official.run_id, official.as_of
        ),
    };
    if !r.holds_customer {
        return match (&r.left_out, r.edited_since_written) {
            (Some((rule, message)), _) => format!(
                "note: {run} holds no policy for this customer: it left it out, as {rule} failed for it then ({message})"
            ),
            (None, true) => format!(
                "note: {run} holds no policy for this customer, though it was made with these rules on this customer data as of this day: its row was deleted after the run wrote it"
            ),
            (None, false) => format!("note: {run} holds no policy for this customer"),
        };
    }
    if r.same() {
        // Other rules that give the same for this customer are still other rules: an
        // audit explaining with the wrong version read "the same" and nothing else.
        let theirs = r.fingerprint.as_deref().unwrap_or_default();
        let other = match (&r.rules_at, r.other_rules) {
            (_, false) => String::new(),
            (Some((at, ours)), true) => format!(
                ", though it was made with other rules ({theirs}) than those of `{at}` ({ours}), which give this customer the same"
            ),
            (None, true) => format!(
                ", though it was made with other rules ({theirs}), which give this customer the same"
            ),
        };
        // The same outputs from other inputs: the fields shown are not what the run read.
        let data = match r.data_changed {
            Some(true) => {
                "; the customer data is not all the data it read (some customer's values changed since), so the fields shown are today's and may not be the run's"
            }
            _ => "",
        };
        return format!("recorded: {run} holds the same outputs and rule ids{other}{data}");
    }
    let mut parts: Vec<String> = (r.differences.iter())
        .map(|d| {
            format!(
                "{} {} recorded, {} here",
                d.output,
                show(&d.recorded, b),
                show(&d.explained, b)
            )
        })
        .collect();
    if r.rule_ids.is_some() {
        parts.push("the rule ids differ".into());
    }
    let why = if r.other_rules {
        let theirs = r.fingerprint.as_deref().unwrap_or_default();
        match &r.rules_at {
            Some((at, ours)) => {
                format!("it was made with other rules ({theirs}) than those of `{at}` ({ours})")
            }
            None => match r.rules_revision.as_deref().map(|r| r.split_once(" with ")) {
                // Recorded at a commit: that commit's rules are the ones.
                Some(None) => format!(
                    "it was made with other rules ({theirs}, git {}): `--rules-at {}` explains with those rules",
                    short(r.rules_revision.as_deref().unwrap_or_default()),
                    short(r.rules_revision.as_deref().unwrap_or_default())
                ),
                Some(Some((commit, edits))) => format!(
                    "it was made with other rules ({theirs}): git {} {edits}, which no revision holds (`--rules-at <directory>` explains with a copy of them)",
                    short(commit)
                ),
                None => format!(
                    "it was made with other rules ({theirs}): `--rules-at <git revision or directory>` explains with those rules"
                ),
            },
        }
    } else if r.edited_since_written {
        "it was made with these rules on this customer data as of this day, reading no history, so its record was changed after the run wrote it (edited in the database)".to_owned()
    } else if r.as_of != as_of {
        // Late postings may differ too: only the run's day tells them apart.
        format!(
            "it was made as of {}, this explanation is as of {as_of}: `--as-of {}` explains the customer as of the run's day (what differs then is the data or the history)",
            r.as_of, r.as_of
        )
    } else if let Some(version) = &r.made_by_other_tierwise {
        format!(
            "it was made by {version} (this is {}), which evaluates some rules otherwise (README, \"Upgrading\"), or the customer data or the history it read changed since",
            env!("CARGO_PKG_VERSION")
        )
    } else {
        match r.data_changed {
            Some(true) => "the customer data changed since it was read (late postings, a correction)",
            Some(false) => {
                "the customer data is the data it read, so the history it read changed since (a rerun of an earlier period, a pruned period), or its record was edited"
            }
            None => {
                "the customer data or the history it read changed since (late postings, a correction, a pruned period)"
            }
        }
        .to_owned()
    };
    format!(
        "note: this is not what {run} recorded: {}; {why}",
        parts.join("; ")
    )
}

/// A commit as people name it: its first 12 hex digits.
fn short(commit: &str) -> &str {
    commit.get(..12).unwrap_or(commit)
}

#[cfg(test)]
mod tests {
    use super::show;

    #[test]
    fn shows_values_for_people() {
        let show = |v| show(&v, &[]);
        assert_eq!(show(serde_json::json!(0.8508771929824561)), "0.8509");
        assert_eq!(show(serde_json::json!(2.0)), "2.0");
        assert_eq!(show(serde_json::json!(12000)), "12000");
        assert_eq!(show(serde_json::json!("")), "\"\"");
        assert_eq!(show(serde_json::Value::Null), "NULL");
    }

    #[test]
    fn a_value_near_a_boundary_keeps_the_digits_that_put_it_on_its_side() {
        let at = |x: f64, boundaries: &[f64]| show(&serde_json::json!(x), boundaries);
        assert_eq!(at(0.79997, &[0.8]), "0.79997");
        assert_eq!(at(0.79997, &[0.5]), "0.8");
        assert_eq!(at(0.8, &[0.8]), "0.8");
        assert_eq!(at(0.80000001, &[0.8]), "0.80000001");
        assert_eq!(at(1999.99996, &[0.8, 2000.0]), "1999.99996");
        // An ulp below is 0.8 to the rules (within a part in 10^12): shown so.
        let ulp_below = f64::from_bits(0.8f64.to_bits() - 1);
        assert_eq!(at(ulp_below, &[0.8]), "0.8");
        // Below by more than they overlook: the digits that say so.
        assert_eq!(at(0.8 - 4e-12, &[0.8]), "0.799999999996");
        // A decimal just under a whole number is not shown as one: `floor` gives 59.
        assert_eq!(at(59.99999999999999, &[]), "59.99999999999999");
        assert_eq!(at(60.0, &[]), "60.0");
    }
}
