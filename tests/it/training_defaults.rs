//! The machine's training defaults: `[estimate]` in config.toml and `CSCORE_DEVICE`/`_WORKERS`/`_ENSEMBLE`
//! set `--device`, `--workers` and `--ensemble` where the command line does not (a flag wins over the
//! environment, which wins over the file); what the file set is said; a mistake in it names the line, and
//! commands that do not train ignore it.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;
use std::path::Path;
use std::process::{Command, Output};

const PLAN: &[&str] = &[
    "--ratios",
    "0.5",
    "--runs",
    "2",
    "--model",
    "mlp:8",
    "--epochs",
    "1",
    "--proxies",
    "none",
    "--no-progress",
];

fn cscore(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut c = Command::new(env!("CARGO_BIN_EXE_cscore"));
    // No file yet: none (a file $CSCORE_CONFIG names must exist).
    let config = dir.join("config.toml");
    let config = if config.exists() { config } else { "/dev/null".into() };
    c.args(args).current_dir(dir).env("CSCORE_CONFIG", config);
    for v in ["CSCORE_DEVICE", "CSCORE_WORKERS", "CSCORE_ENSEMBLE"] {
        c.env_remove(v);
    }
    c.envs(env.iter().copied()).output().unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Runs a fresh estimate and returns its stderr.
fn estimate(dir: &Path, ws: &str, flags: &[&str], env: &[(&str, &str)]) -> String {
    let args = [&["estimate", "d", "-w", ws], PLAN, flags].concat();
    let out = cscore(dir, &args, env);
    assert!(out.status.success(), "{}", stderr(&out));
    stderr(&out)
}

#[test]
fn the_config_sets_training_flags_that_the_command_line_and_environment_leave() {
    let dir = tempfile::tempdir().unwrap();
    let (ds, _) = common::synthetic(200, 4, 0.0, 5);
    common::write_idx(&dir.path().join("d"), &ds);
    let config = dir.path().join("config.toml");
    std::fs::write(&config, "theme = \"light\"\n\n[estimate]\nworkers = 3\nensemble = 2\n").unwrap();

    let err = estimate(dir.path(), "a.cscore", &[], &[]);
    assert!(
        err.contains(&format!("settings from {} [estimate]: workers = 3, ensemble = 2", config.display())),
        "{err}"
    );
    assert!(err.contains("training 3 on 3 worker(s)"), "{err}");
    // the environment wins over the file, a flag over both
    let err = estimate(dir.path(), "b.cscore", &["--ensemble", "1"], &[("CSCORE_WORKERS", "2")]);
    assert!(err.contains("training 3 on 2 worker(s)") && !err.contains("settings from"), "{err}");
    let err = estimate(dir.path(), "c.cscore", &["--workers", "1"], &[("CSCORE_WORKERS", "2")]);
    assert!(err.contains("training 3 on 1 worker(s)") && err.contains("[estimate]: ensemble = 2"), "{err}");

    // the device too: the CPU build hands a CUDA device to its CUDA build, missing here
    std::fs::write(&config, "[estimate]\ndevice = \"cuda\"\n").unwrap();
    let out = cscore(
        dir.path(),
        &[&["estimate", "d", "-w", "e.cscore"], PLAN].concat(),
        &[("CSCORE_CUDA_BIN", "/nonexistent/cscore-cuda")],
    );
    if !cfg!(feature = "cuda") {
        assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
        assert!(
            stderr(&out).contains("[estimate]: device = cuda") && stderr(&out).contains("no CUDA build"),
            "{}",
            stderr(&out)
        );
    }
    let out =
        cscore(dir.path(), &[&["estimate", "d", "-w", "e.cscore", "--device", "cpu"], PLAN].concat(), &[]);
    assert!(out.status.success(), "{}", stderr(&out));

    // An empty variable is unset; a bad one is named (not the flag nobody typed); other commands ignore it.
    std::fs::write(&config, "").unwrap();
    let err = estimate(
        dir.path(),
        "f.cscore",
        &["--workers", "1"],
        &[("CSCORE_ENSEMBLE", ""), ("CSCORE_DEVICE", " ")],
    );
    assert!(err.contains("training 3 on 1 worker(s)"), "{err}");
    let out = cscore(
        dir.path(),
        &[&["estimate", "d", "-w", "g.cscore"], PLAN].concat(),
        &[("CSCORE_WORKERS", "abc")],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).starts_with(
            "error: CSCORE_WORKERS=abc (the default for --workers): 'abc' is not a whole number"
        ),
        "{}",
        stderr(&out)
    );
    assert!(!dir.path().join("g.cscore").exists());
    let out = cscore(dir.path(), &["export", "a.cscore", "-o", "a.csv"], &[("CSCORE_DEVICE", "tpu")]);
    assert!(out.status.success(), "{}", stderr(&out));
}

#[test]
fn a_mistake_in_the_table_names_the_line_and_only_training_commands_read_it() {
    let dir = tempfile::tempdir().unwrap();
    let (ds, _) = common::synthetic(100, 4, 0.0, 5);
    common::write_idx(&dir.path().join("d"), &ds);
    estimate(dir.path(), "a.cscore", &[], &[]);
    let config = dir.path().join("config.toml");
    for (text, problem) in [
        ("[estimate]\ndevice = \"tpu\"\n", "line 2: [estimate] device: unknown device 'tpu'"),
        ("[estimate]\n\nworkers = 0\n", "line 3: [estimate] workers must be at least 1"),
        ("[estimate]\nepochs = 3\n", "line 2: unknown field `epochs`"),
        ("theme = \"auto\"\n[estimates]\ndevice = \"cuda\"\n", "line 2: unknown field `estimates`"),
    ] {
        std::fs::write(&config, text).unwrap();
        let out = cscore(dir.path(), &[&["estimate", "d", "-w", "a.cscore"], PLAN].concat(), &[]);
        assert_eq!(out.status.code(), Some(1));
        assert!(
            stderr(&out).starts_with(&format!("error: {}: {problem}", config.display())),
            "{}",
            stderr(&out)
        );
        let out = cscore(dir.path(), &["export", "a.cscore", "-o", "a.csv"], &[]);
        assert!(out.status.success(), "{}", stderr(&out));
    }
}
