//! The text table of `tierwise bench` (the JSON is [`SizeReport`]'s fields).

use super::{BenchReport, SizeReport};
use crate::report::{Report, plural, thousands};
use std::io::{self, Write};

impl Report for BenchReport {
    fn text(&self, out: &mut dyn Write, _color: bool) -> io::Result<()> {
        print(&self.0, out)
    }
}

fn print(reports: &[SizeReport], out: &mut dyn Write) -> io::Result<()> {
    let Some(first) = reports.first() else {
        return Ok(());
    };
    writeln!(
        out,
        "median seconds; {} decisions; evaluation on {} unless noted\n",
        first.median.decisions,
        plural(first.threads, "thread")
    )?;
    writeln!(
        out,
        "{:>10} {:>6} {:>6} {:>9} {:>9} {:>7} {:>7} {:>7} {:>7} {:>7} {:>7} {:>8} {:>8} {:>6}",
        "customers",
        "read",
        "popul.",
        "eval 1t",
        "eval",
        "write",
        "run",
        "MB",
        "floor",
        "run/fl",
        "SQL",
        "run/SQL",
        "µs/dec",
        "µs/1"
    )?;
    for r in reports {
        writeln!(
            out,
            "{:>10} {:>6.3} {:>6.3} {:>9.3} {:>9.3} {:>7.3} {:>7.3} {:>7} {:>7.3} {:>7.2} {:>7.3} {:>8.2} {:>8.3} {:>6.1}",
            thousands(r.customers as f64),
            r.median.read,
            r.median.population,
            r.median.evaluate_1_thread,
            r.median.evaluate,
            r.median.write,
            r.median.run,
            r.median
                .run_peak_memory_mb
                .map_or("-".into(), |m| format!("{m:.0}")),
            r.floor(),
            r.median.run / r.floor().max(1e-9),
            r.median.sql,
            r.median.run / r.median.sql.max(1e-9),
            r.micros_per_decision(),
            r.median.one_customer_us,
        )?;
    }
    if reports
        .iter()
        .any(|r| r.median.evaluate_interpreter.is_some())
    {
        writeln!(
            out,
            "\ninterpreter only (every expression in rhai), all threads:"
        )?;
        for r in reports {
            if let Some(t) = r.median.evaluate_interpreter {
                writeln!(
                    out,
                    "{:>10} {:>9.3} s ({:.1}x the fast path)",
                    thousands(r.customers as f64),
                    t,
                    t / r.median.evaluate.max(1e-9)
                )?;
            }
        }
    }
    print_over_time_and_impact(reports, out)?;
    print_fast_path(first, reports, out)?;
    writeln!(
        out,
        "\nread/popul./eval/write: each stage alone; run: `tierwise run` end to end (a child process; MB = its peak memory);\nfloor: plain read of the same customer rows + plain insert of the same policy rows, pre-rendered; SQL: benches/shipped_rules.sql;\nµs/dec: evaluation time per customer per decision on one thread; µs/1: one customer evaluated alone (explain, serve)."
    )
}

/// What a run stores, what reading the previous quarter costs, what `diff` costs.
fn print_over_time_and_impact(reports: &[SizeReport], out: &mut dyn Write) -> io::Result<()> {
    writeln!(
        out,
        "\nstorage and history (run in quarters, benches/history.yaml added):"
    )?;
    for r in reports {
        let h = &r.median.history;
        writeln!(
            out,
            "{:>10} {:>5.0} bytes/customer per run; reading the previous quarter: run {:.3} s vs {:.3} s without ({:.2}x), of which reading {:.3} s",
            thousands(r.customers as f64),
            r.median.run_bytes_per_customer,
            h.run_with,
            h.run_without,
            h.ratio(),
            h.read,
        )?;
    }
    writeln!(
        out,
        "\nimpact of a change (`diff`: both rule sets, one pass, nothing written):"
    )?;
    for r in reports {
        writeln!(
            out,
            "{:>10} diff {:.3} s vs run {:.3} s ({:.2}x)",
            thousands(r.customers as f64),
            r.median.diff,
            r.median.run,
            r.median.diff / r.median.run.max(1e-9),
        )?;
    }
    Ok(())
}

/// How many expressions run on the fast path, the policy script against Rust, and a grid
/// against `when:` rows.
fn print_fast_path(
    first: &SizeReport,
    reports: &[SizeReport],
    out: &mut dyn Write,
) -> io::Result<()> {
    let (native, total) = first.median.fast_path;
    writeln!(
        out,
        "\nfast path: {native} of {total} expressions ({:.0}%); the rest run in the interpreter",
        native as f64 * 100.0 / total.max(1) as f64
    )?;
    writeln!(
        out,
        "policy script (weighted score, ln, sqrt, a template per customer) vs the same logic in hand-written Rust, 1 thread, each side in a process of its own:"
    )?;
    for r in reports {
        let customers = thousands(r.customers as f64);
        writeln!(out, "{customers:>10} {}", r.median.script)?;
    }
    writeln!(
        out,
        "a table as a grid vs the same table with `when:` rows (6 inputs, 8 rows, first), 1 thread:"
    )?;
    for r in reports {
        let g = &r.median.grid;
        writeln!(
            out,
            "{:>10} grid {:.3} s vs when: rows {:.3} s ({:.2}x){}",
            thousands(r.customers as f64),
            g.grid,
            g.when_rows,
            g.ratio(),
            if g.mismatches > 0 {
                format!("; {} customers' policies differ!", g.mismatches)
            } else {
                String::new()
            },
        )?;
    }
    Ok(())
}
