//! The fingerprint of what decides: the rule files without what cannot change a customer's
//! outputs, the moves or the totals (comments, layout, the summary's `count_by`, `money` and
//! `report`). The notes that compare two runs (`run`, `changes`, `history`, `report`,
//! `explain`) use it, so that a comment or a new `count_by` is not taken for a change of
//! rules; the files' fingerprint still names the rules everywhere.
//!
//! It errs on the side of "different": a policy is hashed as its YAML values (keys in the
//! order written), a script as its tokens, and a spreadsheet, or a file that does not read,
//! as its bytes.

/// The summary's settings that only say what to show.
const DISPLAY_ONLY: [&str; 3] = ["count_by", "money", "report"];

/// Collects the rule files, in the order they are read.
pub(super) struct Logic(blake3::Hasher);

impl Logic {
    pub fn new() -> Self {
        Logic(blake3::Hasher::new())
    }

    /// A YAML policy file: its values, with the summary's display settings left out.
    pub fn policy(&mut self, name: &str, text: &str) {
        let Ok(mut value) = serde_saphyr::from_str::<serde_json::Value>(text) else {
            return self.bytes(name, text.as_bytes());
        };
        if let Some(file) = value.as_object_mut()
            && let Some(summary) = file.get_mut("summary").and_then(|s| s.as_object_mut())
        {
            summary.retain(|key, _| !DISPLAY_ONLY.contains(&key.as_str()));
            // A summary that only shows is no summary.
            if summary.is_empty() {
                file.remove("summary");
            }
        }
        self.bytes(name, value.to_string().as_bytes());
    }

    /// A Rhai script: its tokens, comments (doc comments too) left out.
    pub fn script(&mut self, name: &str, text: &str) {
        let engine = rhai::Engine::new_raw();
        let mut tokens = String::new();
        // The lexer repeats `EOF` for ever at the end; a token takes a character at least.
        for (token, _) in engine.lex(&[text]).0.take(text.len() + 1) {
            match token {
                rhai::Token::EOF => break,
                rhai::Token::Comment(_) => {}
                token => tokens.push_str(&format!("{token:?}\u{0}")),
            }
        }
        self.bytes(name, tokens.as_bytes());
    }

    /// A file taken as it is (a spreadsheet; a policy that does not parse).
    pub fn bytes(&mut self, name: &str, contents: &[u8]) {
        self.0.update(name.as_bytes());
        self.0.update(&[0]);
        self.0.update(contents);
        self.0.update(&[0]);
    }

    /// The fingerprint (hex, 16 characters, as the files' one).
    pub fn finish(self) -> String {
        self.0.finalize().to_hex()[..16].to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::Logic;

    fn policy(text: &str) -> String {
        let mut logic = Logic::new();
        logic.policy("a.yaml", text);
        logic.finish()
    }

    fn script(text: &str) -> String {
        let mut logic = Logic::new();
        logic.script("s.rhai", text);
        logic.finish()
    }

    const TIERS: &str = "decisions:\n  - name: tier\n    rules:\n      - { id: a, when: sales > 100, then: { tier: A } }\n      - { id: c, then: { tier: C } }\nsummary:\n  count_by: [tier]\n  moves: { tier: [A, C] }\n  totals: { sales: \"= sales\" }\n";

    #[test]
    fn comments_layout_and_display_settings_are_not_logic() {
        let base = policy(TIERS);
        let commented = format!(
            "# The tiers, by sales.\n{}",
            TIERS.replace("C } }\n", "C } }  # the rest\n")
        );
        assert_eq!(base, policy(&commented));
        let block = TIERS.replace(
            "      - { id: c, then: { tier: C } }",
            "      - id: c\n        then:\n          tier: C",
        );
        assert_eq!(base, policy(&block));
        let shown = TIERS.replace(
            "count_by: [tier]",
            "count_by: [tier, rep]\n  money: [sales]",
        );
        assert_eq!(base, policy(&shown));
        let bare = "decisions: []\n";
        assert_eq!(
            policy(bare),
            policy(&format!("{bare}summary:\n  count_by: [tier]\n"))
        );
    }

    #[test]
    fn what_decides_moves_or_totals_is_logic() {
        let base = policy(TIERS);
        assert_ne!(base, policy(&TIERS.replace("sales > 100", "sales >= 100")));
        assert_ne!(base, policy(&TIERS.replace("{ id: a,", "{ id: a1,")));
        assert_ne!(base, policy(&TIERS.replace("[A, C]", "[C, A]")));
        assert_ne!(
            base,
            policy(&TIERS.replace("\"= sales\"", "\"= sales * 2\""))
        );
        // Not YAML: the bytes, so any edit is a change.
        assert_ne!(policy("decisions: ["), policy("decisions: [ "));
    }

    #[test]
    fn a_script_is_its_tokens() {
        let base = script("fn score(x) { x * 2 }");
        assert_eq!(
            base,
            script("// Doubles.\n/// The score.\nfn score(x) {\n    x * 2 /* twice */\n}\n")
        );
        assert_ne!(base, script("fn score(x) { x * 3 }"));
        assert_ne!(
            script(r#"fn f() { "a // b" }"#),
            script(r#"fn f() { "a" }"#)
        );
        assert_ne!(script("fn f() { `x ${1}` }"), script("fn f() { `x ${2}` }"));
    }

    #[test]
    fn the_file_name_is_part_of_it() {
        let mut a = Logic::new();
        a.policy("a.yaml", TIERS);
        let mut b = Logic::new();
        b.policy("b.yaml", TIERS);
        assert_ne!(a.finish(), b.finish());
    }
}
