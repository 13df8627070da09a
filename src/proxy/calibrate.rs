//! The prior of the fused estimate: a few proxies combined by averaging their normalised ranks, the
//! combination calibrated into an expected C-score by isotonic regression on the examples with held-out
//! evidence. The proxies are chosen by greedy forward selection on the out-of-fold binomial deviance of
//! that evidence.
//!
//! Why ranks, then one calibration: averaging ranks keeps each proxy's ordering everywhere (an average of
//! calibrated step functions ties whole steps, often the whole irregular end), and the examples that come
//! out lowest are those every chosen proxy ranks low. Why deviance: the evidence is hits out of trials,
//! and the binomial log-likelihood weighs a confident prior that is contradicted by misses far more than
//! squared error does, which is what matters at the irregular end, where users look.

use super::isotonic::Isotonic;
use super::rank::average_ranks;

/// Examples with held-out evidence needed before proxies are calibrated against the C-score.
pub(super) const MIN_CALIBRATION: usize = 50;

/// At most this many proxies are combined.
const MAX_COMBINED: usize = 6;

/// The forward selection looks at no more than this many examples (an evenly spread sample).
const SELECTION_SAMPLE: usize = 60_000;

/// A proxy joins the combination only if it lowers the out-of-fold deviance by at least this fraction.
const MIN_GAIN: f64 = 1e-4;

/// Calibrated predictions are kept in [ε, 1 − ε] in the deviance, so that one example evaluated a few
/// times against a prior of exactly 0 or 1 cannot decide the choice alone.
const DEVIANCE_CLAMP: f64 = 1e-3;

/// Weight of the combination's own rank (in [0, 1]) mixed into its calibrated value: isotonic regression
/// is a step function, and without this every example on one step would tie, losing the combination's
/// ordering exactly where the irregular examples are. Small enough to leave the calibration intact.
const TIE_BREAK: f64 = 1e-3;

/// A calibrated prior.
pub(super) struct Prior {
    /// Expected C-score per example.
    pub mu: Vec<f64>,
    /// The proxies combined, in the order they were chosen.
    pub proxies: Vec<String>,
    /// The combination's out-of-fold mean squared error against ĉ, weighted by held-out evaluations.
    pub error: f64,
    /// The out-of-fold prior of each fit example (in the order of `fit`).
    pub out_of_fold: Vec<f64>,
}

/// The calibrated prior from `candidates` (name, score oriented so that high = regular), fitted on the
/// examples `fit` (those with evidence) against the holdout estimate `c` weighted by `evals`; `None` with
/// too little evidence or no usable proxy. Candidates with identical values are considered once.
pub(super) fn calibrated_prior(
    candidates: &[(&String, Vec<f64>)],
    c: &[f64],
    evals: &[u32],
    fit: &[usize],
) -> Option<Prior> {
    if fit.len() < MIN_CALIBRATION {
        return None;
    }
    let mut ranked: Vec<(&String, Vec<f64>)> = Vec::new();
    for (name, x) in candidates {
        let r = normalised_ranks(x);
        if !ranked.iter().any(|(_, s)| same_values(s, &r)) {
            ranked.push((name, r));
        }
    }
    let y: Vec<f64> = fit.iter().map(|&i| c[i]).collect();
    let w: Vec<f64> = fit.iter().map(|&i| f64::from(evals[i])).collect();
    let mean = y.iter().zip(&w).map(|(a, b)| a * b).sum::<f64>() / w.iter().sum::<f64>();
    // Out-of-fold predictions of a combination over the examples `on` (missing ones: the mean) and
    // their deviance.
    let assess = |set: &[usize], on: &[usize]| -> Option<(Vec<f64>, f64)> {
        let x = combined(&ranked, set);
        let oof: Vec<f64> = out_of_fold(&x, c, evals, on)?
            .into_iter()
            .map(|p| if p.is_finite() { p } else { mean })
            .collect();
        let (y, w): (Vec<f64>, Vec<f64>) = on.iter().map(|&i| (c[i], f64::from(evals[i]))).unzip();
        let d = deviance(&oof, &y, &w);
        Some((oof, d))
    };
    // The selection runs on an evenly spread sample of the fit examples, so that its cost (dozens of
    // out-of-fold fits) stays bounded on large datasets; the final calibration uses them all.
    let stride = fit.len().div_ceil(SELECTION_SAMPLE);
    let sample: Vec<usize> = fit.iter().copied().step_by(stride).collect();
    let mut chosen: Vec<usize> = Vec::new();
    let mut best: Option<f64> = None;
    while chosen.len() < MAX_COMBINED {
        let step = (0..ranked.len())
            .filter(|k| !chosen.contains(k))
            .filter_map(|k| {
                let trial: Vec<usize> = chosen.iter().copied().chain([k]).collect();
                assess(&trial, &sample).map(|(_, d)| (k, d))
            })
            .min_by(|a, b| a.1.total_cmp(&b.1));
        let Some((k, d)) = step else { break };
        if best.is_some_and(|b| d >= b * (1.0 - MIN_GAIN)) {
            break;
        }
        chosen.push(k);
        best = Some(d);
    }
    let (out_of_fold, _) = if chosen.is_empty() { None } else { assess(&chosen, fit) }?;
    let x = combined(&ranked, &chosen);
    let (xs, ys, ws) = gather(&x, c, evals, fit);
    let f = Isotonic::fit(&xs, &ys, &ws)?;
    let tie_break = normalised_ranks(&x);
    let mu = x
        .iter()
        .zip(tie_break)
        .map(|(&v, r)| if v.is_finite() { (1.0 - TIE_BREAK) * f.predict(v) + TIE_BREAK * r } else { mean })
        .collect();
    let error = y.iter().zip(&w).zip(&out_of_fold).map(|((y, w), p)| w * (p - y).powi(2)).sum::<f64>()
        / w.iter().sum::<f64>();
    let proxies = chosen.iter().map(|&k| ranked[k].0.clone()).collect();
    Some(Prior { mu, proxies, error, out_of_fold })
}

/// Per example, the mean of the normalised ranks of the proxies `set` that have a value (NaN if none).
fn combined(ranked: &[(&String, Vec<f64>)], set: &[usize]) -> Vec<f64> {
    let n = ranked.first().map_or(0, |r| r.1.len());
    (0..n).map(|i| average(set.iter().map(|&k| ranked[k].1[i])).unwrap_or(f64::NAN)).collect()
}

/// True when both hold the same values (NaN equal to NaN).
fn same_values(a: &[f64], b: &[f64]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x == y || (x.is_nan() && y.is_nan()))
}

/// Mean binomial deviance per evaluation of predictions `p` for `w` evaluations with mean `y` each,
/// −Σ w·(y·ln p + (1 − y)·ln(1 − p)) / Σ w, with p clamped to [ε, 1 − ε].
fn deviance(p: &[f64], y: &[f64], w: &[f64]) -> f64 {
    let (lo, hi) = (DEVIANCE_CLAMP, 1.0 - DEVIANCE_CLAMP);
    let mut total = 0.0;
    for ((&p, &y), &w) in p.iter().zip(y).zip(w) {
        let p = p.clamp(lo, hi);
        total -= w * (y * p.ln() + (1.0 - y) * (1.0 - p).ln());
    }
    total / w.iter().sum::<f64>()
}

/// The ranks of the finite values scaled to [0, 1] (NaN kept).
pub(super) fn normalised_ranks(x: &[f64]) -> Vec<f64> {
    let finite: Vec<f64> = x.iter().copied().filter(|v| v.is_finite()).collect();
    let scale = finite.len().max(1) as f64;
    let mut ranks = average_ranks(&finite).into_iter();
    x.iter()
        .map(|v| if v.is_finite() { ranks.next().map_or(f64::NAN, |r| r / scale) } else { f64::NAN })
        .collect()
}

/// Mean of the finite values, `None` if there is none.
fn average(values: impl Iterator<Item = f64>) -> Option<f64> {
    let (sum, count) = values.filter(|v| v.is_finite()).fold((0.0, 0usize), |(s, n), v| (s + v, n + 1));
    (count > 0).then(|| sum / count as f64)
}

/// (x, ĉ, n) of the examples in `idx` where x is finite.
fn gather(x: &[f64], c: &[f64], evals: &[u32], idx: &[usize]) -> (Vec<f64>, Vec<f64>, Vec<f64>) {
    let mut out = (Vec::new(), Vec::new(), Vec::new());
    for &i in idx.iter().filter(|&&i| x[i].is_finite()) {
        out.0.push(x[i]);
        out.1.push(c[i]);
        out.2.push(f64::from(evals[i]));
    }
    out
}

/// Out-of-fold predictions over the fit examples: each half predicted by an isotonic calibration fitted on
/// the other (NaN where the proxy is missing); `None` when the proxy covers under half of them.
fn out_of_fold(x: &[f64], c: &[f64], evals: &[u32], fit: &[usize]) -> Option<Vec<f64>> {
    let covered = fit.iter().filter(|&&i| x[i].is_finite()).count();
    if covered < MIN_CALIBRATION || covered * 2 < fit.len() {
        return None;
    }
    let halves: [Vec<usize>; 2] =
        [fit.iter().copied().step_by(2).collect(), fit.iter().copied().skip(1).step_by(2).collect()];
    let mut out = vec![f64::NAN; fit.len()];
    for (h, train) in [(0, &halves[1]), (1, &halves[0])] {
        let (xs, ys, ws) = gather(x, c, evals, train);
        let f = Isotonic::fit(&xs, &ys, &ws)?;
        for (pos, &i) in fit.iter().enumerate().skip(h).step_by(2) {
            out[pos] = f.predict(x[i]);
        }
    }
    Some(out)
}
