//! The warning of the commands that read a workspace's proxies without recomputing them, for density
//! values of an older kernel-bandwidth rule (an estimate resuming the workspace computes them again).

use super::stderr::errln;
use cscore::proxy::{outdated_warning, stale_density};
use cscore::store::Workspace;

/// Prints one warning line when `ws` holds density values of an older rule.
pub fn warn_outdated(ws: &Workspace) -> anyhow::Result<()> {
    if let Some(line) = outdated_warning(&stale_density(ws)?, ws.path()) {
        errln!("warning: {line}");
    }
    Ok(())
}
