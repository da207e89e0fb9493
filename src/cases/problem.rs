//! A problem with a test case (an unknown field, figure or output, a value of the wrong
//! kind), at its position in the test file, rendered as a diagnostic once the file's text
//! is at hand.

use crate::diag::{Diagnostic, SourceFile};
use serde_saphyr::{Location, Spanned};

/// A problem with a test case, at a position in its file.
pub(super) struct Problem {
    line: usize,
    column: usize,
    width: usize,
    message: String,
    help: Option<String>,
    /// The key the problem is about: a key of digits may be a number's decimals cut off by
    /// a comma (`{ pct: 7,5 }`), said when the file's text shows it.
    key: Option<String>,
}

impl Problem {
    pub(super) fn at(loc: &Location, width: usize, message: impl Into<String>) -> Problem {
        Problem {
            line: loc.line() as usize,
            column: loc.column() as usize,
            width,
            message: message.into(),
            help: None,
            key: None,
        }
    }

    pub(super) fn help(mut self, help: Option<String>) -> Problem {
        self.help = help;
        self
    }

    pub fn render(self, file: &SourceFile) -> String {
        let mut d = Diagnostic::error(file, self.line, self.column, self.message).width(self.width);
        let split = (self.key.as_deref())
            .and_then(|key| crate::diag::yaml::split_number(&file.text, self.line, key));
        d.help = split.or(self.help);
        d.to_string()
    }
}

pub(super) fn key_problem(key: &Spanned<String>, message: impl Into<String>) -> Problem {
    let mut problem = Problem::at(&key.referenced, key.value.chars().count(), message);
    problem.key = Some(key.value.clone());
    problem
}
