//! The dataset argument of `estimate`, `worker` and `explore` may be a workspace file instead: its
//! dataset is then read from where the workspace says it came from, as the workspace read it.

use std::io::Read;
use std::path::{Path, PathBuf};

use anyhow::bail;
use cscore::data::{Format, LoadOptions};
use cscore::store::Workspace;

use super::args::DataArgs;

impl DataArgs {
    /// Whether the argument is a workspace (an SQLite file) rather than a dataset.
    pub fn names_workspace(&self) -> bool {
        is_workspace(&self.data)
    }

    /// With a workspace as the argument: its dataset's path and how to read it (`None` for a dataset).
    /// `command` names the subcommand in the messages.
    pub fn workspace_dataset(&self, command: &str) -> anyhow::Result<Option<(PathBuf, LoadOptions)>> {
        if !self.names_workspace() {
            return Ok(None);
        }
        if self.workspace.as_deref().is_some_and(|w| w != self.data) {
            bail!("{}: give the workspace either as the argument or with -w, not both", self.data.display());
        }
        self.dataset_of(&Workspace::open(&self.data)?, command).map(Some)
    }

    /// Where the dataset of the workspace `ws` (the argument) is, and how to read it.
    pub fn dataset_of(&self, ws: &Workspace, command: &str) -> anyhow::Result<(PathBuf, LoadOptions)> {
        let info = ws.dataset_info()?;
        let source = Path::new(&info.source);
        if !source.exists() {
            bail!(
                "{}: its dataset {} is not there; pass the dataset: cscore {command} DATA -w {}",
                self.data.display(),
                source.display(),
                self.data.display()
            );
        }
        let format = self.format.or_else(|| Format::from_name(&info.format));
        let image_size =
            self.image_size.or((format == Some(Format::Folder)).then_some((info.height, info.width)));
        Ok((source.to_path_buf(), LoadOptions { format, image_size, ..LoadOptions::default() }))
    }
}

/// Whether `path` is an SQLite file (a workspace) rather than a dataset.
pub(super) fn is_workspace(path: &Path) -> bool {
    let mut head = [0u8; 16];
    path.is_file()
        && std::fs::File::open(path).and_then(|mut f| f.read_exact(&mut head)).is_ok()
        && &head == b"SQLite format 3\0"
}
