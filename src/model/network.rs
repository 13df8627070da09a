//! The interface every batched network implements, and the factory behind `--model`.

use super::{
    cnn::BatchedCnn, cnn_cpu::CpuCnn, mlp::BatchedMlp, mlp_cpu::CpuMlp, ModelError, ModelSpec, TrainConfig,
};
use candle_core::{Device, Tensor};

/// K independent models of one architecture, trained together.
pub trait Network: Send {
    /// Number of models K.
    fn num_models(&self) -> usize;
    /// Logits (K, B, classes) of inputs (K, B, D): model k sees row block k.
    fn logits(&self, x: &Tensor) -> Result<Tensor, ModelError>;
    /// Penultimate-layer activations (K, B, H) of inputs (K, B, D): the hidden representation.
    fn features(&self, x: &Tensor) -> Result<Tensor, ModelError>;
    /// One momentum-SGD step on inputs (K, B, D) with one-hot targets (K, B, classes); returns each
    /// model's summed (not averaged) cross-entropy over the batch, shape (K,).
    fn train_step(&mut self, x: &Tensor, onehot: &Tensor, cfg: &TrainConfig) -> Result<Tensor, ModelError>;
}

/// Builds K freshly initialised models, model k from `seeds[k]`; `sparse_inputs` says that most inputs
/// are zeros (a first layer that skips them pays off on the CPU).
pub fn build_network(
    spec: &ModelSpec,
    seeds: &[u64],
    shape: (usize, usize, usize),
    num_classes: usize,
    sparse_inputs: bool,
    device: &Device,
) -> Result<Box<dyn Network>, ModelError> {
    if seeds.is_empty() {
        return Err(ModelError::Spec("no model to build".into()));
    }
    Ok(match spec {
        ModelSpec::Mlp(hidden) => {
            let input = shape.0 * shape.1 * shape.2;
            if device.is_cpu() && std::env::var_os("CSCORE_DENSE").is_none() {
                Box::new(CpuMlp::new(input, hidden, num_classes, seeds, sparse_inputs)?)
            } else {
                Box::new(BatchedMlp::new(input, hidden, num_classes, seeds, device)?)
            }
        }
        ModelSpec::Cnn => {
            if device.is_cpu() && std::env::var_os("CSCORE_DENSE").is_none() {
                Box::new(CpuCnn::new(shape, num_classes, seeds)?)
            } else {
                Box::new(BatchedCnn::new(shape, num_classes, seeds, device)?)
            }
        }
    })
}
