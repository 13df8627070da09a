//! Injected corruption with known ground truth: flipped labels and out-of-distribution images.

use super::{invalid, ood, DataError, Dataset};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::path::Path;

/// How much corruption to inject, and the seed that makes it reproducible.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Corruption {
    /// Fraction of examples whose label is flipped to another class, in [0, 1).
    pub label_noise: f64,
    /// Fraction of examples whose image is replaced by an out-of-distribution one, in [0, 1).
    pub ood: f64,
    /// Seed of the choice of examples and of the corruption itself.
    pub seed: u64,
}

/// What was done to an injected example.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum InjectedKind {
    /// The label was changed to a different class.
    LabelFlip,
    /// The image was replaced by uniform noise.
    OodNoise,
    /// The image was inverted (255 − p).
    OodInverted,
    /// The image was rotated 90° (square images) or flipped upside down.
    OodRotated,
    /// The image's pixels were shuffled.
    OodShuffled,
}

/// The OOD kinds, applied in turn to the chosen examples.
const OOD_KINDS: [InjectedKind; 4] =
    [InjectedKind::OodNoise, InjectedKind::OodInverted, InjectedKind::OodRotated, InjectedKind::OodShuffled];

impl InjectedKind {
    /// Every kind.
    pub const ALL: [InjectedKind; 5] = [
        InjectedKind::LabelFlip,
        InjectedKind::OodNoise,
        InjectedKind::OodInverted,
        InjectedKind::OodRotated,
        InjectedKind::OodShuffled,
    ];

    /// The name stored in the workspace and exported (`label_flip`, `ood_noise`, …).
    pub fn name(self) -> &'static str {
        match self {
            InjectedKind::LabelFlip => "label_flip",
            InjectedKind::OodNoise => "ood_noise",
            InjectedKind::OodInverted => "ood_inverted",
            InjectedKind::OodRotated => "ood_rotated",
            InjectedKind::OodShuffled => "ood_shuffled",
        }
    }

    /// Parses a name written by [`InjectedKind::name`].
    pub fn from_name(name: &str) -> Option<InjectedKind> {
        Self::ALL.into_iter().find(|k| k.name() == name)
    }

    /// True for the kinds that replace the image rather than the label.
    pub fn is_ood(self) -> bool {
        self != InjectedKind::LabelFlip
    }
}

/// One corrupted example.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Injection {
    /// The example's index in the dataset.
    pub index: usize,
    /// What was done to it.
    pub kind: InjectedKind,
    /// Its label before injection (unchanged for OOD kinds).
    pub original_label: u32,
}

/// Corrupts round(F·N) distinct examples per kind (label flips and OOD images never overlap),
/// deterministically from the seed; returns what was done, sorted by index. The content hash is kept.
pub fn inject(ds: &mut Dataset, c: &Corruption) -> Result<Vec<Injection>, DataError> {
    let d = ds.example_len();
    if ds.len().checked_mul(d) != Some(ds.pixels.len()) {
        return Err(invalid(&ds.source, "the dataset is inconsistent (pixel count or labels out of range)"));
    }
    let k = ds.num_classes();
    let (mut rng, mut out, replaced) = flip_labels(&mut ds.labels, k, &ds.source, c)?;
    let (h, w) = (ds.height, ds.width);
    for (j, &index) in replaced.iter().enumerate() {
        let kind = OOD_KINDS[j % OOD_KINDS.len()];
        let img = &mut ds.pixels[index * d..(index + 1) * d];
        match kind {
            InjectedKind::OodNoise => ood::noise(img, &mut rng),
            InjectedKind::OodInverted => ood::invert(img),
            InjectedKind::OodRotated => ood::rotate(img, h, w),
            InjectedKind::OodShuffled | InjectedKind::LabelFlip => ood::shuffle(img, h * w, &mut rng),
        }
        out.push(Injection { index, kind, original_label: ds.labels[index] });
    }
    out.sort_by_key(|x| x.index);
    Ok(out)
}

/// [`inject`]'s effect on the labels alone (the same flips, and which examples' images it replaces) for
/// `labels` of `num_classes` classes read from `source`: what a reader of the labels sees before the
/// pixels are in.
pub fn inject_labels(
    labels: &mut [u32],
    num_classes: usize,
    source: &Path,
    c: &Corruption,
) -> Result<Vec<Injection>, DataError> {
    let (_, mut out, replaced) = flip_labels(labels, num_classes, source, c)?;
    out.extend(replaced.iter().enumerate().map(|(j, &index)| Injection {
        index,
        kind: OOD_KINDS[j % OOD_KINDS.len()],
        original_label: labels[index],
    }));
    out.sort_by_key(|x| x.index);
    Ok(out)
}

/// Chooses the corrupted examples and flips the labels of the first round(F·N); returns the generator
/// (the OOD replacements draw from it next), the flips and the examples whose images are replaced.
fn flip_labels(
    labels: &mut [u32],
    k: usize,
    source: &Path,
    c: &Corruption,
) -> Result<(ChaCha8Rng, Vec<Injection>, Vec<usize>), DataError> {
    let n = labels.len();
    let count = |f: f64, what: &str| {
        if (0.0..1.0).contains(&f) {
            Ok((f * n as f64).round() as usize)
        } else {
            Err(invalid(source, format!("{what} fraction {f} is outside [0, 1)")))
        }
    };
    let flips = count(c.label_noise, "label-noise")?;
    let oods = count(c.ood, "OOD")?;
    let total = flips + oods;
    if total > n {
        return Err(invalid(
            source,
            format!(
                "label noise ({flips}) and OOD ({oods}) ask for {total} corrupted examples \
                 but the dataset holds only {n}"
            ),
        ));
    }
    if flips > 0 && k < 2 {
        return Err(invalid(source, "cannot flip labels: the dataset has fewer than 2 classes"));
    }
    if labels.iter().any(|&y| y as usize >= k) {
        return Err(invalid(source, "the dataset is inconsistent (pixel count or labels out of range)"));
    }
    let mut rng = ChaCha8Rng::seed_from_u64(c.seed);
    let chosen = rand::seq::index::sample(&mut rng, n, total).into_vec();
    let (flipped, replaced) = chosen.split_at(flips);
    let mut out = Vec::with_capacity(total);
    for &index in flipped {
        let original_label = labels[index];
        // k ≥ 2 and labels < k were checked above, so this never overflows or leaves 0..k.
        let mut new = rng.random_range(0..k as u32 - 1);
        if new >= original_label {
            new += 1;
        }
        labels[index] = new;
        out.push(Injection { index, kind: InjectedKind::LabelFlip, original_label });
    }
    Ok((rng, out, replaced.to_vec()))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::data::Format;

    fn dataset(n: usize, k: u32) -> Dataset {
        Dataset {
            name: "t".into(),
            source: "t".into(),
            format: Format::Idx,
            channels: 1,
            height: 4,
            width: 4,
            pixels: (0..n * 16).map(|i| (i * 7 % 251) as u8).collect(),
            labels: (0..n as u32).map(|i| i % k).collect(),
            class_names: (0..k).map(|c| c.to_string()).collect(),
            paths: None,
            content_hash: String::new(),
            notes: Vec::new(),
            unreadable: Vec::new(),
        }
    }

    #[test]
    fn the_labels_alone_get_the_same_flips_and_choices_as_the_whole_dataset() {
        for seed in [0, 1, 42] {
            let c = Corruption { label_noise: 0.1, ood: 0.05, seed };
            let mut ds = dataset(500, 7);
            let mut labels = ds.labels.clone();
            let whole = inject(&mut ds, &c).unwrap();
            let alone = inject_labels(&mut labels, 7, Path::new("t"), &c).unwrap();
            assert_eq!(whole, alone);
            assert_eq!(ds.labels, labels);
            assert_eq!(whole.iter().filter(|i| i.kind == InjectedKind::LabelFlip).count(), 50);
        }
        let c = Corruption { label_noise: 0.5, ood: 0.6, seed: 0 };
        assert!(inject_labels(&mut [0; 10], 2, Path::new("t"), &c).is_err());
    }
}
