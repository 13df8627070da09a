//! The prior of the fused estimate: proxies calibrated into expected C-scores by isotonic regression on
//! the examples with held-out evidence, averaged over the few that together predict the holdout estimate
//! best on held-out folds (forward selection on out-of-fold predictions).

use super::isotonic::Isotonic;
use super::rank::average_ranks;

/// Examples with held-out evidence needed before proxies are calibrated against the C-score.
pub(super) const MIN_CALIBRATION: usize = 50;

/// At most this many calibrated proxies are averaged.
const MAX_COMBINED: usize = 4;

/// A proxy joins the average only if it lowers the out-of-fold error by at least this fraction.
const MIN_GAIN: f64 = 1e-3;

/// Weight of the proxy's own rank (in [0, 1]) mixed into its calibrated value: isotonic regression is a
/// step function, and without this every example on one step (often the whole low end) would tie, losing
/// the proxy's ordering exactly where the irregular examples are. Small enough to leave the calibration
/// intact.
const TIE_BREAK: f64 = 1e-3;

/// A calibrated prior.
pub(super) struct Prior {
    /// Expected C-score per example.
    pub mu: Vec<f64>,
    /// The proxies averaged, best first.
    pub proxies: Vec<String>,
    /// Their out-of-fold mean squared error against ĉ, weighted by held-out evaluations.
    pub error: f64,
    /// The out-of-fold prior of each fit example (in the order of `fit`).
    pub out_of_fold: Vec<f64>,
}

/// The calibrated prior from `candidates` (name, score oriented so that high = regular), fitted on the
/// examples `fit` (those with evidence) against the holdout estimate `c` weighted by `evals`; `None` with
/// too little evidence or no usable proxy.
pub(super) fn calibrated_prior(
    candidates: &[(&String, Vec<f64>)],
    c: &[f64],
    evals: &[u32],
    fit: &[usize],
) -> Option<Prior> {
    if fit.len() < MIN_CALIBRATION {
        return None;
    }
    let y: Vec<f64> = fit.iter().map(|&i| c[i]).collect();
    let w: Vec<f64> = fit.iter().map(|&i| f64::from(evals[i])).collect();
    let mean = y.iter().zip(&w).map(|(a, b)| a * b).sum::<f64>() / w.iter().sum::<f64>();
    let score = |preds: &[&[f64]]| weighted_error(preds, &y, &w, mean);
    let mut scored: Vec<(usize, Vec<f64>, f64)> = candidates
        .iter()
        .enumerate()
        .filter_map(|(k, (_, x))| {
            let oof = out_of_fold(x, c, evals, fit)?;
            let e = score(&[&oof]);
            Some((k, oof, e))
        })
        .collect();
    scored.sort_by(|a, b| a.2.total_cmp(&b.2));
    let (first, rest) = scored.split_first()?;
    let mut chosen = vec![first];
    let mut error = first.2;
    for cand in rest {
        if chosen.len() == MAX_COMBINED {
            break;
        }
        let trial: Vec<&[f64]> = chosen.iter().chain([&cand]).map(|c| c.1.as_slice()).collect();
        let e = score(&trial);
        if e < error * (1.0 - MIN_GAIN) {
            chosen.push(cand);
            error = e;
        }
    }
    let mut calibrated = Vec::new();
    for (k, _, _) in &chosen {
        let x = &candidates[*k].1;
        let (xs, ys, ws) = gather(x, c, evals, fit);
        let f = Isotonic::fit(&xs, &ys, &ws)?;
        let tie_break = normalised_ranks(x);
        calibrated.push(
            x.iter()
                .zip(tie_break)
                .map(|(&v, r)| (1.0 - TIE_BREAK) * f.predict(v) + TIE_BREAK * r)
                .collect::<Vec<f64>>(),
        );
    }
    let mu = (0..c.len()).map(|i| average(calibrated.iter().map(|p| p[i])).unwrap_or(mean)).collect();
    let proxies = chosen.iter().map(|(k, _, _)| candidates[*k].0.clone()).collect();
    let oofs: Vec<&[f64]> = chosen.iter().map(|c| c.1.as_slice()).collect();
    let out_of_fold = (0..fit.len()).map(|j| average(oofs.iter().map(|v| v[j])).unwrap_or(mean)).collect();
    Some(Prior { mu, proxies, error, out_of_fold })
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

/// Weighted squared error against `y` of the average of `preds` (each over the fit examples; where all
/// are missing, the overall mean stands in).
fn weighted_error(preds: &[&[f64]], y: &[f64], w: &[f64], mean: f64) -> f64 {
    let mut sse = 0.0;
    for j in 0..y.len() {
        let p = average(preds.iter().map(|v| v[j])).unwrap_or(mean);
        sse += w[j] * (p - y[j]).powi(2);
    }
    sse / w.iter().sum::<f64>()
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
