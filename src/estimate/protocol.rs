//! Protocols: how the models of an estimate are made, per kind of data. The paper's MNIST protocol for small
//! grey images; a CNN on standardized inputs, with a learning rate from a short range test, for the rest.

use super::lr_range::choose_lr;
use super::resolve::{resolve_plan_with, PlanOverrides};
use super::Plan;
use crate::data::{ChannelStats, Dataset};
use crate::model::{Inputs, ModelSpec};
use crate::store::Workspace;
use crate::{Error, Result};
use candle_core::Device;
use serde::{Deserialize, Serialize};
use std::sync::atomic::AtomicBool;

/// The largest grey images (in either side) that `auto` gives the reference protocol.
pub const REFERENCE_MAX_SIDE: usize = 32;

/// The smallest images (in either side) the CNN takes.
const CNN_MIN_SIDE: usize = 12;

/// A protocol a plan was made with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Protocol {
    /// The paper's MNIST protocol: MLP 512,256 on inputs in [0, 1], lr 0.1, momentum 0.9, batch 128,
    /// 10 epochs.
    #[default]
    Reference,
    /// For colour or larger images: the CNN (the MLP for images under 12×12), inputs standardized per
    /// channel, the learning rate chosen by a short range test; momentum, batch and epochs as the reference.
    Image,
}

/// What `--protocol` asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum ProtocolChoice {
    /// `reference` for grey images up to 32×32, `image` for colour or larger images.
    #[default]
    Auto,
    /// The paper's MNIST protocol (MLP 512-256, inputs in [0, 1], lr 0.1, batch 128, 10 epochs; He-normal
    /// initialisation where the authors' code has Glorot-normal).
    Reference,
    /// CNN, standardized inputs, learning rate from a range test.
    Image,
}

impl Protocol {
    /// The name `--protocol` takes.
    pub fn name(self) -> &'static str {
        match self {
            Protocol::Reference => "reference",
            Protocol::Image => "image",
        }
    }

    /// The protocol `auto` picks for images of `channels` × `height` × `width`.
    pub fn auto(channels: usize, height: usize, width: usize) -> Protocol {
        if channels == 1 && height <= REFERENCE_MAX_SIDE && width <= REFERENCE_MAX_SIDE {
            Protocol::Reference
        } else {
            Protocol::Image
        }
    }

    /// The plan this protocol starts a new workspace on `ds` with, before flags and before the learning
    /// rate test (the image protocol's rate is the reference's until then).
    pub fn base_plan(self, ds: &Dataset) -> Plan {
        match self {
            Protocol::Reference => Plan::default(),
            Protocol::Image => Plan {
                protocol: Protocol::Image,
                model: if ds.height >= CNN_MIN_SIDE && ds.width >= CNN_MIN_SIDE {
                    ModelSpec::Cnn
                } else {
                    ModelSpec::default()
                },
                inputs: Inputs::standardized(&ChannelStats::of(ds)),
                ..Plan::default()
            },
        }
    }
}

impl ProtocolChoice {
    /// The protocol this choice means for `ds`.
    pub fn resolve(self, ds: &Dataset) -> Protocol {
        match self {
            ProtocolChoice::Auto => Protocol::auto(ds.channels, ds.height, ds.width),
            ProtocolChoice::Reference => Protocol::Reference,
            ProtocolChoice::Image => Protocol::Image,
        }
    }
}

/// Resolves the plan of an estimate of `ds` on `ws` as [`super::resolve_plan`] does, with a protocol for a
/// new workspace: `choice` (`None`: auto) picks it, the flags override its settings, and the image protocol
/// runs its learning-rate test (on `device`) unless `--lr` is given. A workspace that has a plan keeps it
/// (nothing is tested again); naming another protocol for it is refused. `say` receives one line about the
/// protocol chosen for a new workspace.
pub fn resolve_protocol_plan(
    ws: &Workspace,
    flags: &PlanOverrides,
    choice: Option<ProtocolChoice>,
    ds: &Dataset,
    device: &Device,
    stop: &AtomicBool,
    say: &mut dyn FnMut(String),
) -> Result<Plan> {
    let wanted = choice.unwrap_or_default().resolve(ds);
    if let Some(old) = super::stored_plan(ws)? {
        // An explicit `auto` is what every resume means anyway: only a named protocol can disagree.
        if choice.is_some_and(|c| c != ProtocolChoice::Auto) && old.protocol != wanted {
            return Err(Error::Config(format!(
                "{}: this workspace was estimated with --protocol {}, not {}; resume it without --protocol, \
                 or start another workspace with -w",
                ws.path().display(),
                old.protocol.name(),
                wanted.name()
            )));
        }
    }
    resolve_plan_with(ws, flags, &mut |flags| {
        let mut plan = flags.apply(&wanted.base_plan(ds));
        plan.validate()?;
        // Refused before the plan is stored, so the workspace is not left with a plan it cannot train.
        if plan.model == ModelSpec::Cnn && (ds.height < CNN_MIN_SIDE || ds.width < CNN_MIN_SIDE) {
            return Err(Error::Config(format!(
                "--model cnn needs images of at least {CNN_MIN_SIDE}×{CNN_MIN_SIDE}, these are {}×{}; use an MLP \
                 (--model mlp:512,256)",
                ds.height, ds.width
            )));
        }
        // A small dataset at the smallest ratio is a handful of batches: too few SGD steps to learn.
        // Only where no batch was chosen: `--protocol reference` named stays the paper's protocol exactly,
        // and a given --batch is kept (`--protocol image` named is cscore's own protocol, as auto would
        // choose it). A given --epochs counts in the steps (more epochs, fewer halvings).
        let chosen = flags.batch.is_some() || choice == Some(ProtocolChoice::Reference);
        let steps = min_smallest_ratio_steps(wanted);
        let small = (!chosen).then(|| small_data_batch(ds.len(), &plan, steps)).flatten();
        let (base_lr, base_batch) = (plan.train.lr, plan.train.batch);
        if let Some(batch) = small {
            // A fixed rate (the reference protocol's 0.1 for batches of 128) scales with the batch, as
            // the linear scaling rule has it; the image protocol's range test runs at the new batch.
            if wanted == Protocol::Reference && flags.lr.is_none() {
                let scaled = plan.train.lr * batch as f64 / plan.train.batch as f64;
                plan.train.lr = (scaled * 1e6).round() / 1e6;
            }
            plan.train.batch = batch;
        }
        let how = match (wanted, flags.lr) {
            (Protocol::Image, None) => {
                say(format!(
                    "testing {} learning rates on a subset of up to {} examples before the first run (--lr skips this)",
                    super::LR_CANDIDATES.len(),
                    super::lr_range::TEST_TRAIN
                ));
                let choice = choose_lr(ds, &plan, device, stop, &mut *say)?;
                plan.train.lr = choice.lr;
                format!("lr {} ({})", choice.lr, choice.summary())
            }
            _ if plan.train.lr != base_lr => {
                format!("lr {} ({base_lr} for batch {base_batch}, scaled to the batch)", plan.train.lr)
            }
            _ => format!("lr {}", plan.train.lr),
        };
        let why = match choice {
            Some(ProtocolChoice::Auto) | None => format!(" (auto: {})", auto_reason(ds)),
            _ => String::new(),
        };
        let batch = match small {
            Some(b) => {
                let took = steps_at_smallest_ratio(ds.len(), &plan);
                let short = if took < steps {
                    format!(
                        ", fewer than the {steps} wanted even at the smallest batch; more --epochs add steps"
                    )
                } else {
                    String::new()
                };
                format!(
                    ", batch {b} (a small dataset: ratio {} trains {took} SGD steps{short})",
                    min_ratio(&plan)
                )
            }
            None => {
                // The batch chosen (--batch, or the paper's protocol named): said, and when it is too
                // large for the dataset, said so.
                let took = steps_at_smallest_ratio(ds.len(), &plan);
                let short = if took < steps {
                    format!(
                        " (ratio {} trains {took} SGD steps, fewer than the {steps} wanted; a smaller --batch or \
                         more --epochs add steps)",
                        min_ratio(&plan)
                    )
                } else {
                    String::new()
                };
                format!(", batch {}{short}", plan.train.batch)
            }
        };
        say(format!(
            "protocol {}{why}: --model {}, inputs {}, {how}{batch}",
            wanted.name(),
            plan.model,
            plan.inputs
        ));
        Ok(plan)
    })
}

/// SGD steps a run at the smallest ratio should take at least, for a model to learn anything.
pub const MIN_SMALLEST_RATIO_STEPS: usize = 50;

/// The same for the image protocol's CNN, whose C-scores gain from more, smaller steps: on colour and
/// grey digit folders of 2,000 and 3,000 images and a colored MNIST of 10,000 (batches 32, 64 and 128
/// halved to 16, 16 and 32) the AP of flipped labels rose by 0.03, 0.07 and 0.08 at about the same CPU
/// time (README, "Small datasets"). Datasets of under about 24,000 examples are affected.
pub const IMAGE_MIN_SMALLEST_RATIO_STEPS: usize = 200;

/// The steps [`small_data_batch`] aims at under `protocol`.
fn min_smallest_ratio_steps(protocol: Protocol) -> usize {
    match protocol {
        Protocol::Reference => MIN_SMALLEST_RATIO_STEPS,
        Protocol::Image => IMAGE_MIN_SMALLEST_RATIO_STEPS,
    }
}

fn min_ratio(plan: &Plan) -> f64 {
    plan.ratios.iter().copied().fold(1.0, f64::min)
}

/// SGD steps of a run at the plan's smallest ratio on `n` examples.
fn steps_at_smallest_ratio(n: usize, plan: &Plan) -> usize {
    let subset = ((n as f64 * min_ratio(plan)).round() as usize).max(1);
    plan.train.epochs * subset.div_ceil(plan.train.batch.max(1))
}

/// The smallest batch a small dataset is given.
const MIN_BATCH: usize = 16;

/// The batch (a power of two, at least [`MIN_BATCH`]) that gives a run at the smallest ratio `steps`
/// steps, when the plan's batch gives it fewer; `None` when it is enough.
fn small_data_batch(n: usize, plan: &Plan, steps: usize) -> Option<usize> {
    if steps_at_smallest_ratio(n, plan) >= steps {
        return None;
    }
    let mut batch = plan.train.batch;
    while batch > MIN_BATCH {
        batch /= 2;
        let p = Plan { train: crate::model::TrainConfig { batch, ..plan.train.clone() }, ..plan.clone() };
        if steps_at_smallest_ratio(n, &p) >= steps {
            break;
        }
    }
    (batch != plan.train.batch).then_some(batch)
}

/// Why `auto` chose its protocol for `ds`, in a few words.
fn auto_reason(ds: &Dataset) -> String {
    let side = REFERENCE_MAX_SIDE;
    match Protocol::auto(ds.channels, ds.height, ds.width) {
        Protocol::Reference => format!("grey images up to {side}×{side}"),
        Protocol::Image if ds.channels != 1 => "colour images".into(),
        Protocol::Image => format!("images larger than {side}×{side}"),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn auto_keeps_the_reference_protocol_for_small_grey_images() {
        assert_eq!(Protocol::auto(1, 28, 28), Protocol::Reference);
        assert_eq!(Protocol::auto(1, 32, 32), Protocol::Reference);
        assert_eq!(Protocol::auto(1, 8, 8), Protocol::Reference);
        assert_eq!(Protocol::auto(3, 32, 32), Protocol::Image);
        assert_eq!(Protocol::auto(3, 8, 8), Protocol::Image);
        assert_eq!(Protocol::auto(1, 64, 64), Protocol::Image);
        assert_eq!(Protocol::auto(1, 28, 40), Protocol::Image);
    }

    #[test]
    fn small_datasets_get_a_smaller_batch() {
        let plan = Plan::default(); // ratios from 0.1, batch 128, 10 epochs
        assert_eq!(
            small_data_batch(10_000, &plan, MIN_SMALLEST_RATIO_STEPS),
            None,
            "1,000 examples at 0.1: 80 steps"
        );
        assert_eq!(
            small_data_batch(1_000, &plan, MIN_SMALLEST_RATIO_STEPS),
            Some(16),
            "100 examples: 10 steps at 128, 70 at 16"
        );
        assert_eq!(
            small_data_batch(5_000, &plan, MIN_SMALLEST_RATIO_STEPS),
            Some(64),
            "500 examples: 40 steps at 128, 80 at 64"
        );
        assert_eq!(small_data_batch(100, &plan, MIN_SMALLEST_RATIO_STEPS), Some(16), "at least 16");
        let image = IMAGE_MIN_SMALLEST_RATIO_STEPS;
        assert_eq!(
            small_data_batch(10_000, &plan, image),
            Some(32),
            "1,000 examples at 0.1: 320 steps at 32"
        );
        assert_eq!(small_data_batch(24_000, &plan, image), Some(64), "190 steps at 128, 380 at 64");
        assert_eq!(small_data_batch(30_000, &plan, image), None, "240 steps at 128");
        assert_eq!(small_data_batch(2_000, &plan, image), Some(16), "130 steps at the smallest batch");
        let few = Plan { train: crate::model::TrainConfig { epochs: 1, ..plan.train.clone() }, ..plan };
        assert_eq!(steps_at_smallest_ratio(60_000, &few), 47);
    }

    #[test]
    fn the_reference_protocol_is_the_papers_mnist_protocol() {
        let p = Plan::default();
        assert_eq!(p.protocol, Protocol::Reference);
        assert_eq!(p.model, ModelSpec::Mlp(vec![512, 256]));
        assert_eq!(p.inputs, Inputs::Unit);
        let t = &p.train;
        assert_eq!((t.lr, t.momentum, t.batch, t.epochs, t.weight_decay), (0.1, 0.9, 128, 10, 0.0));
    }
}
