//! What to train (`--model`) and how (`--epochs`, `--batch`, `--lr`, …).

use super::ModelError;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// The architecture of the models to train.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum ModelSpec {
    /// A multilayer perceptron on flattened inputs with these hidden widths (ReLU).
    Mlp(Vec<usize>),
    /// A small LeNet-style convolutional network (two 5×5 conv + max-pool stages, then two dense layers).
    Cnn,
}

impl Default for ModelSpec {
    fn default() -> Self {
        ModelSpec::Mlp(vec![512, 256])
    }
}

impl FromStr for ModelSpec {
    type Err = ModelError;

    fn from_str(s: &str) -> Result<Self, ModelError> {
        let s = s.trim();
        if s == "cnn" {
            return Ok(ModelSpec::Cnn);
        }
        if s == "mlp" {
            return Ok(ModelSpec::default());
        }
        let Some(widths) = s.strip_prefix("mlp:") else {
            return Err(ModelError::Spec(format!(
                "unknown model '{s}': expected mlp:H1,H2,… (e.g. mlp:512,256) or cnn"
            )));
        };
        let hidden = widths
            .split(',')
            .map(|w| match w.trim().parse::<usize>() {
                Ok(n) if (1..=65_536).contains(&n) => Ok(n),
                _ => Err(ModelError::Spec(format!(
                    "bad hidden width '{w}' in model '{s}': expected integers between 1 and 65536"
                ))),
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(ModelSpec::Mlp(hidden))
    }
}

impl fmt::Display for ModelSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ModelSpec::Cnn => write!(f, "cnn"),
            ModelSpec::Mlp(h) => {
                let w: Vec<String> = h.iter().map(|x| x.to_string()).collect();
                write!(f, "mlp:{}", w.join(","))
            }
        }
    }
}

/// How pixels become a model's inputs.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Inputs {
    /// pixel / 255, in [0, 1] (the paper's MNIST protocol; what every workspace before protocols used).
    #[default]
    Unit,
    /// (pixel / 255 − mean) / std with the dataset's mean and standard deviation of each channel.
    Standardized {
        /// Mean of each channel on the [0, 1] scale.
        mean: Vec<f64>,
        /// Standard deviation of each channel on the [0, 1] scale.
        std: Vec<f64>,
    },
}

impl Inputs {
    /// Standardized with `stats`.
    pub fn standardized(stats: &crate::data::ChannelStats) -> Inputs {
        Inputs::Standardized { mean: stats.mean.clone(), std: stats.std.clone() }
    }

    /// (scale, shift) of channel `c`: input = pixel · scale + shift.
    pub fn affine(&self, c: usize) -> (f64, f64) {
        match self {
            Inputs::Unit => (1.0 / 255.0, 0.0),
            Inputs::Standardized { mean, std } => {
                let (m, s) = (mean.get(c).copied().unwrap_or(0.0), std.get(c).copied().unwrap_or(1.0));
                let s = if s > 0.0 && s.is_finite() { s } else { 1.0 };
                (1.0 / (255.0 * s), -m / s)
            }
        }
    }
}

impl fmt::Display for Inputs {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Inputs::Unit => write!(f, "[0,1]"),
            Inputs::Standardized { mean, std } => {
                let list = |v: &[f64]| v.iter().map(|x| format!("{x:.3}")).collect::<Vec<_>>().join(",");
                write!(f, "standardized (mean {}, std {})", list(mean), list(std))
            }
        }
    }
}

/// Optimisation settings shared by every run of an estimate.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrainConfig {
    /// Passes over the training subset.
    pub epochs: usize,
    /// Examples per SGD step.
    pub batch: usize,
    /// Learning rate.
    pub lr: f64,
    /// Heavy-ball momentum μ: v ← μ·v + g; w ← w − lr·v.
    pub momentum: f64,
    /// L2 weight decay added to the gradient of the weights (not the biases).
    pub weight_decay: f64,
}

impl Default for TrainConfig {
    fn default() -> Self {
        TrainConfig { epochs: 10, batch: 128, lr: 0.1, momentum: 0.9, weight_decay: 0.0 }
    }
}

impl TrainConfig {
    /// Checks that the settings can train anything.
    pub fn validate(&self) -> Result<(), ModelError> {
        if self.epochs == 0 || self.batch == 0 {
            return Err(ModelError::Spec("--epochs and --batch must be at least 1".into()));
        }
        if !(self.lr.is_finite() && self.lr > 0.0) {
            return Err(ModelError::Spec(format!("--lr must be a positive number, got {}", self.lr)));
        }
        if !(0.0..1.0).contains(&self.momentum) {
            return Err(ModelError::Spec(format!("--momentum must be in [0, 1), got {}", self.momentum)));
        }
        if !(self.weight_decay.is_finite() && self.weight_decay >= 0.0) {
            return Err(ModelError::Spec(format!(
                "--weight-decay must be non-negative, got {}",
                self.weight_decay
            )));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_models() {
        assert_eq!("mlp:512,256".parse::<ModelSpec>().ok(), Some(ModelSpec::Mlp(vec![512, 256])));
        assert_eq!("cnn".parse::<ModelSpec>().ok(), Some(ModelSpec::Cnn));
        assert_eq!(ModelSpec::Mlp(vec![64]).to_string(), "mlp:64");
        assert!("mlp:0".parse::<ModelSpec>().is_err());
        assert!("resnet".parse::<ModelSpec>().is_err());
        assert!("mlp:12,x".parse::<ModelSpec>().is_err());
    }
}
