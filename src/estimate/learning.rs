//! The learning check: a run whose training loss stayed near that of guessing, or whose held-out accuracy
//! is no better than always answering the majority class, learned nothing; its "C-scores" would be noise.

/// A final training loss at or above this fraction of ln C counts as still near guessing.
const NEAR_GUESSING: f64 = 0.95;
/// Standard errors (of a chance-level accuracy on the held-out set) that held-out accuracy must clear.
const MARGIN_SE: f64 = 2.0;
/// Held-out sets smaller than this are not judged by their accuracy (too noisy to tell).
const MIN_JUDGED: usize = 30;
/// Runs of fewer SGD steps than this are not judged at all: nobody expects a handful of steps to learn
/// (toy and test configurations), and saying so would only stop them.
pub const MIN_STEPS_JUDGED: usize = 10;

/// Fraction of `heldout` whose prediction in `predictions` (same order) is its given label.
pub fn heldout_accuracy(labels: &[u32], heldout: &[u32], predictions: &[u32]) -> f64 {
    let hits = heldout.iter().zip(predictions).filter(|(&i, &p)| labels[i as usize] == p).count();
    hits as f64 / heldout.len().max(1) as f64
}

/// Accuracy of always answering the most frequent label of `heldout`: chance for these examples.
pub fn majority_rate(labels: &[u32], heldout: &[u32]) -> f64 {
    let mut counts = std::collections::HashMap::<u32, usize>::new();
    for &i in heldout {
        *counts.entry(labels[i as usize]).or_default() += 1;
    }
    counts.values().copied().max().unwrap_or(0) as f64 / heldout.len().max(1) as f64
}

/// Why a run that trained without diverging for `steps` SGD steps learned nothing, or `None` when it
/// learned (or took fewer than [`MIN_STEPS_JUDGED`] steps): its mean training loss in the last epoch is
/// still near ln `classes`, or (given its held-out `predictions`) its held-out accuracy does not clear the
/// majority-class rate by [`MARGIN_SE`] standard errors.
pub fn learning_failure(
    final_loss: f64,
    steps: usize,
    classes: usize,
    labels: &[u32],
    heldout: &[u32],
    predictions: Option<&[u32]>,
) -> Option<String> {
    if steps < MIN_STEPS_JUDGED {
        return None;
    }
    let guessing = (classes.max(2) as f64).ln();
    if final_loss >= NEAR_GUESSING * guessing {
        let how = if final_loss > guessing * 1.05 { "is above" } else { "is still near" };
        return Some(format!(
            "did not learn: final training loss {final_loss:.3} {how} ln {} = {guessing:.3}, the loss of guessing",
            classes.max(2)
        ));
    }
    let preds = predictions.filter(|_| heldout.len() >= MIN_JUDGED)?;
    let n = heldout.len() as f64;
    let accuracy = heldout_accuracy(labels, heldout, preds);
    let chance = majority_rate(labels, heldout);
    let bar = chance + MARGIN_SE * (chance * (1.0 - chance) / n).sqrt();
    (accuracy <= bar).then(|| {
        format!(
            "did not learn: held-out accuracy {:.1}% is not above chance ({:.1}%, the majority class of its {} \
             held-out examples, + {MARGIN_SE} standard errors = {:.1}%)",
            100.0 * accuracy,
            100.0 * chance,
            heldout.len(),
            100.0 * bar
        )
    })
}

/// Holdout runs that must all have learned nothing before an estimate gives up (fewer when fewer are
/// planned).
pub const GIVE_UP_AFTER: usize = 3;

/// The one line an estimate stops with when its first holdout runs all failed, for the `reasons` they
/// failed (each a [`learning_failure`] or a divergence): what happened and what to try.
/// `image` is the examples' (height, width): the CNN is suggested only where it can run (12×12 and up).
pub fn give_up_message(reasons: &[String], plan: &super::Plan, image: (usize, usize)) -> String {
    let runs = match reasons.len() {
        1 => "holdout run".to_string(),
        n => format!("{n} holdout runs"),
    };
    let first = reasons.first().map_or("", String::as_str);
    let diverged = |r: &String| r.contains("diverged");
    let lr = plan.train.lr;
    if reasons.iter().all(diverged) {
        let reason = first.replace(" (diverged; try a lower --lr)", "");
        // Momentum SGD wants rates well below 1: from a larger one, a tenth would diverge too.
        let (a, b) = if lr > 1.0 { (0.1, 0.01) } else { (round6(lr / 10.0), round6(lr / 100.0)) };
        return format!(
            "stopped: the first {runs} diverged ({reason}); no C-scores were stored. Try, in a new \
             workspace (-w), a lower --lr than {lr} (e.g. {a} or {b})"
        );
    }
    let what = if reasons.iter().any(diverged) { "failed" } else { "learned nothing" };
    let reason = reasons.iter().find(|r| !diverged(r)).map_or(first, String::as_str);
    let reason = reason.strip_prefix("did not learn: ").unwrap_or(reason);
    let cnn = match plan.model {
        crate::model::ModelSpec::Mlp(_) if image.0 >= 12 && image.1 >= 12 => ", --model cnn",
        _ => "",
    };
    format!(
        "stopped: the first {runs} {what} ({reason}); no C-scores were stored. Try, in a \
         new workspace (-w), a lower or higher --lr than {lr} (e.g. {} or {}){cnn}, more --epochs than {}, or \
         check that the labels carry any signal (--no-learning-check trains and stores such runs anyway)",
        round6(lr / 10.0),
        round6(lr * 3.0),
        plan.train.epochs
    )
}

/// `x` to six decimals, so that a suggested rate prints as 0.15, not 0.15000000000000002.
fn round6(x: f64) -> f64 {
    (x * 1e6).round() / 1e6
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn accuracy_and_majority() {
        let labels = [0, 1, 1, 2, 1];
        assert_eq!(heldout_accuracy(&labels, &[1, 3, 4], &[1, 0, 1]), 2.0 / 3.0);
        assert_eq!(majority_rate(&labels, &[0, 1, 2, 3]), 0.5);
        assert_eq!(majority_rate(&labels, &[]), 0.0);
    }

    #[test]
    fn the_give_up_line_says_what_to_try() {
        let plan = super::super::Plan {
            train: crate::model::TrainConfig { lr: 0.05, ..Default::default() },
            ..Default::default()
        };
        let reasons = vec!["did not learn: held-out accuracy 10.0% is not above chance".to_string(); 3];
        let line = give_up_message(&reasons, &plan, (28, 28));
        assert!(!line.contains('\n') && !line.contains("  "), "{line}");
        assert!(
            line.starts_with("stopped: the first 3 holdout runs learned nothing (held-out accuracy"),
            "{line}"
        );
        assert!(
            line.contains("--lr than 0.05 (e.g. 0.005 or 0.15), --model cnn, more --epochs than 10"),
            "{line}"
        );
        let one = give_up_message(&reasons[..1], &plan, (28, 28));
        assert!(one.starts_with("stopped: the first holdout run learned nothing (held-out"), "{one}");
        // Not where the CNN cannot run (under 12×12).
        let small = give_up_message(&reasons, &plan, (8, 8));
        assert!(small.contains("(e.g. 0.005 or 0.15), more --epochs than 10"), "{small}");
    }

    #[test]
    fn the_give_up_line_for_diverged_runs_says_lower_the_rate() {
        let plan = super::super::Plan {
            train: crate::model::TrainConfig { lr: 1e6, ..Default::default() },
            ..Default::default()
        };
        let diverged = "training loss became NaN in epoch 1 (diverged; try a lower --lr)".to_string();
        let line = give_up_message(&vec![diverged.clone(); 3], &plan, (28, 28));
        assert_eq!(
            line,
            "stopped: the first 3 holdout runs diverged (training loss became NaN in epoch 1); no C-scores were \
             stored. Try, in a new workspace (-w), a lower --lr than 1000000 (e.g. 0.1 or 0.01)"
        );
        let small = super::super::Plan {
            train: crate::model::TrainConfig { lr: 0.5, ..Default::default() },
            ..Default::default()
        };
        let line = give_up_message(&vec![diverged.clone(); 3], &small, (28, 28));
        assert!(line.ends_with("a lower --lr than 0.5 (e.g. 0.05 or 0.005)"), "{line}");
        let flat = "did not learn: final training loss 2.300 is still near ln 10".to_string();
        let mixed = give_up_message(&[diverged, flat.clone(), flat], &plan, (28, 28));
        assert!(
            mixed.starts_with("stopped: the first 3 holdout runs failed (final training loss 2.300"),
            "{mixed}"
        );
    }

    #[test]
    fn loss_near_guessing_fails() {
        let why = learning_failure(2.29, 100, 10, &[], &[], None).unwrap();
        assert!(why.contains("did not learn") && why.contains("ln 10"), "{why}");
        assert!(learning_failure(1.5, 100, 10, &[], &[], None).is_none());
        assert!(learning_failure(2.29, 9, 10, &[], &[], None).is_none(), "nine steps are not judged");
    }

    #[test]
    fn accuracy_must_clear_the_majority_rate_by_a_margin() {
        // 100 held-out examples, 60 of class 0: chance 60%, bar 60 + 2·4.9 = 69.8%.
        let labels: Vec<u32> = (0..100).map(|i| u32::from(i >= 60)).collect();
        let heldout: Vec<u32> = (0..100).collect();
        let majority = vec![0u32; 100];
        assert!(learning_failure(0.5, 100, 2, &labels, &heldout, Some(&majority)).is_some());
        let mut good = labels.clone();
        good[..25].iter_mut().for_each(|p| *p = 1); // 75% correct
        assert!(learning_failure(0.5, 100, 2, &labels, &heldout, Some(&good)).is_none());
        let mut close = labels.clone();
        close[..32].iter_mut().for_each(|p| *p = 1); // 68%: above chance, within the margin
        let why = learning_failure(0.5, 100, 2, &labels, &heldout, Some(&close)).unwrap();
        assert!(why.contains("68.0%") && why.contains("60.0%"), "{why}");
        // Too few held-out examples to judge: only the loss counts.
        assert!(learning_failure(0.5, 100, 2, &labels, &heldout[..20], Some(&majority[..20])).is_none());
    }
}
