//! The class summary (view 6, like VisiData's frequency sheet): per class the count, mean and median
//! C-score, how many are below 0.5, injected, tagged, and the most frequent wrong held-out prediction; a
//! first row for all classes; the cursor; and C-score histograms.

use super::app::{App, View};
use super::command::Command;
use super::scores::NO_PREDICTION;

/// Bins of the C-score histogram, each 0.1 wide (the last includes 1.0).
pub const HISTOGRAM_BINS: usize = 10;

/// One row of the summary: a class, or every class (`class: None`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ClassRow {
    /// The given label, `None` for the row of all classes.
    pub class: Option<u32>,
    /// Examples with this label.
    pub count: usize,
    /// Of those, examples with a C-score.
    pub estimated: usize,
    /// Mean C-score of the estimated ones.
    pub mean: Option<f64>,
    /// Median C-score of the estimated ones.
    pub median: Option<f64>,
    /// Estimated examples with C-score below 0.5.
    pub below_half: usize,
    /// Examples corrupted on purpose (`--inject-*`).
    pub injected: usize,
    /// Examples with a tag.
    pub tagged: usize,
    /// The wrong class held-out models predict most often for its examples (by majority prediction), and
    /// for how many examples; `None` when they are never predicted wrongly.
    pub confusion: Option<(u32, usize)>,
    /// C-score histogram of the estimated ones ([`HISTOGRAM_BINS`] bins of 0.1).
    pub histogram: Vec<usize>,
}

/// What one example contributes to the summary.
pub struct ExampleFacts<'a> {
    /// Given labels.
    pub labels: &'a [u32],
    /// C-scores (NaN where not estimated).
    pub cscore: &'a [f32],
    /// Majority held-out predictions ([`NO_PREDICTION`] where none).
    pub prediction: &'a [u32],
    /// Whether example `i` was corrupted on purpose.
    pub injected: &'a dyn Fn(usize) -> bool,
    /// Whether example `i` has a tag.
    pub tagged: &'a dyn Fn(usize) -> bool,
}

/// The summary: the row of all classes first, then one row per class in label order.
pub fn class_rows(facts: &ExampleFacts<'_>, classes: usize) -> Vec<ClassRow> {
    let mut scores: Vec<Vec<f32>> = vec![Vec::new(); classes + 1];
    let mut rows: Vec<ClassRow> = (0..=classes)
        .map(|c| ClassRow { class: c.checked_sub(1).map(|c| c as u32), ..ClassRow::default() })
        .collect();
    let mut wrong = vec![0usize; (classes + 1) * classes];
    for (i, &label) in facts.labels.iter().enumerate() {
        let l = label as usize;
        if l >= classes {
            continue;
        }
        for r in [0, l + 1] {
            let row = &mut rows[r];
            row.count += 1;
            row.injected += usize::from((facts.injected)(i));
            row.tagged += usize::from((facts.tagged)(i));
            let c = facts.cscore.get(i).copied().unwrap_or(f32::NAN);
            if !c.is_nan() {
                scores[r].push(c);
            }
            match facts.prediction.get(i).copied() {
                Some(p) if p != NO_PREDICTION && p != label && (p as usize) < classes => {
                    wrong[r * classes + p as usize] += 1;
                }
                _ => {}
            }
        }
    }
    for (r, row) in rows.iter_mut().enumerate() {
        let s = &mut scores[r];
        s.sort_by(f32::total_cmp);
        row.estimated = s.len();
        row.below_half = s.iter().filter(|&&c| c < 0.5).count();
        row.mean = (!s.is_empty()).then(|| s.iter().map(|&c| f64::from(c)).sum::<f64>() / s.len() as f64);
        row.median = median(s);
        row.histogram = histogram(s);
        let counts = &wrong[r * classes..(r + 1) * classes];
        // Most frequent, ties to the smallest label.
        row.confusion = counts
            .iter()
            .enumerate()
            .filter(|(_, &n)| n > 0)
            .max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(&a.0)))
            .map(|(p, &n)| (p as u32, n));
    }
    rows
}

/// The median of sorted values.
fn median(sorted: &[f32]) -> Option<f64> {
    let n = sorted.len();
    match n {
        0 => None,
        _ if n % 2 == 1 => Some(f64::from(sorted[n / 2])),
        _ => Some((f64::from(sorted[n / 2 - 1]) + f64::from(sorted[n / 2])) / 2.0),
    }
}

/// Counts per 0.1-wide bin of C-scores in [0, 1] (1.0 falls in the last bin).
pub fn histogram(values: &[f32]) -> Vec<usize> {
    let mut bins = vec![0; HISTOGRAM_BINS];
    for &v in values {
        let b = ((v.clamp(0.0, 1.0) * HISTOGRAM_BINS as f32) as usize).min(HISTOGRAM_BINS - 1);
        bins[b] += 1;
    }
    bins
}

impl App {
    /// The class summary of the current estimate, tags and injected ground truth.
    pub fn class_rows(&self) -> Vec<ClassRow> {
        let injected = |i: usize| self.data.injected.get(i).is_some_and(Option::is_some);
        let tagged = |i: usize| self.tags.tag(i).is_some();
        let facts = ExampleFacts {
            labels: &self.data.dataset.labels,
            cscore: &self.scores.cscore,
            prediction: &self.scores.prediction,
            injected: &injected,
            tagged: &tagged,
        };
        class_rows(&facts, self.data.dataset.num_classes())
    }

    /// Class summary navigation; `false` when the command is not one of its own.
    pub(super) fn classes_command(&mut self, c: Command) -> bool {
        let last = self.data.dataset.num_classes(); // row 0 is every class
        match c {
            Command::Down => self.class_cursor = (self.class_cursor + 1).min(last),
            Command::Up => self.class_cursor = self.class_cursor.saturating_sub(1),
            Command::Top => self.class_cursor = 0,
            Command::Bottom => self.class_cursor = last,
            Command::Open => {
                let class = self.class_cursor.checked_sub(1).map(|c| c as u32);
                self.list.filter.class = class;
                self.reorder();
                self.view = View::List;
                match class {
                    Some(c) => {
                        let name = self.data.class_name(c);
                        self.info(format!("the list shows class {name} only (c, then Enter: every class)"));
                    }
                    None => self.info("the list shows every class"),
                }
            }
            _ => return false,
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_count_score_and_find_the_confusion() {
        let labels = [0, 0, 0, 1, 1, 2];
        let cscore = [0.1, 0.9, 1.0, f32::NAN, 0.4, 0.5];
        let prediction = [1, 0, 0, NO_PREDICTION, 2, 2];
        let injected = |i: usize| i == 0;
        let tagged = |i: usize| i == 4 || i == 5;
        let facts = ExampleFacts {
            labels: &labels,
            cscore: &cscore,
            prediction: &prediction,
            injected: &injected,
            tagged: &tagged,
        };
        let rows = class_rows(&facts, 3);
        assert_eq!(rows.len(), 4);
        let all = &rows[0];
        assert_eq!(
            (all.class, all.count, all.estimated, all.below_half, all.injected, all.tagged),
            (None, 6, 5, 2, 1, 2)
        );
        assert_eq!(all.confusion, Some((1, 1)), "1 and 2 tie once each: the smaller label");
        let zero = &rows[1];
        assert_eq!((zero.class, zero.count, zero.median), (Some(0), 3, Some(0.8999999761581421)));
        assert!((zero.mean.unwrap_or(0.0) - 2.0 / 3.0).abs() < 1e-6);
        assert_eq!(zero.confusion, Some((1, 1)));
        assert_eq!(zero.histogram, [0, 1, 0, 0, 0, 0, 0, 0, 0, 2]);
        let one = &rows[2];
        assert_eq!((one.estimated, one.median, one.confusion), (1, Some(0.4000000059604645), Some((2, 1))));
        assert_eq!(rows[3].confusion, None, "class 2 is predicted right");
    }
}
