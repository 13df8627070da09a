//! The prior strength m of the fused estimate, chosen from the evidence.
//!
//! Cross-fitted (preferred): the held-out evaluations are split in two folds (see
//! `estimate::Aggregate::fold`); for each m of a grid, the fused score built from one fold (prior
//! calibrated on it, updated with its evidence) is scored by how well it ranks the examples that the
//! *other* fold finds irregular (held-out accuracy below ½), as average precision; both directions are
//! averaged and the best m wins. No ground truth is used: the target is more evidence of the kind the
//! C-score itself is made of. Before there is enough evidence for that, m comes from empirical Bayes
//! (method of moments), or a default.

use super::calibrate::calibrated_prior;
use super::detect::average_precision;
use crate::estimate::FoldEvidence;

/// Candidate prior strengths, in pseudo-trials (ascending: ties go to the weaker prior).
pub const STRENGTH_GRID: [f64; 9] = [0.5, 1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0, 100.0];

/// Irregular examples (in the scoring fold) needed before m is cross-fitted.
const MIN_IRREGULAR: usize = 10;

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

/// The cross-fitted m and its score (mean average precision over both directions); `None` without
/// enough evidence in either fold.
pub fn cross_fitted_strength(
    candidates: &[(&String, Vec<f64>)],
    folds: &[FoldEvidence; 2],
) -> Option<(f64, f64)> {
    let mut score = [0.0; STRENGTH_GRID.len()];
    for (a, b) in [(0, 1), (1, 0)] {
        let (fit_on, judge) = (&folds[a], &folds[b]);
        let n = fit_on.cscore.len();
        if judge.cscore.len() != n || fit_on.evals.len() != n || judge.evals.len() != n {
            return None;
        }
        let fit: Vec<usize> =
            (0..n).filter(|&i| fit_on.evals[i] > 0 && fit_on.cscore[i].is_finite()).collect();
        let prior = calibrated_prior(candidates, &fit_on.cscore, &fit_on.evals, &fit)?;
        let judged: Vec<usize> =
            (0..n).filter(|&i| judge.evals[i] > 0 && judge.cscore[i].is_finite()).collect();
        let irregular: Vec<bool> = judged.iter().map(|&i| judge.cscore[i] < 0.5).collect();
        let positives = irregular.iter().filter(|&&p| p).count();
        if positives < MIN_IRREGULAR || positives == irregular.len() {
            return None;
        }
        for (s, &m) in score.iter_mut().zip(&STRENGTH_GRID) {
            let suspicion: Vec<f64> = judged
                .iter()
                .map(|&i| {
                    let v = posterior_mean(prior.mu[i], fit_on.cscore[i], fit_on.evals[i], m);
                    if v.is_finite() {
                        -v
                    } else {
                        f64::NEG_INFINITY
                    }
                })
                .collect();
            *s += average_precision(&suspicion, &irregular)? / 2.0;
        }
    }
    let mut best = (STRENGTH_GRID[0], score[0]);
    for (&m, &s) in STRENGTH_GRID.iter().zip(&score).skip(1) {
        if s > best.1 {
            best = (m, s);
        }
    }
    Some(best)
}
