//! Image-folder writer for cleaned datasets: `root/<class>/<new index>.png`, class folders named so that
//! their sorted order is the label order (the order `cscore` reads them back in).

use std::path::Path;

use crate::data::Dataset;
use crate::export::atomic::write_synced;
use crate::export::{example_image, ExportError};

/// Folder names for the classes: the class names when they are usable and already sort in label order,
/// else `<zero-padded label>_<name>` (or just the padded label when the name is the number).
pub(super) fn class_folders(names: &[String]) -> Vec<String> {
    let usable =
        |s: &String| !s.is_empty() && !s.starts_with('.') && !s.contains(['/', '\\', '\0']) && s.trim() == s;
    let sorted = names.windows(2).all(|w| w[0].as_bytes() < w[1].as_bytes());
    if sorted && names.iter().all(usable) {
        return names.to_vec();
    }
    let width = names.len().saturating_sub(1).to_string().len();
    names
        .iter()
        .enumerate()
        .map(|(k, name)| {
            let clean: String = name
                .chars()
                .map(|c| if c.is_alphanumeric() || "-_ ".contains(c) { c } else { '_' })
                .collect();
            let clean = clean.trim();
            if clean.is_empty() || *name == k.to_string() {
                format!("{k:0width$}")
            } else {
                format!("{k:0width$}_{clean}")
            }
        })
        .collect()
}

/// Writes the examples `order` with `labels` as PNGs under class folders. A class left without examples
/// gets no folder (an image-folder dataset cannot have an empty class).
pub(super) fn write_folder(
    ds: &Dataset,
    order: &[usize],
    labels: &[u32],
    dir: &Path,
) -> Result<(), ExportError> {
    let folders = class_folders(&ds.class_names);
    let width = order.len().saturating_sub(1).to_string().len();
    for (new, (&i, &label)) in order.iter().zip(labels).enumerate() {
        let folder = folders
            .get(label as usize)
            .ok_or_else(|| ExportError::Usage(format!("label {label} of example {i} has no class name")))?;
        let class_dir = dir.join(folder);
        if new == 0 || labels[new - 1] != label {
            std::fs::create_dir_all(&class_dir).map_err(|e| ExportError::io(&class_dir, e))?;
        }
        let path = class_dir.join(format!("{new:0width$}.png"));
        let img = example_image(ds, i)
            .ok_or_else(|| ExportError::Usage(format!("example {i} cannot be turned into an image")))?;
        let mut bytes = std::io::Cursor::new(Vec::new());
        img.write_to(&mut bytes, image::ImageFormat::Png)
            .map_err(|e| ExportError::io(&path, std::io::Error::other(e)))?;
        write_synced(&path, bytes.get_ref())?;
    }
    Ok(())
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    fn s(v: &[&str]) -> Vec<String> {
        v.iter().map(|x| x.to_string()).collect()
    }

    #[test]
    fn folder_names_sort_in_label_order() {
        assert_eq!(class_folders(&s(&["airplane", "bird", "cat"])), s(&["airplane", "bird", "cat"]));
        let numbered: Vec<String> = (0..12).map(|k| k.to_string()).collect();
        let f = class_folders(&numbered);
        assert_eq!(f[..3], s(&["00", "01", "02"]));
        assert_eq!(f[11], "11");
        assert_eq!(class_folders(&s(&["b", "a/x", ".h"])), s(&["0_b", "1_a_x", "2__h"]));
    }
}
