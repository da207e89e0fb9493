//! Values of earlier periods in expressions: `previous.tier` (the previous period's),
//! `previous_3.tier` (three periods back), `held.tier` (for how many consecutive periods, up
//! to the previous one, `tier` kept the value it had then). Only outputs are kept from one
//! period to the next, so only outputs can be read.
//!
//! Each distinct use gets a slot after every declared name; a `held.x` also needs
//! `previous.x` (to tell whether this period's `x` continues the run) and adds the output
//! `held.x`, which this period stores for the next.

use super::symbols::Symbols;
use crate::rules::{Slot, SlotKind};

/// The furthest back a rule may read.
pub const MAX_BACK: u32 = 24;

/// What a history variable reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Past {
    /// An output `n` periods back.
    Back(u32),
    /// The previous period's `held.<output>`.
    Held,
}

impl Past {
    /// `previous` -> 1 back, `previous_3` -> 3 back, `held`.
    pub fn of_variable(name: &str) -> Option<Past> {
        match name {
            "previous" => Some(Past::Back(1)),
            "held" => Some(Past::Held),
            _ => {
                let n: u32 = name.strip_prefix("previous_")?.parse().ok()?;
                Some(Past::Back(n))
            }
        }
    }

    /// How many periods back it reads.
    pub fn back(self) -> u32 {
        match self {
            Past::Back(n) => n,
            Past::Held => 1,
        }
    }

    /// The column of that period's run.
    pub fn column(self, output: &str) -> String {
        match self {
            Past::Back(_) => output.to_owned(),
            Past::Held => held_column(output),
        }
    }
}

/// The column that counts how long `output` has held its value.
pub fn held_column(output: &str) -> String {
    format!("held.{output}")
}

/// The history slots allocated so far, numbered after every declared name.
pub(super) struct PastSlots {
    base: Slot,
    /// (what, output, the variable's name as written), by slot - base.
    pub entries: Vec<(Past, String, String)>,
    /// Per entry: read by a rule's expression (not only counted by `summary.moves`).
    pub read: Vec<bool>,
}

impl PastSlots {
    pub fn new(symbols: &Symbols) -> Self {
        PastSlots {
            base: symbols.slots.len(),
            entries: Vec::new(),
            read: Vec::new(),
        }
    }

    /// The slot of `variable.output` as an expression reads it (allocated on first use;
    /// `held.x` brings `previous.x`).
    pub fn slot(&mut self, past: Past, variable: &str, output: &str) -> Slot {
        let slot = self.allocated(past, variable, output);
        self.read[slot - self.base] = true;
        slot
    }

    /// The slot of `previous.output` for `summary.moves`, which counts moves without a rule
    /// reading it.
    pub fn counted(&mut self, output: &str) -> Slot {
        self.allocated(Past::Back(1), "previous", output)
    }

    fn allocated(&mut self, past: Past, variable: &str, output: &str) -> Slot {
        if past == Past::Held {
            self.slot(Past::Back(1), "previous", output);
        }
        let found = self
            .entries
            .iter()
            .position(|(p, o, _)| *p == past && o == output);
        let index = found.unwrap_or_else(|| {
            self.entries
                .push((past, output.to_owned(), variable.to_owned()));
            self.read.push(false);
            self.entries.len() - 1
        });
        self.base + index
    }

    /// The slot of `variable.output` if it was allocated (for the fast path's names).
    pub fn find(&self, name: &str) -> Option<Slot> {
        let (variable, output) = name.split_once('.')?;
        let past = Past::of_variable(variable)?;
        self.entries
            .iter()
            .position(|(p, o, _)| *p == past && o == output)
            .map(|i| self.base + i)
    }

    /// The slots' names and kind, to append to the rule set's.
    pub fn slots(&self) -> impl Iterator<Item = (String, SlotKind)> + '_ {
        self.entries
            .iter()
            .map(|(past, output, _)| (name(*past, output), SlotKind::Past))
    }
}

/// How a history value is written: `previous.tier`, `previous_2.tier`, `held.tier`.
pub fn name(past: Past, output: &str) -> String {
    match past {
        Past::Back(n) => format!("{}.{output}", crate::rules::periods_back(n)),
        Past::Held => format!("held.{output}"),
    }
}

/// Why `output` cannot be read from an earlier period, if it cannot.
pub fn problem(symbols: &Symbols, past: Past, output: &str) -> Option<(String, Option<String>)> {
    if let Past::Back(0) = past {
        // `previous_0.x`: this period's own value, which is `x` itself.
        return Some((
            format!("`previous_0.{output}` would be this period's own value, not an earlier one"),
            Some(format!(
                "write `{output}` for this period's value, `previous.{output}` for the period before"
            )),
        ));
    }
    if let Past::Back(n) = past
        && !(1..=MAX_BACK).contains(&n)
    {
        return Some((
            format!("a rule can read at most {MAX_BACK} periods back, not {n}"),
            None,
        ));
    }
    let written = name(past, output);
    match symbols.slot(output).map(|s| symbols.kind(s)) {
        Some(SlotKind::Output) => None,
        Some(kind) => Some((
            format!(
                "`{written}`: `{output}` is a {}; only outputs are kept from one period to the next",
                kind.noun()
            ),
            Some("compute it in a decision to keep it".into()),
        )),
        None => Some((
            format!("`{written}`: `{output}` is not an output of the rules"),
            symbols.output_suggestion(output),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use crate::rules::SlotKind;

    #[test]
    fn previous_values_get_slots_after_every_name_and_held_adds_an_output() {
        let set = loads(&[(
            "a.yaml",
            &format!(
                "{DECISION}  - name: trend\n    output: trend\n    rules:\n      - {{ id: t, when: 'previous.tier == tier && held.tier >= 2', value: steady }}\n      - {{ id: u, when: 'previous_3.tier == \"A\"', value: was_a }}\n"
            ),
        )]);
        let past: Vec<(&str, u32, &str)> = set
            .past
            .iter()
            .map(|p| (set.slot_name(p.slot), p.back, p.column.as_str()))
            .collect();
        assert_eq!(
            past,
            [
                ("previous.tier", 1, "tier"),
                ("held.tier", 1, "held.tier"),
                ("previous_3.tier", 3, "tier"),
            ]
        );
        assert!(
            set.past
                .iter()
                .all(|p| set.slots[p.slot].1 == SlotKind::Past)
        );
        let outputs: Vec<&str> = set.outputs.iter().map(|o| o.name.as_str()).collect();
        assert_eq!(outputs, ["tier", "trend", "held.tier"]);
        assert_eq!(set.held.len(), 1);
        // Both conditions run on the fast path.
        let d = &set.decisions[1];
        for row in &d.rows {
            if let crate::rules::Condition::When(e) = &row.condition {
                assert!(e.native.is_some(), "{} has no fast path", e.text);
            }
        }
    }

    #[test]
    fn only_outputs_can_be_read_from_earlier_periods_and_typos_are_caught() {
        let shown = errors(&[(
            "a.yaml",
            &format!(
                "metrics:\n  m: annual_sales\n{DECISION}  - name: x\n    output: x\n    rules:\n      - {{ id: r1, when: 'previous.tierr == \"A\"', value: 1 }}\n      - {{ id: r2, when: 'previous.annual_sales > 0', value: 2 }}\n      - {{ id: r3, when: 'previous_30.tier == \"A\"', value: 3 }}\n      - {{ id: r4, when: 'previous == ()', value: 4 }}\n      - {{ id: r5, when: 'previous_0.tier == \"A\"', value: 5 }}\n"
            ),
        )]);
        assert_eq!(
            shown,
            [
                "error rules/a.yaml:11:26 [r1]: `previous.tierr`: `tierr` is not an output of the rules | help: did you mean `tier`?",
                "error rules/a.yaml:12:26 [r2]: `previous.annual_sales`: `annual_sales` is a field; only outputs are kept from one period to the next | help: compute it in a decision to keep it",
                "error rules/a.yaml:13:26 [r3]: a rule can read at most 24 periods back, not 30",
                "error rules/a.yaml:14:26 [r4]: unknown name `previous` | help: write `previous.` and an output, e.g. `previous.tier`",
                "error rules/a.yaml:15:26 [r5]: `previous_0.tier` would be this period's own value, not an earlier one | help: write `tier` for this period's value, `previous.tier` for the period before",
            ]
        );
    }
}
