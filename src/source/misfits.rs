//! The values of a column that are not what it holds (text in a REAL column, `31/12/2025` in
//! a DATE one), counted per column as a source is read, with the first of each form: the
//! message names them all at once (they came to light one run at a time).

/// The values of a column that are not what it holds: how many, and the first of each form
/// (`31/12/2025`, `2025-1-5`, an Excel serial), each needing its own conversion.
#[derive(Debug, Clone, Default)]
pub(super) struct Misfits {
    pub count: usize,
    /// (row, value as the message shows it), one per form, the first value's first.
    pub examples: Vec<(usize, String)>,
    /// The forms seen (up to [`MOST_FORMS`]): how many more than the examples there are, so
    /// that a column of six forms is not mended in rounds of four.
    forms: std::collections::HashSet<String>,
}

impl Misfits {
    /// How many forms were seen beyond those shown (at least, past [`MOST_FORMS`]).
    pub fn more_forms(&self) -> usize {
        self.forms.len().saturating_sub(self.examples.len())
    }
}

/// Most forms counted per column.
const MOST_FORMS: usize = 1000;

/// How many forms of misfit a message shows.
const FORMS: usize = 4;

/// Column `k` of row `row` (the current one) holds `value`, which is not what the column
/// holds: counted, kept if of a form not seen yet, and the row's first such value kept to
/// report once the row is complete.
pub(super) fn misfit(
    misfits: &mut [Misfits],
    bad: &mut Option<(usize, String)>,
    row: usize,
    k: usize,
    value: String,
) {
    // A megabyte pasted into a cell was quoted whole in the message.
    let value = shortened(value);
    let m = &mut misfits[k];
    m.count += 1;
    if m.forms.len() < MOST_FORMS {
        let shape = form(&value);
        if m.forms.insert(shape) && m.examples.len() < FORMS {
            m.examples.push((row, value.clone()));
        }
    }
    bad.get_or_insert((k, value));
}

/// A value as a message quotes it: whole up to 80 characters, else its first 60 and how
/// many there are.
fn shortened(value: String) -> String {
    let count = value.chars().count();
    match count > 80 {
        true => format!(
            "{}... ({} characters)",
            value.chars().take(60).collect::<String>(),
            crate::text::thousands(count as f64)
        ),
        false => value,
    }
}

/// A value's form: digits as `9`, letters as `a` (`31/12/2025` is `99/99/9999`).
pub fn form(value: &str) -> String {
    (value.chars())
        .map(|c| match c {
            '0'..='9' => '9',
            c if c.is_alphabetic() => 'a',
            c => c,
        })
        .collect()
}
