//! The estimation plan: which runs exist, in which order they are scheduled, and which are tracked.

use super::protocol::Protocol;
use super::seeds::{proxy_seed, run_seed};
use crate::model::{Inputs, ModelSpec, TrainConfig};
use crate::store::RunKey;
use crate::Error;
use serde::{Deserialize, Serialize};

/// The paper's subset ratios: 0.1, 0.2, …, 0.9.
pub const DEFAULT_RATIOS: [f64; 9] = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9];

/// Everything that decides which models are trained and how.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Plan {
    /// Subset ratios s; each run trains on floor(s·N) examples.
    pub ratios: Vec<f64>,
    /// Holdout runs per ratio (the budget; may grow when an estimate is resumed).
    pub runs: usize,
    /// Master seed: run r at ratio s draws everything from (seed, s, r).
    pub seed: u64,
    /// Architecture.
    pub model: ModelSpec,
    /// Optimisation settings.
    pub train: TrainConfig,
    /// Holdout runs per ratio that record per-epoch statistics (run indices 0..track_runs).
    pub track_runs: usize,
    /// Full-data proxy runs (tracked), scheduled before every holdout run.
    pub proxy_runs: usize,
    /// The protocol that made the plan (workspaces from before protocols: the reference protocol).
    #[serde(default)]
    pub protocol: Protocol,
    /// How pixels become inputs (workspaces from before protocols: [0, 1], as then).
    #[serde(default)]
    pub inputs: Inputs,
}

/// One planned run.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RunSpec {
    /// Identity in the workspace.
    pub key: RunKey,
    /// Fraction of the data it trains on (1.0 for a proxy run).
    pub subset_ratio: f64,
    /// Seed of its subset, initialisation and batch order.
    pub seed: u64,
    /// Whether it records per-epoch statistics.
    pub track: bool,
}

impl Default for Plan {
    fn default() -> Self {
        Plan {
            ratios: DEFAULT_RATIOS.to_vec(),
            runs: 4,
            seed: 0,
            model: ModelSpec::default(),
            train: TrainConfig::default(),
            track_runs: 1,
            proxy_runs: 1,
            protocol: Protocol::Reference,
            inputs: Inputs::Unit,
        }
    }
}

impl Plan {
    /// Checks the plan can run.
    pub fn validate(&self) -> Result<(), Error> {
        if self.ratios.is_empty() {
            return Err(Error::Config("--ratios needs at least one subset ratio".into()));
        }
        if let Some(r) = self.ratios.iter().find(|r| !(r.is_finite() && **r > 0.0 && **r < 1.0)) {
            return Err(Error::Config(format!("subset ratio {r} is not strictly between 0 and 1")));
        }
        let mut sorted = self.ratios.clone();
        sorted.sort_by(f64::total_cmp);
        if sorted.windows(2).any(|w| w[0] == w[1]) {
            return Err(Error::Config("--ratios lists a ratio twice".into()));
        }
        self.train.validate()?;
        Ok(())
    }

    /// Whether `other` trains the same models for the same keys (everything but the budgets).
    pub fn same_models_as(&self, other: &Plan) -> bool {
        self.ratios == other.ratios
            && self.seed == other.seed
            && self.model == other.model
            && self.train == other.train
            && self.track_runs == other.track_runs
            && self.inputs == other.inputs
    }

    /// Every planned run in schedule order: proxy runs first, then ratio-interleaved holdout runs
    /// (run 0 of every ratio, then run 1 of every ratio, …) so that the estimate covers all ratios early.
    pub fn schedule(&self) -> Vec<RunSpec> {
        let mut out = Vec::with_capacity(self.proxy_runs + self.runs * self.ratios.len());
        for r in 0..self.proxy_runs as u32 {
            out.push(RunSpec {
                key: RunKey { kind_is_proxy: true, ratio_index: 0, run_index: r },
                subset_ratio: 1.0,
                seed: proxy_seed(self.seed, r),
                track: true,
            });
        }
        for r in 0..self.runs as u32 {
            for (i, &s) in self.ratios.iter().enumerate() {
                out.push(RunSpec {
                    key: RunKey { kind_is_proxy: false, ratio_index: i as u32, run_index: r },
                    subset_ratio: s,
                    seed: run_seed(self.seed, s, r),
                    track: (r as usize) < self.track_runs,
                });
            }
        }
        out
    }

    /// Number of holdout runs planned.
    pub fn holdout_total(&self) -> usize {
        self.runs * self.ratios.len()
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn schedule_is_ratio_interleaved() {
        let plan = Plan { ratios: vec![0.25, 0.5], runs: 2, ..Plan::default() };
        let s = plan.schedule();
        let keys: Vec<(bool, u32, u32)> =
            s.iter().map(|r| (r.key.kind_is_proxy, r.key.ratio_index, r.key.run_index)).collect();
        assert_eq!(keys, vec![(true, 0, 0), (false, 0, 0), (false, 1, 0), (false, 0, 1), (false, 1, 1)]);
        assert!(s[0].track && s[1].track && !s[3].track);
        assert_eq!(s[2].subset_ratio, 0.5);
    }

    #[test]
    fn old_plans_load_with_unit_inputs_and_differing_inputs_are_different_models() {
        let mut json: serde_json::Value = serde_json::to_value(Plan::default()).unwrap();
        let obj = json.as_object_mut().unwrap();
        assert!(obj.remove("inputs").is_some() && obj.remove("protocol").is_some());
        let old: Plan = serde_json::from_value(json).unwrap();
        assert_eq!(old, Plan::default(), "a plan stored before protocols reads as the reference protocol");
        let std =
            Plan { inputs: Inputs::Standardized { mean: vec![0.5], std: vec![0.25] }, ..Plan::default() };
        assert!(!old.same_models_as(&std));
        let back: Plan = serde_json::from_str(&serde_json::to_string(&std).unwrap()).unwrap();
        assert_eq!(back, std);
    }

    #[test]
    fn rejects_bad_ratios() {
        for ratios in [vec![], vec![0.0], vec![1.0], vec![0.5, 0.5], vec![f64::NAN]] {
            assert!(Plan { ratios, ..Plan::default() }.validate().is_err());
        }
    }
}
