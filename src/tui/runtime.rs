//! The event loop: one inbox, drained in bursts, one draw per burst when something changed.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crossterm::event::{Event as TermEvent, KeyEvent, KeyEventKind};
use ratatui_image::picker::cap_parser::QueryStdioOptions;
use ratatui_image::picker::Picker;
use std::io::Write;
use tokio::sync::mpsc::{UnboundedReceiver, UnboundedSender};

use super::app::App;
use super::app_events::stopped_line;
use super::background::Background;
use super::error::TuiError;
use super::estimate_state::Training;
use super::event::Event;
use super::explore_session::ExploreSession;
use super::follow::FollowFrom;
use super::terminal::Screen;
use super::views::{draw, ImageState, ViewState};

/// How long quitting waits for the trainer to abandon its runs in flight.
const STOP_WAIT: Duration = Duration::from_secs(5);
/// How long quitting waits for label writes still queued (a writer may hold the workspace's lock).
const SAVE_WAIT: Duration = Duration::from_secs(60);

/// How long the terminal may take to describe its graphics.
const QUERY_TIMEOUT: Duration = Duration::from_millis(800);

/// Asks the terminal which graphics protocol it speaks (kitty, sixel, iTerm2; else half-blocks).
pub(super) fn query_picker() -> Picker {
    let started = Instant::now();
    let options = QueryStdioOptions { timeout: QUERY_TIMEOUT, ..Default::default() };
    let picker = Picker::from_query_stdio_with_options(options);
    if started.elapsed() >= QUERY_TIMEOUT {
        // No answer: ratatui-image's reader thread still waits on stdin and would swallow the first key.
        // A device status request makes the terminal answer into that read, and the thread ends.
        let mut out = std::io::stdout();
        let _ = out.write_all(b"\x1b[5n").and_then(|()| out.flush());
        super::terminal::asked_terminal();
    }
    tracing::debug!(target: "cscore::tui", "terminal graphics: {:?} in {:?}", picker.as_ref().map(|p| p.protocol_type()), started.elapsed());
    picker.unwrap_or_else(|_| Picker::halfblocks())
}

/// Forwards key presses and resizes from the terminal (a dedicated thread: crossterm's read blocks).
pub(super) fn spawn_input(tx: UnboundedSender<Event>) {
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

/// Sends a tick every second (rates, ETA, the loading clock).
pub(super) fn spawn_ticker(tx: UnboundedSender<Event>) {
    tokio::spawn(async move {
        let mut every = tokio::time::interval(Duration::from_secs(1));
        loop {
            every.tick().await;
            if tx.send(Event::Tick).is_err() {
                return;
            }
        }
    });
}

/// What the loading phase hands over to the event loop.
pub(super) struct Handover {
    /// The terminal.
    pub screen: Screen,
    /// The terminal's graphics, when asked.
    pub picker: Option<Picker>,
    /// The inbox the input thread and the ticker already feed.
    pub inbox: (UnboundedSender<Event>, UnboundedReceiver<Event>),
    /// Keys pressed while loading, to replay.
    pub keys: Vec<KeyEvent>,
}

/// How a session ended: the trainer's thread, to wait for, and the line saying why training stopped
/// when it failed (the bottom line may have cut it; the command repeats it once the terminal is back).
pub(super) struct Ended {
    trainer: Option<std::thread::JoinHandle<()>>,
    training_failed: Option<String>,
}

/// Runs a loaded session until the user quits.
pub(super) async fn event_loop(session: ExploreSession, handover: Handover) -> Result<Ended, TuiError> {
    let ExploreSession { mut app, last_run_id, poll, trainer, pixels } = session;
    let Handover { mut screen, picker, inbox, keys } = handover;
    let mut view = ViewState::default();
    if let Some(picker) = picker {
        view.images = ImageState::with_picker(picker);
    }
    let have_plan = app.est.plan.is_some();
    let from = FollowFrom { path: app.data.workspace_path.clone(), last_run_id, have_plan, poll };
    let mut background = Background::start_with(from, inbox);
    let stop = Arc::new(AtomicBool::new(false));
    // A session opened labels first trains once the pixels are in.
    let (mut waiting, mut trainer_thread) = match trainer {
        Some(t) if !app.data.dataset.has_pixels() => (Some(t), None),
        Some(t) => (None, Some(t.spawn(background.sender(), stop.clone()))),
        None => (None, None),
    };
    if let Some(load) = pixels {
        let tx = background.sender();
        std::thread::spawn(move || {
            let _ = tx.send(Event::Pixels(Box::new(load())));
        });
    }
    let size = screen.terminal.size().map_err(|e| TuiError::Terminal(e.to_string()))?;
    app.update(Event::Resize(size.width, size.height));
    for key in keys {
        app.update(Event::Key(key));
    }
    let draw_now = |screen: &mut Screen, app: &App, view: &mut ViewState| {
        screen
            .terminal
            .draw(|f| draw(f, app, view))
            .map(|_| ())
            .map_err(|e| TuiError::Terminal(e.to_string()))
    };
    app.settle();
    background.dispatch(&mut app);
    draw_now(&mut screen, &app, &mut view)?;
    app.dirty = false;
    while !app.quit {
        let Some(event) = background.next().await else { break };
        let mut next = Some(event);
        while let Some(event) = next {
            app.update(event);
            next = background.try_next();
        }
        if waiting.is_some() && app.data.dataset.has_pixels() {
            if let Some(mut t) = waiting.take() {
                t.dataset = Arc::clone(&app.data.dataset);
                trainer_thread = Some(t.spawn(background.sender(), stop.clone()));
            }
        }
        app.settle();
        background.dispatch(&mut app);
        if app.dirty && !app.quit {
            draw_now(&mut screen, &app, &mut view)?;
            app.dirty = false;
        }
    }
    stop.store(true, Ordering::Relaxed);
    drop(screen);
    if app.saving > 0 {
        eprintln!("saving {} label change(s)…", app.saving);
    }
    if !background.finish(SAVE_WAIT) {
        eprintln!("warning: the workspace stayed locked; the last label changes may not be saved");
    }
    let training_failed = match &app.est.training {
        Training::Failed(why) => Some(stopped_line(why)),
        _ => None,
    };
    Ok(Ended { trainer: trainer_thread, training_failed })
}

/// Waits (briefly) for the trainer to abandon its runs in flight; returns why training failed, if it did.
pub(super) fn wait_for_trainer(ended: Option<Ended>) -> Option<String> {
    let Ended { trainer, training_failed } = ended?;
    if let Some(handle) = trainer {
        if !handle.is_finished() {
            eprintln!("stopping training (finished runs are saved in the workspace)…");
            let started = Instant::now();
            while !handle.is_finished() && started.elapsed() < STOP_WAIT {
                std::thread::sleep(Duration::from_millis(50));
            }
        }
    }
    training_failed
}
