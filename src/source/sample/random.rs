//! The distributions the sample is drawn from, over one seeded stream. The customers and
//! their order histories each have their own `Random`: a draw taken from one never shifts the
//! other.

/// A seeded random stream and the distributions drawn from it. Each method takes a fixed
/// number of draws for given arguments (the Poisson loop apart), so a generator that calls
/// them in a fixed order depends only on its seed.
pub(super) struct Random {
    rng: fastrand::Rng,
}

impl Random {
    pub(super) fn with_seed(seed: u64) -> Self {
        Self {
            rng: fastrand::Rng::with_seed(seed),
        }
    }

    /// Uniform in [0, 1).
    pub(super) fn uniform(&mut self) -> f64 {
        self.rng.f64()
    }

    /// True with probability `p`.
    pub(super) fn chance(&mut self, p: f64) -> bool {
        self.rng.f64() < p
    }

    /// A whole number in `low..=high`.
    pub(super) fn int(&mut self, low: i64, high: i64) -> i64 {
        self.rng.i64(low..=high)
    }

    /// Standard normal via Box-Muller (one of the pair is discarded for simplicity).
    pub(super) fn normal(&mut self) -> f64 {
        let u1 = 1.0 - self.rng.f64(); // (0, 1]: keeps ln finite
        let u2 = self.rng.f64();
        (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
    }

    /// Lognormal with the given median and log-scale sigma.
    pub(super) fn lognormal(&mut self, median: f64, sigma: f64) -> f64 {
        median * (sigma * self.normal()).exp()
    }

    /// Exponential with the given mean.
    pub(super) fn exponential(&mut self, mean: f64) -> f64 {
        -mean * (1.0 - self.rng.f64()).ln()
    }

    /// Poisson by Knuth's multiplication method; `lambda` is kept small by the callers.
    pub(super) fn poisson(&mut self, lambda: f64) -> i64 {
        let limit = (-lambda.min(30.0)).exp();
        let mut k = 0;
        let mut p = self.rng.f64();
        while p > limit {
            k += 1;
            p *= self.rng.f64();
        }
        k
    }

    /// Picks an element of `items` uniformly.
    pub(super) fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.rng.usize(..items.len())]
    }

    /// Index into a table of shares (the last entry absorbs rounding).
    pub(super) fn weighted<T>(&mut self, items: &[T], share: impl Fn(&T) -> f64) -> usize {
        let mut u = self.uniform();
        for (i, item) in items.iter().enumerate() {
            u -= share(item);
            if u < 0.0 {
                return i;
            }
        }
        items.len() - 1
    }
}
