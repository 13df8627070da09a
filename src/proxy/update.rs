//! Keeping a workspace's proxies current during an estimate: input-space proxies once, training
//! statistics when proxy runs arrive, hidden-space density from the proxy-run model. (The fused estimate,
//! which needs the holdout evidence, is recomputed by `pipeline`.)

use super::approx::NeighbourMethod;
use super::density::density_family;
use super::distance::NeighbourOptions;
use super::names::{Selection, FUSED, HIDDEN_PROXIES, INPUT_PROXIES};
use super::parts::{input_proxies, neighbour_stats_part_rows, to_stored};
use super::training::{training_proxies, TRAINING_PROXIES};
use crate::model::ModelError;
use crate::store::Workspace;
use crate::{Error, Result};
use candle_core::{Device, Tensor};
use std::ops::Range;

/// Computes and stores the selected proxies of one workspace.
#[derive(Debug, Clone)]
pub struct ProxyUpdater {
    /// Which proxies.
    pub selection: Selection,
    /// Neighbour settings of the pairwise-distance proxies.
    pub neighbours: NeighbourOptions,
    /// Prior strength m of the fused estimate, in pseudo-trials (`None`: estimated from the evidence).
    pub prior_strength: Option<f64>,
    /// In a sharded estimate, the block of examples whose input-space statistics this shard computes and
    /// stores for `cscore merge` (instead of the input-space proxies themselves); `None`: all of them.
    pub part: Option<Range<usize>>,
    /// Exact or approximate neighbour statistics.
    pub method: NeighbourMethod,
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
            part: None,
            method: NeighbourMethod::default(),
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
        let wanted = self.missing_input(ws)?;
        if wanted.is_empty() {
            return Ok(wanted);
        }
        let n = self.labels.len();
        let part = self.part.clone().unwrap_or(0..n);
        let stats =
            neighbour_stats_part_rows(rows, n, &self.labels, &self.neighbours, &self.method, part.clone())?;
        if self.part.is_some() {
            ws.set_neighbour_part(&to_stored(part.start, stats, &self.labels, &wanted))?;
            return Ok(wanted);
        }
        self.store(ws, input_proxies(&stats, &self.labels), &wanted, "")
    }

    /// The selected input-space proxies still to compute: not stored, or (in a sharded estimate) without
    /// the statistics of this shard's block stored for them.
    pub(crate) fn missing_input(&self, ws: &Workspace) -> Result<Vec<&'static str>> {
        let Some(part) = &self.part else { return self.missing(ws, &INPUT_PROXIES) };
        let wanted = self.selection.among(&INPUT_PROXIES);
        let stored =
            ws.neighbour_parts()?.into_iter().find(|p| p.start == part.start && p.len() == part.len());
        match stored {
            Some(p) if wanted.iter().all(|w| p.proxies.iter().any(|s| s == w)) => Ok(Vec::new()),
            _ => Ok(wanted),
        }
    }

    /// Selected hidden-space proxies not stored yet, from a model's `features` (N × `dim`, row-major),
    /// computed on `device`; returns those stored.
    pub fn hidden_space(
        &self,
        ws: &Workspace,
        features: &[half::f16],
        dim: usize,
        device: &Device,
    ) -> Result<Vec<&'static str>> {
        let wanted = self.missing(ws, &HIDDEN_PROXIES)?;
        if wanted.is_empty() || dim == 0 || features.len() != self.labels.len() * dim {
            return Ok(Vec::new());
        }
        // Read block by block: on approximate statistics no single-precision copy of the features is made
        // (at 1.26 M examples × 256 it would be 1.3 GB).
        let rows = |start: usize, len: usize| {
            let block: Vec<f32> =
                features[start * dim..(start + len) * dim].iter().map(|v| v.to_f32()).collect();
            Tensor::from_vec(block, (len, dim), device).map_err(|e| Error::Model(ModelError::Candle(e)))
        };
        let n = self.labels.len();
        let opts = NeighbourOptions { k: 0, ..self.neighbours.clone() };
        let stats = neighbour_stats_part_rows(&rows, n, &self.labels, &opts, &self.method, 0..n)?;
        self.store(ws, density_family(&stats).into(), &wanted, "hidden_")
    }

    /// The selected training-statistics proxies from every proxy run in the workspace (recomputed, since
    /// more proxy runs may have arrived); returns those stored (none before the first proxy run).
    pub fn training(&self, ws: &Workspace) -> Result<Vec<&'static str>> {
        let wanted = self.selection.among(&TRAINING_PROXIES);
        if wanted.is_empty() {
            return Ok(wanted);
        }
        // Only proxy runs that learned: the statistics of a failed one rank noise.
        let done: std::collections::HashSet<_> =
            ws.run_keys()?.into_iter().filter(|(_, done)| *done).map(|(k, _)| k).collect();
        let mut runs = Vec::new();
        for key in ws.tracked_runs()?.into_iter().filter(|k| k.kind_is_proxy && done.contains(k)) {
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
