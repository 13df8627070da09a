//! What the explorer knows about the dataset for the whole session: images, labels, injected ground
//! truth and proxy (and imported reference) scores with their ranks.

use crate::data::Dataset;
use crate::proxy::compare::{compare, Comparison, CSCORE};
use crate::proxy::{higher_is_regular, FUSED, REFERENCE_PREFIX};
use crate::store::{InjectedRow, StoreError, Workspace};
use rayon::prelude::*;
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
    /// Its values are of a small scale, shown in scientific notation ([`crate::fmt::small_scale`]).
    pub small_scale: bool,
}

impl ProxyScores {
    /// Ranks `scores` in the proxy's irregular-first order ([`higher_is_regular`]).
    pub fn new(name: &str, scores: Vec<f32>) -> Self {
        let regular_high = higher_is_regular(name);
        // Sorted as u64 keys (the value's bits in `total_cmp` order, flipped for the direction, then the
        // index): the order of a comparator sort by value then index, several times faster.
        let key = |v: f32| {
            let b = v.to_bits();
            let k = if b >> 31 == 1 { !b } else { b | 0x8000_0000 };
            if regular_high {
                k
            } else {
                !k
            }
        };
        let mut order: Vec<u64> = scores
            .iter()
            .enumerate()
            .filter(|(_, v)| !v.is_nan())
            .map(|(i, &v)| (u64::from(key(v)) << 32) | i as u64)
            .collect();
        order.sort_unstable();
        let mut rank = vec![0u32; scores.len()];
        for (r, &k) in order.iter().enumerate() {
            rank[(k & 0xFFFF_FFFF) as usize] = r as u32 + 1;
        }
        let small_scale = crate::fmt::small_scale(scores.iter().map(|&v| f64::from(v)));
        ProxyScores { name: name.to_string(), present: order.len(), scores, rank, small_scale }
    }
}

/// The owned inputs of a comparison, to compute off the UI task.
#[derive(Debug, Clone)]
pub struct ComparisonInput {
    /// Named scores, the C-score first.
    pub scores: Vec<(String, Vec<f64>)>,
    /// Injected examples, where the workspace has ground truth.
    pub injected: Option<Vec<bool>>,
}

impl ComparisonInput {
    /// ρ, τ (and AUROC, AP with ground truth) of every score, and `top` disagreements per score.
    pub fn compare(&self, top: usize) -> Comparison {
        compare(&self.scores, self.injected.as_deref(), top)
    }
}

/// Every stored proxy by name, then every imported reference score as `ref_<name>`.
pub fn stored_scores(ws: &Workspace) -> Result<Vec<(String, Vec<f32>)>, StoreError> {
    let mut out = Vec::new();
    for name in ws.proxy_names()? {
        if let Some(scores) = ws.proxy_scores(&name)? {
            out.push((name, scores));
        }
    }
    for name in ws.reference_names()? {
        if let Some(scores) = ws.reference_scores(&name)? {
            out.push((format!("{REFERENCE_PREFIX}{name}"), scores));
        }
    }
    Ok(out)
}

/// Ranks every named score vector (in parallel: a sort of every example each).
pub fn rank_all(scores: Vec<(String, Vec<f32>)>) -> Vec<ProxyScores> {
    scores.into_par_iter().map(|(name, s)| ProxyScores::new(&name, s)).collect()
}

/// The dataset side of an exploring session; cloning it is cheap (the large parts are shared).
#[derive(Debug, Clone)]
pub struct ExplorerData {
    /// Images, labels and class names (with any injected corruption applied).
    pub dataset: Arc<Dataset>,
    /// Injected corruption per example (kind and original label), where the workspace has ground truth.
    pub injected: Arc<Vec<Option<InjectedRow>>>,
    /// Whether the workspace has injected ground truth at all.
    pub has_injected: bool,
    /// Every stored proxy, sorted by name, then every imported reference score as `ref_<name>`: the
    /// scores the list shows, the preview ranks and the comparison compares with the C-score.
    pub proxies: Arc<Vec<ProxyScores>>,
    /// The workspace file.
    pub workspace_path: PathBuf,
}

impl ExplorerData {
    /// Gathers the dataset, its injected rows and the workspace's proxies and references.
    pub fn load(ws: &Workspace, dataset: Arc<Dataset>, injected: &[InjectedRow]) -> Result<Self, StoreError> {
        let proxies = rank_all(stored_scores(ws)?);
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
            injected: Arc::new(per_example),
            has_injected: !injected.is_empty(),
            proxies: Arc::new(proxies),
            workspace_path,
        }
    }

    /// What the comparison view compares: the C-score `cscore` (NaN = not estimated), then every proxy
    /// and reference score, with the injected ground truth where the workspace has it.
    pub fn comparison_input(&self, cscore: Vec<f64>) -> ComparisonInput {
        let mut scores = vec![(CSCORE.to_string(), cscore)];
        scores.extend(
            self.proxies.iter().map(|p| (p.name.clone(), p.scores.iter().map(|&v| f64::from(v)).collect())),
        );
        let injected = self.has_injected.then(|| self.injected.iter().map(Option::is_some).collect());
        ComparisonInput { scores, injected }
    }

    /// The fused estimate's rank of every example from the irregular end (0 where missing), if stored:
    /// what orders examples of one C-score.
    pub fn fused_rank(&self) -> Option<&[u32]> {
        self.proxies.iter().find(|p| p.name == FUSED).map(|p| p.rank.as_slice())
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

    /// Parses a class given by number or (case-insensitive) name, or by a part of a name that no other
    /// class name contains (`один` for the folder `1 один`).
    pub fn parse_class(&self, text: &str) -> Option<u32> {
        class_of(&self.dataset.class_names, text)
    }
}

/// See [`ExplorerData::parse_class`].
fn class_of(names: &[String], text: &str) -> Option<u32> {
    let t = text.trim().to_lowercase();
    if t.is_empty() {
        return None;
    }
    let lower: Vec<String> = names.iter().map(|n| n.to_lowercase()).collect();
    if let Some(i) = lower.iter().position(|n| *n == t) {
        return Some(i as u32);
    }
    if let Some(c) = t.parse::<u32>().ok().filter(|&c| (c as usize) < names.len()) {
        return Some(c);
    }
    let mut containing = lower.iter().enumerate().filter(|(_, n)| n.contains(&t)).map(|(i, _)| i as u32);
    match (containing.next(), containing.next()) {
        (Some(only), None) => Some(only),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::ProxyScores;

    #[test]
    fn a_class_by_number_name_or_a_part_of_one_name() {
        let names: Vec<String> =
            ["0 zero", "1 Один", "2 two", "10 ten"].iter().map(|s| s.to_string()).collect();
        let of = |t: &str| super::class_of(&names, t);
        assert_eq!(of("1 один"), Some(1), "the whole name, any case");
        assert_eq!(of("2"), Some(2), "a number is an index");
        assert_eq!(of("один"), Some(1), "a part of one name");
        assert_eq!(of("TE"), Some(3));
        assert_eq!(of("t"), None, "a part of several names");
        assert_eq!(of("9"), None, "out of range, and in no name");
        assert_eq!(of(" "), None);
    }

    #[test]
    fn ranks_follow_orientation_and_skip_missing() {
        let p = ProxyScores::new("learning_speed", vec![0.9, f32::NAN, 0.1, 0.5]);
        assert_eq!(p.rank, vec![3, 0, 1, 2]);
        let p = ProxyScores::new("forgetting_events", vec![0.0, 3.0, 1.0]);
        assert_eq!(p.rank, vec![3, 1, 2]);
        assert_eq!(p.present, 3);
    }

    /// The keyed sort ranks as a comparator sort by value (`total_cmp`), then index, in both directions:
    /// ties, signs, zeros of both signs, infinities and NaN.
    #[test]
    fn keyed_ranks_equal_a_comparator_sort() {
        let base = [0.5f32, -0.0, 0.0, -1.5, f32::INFINITY, 0.5, f32::NAN, -f32::INFINITY, 3.25, -1.5, 1e-30];
        let scores: Vec<f32> =
            (0..200).map(|i| base[(i * 7) % base.len()] * if i % 3 == 0 { 1.0 } else { -2.0 }).collect();
        for name in ["learning_speed", "forgetting_events"] {
            let regular_high = crate::proxy::higher_is_regular(name);
            let mut order: Vec<u32> =
                (0..scores.len() as u32).filter(|&i| !scores[i as usize].is_nan()).collect();
            order.sort_by(|&a, &b| {
                let (x, y) = (scores[a as usize], scores[b as usize]);
                (if regular_high { x.total_cmp(&y) } else { y.total_cmp(&x) }).then(a.cmp(&b))
            });
            let mut want = vec![0u32; scores.len()];
            order.iter().enumerate().for_each(|(r, &i)| want[i as usize] = r as u32 + 1);
            assert_eq!(ProxyScores::new(name, scores.clone()).rank, want, "{name}");
        }
    }
}
