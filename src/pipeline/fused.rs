//! Recomputing the fused estimate: every stored proxy as a Beta prior, updated with the holdout evidence
//! of the estimate (the one proxy score that needs both layers).

use crate::estimate::Aggregate;
use crate::proxy::{fuse, Fused, ProxyUpdater, FUSED};
use crate::store::Workspace;
use crate::Result;

/// Recomputes the fused estimate of `ws` from every proxy stored there and the holdout evidence `agg`
/// (prior strength `prior_strength`, `None`: estimated), and stores it when it has a value anywhere.
pub fn fuse_workspace(ws: &Workspace, agg: &Aggregate, prior_strength: Option<f64>) -> Result<Fused> {
    let mut proxies = Vec::new();
    for name in ws.proxy_names()?.into_iter().filter(|n| n != FUSED) {
        if let Some(s) = ws.proxy_scores(&name)? {
            proxies.push((name, s));
        }
    }
    let evals: Vec<u32> = (0..agg.len()).map(|i| agg.holdout_evals(i)).collect();
    let fused = fuse(&proxies, &agg.cscores(), &evals, prior_strength);
    if fused.scores.iter().any(|v| v.is_finite()) {
        ws.set_proxy_scores(FUSED, &fused.scores)?;
    }
    Ok(fused)
}

/// Recomputes and stores the fused estimate from the stored proxies and `agg`, if `updater` selects it.
pub fn update_fused(updater: &ProxyUpdater, ws: &Workspace, agg: &Aggregate) -> Result<Option<Fused>> {
    if !updater.fuses(agg.len()) {
        return Ok(None);
    }
    fuse_workspace(ws, agg, updater.prior_strength).map(Some)
}
