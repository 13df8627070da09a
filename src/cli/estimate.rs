//! `cscore estimate`: load, open the workspace, train what is missing, print a summary.

use super::args::EstimateArgs;
use super::progress::Progress;
use super::stdout::out;
use anyhow::Context;
use cscore::estimate::{clear_finished, shard_runs, Shard, PROXY_SHARD};
use cscore::estimate::{
    dataset_warnings, default_workers, resolve_protocol_plan, EstimateOptions, Event, Summary,
};
use cscore::fmt::duration;
use cscore::model::{parse_device, DeviceData};
use cscore::pipeline::{estimate_with_proxies, Notice, ProxySetup};
use cscore::project::{default_workspace_path, Project};
use cscore::proxy::{block_of, ProxyUpdater, Selection, INPUT_PROXIES};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

/// Runs the command.
pub fn run(args: &EstimateArgs) -> anyhow::Result<()> {
    if run_shard(args, None)?.interrupted {
        std::process::exit(INTERRUPTED_STATUS);
    }
    Ok(())
}

/// Where an estimate ended.
pub struct Finished {
    /// The workspace (closed by now).
    pub workspace: PathBuf,
    /// Runs of the plan (or shard) stored, when none is left to train; `None` when stopped early.
    pub complete: Option<usize>,
    /// Stopped by Ctrl-C with planned runs left: the command exits with [`INTERRUPTED_STATUS`] once the
    /// summary is printed, so that `cscore estimate … && next-step` does not go on with a partial estimate.
    pub interrupted: bool,
}

/// Exit status after Ctrl-C stopped an estimate early (128 + SIGINT, as shells report an interrupted
/// program); `--time-limit` reaching its limit is a success (0).
pub const INTERRUPTED_STATUS: i32 = 130;

/// Runs the command for the runs of one shard only (`cscore worker`), in the workspace `WS.shard-I-of-N`;
/// only shard [`PROXY_SHARD`] (which trains the proxy runs) computes the proxies.
pub fn run_shard(args: &EstimateArgs, shard: Option<Shard>) -> anyhow::Result<Finished> {
    let device = parse_device(&args.device)?;
    // A flag value that no plan accepts (--batch 0, --ratios 1.5) is refused before the dataset loads and
    // before a workspace file is made.
    args.overrides().apply(&cscore::estimate::Plan::default()).validate()?;
    let d = &args.data;
    // `cscore estimate WS`: continue that workspace, on the dataset it records.
    let (data, load, workspace) =
        match d.workspace_dataset(if shard.is_some() { "worker" } else { "estimate" })? {
            Some((source, load)) => (source, load, Some(d.data.clone())),
            None => (d.data.clone(), d.load_options(), d.workspace.clone()),
        };
    let place = |ds: &cscore::data::Dataset| {
        let base = workspace.clone().unwrap_or_else(|| default_workspace_path(ds));
        shard.map_or_else(|| base.clone(), |s| s.workspace_path(&base))
    };
    let mut project = Project::open_at(&data, &load, &place, d.corruption())?;
    let ws = &project.workspace;
    let ds = &project.dataset;
    let stop = Arc::new(AtomicBool::new(false));
    // Set by Ctrl-C alone (`stop` is also how a time limit ends the session).
    let interrupted = Arc::new(AtomicBool::new(false));
    install_ctrlc(stop.clone(), interrupted.clone());
    eprintln!(
        "{}: {} examples, {} class{}, {}×{}×{} → workspace {}",
        ds.source.display(),
        ds.len(),
        ds.num_classes(),
        if ds.num_classes() == 1 { "" } else { "es" },
        ds.channels,
        ds.height,
        ds.width,
        ws.path().display()
    );
    // The protocol's line (and its learning-rate test, for a new workspace) comes after the dataset's
    // warnings, which stay right below the line above.
    let mut protocol_lines = Vec::new();
    let plan =
        resolve_protocol_plan(ws, &args.overrides(), args.protocol, ds, &device, &stop, &mut |line| {
            protocol_lines.push(line)
        })?;
    if shard.is_some() {
        clear_finished(ws.path())?;
    }
    // In a sharded estimate every shard computes the input-space statistics of its own block of examples
    // (joined by `cscore merge`); the proxy shard also computes the proxies that need the proxy runs.
    // (With exact statistics the proxy shard makes the one pass over all pairs, as a single process would:
    // under a minute up to the 100,000 examples `auto` keeps exact, and split by rows it would cost twice.)
    let part = shard
        .filter(|s| s.count > 1 && args.neighbours.approximates(ds.len()))
        .map(|s| block_of(ds.len(), s.index, s.count));
    let selection = match shard {
        Some(s) if !s.computes_proxies() => {
            let input = match part {
                Some(_) => args.proxies.restricted_to(&INPUT_PROXIES),
                None => Selection::none(),
            };
            if args.proxies != input {
                let which = if input.is_empty() { "" } else { "all but the input-space ones " };
                eprintln!(
                    "proxies: {which}left to shard {PROXY_SHARD}/{}, which trains the proxy runs",
                    s.count
                );
            }
            input
        }
        _ => args.proxies.clone(),
    };
    if let (Some(p), false) = (&part, selection.among(&INPUT_PROXIES).is_empty()) {
        eprintln!(
            "proxies: input-space statistics of examples {}..{} of {} here; `cscore merge` joins the shards' blocks",
            p.start,
            p.end,
            ds.len()
        );
    }
    let data =
        DeviceData::with_inputs(ds, &plan.inputs, &device).context("uploading the dataset to the device")?;
    // Training and the proxies read the device's copy from here on; the dataset's own goes (1 GB at 1.26 M
    // MNIST-sized examples). Nothing below needs an image.
    project.dataset.pixels = Vec::new();
    let ds = &project.dataset;
    let workers = args.workers.unwrap_or_else(default_workers).max(1);
    let opts = EstimateOptions {
        workers,
        models_per_step: args.models_per_step,
        time_limit: args.time_limit,
        only: shard.map(|s| shard_runs(&plan, s)),
        learning_check: !args.no_learning_check,
        ..EstimateOptions::default()
    };
    for warning in dataset_warnings(&ds.labels, &ds.class_names, &plan.ratios) {
        eprintln!("warning: {warning}");
    }
    for line in protocol_lines {
        eprintln!("{line}");
    }
    let mut updater = ProxyUpdater::new(selection.clone(), &ds.labels, ds.num_classes());
    let block = part.clone();
    updater.part = part;
    updater.method = args.neighbours.clone();
    let mut progress = Progress::new(args.no_progress);
    // Proxies are secondary: their first failure is reported at the end and never stops the estimate.
    let proxy_error: Arc<Mutex<Option<String>>> = Arc::default();
    let wait = args.proxy_wait;
    let notify = {
        let (print, error) = (progress.printer(), proxy_error.clone());
        Arc::new(move |n: Notice| match n {
            Notice::Computing { names } => print(format!(
                "computing {}; holdout runs start when they are stored (in {} at most)",
                names.join(", "),
                duration(wait.as_secs_f64())
            )),
            Notice::Stored { names, seconds } => match &block {
                Some(b) if names.iter().all(|n| INPUT_PROXIES.contains(n)) => print(format!(
                    "input-space statistics of examples {}..{} stored for `cscore merge` ({})",
                    b.start,
                    b.end,
                    duration(seconds)
                )),
                _ => print(format!("proxies stored: {} ({})", names.join(", "), duration(seconds))),
            },
            Notice::Error(e) => {
                if let Ok(mut first) = error.lock() {
                    first.get_or_insert(e);
                }
            }
        })
    };
    let result = estimate_with_proxies(
        ws,
        &data,
        &plan,
        &opts,
        Some(ProxySetup { updater, notify, wait: args.proxy_wait }),
        stop,
        &mut |event, agg| match event {
            Event::Started { done, total, pending } => {
                progress.start(done, total, pending, workers.min(pending.max(1)))
            }
            Event::RunCommitted { record } => progress.run_committed(record, agg),
            Event::ProxyFeatures { .. } => {}
        },
    );
    progress.finish();
    let (report, agg) = result.map_err(|e| super::gpu::resume_hint(e.into(), ws.path()))?;
    if let Some(e) = proxy_error.lock().ok().and_then(|e| e.clone()) {
        eprintln!("warning: proxies: {e}");
    }
    let stored = ws.proxy_names()?;
    if !stored.is_empty() {
        eprintln!("proxy scores in the workspace: {}", stored.join(", "));
    }
    out!("{}", Summary::new(&agg, &ds.labels, &ds.class_names));
    if report.failed > 0 {
        eprintln!(
            "{} run(s) failed in this session (see the log above); the estimate uses the others",
            report.failed
        );
    }
    let finished = Finished {
        workspace: ws.path().to_path_buf(),
        complete: (report.remaining == 0).then(|| ws.run_keys().map(|k| k.len())).transpose()?,
        interrupted: interrupted.load(Ordering::SeqCst) && report.remaining > 0,
    };
    if report.remaining > 0 {
        eprintln!(
            "stopped after {} with {} planned run(s) left; run the same command again to continue",
            duration(report.seconds),
            report.remaining
        );
    } else {
        eprintln!(
            "all planned runs are in {} ({} trained in {})",
            ws.path().display(),
            report.committed,
            duration(report.seconds)
        );
    }
    Ok(finished)
}

/// First Ctrl-C: stop cleanly (finished runs are already committed); second: exit at once.
fn install_ctrlc(stop: Arc<AtomicBool>, interrupted: Arc<AtomicBool>) {
    let _ = ctrlc::set_handler(move || {
        if interrupted.swap(true, Ordering::SeqCst) {
            std::process::exit(130);
        }
        stop.store(true, Ordering::SeqCst);
        eprintln!(
            "\nstopping: runs still training are abandoned; a run already trained finishes its held-out \
             evaluation first (Ctrl-C again to exit at once)"
        );
    });
}
