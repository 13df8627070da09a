//! Per-channel statistics of a dataset's pixels, for standardizing a model's inputs.

use super::Dataset;

/// The smallest standard deviation reported: a constant channel is divided by 1/255, not by zero.
const MIN_STD: f64 = 1.0 / 255.0;

/// Mean and standard deviation of each channel over every pixel of every example, on the [0, 1] scale
/// (pixel / 255), rounded to six decimals so that they survive a round trip through the workspace exactly.
#[derive(Debug, Clone, PartialEq)]
pub struct ChannelStats {
    /// Mean of each channel.
    pub mean: Vec<f64>,
    /// Standard deviation of each channel (population), at least 1/255.
    pub std: Vec<f64>,
}

impl ChannelStats {
    /// The statistics of `ds`, exact (from a histogram of the u8 values of each channel).
    pub fn of(ds: &Dataset) -> ChannelStats {
        let c = ds.channels.max(1);
        let plane = ds.height * ds.width;
        let mut hist = vec![[0u64; 256]; c];
        for image in ds.pixels.chunks_exact((c * plane).max(1)) {
            for (h, values) in hist.iter_mut().zip(image.chunks_exact(plane.max(1))) {
                for &v in values {
                    h[v as usize] += 1;
                }
            }
        }
        let (mut mean, mut std) = (Vec::with_capacity(c), Vec::with_capacity(c));
        for h in &hist {
            let count: u64 = h.iter().sum();
            let n = count.max(1) as f64;
            let m = h.iter().enumerate().map(|(v, &k)| v as f64 * k as f64).sum::<f64>() / n / 255.0;
            let var =
                h.iter().enumerate().map(|(v, &k)| (v as f64 / 255.0 - m).powi(2) * k as f64).sum::<f64>()
                    / n;
            mean.push(round6(m));
            std.push(round6(var.sqrt().max(MIN_STD)));
        }
        ChannelStats { mean, std }
    }
}

fn round6(x: f64) -> f64 {
    (x * 1e6).round() / 1e6
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::data::Format;

    fn dataset(channels: usize, pixels: Vec<u8>) -> Dataset {
        let n = pixels.len() / (channels * 4);
        Dataset {
            name: "t".into(),
            source: "t".into(),
            format: Format::Npz,
            channels,
            height: 2,
            width: 2,
            pixels,
            labels: vec![0; n],
            class_names: vec!["a".into()],
            paths: None,
            content_hash: String::new(),
            notes: Vec::new(),
            unreadable: Vec::new(),
        }
    }

    #[test]
    fn per_channel_mean_and_std() {
        // Two RGB 2×2 images: red is 0 and 255 (half each), green constant 51, blue 0,0,0,255 per image.
        let img = |r: u8| {
            let mut v = vec![r; 4];
            v.extend([51u8; 4]);
            v.extend([0, 0, 0, 255]);
            v
        };
        let mut pixels = img(0);
        pixels.extend(img(255));
        let s = ChannelStats::of(&dataset(3, pixels));
        assert_eq!(s.mean, vec![0.5, 0.2, 0.25]);
        assert_eq!(s.std[0], 0.5);
        assert_eq!(s.std[1], round6(MIN_STD), "a constant channel is not divided by zero");
        assert_eq!(s.std[2], round6((0.75f64 * 0.25).sqrt()));
    }

    #[test]
    fn channels_are_planes_not_interleaved() {
        // One grey-ish image whose first channel is all 255 and second all 0.
        let s = ChannelStats::of(&dataset(2, [[255u8; 4], [0u8; 4]].concat()));
        assert_eq!(s.mean, vec![1.0, 0.0]);
    }
}
