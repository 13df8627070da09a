//! `cscore import-scores`, `cscore eval` and `cscore show` through the real binary.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;
use crate::export_support;

use cscore::data::{load, LoadOptions};
use cscore::export::{npy_bytes, NpyData};
use export_support::{text, Fixture};
use std::collections::HashMap;
use std::io::Write;

fn write_npz(path: &std::path::Path, arrays: &[(&str, Vec<u8>)]) {
    let mut zip = zip::ZipWriter::new(std::fs::File::create(path).unwrap());
    for (name, bytes) in arrays {
        zip.start_file(format!("{name}.npy"), zip::write::SimpleFileOptions::default()).unwrap();
        zip.write_all(bytes).unwrap();
    }
    zip.finish().unwrap();
}

fn f64_npy(v: &[f64]) -> Vec<u8> {
    npy_bytes(&[v.len()], NpyData::F64(v)).unwrap()
}

fn labels_npy(v: &[u32]) -> Vec<u8> {
    let v: Vec<i64> = v.iter().map(|&l| i64::from(l)).collect();
    npy_bytes(&[v.len()], NpyData::I64(&v)).unwrap()
}

#[test]
fn import_reads_npy_npz_and_csv_and_refuses_mismatches() {
    let f = Fixture::new(40, 4, 0.1, false);
    let n = f.n;
    let scores: Vec<f64> = (0..n).map(|i| i as f64 / 40.0).collect();
    std::fs::write(f.path("s.npy"), f64_npy(&scores)).unwrap();
    f.ok(&["import-scores", "d.cscore", "s.npy", "--name", "a"]);
    let stored = f.workspace().reference_scores("a").unwrap().unwrap();
    assert_eq!(stored, scores.iter().map(|&v| v as f32).collect::<Vec<_>>());

    std::fs::write(f.path("short.npy"), f64_npy(&scores[1..])).unwrap();
    let err = f.fails(&["import-scores", "d.cscore", "short.npy", "--name", "a"]);
    assert!(
        err.contains("short.npy") && err.contains("holds 39 scores but the dataset has 40 examples"),
        "{err}"
    );
    let wide: Vec<f64> = (0..2 * n).map(|i| i as f64).collect();
    std::fs::write(f.path("wide.npy"), npy_bytes(&[n, 2], NpyData::F64(&wide)).unwrap()).unwrap();
    assert!(f.fails(&["import-scores", "d.cscore", "wide.npy", "--name", "a"]).contains("shape"));
    let err = f.fails(&["import-scores", "d.cscore", "s.npy", "--name", "bad-name"]);
    assert!(err.contains("letters, digits and _"), "{err}");

    // .npz with labels: checked against the dataset's own labels (before injected noise).
    let original = load(&f.data, &LoadOptions::default()).unwrap().labels;
    let noisy = f.dataset().labels;
    assert_ne!(original, noisy);
    write_npz(&f.path("paper.npz"), &[("labels", labels_npy(&original)), ("scores", f64_npy(&scores))]);
    let out = f.cscore(&["import-scores", "d.cscore", "paper.npz", "--name", "paper"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("labels checked"), "{}", text(&out.stderr));
    let mut wrong = original.clone();
    wrong[5] = (wrong[5] + 1) % 4;
    write_npz(&f.path("wrong.npz"), &[("labels", labels_npy(&wrong)), ("scores", f64_npy(&scores))]);
    let err = f.fails(&["import-scores", "d.cscore", "wrong.npz", "--name", "w"]);
    assert!(err.contains("disagree with the dataset's at 1 of 40 examples (first at index 5"), "{err}");
    write_npz(&f.path("noisy.npz"), &[("labels", labels_npy(&noisy)), ("scores", f64_npy(&scores))]);
    assert!(f.fails(&["import-scores", "d.cscore", "noisy.npz", "--name", "w"]).contains("disagree"));
    write_npz(&f.path("other.npz"), &[("c", f64_npy(&scores))]);
    let err = f.fails(&["import-scores", "d.cscore", "other.npz", "--name", "w"]);
    assert!(err.contains("no array 'scores' (it holds: c)"), "{err}");
    f.ok(&["import-scores", "d.cscore", "other.npz", "--name", "c", "--field", "c"]);
    assert!(!f.workspace().reference_names().unwrap().contains(&"w".to_string()));

    // CSV: index,score (missing indices stay missing) and one score per line.
    std::fs::write(f.path("some.csv"), "index,score\n3,0.25\n0,0.5\n").unwrap();
    f.ok(&["import-scores", "d.cscore", "some.csv", "--name", "some"]);
    let some = f.workspace().reference_scores("some").unwrap().unwrap();
    assert_eq!((some[0], some[3]), (0.5, 0.25));
    assert_eq!(some.iter().filter(|v| v.is_nan()).count(), n - 2);
    let lines: String = scores[..39].iter().map(|v| format!("{v}\n")).collect();
    std::fs::write(f.path("lines.csv"), lines).unwrap();
    assert!(f.fails(&["import-scores", "d.cscore", "lines.csv", "--name", "l"]).contains("holds 39 scores"));
    std::fs::write(f.path("dup.csv"), "index,score\n3,0.25\n3,0.5\n").unwrap();
    assert!(f
        .fails(&["import-scores", "d.cscore", "dup.csv", "--name", "l"])
        .contains("line 3: index 3 appears twice"));

    // JSON Lines: cscore's own export read back by --field (this workspace has no estimate: its labels).
    f.ok(&["export", "d.cscore", "--format", "jsonl", "-o", "all.jsonl"]);
    f.ok(&["import-scores", "d.cscore", "all.jsonl", "--name", "again", "--field", "label"]);
    let again = f.workspace().reference_scores("again").unwrap().unwrap();
    let labels = f.dataset().labels;
    assert!((0..n).all(|i| again[i] == labels[i] as f32), "{again:?}");
    let err = f.fails(&["import-scores", "d.cscore", "all.jsonl", "--name", "j"]);
    assert!(err.contains("no field 'score' (fields: cscore, cscore_high"), "{err}");

    // Re-importing a name replaces it; every imported column appears in the export.
    let out = f.cscore(&["import-scores", "d.cscore", "s.npy", "--name", "some"]);
    assert!(text(&out.stderr).contains("replaced"), "{}", text(&out.stderr));
    let header = f.ok(&["export", "d.cscore"]).lines().next().unwrap().to_string();
    for col in ["ref_a", "ref_c", "ref_paper", "ref_some"] {
        assert!(header.split(',').any(|h| h == col), "{header}");
    }
}

/// `eval` output rows: score name → the remaining fields.
fn table(out: &str) -> HashMap<String, Vec<String>> {
    out.lines()
        .skip(3)
        .map(|l| {
            let mut f = l.split_whitespace().map(str::to_string);
            (f.next().unwrap(), f.collect())
        })
        .collect()
}

#[test]
fn eval_against_known_bad_examples_and_reference_scores() {
    let f = Fixture::new(60, 3, 0.1, true);
    let n = f.n;
    let ws = f.workspace();
    let bad: Vec<usize> = ws.injected().unwrap().iter().map(|r| r.example).collect();
    let is_bad = |i: usize| bad.contains(&i);
    ws.set_proxy_scores("perfect", &(0..n).map(|i| if is_bad(i) { 0.0 } else { 1.0 }).collect::<Vec<f32>>())
        .unwrap();
    // High = irregular: the orientation must flip it.
    let forgetting: Vec<f32> = (0..n).map(|i| if is_bad(i) { 3.0 } else { (i % 2) as f32 }).collect();
    ws.set_proxy_scores("forgetting_events", &forgetting).unwrap();
    std::fs::write(f.path("bad.txt"), bad.iter().map(|i| format!("{i}\n")).collect::<String>()).unwrap();

    let out = f.ok(&["eval", "d.cscore", "--truth-indices", "bad.txt"]);
    assert!(out.starts_with(&format!("against {} known-bad examples of {n}", bad.len())), "{out}");
    let rows = table(&out);
    let base = format!("{:.4}", bad.len() as f64 / n as f64);
    let perfect = [n.to_string(), bad.len().to_string(), "1.0000".into(), "1.0000".into(), base];
    assert_eq!(rows["proxy_perfect"], perfect, "{out}");
    assert_eq!(rows["proxy_forgetting_events"][2], "1.0000", "{out}");
    // The C-score row equals the definition (pairs won, ties one half) on the examples it covers.
    let agg = f.aggregate();
    let used: Vec<usize> = (0..n).filter(|&i| agg.cscore(i).is_some()).collect();
    let irregular: Vec<f64> = used.iter().map(|&i| -agg.cscore(i).unwrap()).collect();
    let positives: Vec<usize> = (0..used.len()).filter(|&k| is_bad(used[k])).collect();
    let want = common::auroc(&irregular, &positives);
    assert_eq!(rows["cscore"][0], used.len().to_string(), "{out}");
    assert_eq!(rows["cscore"][2], format!("{want:.4}"), "{out}");

    // Without flags: the injected ground truth, the same numbers.
    let default = f.ok(&["eval", "d.cscore"]);
    assert!(default.contains("injected corruption"), "{default}");
    assert_eq!(table(&default), rows);

    // Reference scores: a proxy that ranks exactly like the reference gets ρ = τ = 1; one that ranks the
    // other way round (high = irregular, so oriented) too.
    let reference: Vec<f64> = (0..n).map(|i| if i < 10 { 1.0 } else { i as f64 / n as f64 }).collect();
    ws.set_proxy_scores("linear", &(0..n).map(|i| i as f32).collect::<Vec<_>>()).unwrap();
    ws.set_proxy_scores("el2n", &(0..n).map(|i| -(i as f32)).collect::<Vec<_>>()).unwrap();
    std::fs::write(f.path("ref.npy"), f64_npy(&reference)).unwrap();
    let out = f.ok(&["eval", "d.cscore", "--reference-scores", "ref.npy"]);
    assert!(out.contains(&format!("{n} of {n} examples, {} of them below 1", n - 10)), "{out}");
    let rows = table(&out);
    // Below 1 (examples 10…59) the ranking is exact; over all, the ten tied 1s sit at the bottom.
    assert_eq!(rows["proxy_linear"][3..], [(n - 10).to_string(), "1.0000".into(), "1.0000".into()]);
    assert_eq!(rows["proxy_el2n"][3..], rows["proxy_linear"][3..]);
    let x: Vec<f64> = (0..n).map(|i| i as f64).collect();
    let rho = cscore::export::metrics::spearman(&x, &reference).unwrap();
    assert_eq!(rows["proxy_linear"][1], format!("{rho:.4}"));
    f.ok(&["import-scores", "d.cscore", "ref.npy", "--name", "paper"]);
    let by_name = f.ok(&["eval", "d.cscore", "--reference-scores", "paper"]);
    assert!(!table(&by_name).contains_key("ref_paper"), "{by_name}");
    assert_eq!(table(&by_name)["proxy_linear"], table(&out)["proxy_linear"]);
    // The name as its export column says it works too.
    let by_column = f.ok(&["eval", "d.cscore", "--reference-scores", "ref_paper"]);
    assert_eq!(table(&by_column)["proxy_linear"], table(&out)["proxy_linear"]);
    assert!(by_column.starts_with("against reference scores ref_paper (imported):"), "{by_column}");
    let err = f.fails(&["eval", "d.cscore", "--reference-scores", "nope"]);
    assert!(err.contains("imported: paper"), "{err}");
    // An imported reference is high = regular whatever its name, even a proxy's that is the other way.
    let perfect: Vec<f64> = (0..n).map(|i| if is_bad(i) { 0.0 } else { 1.0 }).collect();
    std::fs::write(f.path("perfect.npy"), f64_npy(&perfect)).unwrap();
    f.ok(&["import-scores", "d.cscore", "perfect.npy", "--name", "el2n"]);
    let out = f.ok(&["eval", "d.cscore", "--truth-indices", "bad.txt"]);
    assert_eq!(table(&out)["ref_el2n"][2], "1.0000", "{out}");

    let clean = Fixture::new(20, 2, 0.0, false);
    assert!(clean.fails(&["eval", "d.cscore"]).contains("--truth-indices"));
    std::fs::write(clean.path("bad.txt"), "25\n").unwrap();
    assert!(clean.fails(&["eval", "d.cscore", "--truth-indices", "bad.txt"]).contains("out of range"));
}

#[test]
fn show_prints_one_example() {
    let f = Fixture::new(60, 3, 0.1, true);
    let ws = f.workspace();
    ws.set_proxy_scores("learning_speed", &(0..f.n).map(|i| i as f32).collect::<Vec<_>>()).unwrap();
    // A density is about 1/N: its digits show, where 4 decimals printed 0.0002.
    ws.set_proxy_scores("density", &(0..f.n).map(|i| 2.134e-4 + i as f32 * 1e-6).collect::<Vec<_>>())
        .unwrap();
    ws.set_tag(3, Some("mislabeled"), Some(2)).unwrap();
    ws.set_note(3, Some("odd stroke")).unwrap();
    let label = f.dataset().labels[3];
    let out = f.ok(&["show", "d.cscore", "3", "--ascii"]);
    for want in [
        "example 3 of 60",
        &format!("label                {label}"),
        "C-score",
        "held-out prediction",
        "consistency profile",
        " 0.50 ",
        "proxy_learning_speed",
        "rank 4 of 60",
        "2.16e-4  rank 4 of 60",
        "mislabeled (relabel → 2)",
        "odd stroke",
    ] {
        assert!(out.contains(want), "{want:?} in\n{out}");
    }
    assert!(out.lines().rev().take(3).all(|l| l.chars().count() == 12), "ASCII art 12 wide:\n{out}");
    // Piped (not a terminal): no escape codes, no image.
    let plain = f.ok(&["show", "d.cscore", "3"]);
    assert!(!plain.contains('\x1b') && plain.len() < out.len());
    assert!(f.fails(&["show", "d.cscore", "60"]).contains("out of range"));
    std::fs::rename(&f.data, f.path("gone")).unwrap();
    // The label from the workspace's record of its examples; no image.
    let out = f.cscore(&["show", "d.cscore", "3", "--ascii"]);
    let (shown, err) = (text(&out.stdout), text(&out.stderr));
    assert!(out.status.success() && !shown.contains("dataset not loaded"), "{err}");
    assert!(shown.lines().count() < plain.lines().count() + 3, "no ASCII image:\n{shown}");
    assert!(err.contains("--data PATH") && err.contains("no image shows"), "{err}");
    let c = rusqlite::Connection::open(f.path("d.cscore")).unwrap();
    c.execute("DELETE FROM example_record", []).unwrap();
    drop(c);
    let out = f.cscore(&["show", "d.cscore", "3"]);
    assert!(
        out.status.success() && text(&out.stdout).contains("dataset not loaded"),
        "{}",
        text(&out.stderr)
    );
    assert!(text(&out.stderr).contains("--data PATH"));
}

#[test]
fn eval_checks_the_labels_of_a_reference_npz() {
    let f = Fixture::new(60, 3, 0.1, true);
    let original = load(&f.data, &LoadOptions::default()).unwrap().labels;
    let scores: Vec<f64> = (0..f.n).map(|i| i as f64 / f.n as f64).collect();
    write_npz(&f.path("paper.npz"), &[("labels", labels_npy(&original)), ("scores", f64_npy(&scores))]);
    let out = f.cscore(&["eval", "d.cscore", "--reference-scores", "paper.npz"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("labels in paper.npz checked"), "{}", text(&out.stderr));
    // Labels of another order (or dataset): refused, naming the first difference.
    let mut wrong = original.clone();
    wrong[4] = (wrong[4] + 1) % 3;
    write_npz(&f.path("wrong.npz"), &[("labels", labels_npy(&wrong)), ("scores", f64_npy(&scores))]);
    let err = f.fails(&["eval", "d.cscore", "--reference-scores", "wrong.npz"]);
    assert!(err.contains("disagree") && err.contains("first at index 4"), "{err}");
    // The labels as estimated (injected noise applied) are not the file's: those are the originals.
    let noisy = f.dataset().labels;
    write_npz(&f.path("noisy.npz"), &[("labels", labels_npy(&noisy)), ("scores", f64_npy(&scores))]);
    assert!(f.fails(&["eval", "d.cscore", "--reference-scores", "noisy.npz"]).contains("disagree"));
    // A dataset that moved is found with --data.
    std::fs::rename(&f.data, f.path("moved")).unwrap();
    assert!(f.fails(&["eval", "d.cscore", "--reference-scores", "paper.npz"]).contains("--data"));
    f.ok(&["eval", "d.cscore", "--reference-scores", "paper.npz", "--data", "moved"]);
}
