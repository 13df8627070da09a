//! `cscore export` tables through the real binary: CSV, JSON Lines and NPY read back by the formats' own
//! rules (and by NumPy when it is installed), filters, atomic output, empty cells.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::export_support;

use export_support::{have_numpy, parse_csv, parse_npy, text, Fixture};
use std::collections::HashMap;

const CONTRACT: [&str; 8] =
    ["index", "label", "cscore", "cscore_low", "cscore_high", "holdout_evals", "heldout_prediction", "tag"];

/// An estimated workspace with injected label noise, a proxy with gaps, a reference, tags and a note.
fn marked() -> Fixture {
    let f = Fixture::new(60, 3, 0.1, true);
    let ws = f.workspace();
    let proxy: Vec<f32> = (0..f.n).map(|i| if i % 7 == 0 { f32::NAN } else { i as f32 / 10.0 }).collect();
    ws.set_proxy_scores("learning_speed", &proxy).unwrap();
    ws.set_reference_scores("paper", &vec![0.5; f.n], "test").unwrap();
    ws.set_tag(3, Some("mislabeled"), Some(2)).unwrap();
    ws.set_tag(4, Some("ood"), None).unwrap();
    ws.set_note(3, Some("looks like a \"2\",\nsurely")).unwrap();
    f
}

/// Header and rows keyed by column name.
fn read_csv(text: &str) -> (Vec<String>, Vec<HashMap<String, String>>) {
    let mut records = parse_csv(text);
    let header = records.remove(0);
    let rows = records
        .into_iter()
        .map(|r| {
            assert_eq!(r.len(), header.len(), "{r:?}");
            header.iter().cloned().zip(r).collect()
        })
        .collect();
    (header, rows)
}

#[test]
fn csv_follows_the_column_contract_and_round_trips() {
    let f = marked();
    let out = f.path("all.csv");
    f.ok(&["export", "d.cscore", "-o", out.to_str().unwrap()]);
    let (header, rows) = read_csv(&std::fs::read_to_string(&out).unwrap());
    assert_eq!(header[..8], CONTRACT);
    let rest: Vec<&str> = header[8..].iter().map(String::as_str).collect();
    assert_eq!(
        rest,
        [
            "proxy_learning_speed",
            "injected",
            "injected_kind",
            "injected_original_label",
            "relabel",
            "note",
            "label_name",
            "relabel_name",
            "ref_paper",
            "given_label",
            "predicted_label",
            "label_score",
            "is_label_issue"
        ]
    );
    let ds = f.dataset();
    let agg = f.aggregate();
    let injected = f.workspace().injected().unwrap();
    assert_eq!(injected.len(), 6);
    assert_eq!(rows.len(), f.n);
    // is_label_issue by confident learning on the held-out votes, computed here from its definition.
    let shares = |i: usize| {
        let v = agg.votes(i);
        let total: u32 = v.iter().sum();
        v.iter().map(|&x| f64::from(x) / f64::from(total)).collect::<Vec<f64>>()
    };
    let classes = agg.num_classes();
    let threshold: Vec<f64> = (0..classes)
        .map(|j| {
            let own: Vec<f64> = (0..f.n)
                .filter(|&i| ds.labels[i] as usize == j && agg.cscore(i).is_some())
                .map(|i| shares(i)[j])
                .collect();
            if own.is_empty() {
                f64::INFINITY
            } else {
                own.iter().sum::<f64>() / own.len() as f64
            }
        })
        .collect();
    let (mut flagged, mut missing) = (0, 0);
    for (i, row) in rows.iter().enumerate() {
        assert_eq!(row["index"], i.to_string());
        assert_eq!(row["label"], ds.labels[i].to_string(), "labels as estimated (noise applied)");
        assert_eq!(row["given_label"], row["label"]);
        assert_eq!(row["holdout_evals"], agg.holdout_evals(i).to_string());
        match agg.cscore(i) {
            None => {
                missing += 1;
                for col in ["cscore", "cscore_low", "cscore_high", "label_score", "is_label_issue"] {
                    assert_eq!(row[col], "", "row {i} {col}: not estimated is empty, never 0");
                }
            }
            Some(c) => {
                assert_eq!(row["cscore"].parse::<f64>().unwrap(), c, "row {i}: exact round trip");
                let (lo, hi) = agg.interval(i);
                assert_eq!(row["cscore_low"].parse::<f64>().unwrap(), lo);
                assert_eq!(row["cscore_high"].parse::<f64>().unwrap(), hi);
                let pred = agg.heldout_prediction(i).unwrap();
                assert_eq!(row["heldout_prediction"], pred.to_string());
                assert_eq!(row["predicted_label"], pred.to_string());
                let p = shares(i);
                let mut confident: Option<usize> = None;
                for j in 0..classes {
                    if p[j] > 0.0 && p[j] >= threshold[j] && confident.is_none_or(|b| p[j] > p[b]) {
                        confident = Some(j);
                    }
                }
                let issue = confident.is_some_and(|b| b != ds.labels[i] as usize);
                flagged += usize::from(issue);
                assert_eq!(row["is_label_issue"], if issue { "True" } else { "False" }, "row {i}");
            }
        }
        let proxy = &row["proxy_learning_speed"];
        if i % 7 == 0 {
            assert_eq!(proxy, "");
        } else {
            assert_eq!(proxy.parse::<f32>().unwrap(), i as f32 / 10.0);
        }
        assert_eq!(row["ref_paper"], "0.5");
        let inj = injected.iter().find(|r| r.example == i);
        assert_eq!(row["injected"], if inj.is_some() { "1" } else { "0" });
        assert_eq!(row["injected_kind"], inj.map_or("", |r| r.kind.as_str()));
    }
    assert!(missing > 0 && missing < f.n, "the fixture leaves some examples never held out ({missing})");
    assert!(flagged > 0, "the fixture has label issues to find");
    assert_eq!(rows[3]["tag"], "mislabeled");
    assert_eq!(rows[3]["relabel"], "2");
    assert_eq!(rows[3]["note"], "looks like a \"2\",\nsurely");
    assert_eq!(rows[4]["tag"], "ood");
    assert_eq!(rows[5]["tag"], "");
}

#[test]
fn jsonl_holds_the_same_values_with_nulls() {
    let f = marked();
    let csv = f.ok(&["export", "d.cscore"]);
    let (header, rows) = read_csv(&csv);
    let jsonl = f.ok(&["export", "d.cscore", "--format", "jsonl", "-o", "-"]);
    let lines: Vec<&str> = jsonl.lines().collect();
    assert_eq!(lines.len(), rows.len());
    for (line, row) in lines.iter().zip(&rows) {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        let obj = v.as_object().unwrap();
        assert_eq!(obj.len(), header.len());
        for name in &header {
            let cell = &row[name];
            match &obj[name] {
                serde_json::Value::Null => assert_eq!(cell, "", "{name}"),
                serde_json::Value::String(s) => assert_eq!(s, cell, "{name}"),
                serde_json::Value::Bool(b) => assert_eq!(cell, if *b { "True" } else { "False" }),
                serde_json::Value::Number(x) => {
                    assert_eq!(x.as_f64().unwrap(), cell.parse::<f64>().unwrap(), "{name}")
                }
                other => panic!("{name}: {other}"),
            }
        }
    }
}

#[test]
fn proxies_flag_is_for_npy_only() {
    let f = marked();
    for format in ["csv", "jsonl"] {
        let err = f.fails(&["export", "d.cscore", "--format", format, "--proxies", "-o", "x.out"]);
        assert!(err.contains("--proxies is for --format npy"), "{err}");
    }
    assert!(!f.path("x.out").exists());
}

#[test]
fn npy_files_load_by_the_format_spec_and_in_numpy() {
    let f = marked();
    let stderr =
        text(&f.cscore(&["export", "d.cscore", "--format", "npy", "-o", "c.npy", "--proxies"]).stderr);
    assert!(stderr.contains("c.proxy_learning_speed.npy"), "{stderr}");
    let (descr, shape, data) = parse_npy(&std::fs::read(f.path("c.npy")).unwrap());
    assert_eq!((descr.as_str(), shape.as_slice()), ("<f8", &[f.n][..]));
    let agg = f.aggregate();
    for (i, b) in data.chunks_exact(8).enumerate() {
        let v = f64::from_le_bytes(b.try_into().unwrap());
        match agg.cscore(i) {
            Some(c) => assert_eq!(v, c),
            None => assert!(v.is_nan(), "example {i}: NaN where not estimated"),
        }
    }
    let (descr, shape, data) = parse_npy(&std::fs::read(f.path("c.proxy_learning_speed.npy")).unwrap());
    assert_eq!((descr.as_str(), shape.as_slice(), data.len()), ("<f4", &[f.n][..], 4 * f.n));
    assert_eq!(f32::from_le_bytes(data[4..8].try_into().unwrap()), 0.1);

    if !have_numpy() {
        eprintln!("note: python3 with numpy is not installed here; skipping the numpy.load check");
        return;
    }
    let script = "import numpy as np, sys\n\
                  c = np.load(sys.argv[1]); p = np.load(sys.argv[2])\n\
                  print(c.dtype, c.shape, int(np.isnan(c).sum()), repr(float(np.nansum(c))), p.dtype, int(np.isnan(p).sum()))";
    let out = std::process::Command::new("python3")
        .args(["-c", script, "c.npy", "c.proxy_learning_speed.npy"])
        .current_dir(f.dir.path())
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    let cs = agg.cscores();
    let nan = cs.iter().filter(|v| v.is_nan()).count();
    let sum: f64 = cs.iter().filter(|v| !v.is_nan()).sum();
    let printed = text(&out.stdout);
    let fields: Vec<&str> = printed.split_whitespace().collect();
    assert_eq!(fields[..3], ["float64", &format!("({},)", f.n), &nan.to_string()], "{printed}");
    assert!((fields[3].parse::<f64>().unwrap() - sum).abs() < 1e-9, "{printed}");
    assert_eq!(fields[4..], ["float32", &(f.n.div_ceil(7)).to_string()], "{printed}");
}

#[test]
fn filters_and_tags_select_rows_and_bad_expressions_say_where() {
    let f = marked();
    let ds = f.dataset();
    let agg = f.aggregate();
    let indices =
        |csv: &str| -> Vec<usize> { read_csv(csv).1.iter().map(|r| r["index"].parse().unwrap()).collect() };
    let got = indices(&f.ok(&["export", "d.cscore", "--filter", "cscore < 0.75 and label == 1"]));
    let want: Vec<usize> =
        (0..f.n).filter(|&i| agg.cscore(i).is_some_and(|c| c < 0.75) && ds.labels[i] == 1).collect();
    assert_eq!(got, want);
    assert_eq!(indices(&f.ok(&["export", "d.cscore", "--tag", "mislabeled"])), [3]);
    let either =
        f.ok(&["export", "d.cscore", "--filter", "tag == \"ood\" or (relabel == 2 and injected >= 0)"]);
    assert_eq!(indices(&either), [3, 4]);
    let unestimated = indices(&f.ok(&["export", "d.cscore", "--filter", "cscore == null"]));
    assert_eq!(unestimated, (0..f.n).filter(|&i| agg.cscore(i).is_none()).collect::<Vec<_>>());
    assert_eq!(
        indices(&f.ok(&["export", "d.cscore", "--filter", "label == 0", "--tag", "ood"])).len(),
        usize::from(ds.labels[4] == 0)
    );

    let err = f.fails(&["export", "d.cscore", "--filter", "cscore < 0.3 and lable == 7"]);
    assert!(err.contains("unknown column 'lable' (did you mean 'label'?) at position 18"), "{err}");
    let err = f.fails(&["export", "d.cscore", "--filter", "cscore <"]);
    assert!(err.contains("at position 9"), "{err}");
    let err = f.fails(&["export", "d.cscore", "--format", "npy", "--tag", "ood"]);
    assert!(err.contains("--filter and --tag are for csv and jsonl"), "{err}");
}

#[test]
fn output_replaces_files_atomically() {
    let f = marked();
    let out = f.path("x.csv");
    std::fs::write(&out, "old contents").unwrap();
    f.ok(&["export", "d.cscore", "-o", "x.csv", "--tag", "ood"]);
    let (_, rows) = read_csv(&std::fs::read_to_string(&out).unwrap());
    assert_eq!(rows.len(), 1);
    let leftovers: Vec<String> = std::fs::read_dir(f.dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with('.'))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
    // A failed export (bad filter) leaves the old file alone.
    f.fails(&["export", "d.cscore", "-o", "x.csv", "--filter", "tag =="]);
    assert_eq!(read_csv(&std::fs::read_to_string(&out).unwrap()).1.len(), 1);
    let err = f.fails(&["export", "d.cscore", "-o", "no/such/dir/x.csv"]);
    assert!(err.contains("no/such/dir/x.csv"), "{err}");
}

#[test]
fn a_workspace_without_runs_exports_empty_score_cells() {
    let f = Fixture::new(20, 2, 0.0, false);
    let (header, rows) = read_csv(&f.ok(&["export", "d.cscore"]));
    assert!(!header.contains(&"injected".to_string()), "no injected column without ground truth");
    for row in &rows {
        for col in
            ["cscore", "cscore_low", "cscore_high", "heldout_prediction", "label_score", "is_label_issue"]
        {
            assert_eq!(row[col], "", "{col}");
        }
        assert_eq!(row["holdout_evals"], "0");
    }
    let (_, shape, data) = parse_npy(
        &std::fs::read({
            f.ok(&["export", "d.cscore", "--format", "npy"]);
            f.path("d.npy")
        })
        .unwrap(),
    );
    assert_eq!(shape, [20]);
    assert!(data.chunks_exact(8).all(|b| f64::from_le_bytes(b.try_into().unwrap()).is_nan()));
}

#[test]
fn a_moved_dataset_is_a_clear_error_and_data_points_to_it() {
    let f = marked();
    let before = f.ok(&["export", "d.cscore"]);
    std::fs::rename(&f.data, f.path("moved")).unwrap();
    // The workspace's record of its examples gives the table, and the warning says where the data went.
    let out = f.cscore(&["export", "d.cscore"]);
    let err = text(&out.stderr);
    assert!(out.status.success() && err.contains("--data PATH") && err.contains("recorded"), "{err}");
    assert_eq!(text(&out.stdout), before);
    // Without the record (a workspace no command has opened with its dataset since it had one), an error.
    let c = rusqlite::Connection::open(&f.ws).unwrap();
    c.execute("DELETE FROM example_record", []).unwrap();
    drop(c);
    let err = f.fails(&["export", "d.cscore"]);
    assert!(err.contains("--data PATH"), "{err}");
    let csv = f.ok(&["export", "d.cscore", "--data", "moved"]);
    assert_eq!(read_csv(&csv).1.len(), f.n);
}

/// Without --format, the output file's extension picks the format; a --format it contradicts is refused
/// before anything is written.
#[test]
fn the_output_extension_picks_the_format() {
    let f = marked();
    f.ok(&["export", "d.cscore", "-o", "t.jsonl"]);
    let jsonl = std::fs::read_to_string(f.path("t.jsonl")).unwrap();
    assert!(jsonl.lines().all(|l| l.starts_with('{') && l.ends_with('}')), "{jsonl}");
    f.ok(&["export", "d.cscore", "-o", "v.NPY"]);
    assert!(std::fs::read(f.path("v.NPY")).unwrap().starts_with(b"\x93NUMPY"));
    f.ok(&["export", "d.cscore", "-o", "t.tsv"]);
    assert!(std::fs::read_to_string(f.path("t.tsv")).unwrap().starts_with("index,label,"));
    let err = f.fails(&["export", "d.cscore", "--format", "csv", "-o", "s.npy"]);
    assert!(err.contains("--format csv does not match the output file s.npy (a .npy name)"), "{err}");
    assert!(!f.path("s.npy").exists());
}
