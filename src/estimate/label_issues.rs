//! Which examples look mislabeled, by confident learning (Northcutt, Jiang and Chuang, JAIR 2021; cleanlab's
//! `filter_by="confident_learning"`) on the held-out votes: p_ij is the share of the models that held example
//! i out and predicted class j. Class j's threshold t_j is the mean p_ij over the examples labeled j; an
//! example's confident class is, among the classes j with p_ij ≥ t_j, the one with the most votes (ties: the
//! smallest); it is flagged when that class is not its label. Per-class thresholds keep a class the models
//! find hard from being flagged wholesale, and a confident class must clear its own class's typical
//! agreement, not merely win a plurality.

use super::Aggregate;

/// Per example: `Some(true)` when its confident class differs from `labels[i]`, `Some(false)` when it is
/// the label or no class is confident, `None` before the example was ever held out.
pub fn label_issues(agg: &Aggregate, labels: &[u32]) -> Vec<Option<bool>> {
    let n = agg.len().min(labels.len());
    let shares = |i: usize| {
        let votes = agg.votes(i);
        let total: u32 = votes.iter().sum();
        (total > 0).then(|| votes.iter().map(move |&v| f64::from(v) / f64::from(total)))
    };
    let classes = agg.num_classes();
    let (mut sum, mut count) = (vec![0.0; classes], vec![0usize; classes]);
    for (i, &l) in labels.iter().enumerate().take(n) {
        let l = l as usize;
        if let (Some(mut p), true) = (shares(i), l < classes) {
            sum[l] += p.nth(l).unwrap_or(0.0);
            count[l] += 1;
        }
    }
    // A class no evaluated example is labeled with has no threshold: it is never the confident class.
    let threshold: Vec<f64> =
        sum.iter().zip(&count).map(|(&s, &c)| if c > 0 { s / c as f64 } else { f64::INFINITY }).collect();
    (0..n)
        .map(|i| {
            let p = shares(i)?;
            let confident = p.enumerate().filter(|&(j, pj)| pj > 0.0 && pj >= threshold[j]).fold(
                None,
                |best: Option<(usize, f64)>, (j, pj)| match best {
                    Some((_, b)) if b >= pj => best,
                    _ => Some((j, pj)),
                },
            );
            Some(confident.is_some_and(|(j, _)| j != labels[i] as usize))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::estimate::aggregate::tests::run;

    #[test]
    fn flags_examples_whose_confident_class_is_not_their_label() {
        // Four examples labeled 0, two labeled 1. Votes (one per run):
        //   0: 0,0,0    1: 0,0,1    2: 1,1,1    3: 1,1,0    4: 1,1,1    5: 0,1,1
        // Class 0's threshold: mean share of 0 over examples 0–3 = (1 + 2/3 + 0 + 1/3)/4 = 0.5;
        // class 1's: over 4–5 = (1 + 2/3)/2 = 0.833.
        let labels = [0, 0, 0, 0, 1, 1];
        let mut agg = Aggregate::new(6, 1, 2);
        for votes in [[0, 0, 1, 1, 1, 0], [0, 0, 1, 1, 1, 1], [0, 1, 1, 0, 1, 1]] {
            let held: Vec<(usize, u32)> = votes.iter().enumerate().map(|(i, &v)| (i, v)).collect();
            agg.add(&run(0, &held, &labels));
        }
        let issues = label_issues(&agg, &labels);
        // 2: class 1 at 1.0 ≥ 0.833: flagged. 3: class 1 at 2/3 < 0.833, class 0 at 1/3 < 0.5: no confident
        // class, not flagged (a plurality against the label is not enough). 5: its label.
        assert_eq!(issues, vec![Some(false), Some(false), Some(true), Some(false), Some(false), Some(false)]);
        // Never held out: unknown.
        let mut young = Aggregate::new(3, 1, 2);
        young.add(&run(0, &[(0, 1), (2, 1)], &[0, 0, 1]));
        assert_eq!(label_issues(&young, &[0, 0, 1]), vec![Some(true), None, Some(false)]);
    }
}
