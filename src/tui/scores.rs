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
    /// Rank of the C-score from the lowest (1-based; 0 when not estimated).
    pub rank: Vec<u32>,
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
        let n = agg.len();
        let mut s = Scores {
            cscore: Vec::with_capacity(n),
            low: Vec::with_capacity(n),
            high: Vec::with_capacity(n),
            evals: Vec::with_capacity(n),
            prediction: Vec::with_capacity(n),
            ..Scores::default()
        };
        let mut per_ratio: Vec<Vec<f64>> = Vec::new();
        for i in 0..n {
            let profile = agg.profile(i);
            if per_ratio.len() < profile.len() {
                per_ratio.resize_with(profile.len(), Vec::new);
            }
            for (r, a) in profile.iter().enumerate() {
                if let Some(a) = a {
                    per_ratio[r].push(*a);
                }
            }
            let evals = agg.holdout_evals(i);
            let c = agg.cscore(i);
            let (lo, hi) = agg.interval(i);
            s.cscore.push(c.map_or(f32::NAN, |c| c as f32));
            s.low.push(lo as f32);
            s.high.push(hi as f32);
            s.evals.push(evals);
            s.prediction.push(agg.heldout_prediction(i).unwrap_or(NO_PREDICTION));
        }
        s.median_profile = per_ratio.into_iter().map(median).collect();
        let mut order: Vec<u32> = (0..n as u32).filter(|&i| !s.cscore[i as usize].is_nan()).collect();
        order.sort_by(|&a, &b| s.cscore[a as usize].total_cmp(&s.cscore[b as usize]).then(a.cmp(&b)));
        s.rank = vec![0; n];
        for (r, &i) in order.iter().enumerate() {
            s.rank[i as usize] = r as u32 + 1;
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

fn median(mut v: Vec<f64>) -> Option<f64> {
    if v.is_empty() {
        return None;
    }
    v.sort_by(f64::total_cmp);
    let m = v.len() / 2;
    Some(if v.len() % 2 == 1 { v[m] } else { (v[m - 1] + v[m]) / 2.0 })
}

#[cfg(test)]
mod tests {
    #[test]
    fn median_of_even_and_odd() {
        assert_eq!(super::median(vec![3.0, 1.0, 2.0]), Some(2.0));
        assert_eq!(super::median(vec![4.0, 1.0, 2.0, 3.0]), Some(2.5));
        assert_eq!(super::median(vec![]), None);
    }
}
