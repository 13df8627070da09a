//! Opening the explorer: the terminal shows a loading screen at once, and the session (dataset, content
//! hash, runs, proxies) loads on a thread of its own meanwhile; the terminal's graphics query runs
//! beside the loading instead of before it. Keys pressed meanwhile are kept for the explorer (the quit
//! key quits at once).

use std::convert::Infallible;
use std::time::Instant;

use crossterm::event::KeyEvent;
use tokio::sync::mpsc::{unbounded_channel, UnboundedSender};
use tokio::sync::oneshot;

use super::command::Command;
use super::config::{Config, ImageMode};
use super::error::TuiError;
use super::event::Event;
use super::explore_session::ExploreSession;
use super::runtime::{event_loop, query_picker, spawn_input, spawn_ticker, wait_for_trainer, Handover};
use super::terminal::{self, Screen};
use super::theme::{no_color_requested, Theme};
use super::theme_auto::{query_background, AUTO, QUERY_TIMEOUT};
use super::views::LoadingView;

/// What the loading screen needs before anything is loaded.
#[derive(Debug, Clone)]
pub struct Opening {
    /// What is being opened, as the user named it.
    pub what: String,
    /// Settings (image mode, keymap).
    pub config: Config,
    /// `--theme`, if given.
    pub theme: Option<String>,
}

/// Lets the loader say which step it is at (shown on the loading screen).
pub struct Progress(UnboundedSender<String>);

impl Progress {
    /// A progress that reports nowhere.
    pub fn none() -> Progress {
        Progress(unbounded_channel().0)
    }

    /// Reports the step loading is at.
    pub fn stage(&self, what: impl Into<String>) {
        let what = what.into();
        tracing::debug!(target: "cscore::tui", "loading: {what}");
        let _ = self.0.send(what);
    }
}

/// Runs an already loaded session until the user quits; the terminal is restored on every exit. Returns
/// the line saying why training stopped, when the session's training failed.
pub fn run(session: ExploreSession) -> Result<Option<String>, TuiError> {
    let config =
        Config { images: session.app.images, keymap: session.app.keymap.clone(), ..Config::default() };
    let opening =
        Opening { what: session.app.data.workspace_path.display().to_string(), config, theme: None };
    open_and_run(opening, false, move |_| Ok::<_, Infallible>(session))
        .map(|r| r.unwrap_or_else(|never| match never {}))
}

/// Runs the explorer: draws the loading screen, runs `load` on its own thread, then the session it
/// returns until the user quits. The outer error is the terminal's, the inner one `load`'s (printed by
/// the caller once the terminal is restored); the value, the line saying why training stopped when the
/// session's training failed.
pub fn run_opening<E: Send + 'static>(
    opening: Opening,
    load: impl FnOnce(&Progress) -> Result<ExploreSession, E> + Send + 'static,
) -> Result<Result<Option<String>, E>, TuiError> {
    open_and_run(opening, true, load)
}

/// [`run_opening`]; `theme_here`: the theme resolved here (where the terminal can be asked its
/// background) replaces the loaded session's.
fn open_and_run<E: Send + 'static>(
    opening: Opening,
    theme_here: bool,
    load: impl FnOnce(&Progress) -> Result<ExploreSession, E> + Send + 'static,
) -> Result<Result<Option<String>, E>, TuiError> {
    let no_color = no_color_requested();
    let requested = opening.theme.as_deref().unwrap_or(&opening.config.theme).to_string();
    // A named theme is checked before the terminal changes; `auto` needs raw mode to ask the terminal.
    let ask = requested == AUTO && !no_color;
    let named = if ask { None } else { Some(Theme::load(&requested, no_color)?) };
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .map_err(|e| TuiError::Terminal(e.to_string()))?;
    let trainer = rt.block_on(async {
        let screen = terminal::enter()?;
        let theme = match named {
            Some(theme) => theme,
            None => Theme::load_auto(&requested, no_color, query_background(QUERY_TIMEOUT))?,
        };
        match open(screen, &opening, &theme, load).await? {
            Opened::Quit => Ok(Ok(None)),
            Opened::Failed(e) => Ok(Err(e)),
            Opened::Ready(ready) => {
                let (mut session, handover) = *ready;
                if theme_here {
                    session.app.theme = theme;
                }
                event_loop(session, handover).await.map(|ended| Ok(Some(ended)))
            }
        }
    })?;
    Ok(trainer.map(wait_for_trainer))
}

enum Opened<E> {
    Ready(Box<(ExploreSession, Handover)>),
    Quit,
    Failed(E),
}

async fn open<E: Send + 'static>(
    mut screen: Screen,
    opening: &Opening,
    theme: &Theme,
    load: impl FnOnce(&Progress) -> Result<ExploreSession, E> + Send + 'static,
) -> Result<Opened<E>, TuiError> {
    let started = Instant::now();
    let (stage_tx, mut stages) = unbounded_channel();
    let (done_tx, mut done) = oneshot::channel();
    std::thread::spawn(move || {
        let _ = done_tx.send(load(&Progress(stage_tx)));
    });
    let keymap = &opening.config.keymap;
    let quit_key = keymap.key_hint(Command::Quit);
    let mut stage = "reading the dataset and the workspace".to_string();
    let draw = |screen: &mut Screen, stage: &str| {
        let view = LoadingView {
            theme,
            what: &opening.what,
            stage,
            elapsed: started.elapsed(),
            quit_key: &quit_key,
        };
        screen
            .terminal
            .draw(|f| f.render_widget(view, f.area()))
            .map(|_| ())
            .map_err(|e| TuiError::Terminal(e.to_string()))
    };
    draw(&mut screen, &stage)?;
    tracing::debug!(target: "cscore::tui", "first frame after {:?}", started.elapsed());
    // After the alternate screen and before the input thread: the query reads stdin. Loading goes on.
    let picker = (opening.config.images == ImageMode::Auto && !no_color_requested()).then(query_picker);
    let (tx, mut rx) = unbounded_channel::<Event>();
    spawn_input(tx.clone());
    spawn_ticker(tx.clone());
    let mut keys: Vec<KeyEvent> = Vec::new();
    loop {
        tokio::select! {
            loaded = &mut done => {
                tracing::debug!(target: "cscore::tui", "loaded after {:?}", started.elapsed());
                return Ok(match loaded {
                    Ok(Ok(session)) => Opened::Ready(Box::new((session, Handover { screen, picker, inbox: (tx, rx), keys }))),
                    Ok(Err(e)) => Opened::Failed(e),
                    Err(_) => return Err(TuiError::Terminal("loading stopped unexpectedly (a panic)".into())),
                });
            }
            Some(s) = stages.recv() => {
                stage = s;
                draw(&mut screen, &stage)?;
            }
            Some(event) = rx.recv() => match event {
                Event::Key(k) if keymap.command(&k) == Some(Command::Quit) => return Ok(Opened::Quit),
                Event::Key(k) => keys.push(k),
                _ => draw(&mut screen, &stage)?,
            },
        }
    }
}
