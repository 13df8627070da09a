//! The workspace thread: one connection that follows the file (polls `PRAGMA data_version` and sends what
//! changed) and commits the explorer's label writes. Reads and writes share that connection and one order,
//! so a tags snapshot read before a write reaches the inbox before the write's `Saved`, and every snapshot
//! read after it includes it: a snapshot never undoes a label in memory.

use std::path::PathBuf;
use std::sync::mpsc::{self, RecvTimeoutError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use tokio::sync::mpsc::UnboundedSender;

use super::data::{rank_all, stored_scores};
use super::event::{Event, StoreChange};
use super::labels::{self, LabelWrite, Saved};
use crate::estimate::stored_plan;
use crate::store::Workspace;

/// Where the follower starts.
#[derive(Debug, Clone)]
pub struct FollowFrom {
    /// The workspace file.
    pub path: PathBuf,
    /// Row id of the newest run already loaded.
    pub last_run_id: i64,
    /// Whether the explorer already has the plan.
    pub have_plan: bool,
    /// How often to look.
    pub poll: Duration,
}

/// The running workspace thread. Label writes sent to it are committed in order; [`WorkspaceThread::finish`]
/// ends it once every queued write is saved.
pub struct WorkspaceThread {
    writes: mpsc::Sender<LabelWrite>,
    handle: JoinHandle<()>,
}

impl WorkspaceThread {
    /// Starts the thread with its own connection; it reports into `tx`.
    pub fn spawn(from: FollowFrom, tx: UnboundedSender<Event>) -> Self {
        let (writes, queue) = mpsc::channel();
        let handle = std::thread::spawn(move || serve(from, queue, tx));
        WorkspaceThread { writes, handle }
    }

    /// Queues a label write; gives it back when the thread is gone.
    pub fn write(&self, write: LabelWrite) -> Result<(), LabelWrite> {
        self.writes.send(write).map_err(|e| e.0)
    }

    /// Lets the thread save what is queued and end; `false` when it is still busy after `wait`.
    pub fn finish(self, wait: Duration) -> bool {
        let WorkspaceThread { writes, handle } = self;
        drop(writes);
        let started = Instant::now();
        while !handle.is_finished() && started.elapsed() < wait {
            std::thread::sleep(Duration::from_millis(5));
        }
        handle.is_finished()
    }
}

fn failed(write: &LabelWrite, error: &str) -> Saved {
    Saved {
        id: write.id,
        kind: write.kind,
        done: write.done.clone(),
        applied: Vec::new(),
        skipped: 0,
        error: Some(error.to_string()),
    }
}

/// The thread's loop: label writes as they come, a poll of the file whenever `from.poll` has passed.
fn serve(from: FollowFrom, queue: mpsc::Receiver<LabelWrite>, tx: UnboundedSender<Event>) {
    let ws = match Workspace::open(&from.path) {
        Ok(ws) => ws,
        Err(e) => {
            let _ = tx.send(Event::Store(StoreChange { error: Some(e.to_string()), ..Default::default() }));
            for write in queue {
                let _ = tx.send(Event::Saved(Box::new(failed(&write, &e.to_string()))));
            }
            return;
        }
    };
    // However long the config's poll_ms, the arithmetic below stays in range.
    let poll = from.poll.clamp(Duration::from_millis(1), Duration::from_secs(86_400));
    // The proxies stored since the session loaded its own are unknown here: the first look sends every
    // proxy, and the app keeps what it has when nothing differs.
    let mut follower = Follower {
        ws,
        last_run_id: from.last_run_id,
        have_plan: from.have_plan,
        version: None,
        proxies: Vec::new(),
        tags: None,
    };
    // Once the inbox is closed only the queued writes matter.
    let mut following = true;
    let mut writes_seen = 0;
    let mut next_poll = Instant::now() + poll;
    loop {
        let wait = if following { next_poll.saturating_duration_since(Instant::now()) } else { poll * 100 };
        match queue.recv_timeout(wait) {
            Ok(write) => {
                let saved = labels::commit(&follower.ws, &write);
                writes_seen = write.id;
                following &= tx.send(Event::Saved(Box::new(saved))).is_ok();
            }
            Err(RecvTimeoutError::Timeout) if following => {
                let (change, pause) = match follower.poll() {
                    Ok(change) => (change, poll),
                    Err(e) => {
                        (Some(StoreChange { error: Some(e.to_string()), ..Default::default() }), poll * 4)
                    }
                };
                if let Some(change) = change {
                    following &= tx.send(Event::Store(StoreChange { writes_seen, ..change })).is_ok();
                }
                next_poll = Instant::now() + pause;
            }
            Err(RecvTimeoutError::Timeout) => {}
            Err(RecvTimeoutError::Disconnected) => return,
        }
    }
}

struct Follower {
    ws: Workspace,
    last_run_id: i64,
    have_plan: bool,
    version: Option<i64>,
    /// The proxies and references as last seen (name, scores).
    proxies: Vec<(String, Vec<f32>)>,
    /// The tags as last sent (`None`: not yet). Unchanged tags are not sent again: merging them costs the
    /// explorer a pass over every example (a million at scale) on its UI task, at every committed run.
    tags: Option<Vec<crate::store::TagRow>>,
}

/// Every stored proxy and imported reference, by name.
fn current_proxies(ws: &Workspace) -> crate::Result<Vec<(String, Vec<f32>)>> {
    Ok(stored_scores(ws)?)
}

/// Same values, NaN included.
fn same(a: &[(String, Vec<f32>)], b: &[(String, Vec<f32>)]) -> bool {
    a.len() == b.len()
        && a.iter().zip(b).all(|((n, x), (m, y))| {
            n == m && x.len() == y.len() && x.iter().zip(y).all(|(p, q)| p.to_bits() == q.to_bits())
        })
}

impl Follower {
    /// What changed since the last look, if anything.
    fn poll(&mut self) -> crate::Result<Option<StoreChange>> {
        let version = self.ws.data_version()?;
        if self.version == Some(version) {
            return Ok(None);
        }
        self.version = Some(version);
        let mut change = StoreChange::default();
        if !self.have_plan {
            change.plan = stored_plan(&self.ws)?.map(Box::new);
            if change.plan.is_some() {
                // A new plan means a new aggregate: send every run again.
                self.have_plan = true;
                self.last_run_id = i64::MIN;
            }
        }
        for (id, run) in self.ws.runs_after(self.last_run_id, false)? {
            self.last_run_id = self.last_run_id.max(id);
            change.runs.push(run);
        }
        let tags = self.ws.tags()?;
        if self.tags.as_ref() != Some(&tags) {
            change.tags = Some(tags.clone());
            self.tags = Some(tags);
        }
        let proxies = current_proxies(&self.ws)?;
        if !same(&proxies, &self.proxies) {
            change.proxies = Some(rank_all(proxies.clone()));
            self.proxies = proxies;
        }
        Ok(Some(change))
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::Follower;
    use crate::store::{DatasetInfo, Workspace};

    #[test]
    fn tags_are_sent_on_the_first_look_and_then_only_when_they_changed() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.cscore");
        let other = Workspace::create(&path, &DatasetInfo::toy(3)).unwrap();
        let ws = Workspace::open(&path).unwrap();
        let mut follower = Follower {
            ws,
            last_run_id: i64::MIN,
            have_plan: true,
            version: None,
            proxies: Vec::new(),
            tags: None,
        };
        let first = follower.poll().unwrap().expect("the first look reports");
        assert_eq!(first.tags.as_deref(), Some(&[][..]), "the first look sends the tags, none here");
        assert!(follower.poll().unwrap().is_none(), "nothing changed: nothing to say");
        // Another write bumps the file's version without touching the tags: no tags are sent.
        other.set_config("x", "1").unwrap();
        let change = follower.poll().unwrap().expect("the file changed");
        assert!(change.tags.is_none(), "unchanged tags are not sent again");
        other.set_tag(1, Some("ood"), None).unwrap();
        let change = follower.poll().unwrap().expect("the file changed");
        let rows = change.tags.expect("changed tags are sent");
        assert_eq!((rows.len(), rows[0].example, rows[0].tag.as_deref()), (1, 1, Some("ood")));
        other.set_tag(1, None, None).unwrap();
        assert_eq!(
            follower.poll().unwrap().unwrap().tags.as_deref(),
            Some(&[][..]),
            "a cleared tag is a change"
        );
    }
}
