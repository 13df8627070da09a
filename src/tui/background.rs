//! The explorer's background side in one place: the inbox, the workspace thread (it follows the file and
//! commits label writes) and the jobs the app asks for. The event loop runs on it; tests drive a real
//! `App` with it, without a terminal.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use tokio::sync::mpsc::{unbounded_channel, UnboundedReceiver, UnboundedSender};

use super::app::{App, Request};
use super::event::Event;
use super::follow::{FollowFrom, WorkspaceThread};
use super::jobs;

/// The inbox and what feeds it.
pub struct Background {
    tx: UnboundedSender<Event>,
    rx: UnboundedReceiver<Event>,
    workspace: WorkspaceThread,
    ws_path: PathBuf,
}

impl Background {
    /// An inbox and the workspace thread, following `from` (and writing labels to that file).
    pub fn start(from: FollowFrom) -> Self {
        Background::start_with(from, unbounded_channel())
    }

    /// As [`Background::start`], over an inbox others already feed.
    pub fn start_with(from: FollowFrom, inbox: (UnboundedSender<Event>, UnboundedReceiver<Event>)) -> Self {
        let (tx, rx) = inbox;
        let ws_path = from.path.clone();
        let workspace = WorkspaceThread::spawn(from, tx.clone());
        Background { tx, rx, workspace, ws_path }
    }

    /// A sender into the inbox (terminal input, the ticker, the trainer).
    pub fn sender(&self) -> UnboundedSender<Event> {
        self.tx.clone()
    }

    /// Starts what the app asked for: label writes to the workspace thread, the rest as jobs.
    pub fn dispatch(&self, app: &mut App) {
        for request in app.take_requests() {
            match request {
                Request::Save(write) => {
                    if let Err(e) = self.workspace.write(write) {
                        // The thread is gone: the job reports the write as failed instead.
                        jobs::start(Request::Save(e), &self.ws_path, &app.data, &self.tx);
                    }
                }
                other => jobs::start(other, &self.ws_path, &app.data, &self.tx),
            }
        }
    }

    /// The next event, waiting for one.
    pub async fn next(&mut self) -> Option<Event> {
        self.rx.recv().await
    }

    /// The next event if one is waiting.
    pub fn try_next(&mut self) -> Option<Event> {
        self.rx.try_recv().ok()
    }

    /// Feeds events to `app` as the event loop does (a burst, then `settle` and the requests) until
    /// `done(app)` holds or `timeout` passes; whether `done` held.
    pub fn pump_until(&mut self, app: &mut App, timeout: Duration, done: impl Fn(&App) -> bool) -> bool {
        let deadline = Instant::now() + timeout;
        loop {
            app.settle();
            self.dispatch(app);
            if done(app) {
                return true;
            }
            if Instant::now() >= deadline {
                return false;
            }
            match self.try_next() {
                Some(event) => {
                    let mut next = Some(event);
                    while let Some(event) = next {
                        app.update(event);
                        next = self.try_next();
                    }
                }
                None => std::thread::sleep(Duration::from_millis(2)),
            }
        }
    }

    /// Until nothing the app asked for is outstanding (see [`App::busy`]).
    pub fn pump_idle(&mut self, app: &mut App, timeout: Duration) -> bool {
        self.pump_until(app, timeout, |a| !a.busy())
    }

    /// Ends the workspace thread once the queued label writes are saved; `false` if it is still saving
    /// after `wait`.
    pub fn finish(self, wait: Duration) -> bool {
        self.workspace.finish(wait)
    }
}
