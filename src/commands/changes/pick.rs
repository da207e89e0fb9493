//! Which two runs `changes` compares (`--from`, `--to`: periods, or runs by id), and the
//! `--order` it ranks the moves by.

use crate::error::Error;
use crate::output::{self, OfficialRun};
use crate::time::Period;

/// `--order` as typed: each value trimmed (`A, B, C`), none empty or given twice.
pub(super) fn checked_order(order: Vec<String>) -> Result<Vec<String>, Error> {
    let order: Vec<String> = order.iter().map(|v| v.trim().to_owned()).collect();
    if order.iter().any(String::is_empty) {
        return Err(Error::Argument(
            "--order: a value is empty: list the values highest first, e.g. --order A,B,C".into(),
        ));
    }
    if let Some(twice) = order
        .iter()
        .find(|v| order.iter().filter(|w| w == v).count() > 1)
    {
        return Err(Error::Argument(format!(
            "--order: `{twice}` is listed twice"
        )));
    }
    Ok(order)
}

/// With nothing ranked up or down, an `--order` whose values the moves do not hold (`a` for
/// `A`) is a mistake, not a result: an error naming the values that moved.
pub(super) fn unknown_order_values(
    order: &[String],
    changes: &output::Changes,
) -> Result<(), Error> {
    let mut seen: Vec<&str> = Vec::new();
    for t in &changes.transitions {
        for v in [&t.from.text, &t.to.text].into_iter().flatten() {
            if !seen.contains(&v.as_str()) {
                seen.push(v);
            }
        }
    }
    if seen.is_empty() || order.iter().any(|v| seen.contains(&v.as_str())) {
        return Ok(());
    }
    let hint = order
        .iter()
        .find_map(|v| {
            seen.iter()
                .find(|s| s.eq_ignore_ascii_case(v))
                .map(|s| (v, s))
        })
        .map_or(String::new(), |(v, s)| format!(": `{v}` is written `{s}`"));
    Err(Error::Argument(format!(
        "--order: none of its values is a value that moved (they are: {}){hint}",
        seen.join(", ")
    )))
}

/// The runs of `from` and `to`: a period's official run, or a run by its id (`run:3`, a
/// run replaced since: what a rerun changed); defaults: the latest period, and the one
/// before it. `by_id` finds a successful run by its id, else says why there is none.
pub(super) fn chosen_runs(
    runs: &[OfficialRun],
    from: Option<&str>,
    to: Option<&str>,
    by_id: &dyn Fn(i64) -> Result<Result<OfficialRun, String>, Error>,
    pruned: &[Period],
) -> Result<(Option<OfficialRun>, OfficialRun), Error> {
    let labels = || {
        let all: Vec<String> = runs.iter().map(|r| r.period.to_string()).collect();
        match all.is_empty() {
            true => "there is no successful run yet".to_owned(),
            false => format!("periods with a run: {}", all.join(", ")),
        }
    };
    let find = |flag: &str, label: &str| -> Result<OfficialRun, Error> {
        if let Some(id) = label.trim().strip_prefix("run:") {
            let id: i64 = id.trim().parse().map_err(|_| {
                Error::Argument(format!("{flag} {label}: a run is given by its id, `run:3`"))
            })?;
            return by_id(id)?.map_err(|why| Error::Argument(format!("{flag} {label}: {why}")));
        }
        let period = Period::parse(label).map_err(|e| Error::Argument(format!("{flag}: {e}")))?;
        runs.iter()
            .find(|r| r.period == period)
            .copied()
            .ok_or_else(|| {
                // Its record is kept: "no run" read as a period never run.
                let why = match pruned.contains(&period) {
                    true => "its official run was pruned (`prune --keep`: its policies deleted, its record kept in the run table)",
                    false => "no run",
                };
                Error::Argument(format!("{flag} {label}: {why}; {}", labels()))
            })
    };
    let to = match to {
        Some(label) => find("--to", label)?,
        // The latest period as `customer_policy_latest` has it (a quarter over June).
        None => *(runs.iter())
            .max_by_key(|r| (r.as_of, r.period.kind.months(), r.run_id))
            .ok_or_else(|| Error::Argument(labels()))?,
    };
    let from = match from {
        Some(label) => find("--from", label)?,
        // The period before of the same kind (a month is not the quarter before a quarter);
        // the first of its kind has nothing to compare yet: a result, not a mistake.
        None => match (runs.iter().rev())
            .find(|r| r.period < to.period && r.period.kind == to.period.kind)
        {
            Some(from) => *from,
            None => return Ok((None, to)),
        },
    };
    // Two runs of one period: a rerun against the run it replaced, the earlier first.
    if from.period == to.period && from.run_id < to.run_id {
        return Ok((Some(from), to));
    }
    if from.period == to.period {
        return Err(Error::Argument(format!(
            "--from run {} is not before --to run {}: two runs of {} are compared from the earlier run to the later one",
            from.run_id, to.run_id, from.period
        )));
    }
    if from.period > to.period {
        return Err(Error::Argument(format!(
            "--from {} is not before --to {}: changes go from an earlier period to a later one",
            from.period, to.period
        )));
    }
    Ok((Some(from), to))
}
