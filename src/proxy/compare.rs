//! Every score against the C-score and against each other: rank correlations, detection of injected
//! examples, and the examples on which a proxy and the C-score disagree most. Plain data, for the
//! explorer and `cscore eval`.

use super::detect::{auroc, average_precision, suspicion};
use super::higher_is_regular;
use super::rank::{average_ranks, kendall_tau_b, pearson, spearman};
use rayon::prelude::*;
use serde::Serialize;

/// Name under which the holdout C-score takes part.
pub const CSCORE: &str = "cscore";

/// Rank agreement of two scores, both oriented so that high means regular (so ρ, τ > 0 is agreement).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Correlation {
    /// First score.
    pub a: String,
    /// Second score.
    pub b: String,
    /// Examples where both are present.
    pub pairs: usize,
    /// Spearman's ρ (average ranks for ties).
    pub spearman: Option<f64>,
    /// Kendall's τ-b.
    pub kendall: Option<f64>,
}

/// How well one score finds the injected examples (missing values count as least suspicious).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Detection {
    /// The score.
    pub name: String,
    /// Examples with a value, on which it is measured (as `cscore eval` does: an example not yet scored
    /// is left out rather than counted as regular).
    pub used: usize,
    /// Area under the ROC curve.
    pub auroc: Option<f64>,
    /// Average precision.
    pub average_precision: Option<f64>,
}

/// One example ranked very differently by a proxy and by the C-score.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Disagreement {
    /// Example index.
    pub index: usize,
    /// Its rank under the proxy, normalised to [0, 1] (1 = most regular; the mid-rank of a tie).
    pub proxy_rank: f64,
    /// Its rank under the C-score, normalised the same way.
    pub cscore_rank: f64,
    /// The ranks its tie group under the proxy spans (lowest, highest); one point without a tie.
    pub proxy_ranks: (f64, f64),
    /// The ranks its tie group under the C-score spans (thousands of examples tie at 1.000).
    pub cscore_ranks: (f64, f64),
    /// The gap between the two spans: the smallest rank difference any breaking of the ties allows, so a
    /// tie never counts as disagreement (0 when the spans overlap).
    pub gap: f64,
}

/// What a disagreement ranking is sorted by, in words, for the views that show one.
pub const DISAGREEMENT_ORDER: &str =
    "largest gap between the ranks first; tied scores span their whole rank range, so ties never count";

/// The disagreement ranking of one proxy, largest gap between the tie-aware ranks first.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Disagreements {
    /// The proxy.
    pub proxy: String,
    /// The examples, most disagreeing first.
    pub examples: Vec<Disagreement>,
}

/// Everything compared.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Comparison {
    /// The scores compared, the C-score first when present.
    pub names: Vec<String>,
    /// Every pair of scores.
    pub correlations: Vec<Correlation>,
    /// Per score, where injected ground truth exists (else empty).
    pub detection: Vec<Detection>,
    /// Per proxy, when the C-score is among the scores.
    pub disagreements: Vec<Disagreements>,
}

/// Compares named scores (NaN = missing); `injected` marks the corrupted examples where known; `top`
/// bounds each disagreement ranking.
pub fn compare(scores: &[(String, Vec<f64>)], injected: Option<&[bool]>, top: usize) -> Comparison {
    let oriented: Vec<Vec<f64>> = scores
        .iter()
        .map(|(name, s)| {
            let sign = if higher_is_regular(name) { 1.0 } else { -1.0 };
            s.iter().map(|v| sign * v).collect()
        })
        .collect();
    // Each score's average ranks once, for its pairs with scores that, like it, miss no value (then ρ is
    // the Pearson correlation of these very ranks); the pairs in parallel.
    let full_ranks: Vec<Option<Vec<f64>>> = oriented
        .par_iter()
        .map(|s| (s.len() >= 2 && s.iter().all(|v| v.is_finite())).then(|| average_ranks(s)))
        .collect();
    let pairs: Vec<(usize, usize)> =
        (0..scores.len()).flat_map(|a| (a + 1..scores.len()).map(move |b| (a, b))).collect();
    let correlations = pairs
        .par_iter()
        .map(|&(a, b)| {
            let (x, y) = (&oriented[a], &oriented[b]);
            let spearman = match (&full_ranks[a], &full_ranks[b]) {
                (Some(ra), Some(rb)) if ra.len() == rb.len() => pearson(ra, rb),
                _ => spearman(x, y),
            };
            Correlation {
                a: scores[a].0.clone(),
                b: scores[b].0.clone(),
                pairs: x.iter().zip(y).filter(|(p, q)| p.is_finite() && q.is_finite()).count(),
                spearman,
                kendall: kendall_tau_b(x, y),
            }
        })
        .collect();
    let detection = match injected.filter(|m| m.iter().any(|&b| b)) {
        Some(mask) => scores
            .iter()
            .map(|(name, s)| {
                let (sus, truth): (Vec<f64>, Vec<bool>) = suspicion(name, s)
                    .into_iter()
                    .zip(mask)
                    .zip(s)
                    .filter(|(_, v)| !v.is_nan())
                    .map(|((x, &b), _)| (x, b))
                    .unzip();
                Detection {
                    name: name.clone(),
                    used: sus.len(),
                    auroc: auroc(&sus, &truth),
                    average_precision: average_precision(&sus, &truth),
                }
            })
            .collect(),
        None => Vec::new(),
    };
    let disagreements = match scores.iter().position(|(n, _)| n == CSCORE) {
        Some(c) => (0..scores.len())
            .filter(|&p| p != c)
            .map(|p| Disagreements {
                proxy: scores[p].0.clone(),
                examples: disagreement(&oriented[p], &oriented[c], top),
            })
            .collect(),
        None => Vec::new(),
    };
    Comparison {
        names: scores.iter().map(|(n, _)| n.clone()).collect(),
        correlations,
        detection,
        disagreements,
    }
}

/// The `top` examples whose normalised ranks under `proxy` and `cscore` (both oriented) are furthest apart
/// however ties are broken: each example's tie group spans a range of ranks, and two examples disagree by the
/// gap between their ranges. With mid-ranks instead, the thousands of examples tied at C-score 1.000 (mid-rank
/// about 0.6) would fill the list, ordered by small proxy differences that say nothing.
pub fn disagreement(proxy: &[f64], cscore: &[f64], top: usize) -> Vec<Disagreement> {
    let both: Vec<usize> =
        (0..proxy.len()).filter(|&i| proxy[i].is_finite() && cscore[i].is_finite()).collect();
    if both.len() < 2 {
        return Vec::new();
    }
    let scale = (both.len() - 1) as f64;
    let spans = |values: &[f64]| -> Vec<(f64, f64, f64)> {
        let x: Vec<f64> = both.iter().map(|&i| values[i]).collect();
        let mid = average_ranks(&x);
        tie_spans(&x)
            .into_iter()
            .zip(mid)
            .map(|((lo, hi), m)| ((lo - 1.0) / scale, (hi - 1.0) / scale, (m - 1.0) / scale))
            .collect()
    };
    let (sp, sc) = (spans(proxy), spans(cscore));
    let mut out: Vec<Disagreement> = both
        .iter()
        .zip(sp.into_iter().zip(sc))
        .map(|(&index, ((plo, phi, pm), (clo, chi, cm)))| Disagreement {
            index,
            proxy_rank: pm,
            cscore_rank: cm,
            proxy_ranks: (plo, phi),
            cscore_ranks: (clo, chi),
            gap: (plo - chi).max(clo - phi).max(0.0),
        })
        .collect();
    out.sort_by(|a, b| {
        let (da, db) = ((a.proxy_rank - a.cscore_rank).abs(), (b.proxy_rank - b.cscore_rank).abs());
        b.gap.total_cmp(&a.gap).then(db.total_cmp(&da)).then(a.index.cmp(&b.index))
    });
    out.retain(|d| d.gap > 0.0);
    out.truncate(top);
    out
}

/// Per value, the 1-based ranks its tie group occupies: (lowest, highest).
fn tie_spans(x: &[f64]) -> Vec<(f64, f64)> {
    let mut order: Vec<usize> = (0..x.len()).collect();
    order.sort_by(|&a, &b| x[a].total_cmp(&x[b]));
    let mut out = vec![(0.0, 0.0); x.len()];
    let mut start = 0;
    while start < order.len() {
        let mut end = start + 1;
        while end < order.len() && x[order[end]] == x[order[start]] {
            end += 1;
        }
        for &i in &order[start..end] {
            out[i] = ((start + 1) as f64, end as f64);
        }
        start = end;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ties_of_the_cscore_are_no_disagreement() {
        // Six examples tie at C-score 1 (ranks 4/9..1); 6..9 score 0.1..0.4. The proxy ranks the tied ones
        // lowest of all and 6..9 highest. By mid-ranks example 0 (proxy 0, C-score mid-rank 0.72) would come
        // third; tie-aware it is only 4/9 away from its tie group, behind 6, 7 and 8.
        let cscore = [1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 0.1, 0.2, 0.3, 0.4];
        let proxy = [0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 9.0, 8.0, 7.0, 6.0];
        let d = disagreement(&proxy, &cscore, 3);
        assert_eq!(d.iter().map(|d| d.index).collect::<Vec<_>>(), [6, 7, 8]);
        assert!((d[0].gap - 1.0).abs() < 1e-12 && (d[2].gap - 5.0 / 9.0).abs() < 1e-12);
        assert_eq!(d[0].cscore_ranks, (0.0, 0.0));
        let all = disagreement(&proxy, &cscore, 10);
        let zero = all.iter().find(|d| d.index == 0).map(|d| (d.cscore_ranks, d.gap));
        assert_eq!(zero, Some(((4.0 / 9.0, 1.0), 4.0 / 9.0)));
        // Example 5 (proxy rank 5/9) lies inside its tie group's span: no disagreement at all.
        assert!(all.iter().all(|d| d.index != 5 && d.gap > 0.0));
    }

    #[test]
    fn detection_leaves_out_examples_not_yet_scored() {
        // Example 3 is injected but has no C-score yet: it is left out, not counted as the most regular.
        let scores = vec![("cscore".to_string(), vec![0.1, 0.9, 0.8, f64::NAN])];
        let c = compare(&scores, Some(&[true, false, false, true]), 3);
        assert_eq!(c.detection[0].used, 3);
        assert_eq!(c.detection[0].auroc, Some(1.0));
    }

    #[test]
    fn without_ties_the_gap_is_the_rank_difference() {
        let d = disagreement(&[1.0, 2.0, 3.0], &[3.0, 2.0, 1.0], 3);
        assert_eq!(d.iter().map(|d| (d.index, d.gap)).collect::<Vec<_>>(), [(0, 1.0), (2, 1.0)]);
    }
}
