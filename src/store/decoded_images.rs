//! An image folder's large images as the loader decoded and resized them, by file below the folder,
//! with the size and modification time the file had: a later reading takes them instead of decoding a
//! file that is unchanged by both (see `data::DecodedImages`). A cache: losing it costs time, never
//! results; the content hash of every reading still decides whether the dataset is the workspace's.

use rusqlite::{params, OptionalExtension};

use super::{AtPath, StoreError, Workspace};

/// One decoded image to keep: its file below the folder, the file's size and modification time, the
/// shape [C, H, W] it was read at, and its pixels.
pub type DecodedRow<'a> = (&'a str, u64, i64, [usize; 3], &'a [u8]);

impl Workspace {
    /// The pixels kept for `file` when it had `bytes` and `modified_ns`, at `shape`.
    pub fn decoded_image(
        &self,
        file: &str,
        bytes: u64,
        modified_ns: i64,
        shape: [usize; 3],
    ) -> Result<Option<Vec<u8>>, StoreError> {
        let [c, h, w] = shape.map(|v| v as i64);
        self.conn
            .prepare_cached(
                "SELECT pixels FROM decoded_images WHERE file = ?1 AND bytes = ?2 AND modified_ns = ?3
                 AND channels = ?4 AND height = ?5 AND width = ?6",
            )
            .and_then(|mut s| {
                s.query_row(params![file, bytes as i64, modified_ns, c, h, w], |r| r.get(0)).optional()
            })
            .at(&self.path)
    }

    /// Keeps `rows` (replacing what was kept of their files), in one transaction.
    pub fn keep_decoded_images<'a>(
        &self,
        rows: impl IntoIterator<Item = DecodedRow<'a>>,
    ) -> Result<usize, StoreError> {
        let tx = self.write()?;
        let mut n = 0;
        {
            let mut insert = tx
                .prepare_cached(
                    "INSERT OR REPLACE INTO decoded_images (file, bytes, modified_ns, channels, height, width, pixels)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                )
                .at(&self.path)?;
            for (file, bytes, modified_ns, [c, h, w], pixels) in rows {
                insert
                    .execute(params![file, bytes as i64, modified_ns, c as i64, h as i64, w as i64, pixels])
                    .at(&self.path)?;
                n += 1;
            }
        }
        tx.commit().at(&self.path)?;
        Ok(n)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use crate::store::DatasetInfo;

    #[test]
    fn an_image_is_found_only_by_its_files_stamp_and_shape() {
        let dir = tempfile::tempdir().unwrap();
        let ws = Workspace::create(&dir.path().join("ws.cscore"), &DatasetInfo::toy(3)).unwrap();
        assert_eq!(ws.decoded_image("cat/1.jpg", 10, 5, [3, 2, 2]).unwrap(), None);
        let px = [7u8; 12];
        assert_eq!(ws.keep_decoded_images([("cat/1.jpg", 10, 5, [3, 2, 2], &px[..])]).unwrap(), 1);
        assert_eq!(ws.decoded_image("cat/1.jpg", 10, 5, [3, 2, 2]).unwrap().as_deref(), Some(&px[..]));
        assert_eq!(ws.decoded_image("cat/1.jpg", 11, 5, [3, 2, 2]).unwrap(), None, "another size");
        assert_eq!(ws.decoded_image("cat/1.jpg", 10, 6, [3, 2, 2]).unwrap(), None, "another time");
        assert_eq!(ws.decoded_image("cat/1.jpg", 10, 5, [1, 2, 2]).unwrap(), None, "another shape");
        // Kept again (the file changed): replaced.
        ws.keep_decoded_images([("cat/1.jpg", 11, 6, [1, 2, 2], &px[..4])]).unwrap();
        assert_eq!(ws.decoded_image("cat/1.jpg", 10, 5, [3, 2, 2]).unwrap(), None);
        assert_eq!(ws.decoded_image("cat/1.jpg", 11, 6, [1, 2, 2]).unwrap().as_deref(), Some(&px[..4]));
    }
}
