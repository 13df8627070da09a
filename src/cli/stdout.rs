//! Printing to standard output the way command-line tools do: a reader that closes the pipe early
//! (`cscore eval ws --compare | head`) ends the program quietly with status 141, as SIGPIPE would, instead
//! of the panic `println!` gives.

use super::stderr::errln;
use std::fmt;
use std::io::{self, Write};

/// Exit status of a program whose output pipe was closed (128 + SIGPIPE), as shells report it.
pub const CLOSED_PIPE_STATUS: i32 = 141;

/// Writes `args` to standard output; ends the process on a closed pipe (status 141) or another write
/// error (one line, status 1).
pub fn write_stdout(args: fmt::Arguments<'_>) {
    let mut out = io::stdout().lock();
    if let Err(e) = out.write_fmt(args) {
        exit_on_write_error(&e);
    }
}

/// Ends the process after a failed write to standard output.
pub fn exit_on_write_error(e: &io::Error) -> ! {
    if e.kind() == io::ErrorKind::BrokenPipe {
        std::process::exit(CLOSED_PIPE_STATUS);
    }
    errln!("error: writing to standard output: {e}");
    std::process::exit(1)
}

/// `print!` that ends quietly with status 141 when the reader has gone (see [`write_stdout`]).
macro_rules! out {
    ($($arg:tt)*) => { $crate::cli::stdout::write_stdout(format_args!($($arg)*)) };
}

/// `println!` that ends quietly with status 141 when the reader has gone (see [`write_stdout`]).
macro_rules! outln {
    () => { $crate::cli::stdout::write_stdout(format_args!("\n")) };
    ($($arg:tt)*) => { $crate::cli::stdout::write_stdout(format_args!("{}\n", format_args!($($arg)*))) };
}

pub(crate) use {out, outln};
