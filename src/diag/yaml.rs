//! The one way a YAML file becomes a typed value: the config, rule files and test files all
//! parse here, so a mistake reads the same in each of them: a diagnostic at the line and
//! column serde-saphyr gives, in words for the people who edit the files (no serde
//! Rust-speak), with "did you mean" for a mistyped key.
//!
//! Booleans are YAML 1.2's `true`/`false` only: `NO` (a country) and `yes` stay text.

use super::{Diagnostic, SourceFile, suggest::suggest};
use serde::de::DeserializeOwned;

/// Parses `file` as a `T`; a mistake becomes a diagnostic pointing into the file.
pub fn parse<T: DeserializeOwned>(file: &SourceFile) -> Result<T, Box<Diagnostic>> {
    let options = serde_saphyr::options! { strict_booleans: true };
    serde_saphyr::from_str_with_options::<T>(&file.text, options).map_err(|e| {
        let (line, column) = e
            .location()
            .map_or((0, 0), |l| (l.line() as usize, l.column() as usize));
        let message = too_large(
            message(&e.without_snippet().to_string()),
            file,
            line,
            column,
        );
        if message.contains("tab")
            && let Some((line, column)) = tab_at_or_after(&file.text, line)
        {
            let d = Diagnostic::error(file, line, column, "a tab indents this line")
                .help("YAML indents with spaces only: replace the tab with spaces");
            return Box::new(d);
        }
        if let Some(d) = super::ctrl_z::ctrl_z(file, &message) {
            return Box::new(d);
        }
        if let Some(date) = date_for_a_number(&message, &file.text, line, column) {
            let message = format!("`{date}` is a date, and a number is expected here");
            let d = Diagnostic::error(file, line, column, message).help(format!(
                "a scale's bands are numbers: for bands of dates, write rows (`when: due < date(\"{date}\")`), or band the days (`of: days_between(due, as_of)`, bands in days)"
            ));
            return Box::new(d);
        }
        let unknown_key = message
            .strip_prefix("unknown field `")
            .and_then(|rest| rest.split('`').next());
        let help = (unknown_key.and_then(|key| split_number(&file.text, line, key)))
            .or_else(|| unknown_key_help(&message))
            .or_else(|| missing_key_help(&message))
            .or_else(|| structure_help(&message))
            .or_else(|| flow_help(&message, &file.text, line))
            .or_else(|| comma_number_help(&message, &file.text, line))
            .or_else(|| continued_help(&message, &file.text, line));
        // A missing key is reported after the mapping's last key: point at its first.
        let (line, column) = match message.starts_with("missing key") {
            true => mapping_start(&file.text, line, column).unwrap_or((line, column)),
            false => (line, column),
        };
        let mut d = Diagnostic::error(file, line, column, message);
        d.help = help;
        Box::new(d)
    })
}

/// "expected a whole number" at digits (`max_operations: 99999999999999999999`): it is
/// one, too large to hold.
fn too_large(message: String, file: &SourceFile, line: usize, column: usize) -> String {
    let at = file.text.lines().nth(line.wrapping_sub(1));
    let written: String = (at
        .into_iter()
        .flat_map(|l| l.chars().skip(column.wrapping_sub(1))))
    .take_while(|c| c.is_ascii_digit() || matches!(c, '-' | '+' | '_'))
    .collect();
    // A plain run of digits: not negative, not a decimal (`...99.5`).
    let after = column.wrapping_sub(1) + written.chars().count();
    let plain = !written.starts_with('-')
        && at.is_some_and(|l| l.chars().nth(after).is_none_or(|c| c != '.'));
    match message.starts_with("expected a whole number") && written.len() > 18 && plain {
        true => format!("`{written}` is too large a number here"),
        false => message,
    }
}

/// The reader's limits, which protect `check`, `watch` and `serve` from a file that would
/// take all memory or stack, in words: what is too much, and what to do.
fn limit_words(message: &str) -> Option<String> {
    if message.contains("recursion limit exceeded") || message.contains("budget breached: Depth") {
        return Some(
            "the file nests too deeply (lists or mappings inside each other, more levels than \
             any rule needs)"
                .into(),
        );
    }
    let breach = message.strip_prefix("budget breached: ")?;
    let count = |key: &str| {
        let digits: String = breach
            .split(key)
            .nth(1)?
            .chars()
            .skip_while(|c| !c.is_ascii_digit())
            .take_while(char::is_ascii_digit)
            .collect();
        // The count at the breach is one over the limit.
        digits
            .parse::<f64>()
            .ok()
            .map(|n| crate::text::thousands(n - 1.0))
    };
    Some(match breach.split([' ', '{']).next().unwrap_or("") {
        "Nodes" => format!(
            "the file holds too many values (over {}; an alias `*name` counts everything its \
             anchor `&name` holds, each time it is used): split the file, or use fewer aliases",
            count("nodes").unwrap_or_default()
        ),
        "Aliases" | "AliasAnchorRatio" | "MergeKeys" => {
            "too many aliases (`*name`) or merge keys (`<<`) in one file".into()
        }
        "Anchors" => "too many anchors (`&name`) in one file".into(),
        _ => "the file is too large or too complex to read as a rule file".into(),
    })
}

/// Where the tab the parser stopped at is: the first one that indents a line, from `line`
/// on (the parser reports the scalar it was reading, which may be on the line above, or the
/// character after the tab). 1-based line and column.
fn tab_at_or_after(text: &str, line: usize) -> Option<(usize, usize)> {
    text.lines()
        .enumerate()
        .skip(line.saturating_sub(1))
        .find_map(|(i, l)| {
            let indent = l.len() - l.trim_start_matches([' ', '\t']).len();
            l[..indent].find('\t').map(|b| (i + 1, b + 1))
        })
}

/// A parser message in words: without the position (the diagnostic shows it) and without
/// serde's Rust-speak.
pub fn message(message: &str) -> String {
    let message = strip_position(message);
    if let Some(words) = limit_words(&message) {
        return words;
    }
    if message.starts_with("expected sequence start") {
        return "a list is expected here: `- item` lines, or `[a, b]`".into();
    }
    if message.starts_with("expected mapping start") {
        return "a mapping is expected here: `key: value` lines, or `{ key: value }`".into();
    }
    if message.contains("cannot deserialize null") || message.contains("invalid type: null") {
        return "a value is missing here".into();
    }
    if message.contains("unexpected end of input") {
        return "the file is empty or ends too early: a required key is missing".into();
    }
    if message.contains("did not find expected key")
        || message.contains("did not find expected '-' indicator")
    {
        return INDENTED.into();
    }
    if message.contains("mapping values are not allowed in this context") {
        return COLON.into();
    }
    if message.contains("trailing content after double-quoted scalar")
        || message.contains("trailing content after single-quoted scalar")
    {
        return QUOTED.into();
    }
    if let Some(rest) = message.strip_prefix("missing field `") {
        let key = rest.split('`').next().unwrap_or(rest);
        return format!("missing key `{key}:` in this mapping");
    }
    if message.starts_with("unknown field `") {
        return numbered_runs(&message);
    }
    // serde's "variant" is Rust-speak for one of a fixed list of words (`hit: frist`).
    if let Some(rest) = message.strip_prefix("unknown variant ") {
        return format!("unknown value {rest}");
    }
    // `.nan`, `.inf`: YAML's words for numbers no rule can compute with.
    if let Some(rest) = message.strip_prefix("non-finite float `") {
        let written = rest.split('`').next().unwrap_or(rest);
        return format!(
            "`{written}` is not a number a rule can use (not a number, or infinite): write a number"
        );
    }
    if let Some(rest) = message.strip_prefix("duplicate mapping key: ") {
        let key = rest.split(", set ").next().unwrap_or(rest);
        return format!("`{key}` is given twice");
    }
    let message = match message.split_once("; use Option<") {
        Some((head, _)) => head.to_owned(),
        None => message,
    };
    for (rust, words) in [
        ("u64", "a whole number (0 or more)"),
        ("usize", "a whole number (0 or more)"),
        ("i64", "a whole number"),
        ("f64", "a number"),
    ] {
        if message.contains(&format!("invalid {rust}"))
            || message.ends_with(&format!("expected {rust}"))
        {
            return format!("expected {words} here");
        }
    }
    message
}

/// The parser's "did not find expected key" and "... '-' indicator", in words.
const INDENTED: &str = "this line is indented differently from the lines of its mapping or list";
/// The parser's "mapping values are not allowed in this context", in words.
const COLON: &str = "a `key:` where no key can start";

/// The parser's "invalid trailing content after double-quoted scalar", in words.
const QUOTED: &str = "text after the closing quote: a value that starts with a quote ends there";

/// How to mend the structure mistakes above.
fn structure_help(message: &str) -> Option<String> {
    Some(match message {
        INDENTED => "YAML reads the structure from the indentation: start this line with as many spaces as the other keys of its mapping (or the `- ` of the other items of its list)".into(),
        COLON => "if this line belongs to the mapping above, indent it as that mapping's other keys; if the `:` is part of a value, put the value in quotes: '= a: b'".into(),
        QUOTED => "put the whole expression in the other quotes: `when: '\"A\" == tier'`, or start it with the name: `when: tier == \"A\"`".into(),
        "`when` is given twice" => {
            "a key appears once in its mapping: keep one (two conditions of a row are one `when:` joined with `&&`)".into()
        }
        _ if message.ends_with("` is given twice") => {
            "a key appears once in its mapping: keep one".into()
        }
        _ => return None,
    })
}

/// A `{ ... }` mapping that ends early: a value in it holds YAML's own punctuation
/// (`tier in ["C", "N"]`), which must be quoted there. With the `when:` of that line quoted.
fn flow_help(message: &str, text: &str, line: usize) -> Option<String> {
    if !message.contains("flow mapping") && !message.contains("flow sequence") {
        return None;
    }
    let row = text.lines().nth(line.checked_sub(1)?)?;
    let general = "inside `{ ... }` YAML reads `[`, `]`, `{`, `}`, `,` and `:` as its own \
                   punctuation: put a value that holds them in quotes";
    let when = row.find("when:").map(|at| row[at + 5..].trim_start());
    let example = when.filter(|w| !w.starts_with(['"', '\''])).and_then(|w| {
        let end = [", then:", ", value:", ", doc:", " }"]
            .iter()
            .filter_map(|k| w.find(k))
            .min()?;
        let condition = w[..end].trim();
        (!condition.contains('\'')).then(|| format!("when: '{condition}'"))
    });
    Some(match example {
        Some(example) => format!("{general}: `{example}`"),
        None => general.into(),
    })
}

/// A line the parser cannot read as a key, below a value that goes on (`when: a > 1 &&`):
/// the value's next line must be indented more than its key.
fn continued_help(message: &str, text: &str, line: usize) -> Option<String> {
    if !message.contains("simple key expected") {
        return None;
    }
    let above = text.lines().nth(line.checked_sub(2)?)?.trim_end();
    // `doc: >` / `when: |`: a block of text whose lines are not indented under its key.
    if [": >", ": |", ": >-", ": |-"]
        .iter()
        .any(|b| above.ends_with(b))
    {
        return Some(
            "the lines of a `key: >` (or `|`) text are indented more than its key: indent this line and the ones after it".into(),
        );
    }
    let ends = [
        "&&", "||", "+", "-", "*", "/", "(", ",", "==", ">", "<", ">=", "<=",
    ];
    let open = ends.iter().find(|e| above.ends_with(**e))?;
    Some(format!(
        "the line above ends with `{open}`: its value goes on here, so indent this line more than the key above (or write the key as `when: >` and indent the lines below it)"
    ))
}

/// What a missing key is for, where it is one every rule file writer meets.
fn missing_key_help(message: &str) -> Option<String> {
    let key = message.strip_prefix("missing key `")?.split(':').next()?;
    Some(match key {
        "id" => "every rule needs an `id:`, recorded with each customer's policy and named in messages, e.g. `id: pay-tier-a`".into(),
        _ => format!("add `{key}: ...` to it"),
    })
}

/// The first key of the mapping whose key at (`line`, `column`) is the parser's position
/// (1-based): of a flow mapping `{ ... }` on that line, or of a block mapping (the line
/// whose `- ` starts the list item, above keys indented alike). `None` when unsure.
fn mapping_start(text: &str, line: usize, column: usize) -> Option<(usize, usize)> {
    let lines: Vec<&str> = text.lines().collect();
    let at = lines.get(line.checked_sub(1)?)?;
    let before: Vec<char> = at.chars().take(column.saturating_sub(1)).collect();
    // The `{` still open at the position, quoted text and closed braces aside.
    let (mut open, mut quote) = (Vec::new(), None);
    for (k, &c) in before.iter().enumerate() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '"' | '\'') => quote = Some(c),
            (None, '{') => open.push(k),
            (None, '}') => {
                open.pop();
            }
            _ => {}
        }
    }
    if let Some(&open) = open.last() {
        let first = before[open + 1..].iter().position(|c| !c.is_whitespace())?;
        return Some((line, open + 2 + first));
    }
    if before.contains(&'{') {
        return None; // a mapping opened on an earlier line: not sure where
    }
    let indent = column.checked_sub(1)?;
    let mut k = line - 1;
    loop {
        let l: Vec<char> = lines.get(k)?.chars().collect();
        let spaces = l.iter().take_while(|&&c| c == ' ').count();
        let item = indent >= 2 && spaces == indent - 2 && l.get(indent - 2) == Some(&'-');
        if item {
            return Some((k + 1, column));
        }
        if spaces != indent || k == 0 {
            return None;
        }
        k -= 1;
    }
}

/// serde-saphyr ends its messages with " at line N, column M"; the diagnostic shows that itself.
fn strip_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(i) => message[..i].to_owned(),
        None => message.to_owned(),
    }
}

/// A key of digits (`key`) on line `line` just after `digits,` (`{ value: 1,000 }`): in a
/// `{ ... }` mapping the comma ends the value, so `1,000` was read as `1` and a key `000`.
/// The help says so and what to write: the number without its thousands separator, or with
/// a decimal point (`0,5`, `1,5%`: a comma that cannot group thousands is a decimal comma).
pub fn split_number(text: &str, line: usize, key: &str) -> Option<String> {
    let fraction = key.strip_suffix('%').unwrap_or(key);
    if fraction.is_empty() || !fraction.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let row = text.lines().nth(line.checked_sub(1)?)?;
    // `1 April, 2026`: the day before the month's name, as a letter writes it in Britain.
    let british = row.match_indices(key).find_map(|(at, _)| {
        let before = row[..at].trim_end().strip_suffix(',')?.trim_end();
        let (rest, month) = before.rsplit_once(|c: char| !c.is_alphabetic())?;
        let day = rest.trim_end();
        let day = &day[day.trim_end_matches(|c: char| c.is_ascii_digit()).len()..];
        let date = letter_date(month, day, key)?;
        Some(format!(
            "in `{{ ... }}` a comma separates entries, so `{day} {month}, {key}` was read as `{day} {month}` and a key `{key}`: a date is written year-month-day, `{date}`"
        ))
    });
    if british.is_some() {
        return british;
    }
    let (whole, word) = row.match_indices(key).find_map(|(at, _)| {
        let before = row[..at].trim_end().strip_suffix(',')?;
        let digits = before.len() - before.trim_end_matches(|c: char| c.is_ascii_digit()).len();
        // `v1,2`: the digits end a word (the text's last characters), not a number.
        let start = before[..before.len() - digits]
            .char_indices()
            .rev()
            .find(|&(_, c)| !(c.is_alphanumeric() || c == '_' || c == '.' || c == '-'))
            .map_or(0, |(p, c)| p + c.len_utf8());
        let word = &before[start..before.len() - digits];
        (digits > 0).then(|| (&before[before.len() - digits..], word))
    })?;
    if !word.is_empty() {
        return Some(format!(
            "in `{{ ... }}` a comma separates entries, so `{word}{whole},{key}` was read as `{word}{whole}` and a key `{key}`: quote the value: \"{word}{whole},{key}\""
        ));
    }
    // `April 1, 2026`: a date written as in a letter, not a number.
    if let Some(date) = letter_date(
        &row[..row.rfind(&format!("{whole},")).unwrap_or(0)],
        whole,
        key,
    ) {
        return Some(format!(
            "in `{{ ... }}` a comma separates entries, so `{whole}, {key}` was read as `{whole}` and a key `{key}`: a date is written year-month-day, `{date}`"
        ));
    }
    let thousands = fraction.len() == 3 && !whole.starts_with('0');
    let number = match thousands {
        true => format!("{whole}{fraction}"),
        false => format!("{whole}.{fraction}"),
    };
    let write = match (key.ends_with('%'), thousands) {
        (true, _) => crate::text::percent_help(&number, &format!("{whole},{key}")),
        (false, true) => format!(
            "write {number}, without the thousands separator (or {whole}.{fraction} if the comma is a decimal point)"
        ),
        (false, false) => format!("write {number}, with a decimal point"),
    };
    Some(format!(
        "in `{{ ... }}` a comma separates entries, so `{whole},{key}` was read as `{whole}` and a key `{key}`: {write}"
    ))
}

/// `April 1, 2026` (`before` ends with the month's name, `day` and `year` the two numbers
/// the comma split) as the ISO date `2026-04-01`; `None` unless it is one.
fn letter_date(before: &str, day: &str, year: &str) -> Option<String> {
    const MONTHS: [&str; 12] = [
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
    ];
    let word = before
        .trim_end()
        .rsplit(|c: char| !c.is_alphabetic())
        .next()?;
    let word = word.to_lowercase();
    let month = MONTHS
        .iter()
        .position(|m| word.len() >= 3 && m.starts_with(&word))?;
    let (day, year): (u32, i32) = (day.parse().ok()?, year.parse().ok()?);
    let date = crate::time::Date::new(year, month as u32 + 1, day)?;
    (year.to_string().len() == 4).then(|| date.to_string())
}

/// A number with a decimal comma where serde wanted a number (`round: { nearest: 0,01 }`,
/// split by the flow mapping's comma into `0` and a key `01`; `nearest: "0,01"`, text):
/// the message said "expected end of mapping after enum variant value" or "invalid floating
/// point", with no help. The first such number on the line, written with a point.
fn comma_number_help(message: &str, text: &str, line: usize) -> Option<String> {
    let expected = ["after enum variant value", "invalid floating point"];
    if !expected.iter().any(|m| message.contains(m)) {
        return None;
    }
    let row = text.lines().nth(line.checked_sub(1)?)?;
    let bytes = row.as_bytes();
    let comma = (1..bytes.len().saturating_sub(1)).find(|&k| {
        bytes[k] == b',' && bytes[k - 1].is_ascii_digit() && bytes[k + 1].is_ascii_digit()
    })?;
    let start = row[..comma]
        .rfind(|c: char| !c.is_ascii_digit() && c != '-')
        .map_or(0, |p| p + 1);
    let end = row[comma + 1..]
        .find(|c: char| !c.is_ascii_digit())
        .map_or(row.len(), |p| comma + 1 + p);
    let (whole, fraction) = (&row[start..comma], &row[comma + 1..end]);
    Some(format!(
        "`{whole},{fraction}` has a decimal comma: write {whole}.{fraction}, a number with a decimal point (not in quotes)"
    ))
}

/// The date written where serde wanted a number ("invalid floating point" at
/// `below: 2026-01-01` in a scale's band).
fn date_for_a_number(message: &str, text: &str, line: usize, column: usize) -> Option<String> {
    if !message.contains("invalid floating point") {
        return None;
    }
    let row = text.lines().nth(line.checked_sub(1)?)?;
    let rest = row.get(row.char_indices().nth(column.checked_sub(1)?)?.0..)?;
    let written = rest.split([',', '}', ' ', '#']).next()?.trim();
    crate::time::Date::parse(written).map(|_| written.to_owned())
}

/// A list of keys with its numbered runs shortened: `previous, previous_2, previous_3,
/// ..., previous_24` is `previous, previous_2 ... previous_24`.
fn numbered_runs(list: &str) -> String {
    let numbered = |item: &str| {
        let (stem, n) = item.rsplit_once('_')?;
        Some((stem.to_owned(), n.parse::<u32>().ok()?))
    };
    let items: Vec<&str> = list.split(", ").collect();
    let mut out: Vec<String> = Vec::new();
    let mut k = 0;
    while k < items.len() {
        let mut end = k;
        if let Some((stem, n)) = numbered(items[k]) {
            while end + 1 < items.len()
                && numbered(items[end + 1]) == Some((stem.clone(), n + (end + 1 - k) as u32))
            {
                end += 1;
            }
        }
        match end - k {
            0..=2 => out.extend(items[k..=end].iter().map(|s| s.to_string())),
            _ => out.push(format!("{} ... {}", items[k], items[end])),
        }
        k = end + 1;
    }
    out.join(", ")
}

/// Keys an admin writes for another: `given:` for a case's `customer:`.
const SYNONYMS: &[(&str, &[&str])] = &[
    (
        "customer",
        &["given", "fields", "input", "inputs", "data", "with"],
    ),
    (
        "expect",
        &[
            "expected", "then", "output", "outputs", "result", "results", "should",
        ],
    ),
];

/// "unknown field `wehn`, expected one of id, when, then" -> "did you mean `when`?"
/// (or the list of keys when none is close).
pub fn unknown_key_help(message: &str) -> Option<String> {
    let rest = message
        .strip_prefix("unknown field `")
        .or_else(|| message.strip_prefix("unknown value `"))?;
    let (given, rest) = rest.split_once('`')?;
    let expected = rest
        .split_once("expected one of ")
        .map(|(_, e)| e)
        .or_else(|| rest.split_once("expected ").map(|(_, e)| e))?;
    let options: Vec<&str> = expected.split(", ").map(|s| s.trim_matches('`')).collect();
    if options.contains(&"rule_order")
        && let Some(help) = super::habits::dmn_hit_policy(given)
    {
        return Some(help);
    }
    // `SUM`, `Unique`: the word, in the case it is written here.
    if let Some(word) = options.iter().find(|o| o.eq_ignore_ascii_case(given)) {
        return Some(format!("did you mean `{word}`?"));
    }
    let synonym = SYNONYMS
        .iter()
        .find(|(key, words)| options.contains(key) && words.contains(&given))
        .map(|(key, _)| key.to_string());
    synonym
        .or_else(|| suggest(given, options.iter().copied()))
        .map(|s| format!("did you mean `{s}`?"))
        .or_else(|| {
            Some(format!(
                "expected one of: {}",
                numbered_runs(&options.join(", "))
            ))
        })
}

/// The (line, column) in `source` of each character of `value`, a YAML scalar whose text
/// starts at byte `offset`: each character is found in order, skipping only what YAML
/// drops (quotes, backslashes of escapes, indentation, line breaks it folds, a block's
/// header line). `None` when a character is not there (an escape that is not the character).
pub fn scalar_positions(source: &str, offset: usize, value: &str) -> Option<Vec<(usize, usize)>> {
    let before = source.get(..offset)?;
    let mut line = 1 + before.matches('\n').count();
    let mut column = 1 + before.rsplit('\n').next().unwrap_or("").chars().count();
    let mut rest = source[offset..].chars().peekable();
    // A block scalar's indentation, which is not part of its text: a line of the text that
    // starts with blanks (a grid row without an id) must not take them from it.
    let mut indent = 0;
    // Where the reader points at the text itself, its line's blanks are the indentation.
    let prefix = before.rsplit('\n').next().unwrap_or("");
    if value.contains('\n') && !prefix.is_empty() && prefix.chars().all(|c| c == ' ') {
        indent = prefix.chars().count();
    }
    if matches!(rest.peek(), Some('|' | '>')) {
        // A block scalar's header: the text starts on the next line.
        for c in rest.by_ref() {
            if c == '\n' {
                break;
            }
        }
        (line, column) = (line + 1, 1);
        // The blanks that start the first line with text (blank lines before it aside).
        let mut blanks = 0;
        for c in rest.clone() {
            match c {
                ' ' => blanks += 1,
                '\r' | '\n' => blanks = 0,
                _ => break,
            }
        }
        indent = blanks;
    }
    let mut out = Vec::with_capacity(value.len());
    for wanted in value.chars() {
        loop {
            let c = rest.next()?;
            let here = (line, column);
            if c == '\n' {
                (line, column) = (line + 1, 1);
            } else {
                column += 1;
            }
            if c == ' ' && here.1 <= indent {
                continue; // the block's indentation
            }
            let same = c == wanted || (wanted.is_whitespace() && c.is_whitespace());
            if same {
                out.push(here);
                break;
            }
            if !(c.is_whitespace() || matches!(c, '"' | '\'' | '\\')) {
                return None;
            }
        }
    }
    Some(out)
}

#[cfg(test)]
#[path = "yaml_tests.rs"]
mod tests;

#[cfg(test)]
mod block_positions {
    use super::scalar_positions;

    #[test]
    fn a_block_line_that_starts_with_blanks_keeps_them_after_the_indentation() {
        let source = "grid: |\n  id | a\n     | b\n";
        let value = "id | a\n   | b\n";
        let at = scalar_positions(source, 6, value).unwrap();
        assert_eq!(at[0], (2, 3), "`i`");
        assert_eq!(
            at[7],
            (3, 3),
            "the blank that starts the third line, after the indentation"
        );
        assert_eq!(at[10], (3, 6), "`|`");
        // The reader may point at the text rather than at the `|` header.
        let at = scalar_positions(source, 10, value).unwrap();
        assert_eq!((at[0], at[7]), ((2, 3), (3, 3)));
    }
}
