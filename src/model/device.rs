//! `--device cpu|cuda[:N]|metal`, with a clear error when the binary was built without that backend.

use super::ModelError;
use candle_core::Device;
use std::str::FromStr;

/// A device as named on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeviceSpec {
    /// The CPU (default).
    Cpu,
    /// An NVIDIA GPU by ordinal.
    Cuda(usize),
    /// An Apple GPU by ordinal.
    Metal(usize),
}

impl FromStr for DeviceSpec {
    type Err = ModelError;

    fn from_str(s: &str) -> Result<Self, ModelError> {
        let (name, ordinal) = match s.split_once(':') {
            Some((n, o)) => {
                let o = o.parse::<usize>().map_err(|_| {
                    ModelError::Device(format!("bad device '{s}': the ordinal after ':' must be a number"))
                })?;
                (n, o)
            }
            None => (s, 0),
        };
        match name {
            "cpu" => Ok(DeviceSpec::Cpu),
            "cuda" | "gpu" => Ok(DeviceSpec::Cuda(ordinal)),
            "metal" => Ok(DeviceSpec::Metal(ordinal)),
            _ => Err(ModelError::Device(format!("unknown device '{s}': expected cpu, cuda[:N] or metal"))),
        }
    }
}

/// Opens the device, saying which Cargo feature is missing when the binary was not built for it.
pub fn parse_device(s: &str) -> Result<Device, ModelError> {
    match s.parse::<DeviceSpec>()? {
        DeviceSpec::Cpu => Ok(Device::Cpu),
        DeviceSpec::Cuda(n) => open_cuda(n),
        DeviceSpec::Metal(n) => {
            if !candle_core::utils::metal_is_available() {
                return Err(ModelError::Device(
                    "--device metal: this cscore was built without Metal; rebuild with \
                     `cargo build --release --features metal` (macOS only)"
                        .into(),
                ));
            }
            Device::new_metal(n)
                .map_err(|e| ModelError::Device(format!("--device metal:{n}: {}", innermost(&e))))
        }
    }
}

/// `CSCORE_TF32=1` (or `true`, `yes`): cuBLAS may use TF32 tensor cores for f32 products (Ampere and later:
/// 10-bit mantissas in the products, f32 sums), faster and slightly less exact. Off by default, as in PyTorch.
#[cfg_attr(not(feature = "cuda"), allow(dead_code))]
pub const TF32_VAR: &str = "CSCORE_TF32";

/// Whether a value of [`TF32_VAR`] turns TF32 on.
#[cfg_attr(not(feature = "cuda"), allow(dead_code))]
pub fn tf32_from(value: Option<&str>) -> bool {
    matches!(value.map(str::trim), Some("1" | "true" | "yes"))
}

#[cfg(feature = "cuda")]
fn open_cuda(n: usize) -> Result<Device, ModelError> {
    let device = Device::new_cuda(n).map_err(|e| {
        ModelError::Device(format!(
            "--device cuda:{n}: the NVIDIA driver could not open GPU {n} ({}); check `nvidia-smi`, or run \
             on the CPU with --device cpu",
            innermost(&e)
        ))
    })?;
    candle_core::cuda::set_gemm_reduced_precision_f32(tf32_from(std::env::var(TF32_VAR).ok().as_deref()));
    Ok(device)
}

#[cfg(not(feature = "cuda"))]
fn open_cuda(_: usize) -> Result<Device, ModelError> {
    Err(ModelError::Device(
        "--device cuda: this cscore was built without CUDA; rebuild with \
         `cargo build --release --features cuda` (needs nvcc and the CUDA toolkit), or run with --device cpu"
            .into(),
    ))
}

/// The failure of the GPU itself (its driver, or a CUDA library reporting a driver failure) as one line,
/// when `e` is one; `None` for any other error, a CPU one included.
pub fn gpu_failure(e: &candle_core::Error) -> Option<String> {
    match e {
        candle_core::Error::WithBacktrace { inner, .. }
        | candle_core::Error::Context { inner, .. }
        | candle_core::Error::WithPath { inner, .. } => gpu_failure(inner),
        #[cfg(feature = "cuda")]
        candle_core::Error::Cuda(inner) => {
            use candle_core::cuda_backend::CudaError;
            match inner.downcast_ref::<CudaError>()? {
                CudaError::Cuda(d) | CudaError::Load { cuda: d, .. } => Some(driver_error(d)),
                CudaError::Cublas(b) => Some(format!("cuBLAS {:?}", b.0)),
                CudaError::Curand(r) => Some(format!("cuRAND {:?}", r.0)),
                _ => None,
            }
        }
        _ => None,
    }
}

/// "CUDA_ERROR_…: description" of a driver error (the description when the driver can still give it).
#[cfg(feature = "cuda")]
pub(super) fn driver_error(d: &candle_core::cuda_backend::cudarc::driver::DriverError) -> String {
    match d.error_string() {
        Ok(text) => format!("{:?}: {}", d.0, text.to_string_lossy()),
        Err(_) => format!("{:?}", d.0),
    }
}

/// A Candle error's own message, without the backtrace and context layers Candle wraps it in.
pub fn innermost(e: &candle_core::Error) -> String {
    if let Some(gpu) = gpu_failure(e) {
        return gpu;
    }
    match e {
        candle_core::Error::WithBacktrace { inner, .. } => innermost(inner),
        candle_core::Error::Context { inner, context } => format!("{context}: {}", innermost(inner)),
        other => other.to_string().lines().next().unwrap_or_default().to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tf32_is_off_unless_asked_for() {
        assert!(!tf32_from(None) && !tf32_from(Some("")) && !tf32_from(Some("0")) && !tf32_from(Some("no")));
        assert!(tf32_from(Some("1")) && tf32_from(Some("true")) && tf32_from(Some(" yes\n")));
    }

    #[test]
    fn parses_devices() {
        assert_eq!("cpu".parse::<DeviceSpec>().ok(), Some(DeviceSpec::Cpu));
        assert_eq!("cuda:1".parse::<DeviceSpec>().ok(), Some(DeviceSpec::Cuda(1)));
        assert!("tpu".parse::<DeviceSpec>().is_err());
        assert!("cuda:x".parse::<DeviceSpec>().is_err());
    }

    #[cfg(not(feature = "cuda"))]
    #[test]
    fn cuda_without_feature_names_the_feature() {
        let err = parse_device("cuda").err().map(|e| e.to_string()).unwrap_or_default();
        assert!(err.contains("--features cuda"), "{err}");
    }

    #[test]
    fn a_candle_error_is_one_line_without_its_backtrace() {
        let e = candle_core::Error::WithBacktrace {
            inner: Box::new(candle_core::Error::Msg("shape mismatch".into())),
            backtrace: Box::new(std::backtrace::Backtrace::force_capture()),
        };
        assert!(gpu_failure(&e).is_none());
        assert_eq!(ModelError::from(e).to_string(), "tensor error: shape mismatch");
    }

    #[cfg(feature = "cuda")]
    #[test]
    fn a_driver_error_is_a_gpu_failure_in_one_line() {
        use candle_core::cuda_backend::cudarc::driver::{sys::CUresult, DriverError};
        use candle_core::cuda_backend::CudaError;
        let lost = DriverError(CUresult::CUDA_ERROR_LAUNCH_FAILED);
        let e = candle_core::Error::WithBacktrace {
            inner: Box::new(candle_core::Error::Cuda(Box::new(CudaError::Cuda(lost)))),
            backtrace: Box::new(std::backtrace::Backtrace::force_capture()),
        };
        let failure = gpu_failure(&e).unwrap_or_default();
        assert!(failure.starts_with("CUDA_ERROR_LAUNCH_FAILED") && !failure.contains('\n'), "{failure}");
        assert!(matches!(ModelError::from(e), ModelError::GpuFailed(_)));
    }
}
