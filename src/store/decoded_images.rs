//! An image folder's large images as the loader decoded and resized them, by file below the folder,
//! with the stamp the file had (size, modification and status-change times, inode): a later reading takes them instead of decoding a
//! file that is unchanged by both (see `data::DecodedImages`). A cache: losing it costs time, never
//! results; the content hash of every reading still decides whether the dataset is the workspace's.

use rusqlite::{params, OptionalExtension};

use super::{AtPath, StoreError, Workspace};

/// One decoded image to keep: its file below the folder, the file's stamp (size, modification time,
/// status-change time, inode), the shape [C, H, W] it was read at, and its pixels.
pub type DecodedRow<'a> = (&'a str, [i64; 4], [usize; 3], &'a [u8]);

impl Workspace {
    /// The pixels kept for `file` when it had `stamp`, at `shape`.
    pub fn decoded_image(
        &self,
        file: &str,
        stamp: [i64; 4],
        shape: [usize; 3],
    ) -> Result<Option<Vec<u8>>, StoreError> {
        let [c, h, w] = shape.map(|v| v as i64);
        let [bytes, modified, changed, inode] = stamp;
        self.conn
            .prepare_cached(
                "SELECT pixels FROM decoded_images WHERE file = ?1 AND bytes = ?2 AND modified_ns = ?3
                 AND changed_ns = ?4 AND inode = ?5 AND channels = ?6 AND height = ?7 AND width = ?8",
            )
            .and_then(|mut s| {
                s.query_row(params![file, bytes, modified, changed, inode, c, h, w], |r| r.get(0)).optional()
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
                    "INSERT OR REPLACE INTO decoded_images
                     (file, bytes, modified_ns, changed_ns, inode, channels, height, width, pixels)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                )
                .at(&self.path)?;
            for (file, [bytes, modified, changed, inode], [c, h, w], pixels) in rows {
                insert
                    .execute(params![
                        file, bytes, modified, changed, inode, c as i64, h as i64, w as i64, pixels
                    ])
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
        let stamp = [10, 5, 6, 99];
        assert_eq!(ws.decoded_image("cat/1.jpg", stamp, [3, 2, 2]).unwrap(), None);
        let px = [7u8; 12];
        assert_eq!(ws.keep_decoded_images([("cat/1.jpg", stamp, [3, 2, 2], &px[..])]).unwrap(), 1);
        assert_eq!(ws.decoded_image("cat/1.jpg", stamp, [3, 2, 2]).unwrap().as_deref(), Some(&px[..]));
        for (k, what) in ["size", "modification time", "status-change time", "inode"].iter().enumerate() {
            let mut other = stamp;
            other[k] += 1;
            assert_eq!(ws.decoded_image("cat/1.jpg", other, [3, 2, 2]).unwrap(), None, "another {what}");
        }
        assert_eq!(ws.decoded_image("cat/1.jpg", stamp, [1, 2, 2]).unwrap(), None, "another shape");
        // Kept again (the file changed): replaced.
        ws.keep_decoded_images([("cat/1.jpg", [11, 6, 7, 99], [1, 2, 2], &px[..4])]).unwrap();
        assert_eq!(ws.decoded_image("cat/1.jpg", stamp, [3, 2, 2]).unwrap(), None);
        assert_eq!(
            ws.decoded_image("cat/1.jpg", [11, 6, 7, 99], [1, 2, 2]).unwrap().as_deref(),
            Some(&px[..4])
        );
    }
}
