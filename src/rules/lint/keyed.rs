//! A table's rows by the texts each restricts one name to (`customer_id == "C-000123"` per
//! row of an override sheet): a row shares customers only with the rows above that allow
//! one of its texts or do not restrict that name. A lint that compares each row with the
//! rows above asks this index, not every row above (3,000 overrides are 4.5 million pairs).

use super::region::Region;
use super::{LintRow, RowCondition};
use crate::rules::Slot;
use std::collections::{BTreeSet, HashMap};

pub(super) struct KeyIndex {
    /// Per row, the texts it restricts the key name to (`None`: it does not, or unknown).
    keys: Vec<Option<Vec<String>>>,
    /// The rows restricting the key name to each text, in table order.
    by_text: HashMap<String, Vec<usize>>,
    /// The rows not restricting it, in table order.
    unkeyed: Vec<usize>,
}

/// The texts `region` restricts `slot` to, when each of its conjunctions allows texts only.
fn texts_of(region: &Region, slot: Slot) -> Option<BTreeSet<&String>> {
    let mut out = BTreeSet::new();
    for c in region {
        out.extend(c.0.get(&slot)?.only_texts()?);
    }
    Some(out)
}

impl KeyIndex {
    /// The index over the name that most rows restrict to texts; `None` when fewer than half
    /// the rows do (no key to look rows up by).
    pub(super) fn new(rows: &[LintRow]) -> Option<KeyIndex> {
        let mut counts: HashMap<Slot, usize> = HashMap::new();
        for row in rows {
            if let RowCondition::Known(region) = &row.condition
                && let Some(first) = region.first()
            {
                for &slot in first.0.keys() {
                    if texts_of(region, slot).is_some() {
                        *counts.entry(slot).or_default() += 1;
                    }
                }
            }
        }
        // The most rows, then the first name: the same key whatever the map's order.
        let (slot, n) = (counts.into_iter()).max_by_key(|&(s, n)| (n, std::cmp::Reverse(s)))?;
        if n * 2 < rows.len() {
            return None;
        }
        let mut index = KeyIndex {
            keys: Vec::with_capacity(rows.len()),
            by_text: HashMap::new(),
            unkeyed: Vec::new(),
        };
        for (k, row) in rows.iter().enumerate() {
            let texts = match &row.condition {
                RowCondition::Known(region) => texts_of(region, slot),
                _ => None,
            };
            match &texts {
                Some(texts) => texts
                    .iter()
                    .for_each(|t| index.by_text.entry((*t).clone()).or_default().push(k)),
                None => index.unkeyed.push(k),
            }
            index
                .keys
                .push(texts.map(|t| t.into_iter().cloned().collect()));
        }
        Some(index)
    }

    /// The rows above row `j` that may share customers with it, in table order.
    pub(super) fn above(&self, j: usize) -> Vec<usize> {
        let Some(texts) = &self.keys[j] else {
            return (0..j).collect();
        };
        let keyed = texts.iter().flat_map(|t| self.by_text[t].iter().copied());
        let mut out: Vec<usize> = (keyed.chain(self.unkeyed.iter().copied()))
            .filter(|&k| k < j)
            .collect();
        out.sort_unstable();
        out.dedup();
        out
    }
}
