//! Following a workspace that other connections fill: poll `PRAGMA data_version` and send what changed.

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::mpsc::UnboundedSender;

use super::data::{stored_scores, ProxyScores};
use super::event::{Event, StoreChange};
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

/// Starts the follower thread (its own connection); it ends when `stop` is raised or the inbox closes.
pub fn spawn_follower(
    from: FollowFrom,
    tx: UnboundedSender<Event>,
    stop: Arc<AtomicBool>,
) -> std::thread::JoinHandle<()> {
    std::thread::spawn(move || {
        let ws = match Workspace::open(&from.path) {
            Ok(ws) => ws,
            Err(e) => {
                let _ =
                    tx.send(Event::Store(StoreChange { error: Some(e.to_string()), ..Default::default() }));
                return;
            }
        };
        let proxies = current_proxies(&ws).unwrap_or_default();
        let mut follower =
            Follower { ws, last_run_id: from.last_run_id, have_plan: from.have_plan, version: None, proxies };
        while !stop.load(Ordering::Relaxed) {
            std::thread::sleep(from.poll);
            match follower.poll() {
                Ok(None) => {}
                Ok(Some(change)) => {
                    if tx.send(Event::Store(change)).is_err() {
                        return;
                    }
                }
                Err(e) => {
                    let change = StoreChange { error: Some(e.to_string()), ..Default::default() };
                    if tx.send(Event::Store(change)).is_err() {
                        return;
                    }
                    std::thread::sleep(from.poll * 4);
                }
            }
        }
    })
}

struct Follower {
    ws: Workspace,
    last_run_id: i64,
    have_plan: bool,
    version: Option<i64>,
    /// The proxies and references as last seen (name, scores).
    proxies: Vec<(String, Vec<f32>)>,
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
            change.plan = stored_plan(&self.ws)?;
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
        change.tags = Some(self.ws.tags()?);
        let proxies = current_proxies(&self.ws)?;
        if !same(&proxies, &self.proxies) {
            change.proxies =
                Some(proxies.iter().map(|(name, s)| ProxyScores::new(name, s.clone())).collect());
            self.proxies = proxies;
        }
        Ok(Some(change))
    }
}
