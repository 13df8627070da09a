//! Folding the proxy scores of shard workspaces into a merged one (inside the merge's transaction). The
//! shard that trained the proxy runs holds the training-statistics and hidden-space proxies; input-space
//! proxies are the same in every shard that computed them, which is checked; in a sharded estimate each
//! shard computed the input-space statistics of its own block of examples instead, and the blocks are
//! joined here into the input-space proxies of the whole dataset. The fused score is then
//! recomputed from the merged runs and proxies, as a single estimate would end with it.

use super::fused::fuse_workspace;
use crate::estimate::aggregate_workspace;
use crate::proxy::{join_neighbour_parts, joined_proxies, refresh_density, stale_density, Fused};
use crate::proxy::{FUSED, TRAINING_PROXIES};
use crate::store::Workspace;
use crate::Result;
use std::path::Path;

/// Relative difference up to which two shards' values of a proxy agree (CPU and GPU workers may differ
/// in the last digits of a float).
const AGREEMENT: f32 = 1e-4;

/// What folding the proxies did.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ProxyMerge {
    /// Proxies written into the target, by name.
    pub copied: Vec<String>,
    /// The recomputed fused estimate, when any workspace involved had one.
    pub fused: Option<Fused>,
    /// Disagreements and gaps, one line each, for the user.
    pub warnings: Vec<String>,
}

/// Copies every proxy stored in `shards` (path, workspace) into `target`, whose runs are already merged,
/// and recomputes `fused` there. A proxy held by several shards is taken from the shard holding the most
/// proxy runs (else the first that has it); a shard whose values differ from those is named in a warning.
pub fn merge_proxies(target: &Workspace, shards: &[(&Path, &Workspace)]) -> Result<ProxyMerge> {
    let mut out = ProxyMerge::default();
    let outdated = refresh_density(target)?;
    if !outdated.is_empty() {
        out.warnings.push(format!(
            "{}: its density values were computed with an older kernel bandwidth rule and are dropped; \
             `cscore estimate` on it computes them again",
            target.path().display()
        ));
    }
    let mut names: Vec<Vec<String>> = Vec::with_capacity(shards.len());
    let mut proxy_runs: Vec<usize> = Vec::with_capacity(shards.len());
    let mut current: Vec<bool> = Vec::with_capacity(shards.len());
    for (path, ws) in shards {
        let mut stored = ws.proxy_names()?;
        let stale = stale_density(ws)?;
        if !stale.is_empty() {
            out.warnings.push(format!(
                "{}: its density values and input-space statistics were computed with an older kernel bandwidth rule; not merged \
                 (`cscore estimate` on {} computes them again)",
                path.display(),
                target.path().display()
            ));
            stored.retain(|n| !stale.proxies.contains(n));
        }
        current.push(stale.is_empty());
        names.push(stored);
        proxy_runs.push(ws.tracked_runs()?.iter().filter(|k| k.kind_is_proxy).count());
    }
    let had_fused =
        target.proxy_names()?.iter().any(|n| n == FUSED) || names.iter().flatten().any(|n| n == FUSED);
    let mut all: Vec<&String> = names.iter().flatten().filter(|n| *n != FUSED).collect();
    all.sort_unstable();
    all.dedup();
    // The shard of the proxy runs: most of them, ties to the first.
    let owner = (0..shards.len()).rev().max_by_key(|&i| proxy_runs[i]).unwrap_or(0);
    let mut partial_training = false;
    for name in all {
        let holders: Vec<usize> = (0..shards.len()).filter(|&i| names[i].contains(name)).collect();
        let chosen = if holders.contains(&owner) { owner } else { holders[0] };
        let Some(values) = shards[chosen].1.proxy_scores(name)? else { continue };
        for &other in holders.iter().filter(|&&i| i != chosen) {
            if let Some(theirs) = shards[other].1.proxy_scores(name)? {
                if let Some(d) = disagreement(&values, &theirs) {
                    out.warnings.push(format!(
                        "proxy {name}: {} disagrees with {} at {} of {} examples (first at example {}: {} vs {}); \
                         keeping the values of {}",
                        shards[other].0.display(),
                        shards[chosen].0.display(),
                        d.count,
                        values.len(),
                        d.first,
                        theirs[d.first],
                        values[d.first],
                        shards[chosen].0.display()
                    ));
                }
            }
        }
        if TRAINING_PROXIES.contains(&name.as_str()) && !partial_training {
            let total = target.tracked_runs()?.iter().filter(|k| k.kind_is_proxy).count();
            partial_training = proxy_runs[chosen] < total;
            if partial_training {
                out.warnings.push(format!(
                    "training-statistics proxies come from the {} of {total} proxy runs in {}; \
                     `cscore estimate` on {} recomputes them from all",
                    proxy_runs[chosen],
                    shards[chosen].0.display(),
                    target.path().display()
                ));
            }
        }
        target.set_proxy_scores(name, &values)?;
        out.copied.push(name.clone());
    }
    let current: Vec<(&Path, &Workspace)> =
        shards.iter().zip(&current).filter(|(_, c)| **c).map(|(s, _)| *s).collect();
    join_input_space(target, &current, &mut out)?;
    if had_fused {
        out.fused = Some(fuse_workspace(target, &aggregate_workspace(target)?, None)?);
    }
    Ok(out)
}

/// Gathers the shards' blocks of input-space statistics into `target` and, once they cover every example,
/// computes the input-space proxies of the whole dataset from them (merging shard by shard works: the
/// blocks wait in the target until the last one arrives).
fn join_input_space(target: &Workspace, shards: &[(&Path, &Workspace)], out: &mut ProxyMerge) -> Result<()> {
    for (_, ws) in shards {
        for part in ws.neighbour_parts()? {
            target.set_neighbour_part(&part)?;
        }
    }
    let parts = target.neighbour_parts()?;
    let Some(first) = parts.first() else { return Ok(()) };
    // The proxies every block was computed for.
    let names: Vec<String> =
        first.proxies.iter().filter(|n| parts.iter().all(|p| p.proxies.contains(n))).cloned().collect();
    match join_neighbour_parts(target.num_examples(), parts) {
        Ok((stats, knn)) => {
            for (name, values) in joined_proxies(&stats, knn) {
                if names.iter().any(|n| n == name) {
                    target.set_proxy_scores(name, &values)?;
                    if !out.copied.iter().any(|c| c == name) {
                        out.copied.push(name.to_string());
                    }
                }
            }
        }
        Err(why) => out.warnings.push(format!(
            "input-space proxies: {why}; they are computed when the shards holding the rest are merged"
        )),
    }
    Ok(())
}

/// Where two score vectors disagree beyond [`AGREEMENT`] (NaN agrees only with NaN).
struct Disagreement {
    count: usize,
    first: usize,
}

fn disagreement(a: &[f32], b: &[f32]) -> Option<Disagreement> {
    let differs = |(x, y): (&f32, &f32)| match (x.is_nan(), y.is_nan()) {
        (true, true) => false,
        (false, false) => (x - y).abs() > AGREEMENT * x.abs().max(y.abs()).max(1.0),
        _ => true,
    };
    if a.len() != b.len() {
        return Some(Disagreement { count: a.len().max(b.len()), first: 0 });
    }
    let first = a.iter().zip(b).position(differs)?;
    Some(Disagreement { count: a.iter().zip(b).filter(|p| differs(*p)).count(), first })
}

#[cfg(test)]
mod tests {
    use super::disagreement;

    #[test]
    fn agreement_allows_float_noise_but_not_differences() {
        assert!(disagreement(&[1.0, f32::NAN, 1e4], &[1.00001, f32::NAN, 1e4 + 0.5]).is_none());
        let d = disagreement(&[1.0, 2.0, f32::NAN], &[1.0, 2.1, 0.0]).map(|d| (d.count, d.first));
        assert_eq!(d, Some((2, 1)));
    }
}
