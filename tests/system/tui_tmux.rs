//! End to end: the real `cscore explore` in a tmux pane, driven by keys (`send-keys`) and read back
//! (`capture-pane`). (1) A small estimate of the sample dataset, then: open its workspace, sort, filter,
//! tag an example as mislabeled with a new class, export, quit; the workspace and the exports hold the
//! tag. (2) `cscore explore DATA` with a tiny plan trains in the background and the status bar counts
//! the runs up to completion. tmux is required (CI installs it): without it these tests fail.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::SERIAL;
use cscore::data::LoadOptions;
use cscore::store::Workspace;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use crate::tmux_support;
use tmux_support::{Tmux, SLOW};

const EXE: &str = env!("CARGO_BIN_EXE_cscore");

fn sample() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("sample_data/mnist-10k")
}

/// The explorer's command line, its stderr and exit status kept in `dir`.
fn explore_line(dir: &Path, args: &str) -> String {
    format!(
        "'{EXE}' explore {args} 2>'{d}/stderr.txt'; echo EXITED $? >'{d}/exit.txt'; sleep 600",
        d = dir.display()
    )
}

/// `cscore estimate` of the sample dataset into `ws` with `plan` (flags), no proxies; checks it succeeded.
fn estimate_sample(ws: &Path, plan: &[&str]) {
    let estimate = Command::new(EXE)
        .arg("estimate")
        .arg(sample())
        .arg("-w")
        .arg(ws)
        .args(plan)
        .args(["--proxies", "none", "--no-progress"])
        .output()
        .unwrap();
    assert!(estimate.status.success(), "{}", String::from_utf8_lossy(&estimate.stderr));
}

/// Waits for the explorer to exit; its exit line ("EXITED <status>") and its stderr.
fn exit_and_stderr(dir: &Path, tmux: &Tmux) -> (String, String) {
    let exit = file_written(&dir.join("exit.txt"), "the explorer did not quit", tmux);
    let stderr = std::fs::read_to_string(dir.join("stderr.txt")).unwrap_or_default();
    (exit.trim().to_string(), stderr)
}

/// The text of the file at `path` once the pane's command has written it; `fails` names the failure.
fn file_written(path: &Path, fails: &str, tmux: &Tmux) -> String {
    let start = Instant::now();
    loop {
        if let Ok(text) = std::fs::read_to_string(path) {
            return text;
        }
        assert!(start.elapsed() < SLOW, "{fails}:\n{}", tmux.screen());
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// Waits for the explorer to exit and checks it exited 0.
fn exited(dir: &Path, tmux: &Tmux) {
    let (exit, stderr) = exit_and_stderr(dir, tmux);
    assert_eq!(exit, "EXITED 0", "stderr: {stderr}");
}

#[test]
fn the_sample_workspace_sort_filter_tag_export_quit() {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let ws = dir.join("ws.cscore");
    estimate_sample(&ws, &["--runs", "1", "--ratios", "0.5", "--epochs", "1"]);
    let labels = cscore::data::load(&sample(), &LoadOptions::default()).unwrap().labels;
    let twos = labels.iter().filter(|&&l| l == 2).count();
    let first = labels.iter().position(|&l| l == 2).unwrap();
    let tmux = Tmux::start(dir, 120, 34, &explore_line(dir, &format!("'{}' --no-train", ws.display())));
    tmux.wait_for("ranked list · 10,000 of 10,000");
    // the list shows from the labels; the images follow once the pixels are read and checked
    tmux.wait_until("the image", |s| !s.contains("loading the images") && s.contains('▀'));
    tmux.keys(&["s"]);
    tmux.wait_for("sort index ▲");
    tmux.keys(&["c", "2", "Enter"]);
    tmux.wait_for(&format!("ranked list · {} of 10,000", cscore::fmt::count(twos)));
    // the class filter is an export filter expression: the status bar shows it, `f` edits it
    tmux.wait_for("filter: label == 2 ·");
    tmux.keys(&["f"]);
    tmux.wait_for("filter: label == 2█");
    tmux.keys(&["Escape"]);
    tmux.keys(&["g"]);
    tmux.wait_for(&format!("example #{first} "));
    tmux.keys(&["m"]);
    tmux.wait_for("correct class");
    tmux.keys(&["7"]);
    tmux.wait_for(&format!("#{first} tagged mislabeled → 7"));
    tmux.keys(&["E"]);
    tmux.wait_for(&format!("export {twos} rows to"));
    tmux.keys(&["Enter"]);
    let exported = dir.join("ws-selection.csv");
    tmux.wait_for(&format!("wrote {twos} rows to {}", exported.display()));
    tmux.keys(&["q"]);
    exited(dir, &tmux);

    let tags = Workspace::open(&ws).unwrap().tags().unwrap();
    assert_eq!(tags.len(), 1, "{tags:?}");
    assert_eq!(
        (tags[0].example, tags[0].tag.as_deref(), tags[0].relabel),
        (first, Some("mislabeled"), Some(7))
    );
    let csv = std::fs::read_to_string(&exported).unwrap();
    assert_eq!(csv.lines().count(), twos + 1, "a header and the shown rows");
    let row = csv.lines().find(|l| l.starts_with(&format!("{first},"))).unwrap();
    assert!(row.contains(",mislabeled,7,"), "{row}");
    // and the command-line export of the whole workspace
    let all = dir.join("all.csv");
    let export = Command::new(EXE).arg("export").arg(&ws).arg("-o").arg(&all).output().unwrap();
    assert!(export.status.success(), "{}", String::from_utf8_lossy(&export.stderr));
    let csv = std::fs::read_to_string(&all).unwrap();
    let tagged: Vec<&str> = csv.lines().filter(|l| l.contains("mislabeled")).collect();
    assert_eq!(tagged.len(), 1, "{tagged:?}");
    assert!(
        tagged[0].starts_with(&format!("{first},2,")) && tagged[0].contains(",mislabeled,7,"),
        "{}",
        tagged[0]
    );
}

/// The runs done and planned the status bar shows (" training  runs 3/5 · 2–3/4 per ratio · …").
fn runs_shown(screen: &str) -> Option<(usize, usize)> {
    let status = screen.lines().find(|l| l.contains("per ratio"))?;
    let rest = &status[status.find(" runs ")? + 6..];
    let (done, rest) = rest.split_once('/')?;
    let total: String = rest.chars().take_while(char::is_ascii_digit).collect();
    Some((done.trim().parse().ok()?, total.parse().ok()?))
}

#[test]
fn explore_trains_in_the_background_and_counts_the_runs_up() {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let ws = dir.join("train.cscore");
    let plan = "--runs 3 --ratios 0.5 --epochs 1 --proxies none --workers 1";
    let args = format!("'{}' -w '{}' {plan}", sample().display(), ws.display());
    let tmux = Tmux::start(dir, 120, 34, &explore_line(dir, &args));
    let mut seen: Vec<usize> = Vec::new();
    let mut training_seen = false;
    let start = Instant::now();
    let last = loop {
        let screen = tmux.screen();
        if let Some((done, total)) = runs_shown(&screen) {
            assert_eq!(total, 4, "one proxy run and three holdout runs:\n{screen}");
            training_seen |= screen.contains(" training ");
            if seen.last() != Some(&done) {
                seen.push(done);
            }
            if done == total && screen.contains(" complete ") {
                break screen;
            }
        }
        assert!(start.elapsed() < SLOW * 2, "training did not finish; runs seen {seen:?}:\n{screen}");
        std::thread::sleep(Duration::from_millis(50));
    };
    eprintln!("runs done as the status bar showed them: {seen:?}");
    assert!(training_seen, "the status bar said it was training");
    assert!(seen[0] < 4, "runs counted up from {seen:?}");
    assert!(seen.windows(2).all(|w| w[0] < w[1]), "runs only increase: {seen:?}");
    assert!(last.contains("ranked list · 10,000 of 10,000"), "{last}");
    tmux.keys(&["q"]);
    exited(dir, &tmux);
    let counts = Workspace::open(&ws).unwrap().run_counts().unwrap();
    assert_eq!(counts.done, 4, "{counts:?}");
}

#[test]
fn explore_of_a_workspace_shows_its_list_then_trains_the_runs_it_lacks() {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let ws = dir.join("resume.cscore");
    estimate_sample(&ws, &["--runs", "3", "--ratios", "0.5", "--epochs", "1", "--workers", "1"]);
    // two of the three holdout runs lost: the stored plan stands, and the explorer trains them again
    let c = rusqlite::Connection::open(&ws).unwrap();
    let gone = c
        .execute(
            "DELETE FROM runs WHERE id IN (SELECT id FROM runs WHERE kind = 'holdout' ORDER BY id LIMIT 2)",
            [],
        )
        .unwrap();
    assert_eq!(gone, 2);
    drop(c);
    // a workspace of an IDX dataset whose plan no flag changes: it opens labels first, and training starts
    // once the pixels are in
    let tmux = Tmux::start(dir, 120, 34, &explore_line(dir, &format!("'{}'", ws.display())));
    tmux.wait_for("ranked list · 10,000 of 10,000");
    let last = tmux.wait_until("the runs trained", |s| {
        runs_shown(s) == Some((4, 4)) && s.contains(" complete ") && !s.contains("loading the images")
    });
    assert!(last.contains('▀'), "the image shows:\n{last}");
    tmux.keys(&["q"]);
    exited(dir, &tmux);
    let counts = Workspace::open(&ws).unwrap().run_counts().unwrap();
    assert_eq!(counts.done, 4, "{counts:?}");
}

/// Training that fails in the explorer: the status bar says FAILED with no ETA, and on quitting the whole
/// reason (which the bottom line may cut) is said on stderr and the exit status is 1, as `estimate`'s.
#[test]
fn explore_whose_training_fails_says_why_whole_on_exit_with_status_1() {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let ws = dir.join("diverged.cscore");
    let plan = "--runs 2 --ratios 0.1,0.2,0.3 --epochs 1 --lr 1e6 --proxies none --proxy-runs 0 --workers 1";
    let args = format!("'{}' -w '{}' {plan}", sample().display(), ws.display());
    let tmux = Tmux::start(dir, 100, 30, &explore_line(dir, &args));
    let screen = tmux.wait_for(" FAILED ");
    let status = screen.lines().find(|l| l.contains(" FAILED ")).unwrap();
    assert!(!status.contains("ETA"), "no ETA once training failed: {status}");
    tmux.keys(&["q"]);
    let (exit, stderr) = exit_and_stderr(dir, &tmux);
    assert_eq!(exit, "EXITED 1", "stderr: {stderr}");
    assert!(
        stderr.contains("error: training stopped: the first 3 holdout runs diverged")
            && stderr.contains("a lower --lr than 1000000 (e.g. 0.1 or 0.01)"),
        "{stderr}"
    );
}

/// `dir/pets/{cat,dog}/00.png…` (10 a class) estimated into `dir/p.cscore`, then `cat/03.png` deleted.
fn changed_pets(dir: &Path) {
    estimated_pets(dir);
    std::fs::remove_file(dir.join("pets/cat/03.png")).unwrap();
}

/// `dir/pets/{cat,dog}/00.png…` (10 a class) estimated into `dir/p.cscore`.
fn estimated_pets(dir: &Path) {
    for (k, class) in ["cat", "dog"].iter().enumerate() {
        std::fs::create_dir_all(dir.join("pets").join(class)).unwrap();
        for j in 0..10u8 {
            image::RgbImage::from_fn(8, 8, |x, y| image::Rgb([j * 20, (x * y) as u8, 120 * k as u8]))
                .save(dir.join("pets").join(class).join(format!("{j:02}.png")))
                .unwrap();
        }
    }
    let plan = ["--ratios", "0.5", "--runs", "1", "--model", "mlp:8", "--epochs", "1", "--lr", "0.05"];
    let out = Command::new(EXE)
        .args(["estimate", "pets", "-w", "p.cscore", "--proxies", "none", "--no-progress"])
        .args(plan)
        .current_dir(dir)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
}

/// An explorer refused while it opens (the dataset given changed since its workspace was made), right
/// after asking the terminal which graphics it speaks: the terminal's late answer is not echoed into the
/// shell (`^[[0n`) nor left as typed input for the next command.
#[test]
fn an_explorer_refused_at_opening_leaves_no_terminal_reply_behind() {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    changed_pets(dir);
    // The answer races the exit (it came too late in 4 of 6 tries before the fix): try four times.
    for attempt in 0..4 {
        let here = dir.join(format!("try{attempt}")); // a tmux server (socket) of its own
        std::fs::create_dir(&here).unwrap();
        let line = format!(
            "'{EXE}' explore '{data}' -w '{ws}' 2>'{d}/stderr.txt'; echo EXITED $? >'{d}/exit.txt'; \
             read -r typed; echo \"[$typed]\" >'{d}/typed.txt'; sleep 600",
            data = dir.join("pets").display(),
            ws = dir.join("p.cscore").display(),
            d = here.display()
        );
        let dir = &here;
        // The default images = "auto" asks the terminal; tmux leaves the graphics query unanswered.
        let tmux = Tmux::start_with_config(dir, 100, 30, "", &line);
        let (exit, stderr) = exit_and_stderr(dir, &tmux);
        assert_eq!(exit, "EXITED 1", "stderr: {stderr}");
        assert!(stderr.contains("files gone: 1 (cat/03.png)"), "{stderr}");
        std::thread::sleep(Duration::from_millis(500)); // a late answer would have come by now
        tmux.keys(&["next", "Enter"]);
        let typed = file_written(&dir.join("typed.txt"), "the shell read nothing", &tmux);
        assert_eq!(typed.trim(), "[next]", "the next command's input (try {attempt})");
        assert!(!tmux.screen().contains("^["), "{}", tmux.screen());
    }
}

/// A workspace whose folder changed opens on its record of its examples: the list, scores and labeling
/// work, the previews say there are no images, nothing trains, and a tag is saved.
#[test]
fn explore_of_a_workspace_whose_folder_changed_shows_its_record() {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    changed_pets(dir);
    let tmux = Tmux::start(dir, 120, 30, &explore_line(dir, "p.cscore"));
    let screen = tmux.wait_for("ranked list · 20 of 20");
    assert!(screen.contains("no images (the dataset changed)"), "{screen}");
    assert!(screen.contains("warning: showing the labels and files the workspace recorded"), "{screen}");
    assert!(screen.contains(" watching "), "nothing trains: {screen}");
    tmux.keys(&["s"]);
    tmux.wait_for("sort index ▲");
    tmux.keys(&["g", "j", "j", "j"]);
    let screen = tmux.wait_for("example #3 ");
    assert!(screen.contains("cat/03.png"), "the recorded file: {screen}");
    tmux.keys(&["O"]);
    tmux.wait_for("#3 tagged ood");
    tmux.keys(&["q"]);
    let (exit, stderr) = exit_and_stderr(dir, &tmux);
    assert_eq!(exit, "EXITED 0", "stderr: {stderr}");
    assert!(
        stderr.contains("warning: showing the labels and files the workspace recorded"),
        "said again: {stderr}"
    );
    let tags = Workspace::open(&dir.join("p.cscore")).unwrap().tags().unwrap();
    assert_eq!((tags.len(), tags[0].example, tags[0].tag.as_deref()), (1, 3, Some("ood")));
    drop(tmux);

    // The folder moved away altogether: the record still opens.
    std::fs::rename(dir.join("pets"), dir.join("moved")).unwrap();
    let here = dir.join("gone");
    std::fs::create_dir(&here).unwrap();
    let line = explore_line(&here, &format!("'{}'", dir.join("p.cscore").display()));
    let tmux = Tmux::start(&here, 120, 30, &line);
    let screen = tmux.wait_for("ranked list · 20 of 20");
    assert!(screen.contains("no images (the dataset changed)"), "{screen}");
    tmux.keys(&["q"]);
    exited(&here, &tmux);
}

/// A class folder renamed: the explorer says so in its message line (not on stderr over the screen)
/// and again once the terminal is back.
#[test]
fn explore_after_a_class_folder_was_renamed_says_so_without_garbling_the_screen() {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    estimated_pets(dir);
    std::fs::rename(dir.join("pets/cat"), dir.join("pets/cats")).unwrap();
    let tmux = Tmux::start(dir, 120, 30, &explore_line(dir, "p.cscore --no-train"));
    let screen = tmux.wait_for("note: class folders renamed");
    assert!(screen.lines().next().unwrap().contains(" cscore  1 List  2 Profile"), "{screen}");
    tmux.keys(&["q"]);
    let (exit, stderr) = exit_and_stderr(dir, &tmux);
    assert_eq!(exit, "EXITED 0", "stderr: {stderr}");
    assert!(
        stderr.contains("note: class folders renamed since the workspace last read them (cat → cats)"),
        "{stderr}"
    );
}
