//! CPU kernels of the MLP as Candle custom ops: a first layer that multiplies only the non-zero inputs,
//! bias + ReLU and the ReLU mask in place, momentum steps that write the velocity and the weights in one
//! pass, and softmax cross-entropy with its gradient.
//!
//! Parameters of a layer with `in` inputs and `out` units live in one tensor P of shape (K, 2, in + 1, out):
//! P[k, 0] holds model k's weights with the bias as row `in`, P[k, 1] its velocity in the same layout, so
//! one op updates both. The sparse first layer keeps its weight rows in panels (see [`spmm`]). Results
//! equal plain Candle ops up to the order and fusing of float operations.
//!
//! The CNN's kernels ([`conv`], [`matmul`]) are plain functions on slices: convolutions as products over
//! image patches, ReLU + max-pooling fused, and a bounds-checked `gemm` front door.

pub mod conv;
pub mod matmul;
mod ops_dense;
mod ops_loss;
mod ops_sparse;
mod params;
pub mod sparse_block;
pub mod spmm;
mod spmm_simd;

pub use ops_dense::{BiasAct, DenseStep, ReluMask};
pub use ops_loss::{CrossEntropySum, SoftmaxGrad};
pub use ops_sparse::{SparseForward, SparseStep};
pub use sparse_block::SparseBlock;
pub use spmm::{to_panels, Step};
