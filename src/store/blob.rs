//! Per-example vectors packed as little-endian BLOBs.

/// Packs `f32`s little-endian (NaN payloads kept, so NaN can mean "missing").
pub(super) fn f32s_to_bytes(values: &[f32]) -> Vec<u8> {
    values.iter().flat_map(|v| v.to_le_bytes()).collect()
}

/// Unpacks little-endian `f32`s; `None` when the length is not a multiple of 4.
pub(super) fn bytes_to_f32s(bytes: &[u8]) -> Option<Vec<f32>> {
    if !bytes.len().is_multiple_of(4) {
        return None;
    }
    Some(bytes.chunks_exact(4).map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]])).collect())
}

/// Bytes per stored label: u8 up to 256 classes, u16 up to 65,536, else u32.
pub(super) fn label_width(num_classes: usize) -> usize {
    if num_classes <= 1 << 8 {
        1
    } else if num_classes <= 1 << 16 {
        2
    } else {
        4
    }
}

/// Packs labels in `width` little-endian bytes each (callers check labels < num_classes first).
pub(super) fn labels_to_bytes(labels: &[u32], width: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(labels.len() * width);
    for &label in labels {
        out.extend_from_slice(&label.to_le_bytes()[..width]);
    }
    out
}

/// Unpacks labels of `width` bytes each; `None` when the length is not a multiple of `width`.
pub(super) fn bytes_to_labels(bytes: &[u8], width: usize) -> Option<Vec<u32>> {
    if width == 0 || !bytes.len().is_multiple_of(width) {
        return None;
    }
    Some(
        bytes
            .chunks_exact(width)
            .map(|c| {
                let mut le = [0u8; 4];
                le[..width].copy_from_slice(c);
                u32::from_le_bytes(le)
            })
            .collect(),
    )
}

/// Packs `f64`s little-endian.
pub(super) fn f64s_to_bytes(values: &[f64]) -> Vec<u8> {
    values.iter().flat_map(|v| v.to_le_bytes()).collect()
}

/// Unpacks little-endian `f64`s; `None` when the length is not a multiple of 8.
pub(super) fn bytes_to_f64s(bytes: &[u8]) -> Option<Vec<f64>> {
    if !bytes.len().is_multiple_of(8) {
        return None;
    }
    Some(bytes.chunks_exact(8).map(|c| f64::from_le_bytes(c.try_into().unwrap_or([0; 8]))).collect())
}

/// Packs `u32`s little-endian.
pub(super) fn u32s_to_bytes(values: &[u32]) -> Vec<u8> {
    values.iter().flat_map(|v| v.to_le_bytes()).collect()
}

/// Unpacks little-endian `u32`s; `None` when the length is not a multiple of 4.
pub(super) fn bytes_to_u32s(bytes: &[u8]) -> Option<Vec<u32>> {
    if !bytes.len().is_multiple_of(4) {
        return None;
    }
    Some(bytes.chunks_exact(4).map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]])).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn f32_round_trip_keeps_nan_and_rejects_ragged_length() {
        let v = [0.0, -1.5, f32::NAN, f32::INFINITY, 1e-30];
        let back = bytes_to_f32s(&f32s_to_bytes(&v)).unwrap_or_default();
        assert_eq!(back.len(), v.len());
        for (a, b) in v.iter().zip(&back) {
            assert_eq!(a.to_bits(), b.to_bits());
        }
        assert!(bytes_to_f32s(&[1, 2, 3]).is_none());
    }

    #[test]
    fn labels_use_the_narrowest_width() {
        assert_eq!(label_width(10), 1);
        assert_eq!(label_width(256), 1);
        assert_eq!(label_width(257), 2);
        assert_eq!(label_width(65_536), 2);
        assert_eq!(label_width(65_537), 4);
        for (labels, k) in [(vec![0, 9, 3], 10), (vec![0, 299, 256], 300), (vec![70_000], 80_000)] {
            let w = label_width(k);
            let bytes = labels_to_bytes(&labels, w);
            assert_eq!(bytes.len(), labels.len() * w);
            assert_eq!(bytes_to_labels(&bytes, w), Some(labels));
        }
        assert!(bytes_to_labels(&[1, 2, 3], 2).is_none());
    }
}
