//! Out-of-distribution replacements for one C×H×W image.

use rand::seq::SliceRandom;
use rand::RngCore;

/// Replaces every pixel with uniform noise.
pub(super) fn noise(img: &mut [u8], rng: &mut impl RngCore) {
    rng.fill_bytes(img);
}

/// Inverts every pixel (255 − p).
pub(super) fn invert(img: &mut [u8]) {
    for p in img {
        *p = 255 - *p;
    }
}

/// Rotates each channel 90° clockwise when square, else flips it upside down.
pub(super) fn rotate(img: &mut [u8], height: usize, width: usize) {
    let plane = height * width;
    if plane == 0 {
        return;
    }
    let mut src = vec![0u8; plane];
    for channel in img.chunks_exact_mut(plane) {
        src.copy_from_slice(channel);
        for r in 0..height {
            for c in 0..width {
                channel[r * width + c] = if height == width {
                    src[(height - 1 - c) * width + r]
                } else {
                    src[(height - 1 - r) * width + c]
                };
            }
        }
    }
}

/// Moves pixels to random positions (the same permutation in every channel, so colours stay whole).
pub(super) fn shuffle(img: &mut [u8], plane: usize, rng: &mut impl RngCore) {
    if plane == 0 {
        return;
    }
    let mut order: Vec<usize> = (0..plane).collect();
    order.shuffle(rng);
    let mut src = vec![0u8; plane];
    for channel in img.chunks_exact_mut(plane) {
        src.copy_from_slice(channel);
        for (dst, &from) in channel.iter_mut().zip(&order) {
            *dst = src[from];
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn rotates_square_and_flips_others() {
        // 2×2: [[1, 2], [3, 4]] rotated clockwise is [[3, 1], [4, 2]].
        let mut sq = vec![1, 2, 3, 4];
        rotate(&mut sq, 2, 2);
        assert_eq!(sq, vec![3, 1, 4, 2]);
        // 1×3 flipped upside down is itself; 2×1 swaps rows.
        let mut tall = vec![1, 2];
        rotate(&mut tall, 2, 1);
        assert_eq!(tall, vec![2, 1]);
    }

    #[test]
    fn shuffle_keeps_the_pixels() {
        use rand::SeedableRng;
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(1);
        let mut img: Vec<u8> = (0..32).collect();
        shuffle(&mut img, 16, &mut rng);
        let mut first: Vec<u8> = img[..16].to_vec();
        first.sort_unstable();
        assert_eq!(first, (0..16).collect::<Vec<u8>>());
        assert_eq!(img[16] - img[0], 16, "channels move together");
    }
}
