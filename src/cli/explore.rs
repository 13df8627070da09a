//! `cscore explore`: open a dataset or a workspace in the explorer; missing runs train in the background.

use super::args::{DataArgs, EstimateArgs};
use super::stderr::errln;
use anyhow::{bail, Context};
use clap::Args;
use cscore::estimate::Plan;
use cscore::estimate::{
    default_workers, resolve_protocol_plan, shard_of_path, stored_plan, EstimateOptions, ProtocolChoice,
};
use cscore::export::project_from_record;
use cscore::model::parse_device;
use cscore::project::Project;
use cscore::store::{RunKey, Workspace};
use cscore::tui::{self, Config, ExploreSession, Opening, Progress, TrainSettings, WorkspaceReading};
use std::collections::HashSet;
use std::sync::{Arc, Mutex};

/// `cscore explore` flags: the estimate's, plus the explorer's own.
#[derive(Debug, Clone, Args)]
pub struct ExploreArgs {
    #[command(flatten)]
    pub estimate: EstimateArgs,
    /// Theme: auto (from the terminal's background), dark, light, high-contrast, neutral, or a path to a
    /// .toml theme [default: the config's, else auto].
    #[arg(long, value_name = "NAME")]
    pub theme: Option<String>,
    /// Only watch the workspace: train nothing (another process, e.g. `cscore estimate`, fills it).
    #[arg(long)]
    pub no_train: bool,
}

/// Runs the command: the explorer's loading screen shows at once while the dataset, the workspace and
/// the plan are opened on a thread of their own.
pub fn run(args: &ExploreArgs) -> anyhow::Result<()> {
    let config = Config::load()?;
    let data = &args.estimate.data.data;
    if std::fs::symlink_metadata(data).is_err() {
        bail!("{}: no such file or directory", data.display());
    }
    let opening =
        Opening { what: data.display().to_string(), config: config.clone(), theme: args.theme.clone() };
    let mut args = args.clone();
    // A shard's workspace is filled by its worker alone: the explorer follows it and trains nothing (it
    // would train the whole plan into the shard).
    let d = &args.estimate.data;
    let ws = if d.names_workspace() { Some(&d.data) } else { d.workspace.as_ref() };
    args.no_train |= ws.is_some_and(|w| shard_of_path(w).is_some());
    // Notes and warnings of the opening show in the explorer's message line, which the next key clears,
    // and are said again on stderr once the terminal is back (stderr would garble the screen before).
    let said = Arc::new(Mutex::new(Vec::new()));
    let told = Arc::clone(&said);
    let opened = tui::run_opening(opening, move |progress| open_session(&args, &config, progress, &told));
    for line in said.lock().map(|l| l.clone()).unwrap_or_default() {
        errln!("{line}");
    }
    let training_failed = opened??;
    // The bottom line may have cut it: said whole once the terminal is back, and the exit status says it.
    match training_failed {
        Some(why) => bail!("{why}"),
        None => Ok(()),
    }
}

/// Opens the project, resolves the plan and decides whether to train (the loading thread).
fn open_session(
    args: &ExploreArgs,
    config: &Config,
    progress: &Progress,
    said: &Mutex<Vec<String>>,
) -> anyhow::Result<ExploreSession> {
    if let Some(session) = labels_first(args, config, progress)? {
        return Ok(session);
    }
    let e = &args.estimate;
    // Opening a workspace file, its runs, tags and proxies are read (on a thread of their own) while the
    // dataset is read and hashed: at a million examples each takes seconds.
    let early = e.data.names_workspace().then(|| {
        let path = e.data.data.clone();
        std::thread::spawn(move || -> anyhow::Result<WorkspaceReading> {
            let ws = Workspace::open(&path)?;
            let plan = stored_plan(&ws)?;
            Ok(WorkspaceReading::read(&ws, plan, &Progress::none())?)
        })
    });
    progress.stage("reading the dataset and checking it against the workspace");
    let (project, changed) = match open_project(&e.data) {
        Ok(project) => (project, None),
        Err(why) => {
            let said = why.root_cause().to_string();
            (on_record(&e.data).ok_or(why)?, Some(said))
        }
    };
    let ws = &project.workspace;
    let plan = if args.no_train || changed.is_some() {
        stored_plan(ws)?
    } else {
        progress.stage("choosing the plan (colour or large images: a short learning-rate test first)");
        let (device, stop) = (parse_device(&e.device)?, std::sync::atomic::AtomicBool::new(false));
        let ds = &project.dataset;
        let resolved =
            resolve_protocol_plan(ws, &e.overrides(), e.protocol, ds, &device, &stop, &mut |line| {
                progress.stage(line)
            });
        match resolved {
            Ok(plan) => Some(plan),
            Err(e) => {
                // Refused before anything was stored (`--model cnn` on 8×8 images): leave no workspace.
                project.discard_if_new();
                return Err(e.into());
            }
        }
    };
    let settings = match &plan {
        Some(plan) if !args.no_train && changed.is_none() => train_settings(e, ws, plan)?,
        _ => None,
    };
    // The early reading stands when it was made under the plan the session uses (a plan changed by flags,
    // or a failure there, and the workspace is read again here).
    let early = early.and_then(|t| t.join().ok()).and_then(Result::ok).filter(|r| r.plan() == plan.as_ref());
    let reading = match early {
        Some(r) => r,
        None => WorkspaceReading::read(&project.workspace, plan, progress)?,
    };
    let notes: Vec<String> = project.notes.iter().map(|n| format!("note: {n}")).collect();
    let mut session =
        ExploreSession::open_read(project, reading, config, args.theme.as_deref(), settings, progress)?;
    let mut to_say = Vec::new();
    if let Some(why) = changed {
        session = session.without_images(&why);
        to_say.extend(session.app.message.as_ref().map(|m| m.text.clone()));
    }
    for note in notes {
        session.add_message(&note);
        to_say.push(note);
    }
    if let Ok(mut said) = said.lock() {
        said.extend(to_say);
    }
    Ok(session)
}

/// A workspace given alone whose dataset changed or went: its project from its record of its examples,
/// where it has one (the list, scores and tags still show; no images, no training).
fn on_record(d: &DataArgs) -> Option<Project> {
    if !d.names_workspace() || d.workspace.is_some() {
        return None;
    }
    project_from_record(&d.data, None).ok().flatten()
}

/// How to train the runs of `plan` that `ws` lacks; `None` when it has them all.
fn train_settings(e: &EstimateArgs, ws: &Workspace, plan: &Plan) -> anyhow::Result<Option<TrainSettings>> {
    let stored: HashSet<RunKey> = ws.run_keys()?.into_iter().map(|(k, _)| k).collect();
    if plan.schedule().iter().all(|s| stored.contains(&s.key)) {
        return Ok(None);
    }
    Ok(Some(TrainSettings {
        options: EstimateOptions {
            workers: e.workers.unwrap_or_else(default_workers).max(1),
            models_per_step: e.models_per_step,
            time_limit: e.time_limit,
            only: None,
            learning_check: !e.no_learning_check,
            // proxy_features and holdout_gate: the session sets them from the proxy selection
            ..EstimateOptions::default()
        },
        device: parse_device(&e.device)?,
        device_label: e.device.clone(),
        proxies: e.proxy_selection(ws)?,
    }))
}

/// Opens a workspace with the dataset's labels alone, when its format allows and its stored plan stands
/// (no flag changes it): the ranked list shows at once, and the images, and the training of any runs
/// the workspace lacks, once the pixels are read and checked against the workspace on a thread of their
/// own (at a million examples that takes seconds). `None`: open it the whole way ([`open_project`]),
/// which also says what is wrong with a dataset.
fn labels_first(
    args: &ExploreArgs,
    config: &Config,
    progress: &Progress,
) -> anyhow::Result<Option<ExploreSession>> {
    let e = &args.estimate;
    let d = &e.data;
    let corrupts = d.corruption().is_some_and(|c| !c.is_none());
    if !d.names_workspace() || d.workspace.is_some() || corrupts {
        return Ok(None);
    }
    let ws = Workspace::open(&d.data)?;
    let plan = stored_plan(&ws)?;
    let mut settings = None;
    if !args.no_train {
        // A new plan, or one the flags change, is chosen with the pixels at hand.
        let Some(stored) = &plan else { return Ok(None) };
        let same_protocol = e.protocol.is_none_or(|p| p == ProtocolChoice::Auto);
        if !same_protocol || e.overrides().apply(stored) != *stored {
            return Ok(None);
        }
        settings = train_settings(e, &ws, stored)?;
    }
    // A dataset moved or gone: the whole way says so, or opens the workspace's record.
    let Ok((source, load)) = d.dataset_of(&ws, "explore") else { return Ok(None) };
    progress.stage("reading the labels");
    let Some(opened) = Project::open_labels_first(&source, &load, ws)? else { return Ok(None) };
    let reading = WorkspaceReading::read(&opened.project.workspace, plan, progress)?;
    let session = ExploreSession::open_read(
        opened.project,
        reading,
        config,
        args.theme.as_deref(),
        settings,
        progress,
    )?;
    let pixels = opened.pixels;
    Ok(Some(session.with_pixels_later(Box::new(move || pixels.load().map_err(|e| e.to_string())))))
}

/// A workspace file (by its SQLite header) or a dataset path.
fn open_project(d: &DataArgs) -> anyhow::Result<Project> {
    let Some((source, load)) = d.workspace_dataset("explore")? else {
        return Ok(Project::open(&d.data, &d.load_options(), d.workspace.as_deref(), d.corruption())?);
    };
    Project::open(&source, &load, Some(&d.data), d.corruption())
        .with_context(|| format!("opening the dataset of {}", d.data.display()))
}
