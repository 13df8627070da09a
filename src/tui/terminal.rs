//! Terminal set-up and restore, in one place, with a panic hook that restores the terminal first.

use crossterm::cursor::{Hide, Show};
use crossterm::execute;
use crossterm::terminal::{disable_raw_mode, enable_raw_mode, EnterAlternateScreen, LeaveAlternateScreen};
use ratatui::backend::CrosstermBackend;
use ratatui::Terminal;
use std::io::{stdout, Stdout};
use std::sync::{Mutex, Once};
use std::time::{Duration, Instant};

use super::error::TuiError;

/// The terminal the explorer draws on; restored when dropped.
pub struct Screen {
    /// The ratatui terminal.
    pub terminal: Terminal<CrosstermBackend<Stdout>>,
}

/// Raw mode and the alternate screen; a panic hook that restores them before the panic message prints.
pub fn enter() -> Result<Screen, TuiError> {
    use std::io::IsTerminal;
    if !std::io::stdin().is_terminal() || !std::io::stdout().is_terminal() {
        return Err(TuiError::Terminal(
            "the explorer needs an interactive terminal (standard input and output are not one: over SSH \
             use `ssh -t`; in a script, `cscore export` and `cscore show` print the scores)"
                .into(),
        ));
    }
    install_panic_hook();
    let fail = |e: std::io::Error| TuiError::Terminal(e.to_string());
    enable_raw_mode().map_err(fail)?;
    if let Err(e) = execute!(stdout(), EnterAlternateScreen, Hide) {
        restore();
        return Err(fail(e));
    }
    match Terminal::new(CrosstermBackend::new(stdout())) {
        Ok(terminal) => Ok(Screen { terminal }),
        Err(e) => {
            restore();
            Err(fail(e))
        }
    }
}

/// When the explorer last asked the terminal something whose reply nobody may be left to read.
static ASKED: Mutex<Option<Instant>> = Mutex::new(None);

/// How long a terminal (over SSH too) may take to answer a status request.
const REPLY_WAIT: Duration = Duration::from_millis(500);

/// Notes that the terminal was just asked a question (a device status request) that it will answer on
/// standard input: leaving raw mode before the answer comes would echo it (`^[[0n`) into the shell.
pub fn asked_terminal() {
    if let Ok(mut asked) = ASKED.lock() {
        *asked = Some(Instant::now());
    }
}

/// Before raw mode goes, soon after a question to the terminal (an explorer that stops while it opens):
/// waits for the answer, unechoed, and discards it with any other unread input.
fn discard_late_replies() {
    let Some(at) = ASKED.lock().ok().and_then(|mut a| a.take()) else { return };
    let left = REPLY_WAIT.saturating_sub(at.elapsed());
    if left.is_zero() {
        return; // answered long ago, and read
    }
    std::thread::sleep(left);
    #[cfg(unix)]
    // SAFETY: tcflush on the process's own standard input descriptor; no memory is passed.
    unsafe {
        libc::tcflush(libc::STDIN_FILENO, libc::TCIFLUSH);
    }
}

/// Leaves the alternate screen and raw mode (safe to call more than once).
pub fn restore() {
    discard_late_replies();
    let _ = disable_raw_mode();
    let _ = execute!(stdout(), LeaveAlternateScreen, Show);
}

impl Drop for Screen {
    fn drop(&mut self) {
        restore();
    }
}

fn install_panic_hook() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            restore();
            previous(info);
        }));
    });
}
