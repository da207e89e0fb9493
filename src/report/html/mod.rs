//! `tierwise report`: one self-contained HTML page about the rules in force on the real
//! customers: customers and value per tier, the Pareto curve with the tiers' cut points, the
//! value x loyalty quadrant, the tier migration since the previous period, totals per tier,
//! the lists of customers to act on, and what produced it all.
//!
//! Charts are SVG drawn here, in Rust: no script, no network, nothing to load; the page
//! prints as it shows. Its size does not grow with the population: the curve is drawn at a
//! few hundred points and the quadrant from a sample of at most 20,000 customers.
//!
//! The page is a list of [`Section`]s over one [`Page`] (what was gathered and where it
//! came from); a new part of the report (a diff against other rules) is one more section.
//!
//! | module | owns |
//! |---|---|
//! | `gather` | evaluating every customer once, keeping only aggregates |
//! | `order`, `previous` | tier order, the quadrant's sample; the previous period's tiers |
//! | `svg` | scales, axes, escaping |
//! | `page` | the HTML shell, styles, numbers for people |
//! | `tiers`, `charts`, `migration`, `lists` | the sections |

mod charts;
mod diff;
mod gather;
mod lists;
mod migration;
mod order;
mod page;
mod previous;
mod svg;
mod tiers;

pub use diff::Diff;
pub use gather::{Figures, Input, LIST_ROWS, MAX_POINTS, gather, tier_output};
pub use page::{Meta, Page};
pub use previous::Previous;

use crate::engine::{Context, EvalError};
use crate::rules::RuleSet;
use std::io::Write;
use std::path::Path;

/// One part of the report: an anchor, a heading and a body drawn from the page's figures.
pub trait Section {
    /// The anchor (`#pareto`), also the `data-section` the browser check looks for.
    fn id(&self) -> &str;
    fn title(&self) -> String;
    fn body(&self, page: &Page, out: &mut String);
    /// Long enough to be split across printed pages (other sections are kept whole).
    fn long(&self) -> bool {
        false
    }
    /// The columns of its widest table, for print: a section beyond [`page::PORTRAIT_COLUMNS`]
    /// prints on a landscape page.
    fn columns(&self, _page: &Page) -> usize {
        0
    }
}

/// The report's sections, in reading order (the diff only when the page has one).
pub fn sections(with_diff: bool) -> Vec<Box<dyn Section>> {
    let mut sections: Vec<Box<dyn Section>> = vec![
        Box::new(tiers::TierSection),
        Box::new(charts::ParetoSection),
        Box::new(charts::QuadrantSection),
        Box::new(migration::MigrationSection),
    ];
    if with_diff {
        sections.push(Box::new(diff::DiffSection));
    }
    sections.extend::<[Box<dyn Section>; 3]>([
        Box::new(tiers::TotalsSection),
        Box::new(lists::ListsSection),
        Box::new(lists::AboutSection),
    ]);
    sections
}

/// The whole page for `page`, with the standard sections.
pub fn render(page: &Page) -> String {
    page.render(&sections(page.diff.is_some()))
}

/// Evaluates every customer of `input` and renders the report about them (with the impact
/// against a base, when given).
pub fn report(input: &Input, meta: Meta, diff: Option<Diff>) -> Result<String, EvalError> {
    let figures = gather(input)?;
    Ok(render(&Page {
        meta,
        figures,
        diff,
    }))
}

impl Meta {
    /// What produced a report on `rules`, as of `context`.
    pub fn new(
        rules: &RuleSet,
        context: &Context,
        rules_dir: &Path,
        database: &Path,
        currency: Option<&str>,
    ) -> Meta {
        Meta {
            fingerprint: rules.fingerprint.clone(),
            as_of: context.as_of.to_string(),
            period: context.period.label().to_owned(),
            files: rules
                .files
                .iter()
                .map(|f| {
                    f.file_name().map_or_else(
                        || f.display().to_string(),
                        |n| n.to_string_lossy().into_owned(),
                    )
                })
                .collect(),
            rules_dir: crate::text::shown(rules_dir).display().to_string(),
            database: crate::text::shown(database).display().to_string(),
            currency: currency.map(str::to_owned),
            note: None,
            data_notes: Vec::new(),
        }
    }
}

/// Writes `html` to `path` through a temporary file beside it (`.NAME.PID.tmp`), renamed
/// into place: a path that cannot be written leaves nothing behind, and an existing report
/// stays whole until the new one is complete.
pub fn write(path: &Path, html: &str) -> std::io::Result<()> {
    let name = path
        .file_name()
        .ok_or_else(|| std::io::Error::other("not a file name"))?
        .to_string_lossy();
    crate::output::only_a_file(path)?;
    let tmp = path.with_file_name(format!(".{name}.{}.tmp", std::process::id()));
    let mut file = std::fs::File::create_new(&tmp)?;
    let written = file
        .write_all(html.as_bytes())
        .and_then(|()| file.sync_all())
        .and_then(|()| std::fs::rename(&tmp, path));
    if written.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    written
}
