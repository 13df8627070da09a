//! The closing summary of an estimate: N, runs, mean C-score, how many are low, the lowest ten.

use super::{Aggregate, HoldoutAccuracy};
use std::fmt;

/// What `cscore estimate` prints when it ends.
#[derive(Debug, Clone)]
pub struct Summary {
    /// Examples in the dataset.
    pub examples: usize,
    /// Holdout runs done and failed.
    pub runs: (usize, usize),
    /// The trained models' mean held-out accuracy.
    pub model_accuracy: HoldoutAccuracy,
    /// Examples with at least one held-out evaluation.
    pub estimated: usize,
    /// Mean C-score over estimated examples.
    pub mean_cscore: Option<f64>,
    /// Estimated examples with C-score below 0.5.
    pub below_half: usize,
    /// The ten lowest: (index, label name, C-score, held-out prediction name).
    pub lowest: Vec<(usize, String, f64, String)>,
}

impl Summary {
    /// Summarises `agg` with the dataset's labels and class names.
    pub fn new(agg: &Aggregate, labels: &[u32], class_names: &[String]) -> Self {
        let name = |l: u32| class_names.get(l as usize).cloned().unwrap_or_else(|| l.to_string());
        let scored: Vec<(usize, f64)> =
            (0..agg.len()).filter_map(|i| agg.cscore(i).map(|c| (i, c))).collect();
        let mean =
            (!scored.is_empty()).then(|| scored.iter().map(|s| s.1).sum::<f64>() / scored.len() as f64);
        let mut lowest = scored.clone();
        lowest.sort_by(|a, b| a.1.total_cmp(&b.1).then(a.0.cmp(&b.0)));
        Summary {
            examples: agg.len(),
            runs: agg.runs(),
            model_accuracy: agg.holdout_accuracy(),
            estimated: scored.len(),
            mean_cscore: mean,
            below_half: scored.iter().filter(|s| s.1 < 0.5).count(),
            lowest: lowest
                .into_iter()
                .take(10)
                .map(|(i, c)| {
                    let pred = agg.heldout_prediction(i).map_or_else(|| "-".to_string(), name);
                    (i, name(labels[i]), c, pred)
                })
                .collect(),
        }
    }
}

impl fmt::Display for Summary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "examples        {}", self.examples)?;
        writeln!(f, "holdout runs    {} done, {} failed", self.runs.0, self.runs.1)?;
        writeln!(f, "model accuracy  held out {}", self.model_accuracy)?;
        writeln!(f, "estimated       {} examples", self.estimated)?;
        match self.mean_cscore {
            Some(m) => writeln!(f, "mean C-score    {m:.4}")?,
            None => writeln!(f, "mean C-score    - (no held-out evaluation yet)")?,
        }
        writeln!(f, "C-score < 0.5   {}", self.below_half)?;
        if !self.lowest.is_empty() {
            writeln!(f, "lowest C-scores:")?;
            writeln!(f, "  {:>8}  {:>8}  {:>7}  {:>10}", "index", "label", "cscore", "held-out")?;
            for (i, label, c, pred) in &self.lowest {
                writeln!(f, "  {i:>8}  {label:>8}  {c:>7.4}  {pred:>10}")?;
            }
        }
        Ok(())
    }
}
