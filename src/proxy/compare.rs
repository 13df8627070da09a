//! Every score against the C-score and against each other: rank correlations, detection of injected
//! examples, and the examples on which a proxy and the C-score disagree most. Plain data, for the
//! explorer and `cscore eval`.

use super::detect::{auroc, average_precision, suspicion};
use super::higher_is_regular;
use super::names::REFERENCE_PREFIX;
use super::rank::{average_ranks, kendall_tau_b, spearman};
use crate::estimate::aggregate_workspace;
use crate::store::Workspace;
use crate::Result;
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
    /// Its rank under the proxy, normalised to [0, 1] (1 = most regular).
    pub proxy_rank: f64,
    /// Its rank under the C-score, normalised the same way.
    pub cscore_rank: f64,
}

/// The disagreement ranking of one proxy, largest |proxy_rank − cscore_rank| first.
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
    let mut correlations = Vec::new();
    for a in 0..scores.len() {
        for b in a + 1..scores.len() {
            let (x, y) = (&oriented[a], &oriented[b]);
            correlations.push(Correlation {
                a: scores[a].0.clone(),
                b: scores[b].0.clone(),
                pairs: x.iter().zip(y).filter(|(p, q)| p.is_finite() && q.is_finite()).count(),
                spearman: spearman(x, y),
                kendall: kendall_tau_b(x, y),
            });
        }
    }
    let detection = match injected.filter(|m| m.iter().any(|&b| b)) {
        Some(mask) => scores
            .iter()
            .map(|(name, s)| {
                let sus = suspicion(name, s);
                Detection {
                    name: name.clone(),
                    auroc: auroc(&sus, mask),
                    average_precision: average_precision(&sus, mask),
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

/// The `top` examples whose normalised ranks under `proxy` and `cscore` differ most (both oriented).
pub fn disagreement(proxy: &[f64], cscore: &[f64], top: usize) -> Vec<Disagreement> {
    let both: Vec<usize> =
        (0..proxy.len()).filter(|&i| proxy[i].is_finite() && cscore[i].is_finite()).collect();
    if both.len() < 2 {
        return Vec::new();
    }
    let scale = (both.len() - 1) as f64;
    let norm = |v: Vec<f64>| v.into_iter().map(|r| (r - 1.0) / scale).collect::<Vec<f64>>();
    let rp = norm(average_ranks(&both.iter().map(|&i| proxy[i]).collect::<Vec<_>>()));
    let rc = norm(average_ranks(&both.iter().map(|&i| cscore[i]).collect::<Vec<_>>()));
    let mut out: Vec<Disagreement> = both
        .iter()
        .zip(rp.into_iter().zip(rc))
        .map(|(&index, (proxy_rank, cscore_rank))| Disagreement { index, proxy_rank, cscore_rank })
        .collect();
    out.sort_by(|a, b| {
        let (da, db) = ((a.proxy_rank - a.cscore_rank).abs(), (b.proxy_rank - b.cscore_rank).abs());
        db.total_cmp(&da).then(a.index.cmp(&b.index))
    });
    out.truncate(top);
    out
}

/// The current C-score, every stored proxy and every imported reference (as `ref_<name>`), compared, with
/// the workspace's injected ground truth.
pub fn compare_workspace(ws: &Workspace, top: usize) -> Result<Comparison> {
    let agg = aggregate_workspace(ws)?;
    let mut scores = vec![(CSCORE.to_string(), agg.cscores())];
    let wide = |s: Vec<f32>| s.into_iter().map(f64::from).collect::<Vec<f64>>();
    for name in ws.proxy_names()? {
        if let Some(s) = ws.proxy_scores(&name)? {
            scores.push((name, wide(s)));
        }
    }
    for name in ws.reference_names()? {
        if let Some(s) = ws.reference_scores(&name)? {
            scores.push((format!("{REFERENCE_PREFIX}{name}"), wide(s)));
        }
    }
    let injected = ws.injected()?;
    let mut mask = vec![false; ws.num_examples()];
    for row in &injected {
        if let Some(m) = mask.get_mut(row.example) {
            *m = true;
        }
    }
    Ok(compare(&scores, (!injected.is_empty()).then_some(&mask[..]), top))
}
