//! What the explorer knows about the dataset for the whole session: images, labels, injected ground
//! truth and proxy scores with their ranks.

use crate::data::Dataset;
use crate::proxy::higher_is_regular;
use crate::store::{InjectedRow, StoreError, Workspace};
use std::path::PathBuf;
use std::sync::Arc;

/// One proxy score vector with each example's rank (1 = most irregular, 0 = missing).
#[derive(Debug, Clone)]
pub struct ProxyScores {
    /// Stored name (e.g. `learning_speed`).
    pub name: String,
    /// One value per example, NaN where missing.
    pub scores: Vec<f32>,
    /// Rank of each example from the most irregular end (1-based; 0 where the value is missing).
    pub rank: Vec<u32>,
    /// Number of examples with a value.
    pub present: usize,
}

impl ProxyScores {
    /// Ranks `scores` in the proxy's irregular-first order ([`higher_is_regular`]).
    pub fn new(name: &str, scores: Vec<f32>) -> Self {
        let regular_high = higher_is_regular(name);
        let mut order: Vec<u32> =
            (0..scores.len() as u32).filter(|&i| !scores[i as usize].is_nan()).collect();
        order.sort_by(|&a, &b| {
            let (x, y) = (scores[a as usize], scores[b as usize]);
            let c = if regular_high { x.total_cmp(&y) } else { y.total_cmp(&x) };
            c.then(a.cmp(&b))
        });
        let mut rank = vec![0u32; scores.len()];
        for (r, &i) in order.iter().enumerate() {
            rank[i as usize] = r as u32 + 1;
        }
        ProxyScores { name: name.to_string(), present: order.len(), scores, rank }
    }
}

/// The dataset side of an exploring session.
#[derive(Debug, Clone)]
pub struct ExplorerData {
    /// Images, labels and class names (with any injected corruption applied).
    pub dataset: Arc<Dataset>,
    /// Injected corruption per example (kind and original label), where the workspace has ground truth.
    pub injected: Vec<Option<InjectedRow>>,
    /// Whether the workspace has injected ground truth at all.
    pub has_injected: bool,
    /// Every stored proxy, sorted by name.
    pub proxies: Vec<ProxyScores>,
    /// The workspace file.
    pub workspace_path: PathBuf,
}

impl ExplorerData {
    /// Gathers the dataset, its injected rows and the workspace's proxies.
    pub fn load(ws: &Workspace, dataset: Arc<Dataset>, injected: &[InjectedRow]) -> Result<Self, StoreError> {
        let mut proxies = Vec::new();
        for name in ws.proxy_names()? {
            if let Some(scores) = ws.proxy_scores(&name)? {
                proxies.push(ProxyScores::new(&name, scores));
            }
        }
        Ok(Self::new(dataset, injected, proxies, ws.path().to_path_buf()))
    }

    /// Assembles the parts (used by `load` and by tests).
    pub fn new(
        dataset: Arc<Dataset>,
        injected: &[InjectedRow],
        proxies: Vec<ProxyScores>,
        workspace_path: PathBuf,
    ) -> Self {
        let mut per_example = vec![None; dataset.len()];
        for row in injected {
            if let Some(slot) = per_example.get_mut(row.example) {
                *slot = Some(row.clone());
            }
        }
        ExplorerData {
            dataset,
            injected: per_example,
            has_injected: !injected.is_empty(),
            proxies,
            workspace_path,
        }
    }

    /// Number of examples.
    pub fn len(&self) -> usize {
        self.dataset.len()
    }

    /// True when the dataset is empty.
    pub fn is_empty(&self) -> bool {
        self.dataset.is_empty()
    }

    /// The name of class `label` (its number when out of range).
    pub fn class_name(&self, label: u32) -> String {
        self.dataset.class_names.get(label as usize).cloned().unwrap_or_else(|| label.to_string())
    }

    /// Parses a class given by number or (case-insensitive) name.
    pub fn parse_class(&self, text: &str) -> Option<u32> {
        let t = text.trim();
        let names = &self.dataset.class_names;
        if let Some(i) = names.iter().position(|n| n.eq_ignore_ascii_case(t)) {
            return Some(i as u32);
        }
        t.parse::<u32>().ok().filter(|&c| (c as usize) < names.len())
    }
}

#[cfg(test)]
mod tests {
    use super::ProxyScores;

    #[test]
    fn ranks_follow_orientation_and_skip_missing() {
        let p = ProxyScores::new("learning_speed", vec![0.9, f32::NAN, 0.1, 0.5]);
        assert_eq!(p.rank, vec![3, 0, 1, 2]);
        let p = ProxyScores::new("forgetting_events", vec![0.0, 3.0, 1.0]);
        assert_eq!(p.rank, vec![3, 1, 2]);
        assert_eq!(p.present, 3);
    }
}
