//! Everything the workspace knows about one example, for `cscore show`.

use std::fmt;

use super::{workspace_scores, ExportError};
use crate::estimate::{aggregate_workspace, stored_plan, HoldoutAccuracy};
use crate::store::{InjectedRow, Workspace};

/// One score of an example with its rank by irregularity (1 = most irregular) among `of` examples.
#[derive(Debug, Clone, PartialEq)]
pub struct RankedScore {
    /// `cscore`, `proxy_<name>` or `ref_<name>`.
    pub name: String,
    /// The value (`None` where missing).
    pub value: Option<f64>,
    /// (rank, examples with a value).
    pub rank: Option<(usize, usize)>,
    /// Examples with the same value (itself included): they share the ranks from `rank` on.
    pub tied: usize,
    /// The score's values are of a small scale, printed in scientific notation ([`crate::fmt::small_scale`]).
    pub small_scale: bool,
}

/// The details of one example.
#[derive(Debug, Clone, PartialEq)]
pub struct ExampleDetails {
    /// Its index.
    pub index: usize,
    /// Examples in the dataset.
    pub num_examples: usize,
    /// Class names of the dataset.
    pub class_names: Vec<String>,
    /// Its given label, when the dataset could be loaded.
    pub label: Option<u32>,
    /// Its C-score, once estimated.
    pub cscore: Option<f64>,
    /// 95% interval of the C-score.
    pub interval: Option<(f64, f64)>,
    /// Held-out evaluations so far.
    pub holdout_evals: u32,
    /// The label predicted most often when it was held out.
    pub heldout_prediction: Option<u32>,
    /// How well the trained models did on what they held out (per ratio and overall).
    pub model_accuracy: HoldoutAccuracy,
    /// (subset ratio, held-out accuracy there) for each ratio of the plan.
    pub profile: Vec<(f64, Option<f64>)>,
    /// The C-score, proxies and references with ranks.
    pub scores: Vec<RankedScore>,
    /// Tag, relabel and note.
    pub tag: Option<String>,
    /// The label the user thinks is right.
    pub relabel: Option<u32>,
    /// The user's note.
    pub note: Option<String>,
    /// Injected corruption of this example, if any.
    pub injected: Option<InjectedRow>,
    /// The source file, for image folders.
    pub path: Option<String>,
}

/// Collects the details of example `index` of `ws`; `label` and `path` come from the loaded dataset.
pub fn describe_example(
    ws: &Workspace,
    index: usize,
    label: Option<u32>,
    path: Option<String>,
) -> Result<ExampleDetails, ExportError> {
    let n = ws.num_examples();
    if index >= n {
        return Err(ExportError::Usage(format!(
            "example {index} is out of range (the dataset has {n} examples)"
        )));
    }
    let agg = aggregate_workspace(ws)?;
    let ratios = stored_plan(ws)?.map(|p| p.ratios).unwrap_or_default();
    let profile = ratios.iter().copied().zip(agg.profile(index)).collect();
    let cscore = agg.cscore(index);
    let scores = workspace_scores(ws, &agg)?
        .iter()
        .map(|s| RankedScore {
            name: s.name.clone(),
            value: s.values.get(index).copied().filter(|v| !v.is_nan()),
            rank: s.irregularity_rank(index),
            tied: s.ties(index),
            small_scale: s.name != crate::proxy::compare::CSCORE
                && crate::fmt::small_scale(s.values.iter().copied()),
        })
        .collect();
    let mark = ws.tags()?.into_iter().find(|t| t.example == index);
    Ok(ExampleDetails {
        index,
        num_examples: n,
        class_names: ws.dataset_info()?.class_names,
        label,
        cscore,
        interval: cscore.map(|_| agg.interval(index)),
        holdout_evals: agg.holdout_evals(index),
        heldout_prediction: agg.heldout_prediction(index),
        model_accuracy: agg.holdout_accuracy(),
        profile,
        scores,
        tag: mark.as_ref().and_then(|m| m.tag.clone()),
        relabel: mark.as_ref().and_then(|m| m.relabel),
        note: mark.and_then(|m| m.note),
        injected: ws.injected()?.into_iter().find(|r| r.example == index),
        path,
    })
}

impl ExampleDetails {
    /// `7 (seven)`, or just `7` when the class name is the number.
    fn class(&self, label: u32) -> String {
        match self.class_names.get(label as usize) {
            Some(name) if *name != label.to_string() => format!("{label} ({name})"),
            _ => label.to_string(),
        }
    }
}

/// A ten-cell bar for a value in [0, 1].
fn bar(v: f64) -> String {
    let full = (v.clamp(0.0, 1.0) * 10.0).round() as usize;
    format!("{}{}", "█".repeat(full), "░".repeat(10 - full))
}

impl fmt::Display for ExampleDetails {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "example {} of {}", self.index, self.num_examples)?;
        if let Some(p) = &self.path {
            writeln!(f, "  file                 {p}")?;
        }
        let label = self.label.map_or_else(|| "unknown (dataset not loaded)".into(), |l| self.class(l));
        writeln!(f, "  label                {label}")?;
        match (self.cscore, self.interval) {
            (Some(c), Some((lo, hi))) => writeln!(
                f,
                "  C-score              {c:.3}  (95% interval {lo:.3}–{hi:.3}, {} held-out evaluations)",
                self.holdout_evals
            )?,
            _ => writeln!(f, "  C-score              not estimated yet (never held out)")?,
        }
        let pred = self.heldout_prediction.map_or_else(|| "none yet".into(), |p| self.class(p));
        let differs = match (self.heldout_prediction, self.label) {
            (Some(p), Some(l)) if p != l => "  ≠ label",
            _ => "",
        };
        writeln!(f, "  held-out prediction  {pred}{differs}")?;
        writeln!(
            f,
            "  trained models       mean held-out accuracy {} over {} runs",
            self.model_accuracy.describe(false),
            self.model_accuracy.runs
        )?;
        if !self.profile.is_empty() {
            writeln!(
                f,
                "  consistency profile (held-out accuracy per subset ratio; the models' own after it)"
            )?;
            for (r, (ratio, acc)) in self.profile.iter().enumerate() {
                let models = match self.model_accuracy.per_ratio.get(r).copied().flatten() {
                    Some(m) => format!("models {m:.2}"),
                    None => String::new(),
                };
                match acc {
                    Some(a) => writeln!(f, "    {ratio:>5.2}  {}  {a:.2}  {models}", bar(*a))?,
                    None => writeln!(f, "    {ratio:>5.2}  {:10}  —     {models}", "")?,
                }
            }
        }
        writeln!(f, "  scores (rank 1 = most irregular)")?;
        let name_width = self.scores.iter().map(|s| s.name.chars().count()).max().unwrap_or(0).max(28);
        for s in &self.scores {
            let value = s.value.map_or_else(|| "—".into(), |v| crate::fmt::score_value(v, 4, s.small_scale));
            let rank = match s.rank {
                None => String::new(),
                Some((r, of)) if s.tied > 1 => {
                    format!("rank {r}–{} of {of} ({} tied)", r + s.tied - 1, s.tied)
                }
                Some((r, of)) => format!("rank {r} of {of}"),
            };
            writeln!(f, "    {:<name_width$} {value:>9}  {rank}", s.name)?;
        }
        let tag = self.tag.as_deref().unwrap_or("—");
        match self.relabel {
            Some(r) => writeln!(f, "  tag                  {tag} (relabel → {})", self.class(r))?,
            None => writeln!(f, "  tag                  {tag}")?,
        }
        if let Some(note) = &self.note {
            writeln!(f, "  note                 {note}")?;
        }
        if let Some(inj) = &self.injected {
            writeln!(
                f,
                "  injected             {} (original label {})",
                inj.kind,
                self.class(inj.original_label)
            )?;
        }
        Ok(())
    }
}
