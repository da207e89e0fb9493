//! The customers query's parameters as SQLite reads them: where one is used, for the error
//! that names a parameter tierwise does not give (`:as_at` for `:as_of`).

/// Where `query` uses parameter `name` (`:as_at`, `?1`, `?`) as SQLite reads it: the byte
/// of its first use outside comments, quoted texts and names, and not the start of a longer
/// name (`:period` in `:period_start`).
pub(super) fn first_use(query: &str, name: &str) -> Option<usize> {
    let b = query.as_bytes();
    let word = |c: u8| c.is_ascii_alphanumeric() || c == b'_' || c == b'$' || c >= 0x80;
    let mut i = 0;
    while i < b.len() {
        let closing = match b[i] {
            b'\'' => Some("'"),
            b'"' => Some("\""),
            b'`' => Some("`"),
            b'[' => Some("]"),
            b'-' if b.get(i + 1) == Some(&b'-') => Some("\n"),
            b'/' if b.get(i + 1) == Some(&b'*') => Some("*/"),
            _ => None,
        };
        if let Some(end) = closing {
            let from = i + 1 + usize::from(end.len() == 2 || end == "\n");
            i = query[from.min(b.len())..]
                .find(end)
                .map_or(b.len(), |k| from + k + end.len());
            continue;
        }
        let after = i + name.len();
        if b[i..].starts_with(name.as_bytes())
            && (i == 0 || !word(b[i - 1]))
            && b.get(after).is_none_or(|&c| !word(c))
        {
            return Some(i);
        }
        i += 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::first_use;

    #[test]
    fn a_parameter_is_found_where_sqlite_reads_it() {
        let line = |query: &str, name: &str| {
            first_use(query, name).map(|at| query[..at].matches('\n').count() + 1)
        };
        let query = "-- uses :as_at\nSELECT ':as_at', \"?\", [x?] /* :as_at ? */\nFROM t WHERE d <= :as_at AND e = ?";
        assert_eq!(line(query, ":as_at"), Some(3));
        assert_eq!(line(query, "?"), Some(3));
        // A longer name is not the parameter: `:period` in `:period_start`.
        assert_eq!(line("SELECT :period_start,\n:period", ":period"), Some(2));
        assert_eq!(line("SELECT ?12, ?1", "?1"), Some(1));
        assert_eq!(first_use("SELECT ?12", "?1"), None);
        // A `--` inside a text is no comment; text that is not ASCII is stepped over.
        assert_eq!(line("SELECT '--é' || :as_at", ":as_at"), Some(1));
        assert_eq!(first_use("SELECT 'Łódź', 1", ":x"), None);
    }
}
