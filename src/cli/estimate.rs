//! `cscore estimate`: load, open the workspace, train what is missing, print a summary.

use super::args::EstimateArgs;
use super::progress::{fmt_secs, Progress};
use anyhow::Context;
use cscore::estimate::{
    aggregate_workspace, default_workers, resolve_plan, run_estimate, EstimateOptions, Event, Summary,
};
use cscore::model::{parse_device, DeviceData};
use cscore::project::Project;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

/// Runs the command.
pub fn run(args: &EstimateArgs) -> anyhow::Result<()> {
    let device = parse_device(&args.device)?;
    let d = &args.data;
    let project = Project::open(&d.data, &d.load_options(), d.workspace.as_deref(), d.corruption())?;
    let ws = &project.workspace;
    let ds = &project.dataset;
    let plan = resolve_plan(ws, &args.overrides())?;
    let data = DeviceData::new(ds, &device).context("uploading the dataset to the device")?;
    let mut agg = aggregate_workspace(ws)?;
    let stop = Arc::new(AtomicBool::new(false));
    install_ctrlc(stop.clone());
    let workers = args.workers.unwrap_or_else(default_workers).max(1);
    let opts = EstimateOptions {
        workers,
        models_per_step: args.models_per_step,
        time_limit: args.time_limit,
        only: None,
    };
    eprintln!(
        "{}: {} examples, {} classes, {}×{}×{} → workspace {}",
        ds.source.display(),
        ds.len(),
        ds.num_classes(),
        ds.channels,
        ds.height,
        ds.width,
        ws.path().display()
    );
    let mut progress = Progress::new(args.no_progress);
    let report = run_estimate(ws, &data, &plan, &opts, &stop, &mut |event| match event {
        Event::Started { done, total, pending } => {
            progress.start(done, total, pending, workers.min(pending.max(1)))
        }
        Event::RunCommitted { record } => {
            agg.add(record);
            progress.run_committed(record, &agg);
        }
    });
    progress.finish();
    let report = report?;
    print!("{}", Summary::new(&agg, &ds.labels, &ds.class_names));
    if report.failed > 0 {
        eprintln!(
            "{} run(s) failed in this session (see the log above); the estimate uses the others",
            report.failed
        );
    }
    if report.remaining > 0 {
        eprintln!(
            "stopped after {} with {} planned run(s) left; run the same command again to continue",
            fmt_secs(report.seconds),
            report.remaining
        );
    } else {
        eprintln!(
            "all planned runs are in {} ({} trained in {})",
            ws.path().display(),
            report.committed,
            fmt_secs(report.seconds)
        );
    }
    Ok(())
}

/// First Ctrl-C: stop cleanly (finished runs are already committed); second: exit at once.
fn install_ctrlc(stop: Arc<AtomicBool>) {
    let _ = ctrlc::set_handler(move || {
        if stop.swap(true, Ordering::SeqCst) {
            std::process::exit(130);
        }
        eprintln!("\nstopping: abandoning runs in flight (Ctrl-C again to exit at once)");
    });
}
