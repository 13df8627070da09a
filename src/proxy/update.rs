//! Keeping a workspace's proxies current during an estimate: input-space proxies once, training
//! statistics when proxy runs arrive, hidden-space density from the proxy-run model. (The fused estimate,
//! which needs the holdout evidence, is recomputed by `pipeline`.)

use super::approx::{neighbour_stats_auto, neighbour_stats_auto_rows};
use super::density::{density_family, knn_agreement, local_outlier_factor};
use super::distance::NeighbourOptions;
use super::names::{Selection, FUSED, HIDDEN_PROXIES, INPUT_PROXIES};
use super::training::{training_proxies, TRAINING_PROXIES};
use crate::model::ModelError;
use crate::store::Workspace;
use crate::{Error, Result};
use candle_core::{Device, Tensor};

/// Computes and stores the selected proxies of one workspace.
#[derive(Debug, Clone)]
pub struct ProxyUpdater {
    /// Which proxies.
    pub selection: Selection,
    /// Neighbour settings of the pairwise-distance proxies.
    pub neighbours: NeighbourOptions,
    /// Prior strength m of the fused estimate, in pseudo-trials (`None`: estimated from the evidence).
    pub prior_strength: Option<f64>,
    labels: Vec<u32>,
    num_classes: usize,
}

impl ProxyUpdater {
    /// An updater for a dataset with these given `labels` (after any injected corruption).
    pub fn new(selection: Selection, labels: &[u32], num_classes: usize) -> Self {
        ProxyUpdater {
            selection,
            neighbours: NeighbourOptions::default(),
            prior_strength: None,
            labels: labels.to_vec(),
            num_classes,
        }
    }

    /// Selected input-space proxies not stored yet, from the inputs of the N examples, read block by block
    /// with `rows(start, len)` (a `len` × D tensor); returns those stored.
    pub fn input_space(
        &self,
        ws: &Workspace,
        rows: &dyn Fn(usize, usize) -> Result<Tensor>,
    ) -> Result<Vec<&'static str>> {
        let wanted = self.missing(ws, &INPUT_PROXIES)?;
        if wanted.is_empty() {
            return Ok(wanted);
        }
        let stats = neighbour_stats_auto_rows(rows, self.labels.len(), &self.labels, &self.neighbours)?;
        let mut all: Vec<(&'static str, Vec<f32>)> = density_family(&stats).into();
        all.push(("knn_agreement", knn_agreement(&stats, &self.labels)));
        all.push(("lof", local_outlier_factor(&stats)));
        self.store(ws, all, &wanted, "")
    }

    /// Selected hidden-space proxies not stored yet, from a model's `features` (N × `dim`, row-major),
    /// computed on `device`; returns those stored.
    pub fn hidden_space(
        &self,
        ws: &Workspace,
        features: &[f32],
        dim: usize,
        device: &Device,
    ) -> Result<Vec<&'static str>> {
        let wanted = self.missing(ws, &HIDDEN_PROXIES)?;
        if wanted.is_empty() || dim == 0 || features.len() != self.labels.len() * dim {
            return Ok(Vec::new());
        }
        let x = Tensor::from_slice(features, (self.labels.len(), dim), device)
            .map_err(|e| Error::Model(ModelError::Candle(e)))?;
        let opts = NeighbourOptions { k: 0, ..self.neighbours.clone() };
        let stats = neighbour_stats_auto(&x, &self.labels, &opts)?;
        self.store(ws, density_family(&stats).into(), &wanted, "hidden_")
    }

    /// The selected training-statistics proxies from every proxy run in the workspace (recomputed, since
    /// more proxy runs may have arrived); returns those stored (none before the first proxy run).
    pub fn training(&self, ws: &Workspace) -> Result<Vec<&'static str>> {
        let wanted = self.selection.among(&TRAINING_PROXIES);
        if wanted.is_empty() {
            return Ok(wanted);
        }
        let mut runs = Vec::new();
        for key in ws.tracked_runs()?.into_iter().filter(|k| k.kind_is_proxy) {
            runs.push(ws.epoch_stats(key)?);
        }
        let all = training_proxies(&runs, &self.labels, self.num_classes);
        self.store(ws, all, &wanted, "")
    }

    /// Whether the fused estimate is selected and holdout evidence over `num_examples` examples fits
    /// this dataset (the pipeline recomputes it as that evidence arrives).
    pub fn fuses(&self, num_examples: usize) -> bool {
        self.selection.contains(FUSED) && num_examples == self.labels.len()
    }

    /// The names among `names` that are selected and not yet stored.
    pub(crate) fn missing(&self, ws: &Workspace, names: &[&'static str]) -> Result<Vec<&'static str>> {
        let stored = ws.proxy_names()?;
        Ok(self.selection.among(names).into_iter().filter(|n| !stored.iter().any(|s| s == n)).collect())
    }

    /// Stores the `wanted` scores of `all` (names prefixed with `prefix`).
    fn store(
        &self,
        ws: &Workspace,
        all: Vec<(&'static str, Vec<f32>)>,
        wanted: &[&'static str],
        prefix: &str,
    ) -> Result<Vec<&'static str>> {
        let mut done = Vec::new();
        for (name, scores) in all {
            if let Some(&full) = wanted.iter().find(|w| w.strip_prefix(prefix) == Some(name)) {
                ws.set_proxy_scores(full, &scores)?;
                done.push(full);
            }
        }
        Ok(done)
    }
}
