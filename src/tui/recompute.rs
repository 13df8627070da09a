//! What depends on the estimate (per-example scores, the mean learning curve per C-score bin, the gallery,
//! the list's order), recomputed on a job thread after each burst of runs; the result comes back as an
//! event. The inputs are shared (`Arc`), not copied, so asking costs the UI task next to nothing.

use std::sync::Arc;

use super::data::ExplorerData;
use super::dynamics::{BinCurve, Dynamics};
use super::filter::Filter;
use super::gallery::{gallery_rows, GalleryRow};
use super::order::{visible_order, OrderInputs, SortSpec};
use super::scores::Scores;
use super::tags::Tags;
use crate::estimate::Aggregate;

/// Bins of the per-C-score-bin learning curves.
pub const CURVE_BINS: usize = 5;

/// Everything the list's order depends on besides the scores; the app takes a computed order only when
/// this is still what it shows.
#[derive(Debug, Clone, PartialEq)]
pub struct OrderKey {
    /// Sort column and direction.
    pub sort: SortSpec,
    /// Active filters.
    pub filter: Filter,
    /// The chosen proxy.
    pub proxy: Option<usize>,
    /// [`Tags::version`] of the tags it was computed with.
    pub tags_version: u64,
    /// Changes whenever the proxies are replaced.
    pub proxies_version: u64,
}

/// A snapshot of the inputs.
#[derive(Debug, Clone)]
pub struct RecomputeInput {
    /// Held-out hits and trials of every run so far.
    pub agg: Arc<Aggregate>,
    /// Tracked runs, once loaded.
    pub dynamics: Option<Arc<Dynamics>>,
    /// Dataset side (shared parts).
    pub data: ExplorerData,
    /// Tags (rows shared).
    pub tags: Tags,
    /// What the order is for.
    pub order: OrderKey,
}

/// The recomputed figures.
#[derive(Debug, Clone)]
pub struct Derived {
    /// Per-example scores.
    pub scores: Scores,
    /// Mean learning curve per C-score bin (empty without tracked runs).
    pub bin_curves: Vec<BinCurve>,
    /// Gallery rows.
    pub gallery: Vec<GalleryRow>,
    /// What `order` was computed for.
    pub order_key: OrderKey,
    /// The list's order under `order_key`.
    pub order: Vec<u32>,
}

impl RecomputeInput {
    /// Computes every figure (call off the UI task: tens of milliseconds at 60,000 examples).
    pub fn run(self) -> Derived {
        let scores = Scores::compute(&self.agg);
        let bin_curves = self.dynamics.map_or_else(Vec::new, |d| d.bin_curves(&scores.cscore, CURVE_BINS));
        let ds = &self.data.dataset;
        let gallery = gallery_rows(&ds.labels, &scores.cscore, self.data.fused_rank(), ds.num_classes());
        let inputs = OrderInputs {
            agg: &self.agg,
            data: &self.data,
            scores: &scores,
            tags: &self.tags,
            proxy: self.order.proxy.and_then(|p| self.data.proxies.get(p)),
        };
        let order = visible_order(self.order.sort, &self.order.filter, &inputs);
        Derived { scores, bin_curves, gallery, order_key: self.order, order }
    }
}
