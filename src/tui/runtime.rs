//! The event loop: one inbox, drained in bursts, one draw per burst when something changed.

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crossterm::event::{Event as TermEvent, KeyEventKind};
use ratatui_image::picker::cap_parser::QueryStdioOptions;
use ratatui_image::picker::Picker;
use std::io::Write;
use tokio::sync::mpsc::{unbounded_channel, UnboundedSender};

use super::action::Action;
use super::app::App;
use super::config::ImageMode;
use super::error::TuiError;
use super::event::Event;
use super::follow::{spawn_follower, FollowFrom};
use super::jobs;
use super::terminal;
use super::train::Trainer;
use super::views::{draw, ImageState, ViewState};

/// An explorer ready to run: the app, where to follow the workspace from, and an optional trainer.
pub struct Session {
    /// The app state.
    pub app: App,
    /// Row id of the newest run the app has folded in.
    pub last_run_id: i64,
    /// How often to poll the workspace for other writers.
    pub poll: Duration,
    /// The background estimate, when the explorer trains.
    pub trainer: Option<Trainer>,
}

/// How long quitting waits for the trainer to abandon its runs in flight.
const STOP_WAIT: Duration = Duration::from_secs(5);

/// Runs the explorer until the user quits; the terminal is restored on every exit, panics included.
pub fn run(session: Session) -> Result<(), TuiError> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .map_err(|e| TuiError::Terminal(e.to_string()))?;
    let trainer_thread = rt.block_on(event_loop(session))?;
    if let Some(handle) = trainer_thread {
        if !handle.is_finished() {
            eprintln!("stopping training (finished runs are saved in the workspace)…");
            let started = Instant::now();
            while !handle.is_finished() && started.elapsed() < STOP_WAIT {
                std::thread::sleep(Duration::from_millis(50));
            }
        }
    }
    Ok(())
}

fn to_action(app: &App, event: Event) -> Option<Action> {
    match event {
        Event::Key(k) => app.action_for_key(&k),
        Event::Resize(w, h) => Some(Action::Resize(w, h)),
        Event::Tick => Some(Action::Tick),
        Event::Worker(m) => Some(Action::Worker(m)),
        Event::Store(c) => Some(Action::Store(c)),
        Event::Dynamics(d) => Some(Action::Dynamics(d)),
        Event::Comparison(c) => Some(Action::Comparison(c)),
        Event::Notice(n) => Some(Action::Notice(n)),
    }
}

/// How long the terminal may take to describe its graphics.
const QUERY_TIMEOUT: Duration = Duration::from_millis(800);

/// Asks the terminal which graphics protocol it speaks (kitty, sixel, iTerm2; else half-blocks).
fn query_picker() -> Picker {
    let started = Instant::now();
    let options = QueryStdioOptions { timeout: QUERY_TIMEOUT, ..Default::default() };
    let picker = Picker::from_query_stdio_with_options(options);
    if started.elapsed() >= QUERY_TIMEOUT {
        // No answer: ratatui-image's reader thread still waits on stdin and would swallow the first key.
        // A device status request makes the terminal answer into that read, and the thread ends.
        let mut out = std::io::stdout();
        let _ = out.write_all(b"\x1b[5n").and_then(|()| out.flush());
    }
    tracing::debug!(target: "cscore::tui", "terminal graphics: {:?}", picker.as_ref().map(|p| p.protocol_type()));
    picker.unwrap_or_else(|_| Picker::halfblocks())
}

/// Forwards key presses and resizes from the terminal (a dedicated thread: crossterm's read blocks).
fn spawn_input(tx: UnboundedSender<Event>) {
    std::thread::spawn(move || {
        let mut errors = 0;
        loop {
            let event = match crossterm::event::read() {
                Ok(TermEvent::Key(k)) if k.kind == KeyEventKind::Press => Event::Key(k),
                Ok(TermEvent::Resize(w, h)) => Event::Resize(w, h),
                Ok(_) => continue,
                // a stray reply the parser rejects; give up only when reading keeps failing
                Err(_) if errors < 100 => {
                    errors += 1;
                    std::thread::sleep(Duration::from_millis(10));
                    continue;
                }
                Err(_) => return,
            };
            errors = 0;
            if tx.send(event).is_err() {
                return;
            }
        }
    });
}

async fn event_loop(session: Session) -> Result<Option<std::thread::JoinHandle<()>>, TuiError> {
    let Session { mut app, last_run_id, poll, trainer } = session;
    let ws_path: PathBuf = app.data.workspace_path.clone();
    let mut screen = terminal::enter()?;
    let mut view = ViewState::default();
    if app.images == ImageMode::Auto {
        // After entering the alternate screen and before reading input: the query reads stdin.
        view.images = ImageState::with_picker(query_picker());
    }
    let (tx, mut rx) = unbounded_channel::<Event>();
    let stop = Arc::new(AtomicBool::new(false));
    spawn_input(tx.clone());
    let have_plan = app.est.plan.is_some();
    let _follower = spawn_follower(
        FollowFrom { path: ws_path.clone(), last_run_id, have_plan, poll },
        tx.clone(),
        stop.clone(),
    );
    let trainer_thread = trainer.map(|t| t.spawn(tx.clone(), stop.clone()));
    let ticker = tx.clone();
    tokio::spawn(async move {
        let mut every = tokio::time::interval(Duration::from_secs(1));
        loop {
            every.tick().await;
            if ticker.send(Event::Tick).is_err() {
                return;
            }
        }
    });
    let size = screen.terminal.size().map_err(|e| TuiError::Terminal(e.to_string()))?;
    app.update(Action::Resize(size.width, size.height));
    let draw_now = |screen: &mut terminal::Screen, app: &App, view: &mut ViewState| {
        screen
            .terminal
            .draw(|f| draw(f, app, view))
            .map(|_| ())
            .map_err(|e| TuiError::Terminal(e.to_string()))
    };
    for request in app.take_requests() {
        jobs::start(request, &ws_path, &app.data, &tx);
    }
    draw_now(&mut screen, &app, &mut view)?;
    app.dirty = false;
    while let Some(event) = rx.recv().await {
        let mut next = Some(event);
        while let Some(event) = next {
            if let Some(action) = to_action(&app, event) {
                app.update(action);
            }
            next = rx.try_recv().ok();
        }
        app.settle();
        for request in app.take_requests() {
            jobs::start(request, &ws_path, &app.data, &tx);
        }
        if app.quit {
            break;
        }
        if app.dirty {
            draw_now(&mut screen, &app, &mut view)?;
            app.dirty = false;
        }
    }
    stop.store(true, Ordering::Relaxed);
    drop(screen);
    Ok(trainer_thread)
}
