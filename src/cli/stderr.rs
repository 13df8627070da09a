//! Printing to standard error without ever failing. Progress lines, warnings and the summary's notes are
//! for a reader who may have gone (`cscore estimate … 2>&1 | tee log` with the `tee` ended by a logout, a
//! closed SSH terminal): a long estimate goes on training and committing instead of panicking, as
//! `eprintln!` does on a closed pipe.

use std::fmt;
use std::io::{self, Write};

/// Writes `args` to standard error, ignoring a failed write.
pub fn write_stderr(args: fmt::Arguments<'_>) {
    let _ = io::stderr().lock().write_fmt(args);
}

/// `eprintln!` that never panics (see [`write_stderr`]).
macro_rules! errln {
    () => { $crate::cli::stderr::write_stderr(format_args!("\n")) };
    ($($arg:tt)*) => { $crate::cli::stderr::write_stderr(format_args!("{}\n", format_args!($($arg)*))) };
}

pub(crate) use errln;

/// Says, one `note:` line each, what opening a project changed in its workspace (renamed classes).
pub fn say_project_notes(project: &cscore::project::Project) {
    for note in &project.notes {
        errln!("note: {note}");
    }
}
