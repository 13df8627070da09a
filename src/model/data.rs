//! The dataset as device tensors: inputs scaled to [0, 1] and one-hot labels, shared by every worker.

use super::ModelError;
use crate::data::Dataset;
use candle_core::{DType, Device, Tensor};
use std::sync::Arc;

/// A dataset uploaded once to a device. Cloning is cheap (tensors are reference-counted).
#[derive(Debug, Clone)]
pub struct DeviceData {
    /// Inputs, N × (C·H·W), f32 in [0, 1].
    pub x: Tensor,
    /// One-hot given labels, N × classes, f32.
    pub onehot: Tensor,
    /// Given labels on the host.
    pub labels: Arc<Vec<u32>>,
    /// Image shape (C, H, W).
    pub shape: (usize, usize, usize),
    /// Number of classes.
    pub num_classes: usize,
    /// At least half of the inputs are exactly zero (MNIST-like digits on a black background): the CPU
    /// MLP's first layer then multiplies only the non-zero ones. Only true while a zero byte stays a
    /// zero input (scaling to [0, 1]; not after subtracting a mean).
    pub sparse_inputs: bool,
}

impl DeviceData {
    /// Uploads `ds` to `device`.
    pub fn new(ds: &Dataset, device: &Device) -> Result<Self, ModelError> {
        let n = ds.len();
        let d = ds.example_len();
        let x =
            Tensor::from_slice(&ds.pixels, (n, d), device)?.to_dtype(DType::F32)?.affine(1.0 / 255.0, 0.0)?;
        let c = ds.num_classes();
        let mut hot = vec![0f32; n * c];
        for (i, &y) in ds.labels.iter().enumerate() {
            if (y as usize) < c {
                hot[i * c + y as usize] = 1.0;
            }
        }
        let onehot = Tensor::from_vec(hot, (n, c), device)?;
        let zeros = ds.pixels.iter().filter(|&&p| p == 0).count();
        Ok(DeviceData {
            sparse_inputs: 2 * zeros >= ds.pixels.len(),
            x,
            onehot,
            labels: Arc::new(ds.labels.clone()),
            shape: (ds.channels, ds.height, ds.width),
            num_classes: c,
        })
    }

    /// Number of examples.
    pub fn len(&self) -> usize {
        self.labels.len()
    }

    /// True when there is no example.
    pub fn is_empty(&self) -> bool {
        self.labels.is_empty()
    }

    /// Values per example.
    pub fn example_len(&self) -> usize {
        self.shape.0 * self.shape.1 * self.shape.2
    }

    /// The device the tensors live on.
    pub fn device(&self) -> &Device {
        self.x.device()
    }

    /// Gathers rows: inputs (K, B, D) and one-hot labels (K, B, C) for K equal-length index lists.
    pub fn gather(&self, k: usize, indices: Vec<u32>) -> Result<(Tensor, Tensor), ModelError> {
        let b = indices.len() / k.max(1);
        let idx = Tensor::from_vec(indices, k * b, self.device())?;
        let x = self.x.index_select(&idx, 0)?.reshape((k, b, self.example_len()))?;
        let y = self.onehot.index_select(&idx, 0)?.reshape((k, b, self.num_classes))?;
        Ok((x, y))
    }
}
