//! The current C-score of a workspace against every proxy and imported reference stored there (for
//! `cscore eval`): the estimate's aggregate read beside the proxy scores, compared by `proxy::compare`.

use crate::estimate::aggregate_workspace;
use crate::proxy::compare::{compare, Comparison, CSCORE};
use crate::proxy::REFERENCE_PREFIX;
use crate::store::Workspace;
use crate::Result;

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
