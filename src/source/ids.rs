//! Customer ids that stand for one customer twice: repeated, or written two ways.

use super::Dataset;
use crate::value::Value;

impl Dataset {
    /// The ids (in source order) that appear more than once, the first with the others
    /// after it (`C-5 (as do C-6, C-9, C-12 and 4 more)`): `run` refuses such data, as every
    /// policy is keyed by the customer's id, and an export that repeats one repeats many.
    /// Ids are compared as text: the number 5017 and the text "5017" are one customer to
    /// every reader of the policies (and the id is then said with both kinds).
    pub fn repeated_id(&self) -> Option<String> {
        let mut seen = std::collections::HashMap::with_capacity(self.len);
        // Each repeated id once, and whether it came both as a number and as text.
        let mut repeated: Vec<(String, bool)> = Vec::new();
        for i in 0..self.len {
            let id = self.id_text(i);
            let number = matches!(self.id(i), Value::Int(_) | Value::Float(_));
            let Some(was) = seen.insert(id.clone(), number) else {
                continue;
            };
            match repeated.iter_mut().find(|(r, _)| *r == id) {
                Some((_, kinds)) => *kinds |= was != number,
                None => repeated.push((id, was != number)),
            }
        }
        let ((first, kinds), others) = repeated.split_first()?;
        let others: Vec<String> = others.iter().map(|(id, _)| id.clone()).collect();
        let mut said: Vec<String> = Vec::new();
        if *kinds {
            said.push("once as a number, once as text".into());
        }
        match others.len() {
            0 => {}
            1 => said.push(format!("as does {}", others[0])),
            2 | 3 => said.push(format!("as do {}", and_list(&others))),
            _ => said.push(format!("as do {}", crate::text::first_three(&others))),
        }
        Some(match said.is_empty() {
            true => first.clone(),
            false => format!("{first} ({})", said.join("; ")),
        })
    }

    /// Ids that differ from another only in case, spaces around them, leading zeros of a
    /// number in them or how their letters are composed (`C-00011` and `C-00011 `,
    /// `c-00010`, `00123` and `123`, `C-0013` and `C-00013`): separate customers to
    /// tierwise, each with its own policy, though most often one customer exported twice.
    /// Each group in source order, the groups by their first id's place.
    pub fn id_variants(&self) -> Vec<Vec<String>> {
        let mut groups: Vec<Vec<String>> = Vec::new();
        let mut by_fold: std::collections::HashMap<String, usize> = Default::default();
        for i in 0..self.len {
            let id = self.id_text(i);
            let k = *by_fold.entry(unpadded(&id)).or_insert_with(|| {
                groups.push(Vec::new());
                groups.len() - 1
            });
            if !groups[k].contains(&id) {
                groups[k].push(id);
            }
        }
        groups.retain(|g| g.len() > 1);
        groups
    }
}

/// An id as the variants check compares it: without blanks around it, in lower case, its
/// letters composed, each number in it without leading zeros (`C-0013` is `c-13`; `0` stays).
pub fn unpadded(id: &str) -> String {
    let folded = super::folded_id(id);
    let mut out = String::with_capacity(folded.len());
    let mut chars = folded.chars().peekable();
    let (mut in_number, mut after_point) = (false, false);
    while let Some(c) = chars.next() {
        // A zero that starts a number and is followed by a digit is padding; not after a
        // point (`4711.01` and `4711.1` are two sub-accounts).
        let padding = c == '0'
            && !in_number
            && !after_point
            && chars.peek().is_some_and(char::is_ascii_digit);
        after_point = c == '.';
        in_number = c.is_ascii_digit() && (in_number || !padding);
        if !padding {
            out.push(c);
        }
    }
    out
}

/// What `check --data` warns and `run` notes of ids that differ only in case, spaces or
/// leading zeros: how many groups (`total`), the groups `shown`, and what to do.
pub fn variants_message(total: usize, shown: &[Vec<String>]) -> String {
    let listed: Vec<String> = (shown.iter())
        .map(|g| {
            let quoted: Vec<String> = g.iter().map(|id| format!("\"{id}\"")).collect();
            quoted.join(" and ")
        })
        .collect();
    let more = match total.saturating_sub(shown.len()) {
        0 => String::new(),
        n => format!(" and {} more", crate::text::thousands(n as f64)),
    };
    format!(
        "{} of customer ids differ only in case, spaces or leading zeros ({}{more}): tierwise keeps them apart, each a customer with its own policy, counted in every population figure; if they are one customer, merge their rows into one at the source (or in the customers query, grouped by the id written one way): one spelling alone makes them a repeated id, which `run` refuses",
        crate::text::plural(total, "group"),
        listed.join("; ")
    )
}

/// `a`, `a and b`, `a, b and c`.
fn and_list(items: &[String]) -> String {
    match items.split_last() {
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{} and {last}", rest.join(", ")),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::unpadded;

    #[test]
    fn each_number_in_an_id_loses_its_leading_zeros() {
        assert_eq!(unpadded("C-0013"), unpadded("C-00013"));
        assert_eq!(unpadded(" c-00013"), "c-13");
        assert_eq!(unpadded("00123"), "123");
        assert_eq!(unpadded("A-01-002"), "a-1-2");
        assert_eq!(unpadded("100"), "100");
        assert_eq!(unpadded("0"), "0");
        assert_eq!(unpadded("00"), "0");
        assert_ne!(unpadded("C-130"), unpadded("C-13"));
        assert_ne!(unpadded("4711.01"), unpadded("4711.1"));
    }
}
