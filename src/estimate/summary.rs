//! The closing summary of an estimate: N, runs, mean C-score, how many are low, the lowest ten.

use super::{Aggregate, HoldoutAccuracy};
use std::fmt;

/// Mean held-out accuracy below which the summary calls the models weak (the paper's models reach 0.99 on
/// MNIST and about 0.9 on CIFAR-10).
const WEAK_MODELS: f64 = 0.7;

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
    /// How many estimated examples share the C-score of the last one listed (more than are listed: which
    /// of them show is by the tie-break score, else by index).
    pub tied_last: usize,
    /// The name of the score that orders examples of one C-score (lowest first), if one was given.
    pub tie_break: Option<String>,
    /// With injected label noise: how many labels were flipped, and the models' held-out accuracy against
    /// the labels before it (`model_accuracy` is against the labels the models trained on).
    pub against_original: Option<(usize, Option<f64>)>,
    /// The held-out accuracy of always guessing the largest class (the share of its examples).
    pub chance: f64,
    /// The files of the ten lowest, below the folder (image folders).
    pub files: Option<Vec<String>>,
}

impl Summary {
    /// Summarises `agg` with the dataset's labels and class names.
    pub fn new(agg: &Aggregate, labels: &[u32], class_names: &[String]) -> Self {
        Self::with_tie_break(agg, labels, class_names, None)
    }

    /// As [`Summary::new`], examples of one C-score listed by `tie_break` (name, one score per example,
    /// lowest first, NaN last; e.g. the fused estimate, which tells the likeliest label errors among the
    /// many that tie at 0 apart), then by index.
    pub fn with_tie_break(
        agg: &Aggregate,
        labels: &[u32],
        class_names: &[String],
        tie_break: Option<(&str, &[f32])>,
    ) -> Self {
        let tie_break = tie_break.filter(|(_, v)| v.len() == agg.len());
        let second = |i: usize| {
            tie_break.map_or(f32::INFINITY, |(_, v)| if v[i].is_nan() { f32::INFINITY } else { v[i] })
        };
        let name = |l: u32| class_names.get(l as usize).cloned().unwrap_or_else(|| l.to_string());
        let scored: Vec<(usize, f64)> =
            (0..agg.len()).filter_map(|i| agg.cscore(i).map(|c| (i, c))).collect();
        let mean =
            (!scored.is_empty()).then(|| scored.iter().map(|s| s.1).sum::<f64>() / scored.len() as f64);
        let mut lowest = scored.clone();
        lowest.sort_by(|a, b| {
            a.1.total_cmp(&b.1).then(second(a.0).total_cmp(&second(b.0))).then(a.0.cmp(&b.0))
        });
        let tied_last =
            lowest.get(LISTED - 1).map_or(0, |&(_, last)| scored.iter().filter(|s| s.1 == last).count());
        Summary {
            examples: agg.len(),
            runs: agg.runs(),
            model_accuracy: agg.holdout_accuracy(),
            estimated: scored.len(),
            mean_cscore: mean,
            below_half: scored.iter().filter(|s| s.1 < 0.5).count(),
            lowest: lowest
                .into_iter()
                .take(LISTED)
                .map(|(i, c)| {
                    let pred = agg.heldout_prediction(i).map_or_else(|| "-".to_string(), name);
                    (i, name(labels[i]), c, pred)
                })
                .collect(),
            tied_last,
            tie_break: tie_break.map(|(name, _)| name.to_string()),
            against_original: None,
            chance: super::majority_rate(labels, &(0..labels.len() as u32).collect::<Vec<u32>>()),
            files: None,
        }
    }

    /// Lists each of the lowest with its file: `file(i)` of example `i` (image folders).
    pub fn with_files(mut self, file: impl Fn(usize) -> String) -> Self {
        self.files = Some(self.lowest.iter().map(|l| file(l.0)).collect());
        self
    }

    /// Adds the models' held-out accuracy against the labels before injected noise (`original`, as
    /// [`super::quality::holdout_accuracy_against`] gives it), of which `flipped` were changed.
    pub fn with_original_labels(mut self, original: &HoldoutAccuracy, flipped: usize) -> Self {
        if flipped > 0 {
            self.against_original = Some((flipped, original.mean));
        }
        self
    }
}

/// Examples listed as the lowest.
const LISTED: usize = 10;

/// Models within this much held-out accuracy of always guessing the largest class are said to be at chance.
const NEAR_CHANCE: f64 = 0.05;

impl fmt::Display for Summary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "examples        {}", self.examples)?;
        writeln!(f, "holdout runs    {} done, {} failed", self.runs.0, self.runs.1)?;
        writeln!(f, "model accuracy  held out {}", self.model_accuracy)?;
        if let Some((flipped, original)) = self.against_original {
            let original = original.map_or_else(|| "-".into(), |a| format!("{a:.3}"));
            writeln!(
                f,
                "                (against the labels trained on, {flipped} flipped by --inject-label-noise; against \
                 the original labels {original})"
            )?;
        }
        match self.model_accuracy.mean.filter(|&m| m < WEAK_MODELS) {
            Some(mean) if mean < self.chance + NEAR_CHANCE => writeln!(
                f,
                "                (models at chance: {mean:.3} held-out accuracy, where always guessing the largest \
                 class gets {:.3}; these C-scores are mostly noise, not a ranking of the examples; more epochs, \
                 another --lr, --model or --image-size may help)",
                self.chance
            )?,
            Some(mean) => writeln!(
                f,
                "                (weak models: at {mean:.3} held-out accuracy (chance {:.3}), a low C-score often \
                 means an example these models cannot learn from the others rather than an irregular one; more \
                 epochs, another --lr or --model may help)",
                self.chance
            )?,
            None => {}
        }
        writeln!(f, "estimated       {} examples", self.estimated)?;
        match self.mean_cscore {
            Some(m) => writeln!(f, "mean C-score    {m:.4}")?,
            None => writeln!(f, "mean C-score    - (no held-out evaluation yet)")?,
        }
        writeln!(f, "C-score < 0.5   {}", self.below_half)?;
        if !self.lowest.is_empty() {
            if self.tied_last
                > self.lowest.iter().filter(|l| Some(l.2) == self.lowest.last().map(|l| l.2)).count()
            {
                let last = self.lowest.last().map_or(0.0, |l| l.2);
                writeln!(
                    f,
                    "lowest C-scores ({} tie at {last:.4}, the first by {} listed; all: cscore export --filter \
                     'cscore <= {last}'):",
                    self.tied_last,
                    self.tie_break.as_deref().unwrap_or("index")
                )?;
            } else {
                writeln!(f, "lowest C-scores:")?;
            }
            let file_head = if self.files.is_some() { "  file" } else { "" };
            writeln!(f, "  {:>8}  {:>8}  {:>7}  {:>10}{file_head}", "index", "label", "cscore", "held-out")?;
            for (k, (i, label, c, pred)) in self.lowest.iter().enumerate() {
                let file = self
                    .files
                    .as_ref()
                    .and_then(|files| files.get(k))
                    .map_or_else(String::new, |p| format!("  {p}"));
                writeln!(f, "  {i:>8}  {label:>8}  {c:>7.4}  {pred:>10}{file}")?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::estimate::aggregate::tests::run;

    #[test]
    fn ties_at_the_cut_and_accuracy_against_original_labels_are_said() {
        // 12 examples: 11 wrong (C-score 0), one right; labels 0, predictions 1 (example 11: 0).
        let labels = vec![0u32; 12];
        let mut agg = Aggregate::new(12, 1, 2);
        let held: Vec<(usize, u32)> = (0..12).map(|i| (i, u32::from(i != 11))).collect();
        agg.add(&run(0, &held, &labels));
        let names = vec!["a".to_string(), "b".to_string()];
        let s = Summary::new(&agg, &labels, &names);
        assert_eq!((s.lowest.len(), s.tied_last), (10, 11));
        let text = s.to_string();
        assert!(text.contains("lowest C-scores (11 tie at 0.0000, the first by index listed; all: cscore export --filter 'cscore <= 0'):"), "{text}");
        assert!(!text.contains("flipped"), "{text}");
        // 1 of 12 held-out predictions right, where guessing the one class gets all: models at chance.
        assert!(
            text.contains(
                "(models at chance: 0.083 held-out accuracy, where always guessing the largest class gets 1.000; \
                 these C-scores are mostly noise"
            ),
            "{text}"
        );
        // Above chance but under 0.7: weak models, said under the accuracy.
        let text = Summary { chance: 0.02, ..Summary::new(&agg, &labels, &names) }.to_string();
        assert!(
            text.contains(
                "(weak models: at 0.083 held-out accuracy (chance 0.020), a low C-score often means"
            ),
            "{text}"
        );
        // An image folder's lowest are listed with their files.
        let text = Summary::new(&agg, &labels, &names).with_files(|i| format!("a/{i:02}.png")).to_string();
        assert!(text.contains("held-out  file\n") && text.contains("   b  a/00.png\n"), "{text}");
        assert!(text.contains("   b  a/09.png\n"), "{text}");
        // Four labels were flipped from 1: against the originals, 4 more of 12 predictions are right.
        let mut original = labels.clone();
        original[..4].fill(1);
        let runs = [run(0, &held, &labels)];
        let against = crate::estimate::quality::holdout_accuracy_against(&runs, &original, 1);
        let text = Summary::new(&agg, &labels, &names).with_original_labels(&against, 4).to_string();
        assert!(
            text.contains("4 flipped by --inject-label-noise; against the original labels 0.417)"),
            "{text}"
        );
        // A tie-break score lists the tied examples by it (NaN last), then by index.
        let mut fused = vec![0.5f32; 12];
        (fused[9], fused[4], fused[2], fused[0]) = (0.1, 0.2, 0.2, f32::NAN);
        let s = Summary::with_tie_break(&agg, &labels, &names, Some(("fused", &fused)));
        let order: Vec<usize> = s.lowest.iter().map(|l| l.0).collect();
        assert_eq!(order, [9, 2, 4, 1, 3, 5, 6, 7, 8, 10]);
        assert!(s.to_string().contains("11 tie at 0.0000, the first by fused listed"));
        // 11 of 12 right: no such note.
        let mut good = Aggregate::new(12, 1, 2);
        let held: Vec<(usize, u32)> = (0..12).map(|i| (i, u32::from(i == 11))).collect();
        good.add(&run(0, &held, &labels));
        let text = Summary::new(&good, &labels, &names).to_string();
        assert!(!text.contains("weak models") && !text.contains("at chance"), "{text}");
        // No tie beyond the list: the plain heading.
        let few = Summary::new(&agg, &labels[..], &names);
        assert!(Summary { tied_last: 10, ..few }.to_string().contains("lowest C-scores:\n"));
    }
}
