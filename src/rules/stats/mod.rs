//! Population statistics: figures computed exactly over every ranked customer before any
//! decision (`sales_rank: { percentile_of: annual_sales }`).
//!
//! A customer is ranked when its value is a number and it passes the figure's `where`
//! filter; everyone else gets NULL. Every statistic is a function of where a value stands
//! among the ranked values (its [`Position`]), so ties, NULLs and newcomers are handled once,
//! in [`crate::engine::population`], for all of them: tied values share one position, the
//! best of their tie (a tie at a tier boundary goes to the higher tier).
//!
//! A statistic is one file here: its `KEY` (as written in rule files), its `NAME`, `figure`
//! (the value at a position), `range` (the values it can take) and `meaning` (the value in words, for `explain`); and one line
//! in `statistics!` below. CONTRIBUTING.md has the recipe.

mod cumulative_share;
mod ntile;
mod percentile;
mod rank;
mod share;

/// Where one value stands among the ranked values.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Position {
    /// How many customers are ranked (the value's own customer included).
    pub ranked: usize,
    /// How many ranked values are strictly greater than this one.
    pub greater: usize,
    pub value: f64,
    /// The sum of the ranked values strictly greater than this one.
    pub sum_greater: f64,
    /// That sum and this value, summed with the others in one compensated sum (`sum_greater
    /// + value` in binary lost 0.6 against 10^15 and -10^15: a Pareto position of 104%).
    pub sum_through: f64,
    /// The sum of all ranked values.
    pub total: f64,
    /// The figure's `n:` (how many tiles, for `ntile_of`); 0 when it has none.
    pub tiles: usize,
}

/// Which values rank best: `better: higher` (the default) or `better: lower` (recency in
/// days, where fewer is better). Only `ntile_of` takes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Better {
    #[default]
    Higher,
    Lower,
}

/// A figure's settings besides its statistic: `n:` and `better:`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Params {
    /// `n:` (tiles of `ntile_of`); 0 when not given.
    pub tiles: usize,
    pub better: Better,
}

/// The values a statistic's figure can take, so `check` can flag a condition no customer
/// can satisfy (`sales_pct >= 80` on a percentile). Each end: the bound and whether it is
/// included; `None`: no bound that side.
#[derive(Debug, Clone, PartialEq)]
pub struct Range {
    pub lo: Option<(f64, bool)>,
    pub hi: Option<(f64, bool)>,
    /// The range in words: `between 0 and 1 (exclusive)`.
    pub words: String,
}

impl Range {
    /// Whether `x` is between the range's ends, the ends included even where the statistic
    /// never gives them (a test case may write a percentile of 1 for the top customer).
    pub fn reaches(&self, x: f64) -> bool {
        self.lo.is_none_or(|(lo, _)| x >= lo) && self.hi.is_none_or(|(hi, _)| x <= hi)
    }

    /// Any number: the statistic's values are not bounded (e.g. shares of a total that
    /// negative values, such as credit notes, can push outside 0..1).
    pub fn any() -> Range {
        Range {
            lo: None,
            hi: None,
            words: "any number".into(),
        }
    }
}

/// Declares the statistics: `module => Variant` per statistic.
macro_rules! statistics {
    ($($module:ident => $variant:ident,)*) => {
        /// The population statistics tierwise computes exactly over all ranked customers.
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum Statistic {
            $($variant,)*
        }

        /// The keys a population figure may have: one per statistic, `where`, `by`, and the
        /// settings of `ntile_of` (`n`, `better`).
        pub const FIGURE_KEYS: &[&str] = &[$($module::KEY,)* "where", "by", "n", "better"];

        impl Statistic {
            /// Every statistic, in the order rule files list them.
            pub const ALL: &'static [Statistic] = &[$(Statistic::$variant,)*];

            /// The key that asks for it in a rule file: `percentile_of`.
            pub fn key(self) -> &'static str {
                match self {
                    $(Statistic::$variant => $module::KEY,)*
                }
            }

            /// What it is called in words: `percentile`.
            pub fn name(self) -> &'static str {
                match self {
                    $(Statistic::$variant => $module::NAME,)*
                }
            }

            /// What the key means, for the rule files' schema.
            pub fn doc(self) -> &'static str {
                match self {
                    $(Statistic::$variant => $module::DOC,)*
                }
            }

            /// The figure of a value at `position` (`None`: no figure, e.g. a share of a
            /// total of 0).
            #[inline]
            pub fn figure(self, position: &Position) -> Option<f64> {
                match self {
                    $(Statistic::$variant => $module::figure(position),)*
                }
            }

            /// The values its figure can take (given the figure's `n:`, for tiles).
            pub fn range(self, params: &Params) -> Range {
                match self {
                    $(Statistic::$variant => $module::range(params),)*
                }
            }

            /// The figure `x` in words, among `ranked` customers.
            pub fn meaning(self, x: f64, ranked: usize) -> String {
                match self {
                    $(Statistic::$variant => $module::meaning(x, ranked),)*
                }
            }
        }
    };
}

statistics! {
    percentile => Percentile,
    rank => Rank,
    share => Share,
    cumulative_share => CumulativeShare,
    ntile => Ntile,
}

impl Statistic {
    /// The statistic a rule-file key asks for.
    pub fn by_key(key: &str) -> Option<Statistic> {
        Statistic::ALL.iter().copied().find(|s| s.key() == key)
    }

    /// It takes `n:` and `better:` (`ntile_of`).
    pub fn takes_params(self) -> bool {
        self == Statistic::Ntile
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_name_their_statistic() {
        for &s in Statistic::ALL {
            assert_eq!(Statistic::by_key(s.key()), Some(s));
            assert!(s.key().ends_with("_of"), "{}", s.key());
        }
        assert_eq!(Statistic::by_key("median_of"), None);
    }
}
