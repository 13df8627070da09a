//! Plain records that cross the boundary between the estimator and the workspace.

pub use crate::model::EpochStats;

/// What kind of training run a record holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RunKind {
    /// A holdout run: trained on a random subset, evaluated on the rest.
    Holdout,
    /// A proxy run: trained on all the data with per-epoch tracking, evaluated on nothing held out.
    Proxy,
}

impl RunKind {
    /// The name stored in the workspace.
    pub fn name(self) -> &'static str {
        match self {
            RunKind::Holdout => "holdout",
            RunKind::Proxy => "proxy",
        }
    }
}

/// Identifies one planned run: the same key always means the same subset, initialisation and batch order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RunKey {
    /// `Holdout` or `Proxy`.
    pub kind_is_proxy: bool,
    /// Index into the plan's list of subset ratios (0 for the proxy run).
    pub ratio_index: u32,
    /// Run index within the ratio (or proxy run number).
    pub run_index: u32,
}

/// Outcome of a run.
#[derive(Debug, Clone, PartialEq)]
pub enum RunStatus {
    /// Trained and evaluated.
    Done,
    /// Training failed (for example the loss diverged); the reason is kept.
    Failed(String),
}

/// One finished (or failed) run, written to the workspace in one transaction.
#[derive(Debug, Clone, PartialEq)]
pub struct RunRecord {
    /// Which planned run this is.
    pub key: RunKey,
    /// The subset ratio it trained at (1.0 for a proxy run).
    pub subset_ratio: f64,
    /// The seed its subset, initialisation and batch order derive from.
    pub seed: u64,
    /// Done or failed.
    pub status: RunStatus,
    /// Seconds spent training.
    pub train_seconds: f64,
    /// Seconds spent evaluating held-out examples.
    pub eval_seconds: f64,
    /// Number of examples in the dataset (length of the bitsets).
    pub num_examples: usize,
    /// Bitset over all examples: 1 where the example was held out (not trained on). LSB-first bytes.
    pub heldout_mask: Vec<u8>,
    /// Bitset over all examples: 1 where the example was held out and classified correctly.
    pub heldout_correct: Vec<u8>,
    /// Predicted label of each held-out example, in ascending example order.
    pub heldout_predictions: Vec<u32>,
    /// Softmax probabilities of each held-out example (`num_classes` per example, in the order of
    /// `heldout_predictions`), when the run carries them; the workspace adds them to its per-ratio sums and
    /// does not keep them per run, so records read back have none.
    pub heldout_probs: Vec<f32>,
    /// Mean training loss of the last epoch (NaN if it diverged).
    pub final_loss: f64,
    /// Per-epoch statistics when the run was tracked; empty otherwise.
    pub epochs: Vec<EpochStats>,
}

/// Sets bit `i` of an LSB-first bitset.
pub fn bit_set(bits: &mut [u8], i: usize) {
    bits[i / 8] |= 1 << (i % 8);
}

/// Reads bit `i` of an LSB-first bitset.
pub fn bit_get(bits: &[u8], i: usize) -> bool {
    bits[i / 8] & (1 << (i % 8)) != 0
}

/// Bytes needed for a bitset of `n` bits.
pub fn bitset_len(n: usize) -> usize {
    n.div_ceil(8)
}
