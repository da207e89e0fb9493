//! "Did you mean ...?": the nearest known name to a mistyped one.

/// The nearest of `candidates` to `name`, when it is close enough to be a likely typo.
pub fn suggest<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<String> {
    // Jaro-Winkler ranks well for long names; one typo in a short name (`mn` for `min`)
    // scores low there, so a single edit counts as close too.
    candidates
        .into_iter()
        .map(|c| (strsim::jaro_winkler(name, c), c))
        .filter(|(score, c)| *score >= 0.8 || strsim::damerau_levenshtein(name, c) <= 1)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c.to_owned())
}

/// `did you mean `x`?` when a candidate is close, else `otherwise`.
pub fn did_you_mean<'a>(
    name: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<String> {
    suggest(name, candidates).map(|s| format!("did you mean `{s}`?"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_close_names_only() {
        let names = ["annual_sales", "overdue_days", "tier"];
        assert_eq!(
            suggest("anual_sales", names).as_deref(),
            Some("annual_sales")
        );
        assert_eq!(suggest("zzz", names), None);
        assert_eq!(suggest("mn", ["min", "max"]).as_deref(), Some("min"));
    }
}
