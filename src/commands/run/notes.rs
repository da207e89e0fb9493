//! What `run` notes of where it stands among the recorded runs (a run it replaces, a period
//! skipped, a history with a hole, customers left out or gone, other rules before), a line
//! each under the summary: what `run --strict` refuses instead of noting.

use crate::report::thousands;
use crate::workspace::batch::RunSummary;

/// Every note `run` prints under its summary (and `watch --write` under a written run), in
/// their order: where the run stands among the recorded runs, then what the data holds
/// that is most likely not meant.
pub(crate) fn run_notes(
    summary: &RunSummary,
    rules: &crate::rules::RuleSet,
    ws: &crate::workspace::Workspace,
) -> Vec<String> {
    let view = crate::output::latest_view(&ws.config.tables);
    let mut notes = standing_notes(summary, ws.context.as_of, ws.context.period, &view);
    notes.extend(replaced_money_note(
        summary,
        rules,
        ws.config.currency.as_deref(),
    ));
    notes.extend(other_rules_note(summary));
    notes.extend(replaced_rules_note(summary, ws.context.as_of));
    notes.extend(uncommitted_note(summary));
    notes.extend(summary.source_changed.clone());
    notes.extend(other_run_tables_note(summary, &ws.config.tables.run_table));
    if rules.past.iter().any(|p| p.back == 1 && p.read)
        && let Some(previous) = &summary.standing.previous
    {
        notes.extend(crate::workspace::standing::early_previous(previous, "read"));
    }
    notes.extend(skipped_period_note(summary, rules, ws.context.period));
    notes.extend(read_gap_notes(summary, rules));
    notes.extend(made_on_gap_note(summary, rules, ws.context.period));
    notes.extend(returning_note(summary, rules, ws.context.period));
    notes.extend(respelled_note(summary, rules, ws.context.period));
    notes.extend(first_run_note(summary, rules, ws.context.period));
    notes.extend(left_out_note(summary, rules));
    notes.extend(gone_note(summary));
    notes.extend(dropped_note(summary, &view));
    // Built on a period made on a history replaced since.
    if !rules.past.is_empty()
        && let Some(stale) = &summary.standing.previous_stale
    {
        // This run stands on it too: run again last.
        let mut stale = stale.clone();
        let period = ws.context.period;
        stale.after.retain(|r| r.period != period);
        stale.after.push(crate::output::OfficialRun {
            run_id: summary.written.run_id,
            period,
            as_of: ws.context.as_of,
        });
        notes.push(stale.note());
    }
    notes.extend(summary.standing.column_kinds.iter().cloned());
    // On the data: most likely not meant, and nothing failed to say so.
    notes.extend(data_notes(&summary.data_warnings));
    notes
}

/// The first run of its run table beside another run table holding runs: the config's
/// output tables were renamed (or another configuration's), and this run started a new
/// history, every customer new, without a word.
fn other_run_tables_note(summary: &RunSummary, ours: &str) -> Option<String> {
    let (table, runs) = summary.other_run_tables.first()?;
    Some(format!(
        "this is the first run in `{ours}`, and `{table}` in this database holds {}: if the config's output tables were renamed, this run starts a new history (every customer new, nothing read of earlier periods); name the tables back in the config (`output:`), or rename the old ones in the database (`ALTER TABLE {table} RENAME TO {ours}`, the policy and error tables likewise) and run again",
        thousands(*runs as f64) + if *runs == 1 { " run" } else { " runs" }
    ))
}

/// Rules run with edits not committed to their repository: the record names the commit
/// and the files, but no revision holds what the run was made with (an audit, `explain
/// --rules-at`, `diff --base` cannot read them back).
fn uncommitted_note(summary: &RunSummary) -> Option<String> {
    let (commit, files) = summary
        .rules_revision
        .as_deref()?
        .split_once(" with uncommitted edits: ")?;
    Some(format!(
        "the rules have edits not committed to their git repository ({files}): the run records git {} with them, which no revision holds; commit them so the record names the rules it was made with",
        commit.get(..12).unwrap_or(commit)
    ))
}

/// What a rerun moved in money against the official run it replaces (a correction of a
/// quarter already paid out: what to pay or recover), where the note above counts customers.
fn replaced_money_note(
    summary: &RunSummary,
    rules: &crate::rules::RuleSet,
    currency: Option<&str>,
) -> Option<String> {
    let (run_id, ..) = summary.standing.replaces?;
    let crate::output::RecordedTotals::Recorded(before) = &summary.standing.replaces_totals else {
        return None;
    };
    let moved: Vec<String> = (rules.summary.money.iter())
        .filter_map(|&k| {
            let name = &rules.summary.totals.get(k)?.0;
            let now = *summary.tally.totals.get(k)?;
            let was = before.iter().find(|(n, _)| n == name)?.1;
            let difference = crate::text::to_cents(now - was);
            (difference != 0.0).then(|| {
                format!(
                    "{name} {} -> {} ({})",
                    crate::text::amount(was, true, currency),
                    crate::text::amount(now, true, currency),
                    crate::text::signed(difference, true)
                )
            })
        })
        .collect();
    (!moved.is_empty()).then(|| {
        format!(
            "against run {run_id}, which it replaces, this run moves the money totals: {}",
            moved.join(", ")
        )
    })
}

/// What the run changed among the recorded periods, and a date the data cannot reach: the
/// official run it replaced, later periods that read the history it replaced, a period of
/// another kind, a date after today.
fn standing_notes(
    summary: &RunSummary,
    as_of: crate::time::Date,
    period: crate::time::Period,
    view: &str,
) -> Vec<String> {
    let mut notes = Vec::new();
    let today = crate::time::today();
    if as_of > today {
        notes.push(format!(
            "as of {as_of} is {} after today ({today}, in {}): the customer data most likely does not reach it yet, and {} is now the latest period (`{view}` and `changes` show it); if this was a mistake, `tierwise prune --run {}` removes this run",
            crate::text::plural((as_of.0 - today.0) as usize, "day"),
            crate::time::zone_name(),
            period.label(),
            summary.written.run_id
        ));
    }
    if let Some(end) = crate::workspace::standing::ended_after(period, as_of) {
        notes.push(format!(
            "{} ended on {end}, but this run is as of {as_of}: it is {}'s official run now, without what the data holds after {as_of}, and the next period reads it as its history; for the period's result run it as of its last day (`tierwise run --as-of {end}`)",
            period.label(),
            period.label(),
        ));
    }
    let standing = &summary.standing;
    if let Some((run_id, was_as_of, customers)) = standing.replaces {
        let now = summary.written.customers as i64;
        let undo = format!(
            " (`tierwise prune --run {}` would make run {run_id} official again)",
            summary.written.run_id
        );
        let fewer = match customers - now {
            1 => format!(", with 1 customer fewer{undo}"),
            n if n > 0 => format!(", with {} customers fewer{undo}", thousands(n as f64)),
            _ => String::new(),
        };
        // What a correction changed, output by output: whom to tell again.
        let counted = |n: i64| match n {
            1 => "1 customer".to_owned(),
            n => format!("{} customers", thousands(n as f64)),
        };
        let against = &standing.replaces_changed;
        let mut changed: Vec<String> = (against.outputs.iter())
            .map(|(output, n)| format!("{output} for {}", counted(*n)))
            .collect();
        // Customers only gone are said as "fewer" below.
        if against.new > 0 {
            changed.push(format!(
                "the customers: {} new, {} gone",
                thousands(against.new as f64),
                thousands(against.gone as f64)
            ));
        }
        let same = match (standing.replaces_same, changed.is_empty()) {
            (true, _) => ", with the same outputs for every customer".to_owned(),
            (false, false) => format!(" (against it, this run changed {})", changed.join(", ")),
            (false, true) => String::new(),
        };
        notes.push(format!(
            "replaces run {run_id} (as of {was_as_of}, {} customers) as {}'s official run{same}{fewer}",
            thousands(customers as f64),
            period.label()
        ));
    }
    if !standing.later.is_empty() {
        let later: Vec<&str> = standing.later.iter().map(|r| r.period.label()).collect();
        notes.push(format!(
            "later periods ({}) were run on the history before this run: run them again, oldest first, to evaluate them on it",
            later.join(", ")
        ));
    }
    if let Some(other) = standing.other_kind {
        let remedy = match period.previous() {
            Some(before) => format!(
                "; to carry the history over, run the earlier {}s with this config first, oldest first (`tierwise run --as-of {}` for {}), then this one again",
                period.kind.name(),
                before.end(),
                before.label()
            ),
            None => String::new(),
        };
        notes.push(format!(
            "the latest run before it is of {} (another kind of period than this run's {}): this run reads no history from it, so what the rules read of the previous period (`previous.x`, `held.x`) is NULL for every customer, as if every customer were new{remedy}",
            other.label(),
            period.label()
        ));
    }
    notes
}

/// When the run this one replaces was made with other rules: a restated month (a credit
/// note on one customer) made with today's rules moved other customers with them, and the
/// notes said only what changed (the fiscal controller's F07).
fn replaced_rules_note(summary: &RunSummary, as_of: crate::time::Date) -> Option<String> {
    let (run_id, theirs, revision) = summary.replaced_other_rules.as_ref()?;
    let at = match revision.as_deref().map(|r| r.split_once(" with ")) {
        Some(None) => {
            let commit = revision.as_deref().unwrap_or_default();
            let commit = commit.get(..12).unwrap_or(commit);
            format!(
                "; to restate with those, run with them: `tierwise run --as-of {as_of} --rules-at {commit}`"
            )
        }
        Some(Some((commit, _))) => format!(
            " (git {} with edits no revision holds)",
            commit.get(..12).unwrap_or(commit)
        ),
        None => String::new(),
    };
    Some(format!(
        "run {run_id}, which this run replaces, was made with other rules ({theirs}) than this run ({}): what changed against it is the rules' doing as well as the data's{at}",
        summary.rules.fingerprint
    ))
}

/// When the previous period's run was made with other rules: the moves and totals since
/// compare two rule sets, and what the rules read of it may be missing (`previous.x` of an
/// output those rules did not give is NULL for everyone).
fn other_rules_note(summary: &RunSummary) -> Option<String> {
    let previous = summary.standing.previous.as_ref()?;
    let theirs = previous.rules.as_ref()?;
    if theirs.decide_as(&summary.rules) {
        return None;
    }
    let theirs = &theirs.fingerprint;
    let mut note = format!(
        "{}'s run (run {}) was made with other rules ({theirs}): the moves and totals since {} compare two rule sets, not only the customers",
        previous.period.label(),
        previous.run_id,
        previous.period.label()
    );
    if !summary.unwritten.is_empty() {
        let names: Vec<String> = summary.unwritten.iter().map(|n| format!("`{n}`")).collect();
        note.push_str(&format!(
            "; {} read NULL for every customer (that run gave no value for {}), so rules that read {} saw no history",
            names.join(", "),
            if names.len() == 1 { "it" } else { "them" },
            if names.len() == 1 { "it" } else { "them" },
        ));
        // Its rules read no `held.x`, so it stored no count to go on from.
        if summary.unwritten.iter().any(|n| n.starts_with("held.")) {
            note.push_str("; the `held.x` counts start again with this run (at 1)");
        }
    }
    Some(note)
}

/// When the rules read the previous period (`previous.credit_limit`) and it has no run, though
/// an earlier period has: those values are NULL for every customer, so a rule such as "a
/// limit rises at most 20% on the previous quarter's" bound no one, without a word.
fn skipped_period_note(
    summary: &RunSummary,
    rules: &crate::rules::RuleSet,
    period: crate::time::Period,
) -> Option<String> {
    let (earlier, run_id) = summary.standing.skipped_to?;
    let previous = period.previous()?;
    let names = crate::workspace::standing::past_names(rules, 1);
    if names.is_empty() {
        return None;
    }
    Some(format!(
        "{} has no run (the latest before it is {}, run {run_id}): {} NULL for every customer, so rules that read {} saw no history; run {} first (`tierwise run --as-of {}`), then this period again",
        previous.label(),
        earlier.label(),
        names_are(&names),
        if names.len() == 1 { "it" } else { "them" },
        previous.label(),
        previous.end(),
    ))
}

/// When the previous period's run was made while the period before it had no run (or on a
/// run of it removed since, `prune --run`): it read
/// no history (every customer new there, a downgrade's grace and a key account's start date
/// begun again), and this run carries that on, though this run's own history looks whole.
fn made_on_gap_note(
    summary: &RunSummary,
    rules: &crate::rules::RuleSet,
    period: crate::time::Period,
) -> Option<String> {
    let previous = period.previous()?;
    if let Some((missing, read)) = &summary.standing.previous_read_removed {
        let of = missing.last().map_or("", |p| p.label());
        return Some(format!(
            "{}'s run read {of}'s run {read}, which was removed since (`prune --run`), and {of} has no run now: if the rules read history, this run builds on a period made on a run no longer kept: run {}, then {} and this period again",
            previous.label(),
            crate::workspace::standing::run_first(missing),
            previous.label(),
        ));
    }
    let (missing, (earlier, run_id)) = summary.standing.previous_made_on_gap?;
    let names = crate::workspace::standing::past_names(rules, 1);
    Some(format!(
        "{}'s run was made without a run of {} (the latest before it is {}, run {run_id}): its {} {} NULL, so its customers counted as new there, and what the rules carry from period to period started again; this run builds on it: run {} (`tierwise run --as-of {}`), then {} and this period again",
        previous.label(),
        missing.label(),
        earlier.label(),
        names.join(", "),
        if names.len() == 1 { "was" } else { "were" },
        missing.label(),
        missing.end(),
        previous.label(),
    ))
}

/// Periods the rules read (`previous_2.tier` in "A three quarters running") without a run,
/// though the history goes back further or was pruned: what the rules read
/// of them is NULL for every customer, and "A three quarters running" holds for no one.
fn read_gap_notes(summary: &RunSummary, rules: &crate::rules::RuleSet) -> Vec<String> {
    let deepest = rules.past.iter().map(|p| p.back).max().unwrap_or(0);
    (summary.standing.read_gaps.iter())
        .map(|gap| {
            let names = crate::workspace::standing::past_names(rules, gap.back);
            let (it, is) = match names.len() {
                1 => ("it", "is"),
                _ => ("them", "are"),
            };
            let fix = match gap.earlier {
                Some(_) => format!(
                    "run {} first (`tierwise run --as-of {}`), then the periods after it again, oldest first",
                    gap.period.label(),
                    gap.period.end()
                ),
                None => format!(
                    "these rules read {deepest} period{} back: `prune --keep {}` keeps a period and the {deepest} before it",
                    if deepest == 1 { "" } else { "s" },
                    deepest + 1
                ),
            };
            format!(
                "{} has no run{}: {} {is} NULL for every customer, so rules that read {it} saw no history of that period; {fix}",
                gap.period.label(),
                gap.cause(),
                names.join(", "),
            )
        })
        .collect()
}

/// When customers of this run were left out of the previous period's run (a rule failed
/// for them under `--keep-going`): they have no policy of that period, so they count as new
/// and what the rules read of it is NULL for them (a key account's "since" starts again).
fn left_out_note(summary: &RunSummary, rules: &crate::rules::RuleSet) -> Option<String> {
    // Those left out again by this run are not counted as new: they are not in it.
    let failed: std::collections::HashSet<&str> = summary
        .failures
        .iter()
        .map(|f| f.customer.as_str())
        .collect();
    let left: Vec<&crate::output::LeftOut> = (summary.standing.previous_left_out.iter())
        .filter(|l| !failed.contains(l.customer.as_str()))
        .collect();
    let previous = summary.standing.previous.as_ref()?;
    let first = left.first()?;
    let label = previous.period.label();
    let read = crate::workspace::standing::past_names(rules, 1);
    let one = left.len() == 1;
    let what = match read.len() {
        0 => format!("{} as new", if one { "it counts" } else { "they count" }),
        _ => format!(
            "{} NULL for {} and {} as new",
            names_are(&read),
            if one { "it" } else { "them" },
            if one { "it counts" } else { "they count" },
        ),
    };
    let more = match left.len() {
        1 => String::new(),
        n => format!(" and {} more", thousands((n - 1) as f64)),
    };
    Some(format!(
        "{} of this run's customers {} left out of {label}'s run (run {}, `--keep-going`: {} evaluation failed), so {} no {label} policy: {what} (`{}`: {}: {}{more}; {}); fix the rule or the data, run {label} again (`tierwise run --as-of {}`), then this period again",
        thousands(left.len() as f64),
        if one { "was" } else { "were" },
        previous.run_id,
        if one { "its" } else { "their" },
        if one { "it has" } else { "they have" },
        first.customer,
        first.rule,
        first.message,
        if one {
            "`policy_error` has it"
        } else {
            "`policy_error` lists them"
        },
        previous.period.end(),
    ))
}

/// When these rules no longer give an output the run compared with gave: its column stays
/// in the policy table and the `latest` view, NULL for every customer from this run on (a
/// routing tool reading it got "no due date" for everyone), which "changed for N customers"
/// did not say.
fn dropped_note(summary: &RunSummary, view: &str) -> Option<String> {
    let (run_id, names) = summary.standing.dropped.as_ref()?;
    let one = names.len() == 1;
    Some(format!(
        "these rules no longer give {} (run {run_id} gave {}): {} in `{view}`, NULL for every customer from this run on",
        names
            .iter()
            .map(|n| format!("`{n}`"))
            .collect::<Vec<_>>()
            .join(", "),
        if one { "it" } else { "them" },
        if one {
            "its column stays"
        } else {
            "their columns stay"
        },
    ))
}

/// When many of the previous period's customers are not in this run's source (a tenth or
/// more, at least 10): an extract cut short would otherwise pass as a shrinking business,
/// its tiers recomputed over who is left.
fn gone_note(summary: &RunSummary) -> Option<String> {
    let previous = summary.standing.previous.as_ref()?;
    let gone = summary.gone.ids.len();
    let before = summary.gone.previous_customers;
    if !summary.gone.is_many() {
        return None;
    }
    Some(format!(
        "{} of {}'s {} customers ({:.0}%) are not in this run's source (`{}`, ...): if the customer data was cut short, run again once it is whole; population figures (ranks, percentiles) are over this run's {} customers; `tierwise changes` lists them",
        thousands(gone as f64),
        previous.period.label(),
        thousands(before as f64),
        100.0 * gone as f64 / before as f64,
        summary.gone.ids[0],
        thousands(summary.written.customers as f64),
    ))
}

/// When customers are back after missing from the previous period's run (an extract that
/// lost them once): what the rules read of that period is NULL for them, so they count as
/// new and lose what the rules carry (a downgrade's grace, a key account's start date),
/// each told to a customer as if its data said so.
fn returning_note(
    summary: &RunSummary,
    rules: &crate::rules::RuleSet,
    period: crate::time::Period,
) -> Vec<String> {
    let returning = &summary.standing.returning;
    let Some(previous) = period.previous() else {
        return Vec::new();
    };
    // A customer whose last run is of a period the rules read (`previous_2.paid_ytd` for a
    // run two periods back) keeps what the rules carry through it; the others start again
    // (a rebate paid before is paid again).
    let read = |run: &crate::output::OfficialRun| {
        (rules.past.iter()).any(|p| p.read && period.back(p.back) == Some(run.period))
    };
    let (kept, lost): (Vec<_>, Vec<_>) = returning.iter().partition(|(_, run)| read(run));
    let examples = |group: &[&(String, crate::output::OfficialRun)]| {
        let shown: Vec<String> = (group.iter().take(5))
            .map(|(id, run)| format!("{id}, last in {}'s run", run.period.label()))
            .collect();
        let more = match group.len() {
            n if n > 5 => format!(", and {} more", thousands((n - 5) as f64)),
            _ => String::new(),
        };
        format!("{}{more}", shown.join("; "))
    };
    let are = |n: usize| match n {
        1 => "1 customer is".to_owned(),
        n => format!("{} customers are", thousands(n as f64)),
    };
    let one = |n: usize, it: &'static str, them: &'static str| if n == 1 { it } else { them };
    let names = crate::workspace::standing::past_names(rules, 1);
    // Rules that read only earlier periods (`previous_2.x`) read nothing of the one missed.
    let null_for = |n: usize| match names.is_empty() {
        true => String::new(),
        false => format!("{} NULL for {}, ", names_are(&names), one(n, "it", "them")),
    };
    let mut notes = Vec::new();
    if !lost.is_empty() {
        let n = lost.len();
        let unread = match kept.is_empty() {
            true => String::new(),
            false => ", and from every period the rules read".into(),
        };
        notes.push(format!(
            "{} back after missing from {}'s run{unread} ({}): {}so {} as new, and what the rules carry from period to period starts again (`history <id>` shows the gap)",
            are(n),
            previous.label(),
            examples(&lost),
            null_for(n),
            one(n, "it counts", "they count"),
        ));
    }
    if !kept.is_empty() {
        let n = kept.len();
        // What the rules read of the runs that hold them last.
        let mut through: Vec<String> = Vec::new();
        for p in rules.past.iter().filter(|p| p.read) {
            let name = format!("`{}`", p.written());
            let holds = kept
                .iter()
                .any(|(_, run)| period.back(p.back) == Some(run.period));
            if holds && !through.contains(&name) {
                through.push(name);
            }
        }
        notes.push(format!(
            "{} back after missing from {}'s run ({}): {}but the rules also read the run that holds {} last ({}): what they carry through it goes on this period (the next reads the period {} missed)",
            are(n),
            previous.label(),
            examples(&kept),
            null_for(n),
            one(n, "it", "them"),
            crate::text::first_three(&through),
            one(n, "it", "they"),
        ));
    }
    notes
}

/// When customers new to the previous period's run have the id of a customer gone since,
/// written another way (`C-0013` for `C-00013`, a space after it): one customer to a reader,
/// two to the rules, which read no history for it (a clawback carried in `previous.x` is
/// dropped) and count the old id gone.
fn respelled_note(
    summary: &RunSummary,
    rules: &crate::rules::RuleSet,
    period: crate::time::Period,
) -> Option<String> {
    let respelled = &summary.standing.respelled;
    let shown = crate::workspace::standing::respelled_shown(respelled)?;
    let previous = period.previous()?;
    let names = crate::workspace::standing::past_names(rules, 1);
    let one = respelled.len() == 1;
    Some(format!(
        "{} {} that {}'s run writes another way (case, blanks or zeros: {shown}): {} NULL for {}, so {} as new and the old {} as gone; if {} one customer, write {} id as the earlier runs do (in the customers query or at the source)",
        thousands(respelled.len() as f64),
        if one {
            "customer has an id"
        } else {
            "customers have ids"
        },
        previous.label(),
        names_are(&names),
        if one { "it" } else { "them" },
        if one { "it counts" } else { "they count" },
        if one { "id" } else { "ids" },
        if one { "it is" } else { "each is" },
        if one { "its" } else { "each" },
    ))
}

/// When the rules read the previous period and no earlier period has a run (the first run,
/// or the first of this kind of period): what they carry from period to period (a key
/// account's start date, a downgrade's grace, "new key account" commissions) starts
/// counting now, for every customer, as if all were new.
fn first_run_note(
    summary: &RunSummary,
    rules: &crate::rules::RuleSet,
    period: crate::time::Period,
) -> Option<String> {
    let s = &summary.standing;
    // Only what a rule reads: counted by `summary.moves` only, the history changes nothing
    // a customer gets (the moves line says there is nothing to compare with).
    // `previous_2.x` is NULL too: every earlier period the rules read.
    let deepest = rules.past.iter().map(|p| p.back).max().unwrap_or(0);
    let mut names: Vec<String> = Vec::new();
    for back in 1..=deepest {
        for name in crate::workspace::standing::past_names(rules, back) {
            if !names.contains(&name) {
                names.push(name);
            }
        }
    }
    // A period pruned (a read gap) is no first run: its own note says so.
    if names.is_empty()
        || s.previous.is_some()
        || s.skipped_to.is_some()
        || s.other_kind.is_some()
        || !s.read_gaps.is_empty()
    {
        return None;
    }
    let previous = period.previous()?;
    Some(format!(
        "no earlier period has a run: {} NULL for every customer, so what the rules carry from period to period (dates since, a downgrade's grace) starts with {} for everyone, as if every customer were new; to start from the customers' history, run earlier periods first, oldest first (`tierwise run --as-of {}` for {}), then this one again",
        names_are(&names),
        period.label(),
        previous.end(),
        previous.label(),
    ))
}

/// What the rules read, as the subject of "... NULL": "`previous.tier` is",
/// "`previous.tier`, `previous.tier_level` are".
fn names_are(names: &[String]) -> String {
    let verb = if names.len() == 1 { "is" } else { "are" };
    format!("{} {verb}", names.join(", "))
}

/// The data's warnings as notes, at most three of one kind about one field: a list of 4,000
/// ids with 100 trailing-space twins printed 100 notes on every run. The rest are counted,
/// and `check --data` lists each.
fn data_notes(warnings: &[crate::diag::Diagnostic]) -> Vec<String> {
    const SHOWN: usize = 3;
    // "`channel` is compared with ...": the field and what is said of it.
    let kind = |w: &crate::diag::Diagnostic| -> String {
        let mut words = w.message.splitn(4, ' ');
        (0..3)
            .filter_map(|_| words.next())
            .collect::<Vec<_>>()
            .join(" ")
    };
    let mut notes = Vec::new();
    let mut seen: Vec<(String, usize)> = Vec::new();
    for w in warnings {
        let k = kind(w);
        let n = match seen.iter_mut().find(|(s, _)| *s == k) {
            Some((_, n)) => {
                *n += 1;
                *n
            }
            None => {
                seen.push((k, 1));
                1
            }
        };
        if n <= SHOWN {
            notes.push(w.note_line());
        }
    }
    for (k, n) in seen.into_iter().filter(|(_, n)| *n > SHOWN) {
        notes.push(format!(
            "and {} more like \"{k} ...\" above (`tierwise check --data` lists each)",
            n - SHOWN
        ));
    }
    notes
}
