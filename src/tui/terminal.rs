//! Terminal set-up and restore, in one place, with a panic hook that restores the terminal first.

use crossterm::cursor::{Hide, Show};
use crossterm::execute;
use crossterm::terminal::{disable_raw_mode, enable_raw_mode, EnterAlternateScreen, LeaveAlternateScreen};
use ratatui::backend::CrosstermBackend;
use ratatui::Terminal;
use std::io::{stdout, Stdout};
use std::sync::Once;

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

/// Leaves the alternate screen and raw mode (safe to call more than once).
pub fn restore() {
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
