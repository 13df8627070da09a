//! The size an image folder is read at when none is asked for: the images' own size when they share
//! one that a CPU trains at in reasonable time, else a small one. Photos are hundreds of pixels a side;
//! kept whole they would cost thousands of times a 32×32 image in memory and in every model (40 phone
//! photos at 3000×2000 took 13.5 GB before this), so larger images are resized to [`DEFAULT_SIDE`]
//! pixels on their longer side, aspect kept, and the user is told so.

use std::collections::HashMap;

/// Images whose longer side is at most this are read at their own size by default.
pub const KEEP_UP_TO: usize = 64;
/// The longer side larger images are resized to by default (CIFAR's 32).
pub const DEFAULT_SIDE: usize = 32;

/// The default size of images of these (height, width) sizes, and the note that says what was chosen
/// (`None` when every image keeps its own size).
pub fn default_size(sizes: &[(usize, usize)]) -> ((usize, usize), Option<String>) {
    let (common, count) = most_common(sizes);
    let distinct = {
        let mut s = sizes.to_vec();
        s.sort_unstable();
        s.dedup();
        s.len()
    };
    // Without a size that most images share, the median height and width; where both orientations are
    // common (phone photos), a square at the median shorter side (medians taken apart would pair the
    // landscape photos' width with the portrait ones' height, a size no image has).
    let landscape = sizes.iter().filter(|s| s.1 > s.0).count();
    let portrait = sizes.iter().filter(|s| s.0 > s.1).count();
    let mixed = 4 * landscape.min(portrait) >= sizes.len();
    let base = if 2 * count > sizes.len() {
        common
    } else if mixed {
        let side = median(sizes, |s| s.0.min(s.1));
        (side, side)
    } else {
        (median(sizes, |s| s.0), median(sizes, |s| s.1))
    };
    let longer = base.0.max(base.1);
    let size = if longer > KEEP_UP_TO {
        let scale = |side: usize| ((side * DEFAULT_SIDE + longer / 2) / longer).max(1);
        (scale(base.0), scale(base.1))
    } else {
        base
    };
    let n = sizes.len();
    let what = if distinct == 1 {
        format!("all {}×{}", base.0, base.1)
    } else if base == common {
        format!("{distinct} sizes, most common {}×{} ({count} of {n})", common.0, common.1)
    } else if mixed {
        format!("{distinct} sizes, {landscape} landscape and {portrait} portrait: square at their median shorter side, {}", base.0)
    } else {
        format!("{distinct} sizes, median {}×{}", base.0, base.1)
    };
    let note = (distinct > 1 || size != base).then(|| {
        let why = if size == base { "" } else { " (the longer side capped at 32 for training on a CPU)" };
        format!(
            "images: {n} files ({what}) resized to {}×{}{why}; --image-size HxW chooses the size",
            size.0, size.1
        )
    });
    (size, note)
}

/// Images whose width-to-height ratio differs from the read size's by more than this factor are said to
/// be stretched (a 4:3 photo read at 32×32 is; 32×31 from rounding is not).
const STRETCH: f64 = 1.1;

/// The note for the images of these (height, width) `sizes` whose shape `size` changes: resizing to one
/// size stretches them, as torchvision's `Resize((h, w))` does, which a model then sees. `name(i)` names
/// image `i` (the first one is given as an example); `asked`: the size is the user's `--image-size`.
/// `None` when none is stretched.
pub fn stretch_note(
    sizes: &[(usize, usize)],
    size: (usize, usize),
    asked: bool,
    name: impl Fn(usize) -> String,
) -> Option<String> {
    let target = size.1 as f64 / size.0.max(1) as f64;
    let stretched = |&(h, w): &(usize, usize)| {
        let ratio = (w as f64 / h.max(1) as f64) / target;
        ratio.max(1.0 / ratio) > STRETCH
    };
    let first = sizes.iter().position(stretched)?;
    let count = sizes.iter().filter(|s| stretched(s)).count();
    let (h, w) = sizes[first];
    let advice = if asked {
        "an --image-size of their shape, or cropping or padding them first, keeps their proportions"
    } else {
        "crop or pad them to one shape first to keep their proportions"
    };
    Some(format!(
        "images: {count} of {} have another shape than {}×{} (height×width) and are stretched to it (first: {}, \
         {h}×{w}); {advice}",
        sizes.len(),
        size.0,
        size.1,
        name(first)
    ))
}

/// The most common size and how many have it; ties go to the size seen first.
fn most_common(sizes: &[(usize, usize)]) -> ((usize, usize), usize) {
    let mut counts: HashMap<(usize, usize), (usize, usize)> = HashMap::new();
    for (i, &s) in sizes.iter().enumerate() {
        counts.entry(s).or_insert((0, i)).0 += 1;
    }
    counts
        .into_iter()
        .max_by_key(|&(_, (count, first))| (count, std::cmp::Reverse(first)))
        .map_or(((1, 1), 0), |(size, (count, _))| (size, count))
}

fn median(sizes: &[(usize, usize)], side: impl Fn(&(usize, usize)) -> usize) -> usize {
    let mut v: Vec<usize> = sizes.iter().map(side).collect();
    v.sort_unstable();
    v.get(v.len() / 2).copied().unwrap_or(1)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn small_images_keep_their_size_and_large_ones_are_capped() {
        assert_eq!(default_size(&[(28, 28); 5]), ((28, 28), None));
        assert_eq!(default_size(&[(64, 64); 3]).0, (64, 64));
        let (size, note) = default_size(&[(224, 224); 4]);
        assert_eq!(size, (32, 32));
        assert_eq!(
            note.unwrap(),
            "images: 4 files (all 224×224) resized to 32×32 (the longer side capped at 32 for training on a \
             CPU); --image-size HxW chooses the size"
        );
        let photos = [(96, 128), (96, 128), (96, 128), (300, 200), (60, 80)];
        let (size, note) = default_size(&photos);
        assert_eq!(size, (24, 32), "aspect kept");
        assert!(note.unwrap().contains("3 sizes, most common 96×128 (3 of 5)"));
    }

    #[test]
    fn images_of_another_shape_are_said_to_be_stretched() {
        let name = |i: usize| format!("img{i}.jpg");
        assert_eq!(stretch_note(&[(96, 128), (300, 400)], (24, 32), false, name), None, "4:3 read at 4:3");
        assert_eq!(
            stretch_note(&[(32, 31), (31, 32)], (32, 32), false, name),
            None,
            "rounding is no stretch"
        );
        let photos = [(96, 128), (300, 200), (60, 80), (200, 300)];
        assert_eq!(
            stretch_note(&photos, (24, 32), false, name).unwrap(),
            "images: 2 of 4 have another shape than 24×32 (height×width) and are stretched to it (first: \
             img1.jpg, 300×200); crop or pad them to one shape first to keep their proportions"
        );
        let asked = stretch_note(&photos, (32, 32), true, name).unwrap();
        assert!(asked.starts_with("images: 4 of 4 have another shape than 32×32"), "{asked}");
        assert!(asked.ends_with(
            "; an --image-size of their shape, or cropping or padding them first, keeps their proportions"
        ));
    }

    #[test]
    fn most_common_size_prefers_count_then_first_seen() {
        assert_eq!(most_common(&[(2, 3), (4, 4), (4, 4)]), ((4, 4), 2));
        assert_eq!(most_common(&[(2, 3), (4, 4)]), ((2, 3), 1));
    }

    #[test]
    fn without_a_common_size_the_median_is_the_base() {
        let sizes = [(60, 50), (183, 174), (52, 51), (40, 38), (30, 30), (50, 60)];
        let (size, note) = default_size(&sizes);
        assert_eq!(size, (52, 51));
        assert!(note.unwrap().contains("6 sizes, median 52×51"));
        // Both orientations common: not the landscape widths with the portrait heights, but a square.
        let phone = [[(3000, 4000); 3], [(4000, 3000); 3]].concat();
        let (size, note) = default_size(&phone);
        assert_eq!(size, (32, 32));
        assert!(note
            .unwrap()
            .contains("(2 sizes, 3 landscape and 3 portrait: square at their median shorter side, 3000)"));
        let small = [(60, 50), (183, 174), (50, 60), (40, 50), (30, 30)];
        assert_eq!(default_size(&small).0, (50, 50), "2 landscape, 2 portrait: a square");
        let large = [(60, 70), (183, 174), (100, 120), (40, 50), (30, 30)];
        assert_eq!(default_size(&large).0, (27, 32), "median 60×70, capped at 32");
        let mixed_small = [(28, 28), (28, 28), (30, 30)];
        let (size, note) = default_size(&mixed_small);
        assert_eq!(size, (28, 28));
        assert!(note.unwrap().ends_with("resized to 28×28; --image-size HxW chooses the size"));
    }
}
