//! A learning-rate range test: a few candidate rates, each training the plan's model for at least
//! [`MIN_STEPS`] SGD steps (at least two epochs) on the same small seeded subset, judged by accuracy on a
//! held-out split; the smallest rate within a standard error of the best is kept. Shorter tests did not
//! rank the rates as the full runs do (on 2,000 coloured digits, 30 steps left every rate at chance and
//! the rule then picked the smallest, 0.005, whose estimate flagged the flipped labels with AP 0.37
//! where the test's best at 200 steps, 0.01, gave 0.48). When no rate beats chance the test runs once
//! more, [`RETRY_FACTOR`] times as long, before it gives up. Deterministic, so that every shard of an
//! estimate arrives at the same rate.

use super::Plan;
use crate::data::Dataset;
use crate::model::{evaluate, train_models, DeviceData, TrainConfig, TrainJob};
use crate::{Error, Result};
use candle_core::Device;
use rand::seq::SliceRandom;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use std::sync::atomic::AtomicBool;

/// The rates tried, largest first.
pub const LR_CANDIDATES: [f64; 5] = [0.1, 0.05, 0.02, 0.01, 0.005];
/// Examples the candidates train on (at most).
pub(super) const TEST_TRAIN: usize = 2_000;
/// Held-out examples they are judged on (at most).
const TEST_HELDOUT: usize = 500;
/// Epochs each candidate trains, at least.
const TEST_EPOCHS: usize = 2;
/// SGD steps each candidate takes, at least (more epochs on a small subset).
pub const MIN_STEPS: usize = 200;
/// How much longer the second test trains when the first told nothing.
pub const RETRY_FACTOR: usize = 4;

/// The rate chosen and what each candidate reached.
#[derive(Debug, Clone, PartialEq)]
pub struct LrChoice {
    /// The chosen learning rate.
    pub lr: f64,
    /// (rate, held-out accuracy or `None` when it diverged) of every candidate.
    pub tried: Vec<(f64, Option<f64>)>,
    /// Training and held-out examples of the test.
    pub sizes: (usize, usize),
    /// Epochs each candidate trained.
    pub epochs: usize,
    /// Held-out accuracy of always answering the majority class of the held-out split.
    pub chance: f64,
}

impl LrChoice {
    /// One line: what was tried and reached.
    pub fn summary(&self) -> String {
        let tried: Vec<String> = self
            .tried
            .iter()
            .map(|(lr, acc)| match acc {
                Some(a) => format!("{lr}: {:.1}%", 100.0 * a),
                None => format!("{lr}: diverged"),
            })
            .collect();
        let told = if self.told_nothing() && self.bar() >= 1.0 {
            format!(
                "; with {} held-out examples no rate can beat chance ({:.1}%, the majority class) by two standard \
                 errors, so the test could not choose: give --lr if the runs learn nothing",
                self.sizes.1,
                100.0 * self.chance
            )
        } else if self.told_nothing() {
            format!(
                "; no rate beat chance ({:.1}%, the majority class), so the test could not choose: give --lr if \
                 the runs learn nothing",
                100.0 * self.chance
            )
        } else if self.lr == best(&self.tried) {
            "; the best".into()
        } else {
            format!(
                "; the smallest rate within a standard error ({:.1}%) of the best",
                100.0 * self.se_of_best()
            )
        };
        format!(
            "range test, {} epochs on {} examples, held-out accuracy on {}: {}{told}",
            self.epochs,
            self.sizes.0,
            self.sizes.1,
            tried.join(", ")
        )
    }

    /// True when no candidate's held-out accuracy cleared chance by two standard errors.
    pub fn told_nothing(&self) -> bool {
        let bar = self.bar();
        self.tried.iter().all(|(_, acc)| acc.is_none_or(|a| a <= bar))
    }

    /// The standard error of the best rate's held-out accuracy.
    fn se_of_best(&self) -> f64 {
        standard_error(best_accuracy(&self.tried).unwrap_or(0.0), self.sizes.1)
    }

    /// Chance plus two standard errors on the held-out split: what a rate must beat to say anything.
    pub(super) fn bar(&self) -> f64 {
        let n = self.sizes.1.max(1) as f64;
        self.chance + 2.0 * (self.chance * (1.0 - self.chance) / n).sqrt()
    }
}

/// Runs the test for `plan` (its model, inputs, batch, momentum, weight decay and seed) on `ds`, and
/// once more, longer, when no rate beat chance (`say` announces it): the smallest rate within a standard
/// error of the best (see [`chosen`]).
pub fn choose_lr(
    ds: &Dataset,
    plan: &Plan,
    device: &Device,
    stop: &AtomicBool,
    say: &mut dyn FnMut(String),
) -> Result<LrChoice> {
    let n = ds.len();
    if n < 10 {
        return Err(Error::Config(format!("{n} examples are too few to choose a learning rate; give --lr")));
    }
    let mut order: Vec<usize> = (0..n).collect();
    order.shuffle(&mut ChaCha8Rng::seed_from_u64(plan.seed ^ 0x6c72_5f72_616e_6765));
    let heldout = (n / 5).min(TEST_HELDOUT);
    let train = (n - heldout).min(TEST_TRAIN);
    order.truncate(train + heldout);
    let data = DeviceData::of_examples(ds, &order, &plan.inputs, device)?;
    let held: Vec<u32> = (train as u32..(train + heldout) as u32).collect();
    let chance = super::majority_rate(&data.labels, &held);
    let steps_per_epoch = train.div_ceil(plan.train.batch.max(1));
    let mut epochs = TEST_EPOCHS.max(MIN_STEPS.div_ceil(steps_per_epoch));
    let mut choice = test_at(&data, plan, (train, heldout), epochs, chance, stop)?;
    if choice.told_nothing() && choice.bar() < 1.0 {
        let first = epochs * steps_per_epoch;
        epochs *= RETRY_FACTOR;
        say(format!(
            "testing again at {} SGD steps: no learning rate beat chance in {first}",
            epochs * steps_per_epoch
        ));
        choice = test_at(&data, plan, (train, heldout), epochs, chance, stop)?;
    }
    Ok(choice)
}

/// Every candidate trained for `epochs` on the first `sizes.0` examples of `data`, judged on the next
/// `sizes.1`.
fn test_at(
    data: &DeviceData,
    plan: &Plan,
    sizes: (usize, usize),
    epochs: usize,
    chance: f64,
    stop: &AtomicBool,
) -> Result<LrChoice> {
    let (train, heldout) = sizes;
    let job = TrainJob { seed: plan.seed, train_indices: (0..train as u32).collect(), track: false };
    let held: Vec<u32> = (train as u32..(train + heldout) as u32).collect();
    let mut tried = Vec::with_capacity(LR_CANDIDATES.len());
    for lr in LR_CANDIDATES {
        let cfg = TrainConfig { lr, epochs, ..plan.train.clone() };
        let Some((net, outcomes)) =
            train_models(data, &plan.model, &cfg, std::slice::from_ref(&job), stop, &mut |_, _| {})?
        else {
            return Err(Error::Interrupted);
        };
        let accuracy = if outcomes[0].failure.is_some() {
            None
        } else {
            let preds = evaluate(net.as_ref(), data, std::slice::from_ref(&held))?;
            let hits = held.iter().zip(&preds[0]).filter(|(&i, &p)| data.labels[i as usize] == p).count();
            Some(hits as f64 / heldout.max(1) as f64)
        };
        tried.push((lr, accuracy));
    }
    Ok(LrChoice { lr: chosen(&tried, heldout), tried, sizes, epochs, chance })
}

/// The standard error of an accuracy `p` measured on `n` examples.
fn standard_error(p: f64, n: usize) -> f64 {
    (p * (1.0 - p) / n.max(1) as f64).sqrt()
}

/// The smallest rate whose accuracy is within a standard error (on `heldout` examples) of the best: a
/// difference that small is noise, and the smaller rate is the safer for ten epochs. The smallest rate
/// when none has an accuracy.
fn chosen(tried: &[(f64, Option<f64>)], heldout: usize) -> f64 {
    let Some(top) = best_accuracy(tried) else { return best(tried) };
    let floor = top - standard_error(top, heldout);
    tried.iter().filter(|t| t.1.is_some_and(|a| a >= floor)).map(|t| t.0).fold(f64::INFINITY, f64::min)
}

/// The best held-out accuracy of any rate.
fn best_accuracy(tried: &[(f64, Option<f64>)]) -> Option<f64> {
    tried.iter().filter_map(|t| t.1).reduce(f64::max)
}

/// The rate with the best accuracy (the smaller of equals); the smallest when none has one.
fn best(tried: &[(f64, Option<f64>)]) -> f64 {
    let mut best: Option<(f64, f64)> = None;
    for &(lr, acc) in tried {
        if let Some(a) = acc {
            if best.is_none_or(|(b_lr, b)| a > b || (a == b && lr < b_lr)) {
                best = Some((lr, a));
            }
        }
    }
    best.map_or_else(|| tried.iter().map(|t| t.0).fold(f64::INFINITY, f64::min), |b| b.0)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::{best, chosen};

    #[test]
    fn best_accuracy_wins_ties_go_to_the_smaller_rate() {
        assert_eq!(best(&[(0.1, None), (0.05, Some(0.6)), (0.02, Some(0.7)), (0.01, Some(0.7))]), 0.01);
        assert_eq!(best(&[(0.1, Some(0.9)), (0.05, Some(0.6))]), 0.1);
        assert_eq!(best(&[(0.1, None), (0.05, None)]), 0.05);
    }

    #[test]
    fn a_test_where_no_rate_beats_chance_says_so() {
        let choice = |accs: [Option<f64>; 2]| super::LrChoice {
            lr: 0.05,
            tried: vec![(0.1, accs[0]), (0.05, accs[1])],
            sizes: (800, 200),
            epochs: 2,
            chance: 0.712,
        };
        // 200 held out at 71.2%: the bar is 71.2 + 2·3.2 = 77.6%.
        let flat = choice([Some(0.712), None]);
        assert!(flat.told_nothing());
        assert!(flat.summary().ends_with("; no rate beat chance (71.2%, the majority class), so the test could not choose: give --lr if the runs learn nothing"), "{}", flat.summary());
        // 0.1 is best by more than a standard error (2.1%): it is kept.
        let tried = vec![(0.1, Some(0.9)), (0.05, Some(0.85))];
        let learned = super::LrChoice { lr: chosen(&tried, 200), tried, ..choice([None, None]) };
        assert_eq!(learned.lr, 0.1);
        assert!(!learned.told_nothing());
        assert!(learned.summary().ends_with("0.05: 85.0%; the best"), "{}", learned.summary());
        // Too few held out for any rate to clear the bar (here 6 at 66.7%: the bar is above 100%).
        let tiny = super::LrChoice {
            sizes: (12, 6),
            chance: 2.0 / 3.0,
            tried: vec![(0.1, Some(1.0))],
            ..flat.clone()
        };
        assert!(tiny.told_nothing());
        assert!(tiny.summary().ends_with("0.1: 100.0%; with 6 held-out examples no rate can beat chance (66.7%, the majority class) by two standard errors, so the test could not choose: give --lr if the runs learn nothing"), "{}", tiny.summary());
        // Within a standard error of the best, the smaller rate is kept, and the line says so.
        let tried = vec![(0.1, Some(0.9)), (0.05, Some(0.89))];
        let close = super::LrChoice { lr: chosen(&tried, 200), tried, ..learned.clone() };
        assert_eq!(close.lr, 0.05);
        assert!(
            close
                .summary()
                .ends_with("0.05: 89.0%; the smallest rate within a standard error (2.1%) of the best"),
            "{}",
            close.summary()
        );
    }

    #[test]
    fn the_smallest_rate_within_a_standard_error_of_the_best() {
        // 500 held out: the standard error at 70% is 2.0%.
        let tried =
            [(0.1, None), (0.05, Some(0.60)), (0.02, Some(0.70)), (0.01, Some(0.685)), (0.005, Some(0.67))];
        assert_eq!(chosen(&tried, 500), 0.01);
        assert_eq!(chosen(&tried, 50_000), 0.02, "with many held out, only the best");
        assert_eq!(chosen(&[(0.1, Some(0.7)), (0.05, Some(0.6)), (0.02, Some(0.5))], 500), 0.1);
        assert_eq!(chosen(&[(0.1, None), (0.05, None)], 500), 0.05);
    }
}
