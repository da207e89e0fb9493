//! Where a run stands among the runs already recorded (the previous period's run, a
//! skipped or pruned period the rules read, customers left out of or gone since the previous
//! run, a backfill), and what of it `run --strict` refuses: read before anything is written,
//! by `run` and by the previews of a run (`diff`, `report --base`).

use super::Workspace;
use crate::engine::History;
use crate::error::Error;
use crate::output::{self, RecordedTotals};
use crate::rules::RuleSet;
use crate::source::Dataset;
use crate::time::{Date, Period};

/// The previous period's customers that a run's source no longer holds (a customer lost,
/// or an extract cut short): the moves since count only the customers still there.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Gone {
    /// Their ids, in the previous run's order.
    pub ids: Vec<String>,
    /// Per `summary.moves` output, per value of its order: how many had it then.
    pub by_value: Vec<Vec<usize>>,
    /// How many customers the previous period's run held.
    pub previous_customers: usize,
}

impl Gone {
    /// A tenth or more of the previous customers, 10 at least: more than customers come and
    /// go between periods, most likely an extract cut short.
    pub fn is_many(&self) -> bool {
        self.ids.len() >= 10 && self.ids.len() * 10 >= self.previous_customers
    }

    /// The rows `rows` of `past`'s previous period (those no current customer has).
    pub(super) fn of(rows: &[usize], past: &History, rules: &RuleSet) -> Gone {
        let Some(Some(previous)) = past.runs.first() else {
            return Gone::default();
        };
        let before = &previous.data;
        let by_value = (rules.summary.moves.iter())
            .map(|m| {
                let mut counts = vec![0; m.order.len()];
                if let Some(c) = before.names.iter().position(|n| *n == m.output) {
                    for &r in rows {
                        let value = crate::engine::display_key(&before.columns[c].value(r));
                        if let Some(k) = m.order.iter().position(|o| *o == value) {
                            counts[k] += 1;
                        }
                    }
                }
                counts
            })
            .collect();
        Gone {
            ids: rows.iter().map(|&r| before.id_text(r)).collect(),
            by_value,
            previous_customers: before.len,
        }
    }
}

/// What a run knows before it writes anything, for `--strict`.
pub(super) struct Before<'a> {
    pub standing: &'a Standing,
    pub gone: &'a Gone,
    pub unwritten: &'a [String],
    pub data_warnings: &'a [crate::diag::Diagnostic],
    pub rules: &'a RuleSet,
    pub as_of: Date,
    pub period: Period,
    /// How many customers the source gives.
    pub customers: usize,
}

impl Before<'_> {
    /// Why the run's history or data are most likely not what it should be made on, a
    /// line each: what `run` otherwise only notes, for a scheduler to stop on. A change of
    /// rules and the replacement of the period's run are no concern (a new quarter's rules,
    /// a correction), unless the run replaced is as of a later day (an old task run again)
    /// or held a tenth more customers (an extract cut short).
    pub fn concerns(&self) -> Vec<String> {
        let mut out = Vec::new();
        if self.as_of > crate::time::today() {
            let today = crate::time::today();
            out.push(format!(
                "the date {} is after today ({today}, in {})",
                self.as_of,
                crate::time::zone_name()
            ));
        }
        if let Some(end) = ended_after(self.period, self.as_of) {
            out.push(format!(
                "{} ended on {end}, and the run is as of {}, an earlier day: what the data holds after it is not in the period's result",
                self.period.label(),
                self.as_of
            ));
        }
        if let Some((run_id, was_as_of, _)) = self.standing.replaces
            && was_as_of > self.as_of
        {
            out.push(format!(
                "it would replace run {run_id}, as of {was_as_of}, as {}'s official run with a run as of an earlier day ({})",
                self.period.label(),
                self.as_of
            ));
        }
        out.extend(replaced_by_fewer(
            self.standing,
            self.period,
            self.customers,
        ));
        out.extend(history_concerns(
            self.standing,
            self.gone,
            self.unwritten,
            self.rules,
            self.period,
        ));
        out.extend(self.data_warnings.iter().map(|w| w.note_line()));
        out
    }
}

/// The last day of `period` when the period is over (before today) and `as_of` is an
/// earlier day of it: a closed month run as of the 30th (a typo, an old task), which the
/// next period then reads as the month's result.
pub fn ended_after(period: Period, as_of: Date) -> Option<Date> {
    let end = period.end();
    (end < crate::time::today() && as_of < end).then_some(end)
}

/// When the previous period's official run is as of a day before the period's last (a run
/// made early in December without `--as-of`, never followed by the close): the next close
/// read it as December's result without a word (the fiscal controller's F04).
pub fn early_previous(p: &PreviousRun, reads: &str) -> Option<String> {
    let end = p.period.end();
    let period = p.period.label();
    if p.as_of < end {
        return Some(format!(
            "{period}'s official run (run {}) is as of {}, before the period's last day: the rules' `previous.x` {reads} {period} as it stood then; for its result, run it as of its last day first (`tierwise run --as-of {end}`)",
            p.run_id, p.as_of
        ));
    }
    // A preview made ahead of its day (`--as-of` a quarter's end, in its first month): as
    // of the last day, yet of the data as they stood when it was made.
    let made_on = p.made_on.filter(|made| *made < p.as_of)?;
    Some(format!(
        "{period}'s official run (run {}) was made on {made_on}, before its as-of day {}: the rules' `previous.x` {reads} {period} from the customer data as they stood on {made_on}; for its result, run it again once the data reach {} (`tierwise run --as-of {}`)",
        p.run_id, p.as_of, p.as_of, p.as_of
    ))
}

/// When the run would replace its period's official run with a tenth or more of its
/// customers fewer (10 at least): an extract cut short, or a `--keep-going` run that left
/// them out (checked again with the customers it wrote).
pub(super) fn replaced_by_fewer(s: &Standing, period: Period, customers: usize) -> Option<String> {
    let (run_id, _, was) = s.replaces?;
    let was = usize::try_from(was).unwrap_or(0);
    let fewer = was.saturating_sub(customers);
    (fewer >= 10 && fewer * 10 >= was).then(|| {
        format!(
            "it would replace run {run_id} ({} customers) as {}'s official run with {} customers fewer",
            crate::text::thousands(was as f64),
            period.label(),
            crate::text::thousands(fewer as f64)
        )
    })
}

/// The concerns of [`Before::concerns`] with the history a run reads: a period skipped or
/// pruned, customers left out or gone, a previous run made on a replaced history or by
/// other rules, another kind of period, a backfill.
fn history_concerns(
    s: &Standing,
    gone: &Gone,
    unwritten: &[String],
    rules: &RuleSet,
    period: Period,
) -> Vec<String> {
    let mut out = Vec::new();
    let previous = period.previous().map_or("", |p| p.label());
    let reads_previous = rules.past.iter().any(|p| p.back == 1 && p.read);
    if let (Some((earlier, _)), true) = (s.skipped_to, reads_previous) {
        out.push(format!(
                "{previous} has no run (the latest before it is {}): the rules' `previous.x` would be NULL for every customer",
                earlier.label()
            ));
    }
    if let (Some(p), true) = (&s.previous, reads_previous) {
        out.extend(early_previous(p, "would read"));
    }
    for gap in &s.read_gaps {
        out.push(format!(
            "{} has no run{}: the rules' {} would be NULL for every customer",
            gap.period.label(),
            gap.cause(),
            past_names(rules, gap.back).join(", ")
        ));
    }
    if let Some((missing, (earlier, _))) = s.previous_made_on_gap {
        out.push(format!(
            "{previous}'s run was made without a run of {} (the latest before it is {}): it read no history, and this run builds on it",
            missing.label(),
            earlier.label()
        ));
    }
    if let Some((missing, read)) = &s.previous_read_removed {
        let of = missing.last().map_or("", |p| p.label());
        out.push(format!(
            "{previous}'s run read {of}'s run {read}, which was removed since (`prune --run`), and {of} has no run now: run {}, then {previous} again first",
            run_first(missing)
        ));
    }
    if let Some(shown) = respelled_shown(&s.respelled) {
        out.push(format!(
            "{} of the customers {} that {previous}'s run writes another way ({shown}): {} history would not be read",
            s.respelled.len(),
            if s.respelled.len() == 1 { "has an id" } else { "have ids" },
            if s.respelled.len() == 1 { "its" } else { "their" },
        ));
    }
    if !s.previous_left_out.is_empty() {
        out.push(format!(
                "{} of the customers were left out of {previous}'s run (`--keep-going`): their history would start again",
                s.previous_left_out.len()
            ));
    }
    if let (Some(stale), true) = (&s.previous_stale, reads_previous) {
        let of = stale.read_of.label();
        let how = match (stale.read, stale.read_removed, stale.now) {
            (Some(read), true, _) => format!(
                "{of}'s run {read}, which {}'s run read, was removed since",
                stale.run.period.label()
            ),
            (_, _, Some(now)) => format!("run {} replaced {of}'s run", now.run_id),
            _ => format!("{of}'s run was replaced"),
        };
        let missing = match stale.missing.as_slice() {
            [] => String::new(),
            missing => format!("{}, then ", run_first(missing)),
        };
        out.push(format!(
            "{previous}'s run was made on a history replaced since ({how}): run {missing}the periods from {} again first",
            stale.run.period.label()
        ));
    }
    if gone.is_many() {
        out.push(format!(
            "{} of {previous}'s {} customers are not in the source",
            crate::text::thousands(gone.ids.len() as f64),
            crate::text::thousands(gone.previous_customers as f64)
        ));
    }
    if !unwritten.is_empty() {
        out.push(format!(
            "{previous}'s run gave no value for {}: it would be NULL for every customer",
            unwritten.join(", ")
        ));
    }
    if let Some(other) = s.other_kind {
        out.push(format!(
            "the latest run before it is of {}, another kind of period than {}",
            other.label(),
            period.label()
        ));
    }
    // A correction of an earlier period (it had a run) is how a stale chain is mended.
    // A later run made by mistake (no `--as-of` early in the next period) is the usual one.
    if !s.later.is_empty() && s.replaces.is_none() {
        let runs: Vec<String> = (s.later.iter())
            .map(|r| format!("{} (run {})", r.period.label(), r.run_id))
            .collect();
        let ids: Vec<String> = s
            .later
            .iter()
            .map(|r| format!("--run {}", r.run_id))
            .collect();
        out.push(format!(
            "later periods have runs ({}): this would be a backfill; a later run made by mistake is removed first with `tierwise prune {}`",
            runs.join(", "),
            ids.join(" ")
        ));
    }
    out
}

/// Periods to run first, oldest first, with the commands: `2025-Q2, 2025-Q3 (`tierwise run
/// --as-of 2025-06-30`, then `tierwise run --as-of 2025-09-30`)`.
pub fn run_first(missing: &[Period]) -> String {
    let commands: Vec<String> = (missing.iter())
        .map(|p| format!("`tierwise run --as-of {}`", p.end()))
        .collect();
    format!(
        "{} ({})",
        output::stale_labels(missing),
        commands.join(", then ")
    )
}

/// Where a run stands among the runs already recorded, for what `run` tells the operator.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Standing {
    /// The previous period's official run (the one `previous.x` reads) and the totals it
    /// recorded, for the totals before and after (`None`: that period has no run).
    pub previous: Option<PreviousRun>,
    /// The official run of the run's own period that this run replaces: its id, date and
    /// customers.
    pub replaces: Option<(i64, Date, i64)>,
    /// The totals the run replaced recorded: what a correction moved, in money.
    pub replaces_totals: output::RecordedTotals,
    /// Outputs whose column an earlier run declared a kind these rules may not give.
    pub column_kinds: Vec<String>,
    /// The run replaced holds the same customers with the same outputs as this one (a
    /// rerun that changed nothing): the later periods stand as they are.
    pub replaces_same: bool,
    /// Per output, the customers of both runs whose value this run changed against the run
    /// replaced (a correction: whom to tell again).
    pub replaces_changed: output::RunChanges,
    /// The periods right after this one that have an official run, up to the first gap:
    /// they read this period's outputs as they were (a backfill).
    pub later: Vec<output::OfficialRun>,
    /// When the rules read history, the previous period (of this run's kind) has no run,
    /// but runs of another kind came before this period ends (the config's `period:`
    /// changed): the latest of them. This run reads no history from it.
    pub other_kind: Option<Period>,
    /// When the previous period has no run but an earlier one does (a period skipped): that
    /// earlier period and its run. `previous.x` reads the previous period only: NULL.
    pub skipped_to: Option<(Period, i64)>,
    /// This run's customers that the previous period's run left out (a rule failed for them
    /// under `--keep-going`): they have no policy of that period, so their `previous.x` is
    /// NULL and they count as new, their history broken. Empty when the rules read no
    /// history. (Before the history is aligned: every customer that run left out.)
    pub previous_left_out: Vec<output::LeftOut>,
    /// The previous period's run was made on a history replaced since (a correction or a
    /// backfill of an earlier period): this run builds on it.
    pub previous_stale: Option<output::StaleRun>,
    /// Periods the rules read (`previous_2.x` ...) with no run, though the history goes back
    /// further or runs were pruned: NULL for every customer. (The previous period when it
    /// has no run but an earlier one has is `skipped_to`.)
    pub read_gaps: Vec<ReadGap>,
    /// When the rules read the previous period and its run was made while the period before
    /// it had no run, though an earlier one had (a quarter skipped two back): that run read
    /// no history, its customers counted as new, and this run builds on it. The missing
    /// period, and the latest earlier period with a run and that run.
    pub previous_made_on_gap: Option<(Period, (Period, i64))>,
    /// When the rules read the previous period and its run read a run of the period before
    /// it that has been removed since (`prune --run`), leaving that period without a run:
    /// the period and the removed run. This run would build on a history no longer kept.
    pub previous_read_removed: Option<(Vec<Period>, i64)>,
    /// This run's customers that the previous period's run does not hold but an earlier one
    /// does (missing from one extract): they count as new, their history broken. Each with
    /// the latest earlier run that holds it. (Known once the history is aligned.)
    pub returning: Vec<(String, output::OfficialRun)>,
    /// Outputs the run this one is compared with (the one it replaces, else the previous
    /// period's) gave and these rules do not: their columns stay in the policy table and its
    /// views, NULL from this run on. That run's id, and the outputs.
    pub dropped: Option<(i64, Vec<String>)>,
    /// This run's customers the previous period's run does not hold whose id is a gone
    /// customer's written another way (`C-0013` for `C-00013`, a space after it): new to the
    /// rules, their history not read. This run's id, then the gone one.
    pub respelled: Vec<(String, String)>,
}

/// A period the rules read without an official run.
#[derive(Debug, Clone, PartialEq)]
pub struct ReadGap {
    /// How many periods back (2 for `previous_2.x`).
    pub back: u32,
    pub period: Period,
    /// The latest earlier period with a run, and that run (`None`: none, the period's own
    /// run was pruned).
    pub earlier: Option<(Period, i64)>,
}

impl ReadGap {
    /// Why the period has no run, as a parenthesis: ` (the latest before it is 2024-Q1, run
    /// 1)` or ` (its run was pruned by `prune --keep`)`.
    pub fn cause(&self) -> String {
        match self.earlier {
            Some((p, run_id)) => format!(" (the latest before it is {}, run {run_id})", p.label()),
            None => " (its run was pruned by `prune --keep`)".to_owned(),
        }
    }
}

/// What the rules read of the period `back` periods before, each once, quoted:
/// `` `previous.tier` ``, `` `previous_2.tier` ``. Only what a rule reads: a value only
/// `summary.moves` counts changes nothing a customer gets.
pub fn past_names(rules: &RuleSet, back: u32) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    for p in rules.past.iter().filter(|p| p.back == back && p.read) {
        let name = format!("`{}`", p.written());
        if !names.contains(&name) {
            names.push(name);
        }
    }
    names
}

/// The previous period's official run, as the summary compares with it.
#[derive(Debug, Clone, PartialEq)]
pub struct PreviousRun {
    pub period: Period,
    pub run_id: i64,
    pub as_of: Date,
    /// The day (UTC) it was made on (`None`: not dated).
    pub made_on: Option<Date>,
    pub totals: RecordedTotals,
    /// The rules it was made with (`None`: not recorded).
    pub rules: Option<output::RunRules>,
}

impl Workspace {
    /// Where a run of this workspace's period stands among the official runs recorded (read
    /// before it is written).
    pub(super) fn standing(
        &self,
        conn: &rusqlite::Connection,
        rules: &RuleSet,
    ) -> Result<Standing, Error> {
        let period = self.context.period;
        let tables = &self.config.tables;
        let official = output::official_runs(conn, tables, period.kind)?;
        let previous = match official
            .iter()
            .find(|r| Some(r.period) == period.previous())
        {
            Some(run) => Some(PreviousRun {
                period: run.period,
                run_id: run.run_id,
                as_of: run.as_of,
                made_on: output::run_started_on(conn, tables, run.run_id)?,
                totals: output::recorded_totals(conn, tables, run.run_id)?,
                rules: output::run_rules(conn, tables, run.run_id)?,
            }),
            None => None,
        };
        let replaces = match official.iter().find(|r| r.period == period) {
            Some(r) => Some((
                r.run_id,
                r.as_of,
                output::run_customers(conn, tables, r.run_id)?,
            )),
            None => None,
        };
        let replaces_totals = match replaces {
            Some((run_id, ..)) => output::recorded_totals(conn, tables, run_id)?,
            None => output::RecordedTotals::NotRecorded,
        };
        // The periods that follow on without a gap: each reads the one before.
        let later = output::following(&official, period);
        // A change of `period:`: no run of the previous period of this kind, but runs of
        // another kind before this period ends (months, then this quarter). A rerun of June
        // after quarters were run reads May: nothing to say.
        // Only for rules that read history (or count moves): others lose nothing.
        let other_kind = (official.iter())
            .filter(|r| r.period.kind != period.kind && r.as_of <= period.end())
            .max_by_key(|r| (r.as_of, r.run_id))
            .map(|r| r.period)
            .filter(|_| previous.is_none() && !rules.past.is_empty());
        // The latest run of a period of this kind before `wanted`.
        let earlier = |wanted: Period| {
            (official.iter())
                .filter(|r| r.period.kind == period.kind && r.as_of < wanted.end())
                .max_by_key(|r| (r.as_of, r.run_id))
                .map(|r| (r.period, r.run_id))
        };
        let skipped_to = match (&previous, period.previous()) {
            (None, Some(before)) => earlier(before),
            _ => None,
        };
        // The previous period skipped has a note of its own (`skipped_to`).
        let mut backs: Vec<u32> = (rules.past.iter().filter(|p| p.read).map(|p| p.back))
            .filter(|&b| b >= 2 || (b == 1 && previous.is_none() && skipped_to.is_none()))
            .collect();
        backs.sort_unstable();
        backs.dedup();
        let mut read_gaps = Vec::new();
        // Read once, and only when the rules read a period further back.
        let pruned = match backs.is_empty() {
            true => Vec::new(),
            false => output::pruned_periods(conn, tables, period.kind)?,
        };
        for back in backs {
            let Some(wanted) = period.back(back) else {
                continue;
            };
            if official.iter().any(|r| r.period == wanted) {
                continue;
            }
            let earlier = earlier(wanted);
            if earlier.is_some() || pruned.contains(&wanted) {
                read_gaps.push(ReadGap {
                    back,
                    period: wanted,
                    earlier,
                });
            }
        }
        // Every customer the previous run left out: which of them this run holds is known
        // once the history is aligned ([`Workspace::run`]).
        let previous_left_out = match &previous {
            Some(run) => output::left_out(conn, tables, run.run_id, None)?,
            None => Vec::new(),
        };
        let stale_chain = match &previous {
            Some(p) => output::stale_runs(conn, tables, period.kind)?
                .into_iter()
                .find(|s| s.runs().any(|r| r.run_id == p.run_id)),
            None => None,
        };
        let gap = match (&previous, period.back(2)) {
            (Some(_), Some(missing))
                if rules.past.iter().any(|p| p.back == 1 && p.read)
                    && !official.iter().any(|r| r.period == missing)
                    && !read_gaps.iter().any(|g| g.period == missing) =>
            {
                Some(missing)
            }
            _ => None,
        };
        // Read, then removed (`prune --run`): made on that run, not on a gap. Its chain starts
        // at the previous run, with the periods to run first (those before it that lost their
        // runs too); said once, as `previous_read_removed`, not also as a stale chain.
        let own_chain =
            |s: &output::StaleRun| previous.as_ref().is_some_and(|p| s.run.run_id == p.run_id);
        let removed = (stale_chain.as_ref())
            .filter(|s| gap.is_some() && own_chain(s) && s.now.is_none())
            .and_then(|s| Some((s.missing.clone(), s.read?)));
        let previous_stale = stale_chain.filter(|s| removed.is_none() || !own_chain(s));
        let previous_made_on_gap = match (gap, &removed) {
            (Some(missing), None) => earlier(missing).map(|e| (missing, e)),
            _ => None,
        };
        // The outputs the run compared with (the one replaced, else the previous period's)
        // gave that these rules do not.
        let compared = (replaces.map(|(id, ..)| id)).or(previous.as_ref().map(|p| p.run_id));
        let dropped = match compared {
            Some(run_id) => {
                let gave = output::run_outputs(conn, tables, run_id)?;
                let gave = gave.as_ref().and_then(|o| o.as_object());
                let given = |name: &String| {
                    (rules.outputs.iter()).any(|o| output::same_output(&o.name, name))
                };
                let names: Vec<String> = (gave.into_iter().flat_map(|o| o.keys()))
                    .filter(|name| !name.starts_with("held.") && !given(name))
                    .cloned()
                    .collect();
                (!names.is_empty()).then_some((run_id, names))
            }
            None => None,
        };
        Ok(Standing {
            previous,
            replaces,
            replaces_totals,
            column_kinds: output::column_kind_changes(conn, tables, rules)?,
            dropped,
            // Known once the run is written.
            replaces_same: false,
            replaces_changed: output::RunChanges::default(),
            later,
            other_kind,
            skipped_to,
            previous_left_out,
            previous_stale,
            read_gaps,
            previous_made_on_gap,
            previous_read_removed: removed,
            returning: Vec::new(),
            respelled: Vec::new(),
        })
    }

    /// The outputs the previous period's run recorded (`policy_run.outputs`), to tell an
    /// output it did not give from one it gave as NULL.
    pub(super) fn previous_outputs(
        &self,
        conn: &rusqlite::Connection,
        standing: &Standing,
    ) -> Result<Option<serde_json::Value>, Error> {
        Ok(match &standing.previous {
            Some(previous) => output::run_outputs(conn, &self.config.tables, previous.run_id)?,
            None => None,
        })
    }

    /// What `run` notes, and `run --strict` refuses, on the history a run of `rules` on
    /// `customers` reads (`past`, from [`Workspace::history`]), a line each: for the
    /// previews of that run (`diff`, `report --base`), which write nothing.
    pub fn history_concerns(
        &self,
        conn: &rusqlite::Connection,
        rules: &RuleSet,
        customers: &Dataset,
        past: &History,
    ) -> Result<Vec<String>, Error> {
        let mut standing = self.standing(conn, rules)?;
        let recorded = self.previous_outputs(conn, &standing)?;
        let unwritten = super::history::unwritten(past, rules, recorded.as_ref());
        let (gone_rows, absent) = past.previous_matches(rules, customers);
        let gone = Gone::of(&gone_rows, past, rules);
        standing.keep_left_out_among(absent.as_deref(), customers);
        Ok(history_concerns(
            &standing,
            &gone,
            &unwritten,
            rules,
            self.context.period,
        ))
    }
}

/// Up to five respelled ids as `"C-0013" was "C-00013"`, and how many more; `None` for none.
pub fn respelled_shown(respelled: &[(String, String)]) -> Option<String> {
    respelled.first()?;
    let shown: Vec<String> = (respelled.iter().take(5))
        .map(|(id, was)| format!("\"{id}\" was \"{was}\""))
        .collect();
    let more = match respelled.len() {
        n if n > 5 => format!(", and {} more", crate::text::thousands((n - 5) as f64)),
        _ => String::new(),
    };
    Some(format!("{}{more}", shown.join("; ")))
}

/// The customers of `absent` (this run's, with no row in the previous period's run) whose id
/// is one of `gone`'s written another way (case, blanks, zeros padding a number).
pub(super) fn respelled(
    gone: &[String],
    absent: Option<&[usize]>,
    customers: &Dataset,
) -> Vec<(String, String)> {
    let Some(absent) = absent.filter(|_| !gone.is_empty()) else {
        return Vec::new();
    };
    let gone: std::collections::HashMap<String, &String> = (gone.iter())
        .map(|id| (crate::source::unpadded(id), id))
        .collect();
    (absent.iter())
        .filter_map(|&i| {
            let id = customers.id_text(i);
            let was = gone.get(&crate::source::unpadded(&id))?;
            Some((id, (*was).clone()))
        })
        .collect()
}

/// The earlier runs a returning customer is looked for in, newest first, before the
/// previous period: a customer missing for longer is as good as new.
const RETURNING_RUNS: usize = 4;

/// More customers than this missing from the previous run is another extract, not
/// customers back: none is looked up.
const RETURNING_MOST: usize = 100_000;

impl Workspace {
    /// Which of `absent` (this run's customers the previous period's run has no row for:
    /// [`crate::engine::Evaluator::absent_from_previous`]) an earlier run holds, with the
    /// latest such run; none when the rules read no previous period.
    pub(super) fn returning(
        &self,
        conn: &rusqlite::Connection,
        standing: &Standing,
        absent: Option<&[usize]>,
        customers: &Dataset,
    ) -> Result<Vec<(String, output::OfficialRun)>, Error> {
        let (Some(previous), Some(absent)) = (&standing.previous, absent) else {
            return Ok(Vec::new());
        };
        if absent.is_empty() || absent.len() > RETURNING_MOST {
            return Ok(Vec::new());
        }
        let tables = &self.config.tables;
        let runs = output::official_runs_before(conn, tables, previous.period, RETURNING_RUNS)?;
        let ids: Vec<String> = absent.iter().map(|&i| customers.id_text(i)).collect();
        Ok(output::last_run_holding(conn, tables, &runs, &ids)?)
    }
}

impl Standing {
    /// Keeps, of the customers the previous run left out, those this run holds: among
    /// `absent`, its customers the previous run has no row for (`None`: the rules read no
    /// history, and none counts).
    pub(super) fn keep_left_out_among(&mut self, absent: Option<&[usize]>, customers: &Dataset) {
        if self.previous_left_out.is_empty() {
            return;
        }
        let absent: std::collections::HashSet<String> = (absent.unwrap_or_default().iter())
            .map(|&i| customers.id_text(i))
            .collect();
        self.previous_left_out
            .retain(|l| absent.contains(&l.customer));
    }
}
