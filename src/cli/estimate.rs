//! `cscore estimate`: load, open the workspace, train what is missing, print a summary.

use super::args::EstimateArgs;
use super::progress::Progress;
use super::stderr::errln;
use super::stdout::out;
use anyhow::Context;
use cscore::estimate::{clear_finished, shard_of_path, shard_runs, Shard, PROXY_SHARD};
use cscore::estimate::{
    dataset_warnings, default_workers, resolve_protocol_plan, EstimateOptions, Event, Summary,
};
use cscore::fmt::duration;
use cscore::model::{parse_device, DeviceData};
use cscore::pipeline::{estimate_with_proxies, Notice, ProxySetup};
use cscore::project::{default_workspace_path, Project};
use cscore::proxy::{block_of, ProxyUpdater, Selection, FUSED, INPUT_PROXIES};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

/// Runs the command.
pub fn run(args: &EstimateArgs) -> anyhow::Result<()> {
    if let Some(status) = run_shard(args, None)?.interrupted {
        std::process::exit(status);
    }
    Ok(())
}

/// Where an estimate ended.
pub struct Finished {
    /// The workspace (closed by now).
    pub workspace: PathBuf,
    /// Runs of the plan (or shard) stored, when none is left to train; `None` when stopped early.
    pub complete: Option<usize>,
    /// Stopped by a signal with planned runs left: the status the command exits with once the summary
    /// is printed (128 + the signal: 130 for Ctrl-C, 143 for SIGTERM; see `signals`), so that
    /// `cscore estimate … && next-step` does not go on with a partial estimate. `--time-limit` reaching
    /// its limit is a success (0).
    pub interrupted: Option<i32>,
}

/// Runs the command for the runs of one shard only (`cscore worker`), in the workspace `WS.shard-I-of-N`;
/// only shard [`PROXY_SHARD`] (which trains the proxy runs) computes the proxies.
pub fn run_shard(args: &EstimateArgs, shard: Option<Shard>) -> anyhow::Result<Finished> {
    // `--time-limit` counts from here: loading, the learning-rate test and the proxies are part of it.
    let started = Instant::now();
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
    if let (None, Some((s, base))) = (shard, workspace.as_deref().and_then(shard_of_path)) {
        anyhow::bail!(
            "{} is shard {s} of a sharded estimate: continue it with `cscore worker {} -w {} --shard {s}` \
             (estimate would train the whole plan into it), or merge the shards with `cscore merge {}`",
            workspace.as_deref().unwrap_or(&base).display(),
            data.display(),
            base.display(),
            base.display()
        );
    }
    let place = |name: &str| {
        let base = workspace.clone().unwrap_or_else(|| default_workspace_path(name));
        shard.map_or_else(|| base.clone(), |s| s.workspace_path(&base))
    };
    let mut project = Project::open_at(&data, &load, &place, d.corruption())?;
    let ws = &project.workspace;
    let ds = &project.dataset;
    let stop = Arc::new(AtomicBool::new(false));
    // Set by a signal alone (`stop` is also how a time limit ends the session).
    let signal = super::signals::install(stop.clone());
    let timed_out = Arc::new(AtomicBool::new(false));
    if let Some(limit) = args.time_limit {
        let (stop, timed_out) = (stop.clone(), timed_out.clone());
        std::thread::spawn(move || {
            std::thread::sleep(limit.saturating_sub(started.elapsed()));
            timed_out.store(true, Ordering::SeqCst);
            stop.store(true, Ordering::SeqCst);
        });
    }
    errln!(
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
    // How the images were read (in colour, stretched) is said when the workspace is made, not on every
    // resume; the notes on options and files left out every time.
    for note in ds.notes.iter().filter(|n| project.created || cscore::data::note_said_every_time(n)) {
        errln!("note: {note}");
    }
    super::stderr::say_project_notes(&project);
    if let Some(warning) = cscore::data::layout_warning(ds) {
        errln!("warning: {warning}");
    }
    // The protocol's line (and its learning-rate test, for a new workspace) comes after the dataset's
    // warnings, which stay right below the line above.
    let mut protocol_lines = Vec::new();
    let resolved =
        resolve_protocol_plan(ws, &args.overrides(), args.protocol, ds, &device, &stop, &mut |line| {
            // The test's own line says at once what the next minutes are spent on.
            if line.starts_with("testing") {
                errln!("{line}");
            } else {
                protocol_lines.push(line);
            }
        });
    let plan = match resolved {
        Err(cscore::Error::Interrupted)
            if timed_out.load(Ordering::SeqCst) || signal.received().is_some() =>
        {
            errln!(
                "stopped during the learning-rate test, before any run, after {}; nothing was stored ({})",
                duration(started.elapsed().as_secs_f64()),
                if signal.received().is_some() {
                    "run the same command again"
                } else {
                    "give a longer --time-limit, or --lr to skip the test"
                }
            );
            return Ok(Finished {
                workspace: ws.path().to_path_buf(),
                complete: None,
                interrupted: signal.exit_status(),
            });
        }
        Err(e) if project.created => {
            // Refused before anything was stored (`--model cnn` on 8×8 images): leave no workspace behind.
            project.discard_if_new();
            return Err(e.into());
        }
        other => other?,
    };
    let flags = args.overrides();
    for (flag, given, kept) in
        [("--runs", flags.runs, plan.runs), ("--proxy-runs", flags.proxy_runs, plan.proxy_runs)]
    {
        if let Some(given) = given.filter(|&g| g < kept) {
            errln!("note: the workspace plans {kept} for {flag}; {flag} {given} does not lower it (its runs are stored)");
        }
    }
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
    let wanted = args.proxy_selection(ws)?;
    let selection = match shard {
        Some(s) if !s.computes_proxies() => {
            let input = match part {
                Some(_) => wanted.restricted_to(&INPUT_PROXIES),
                None => Selection::none(),
            };
            if wanted != input {
                let which = if input.is_empty() { "" } else { "all but the input-space ones " };
                errln!(
                    "proxies: {which}left to shard {PROXY_SHARD}/{}, which trains the proxy runs",
                    s.count
                );
            }
            input
        }
        _ => wanted,
    };
    if let (Some(p), false) = (&part, selection.among(&INPUT_PROXIES).is_empty()) {
        errln!(
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
        time_limit: args.time_limit.map(|t| t.saturating_sub(started.elapsed())),
        only: shard.map(|s| shard_runs(&plan, s)),
        learning_check: !args.no_learning_check,
        ..EstimateOptions::default()
    };
    for warning in dataset_warnings(&ds.labels, &ds.class_names, &plan.ratios) {
        errln!("warning: {warning}");
    }
    if protocol_lines.is_empty() {
        // A workspace's stored plan: what the resumed runs train with, as the first estimate said it.
        errln!(
            "the workspace's plan: protocol {}, --model {}, inputs {}, lr {}, batch {}, {} epoch{}",
            plan.protocol.name(),
            plan.model,
            plan.inputs,
            plan.train.lr,
            plan.train.batch,
            plan.train.epochs,
            if plan.train.epochs == 1 { "" } else { "s" }
        );
    }
    for line in protocol_lines {
        errln!("{line}");
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
            Notice::Outdated { proxies, parts } => {
                let mut what = proxies;
                if parts > 0 {
                    what.push(format!("{parts} block(s) of input-space statistics"));
                }
                print(format!(
                    "the workspace's {} were computed with an older kernel bandwidth rule: dropped, computing \
                     them again",
                    what.join(", ")
                ))
            }
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
    let (report, mut agg) = result.map_err(|e| super::gpu::resume_hint(e.into(), ws.path()))?;
    if report.by_others > 0 {
        // The session's aggregate holds its own runs: the summary is of the workspace's.
        agg = cscore::estimate::aggregate_workspace(ws)?;
    }
    if let Some(e) = proxy_error.lock().ok().and_then(|e| e.clone()) {
        errln!("warning: proxies: {e}");
    }
    let stored = ws.proxy_names()?;
    if !stored.is_empty() {
        errln!("proxy scores in the workspace: {}", stored.join(", "));
    }
    if let Some(s) = shard {
        errln!("summary of shard {s}'s runs only (partial C-scores); `cscore merge` makes the estimate");
    }
    // Among examples of one C-score (many tie at 0 on a few runs), the fused estimate lists the likeliest
    // label errors first, as the explorer orders them.
    let fused = ws.proxy_scores(FUSED)?;
    let tie_break = fused.as_deref().map(|v| (FUSED, v));
    let mut summary = Summary::with_tie_break(&agg, &ds.labels, &ds.class_names, tie_break);
    if let Some(paths) = &ds.paths {
        summary = summary.with_files(|i| cscore::data::file_below(&ds.source, &paths[i]));
    }
    let flip = cscore::data::InjectedKind::LabelFlip.name();
    let flips: Vec<_> = project.injected.iter().filter(|r| r.kind == flip).collect();
    if !flips.is_empty() {
        let mut original = ds.labels.clone();
        for r in &flips {
            if let Some(l) = original.get_mut(r.example) {
                *l = r.original_label;
            }
        }
        let ratios = agg.holdout_accuracy().per_ratio.len();
        let against = cscore::estimate::holdout_accuracy_against(&ws.load_runs(false)?, &original, ratios);
        summary = summary.with_original_labels(&against, flips.len());
    }
    out!("{summary}");
    if report.failed > 0 {
        let rest = if agg.runs().0 == 0 {
            "and no holdout run has succeeded: there is no estimate yet"
        } else {
            "the estimate uses the others"
        };
        errln!("{} run(s) failed in this session (see the log above); {rest}", report.failed);
    }
    if report.by_others > 0 {
        errln!(
            "{} planned run(s) were committed by another process writing to this workspace",
            report.by_others
        );
    }
    let finished = Finished {
        workspace: ws.path().to_path_buf(),
        complete: (report.remaining == 0).then(|| ws.run_keys().map(|k| k.len())).transpose()?,
        interrupted: signal.exit_status().filter(|_| report.remaining > 0),
    };
    if report.remaining > 0 {
        errln!(
            "stopped after {} with {} planned run(s) left; run the same command again to continue",
            duration(started.elapsed().as_secs_f64()),
            report.remaining
        );
    } else {
        errln!(
            "all planned runs are in {} ({} trained in {})",
            ws.path().display(),
            report.committed,
            duration(report.seconds)
        );
    }
    Ok(finished)
}
