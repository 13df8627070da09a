//! The workspace as its image folder's store of decoded images ([`DecodedImages`]): a reading of the
//! folder takes the large images it kept instead of decoding them again, and the workspace keeps those
//! that reading decoded. Best effort both ways: a workspace that cannot be read or written (read-only, an
//! older cscore's) only costs the decoding.

use std::path::Path;
use std::sync::{Arc, Mutex};

use crate::data::{file_below, Dataset, DecodedImages, FileStamp};
use crate::store::{DecodedRow, Workspace};

/// The images a workspace kept, and those its folder's reading decoded now.
pub(super) struct WorkspaceImages {
    ws: Option<Mutex<Workspace>>,
    decoded: Mutex<Vec<(String, FileStamp)>>,
}

impl std::fmt::Debug for WorkspaceImages {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WorkspaceImages").field("workspace", &self.ws.is_some()).finish_non_exhaustive()
    }
}

impl WorkspaceImages {
    /// The store of the workspace at `path` (none kept yet where there is no workspace there).
    pub(super) fn at(path: &Path) -> Arc<WorkspaceImages> {
        let ws = path.is_file().then(|| Workspace::open(path).ok()).flatten().map(Mutex::new);
        Arc::new(WorkspaceImages { ws, decoded: Mutex::new(Vec::new()) })
    }

    /// Keeps in `ws` the images of `ds` (as read, before any injected corruption) that its reading
    /// decoded now; returns how many.
    pub(super) fn keep(&self, ws: &Workspace, ds: &Dataset) -> usize {
        let decoded = std::mem::take(&mut *self.decoded.lock().unwrap_or_else(|e| e.into_inner()));
        let Some(paths) = ds.paths.as_ref().filter(|_| !decoded.is_empty() && ds.has_pixels()) else {
            return 0;
        };
        let index: std::collections::HashMap<String, usize> =
            paths.iter().enumerate().map(|(i, p)| (file_below(&ds.source, p), i)).collect();
        let shape = [ds.channels, ds.height, ds.width];
        let rows = decoded.iter().filter_map(|(file, stamp)| {
            let i = *index.get(file)?;
            Some::<DecodedRow<'_>>((file.as_str(), stamp.key(), shape, ds.image(i)))
        });
        ws.keep_decoded_images(rows).unwrap_or_else(|e| {
            tracing::debug!(path = %ws.path().display(), "decoded images not kept: {e}");
            0
        })
    }
}

impl DecodedImages for WorkspaceImages {
    fn get(&self, file: &str, stamp: FileStamp, shape: [usize; 3]) -> Option<Vec<u8>> {
        let ws = self.ws.as_ref()?.lock().ok()?;
        ws.decoded_image(file, stamp.key(), shape).ok().flatten()
    }

    fn decoded(&self, file: &str, stamp: FileStamp) {
        self.decoded.lock().unwrap_or_else(|e| e.into_inner()).push((file.to_string(), stamp));
    }
}
