//! The posterior mean behind the fused estimate.

/// The posterior mean of Beta(m·μ, m·(1 − μ)) after n trials with n·ĉ hits (the prior alone without
/// evidence, the evidence alone without a prior).
pub fn posterior_mean(mu: f64, c: f64, n: u32, m: f64) -> f64 {
    let n = f64::from(n);
    match (mu.is_finite(), c.is_finite() && n > 0.0) {
        (true, true) => (m * mu + n * c) / (m + n),
        (true, false) => mu,
        (false, true) => c,
        (false, false) => f64::NAN,
    }
}
