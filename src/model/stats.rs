//! The training loop's own statistics types (the store keeps them, but does not define them).

/// Per-epoch statistics of a tracked run, over *all* examples of the dataset (trained on or held out).
#[derive(Debug, Clone, PartialEq)]
pub struct EpochStats {
    /// Epoch number, 1-based (after that many epochs of training).
    pub epoch: u32,
    /// Softmax probability of the given label, per example.
    pub given_prob: Vec<f32>,
    /// Predicted label, per example.
    pub predicted: Vec<u32>,
    /// Given-label logit minus the largest other logit, per example.
    pub margin: Vec<f32>,
}
