//! The `cscore` binary: parse the command line, run, print one clear line on error.

mod cli;

use cli::stderr::errln;

fn main() {
    // Candle's element-wise ops share one global spin-waiting thread pool; cscore parallelises across models
    // instead (one worker per core), so keep that pool empty unless the user asks for one.
    if std::env::var_os("CANDLE_NUM_THREADS").is_none() {
        std::env::set_var("CANDLE_NUM_THREADS", "1");
    }
    ignore_file_size_signal();
    if let Err(e) = cli::training_defaults::check_environment() {
        errln!("error: {e}");
        std::process::exit(2);
    }
    let (mut cli, matches) = parse().unwrap_or_else(|e| usage_error(e));
    init_tracing(cli.verbose);
    let run = cli::training_defaults::apply(&mut cli, &matches).and_then(|taken| {
        if let Some(taken) = taken.filter(|_| !matches!(cli.command, cli::Command::Explore(_))) {
            errln!("settings from {taken}");
        }
        cli::run(cli)
    });
    if let Err(e) = run {
        if closed_pipe(&e) {
            // `cscore export … -o /dev/stdout | head`: the reader has what it wanted; say nothing.
            std::process::exit(cli::stdout::CLOSED_PIPE_STATUS);
        }
        errln!("error: {}", chain(&e));
        std::process::exit(1);
    }
}

/// Under a file-size limit (`ulimit -f`) a write past it raises SIGXFSZ, which kills the process by
/// default; ignored, the write fails with EFBIG instead and cscore reports a clear error (SQLite rolls the
/// transaction back, so the workspace stays intact).
fn ignore_file_size_signal() {
    #[cfg(unix)]
    // SAFETY: installing SIG_IGN for one signal at start-up, before any thread is spawned.
    unsafe {
        libc::signal(libc::SIGXFSZ, libc::SIG_IGN);
    }
}

/// The command line. Help is wrapped at the terminal's width up to 110 columns; written to a pipe or file it
/// is wrapped at 110 (clap's default there is 100, which breaks the examples' lines written for 110).
fn parse() -> Result<(cli::Cli, clap::ArgMatches), clap::Error> {
    use clap::{CommandFactory, FromArgMatches};
    use std::io::IsTerminal;
    let mut command = cli::Cli::command();
    if !std::io::stdout().is_terminal() {
        command = command.term_width(110);
    }
    let matches = command.try_get_matches()?;
    Ok((cli::Cli::from_arg_matches(&matches)?, matches))
}

/// A command-line mistake as one line on stderr (exit status 2); help and version print as usual.
fn usage_error(e: clap::Error) -> ! {
    use clap::error::ErrorKind;
    if matches!(
        e.kind(),
        ErrorKind::DisplayHelp
            | ErrorKind::DisplayVersion
            | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
    ) {
        e.exit()
    }
    let text = e.render().to_string();
    let parts: Vec<String> = text
        .lines()
        .map(str::trim)
        .take_while(|l| !l.starts_with("Usage:") && !l.starts_with("For more information"))
        .filter(|l| !l.is_empty())
        .map(|l| l.strip_prefix("tip: ").map_or(l.to_string(), |t| format!("({t})")))
        .collect();
    errln!("{} (see --help)", parts.join(" ").trim_end_matches(':'));
    std::process::exit(2)
}

/// True when the output pipe was closed by its reader (EPIPE), as shells report with status 141.
fn closed_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<std::io::Error>().is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

/// The error and its causes on one line.
fn chain(e: &anyhow::Error) -> String {
    let mut parts: Vec<String> = Vec::new();
    for cause in e.chain() {
        let s = cause.to_string();
        if !parts.iter().any(|p| p.contains(&s)) {
            parts.push(s);
        }
    }
    one_line(&parts.join(": "))
}

/// Line breaks become spaces and other control characters (an escape sequence in a file name, say) are
/// shown escaped, so an error is always one harmless line on the terminal.
fn one_line(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\n' | '\r' | '\t' => out.push(' '),
            c if c.is_control() => out.extend(c.escape_default()),
            c => out.push(c),
        }
    }
    out
}

fn init_tracing(verbose: u8) {
    let default = match verbose {
        0 => "warn",
        1 => "cscore=debug",
        _ => "cscore=trace",
    };
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default));
    let _ = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).try_init();
}
