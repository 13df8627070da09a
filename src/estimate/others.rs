//! Sharing a workspace with another process (a second `cscore estimate`, an explorer that trains, a
//! worker started twice): a session drops from its queue the runs the other committed, so the two share
//! the plan instead of both training every run.

use super::plan::RunSpec;
use crate::store::{RunKey, Workspace};
use std::collections::{HashSet, VecDeque};
use std::sync::Mutex;
use std::time::Duration;

/// How often a session looks for runs that another process committed to its workspace.
pub(super) const LOOK_FOR_OTHERS: Duration = Duration::from_secs(5);

/// Removes from `queue` the runs already stored in `ws` (by another process), so that two processes on
/// one workspace share its runs instead of both training each; a run both already train is committed once.
pub(super) fn drop_stored_by_others(ws: &Workspace, queue: &Mutex<VecDeque<RunSpec>>) {
    let Ok(stored) = ws.run_keys() else { return };
    let stored: HashSet<RunKey> = stored.into_iter().map(|(k, _)| k).collect();
    if let Ok(mut q) = queue.lock() {
        q.retain(|s| !stored.contains(&s.key));
    }
}
