//! Proxy and reference scores, injected rows, and tags with their history.

use super::*;

#[test]
fn proxy_and_reference_scores_round_trip_and_check_length() {
    let (_dir, path) = temp();
    let ws = new_ws(&path, 5, 2);
    let speed = vec![0.5, f32::NAN, -1.0, 2.5, 1e-7];
    ws.set_proxy_scores("learning_speed", &speed).unwrap();
    ws.set_proxy_scores("knn_agreement", &[1.0; 5]).unwrap();
    ws.set_proxy_scores("knn_agreement", &[0.25; 5]).unwrap();
    let back = ws.proxy_scores("learning_speed").unwrap().unwrap();
    assert_eq!(
        back.iter().map(|v| v.to_bits()).collect::<Vec<_>>(),
        speed.iter().map(|v| v.to_bits()).collect::<Vec<_>>()
    );
    assert_eq!(ws.proxy_scores("knn_agreement").unwrap(), Some(vec![0.25; 5]));
    assert_eq!(ws.proxy_scores("nope").unwrap(), None);
    assert_eq!(ws.proxy_names().unwrap(), vec!["knn_agreement", "learning_speed"]);

    let err = ws.set_proxy_scores("margin", &[1.0; 4]).unwrap_err();
    assert!(err.to_string().contains("have 4 values but the dataset has 5"), "{err}");
    assert!(ws.set_proxy_scores("", &[1.0; 5]).is_err());

    ws.set_reference_scores("paper", &[0.9, 0.8, 0.7, 0.6, 0.5], "cscores.npz").unwrap();
    assert_eq!(ws.reference_scores("paper").unwrap(), Some(vec![0.9, 0.8, 0.7, 0.6, 0.5]));
    assert_eq!(ws.reference_names().unwrap(), vec!["paper"]);
    assert_eq!(ws.reference_scores("other").unwrap(), None);
    assert!(ws.set_reference_scores("paper", &[0.0; 6], "x").is_err());
}

#[test]
fn injected_rows_replace_and_validate() {
    let (_dir, path) = temp();
    let ws = new_ws(&path, 10, 3);
    let rows = vec![
        InjectedRow { example: 7, kind: "label_noise".into(), original_label: 2 },
        InjectedRow { example: 1, kind: "ood".into(), original_label: 0 },
    ];
    ws.set_injected(&rows).unwrap();
    assert_eq!(ws.injected().unwrap(), vec![rows[1].clone(), rows[0].clone()]);
    ws.set_injected(&rows[..1]).unwrap();
    assert_eq!(ws.injected().unwrap(), vec![rows[0].clone()]);

    let out_of_range = InjectedRow { example: 10, kind: "ood".into(), original_label: 0 };
    let err = ws.set_injected(&[out_of_range]).unwrap_err();
    assert!(err.to_string().contains("example 10 is out of range (the dataset has 10 examples)"));
    let bad_label = InjectedRow { example: 3, kind: "ood".into(), original_label: 3 };
    assert!(ws.set_injected(&[bad_label]).unwrap_err().to_string().contains("original label 3"));
    let twice = vec![rows[0].clone(), rows[0].clone()];
    assert!(ws.set_injected(&twice).unwrap_err().to_string().contains("injected twice"));
    assert_eq!(ws.injected().unwrap(), vec![rows[0].clone()], "refused writes change nothing");
    ws.set_injected(&[]).unwrap();
    assert!(ws.injected().unwrap().is_empty());
}

fn tag_row(example: usize, tag: Option<&str>, relabel: Option<u32>, note: Option<&str>) -> TagRow {
    TagRow { example, tag: tag.map(String::from), relabel, note: note.map(String::from) }
}

#[test]
fn tags_keep_history_and_undo_step_by_step() {
    let (_dir, path) = temp();
    let ws = new_ws(&path, 10, 3);
    assert_eq!(ws.undo_last_tag().unwrap(), None);

    ws.set_tag(4, Some("mislabeled"), Some(2)).unwrap();
    ws.set_note(4, Some("looks like a 2")).unwrap();
    ws.set_tag(4, Some("ambiguous"), None).unwrap();
    ws.set_tag(4, Some("ambiguous"), None).unwrap(); // no change: no history step
    ws.set_tag(9, Some("ood"), None).unwrap();
    ws.set_tag(9, None, None).unwrap();
    assert_eq!(ws.tags().unwrap(), vec![tag_row(4, Some("ambiguous"), None, Some("looks like a 2"))]);

    // Undo walks back one change at a time, newest first, keeping notes.
    assert_eq!(ws.undo_last_tag().unwrap(), Some(tag_row(9, Some("ood"), None, None)));
    assert_eq!(ws.undo_last_tag().unwrap(), Some(tag_row(9, None, None, None)));
    assert_eq!(
        ws.undo_last_tag().unwrap(),
        Some(tag_row(4, Some("mislabeled"), Some(2), Some("looks like a 2")))
    );
    // A new change after undos is undone next, then the older history continues.
    ws.set_tag(0, Some("ood"), None).unwrap();
    assert_eq!(ws.undo_last_tag().unwrap(), Some(tag_row(0, None, None, None)));
    assert_eq!(ws.undo_last_tag().unwrap(), Some(tag_row(4, None, None, Some("looks like a 2"))));
    assert_eq!(ws.undo_last_tag().unwrap(), None);
    assert_eq!(ws.tags().unwrap(), vec![tag_row(4, None, None, Some("looks like a 2"))]);
    ws.set_note(4, None).unwrap();
    assert!(ws.tags().unwrap().is_empty());

    let err = ws.set_tag(10, Some("ood"), None).unwrap_err();
    assert!(err.to_string().contains("example 10 is out of range"), "{err}");
    let err = ws.set_tag(1, None, Some(3)).unwrap_err();
    assert!(err.to_string().contains("relabel 3 is out of range (the dataset has 3 classes)"));
    assert!(ws.set_tag(1, Some(" "), None).is_err());
    assert!(ws.set_note(10, Some("x")).is_err());
}
