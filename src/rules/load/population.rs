//! Population figures: `name: { percentile_of: expr, where: condition }`, exactly one
//! statistic each. What a figure may use (fields and metrics only) is checked by
//! [`super::order`], once every metric has compiled.

use super::compile::Cx;
use crate::diag::SourceFile;
use crate::rules::model::PopulationSpec;
use crate::rules::{PopulationFigure, Slot, Statistic};
use serde_saphyr::Spanned;
use std::sync::Arc;

/// Compiles the figure `name` declared at `slot`.
pub(super) fn figure(
    cx: &mut Cx,
    file: &Arc<SourceFile>,
    name: &str,
    slot: Slot,
    spec: &Spanned<PopulationSpec>,
) -> Option<PopulationFigure> {
    let s = &spec.value;
    let [(statistic, of)] = &s.statistics[..] else {
        let at = &spec.referenced;
        let keys: Vec<&str> = Statistic::ALL.iter().map(|s| s.key()).collect();
        cx.error(
            file,
            at.line() as usize,
            at.column() as usize,
            format!(
                "population figure `{name}` needs exactly one of {}",
                keys.join(", ")
            ),
        )
        .rule = Some(name.to_owned());
        return None;
    };
    let statistic = *statistic;
    let of = cx.expr(file, of, name, false);
    let filter = match &s.filter {
        Some(f) => Some(cx.expr(file, f, name, false)?),
        None => None,
    };
    Some(PopulationFigure {
        name: name.to_owned(),
        slot,
        statistic,
        of: of?,
        filter,
    })
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use crate::rules::Statistic;

    #[test]
    fn each_statistic_compiles_with_its_filter() {
        let set = loads(&[(
            "a.yaml",
            &format!(
                "population:\n  p: {{ percentile_of: annual_sales }}\n  r: {{ rank_of: annual_sales, where: 'channel == \"KA\"' }}\n  s: {{ share_of: annual_sales }}\n  c: {{ cumulative_share_of: annual_sales * 2 }}\n{DECISION}"
            ),
        )]);
        let figures: Vec<(&str, Statistic, &str, Option<&str>)> = set
            .population
            .iter()
            .map(|f| {
                let filter = f.filter.as_ref().map(|e| e.text.as_str());
                (f.name.as_str(), f.statistic, f.of.text.as_str(), filter)
            })
            .collect();
        assert_eq!(
            figures,
            [
                ("p", Statistic::Percentile, "annual_sales", None),
                (
                    "r",
                    Statistic::Rank,
                    "annual_sales",
                    Some("channel == \"KA\"")
                ),
                ("s", Statistic::Share, "annual_sales", None),
                ("c", Statistic::CumulativeShare, "annual_sales * 2", None),
            ]
        );
        let slots: Vec<usize> = set.population.iter().map(|f| f.slot).collect();
        // After the five columns and the run's context (`as_of`, `period`).
        assert_eq!(slots, [7, 8, 9, 10]);
    }

    #[test]
    fn a_figure_has_exactly_one_statistic_and_its_expressions_compile() {
        assert_eq!(
            errors(&[(
                "a.yaml",
                &format!(
                    "population:\n  p0: {{ where: annual_sales > 0 }}\n  p1: {{ percentile_of: annual_sales, rank_of: annual_sales }}\n  p2: {{ rank_of: bogus }}\n  p3: {{ rank_of: annual_sales, where: 'nope(1)' }}\n{DECISION}"
                ),
            )]),
            [
                "error rules/a.yaml:2:7 [p0]: population figure `p0` needs exactly one of percentile_of, rank_of, share_of, cumulative_share_of",
                "error rules/a.yaml:3:7 [p1]: population figure `p1` needs exactly one of percentile_of, rank_of, share_of, cumulative_share_of",
                "error rules/a.yaml:4:18 [p2]: unknown name `bogus` | help: a name must be a column of the customer source, a metric, a population figure or a decision's output",
                "error rules/a.yaml:5:40 [p3]: unknown function `nope` | help: functions come from rhai's standard library or from rules/*.rhai",
            ]
        );
    }
}
