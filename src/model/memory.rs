//! GPU memory for an ensemble, estimated before training from the model's size and the batch and
//! checked against what the device has free: a K that cannot fit is refused with the largest K that does.

use super::cnn::{C1, C2, FC};
use super::{DeviceData, ModelError, ModelSpec};

/// Share of the free memory the models may plan on (the rest: allocator slack, cuBLAS workspaces).
const USABLE: f64 = 0.9;

/// Estimated bytes one model needs while training in a batch of `batch`: weights, gradients, momentum and
/// the update's temporaries (4 × parameters), and per example the gathered input, the forward
/// activations, their gradients and autograd's copies (3 × activations) and the convolutions' im2col
/// buffers; a quarter more for what the count misses. Evaluation runs in smaller chunks.
pub fn bytes_per_model(spec: &ModelSpec, shape: (usize, usize, usize), classes: usize, batch: usize) -> u64 {
    let (c, h, w) = shape;
    let input = c * h * w;
    let (params, per_example) = match spec {
        ModelSpec::Mlp(hidden) => {
            let (mut params, mut activations, mut fan_in) = (0, 0, input);
            for &width in hidden.iter().chain(std::iter::once(&classes)) {
                params += (fan_in + 1) * width;
                activations += 2 * width; // before and after the ReLU
                fan_in = width;
            }
            (params, input + 3 * activations)
        }
        ModelSpec::Cnn => {
            let (h1, w1) = (h / 2, w / 2); // conv 1 keeps the size (same padding), then max-pool 2
            let (h2, w2) = (h1.saturating_sub(4), w1.saturating_sub(4)); // conv 2, valid
            let flat = C2 * (h2 / 2) * (w2 / 2);
            let params = C1 * (c * 25 + 1) + C2 * (C1 * 25 + 1) + (flat + 1) * FC + (FC + 1) * classes;
            let activations = 2 * input // the input regrouped by model
                + 2 * C1 * h * w + C1 * h1 * w1
                + 2 * C2 * h2 * w2 + flat
                + 2 * FC + classes;
            let im2col = h * w * c * 25 + h2 * w2 * C1 * 25;
            (params, input + 3 * activations + im2col)
        }
    };
    let floats = 4 * params as u64 + (batch as u64) * per_example as u64;
    floats * 4 * 5 / 4
}

/// The largest K with `workers` × K models of `per_model` bytes inside the usable part of `free` bytes.
pub fn largest_ensemble(free: u64, per_model: u64, workers: usize) -> usize {
    let usable = (free as f64 * USABLE) as u64;
    (usable / per_model.max(1) / workers.max(1) as u64) as usize
}

/// Refuses `workers` × `k` models of `spec` when they cannot fit in `free` of `total` bytes, naming the
/// largest K that fits (or, when not even K = 1 does, the most workers that fit).
pub fn check_budget(
    spec: &ModelSpec,
    per_model: u64,
    (free, total): (u64, u64),
    k: usize,
    workers: usize,
) -> Result<(), ModelError> {
    let fits = largest_ensemble(free, per_model, workers);
    if k <= fits {
        return Ok(());
    }
    let gib = |b: u64| b as f64 / (1u64 << 30) as f64;
    let need = per_model * (k * workers) as u64;
    let advice = if fits > 0 {
        format!("the largest K that fits is about {fits}: run with --ensemble {fits}")
    } else {
        let most = largest_ensemble(free, per_model, 1);
        format!("not even --ensemble 1 fits with {workers} workers: run with --workers {most} or fewer")
    };
    Err(ModelError::Device(format!(
        "--ensemble {k}: {workers} worker(s) × {k} models of {spec} need about {:.1} GiB of GPU memory \
         ({:.0} MiB each, estimated), but the GPU has {:.1} GiB free of {:.1} GiB; {advice}",
        gib(need),
        per_model as f64 / (1u64 << 20) as f64,
        gib(free),
        gib(total),
    )))
}

/// Checks, before training, that `workers` × `k` models of `spec` fit in the free memory of the GPU
/// `data` lives on; nothing to check on the CPU.
pub fn check_ensemble_fits(
    data: &DeviceData,
    spec: &ModelSpec,
    batch: usize,
    k: usize,
    workers: usize,
) -> Result<(), ModelError> {
    let Some(memory) = free_memory(data.device())? else { return Ok(()) };
    let per_model = bytes_per_model(spec, data.shape, data.num_classes, batch);
    check_budget(spec, per_model, memory, k, workers)
}

/// (free, total) bytes of the GPU; `None` on the CPU.
#[cfg(feature = "cuda")]
fn free_memory(device: &candle_core::Device) -> Result<Option<(u64, u64)>, ModelError> {
    let candle_core::Device::Cuda(gpu) = device else { return Ok(None) };
    let (free, total) = gpu.cuda_stream().context().mem_get_info().map_err(|e| {
        ModelError::GpuFailed(format!("querying the GPU's free memory: {}", super::device::driver_error(&e)))
    })?;
    Ok(Some((free as u64, total as u64)))
}

#[cfg(not(feature = "cuda"))]
fn free_memory(_: &candle_core::Device) -> Result<Option<(u64, u64)>, ModelError> {
    Ok(None)
}

#[cfg(test)]
mod tests {
    use super::*;

    const GIB: u64 = 1 << 30;

    #[test]
    fn reference_mlp_counts_its_parameters() {
        let spec = ModelSpec::default();
        // 784-512-256-10 has 535,818 parameters: 4 × that × 4 bytes × 5/4 at batch 0.
        assert_eq!(bytes_per_model(&spec, (1, 28, 28), 10, 0), 535_818 * 4 * 4 * 5 / 4);
        assert!(bytes_per_model(&spec, (1, 28, 28), 10, 128) > bytes_per_model(&spec, (1, 28, 28), 10, 64));
    }

    #[test]
    fn cnn_on_rgb_needs_more_per_model_than_the_mlp() {
        let cnn = bytes_per_model(&ModelSpec::Cnn, (3, 32, 32), 10, 128);
        let mlp = bytes_per_model(&ModelSpec::default(), (3, 32, 32), 10, 128);
        assert!(cnn > 4 * mlp, "cnn {cnn} mlp {mlp}");
    }

    #[test]
    fn refuses_what_does_not_fit_and_names_the_largest_k_that_does() {
        let spec = ModelSpec::Cnn;
        let per_model = GIB / 10;
        assert!(check_budget(&spec, per_model, (10 * GIB, 80 * GIB), 90, 1).is_ok());
        let err = check_budget(&spec, per_model, (10 * GIB, 80 * GIB), 512, 1).err().map(|e| e.to_string());
        let err = err.unwrap_or_default();
        assert!(err.contains("--ensemble 90"), "{err}");
        assert!(err.contains("10.0 GiB free of 80.0 GiB"), "{err}");
        // Two workers halve it.
        let err = check_budget(&spec, per_model, (10 * GIB, 80 * GIB), 64, 2).err().map(|e| e.to_string());
        assert!(err.unwrap_or_default().contains("--ensemble 45"));
    }

    #[test]
    fn too_many_workers_for_even_one_model_says_how_many_fit() {
        let err = check_budget(&ModelSpec::Cnn, GIB, (4 * GIB, 80 * GIB), 1, 16).err().map(|e| e.to_string());
        assert!(err.unwrap_or_default().contains("--workers 3 or fewer"));
    }
}
