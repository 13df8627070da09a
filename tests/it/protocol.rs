//! Protocols and the learning check end to end: the default protocol learns a small dense RGB dataset,
//! random labels stop the estimate with the learning check's message, small grey images keep the paper's
//! protocol, and every shard arrives at the same plan.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;

use common::{npy, write_npz};
use cscore::data::{load, LoadOptions};
use cscore::estimate::{resolve_protocol_plan, stored_plan, Plan, PlanOverrides, Protocol, LR_CANDIDATES};
use cscore::model::{Inputs, ModelSpec};
use cscore::project::dataset_info;
use cscore::store::{bit_get, RunStatus, Workspace};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::path::Path;
use std::process::{Command, Output};
use std::sync::atomic::AtomicBool;

const SIDE: usize = 12;
const CLASSES: usize = 3;

/// Writes `n` 12×12 RGB images as `.npz` (channels last): a noisy, dense background (every channel of
/// every pixel 40–160) with a 5×5 square at a random place whose colour is led by the channel of its
/// class. With `random_labels` the labels are drawn independently of the images.
fn write_coloured_squares(path: &Path, n: usize, random_labels: bool, seed: u64) {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut x = Vec::with_capacity(n * SIDE * SIDE * 3);
    let mut y = Vec::with_capacity(n);
    for i in 0..n {
        let class = i % CLASSES;
        let (top, left) = (rng.random_range(0..=SIDE - 5), rng.random_range(0..=SIDE - 5));
        let colour: Vec<i32> = (0..3)
            .map(|c| if c == class { rng.random_range(170..230) } else { rng.random_range(40..120) })
            .collect();
        for r in 0..SIDE {
            for col in 0..SIDE {
                let inside = (top..top + 5).contains(&r) && (left..left + 5).contains(&col);
                for &base in &colour {
                    let v = if inside { base + rng.random_range(-25..25) } else { rng.random_range(40..160) };
                    x.push(v.clamp(0, 255) as u8);
                }
            }
        }
        y.push(if random_labels { rng.random_range(0..CLASSES) as u8 } else { class as u8 });
    }
    let shape = format!("({n}, {SIDE}, {SIDE}, 3)");
    write_npz(
        path,
        &[("x.npy", npy("|u1", &shape, &x, false)), ("y.npy", npy("|u1", &format!("({n},)"), &y, false))],
    );
}

fn cscore(args: &[&str], cwd: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_cscore")).args(args).current_dir(cwd).output().unwrap()
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// Held-out accuracy of every done run of the workspace.
fn heldout_accuracies(ws: &Workspace) -> Vec<f64> {
    ws.load_runs(false)
        .unwrap()
        .iter()
        .filter(|r| r.status == RunStatus::Done && !r.key.kind_is_proxy)
        .map(|r| {
            let held = (0..r.num_examples).filter(|&i| bit_get(&r.heldout_mask, i)).count();
            let hit = (0..r.num_examples).filter(|&i| bit_get(&r.heldout_correct, i)).count();
            hit as f64 / held as f64
        })
        .collect()
}

const RUN: &[&str] =
    &["--ratios", "0.5", "--runs", "2", "--proxies", "none", "--proxy-runs", "0", "--no-progress"];

#[test]
fn the_default_protocol_learns_a_dense_rgb_dataset() {
    let dir = tempfile::tempdir().unwrap();
    write_coloured_squares(&dir.path().join("squares.npz"), 900, false, 1);
    let out = cscore(&[&["estimate", "squares.npz", "-w", "ws.cscore"], RUN].concat(), dir.path());
    let err = text(&out.stderr);
    assert!(out.status.success(), "{err}");
    let line = err.lines().find(|l| l.starts_with("protocol image")).unwrap_or_else(|| panic!("{err}"));
    assert!(
        line.starts_with("protocol image (auto: colour images): --model cnn")
            && line.contains("standardized")
            && line.contains("range test"),
        "{line}"
    );
    let ws = Workspace::open(&dir.path().join("ws.cscore")).unwrap();
    let plan = stored_plan(&ws).unwrap().unwrap();
    assert_eq!((plan.protocol, &plan.model), (Protocol::Image, &ModelSpec::Cnn));
    assert!(matches!(plan.inputs, Inputs::Standardized { .. }), "{:?}", plan.inputs);
    assert!(LR_CANDIDATES.contains(&plan.train.lr), "{}", plan.train.lr);
    assert!(line.contains(&format!("lr {} (", plan.train.lr)), "the line names the rate chosen: {line}");
    let acc = heldout_accuracies(&ws);
    assert_eq!(acc.len(), 2, "{err}");
    // Chance is 1/3: "far above" it.
    assert!(acc.iter().all(|&a| a >= 0.8), "held-out accuracies {acc:?}");
    // A resume keeps the plan and tests nothing again.
    let again = cscore(&[&["estimate", "squares.npz", "-w", "ws.cscore"], RUN].concat(), dir.path());
    assert!(again.status.success() && !text(&again.stderr).contains("range test"), "{}", text(&again.stderr));
    let other = cscore(
        &[&["estimate", "squares.npz", "-w", "ws.cscore", "--protocol", "reference"], RUN].concat(),
        dir.path(),
    );
    assert!(
        !other.status.success() && text(&other.stderr).contains("--protocol image"),
        "{}",
        text(&other.stderr)
    );
    // The flags win over the protocol; the paper's protocol is reachable by name.
    let out = cscore(
        &[&["estimate", "squares.npz", "-w", "ref.cscore", "--protocol", "reference", "--epochs", "1"], RUN]
            .concat(),
        dir.path(),
    );
    let plan = stored_plan(&Workspace::open(&dir.path().join("ref.cscore")).unwrap()).unwrap().unwrap();
    assert_eq!(
        plan,
        Plan {
            ratios: vec![0.5],
            runs: 2,
            proxy_runs: 0,
            train: cscore::model::TrainConfig { epochs: 1, ..Default::default() },
            ..Plan::default()
        },
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn random_labels_stop_with_the_learning_checks_message_and_store_no_cscores() {
    let dir = tempfile::tempdir().unwrap();
    write_coloured_squares(&dir.path().join("noise.npz"), 900, true, 2);
    let out = cscore(&[&["estimate", "noise.npz", "-w", "ws.cscore"], RUN].concat(), dir.path());
    let err = text(&out.stderr);
    assert!(!out.status.success(), "{err}");
    // The range test found nothing, tried again four times as long, and said that it could not choose.
    assert!(err.contains("testing again at 900 SGD steps: no learning rate beat chance in 225"), "{err}");
    assert!(err.contains("no rate beat chance") && err.contains("so the test could not choose"), "{err}");
    let last = err.lines().last().unwrap_or_default();
    assert!(
        last.contains("learned nothing")
            && (last.contains("not above chance") || last.contains("the loss of guessing"))
            && last.contains("--lr"),
        "{err}"
    );
    let ws = Workspace::open(&dir.path().join("ws.cscore")).unwrap();
    assert!(heldout_accuracies(&ws).is_empty(), "no run is kept as done");
    let runs = ws.load_runs(false).unwrap();
    assert!(runs
        .iter()
        .all(|r| matches!(&r.status, RunStatus::Failed(why) if why.contains("did not learn"))));
    // The escape hatch trains and stores them anyway.
    let out = cscore(
        &[&["estimate", "noise.npz", "-w", "kept.cscore", "--lr", "0.01", "--no-learning-check"], RUN]
            .concat(),
        dir.path(),
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(heldout_accuracies(&Workspace::open(&dir.path().join("kept.cscore")).unwrap()).len(), 2);
}

#[test]
fn shards_arrive_at_the_same_plan_and_grey_digits_keep_the_reference_protocol() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("squares.npz");
    write_coloured_squares(&f, 300, false, 3);
    let ds = load(&f, &LoadOptions::default()).unwrap();
    let stop = AtomicBool::new(false);
    let plan_in = |name: &str, ds: &cscore::data::Dataset| {
        let ws = Workspace::create(&dir.path().join(name), &dataset_info(ds)).unwrap();
        let flags = PlanOverrides { epochs: Some(2), ..PlanOverrides::default() };
        let mut lines = Vec::new();
        let plan = resolve_protocol_plan(&ws, &flags, None, ds, &candle_core::Device::Cpu, &stop, &mut |l| {
            lines.push(l)
        })
        .unwrap();
        (plan, lines)
    };
    let (a, lines) = plan_in("a.cscore", &ds);
    let (b, _) = plan_in("b.cscore", &ds);
    assert_eq!(a, b, "two shards run the same seeded test");
    assert_eq!(lines.len(), 2, "{lines:?}");
    assert!(lines[0].starts_with("testing 5 learning rates on a subset of up to 2000 examples"), "{lines:?}");
    assert_eq!(a.protocol, Protocol::Image);
    let (grey, _) = common::synthetic(200, 4, 0.0, 5);
    let (g, lines) = plan_in("grey.cscore", &grey);
    // --epochs was given: it counts in the steps, and the batch is still made small on 200 examples.
    let train = cscore::model::TrainConfig { epochs: 2, batch: 16, lr: 0.0125, ..Default::default() };
    assert_eq!(g, Plan { train, ..Plan::default() }, "{lines:?}");
    assert!(lines[0].starts_with("protocol reference") && lines[0].contains("[0,1]"), "{lines:?}");
    assert!(lines[0].contains("batch 16 (a small dataset: ratio 0.1 trains 4 SGD steps"), "{lines:?}");
    // --batch was given: the batch stays the user's and the rate the protocol's.
    let ws = Workspace::create(&dir.path().join("batch.cscore"), &dataset_info(&grey)).unwrap();
    let mut lines = Vec::new();
    let flags = PlanOverrides { batch: Some(128), ..PlanOverrides::default() };
    let g = resolve_protocol_plan(&ws, &flags, None, &grey, &candle_core::Device::Cpu, &stop, &mut |l| {
        lines.push(l)
    })
    .unwrap();
    assert_eq!(g, Plan::default(), "{lines:?}");
    assert!(
        lines[0].ends_with(
            "lr 0.1, batch 128 (ratio 0.1 trains 10 SGD steps, fewer than the 50 wanted; a smaller --batch or \
             more --epochs add steps)"
        ),
        "{lines:?}"
    );
    // Nothing given: at ratio 0.1 a batch of 128 would be 1 step per epoch; the batch is made small, and
    // the reference protocol's rate scales with it (0.1 × 16/128).
    let ws = Workspace::create(&dir.path().join("small.cscore"), &dataset_info(&grey)).unwrap();
    let mut lines = Vec::new();
    let g = resolve_protocol_plan(
        &ws,
        &PlanOverrides::default(),
        None,
        &grey,
        &candle_core::Device::Cpu,
        &stop,
        &mut |l| lines.push(l),
    )
    .unwrap();
    let train = cscore::model::TrainConfig { batch: 16, lr: 0.0125, ..Default::default() };
    assert_eq!(g, Plan { train, ..Plan::default() }, "{lines:?}");
    assert!(
        lines[0].ends_with(
            "lr 0.0125 (0.1 for batch 128, scaled to the batch), batch 16 (a small dataset: ratio 0.1 trains 20 \
             SGD steps, fewer than the 50 wanted even at the smallest batch; more --epochs add steps)"
        ),
        "{lines:?}"
    );
    // Named, the reference protocol is the paper's exactly.
    let ws = Workspace::create(&dir.path().join("named.cscore"), &dataset_info(&grey)).unwrap();
    let named = Some(cscore::estimate::ProtocolChoice::Reference);
    let g = resolve_protocol_plan(
        &ws,
        &PlanOverrides::default(),
        named,
        &grey,
        &candle_core::Device::Cpu,
        &stop,
        &mut |_| {},
    )
    .unwrap();
    assert_eq!(g, Plan::default());
    // Named, the image protocol is cscore's own, as auto chooses it: a small dataset gets a small batch.
    let ws = Workspace::create(&dir.path().join("image.cscore"), &dataset_info(&grey)).unwrap();
    let named = Some(cscore::estimate::ProtocolChoice::Image);
    let flags = PlanOverrides { lr: Some(0.01), ..PlanOverrides::default() };
    let mut lines = Vec::new();
    let g = resolve_protocol_plan(&ws, &flags, named, &grey, &candle_core::Device::Cpu, &stop, &mut |l| {
        lines.push(l)
    })
    .unwrap();
    assert_eq!((g.protocol, g.train.batch, g.train.lr), (Protocol::Image, 16, 0.01), "{lines:?}");
}

/// Runs that learned nothing leave nothing behind that ranks noise, and do not come back on resume: the
/// failed proxy run gives no training-statistics or hidden-space proxies, and a resumed estimate whose
/// stored holdout runs all learned nothing stops at once instead of failing three more.
#[test]
fn a_failed_proxy_run_gives_no_proxies_and_a_resume_gives_up_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let (ds, _) = crate::common::synthetic(600, 4, 0.0, 3);
    crate::common::write_idx(&dir.path().join("d"), &ds);
    let args = [
        "estimate",
        "d",
        "-w",
        "ws.cscore",
        "--lr",
        "1e-7",
        "--ratios",
        "0.2,0.4,0.6,0.8,0.9",
        "--runs",
        "1",
        "--epochs",
        "2",
        "--batch",
        "16",
        "--model",
        "mlp:16",
        "--workers",
        "1",
        "--no-progress",
    ];
    let out = cscore(&args, dir.path());
    let err = text(&out.stderr);
    assert!(
        !out.status.success() && err.lines().last().unwrap_or_default().contains("learned nothing"),
        "{err}"
    );
    assert!(err.contains("is still near ln 4"), "{err}");
    let ws = Workspace::open(&dir.path().join("ws.cscore")).unwrap();
    let proxies = ws.proxy_names().unwrap();
    for name in ["learning_speed", "aum", "el2n", "hidden_density"] {
        assert!(!proxies.iter().any(|p| p == name), "{name} from a run that learned nothing: {proxies:?}");
    }
    let failed = ws.run_counts().unwrap().failed;
    // The proxy run and at least the first three holdout runs (a fourth may land while the stop spreads).
    assert!((4..6).contains(&failed), "{failed} failed runs");
    drop(ws);
    let out = cscore(&args, dir.path());
    let err = text(&out.stderr);
    assert!(!out.status.success() && err.contains("learned nothing"), "{err}");
    let counts = Workspace::open(&dir.path().join("ws.cscore")).unwrap().run_counts().unwrap();
    assert_eq!((counts.done, counts.failed), (0, failed), "the resume trained nothing more: {err}");
}

/// `--model cnn` on images too small for it is refused before the plan is stored: the same workspace
/// then takes a plan that fits (it used to keep the CNN plan and fail on every resume).
#[test]
fn a_cnn_on_tiny_images_is_refused_before_the_plan_is_stored() {
    let dir = tempfile::tempdir().unwrap();
    let (n, side) = (60, 8);
    let x: Vec<u8> = (0..n * side * side * 3).map(|i| (i * 37 % 251) as u8).collect();
    let y: Vec<u8> = (0..n).map(|i| (i % 3) as u8).collect();
    write_npz(
        &dir.path().join("tiny.npz"),
        &[
            ("x.npy", npy("|u1", &format!("({n}, {side}, {side}, 3)"), &x, false)),
            ("y.npy", npy("|u1", &format!("({n},)"), &y, false)),
        ],
    );
    let out =
        cscore(&[&["estimate", "tiny.npz", "-w", "ws.cscore", "--model", "cnn"], RUN].concat(), dir.path());
    let err = text(&out.stderr);
    assert!(
        !out.status.success() && err.contains("--model cnn needs images of at least 12×12, these are 8×8"),
        "{err}"
    );
    assert!(!dir.path().join("ws.cscore").exists(), "a refused new estimate leaves no workspace");
    let out =
        cscore(&[&["estimate", "tiny.npz", "-w", "ws.cscore", "--epochs", "1"], RUN].concat(), dir.path());
    assert!(out.status.success(), "{}", text(&out.stderr));
}

/// A plan refused once the dataset is read (`--model cnn` on 8×8 images, corruption the dataset cannot
/// hold) leaves no workspace behind, and an existing workspace is kept whatever is refused.
#[test]
fn a_refused_new_estimate_leaves_no_workspace() {
    let dir = tempfile::tempdir().unwrap();
    let n = 40;
    let x: Vec<u8> = (0..n * 64).map(|i| (i * 37 % 251) as u8).collect();
    let y: Vec<i64> = (0..n as i64).map(|i| i % 2).collect();
    write_npz(
        &dir.path().join("tiny.npz"),
        &[
            ("x.npy", npy("|u1", &format!("({n}, 8, 8)"), &x, false)),
            ("y.npy", npy("<i8", &format!("({n},)"), &common::i64_bytes(&y), false)),
        ],
    );
    let cscore = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_cscore")).args(args).current_dir(dir.path()).output().unwrap()
    };
    let out = cscore(&["estimate", "tiny.npz", "--model", "cnn", "--no-progress"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--model cnn needs images of at least 12×12"));
    // and corruption that cannot be injected (more than the dataset holds)
    let out = cscore(&[
        "estimate",
        "tiny.npz",
        "--inject-label-noise",
        "0.6",
        "--inject-ood",
        "0.6",
        "--no-progress",
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("corrupted examples but the dataset holds only 40"));
    let left: Vec<_> = std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(left, vec![std::ffi::OsString::from("tiny.npz")]);
    let plan = ["--ratios", "0.5", "--runs", "1", "--model", "mlp:8", "--epochs", "1", "--proxies", "none"];
    let out =
        cscore(&[&["estimate", "tiny.npz", "--no-learning-check", "--no-progress"][..], &plan].concat());
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let before = std::fs::read(dir.path().join("tiny.cscore")).unwrap();
    let out = cscore(&["estimate", "tiny.npz", "--model", "cnn", "--no-progress"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(std::fs::read(dir.path().join("tiny.cscore")).unwrap(), before);
}
