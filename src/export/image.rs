//! One example of a dataset as an `image` crate picture (grey or RGB), for PNG export and `cscore show`.

use image::{DynamicImage, GrayImage, RgbImage};

use crate::data::Dataset;

/// Example `index` of `ds` as a grey (1 channel) or RGB (3 channels) image; `None` when out of range or
/// of another channel count.
pub fn example_image(ds: &Dataset, index: usize) -> Option<DynamicImage> {
    if index >= ds.len() || !ds.has_pixels() {
        return None;
    }
    let (w, h) = (u32::try_from(ds.width).ok()?, u32::try_from(ds.height).ok()?);
    let px = ds.image(index);
    match ds.channels {
        1 => GrayImage::from_raw(w, h, px.to_vec()).map(DynamicImage::ImageLuma8),
        3 => {
            let plane = ds.height * ds.width;
            let mut hwc = Vec::with_capacity(3 * plane);
            for i in 0..plane {
                hwc.extend([px[i], px[plane + i], px[2 * plane + i]]);
            }
            RgbImage::from_raw(w, h, hwc).map(DynamicImage::ImageRgb8)
        }
        _ => None,
    }
}
