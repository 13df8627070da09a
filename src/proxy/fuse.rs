//! The fused estimate: proxies combined and calibrated into an expected C-score μ serve as a Beta prior
//! of strength m (estimated from the data by empirical Bayes, bounded to 1–100 pseudo-trials), updated
//! with each example's held-out evidence, so the fused score starts at the calibrated proxies and
//! converges to the holdout C-score as evaluations accumulate.
//!
//! fused = (m·μ + n·ĉ) / (m + n), with ĉ the holdout C-score and n its pooled held-out evaluations: the
//! posterior mean of Beta(m·μ, m·(1 − μ)) after n trials with n·ĉ hits.

use super::calibrate::{calibrated_prior, normalised_ranks};
use super::higher_is_regular;
use super::strength::posterior_mean;

/// Prior strength m, in pseudo-trials, when it cannot be estimated from the data.
pub const DEFAULT_PRIOR_STRENGTH: f64 = 3.0;

/// Bounds of the estimated prior strength: the prior never outweighs 100 held-out evaluations.
pub const PRIOR_STRENGTH_RANGE: (f64, f64) = (1.0, 100.0);

/// Proxies already on the C-score's scale (in [0, 1], high = regular), usable as a prior uncalibrated,
/// in order of preference (the paper's best proxy first).
const PROBABILITY_PROXIES: [&str; 4] =
    ["learning_speed", "cumulative_accuracy", "datamap_confidence", "knn_agreement"];

/// The fused score and where its prior came from.
#[derive(Debug, Clone, PartialEq)]
pub struct Fused {
    /// Per example: the fused C-score (NaN when there is neither a proxy nor evidence).
    pub scores: Vec<f32>,
    /// The proxies the prior μ came from (their ranks averaged, then calibrated), in the order chosen.
    pub prior_proxies: Vec<String>,
    /// Examples the calibration was fitted on (0: the prior is one proxy itself or its rank).
    pub calibrated_on: usize,
    /// Out-of-fold (2-fold) mean squared error of the calibrated prior against ĉ, weighted by n.
    pub calibration_error: Option<f64>,
    /// The prior strength m used, in pseudo-trials.
    pub prior_strength: f64,
    /// Where m came from: "given", "empirical Bayes" or "default".
    pub strength_from: &'static str,
}

/// Fuses the `proxies` (name, per-example score, NaN = missing) with the holdout evidence: `cscore`
/// (NaN before any evaluation) and `evals` (pooled held-out evaluations), with prior strength `strength`
/// (`None`: estimated from the data, see [`empirical_strength`]).
///
/// With evidence on at least 50 examples, μ is a combination of proxies (the mean of their normalised
/// ranks, at most six, chosen by forward selection on the out-of-fold binomial deviance of the evidence)
/// calibrated into an expected C-score by weighted isotonic regression of ĉ on it. Before that, μ is the
/// preferred probability-like proxy (learning speed first) as it is, or else a proxy's normalised rank.
pub fn fuse(proxies: &[(String, Vec<f32>)], cscore: &[f64], evals: &[u32], strength: Option<f64>) -> Fused {
    let n = cscore.len();
    let fit: Vec<usize> = (0..n).filter(|&i| evals[i] > 0 && cscore[i].is_finite()).collect();
    let mut candidates: Vec<(&String, Vec<f64>)> = proxies
        .iter()
        .filter(|(name, s)| name != "fused" && s.len() == n && s.iter().any(|v| v.is_finite()))
        .map(|(name, s)| (name, oriented(name, s)))
        .collect();
    // The preferred names first: of two identical proxies, the calibration keeps the first
    // (`learning_speed` rather than `datamap_confidence`).
    let preference = |name: &str| PROBABILITY_PROXIES.iter().position(|p| *p == name).unwrap_or(usize::MAX);
    candidates.sort_by_key(|(name, _)| preference(name));
    let mut out = Fused {
        scores: Vec::new(),
        prior_proxies: Vec::new(),
        calibrated_on: 0,
        calibration_error: None,
        prior_strength: strength.unwrap_or(DEFAULT_PRIOR_STRENGTH),
        strength_from: if strength.is_some() { "given" } else { "default" },
    };
    let mut prior = vec![f64::NAN; n];
    if let Some(p) = calibrated_prior(&candidates, cscore, evals, &fit) {
        if strength.is_none() {
            let c: Vec<f64> = fit.iter().map(|&i| cscore[i]).collect();
            let n: Vec<u32> = fit.iter().map(|&i| evals[i]).collect();
            if let Some(m) = empirical_strength(&p.out_of_fold, &c, &n) {
                (out.prior_strength, out.strength_from) = (m, "empirical Bayes");
            }
        }
        prior = p.mu;
        out.prior_proxies = p.proxies;
        out.calibrated_on = fit.len();
        out.calibration_error = Some(p.error);
    } else if let Some((name, x)) = fallback(&candidates) {
        prior = x;
        out.prior_proxies = vec![name.clone()];
    }
    out.scores =
        (0..n).map(|i| posterior_mean(prior[i], cscore[i], evals[i], out.prior_strength) as f32).collect();
    out
}

/// The prior strength m that makes the Beta prior fit the spread of the evidence (empirical Bayes, method
/// of moments): if each example's accuracy is drawn from Beta(m·μ, m·(1 − μ)) and its n evaluations are
/// Bernoulli, E[(ĉ − μ)²] = μ(1 − μ)/n · (1 + (n − 1)/(m + 1)). Solved over the examples with n ≥ 2, with
/// `mu` the out-of-fold prior; bounded by [`PRIOR_STRENGTH_RANGE`]. A prior that predicts the evidence
/// well earns a large m. `None` when no example has two evaluations.
pub fn empirical_strength(mu: &[f64], c: &[f64], evals: &[u32]) -> Option<f64> {
    let (mut excess, mut spread) = (0.0, 0.0);
    for ((&mu, &c), &n) in mu.iter().zip(c).zip(evals) {
        if n < 2 || !mu.is_finite() || !c.is_finite() {
            continue;
        }
        let (n, v) = (f64::from(n), mu * (1.0 - mu));
        excess += (c - mu).powi(2) - v / n;
        spread += v * (n - 1.0) / n;
    }
    if spread <= 0.0 {
        return None;
    }
    let (lo, hi) = PRIOR_STRENGTH_RANGE;
    let rho = (excess / spread).clamp(1.0 / (hi + 1.0), 1.0 / (lo + 1.0));
    Some(1.0 / rho - 1.0)
}

/// The proxy turned so that high means regular, as f64 (NaN kept).
fn oriented(name: &str, s: &[f32]) -> Vec<f64> {
    let sign = if higher_is_regular(name) { 1.0 } else { -1.0 };
    s.iter().map(|&v| sign * f64::from(v)).collect()
}

/// Without evidence to calibrate on: the preferred probability-like proxy as it is, else the first
/// proxy's normalised rank (both in [0, 1], high = regular).
fn fallback<'a>(candidates: &[(&'a String, Vec<f64>)]) -> Option<(&'a String, Vec<f64>)> {
    for want in PROBABILITY_PROXIES {
        if let Some((name, x)) = candidates.iter().find(|(n, _)| n.as_str() == want) {
            return Some((name, x.iter().map(|v| v.clamp(0.0, 1.0)).collect()));
        }
    }
    let (name, x) = candidates.first()?;
    Some((name, normalised_ranks(x)))
}
