//! The fingerprint of what decides: the rule files without what cannot change a customer's
//! outputs, the moves or the totals (comments, layout, the summary's `count_by` and `report`).
//! The notes that compare two runs (`run`, `changes`, `history`, `report`,
//! `explain`) use it, so that a comment or a new `count_by` is not taken for a change of
//! rules; the files' fingerprint still names the rules everywhere.
//!
//! It errs on the side of "different": a policy is hashed as its YAML events, each scalar
//! as written (`NO` is not `no`, `7.0` is not `007`) and whether it was quoted, in the order
//! written, without comments or the flow/block layout; a script as its tokens; and a
//! spreadsheet, or a file that does not read, as its bytes.

use serde_saphyr::granit_parser::{Event, Parser, ScalarStyle};

/// The summary's settings that only say what to show (`money` rounds the recorded totals:
/// not only shown).
const DISPLAY_ONLY: [&str; 2] = ["count_by", "report"];

/// The version of what is hashed: a later way of hashing compares as other rules with
/// runs recorded before it (the side to err on).
const VERSION: &[u8] = b"tierwise logic 1";

/// Collects the rule files, in the order they are read.
pub(super) struct Logic(blake3::Hasher);

impl Logic {
    pub fn new() -> Self {
        let mut hasher = blake3::Hasher::new();
        hasher.update(VERSION);
        Logic(hasher)
    }

    /// A YAML policy file: its events, the summary's display settings left out.
    pub fn policy(&mut self, name: &str, text: &str) {
        let events: Result<Vec<Event>, _> = Parser::new_from_str(text)
            .map(|e| e.map(|(event, _)| event))
            .collect();
        let Ok(mut events) = events else {
            return self.bytes(name, text.as_bytes());
        };
        // The nodes only: comments, stream and document markers are no value of the rules.
        events.retain(|e| {
            matches!(
                e,
                Event::Scalar(..)
                    | Event::Alias(_)
                    | Event::UnresolvedAlias(_)
                    | Event::SequenceStart(..)
                    | Event::SequenceEnd
                    | Event::MappingStart(..)
                    | Event::MappingEnd
            )
        });
        let mut canonical = String::new();
        let mut at = 0;
        while at < events.len() {
            node(&events, &mut at, &mut canonical, &[]);
        }
        self.bytes(name, canonical.as_bytes());
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
        hash(&mut self.0, name, contents);
    }

    /// The fingerprint (hex, 16 characters, as the files' one).
    pub fn finish(self) -> String {
        short_hex(&self.0)
    }
}

/// A file's name and contents, into a fingerprint (the files' one and [`Logic`]).
pub(super) fn hash(hasher: &mut blake3::Hasher, name: &str, contents: &[u8]) {
    hasher.update(name.as_bytes());
    hasher.update(&[0]);
    hasher.update(contents);
    hasher.update(&[0]);
}

/// A fingerprint as runs record and messages show it: 16 hex characters.
pub(super) fn short_hex(hasher: &blake3::Hasher) -> String {
    hasher.finalize().to_hex()[..16].to_string()
}

/// Writes the node starting at `events[*at]` (under the mapping keys `path`) into `out`,
/// and moves `at` past it.
fn node(events: &[Event], at: &mut usize, out: &mut String, path: &[&str]) {
    let Some(event) = events.get(*at) else { return };
    *at += 1;
    match event {
        Event::Scalar(text, style, anchor, tag) => {
            let quoted = !matches!(style, ScalarStyle::Plain);
            out.push_str(&format!("s{quoted:?}{anchor}{tag:?}{:?};", text.as_ref()));
        }
        Event::Alias(id) => out.push_str(&format!("*{id};")),
        Event::UnresolvedAlias(name) => out.push_str(&format!("*{:?};", name.as_ref())),
        Event::SequenceStart(_, anchor, tag) => {
            out.push_str(&format!("[{anchor}{tag:?};"));
            while !matches!(events.get(*at), None | Some(Event::SequenceEnd)) {
                node(events, at, out, path);
            }
            *at += 1;
            out.push(']');
        }
        Event::MappingStart(_, anchor, tag) => {
            out.push_str(&format!("{{{anchor}{tag:?};"));
            while !matches!(events.get(*at), None | Some(Event::MappingEnd)) {
                let key = match &events[*at] {
                    Event::Scalar(text, ScalarStyle::Plain, ..) => Some(text.as_ref()),
                    _ => None,
                };
                let display = match (path, key) {
                    (["summary"], Some(key)) => DISPLAY_ONLY.contains(&key),
                    // A summary that only says what to show is no summary.
                    ([], Some("summary")) => only_display(events, *at + 1),
                    _ => false,
                };
                if display {
                    skip(events, at);
                    skip(events, at);
                    continue;
                }
                node(events, at, out, path);
                let inner: Vec<&str> = path.iter().copied().chain(key).collect();
                node(events, at, out, &inner);
            }
            *at += 1;
            out.push('}');
        }
        // Left out before ([`Logic::policy`]).
        _ => {}
    }
}

/// Moves `at` past the node starting there.
fn skip(events: &[Event], at: &mut usize) {
    let mut depth = 0usize;
    while let Some(event) = events.get(*at) {
        *at += 1;
        match event {
            Event::SequenceStart(..) | Event::MappingStart(..) => depth += 1,
            Event::SequenceEnd | Event::MappingEnd => depth = depth.saturating_sub(1),
            _ => {}
        }
        if depth == 0 {
            return;
        }
    }
}

/// The node at `events[at]` is a mapping whose every key is a display setting.
fn only_display(events: &[Event], mut at: usize) -> bool {
    if !matches!(events.get(at), Some(Event::MappingStart(..))) {
        return false;
    }
    at += 1;
    while let Some(event) = events.get(at) {
        match event {
            Event::MappingEnd => return true,
            Event::Scalar(key, ScalarStyle::Plain, ..) if DISPLAY_ONLY.contains(&key.as_ref()) => {
                at += 1;
                skip(events, &mut at);
            }
            _ => return false,
        }
    }
    false
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
            "count_by: [tier, rep]\n  report: { tiers: tier }",
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

    /// Scalars as written: YAML 1.1's booleans and numbers spelled otherwise are other
    /// texts and ids to the rules (`label: NO` is not `no`, rule `7.0` is not `007`).
    #[test]
    fn scalars_count_as_written_and_quoted() {
        let one = |value: &str| {
            policy(&format!(
                "decisions:\n  - {{ id: {value}, then: {{ x: 1 }} }}\n"
            ))
        };
        for (a, b) in [
            ("NO", "no"),
            ("yes", "on"),
            ("7.0", "007"),
            ("1.1", "1.10"),
            ("10", "1_0"),
            ("7", "0x7"),
            ("5", "'5'"),
        ] {
            assert_ne!(one(a), one(b), "{a} / {b}");
        }
        assert_eq!(one("'5'"), one("\"5\""));
        // A summary that only says what to show is left out wherever it stands.
        let bare = "decisions: []\n";
        assert_eq!(
            policy(bare),
            policy(&format!("summary:\n  count_by: [tier]\n{bare}"))
        );
        // `money` rounds the recorded totals: logic.
        assert_ne!(
            policy(TIERS),
            policy(&TIERS.replace("count_by: [tier]", "count_by: [tier]\n  money: [sales]"))
        );
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
