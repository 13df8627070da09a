//! How fast the explorer opens a 60,000-example workspace, or a larger one (ignored: run it on purpose, in
//! release):
//!
//! ```sh
//! cargo test --release --test system -- --ignored --nocapture tui_open_bench
//! CSCORE_OPEN_BENCH_WS=mnist.cscore CSCORE_OPEN_BENCH_BASELINE=old/cscore \
//!     cargo test --release --test system -- --ignored --nocapture tui_open_bench
//! CSCORE_OPEN_BENCH_N=1260000 cargo test --release --test system -- --ignored --nocapture tui_open_bench
//! ```
//!
//! Without `CSCORE_OPEN_BENCH_WS` it builds a synthetic MNIST-like workspace (`CSCORE_OPEN_BENCH_N`,
//! default 60,000, 28×28 images as
//! gzipped IDX, 9 ratios × 2 runs, a tracked proxy run of 10 epochs, 16 proxies); with it, it measures a
//! copy of that workspace (e.g. one made by `cscore estimate ../shared/data/mnist --runs 4 --ratios
//! 0.3,0.6,0.9 --epochs 1`). It reports where the loading thread's time goes, how long the estimator
//! holds the write lock to commit a tracked run and how long a label waits behind it, then times the
//! real binary in tmux until the first frame and until the ranked list shows, with `images = "blocks"`
//! and with the terminal graphics query (`auto`); `CSCORE_OPEN_BENCH_BASELINE` times another binary
//! (an older cscore) the same way in the same run.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use cscore::data::LoadOptions;
use cscore::estimate::{resolve_plan, stored_plan, PlanOverrides};
use cscore::fmt::count;
use cscore::project::Project;
use cscore::store::{bit_set, EpochStats, RunKey, RunRecord, RunStatus, Workspace};
use cscore::tui::views::{draw, ViewState};
use cscore::tui::{Background, Command, Config, ExploreSession, FollowFrom};
use flate2::write::GzEncoder;
use flate2::Compression;
use ratatui::backend::TestBackend;
use ratatui::Terminal;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command as Process;
use std::time::{Duration, Instant};

/// Examples of the synthetic workspace: `CSCORE_OPEN_BENCH_N`, default 60,000 (MNIST).
fn synthetic_examples() -> usize {
    std::env::var("CSCORE_OPEN_BENCH_N")
        .ok()
        .and_then(|v| v.replace(['_', ','], "").parse().ok())
        .unwrap_or(60_000)
}

const PROXIES: [&str; 16] = [
    "aum",
    "class_density",
    "cumulative_accuracy",
    "datamap_confidence",
    "datamap_variability",
    "density",
    "el2n",
    "forgetting_events",
    "fused",
    "hidden_class_density",
    "hidden_density",
    "hidden_relative_density",
    "knn_agreement",
    "learning_speed",
    "lof",
    "relative_density",
];

fn idx(path: &Path, header: &[u32], body: &[u8]) {
    let mut gz = GzEncoder::new(std::fs::File::create(path).unwrap(), Compression::fast());
    for v in header {
        gz.write_all(&v.to_be_bytes()).unwrap();
    }
    gz.write_all(body).unwrap();
    gz.finish().unwrap();
}

fn record(
    key: RunKey,
    ratio: f64,
    labels: &[u32],
    held_out: impl Fn(usize) -> bool,
    epochs: usize,
) -> RunRecord {
    let n = labels.len();
    let (mut mask, mut correct, mut preds) = (vec![0u8; n.div_ceil(8)], vec![0u8; n.div_ceil(8)], Vec::new());
    for (i, &l) in labels.iter().enumerate().filter(|(i, _)| held_out(*i)) {
        bit_set(&mut mask, i);
        if i % 7 != 0 {
            bit_set(&mut correct, i);
        }
        preds.push(if i % 7 != 0 { l } else { (l + 1) % 10 });
    }
    let epochs = (1..=epochs as u32)
        .map(|e| EpochStats {
            epoch: e,
            given_prob: (0..n).map(|i| ((i % 10) as f32 / 10.0) * e as f32 / epochs as f32).collect(),
            predicted: labels.to_vec(),
            margin: vec![0.5; n],
        })
        .collect();
    RunRecord {
        key,
        subset_ratio: ratio,
        seed: u64::from(key.run_index) * 100 + u64::from(key.ratio_index),
        status: RunStatus::Done,
        train_seconds: 1.0,
        eval_seconds: 0.1,
        num_examples: n,
        heldout_mask: mask,
        heldout_correct: correct,
        heldout_predictions: preds,
        heldout_probs: Vec::new(),
        final_loss: 0.1,
        epochs,
    }
}

/// A synthetic MNIST-sized dataset and workspace in `dir`.
fn synthetic(dir: &Path, n: usize) -> (PathBuf, PathBuf) {
    let data = dir.join("synthetic");
    std::fs::create_dir_all(&data).unwrap();
    let labels: Vec<u32> = (0..n as u32).map(|i| (i * 7 + i / 13) % 10).collect();
    let pixels: Vec<u8> =
        (0..n * 784).map(|p| if (p * 31 + p / 784) % 5 < 2 { (p % 251) as u8 } else { 0 }).collect();
    idx(&data.join("train-images-idx3-ubyte.gz"), &[0x803, n as u32, 28, 28], &pixels);
    let label_bytes: Vec<u8> = labels.iter().map(|&l| l as u8).collect();
    idx(&data.join("train-labels-idx1-ubyte.gz"), &[0x801, n as u32], &label_bytes);
    let ws_path = dir.join("synthetic.cscore");
    let project = Project::open(&data, &LoadOptions::default(), Some(&ws_path), None).unwrap();
    let ws = &project.workspace;
    let ratios: Vec<f64> = (1..=9).map(|r| f64::from(r) / 10.0).collect();
    let overrides = PlanOverrides {
        ratios: Some(ratios.clone()),
        runs: Some(2),
        track_runs: Some(0),
        ..Default::default()
    };
    resolve_plan(ws, &overrides).unwrap();
    let key = RunKey { kind_is_proxy: true, ratio_index: 0, run_index: 0 };
    ws.insert_run(&record(key, 1.0, &labels, |_| false, 10)).unwrap();
    for r in 0..2u32 {
        for (ri, &s) in ratios.iter().enumerate() {
            let key = RunKey { kind_is_proxy: false, ratio_index: ri as u32, run_index: r };
            let cut = ((1.0 - s) * 100.0) as usize;
            ws.insert_run(&record(key, s, &labels, |i| (i * 37 + r as usize * 11) % 100 < cut, 0)).unwrap();
        }
    }
    for (k, name) in PROXIES.iter().enumerate() {
        let scores: Vec<f32> = (0..n).map(|i| ((i * (k + 7)) % 1009) as f32 / 1009.0).collect();
        ws.set_proxy_scores(name, &scores).unwrap();
    }
    (data, ws_path)
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

/// Seconds from starting `cscore explore WS --no-train` in a fresh tmux pane until the first frame
/// and until the ranked list shows.
fn in_tmux(exe: &Path, dir: &Path, ws: &Path, images: &str, n: usize) -> (f64, f64) {
    static STARTS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let start = STARTS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let config = dir.join(format!("{images}.toml"));
    std::fs::write(&config, format!("images = \"{images}\"\n")).unwrap();
    // a server of its own each time: a new one on a socket whose server is still shutting down can fail
    let socket = dir.join(format!("bench-{start}.sock"));
    let tmux = |args: &[&str]| {
        let out = Process::new("tmux")
            .args(["-f", "/dev/null", "-S"])
            .arg(&socket)
            .args(args)
            .env("LC_ALL", "C.UTF-8")
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let line = format!(
        "CSCORE_CONFIG='{}' '{}' explore '{}' --no-train; sleep 60",
        config.display(),
        exe.display(),
        ws.display()
    );
    let started = Instant::now();
    tmux(&["new-session", "-d", "-x", "160", "-y", "48", "-s", "bench", "-e", "LC_ALL=C.UTF-8", &line]);
    let mut first = None;
    let list = loop {
        let screen = tmux(&["capture-pane", "-p", "-t", "bench"]);
        let t = started.elapsed().as_secs_f64();
        if first.is_none() && (screen.contains("loading") || screen.contains("ranked list")) {
            first = Some(t);
        }
        if screen.contains(&format!("ranked list · {}", count(n))) {
            break t;
        }
        assert!(t < 300.0, "the list never showed:\n{screen}");
        std::thread::sleep(Duration::from_millis(5));
    };
    tmux(&["send-keys", "-t", "bench", "q"]);
    std::thread::sleep(Duration::from_millis(300));
    tmux(&["kill-server"]);
    (first.unwrap_or(list), list)
}

#[test]
#[ignore = "a benchmark: cargo test --release --test system -- --ignored --nocapture tui_open_bench"]
fn opening_a_60k_workspace() {
    let tmp = tempfile::tempdir().unwrap();
    let ws_path = match std::env::var_os("CSCORE_OPEN_BENCH_WS") {
        Some(p) => {
            // measured on a copy: the benchmark tags and adds runs
            let copy = tmp.path().join("copy.cscore");
            std::fs::copy(&p, &copy).unwrap();
            let mut wal = p.clone();
            wal.push("-wal");
            if Path::new(&wal).exists() {
                std::fs::copy(&wal, tmp.path().join("copy.cscore-wal")).unwrap();
            }
            copy
        }
        None => {
            let t = Instant::now();
            let n = synthetic_examples();
            let (_, ws) = synthetic(tmp.path(), n);
            println!(
                "built a synthetic {}-example workspace in {:.1} s",
                count(n),
                t.elapsed().as_secs_f64()
            );
            ws
        }
    };
    let info = Workspace::open(&ws_path).unwrap().dataset_info().unwrap();
    let source = PathBuf::from(&info.source);
    println!(
        "workspace {} ({} examples, dataset {})",
        ws_path.display(),
        info.num_examples,
        source.display()
    );
    let n = info.num_examples;

    // where the loading thread's time goes
    let t = Instant::now();
    let project = Project::open(&source, &LoadOptions::default(), Some(&ws_path), None).unwrap();
    let opened = t.elapsed();
    let runs = project.workspace.run_counts().unwrap().done;
    let plan = stored_plan(&project.workspace).unwrap();
    let t = Instant::now();
    let session = ExploreSession::open(project, plan, &Config::default(), Some("dark"), None).unwrap();
    let loaded = t.elapsed();
    let proxies = session.app.data.proxies.len();
    let from = FollowFrom {
        path: ws_path.clone(),
        last_run_id: session.last_run_id,
        have_plan: true,
        poll: Duration::from_secs(3600),
    };
    let mut app = session.app;
    let mut terminal = Terminal::new(TestBackend::new(160, 48)).unwrap();
    let t = Instant::now();
    terminal.draw(|f| draw(f, &app, &mut ViewState::default())).unwrap();
    let drawn = t.elapsed();
    println!("dataset read, hashed and checked against the workspace: {opened:.2?}");
    println!("{runs} runs aggregated, {proxies} proxies ranked, scores and order: {loaded:.2?}");
    println!("a frame at 160×48: {drawn:.2?}");

    // the UI task's side of work that now runs elsewhere
    let mut bg = Background::start(from);
    assert!(bg.pump_until(&mut app, Duration::from_secs(120), |a| a.dynamics.is_some() && !a.busy()));
    let t = Instant::now();
    app.update(cscore::tui::Event::Command(Command::SortReverse));
    println!("a re-sort of {} rows on the UI task: {:.2?}", count(n), t.elapsed());
    let t = Instant::now();
    app.update(cscore::tui::Event::Command(Command::SortNext));
    println!("sorting by the next key over {} rows on the UI task: {:.2?}", count(n), t.elapsed());
    // a key press: the update and the frame it causes
    let mut view = ViewState::default();
    let keys: Vec<Duration> = [Command::Down, Command::PageDown, Command::Bottom, Command::Top]
        .into_iter()
        .map(|c| {
            let t = Instant::now();
            app.update(cscore::tui::Event::Command(c));
            terminal.draw(|f| draw(f, &app, &mut view)).unwrap();
            t.elapsed()
        })
        .collect();
    println!("a key press (j, PgDn, G, g) and its frame: {keys:.2?}");
    // a filter prompt's expression (checked against every column, then the order rebuilt)
    app.update(cscore::tui::Event::Command(Command::FilterExpr));
    let typed = "cscore < 0.3 and label == 7 and tag == null";
    for c in typed.chars() {
        app.update(cscore::tui::Event::Input(cscore::tui::InputKey::Char(c)));
    }
    let t = Instant::now();
    app.update(cscore::tui::Event::Input(cscore::tui::InputKey::Submit));
    let filtered = t.elapsed();
    println!(
        "the filter {typed:?} over {} rows on the UI task: {filtered:.2?} ({} shown)",
        count(n),
        app.list.len()
    );
    let t = Instant::now();
    app.update(cscore::tui::Event::Command(Command::FilterClear));
    println!("clearing it: {:.2?}", t.elapsed());
    let started = Instant::now();
    app.update(cscore::tui::Event::Command(Command::TagAllFiltered));
    app.update(cscore::tui::Event::Command(Command::TagDuplicate));
    app.update(cscore::tui::Event::Input(cscore::tui::InputKey::Submit));
    let asked = started.elapsed();
    assert!(bg.pump_until(&mut app, Duration::from_secs(120), |a| a.saving == 0));
    println!("tag all {}: {asked:.2?} on the UI task, committed in {:.2?}", count(n), started.elapsed());

    // how long the estimator holds the write lock to commit a tracked run, and a label behind it
    let labels = app.data.dataset.labels.clone();
    let mut held = Vec::new();
    let mut waited = Vec::new();
    for k in 0..3u32 {
        let key = RunKey { kind_is_proxy: true, ratio_index: 0, run_index: 100 + k };
        let rec = record(key, 1.0, &labels, |_| false, 10);
        let (ready, is_ready) = std::sync::mpsc::channel();
        let committing = std::thread::scope(|s| {
            let h = s.spawn(|| {
                let writer = Workspace::open(&ws_path).unwrap();
                ready.send(()).unwrap();
                let t = Instant::now();
                writer.insert_run(&rec).unwrap();
                t.elapsed()
            });
            is_ready.recv().unwrap();
            std::thread::sleep(Duration::from_millis(3));
            let t = Instant::now();
            app.update(cscore::tui::Event::Command(Command::TagOk));
            assert!(bg.pump_until(&mut app, Duration::from_secs(60), |a| a.saving == 0));
            waited.push(t.elapsed().as_secs_f64());
            h.join().unwrap()
        });
        held.push(committing.as_secs_f64());
    }
    println!(
        "committing a tracked run (10 epochs × {}) holds the write lock {:.0} ms (median of 3); a label \
         pressed meanwhile is committed after {:.0} ms, the UI never waits",
        count(n),
        median(held) * 1e3,
        median(waited) * 1e3
    );
    drop(bg);

    // the real binary in tmux
    if !Process::new("tmux").arg("-V").output().is_ok_and(|o| o.status.success()) {
        println!("no tmux: the terminal figures are not measured");
        return;
    }
    let baseline = std::env::var_os("CSCORE_OPEN_BENCH_BASELINE").map(PathBuf::from);
    let ours = PathBuf::from(env!("CARGO_BIN_EXE_cscore"));
    for (who, exe) in std::iter::once(("this cscore", &ours)).chain(baseline.iter().map(|b| ("baseline", b)))
    {
        for images in ["blocks", "auto"] {
            let runs: Vec<(f64, f64)> =
                (0..3).map(|_| in_tmux(exe, tmp.path(), &ws_path, images, n)).collect();
            let first = median(runs.iter().map(|r| r.0).collect());
            let list = median(runs.iter().map(|r| r.1).collect());
            println!("{who}, tmux, images = {images}: first frame {first:.3} s, ranked list {list:.3} s (median of 3)");
            if exe == &ours {
                assert!(first < 1.0, "the first frame took {first:.3} s");
            }
        }
    }
}
