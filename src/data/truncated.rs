//! Truncated JPEG files. A JPEG decoder fills what a cut-off file lacks with grey and says nothing, so a
//! photo whose copy was interrupted would be trained on as a grey-bottomed image; the loader refuses it as
//! unreadable instead (as PIL does: "image file is truncated"). A complete JPEG ends its last scan with an
//! end-of-image marker: within a scan 0xFF is only ever followed by 0x00 (a stuffed byte) or a restart
//! marker, so neither marker can hide in the compressed data, and an embedded thumbnail's markers all come
//! before the image's own last scan.

/// Why `bytes`, a JPEG file, is truncated: `None` for a file that is not a JPEG or is whole.
pub(super) fn truncated_jpeg(bytes: &[u8]) -> Option<&'static str> {
    if !bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        return None;
    }
    let last_scan = bytes.windows(2).rposition(|w| w == [0xFF, 0xDA]);
    let Some(scan) = last_scan else {
        return Some("the JPEG file is truncated (it ends before its image data)");
    };
    let ended = bytes[scan..].windows(2).any(|w| w == [0xFF, 0xD9]);
    (!ended).then_some("the JPEG file is truncated (it ends before its end-of-image marker)")
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    fn jpeg() -> Vec<u8> {
        let img = image::RgbImage::from_fn(40, 30, |x, y| image::Rgb([(x * 6) as u8, (y * 8) as u8, 90]));
        let mut bytes = Vec::new();
        img.write_to(&mut std::io::Cursor::new(&mut bytes), image::ImageFormat::Jpeg).unwrap();
        bytes
    }

    #[test]
    fn a_cut_off_jpeg_is_told_from_a_whole_one() {
        let whole = jpeg();
        assert_eq!(truncated_jpeg(&whole), None);
        // Trailing bytes after the end (padding, a camera's trailer) are fine.
        let mut padded = whole.clone();
        padded.extend([0u8; 100]);
        assert_eq!(truncated_jpeg(&padded), None);
        // Cut anywhere in its scan, or before it: truncated. The decoder itself accepts the first.
        let scan = whole.windows(2).rposition(|w| w == [0xFF, 0xDA]).unwrap();
        let cut = &whole[..scan + 80];
        assert!(image::load_from_memory(cut).is_ok(), "the decoder fills a cut-off scan silently");
        assert!(truncated_jpeg(cut).unwrap().contains("end-of-image"));
        assert!(truncated_jpeg(&whole[..whole.len() * 2 / 3]).is_some());
        assert!(truncated_jpeg(&whole[..scan]).unwrap().contains("before its image data"));
        // Not a JPEG: not judged here.
        assert_eq!(truncated_jpeg(b"\x89PNG\r\n\x1a\n"), None);
    }
}
