//! Population figures: `name: { percentile_of: expr, where: condition }`, exactly one
//! statistic each. What a figure may use (fields and metrics only) is checked by
//! [`super::order`], once every metric has compiled.

use super::compile::Cx;
use crate::diag::SourceFile;
use crate::rules::model::PopulationSpec;
use crate::rules::stats::Params;
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
        cx.error_at(
            file,
            at,
            format!(
                "population figure `{name}` needs exactly one of {}",
                keys.join(", ")
            ),
        )
        .rule = Some(name.to_owned());
        return None;
    };
    let statistic = *statistic;
    let params = params(cx, file, name, statistic, spec);
    let of = cx.expr(file, of, name, false);
    let filter = match &s.filter {
        Some(f) => Some(cx.expr(file, f, name, false)?),
        None => None,
    };
    let by = match &s.by {
        Some(b) => Some(cx.expr(file, b, name, false)?),
        None => None,
    };
    Some(PopulationFigure {
        name: name.to_owned(),
        slot,
        statistic,
        params: params?,
        of: of?,
        filter,
        by,
    })
}

/// `n:` and `better:`: required (`n`) and allowed only with `ntile_of`.
fn params(
    cx: &mut Cx,
    file: &Arc<SourceFile>,
    name: &str,
    statistic: Statistic,
    spec: &Spanned<PopulationSpec>,
) -> Option<Params> {
    let s = &spec.value;
    let mut error = |line: u64, column: u64, message: String| {
        cx.error(file, line as usize, column as usize, message).rule = Some(name.to_owned());
    };
    if !statistic.takes_params() {
        let given = [
            ("n", s.n.as_ref().map(|n| n.referenced)),
            ("better", s.better.as_ref().map(|b| b.referenced)),
        ];
        let mut ok = true;
        for (key, at) in given {
            if let Some(at) = at {
                error(
                    at.line(),
                    at.column(),
                    format!("`{key}:` goes with ntile_of, not with {}", statistic.key()),
                );
                ok = false;
            }
        }
        return ok.then(Params::default);
    }
    let better = s.better.as_ref().map(|b| b.value).unwrap_or_default();
    match &s.n {
        Some(n) if (1..=1000).contains(&n.value) => Some(Params {
            tiles: n.value as usize,
            better,
        }),
        Some(n) => {
            error(
                n.referenced.line(),
                n.referenced.column(),
                format!(
                    "`n: {}`: ntile_of needs a whole number of tiles from 1 to 1000 (5 for quintiles)",
                    n.value
                ),
            );
            None
        }
        None => {
            let at = &spec.referenced;
            error(
                at.line(),
                at.column(),
                format!(
                    "population figure `{name}` uses ntile_of and needs `n:`, how many tiles (5 for quintiles)"
                ),
            );
            None
        }
    }
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
                "error rules/a.yaml:2:7 [p0]: population figure `p0` needs exactly one of percentile_of, rank_of, share_of, cumulative_share_of, ntile_of",
                "error rules/a.yaml:3:7 [p1]: population figure `p1` needs exactly one of percentile_of, rank_of, share_of, cumulative_share_of, ntile_of",
                "error rules/a.yaml:4:18 [p2]: unknown name `bogus` | help: a name must be a column of the customer source (its columns: customer_id, annual_sales, overdue_days, channel, region), a metric, a population figure or a decision's output",
                "error rules/a.yaml:5:40 [p3]: unknown function `nope` | help: functions come from rhai's standard library or from rules/*.rhai",
            ]
        );
    }

    #[test]
    fn ntile_needs_n_and_only_ntile_takes_n_and_better() {
        let set = loads(&[(
            "a.yaml",
            &format!(
                "population:\n  q: {{ ntile_of: annual_sales, n: 5, better: lower }}\n{DECISION}"
            ),
        )]);
        let q = &set.population[0];
        assert_eq!((q.statistic, q.params.tiles), (Statistic::Ntile, 5));
        assert_eq!(q.params.better, crate::rules::stats::Better::Lower);
        assert_eq!(
            errors(&[(
                "a.yaml",
                &format!(
                    "population:\n  q0: {{ ntile_of: annual_sales }}\n  q1: {{ ntile_of: annual_sales, n: 0 }}\n  p: {{ percentile_of: annual_sales, better: lower }}\n{DECISION}"
                ),
            )]),
            [
                "error rules/a.yaml:2:7 [q0]: population figure `q0` uses ntile_of and needs `n:`, how many tiles (5 for quintiles)",
                "error rules/a.yaml:3:36 [q1]: `n: 0`: ntile_of needs a whole number of tiles from 1 to 1000 (5 for quintiles)",
                "error rules/a.yaml:4:45 [p]: `better:` goes with ntile_of, not with percentile_of",
            ]
        );
        let text = errors(&[(
            "a.yaml",
            &format!("population:\n  q: {{ ntile_of: annual_sales, n: 2.5 }}\n{DECISION}"),
        )])
        .join("\n");
        assert!(
            text.contains("`n:` is how many tiles, a whole number from 1 to 1000"),
            "{text}"
        );
    }

    #[test]
    fn a_figure_over_text_is_refused_at_load_time() {
        // `region` is declared TEXT: the run would fail on its first customer.
        let found = errors(&[(
            "a.yaml",
            &format!(
                "population:\n  r: {{ rank_of: region }}\n  s: {{ share_of: annual_sales * 2 }}\n{DECISION}"
            ),
        )]);
        assert_eq!(
            found,
            [
                "error rules/a.yaml:2:17 [r]: population figure `r` ranks `region`, which is text: rank_of ranks numbers | help: rank a number (a column of sales, a metric); to rank texts by an order of your own, give each a number first (`switch region { \"North\" => 1, ... }`)"
            ]
        );
    }
}
