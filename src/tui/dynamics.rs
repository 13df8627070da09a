//! Learning dynamics from the tracked runs: the given-label probability per epoch of each example, and
//! the dataset's mean learning curve per C-score bin (low-C-score examples are learned last).

use crate::store::{bit_get, RunKey, StoreError, Workspace};

/// Per-epoch given-label probabilities of one tracked run.
#[derive(Debug, Clone)]
pub struct TrackedRun {
    /// Which run.
    pub key: RunKey,
    /// Fraction of the data it trained on (1.0 for a proxy run).
    pub subset_ratio: f64,
    /// Bitset of the examples it held out.
    pub heldout_mask: Vec<u8>,
    /// `given_prob[e][i]`: probability of example i's given label after epoch e + 1.
    pub given_prob: Vec<Vec<f32>>,
}

impl TrackedRun {
    /// Whether the run held example `i` out (did not train on it).
    pub fn held_out(&self, i: usize) -> bool {
        i / 8 < self.heldout_mask.len() && bit_get(&self.heldout_mask, i)
    }
}

/// One tracked run's curve of one example: whether the run held it out, the run, (epoch, probability).
pub type ExampleCurve<'a> = (bool, &'a TrackedRun, Vec<(f64, f64)>);

/// One curve of the per-bin view.
#[derive(Debug, Clone, PartialEq)]
pub struct BinCurve {
    /// C-score bin [lo, hi).
    pub lo: f32,
    /// Upper end.
    pub hi: f32,
    /// Examples in the bin.
    pub count: usize,
    /// (epoch, mean given-label probability over trained-on examples of the bin).
    pub points: Vec<(f64, f64)>,
}

/// All tracked runs of the workspace.
#[derive(Debug, Clone, Default)]
pub struct Dynamics {
    /// Tracked runs, oldest first.
    pub runs: Vec<TrackedRun>,
}

impl Dynamics {
    /// Loads the per-epoch statistics of every tracked run (call off the UI thread).
    pub fn load(ws: &Workspace) -> Result<Self, StoreError> {
        let runs = ws
            .runs_after(i64::MIN, true)?
            .into_iter()
            .filter(|(_, r)| !r.epochs.is_empty())
            .map(|(_, r)| TrackedRun {
                key: r.key,
                subset_ratio: r.subset_ratio,
                heldout_mask: r.heldout_mask,
                given_prob: r.epochs.into_iter().map(|e| e.given_prob).collect(),
            })
            .collect();
        Ok(Dynamics { runs })
    }

    /// Example `i`'s curve in each tracked run: (held out?, run, points (epoch, probability)).
    pub fn example_curves(&self, i: usize) -> Vec<ExampleCurve<'_>> {
        self.runs
            .iter()
            .map(|run| {
                let pts = run
                    .given_prob
                    .iter()
                    .enumerate()
                    .filter_map(|(e, p)| p.get(i).map(|&v| ((e + 1) as f64, f64::from(v))))
                    .collect();
                (run.held_out(i), run, pts)
            })
            .collect()
    }

    /// Mean given-label probability per epoch of the trained-on examples of each of `bins` equal C-score
    /// bins over [0, 1], averaged over tracked runs; examples without a C-score are left out.
    pub fn bin_curves(&self, cscores: &[f32], bins: usize) -> Vec<BinCurve> {
        let bins = bins.max(1);
        let bin_of = |c: f32| ((c * bins as f32) as usize).min(bins - 1);
        let mut count = vec![0usize; bins];
        for &c in cscores.iter().filter(|c| !c.is_nan()) {
            count[bin_of(c)] += 1;
        }
        let epochs = self.runs.iter().map(|r| r.given_prob.len()).max().unwrap_or(0);
        let mut sum = vec![vec![0f64; epochs]; bins];
        let mut num = vec![vec![0usize; epochs]; bins];
        for run in &self.runs {
            for (e, probs) in run.given_prob.iter().enumerate() {
                for (i, (&c, &p)) in cscores.iter().zip(probs).enumerate() {
                    if c.is_nan() || run.held_out(i) {
                        continue;
                    }
                    let b = bin_of(c);
                    sum[b][e] += f64::from(p);
                    num[b][e] += 1;
                }
            }
        }
        (0..bins)
            .map(|b| BinCurve {
                lo: b as f32 / bins as f32,
                hi: (b + 1) as f32 / bins as f32,
                count: count[b],
                points: (0..epochs)
                    .filter(|&e| num[b][e] > 0)
                    .map(|e| ((e + 1) as f64, sum[b][e] / num[b][e] as f64))
                    .collect(),
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(mask: u8, probs: Vec<Vec<f32>>) -> TrackedRun {
        TrackedRun {
            key: RunKey { kind_is_proxy: false, ratio_index: 0, run_index: 0 },
            subset_ratio: 0.5,
            heldout_mask: vec![mask],
            given_prob: probs,
        }
    }

    #[test]
    fn bins_average_trained_on_examples_only() {
        // example 2 is held out of the run: it must not enter the mean of its bin.
        let d = Dynamics { runs: vec![run(0b100, vec![vec![0.25, 0.75, 0.0], vec![0.5, 1.0, 0.0]])] };
        let curves = d.bin_curves(&[0.1, 0.9, 0.15], 2);
        assert_eq!(curves[0].count, 2);
        assert_eq!(curves[0].points, vec![(1.0, 0.25), (2.0, 0.5)]);
        assert_eq!(curves[1].points, vec![(1.0, 0.75), (2.0, 1.0)]);
        let ex = d.example_curves(2);
        assert!(ex[0].0);
        assert_eq!(ex[0].2, vec![(1.0, 0.0), (2.0, 0.0)]);
    }
}
