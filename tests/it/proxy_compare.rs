//! The comparison as plain data: oriented correlations, detection of injected examples, disagreements.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use cscore::proxy::compare::{compare, disagreement, CSCORE};

fn scores(name: &str, v: &[f64]) -> (String, Vec<f64>) {
    (name.to_string(), v.to_vec())
}

#[test]
fn correlations_are_oriented_and_detection_uses_the_truth() {
    let c = [1.0, 1.0, 1.0, 0.5, 0.0, f64::NAN];
    let ls = [0.9, 0.8, 0.95, 0.4, 0.1, 0.7];
    // forgetting events point the other way: many events = irregular
    let fe = [0.0, 0.0, 0.0, 2.0, 5.0, 1.0];
    let injected = [false, false, false, false, true, false];
    let all = vec![scores(CSCORE, &c), scores("learning_speed", &ls), scores("forgetting_events", &fe)];
    let cmp = compare(&all, Some(&injected), 3);
    assert_eq!(cmp.names, vec!["cscore", "learning_speed", "forgetting_events"]);
    assert_eq!(cmp.correlations.len(), 3);
    let c_fe = cmp.correlations.iter().find(|r| r.a == "cscore" && r.b == "forgetting_events").unwrap();
    assert_eq!(c_fe.pairs, 5, "the NaN C-score is left out");
    assert!(c_fe.spearman.unwrap() > 0.8 && c_fe.kendall.unwrap() > 0.7, "{c_fe:?}");
    // Each score puts the injected example first: AUROC = AP = 1.
    for d in &cmp.detection {
        assert_eq!(d.auroc, Some(1.0), "{d:?}");
        assert_eq!(d.average_precision, Some(1.0), "{d:?}");
    }
    assert_eq!(cmp.disagreements.len(), 2);
    // Both proxies order the examples as the C-score does once its three-way tie at 1.0 may be broken
    // either way: no disagreement is listed (with mid-ranks the tie alone filled the lists).
    assert!(cmp.disagreements.iter().all(|d| d.examples.is_empty()), "{:?}", cmp.disagreements);
    // Without ground truth there is no detection table.
    assert!(compare(&all, None, 3).detection.is_empty());
    assert!(compare(&all, Some(&[false; 6]), 3).detection.is_empty());
}

#[test]
fn disagreement_ranks_the_largest_rank_differences_first() {
    // Example 3 is the most regular by the proxy and the least by the C-score.
    let proxy = [0.1, 0.2, 0.3, 0.9, 0.5];
    let cscore = [0.2, 0.4, 0.6, 0.0, 0.8];
    let d = disagreement(&proxy, &cscore, 2);
    assert_eq!(d[0].index, 3);
    assert_eq!((d[0].proxy_rank, d[0].cscore_rank), (1.0, 0.0));
    assert_eq!(d[0].gap, 1.0);
    assert_eq!(d.len(), 2);
    assert!(disagreement(&[1.0], &[1.0], 5).is_empty());
}

use crate::tui_support;

#[test]
fn compare_workspace_includes_imported_references() {
    let f = tui_support::fixture(60);
    let ws = cscore::store::Workspace::open(&f.workspace).unwrap();
    // C-score of example i is (i mod 10)/10; the reference agrees exactly, the injected examples are the
    // ones it (and the C-score) scores 0.
    let reference: Vec<f32> = (0..60).map(|i| (i % 10) as f32 / 10.0).collect();
    ws.set_reference_scores("paper", &reference, "test").unwrap();
    let rows: Vec<cscore::store::InjectedRow> = (0..60)
        .filter(|i| i % 10 == 0)
        .map(|i| cscore::store::InjectedRow { example: i, kind: "label_noise".into(), original_label: 0 })
        .collect();
    ws.set_injected(&rows).unwrap();
    let c = cscore::pipeline::compare_workspace(&ws, 5).unwrap();
    assert_eq!(c.names, ["cscore", "learning_speed", "ref_paper"]);
    let corr = c.correlations.iter().find(|k| k.a == "cscore" && k.b == "ref_paper").unwrap();
    assert_eq!(corr.pairs, 60);
    assert!(
        (corr.spearman.unwrap() - 1.0).abs() < 1e-9 && (corr.kendall.unwrap() - 1.0).abs() < 1e-9,
        "{corr:?}"
    );
    let d = c.detection.iter().find(|d| d.name == "ref_paper").unwrap();
    assert_eq!((d.auroc, d.average_precision), (Some(1.0), Some(1.0)));
    assert!(c.disagreements.iter().any(|d| d.proxy == "ref_paper"));
}
