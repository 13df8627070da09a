//! Candle networks trained as batches of K independent models, with momentum SGD and per-epoch hooks,
//! their per-epoch statistics ([`EpochStats`]) and hidden features ([`network_features`]).
//!
//! Every network here keeps its weights with a leading model dimension (K) and trains all K models in one
//! step with batched matmuls (or grouped convolutions), which is what keeps a GPU busy with models this
//! small. On a CPU, K = 1 per worker thread is the plain case.

mod cnn;
mod cnn_cpu;
mod cnn_layer;
mod data;
mod device;
mod features;
mod heldout;
mod init;
pub mod kernels;
mod memory;
mod mlp;
mod mlp_cpu;
mod network;
mod optim;
mod spec;
mod stats;
mod train;

pub use data::DeviceData;
pub use device::{gpu_failure, parse_device, DeviceSpec};
pub use features::{network_features, Features};
pub use heldout::{evaluate_heldout, HeldOut};
pub use memory::{bytes_per_model, check_ensemble_fits};
pub use network::{build_network, Network};
pub use spec::{Inputs, ModelSpec, TrainConfig};
pub use stats::EpochStats;
pub use train::{evaluate, train_models, EpochHook, TrainJob, TrainOutcome};

/// A model could not be built or trained.
#[derive(Debug, thiserror::Error)]
pub enum ModelError {
    /// An error inside Candle.
    #[error("tensor error: {}", device::innermost(.0))]
    Candle(candle_core::Error),
    /// The GPU (its driver or a CUDA library) failed: the device is unusable from here on.
    #[error("the GPU failed: {0}")]
    GpuFailed(String),
    /// A model description (`--model`) or training setting is invalid.
    #[error("{0}")]
    Spec(String),
    /// The requested device is not available in this build or on this machine.
    #[error("{0}")]
    Device(String),
}

impl From<candle_core::Error> for ModelError {
    fn from(e: candle_core::Error) -> Self {
        match gpu_failure(&e) {
            Some(failure) => ModelError::GpuFailed(failure),
            None => ModelError::Candle(e),
        }
    }
}
