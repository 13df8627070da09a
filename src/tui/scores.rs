//! Per-example estimate figures derived from the aggregate, recomputed when runs arrive.

use crate::estimate::Aggregate;

/// Marks "no held-out prediction" in [`Scores::prediction`].
pub const NO_PREDICTION: u32 = u32::MAX;

/// What the list and preview show about the estimate of each example.
#[derive(Debug, Clone, Default)]
pub struct Scores {
    /// C-score (NaN before any held-out evaluation).
    pub cscore: Vec<f32>,
    /// Lower end of the 95% interval.
    pub low: Vec<f32>,
    /// Upper end of the 95% interval.
    pub high: Vec<f32>,
    /// Held-out evaluations.
    pub evals: Vec<u32>,
    /// Majority held-out prediction ([`NO_PREDICTION`] when none).
    pub prediction: Vec<u32>,
    /// Rank of the C-score from the lowest (1-based; 0 when not estimated); examples with equal C-scores
    /// share the first rank of their group, as `cscore show` counts them.
    pub rank: Vec<u32>,
    /// How many estimated examples share the C-score (the group's ranks are `rank … rank + tied − 1`).
    pub tied: Vec<u32>,
    /// Median held-out accuracy over examples at each subset ratio.
    pub median_profile: Vec<Option<f64>>,
    /// Examples with at least one held-out evaluation.
    pub estimated: usize,
    /// Mean C-score of those.
    pub mean: Option<f64>,
}

impl Scores {
    /// Computes every figure from `agg`.
    pub fn compute(agg: &Aggregate) -> Self {
        use rayon::prelude::*;
        let n = agg.len();
        // Per example in parallel (a million examples on every refresh of the explorer).
        let rows: Vec<(f32, f32, f32, u32, u32)> = (0..n)
            .into_par_iter()
            .map(|i| {
                let (lo, hi) = agg.interval(i);
                let c = agg.cscore(i).map_or(f32::NAN, |c| c as f32);
                let prediction = agg.heldout_prediction(i).unwrap_or(NO_PREDICTION);
                (c, lo as f32, hi as f32, agg.holdout_evals(i), prediction)
            })
            .collect();
        let mut s = Scores {
            cscore: rows.iter().map(|r| r.0).collect(),
            low: rows.iter().map(|r| r.1).collect(),
            high: rows.iter().map(|r| r.2).collect(),
            evals: rows.iter().map(|r| r.3).collect(),
            prediction: rows.iter().map(|r| r.4).collect(),
            ..Scores::default()
        };
        drop(rows);
        // The held-out accuracies at each ratio, gathered in parallel (their order does not matter).
        let per_ratio: Vec<Vec<f64>> = (0..n)
            .into_par_iter()
            .fold(Vec::new, |mut acc: Vec<Vec<f64>>, i| {
                let profile = agg.profile(i);
                if acc.len() < profile.len() {
                    acc.resize_with(profile.len(), Vec::new);
                }
                for (r, a) in profile.iter().enumerate() {
                    if let Some(a) = a {
                        acc[r].push(*a);
                    }
                }
                acc
            })
            .reduce(Vec::new, |mut a, b| {
                if a.len() < b.len() {
                    a.resize_with(b.len(), Vec::new);
                }
                for (r, v) in b.into_iter().enumerate() {
                    a[r].extend(v);
                }
                a
            });
        s.median_profile = per_ratio.into_par_iter().map(median).collect();
        let mut order: Vec<(f32, u32)> = (0..n as u32)
            .filter(|&i| !s.cscore[i as usize].is_nan())
            .map(|i| (s.cscore[i as usize], i))
            .collect();
        order.par_sort_unstable_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
        let order: Vec<u32> = order.into_iter().map(|(_, i)| i).collect();
        (s.rank, s.tied) = (vec![0; n], vec![0; n]);
        let mut start = 0;
        while start < order.len() {
            let value = s.cscore[order[start] as usize];
            let end = start + order[start..].iter().take_while(|&&i| s.cscore[i as usize] == value).count();
            for &i in &order[start..end] {
                s.rank[i as usize] = start as u32 + 1;
                s.tied[i as usize] = (end - start) as u32;
            }
            start = end;
        }
        s.estimated = order.len();
        s.mean = (!order.is_empty()).then(|| {
            order.iter().map(|&i| f64::from(s.cscore[i as usize])).sum::<f64>() / order.len() as f64
        });
        s
    }

    /// The held-out prediction of `i`, if any.
    pub fn prediction(&self, i: usize) -> Option<u32> {
        self.prediction.get(i).copied().filter(|&p| p != NO_PREDICTION)
    }
}

/// The median (the mean of the middle two of an even count), by selection rather than a sort.
fn median(mut v: Vec<f64>) -> Option<f64> {
    let len = v.len();
    if len == 0 {
        return None;
    }
    let (below, &mut upper, _) = v.select_nth_unstable_by(len / 2, f64::total_cmp);
    if len % 2 == 1 {
        return Some(upper);
    }
    let lower = below.iter().copied().max_by(f64::total_cmp)?;
    Some((lower + upper) / 2.0)
}

#[cfg(test)]
mod tests {
    #[test]
    fn equal_cscores_share_a_rank_range() {
        // C-scores 0.5, 0, 0.5, 1, 0 and one never held out.
        let labels = [0u32, 0, 0, 0, 0, 0];
        let mut agg = crate::estimate::Aggregate::new(6, 1, 2);
        agg.add(&crate::estimate::aggregate::tests::run(
            0,
            &[(0, 0), (1, 1), (2, 0), (3, 0), (4, 1)],
            &labels,
        ));
        agg.add(&crate::estimate::aggregate::tests::run(
            0,
            &[(0, 1), (1, 1), (2, 1), (3, 0), (4, 1)],
            &labels,
        ));
        let s = super::Scores::compute(&agg);
        assert_eq!(s.rank, vec![3, 1, 3, 5, 1, 0]);
        assert_eq!(s.tied, vec![2, 2, 2, 1, 2, 0]);
    }

    #[test]
    fn median_of_even_and_odd() {
        assert_eq!(super::median(vec![3.0, 1.0, 2.0]), Some(2.0));
        assert_eq!(super::median(vec![4.0, 1.0, 2.0, 3.0]), Some(2.5));
        assert_eq!(super::median(vec![]), None);
        assert_eq!(super::median(vec![5.0, 5.0, 1.0, 9.0, 2.0, 7.0]), Some(5.0));
    }
}
