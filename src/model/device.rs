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
        DeviceSpec::Cuda(n) => {
            if !candle_core::utils::cuda_is_available() {
                return Err(ModelError::Device(
                    "--device cuda: this cscore was built without CUDA; rebuild with \
                     `cargo build --release --features cuda` (needs nvcc and the CUDA toolkit)"
                        .into(),
                ));
            }
            Device::new_cuda(n).map_err(|e| ModelError::Device(format!("--device cuda:{n}: {e}")))
        }
        DeviceSpec::Metal(n) => {
            if !candle_core::utils::metal_is_available() {
                return Err(ModelError::Device(
                    "--device metal: this cscore was built without Metal; rebuild with \
                     `cargo build --release --features metal` (macOS only)"
                        .into(),
                ));
            }
            Device::new_metal(n).map_err(|e| ModelError::Device(format!("--device metal:{n}: {e}")))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
