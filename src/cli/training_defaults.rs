//! The machine's training defaults: `--device`, `--workers` and `--ensemble` of `estimate`, `worker` and
//! `explore` from the environment (`CSCORE_DEVICE`, `CSCORE_WORKERS`, `CSCORE_ENSEMBLE`, read by clap) or
//! the `[estimate]` table of config.toml, so a GPU box says `device = "cuda"` once. A flag wins over the
//! environment, which wins over the file. They change where and how fast models train, never the plan.

use super::{Cli, Command, EstimateArgs};
use anyhow::anyhow;
use clap::parser::ValueSource;
use clap::ArgMatches;
use cscore::tui::{config_path, line_of, toml_problem};
use serde::Deserialize;
use std::path::Path;
use toml::Spanned;

/// `[estimate]` in config.toml.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct TrainingDefaults {
    device: Option<Spanned<String>>,
    workers: Option<Spanned<usize>>,
    ensemble: Option<Spanned<usize>>,
}

/// The file's other settings belong to the explorer, which checks them.
#[derive(Debug, Deserialize)]
struct FileView {
    estimate: Option<TrainingDefaults>,
}

/// Fills the training flags of a training command that neither the command line nor the environment set
/// from the config file; returns what was taken from it, to be said (`None`: nothing).
pub fn apply(cli: &mut Cli, matches: &ArgMatches) -> anyhow::Result<Option<String>> {
    let Some((_, sub)) = matches.subcommand() else { return Ok(None) };
    let args: &mut EstimateArgs = match &mut cli.command {
        Command::Estimate(a) => a,
        Command::Worker(a) => &mut a.estimate,
        Command::Explore(a) => &mut a.estimate,
        _ => return Ok(None),
    };
    let Some(path) = config_path() else { return Ok(None) };
    // The default file is optional; a file named by $CSCORE_CONFIG must be there (as the explorer has it).
    let named = std::env::var_os("CSCORE_CONFIG").is_some_and(|p| !p.is_empty());
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        // The default file unreadable (another user's home, as under `sudo -u`): as if none.
        Err(_) if !named => return Ok(None),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            anyhow::bail!("{}: no such file (named by $CSCORE_CONFIG)", path.display())
        }
        Err(e) => anyhow::bail!("{}: {e}", path.display()),
    };
    let defaults = parse(&text, &path)?;
    let unset = |id: &str| matches!(sub.value_source(id), None | Some(ValueSource::DefaultValue));
    let mut taken = Vec::new();
    if let Some(device) = defaults.device.filter(|_| unset("device")) {
        let line = line_of(&text, device.span().start);
        let device = device.into_inner();
        device
            .parse::<cscore::model::DeviceSpec>()
            .map_err(|e| anyhow!("{}: line {line}: [estimate] device: {e}", path.display()))?;
        taken.push(format!("device = {device}"));
        args.device = device;
    }
    if let Some(workers) = defaults.workers.filter(|_| unset("workers")) {
        args.workers = Some(at_least_one(&text, &path, "workers", workers)?);
        taken.push(format!("workers = {}", args.workers.unwrap_or_default()));
    }
    if let Some(ensemble) = defaults.ensemble.filter(|_| unset("models_per_step")) {
        args.models_per_step = at_least_one(&text, &path, "ensemble", ensemble)?;
        taken.push(format!("ensemble = {}", args.models_per_step));
    }
    Ok((!taken.is_empty()).then(|| format!("{} [estimate]: {}", path.display(), taken.join(", "))))
}

/// The environment's defaults, checked before the command line is read: an empty one counts as unset, and
/// a bad one is refused naming the variable (clap would blame the flag, which nobody typed). Call at start,
/// before any thread. Commands that do not train ignore the variables, as clap does.
pub fn check_environment() -> Result<(), String> {
    let command = std::env::args().skip(1).find(|a| !a.starts_with('-'));
    if !matches!(command.as_deref(), Some("estimate" | "worker" | "explore")) {
        return Ok(());
    }
    for (var, flag) in
        [("CSCORE_DEVICE", "--device"), ("CSCORE_WORKERS", "--workers"), ("CSCORE_ENSEMBLE", "--ensemble")]
    {
        let Some(value) = std::env::var_os(var) else { continue };
        let value = value.to_string_lossy().trim().to_string();
        if value.is_empty() {
            std::env::remove_var(var);
            continue;
        }
        let problem = if var == "CSCORE_DEVICE" {
            value.parse::<cscore::model::DeviceSpec>().err().map(|e| e.to_string())
        } else {
            super::args::positive(&value).err()
        };
        if let Some(problem) = problem {
            return Err(format!("{var}={value} (the default for {flag}): {problem}"));
        }
    }
    Ok(())
}

/// The `[estimate]` table of `text`, the whole file checked as the explorer checks it (a misspelt
/// `[estimates]` is an error, not silently no table); errors name the file and line.
fn parse(text: &str, path: &Path) -> anyhow::Result<TrainingDefaults> {
    cscore::tui::Config::parse(text, &path.display().to_string())?;
    let view: FileView = toml::from_str(text).map_err(|e| {
        let (line, problem) = toml_problem(text, &e);
        anyhow!("{}: line {line}: {problem}", path.display())
    })?;
    Ok(view.estimate.unwrap_or_default())
}

fn at_least_one(text: &str, path: &Path, name: &str, value: Spanned<usize>) -> anyhow::Result<usize> {
    match *value.get_ref() {
        0 => Err(anyhow!(
            "{}: line {}: [estimate] {name} must be at least 1",
            path.display(),
            line_of(text, value.span().start)
        )),
        n => Ok(n),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn the_table_is_read_and_errors_name_the_line() {
        let p = Path::new("c.toml");
        let d = parse("theme = \"light\"\n[estimate]\ndevice = \"cuda\"\nworkers = 4\n", p).unwrap();
        assert_eq!(d.device.unwrap().into_inner(), "cuda");
        assert_eq!(d.workers.unwrap().into_inner(), 4);
        assert!(d.ensemble.is_none());
        assert!(parse("theme = \"light\"\n", p).unwrap().device.is_none());
        let example = parse(cscore::tui::EXAMPLE_CONFIG, p).unwrap();
        assert_eq!(example.device.unwrap().into_inner(), "cpu");
        let e = parse("[estimate]\n\nepochs = 3\n", p).unwrap_err().to_string();
        assert!(e.starts_with("c.toml: line 3: unknown field `epochs`"), "{e}");
        let e = parse("[estimate]\nworkers = \"many\"\n", p).unwrap_err().to_string();
        assert!(e.starts_with("c.toml: line 2: workers: invalid type"), "{e}");
        // the whole file is checked: a misspelt table, or a value where the table goes, is an error
        let e = parse("theme = \"auto\"\n[estimates]\ndevice = \"cuda\"\n", p).unwrap_err().to_string();
        assert!(e.starts_with("c.toml: line 2: unknown field `estimates`"), "{e}");
        let e = parse("estimate = 3\n", p).unwrap_err().to_string();
        assert!(e.starts_with("c.toml: line 1: estimate: invalid type: integer `3`"), "{e}");
    }
}
