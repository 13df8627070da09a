//! Small estimated workspaces for the export tests, made through the library, and the binary to run.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use crate::common;
use cscore::data::{Dataset, LoadOptions};
use cscore::estimate::{
    aggregate_workspace, resolve_plan, run_estimate, Aggregate, EstimateOptions, PlanOverrides,
};
use cscore::model::{DeviceData, ModelSpec};
use cscore::project::{CorruptionSettings, Project};
use cscore::store::Workspace;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::atomic::AtomicBool;

/// A dataset on disk (IDX folder `d`) and its workspace `d.cscore` in a temporary folder.
pub struct Fixture {
    pub dir: tempfile::TempDir,
    pub data: PathBuf,
    pub ws: PathBuf,
    pub n: usize,
}

impl Fixture {
    /// `n` synthetic examples of `classes` classes; `label_noise` injected; estimated (2 runs at ratio 0.5,
    /// so some examples are never held out) when `estimate`.
    pub fn new(n: usize, classes: usize, label_noise: f64, estimate: bool) -> Fixture {
        let dir = tempfile::tempdir().unwrap();
        let (ds, _) = common::synthetic(n, classes, 0.0, 7);
        let data = dir.path().join("d");
        common::write_idx(&data, &ds);
        let ws = dir.path().join("d.cscore");
        let corruption =
            (label_noise > 0.0).then_some(CorruptionSettings { label_noise, ood: 0.0, noise_seed: 1 });
        let project = Project::open(&data, &LoadOptions::default(), Some(&ws), corruption).unwrap();
        if estimate {
            let overrides = PlanOverrides {
                ratios: Some(vec![0.5]),
                runs: Some(2),
                seed: Some(1),
                model: Some(ModelSpec::Mlp(vec![8])),
                epochs: Some(2),
                batch: Some(16),
                ..PlanOverrides::default()
            };
            let plan = resolve_plan(&project.workspace, &overrides).unwrap();
            let device_data = DeviceData::new(&project.dataset, &candle_core::Device::Cpu).unwrap();
            let opts = EstimateOptions { workers: 1, ..EstimateOptions::default() };
            run_estimate(
                &project.workspace,
                &device_data,
                &plan,
                &opts,
                &AtomicBool::new(false),
                &mut |_| {},
            )
            .unwrap();
        }
        Fixture { dir, data, ws, n }
    }

    /// The dataset as estimated (injected corruption applied) and the open workspace.
    pub fn project(&self) -> Project {
        Project::open(&self.data, &LoadOptions::default(), Some(&self.ws), None).unwrap()
    }

    /// The estimated dataset.
    pub fn dataset(&self) -> Dataset {
        self.project().dataset
    }

    pub fn workspace(&self) -> Workspace {
        Workspace::open(&self.ws).unwrap()
    }

    pub fn aggregate(&self) -> Aggregate {
        aggregate_workspace(&self.workspace()).unwrap()
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// Runs the binary in the fixture's folder.
    pub fn cscore(&self, args: &[&str]) -> Output {
        cscore(args, self.dir.path())
    }

    /// Runs the binary and returns stdout, failing the test with stderr on a non-zero status.
    pub fn ok(&self, args: &[&str]) -> String {
        let out = self.cscore(args);
        assert!(out.status.success(), "cscore {args:?}: {}", text(&out.stderr));
        text(&out.stdout)
    }

    /// Runs the binary, expects failure with one line on stderr, and returns that line.
    pub fn fails(&self, args: &[&str]) -> String {
        let out = self.cscore(args);
        assert!(!out.status.success(), "cscore {args:?} succeeded: {}", text(&out.stdout));
        let err = text(&out.stderr);
        assert_eq!(err.trim().lines().count(), 1, "{err}");
        err
    }
}

pub fn cscore(args: &[&str], cwd: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_cscore")).args(args).current_dir(cwd).output().unwrap()
}

pub fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// RFC 4180 records: quoted fields may hold commas, doubled quotes and line breaks.
pub fn parse_csv(text: &str) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    let (mut row, mut field, mut quoted) = (Vec::new(), String::new(), false);
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if quoted {
            match c {
                '"' if chars.peek() == Some(&'"') => {
                    chars.next();
                    field.push('"');
                }
                '"' => quoted = false,
                c => field.push(c),
            }
        } else {
            match c {
                '"' => {
                    assert!(field.is_empty(), "a quote inside an unquoted field: {field}");
                    quoted = true;
                }
                ',' => row.push(std::mem::take(&mut field)),
                '\n' => {
                    row.push(std::mem::take(&mut field));
                    rows.push(std::mem::take(&mut row));
                }
                '\r' => panic!("bare CR"),
                c => field.push(c),
            }
        }
    }
    assert!(!quoted, "unterminated quote");
    assert!(field.is_empty() && row.is_empty(), "the last record has no line end");
    rows
}

/// A `.npy` file parsed per the format spec: (descr, shape, data bytes).
pub fn parse_npy(bytes: &[u8]) -> (String, Vec<usize>, Vec<u8>) {
    assert_eq!(&bytes[..6], b"\x93NUMPY", "magic");
    assert_eq!(bytes[6], 1, "version 1.0");
    let hlen = u16::from_le_bytes([bytes[8], bytes[9]]) as usize;
    assert_eq!((10 + hlen) % 16, 0, "data aligned");
    let header = std::str::from_utf8(&bytes[10..10 + hlen]).unwrap();
    assert!(header.ends_with('\n'));
    let field = |key: &str| {
        let at = header.find(&format!("'{key}': ")).unwrap_or_else(|| panic!("{key} in {header}"));
        &header[at + key.len() + 4..]
    };
    let descr = field("descr");
    let descr = descr[1..].split('\'').next().unwrap().to_string();
    assert!(field("fortran_order").starts_with("False"));
    let shape = field("shape");
    let shape: Vec<usize> = shape[1..shape.find(')').unwrap()]
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| s.parse().unwrap())
        .collect();
    (descr, shape, bytes[10 + hlen..].to_vec())
}

/// True when `python3 -c 'import numpy'` works here.
pub fn have_numpy() -> bool {
    Command::new("python3").args(["-c", "import numpy"]).output().is_ok_and(|o| o.status.success())
}
