//! Injected corruption (label flips and out-of-distribution images): deterministic, exact, disjoint.

use super::*;

fn synthetic(n: usize, classes: usize) -> Dataset {
    let (c, h, w) = (1, 4, 4);
    let pixels: Vec<u8> = (0..n * 16).map(|i| ((i / 16) * 7 + (i % 16) * 13) as u8).collect();
    let labels: Vec<u32> = (0..n).map(|i| (i % classes) as u32).collect();
    let content_hash = Dataset::compute_hash(c, h, w, &pixels, &labels, classes);
    Dataset {
        name: "synthetic".into(),
        source: PathBuf::from("synthetic.npz"),
        format: Format::Npz,
        channels: c,
        height: h,
        width: w,
        pixels,
        labels,
        class_names: (0..classes).map(|k| k.to_string()).collect(),
        paths: None,
        content_hash,
        notes: Vec::new(),
        unreadable: Vec::new(),
    }
}

#[test]
fn injection_is_deterministic_exact_and_disjoint() {
    let clean = synthetic(200, 5);
    let c = Corruption { label_noise: 0.1, ood: 0.05, seed: 7 };
    let mut a = clean.clone();
    let ia = inject(&mut a, &c).unwrap();
    let mut b = clean.clone();
    let ib = inject(&mut b, &c).unwrap();
    assert_eq!(ia, ib);
    assert_eq!((a.pixels == b.pixels, a.labels == b.labels), (true, true));
    let mut other = clean.clone();
    assert_ne!(inject(&mut other, &Corruption { seed: 8, ..c }).unwrap(), ia);

    assert_eq!(a.content_hash, clean.content_hash);
    assert!(ia.windows(2).all(|w| w[0].index < w[1].index), "sorted and distinct");
    let flips: Vec<_> = ia.iter().filter(|i| i.kind == InjectedKind::LabelFlip).collect();
    let oods: Vec<_> = ia.iter().filter(|i| i.kind.is_ood()).collect();
    assert_eq!((flips.len(), oods.len()), (20, 10));
    for i in &flips {
        assert_eq!(i.original_label, clean.labels[i.index]);
        assert_ne!(a.labels[i.index], i.original_label);
        assert!((a.labels[i.index] as usize) < a.num_classes());
        assert_eq!(a.image(i.index), clean.image(i.index));
    }
    for i in &oods {
        assert_eq!(a.labels[i.index], clean.labels[i.index]);
        assert_eq!(i.original_label, clean.labels[i.index]);
        assert_ne!(a.image(i.index), clean.image(i.index), "{:?}", i.kind);
    }
    for kind in [
        InjectedKind::OodNoise,
        InjectedKind::OodInverted,
        InjectedKind::OodRotated,
        InjectedKind::OodShuffled,
    ] {
        assert!(oods.iter().any(|i| i.kind == kind), "{kind:?} applied");
    }
    let inverted = oods.iter().find(|i| i.kind == InjectedKind::OodInverted).unwrap();
    let expect: Vec<u8> = clean.image(inverted.index).iter().map(|p| 255 - p).collect();
    assert_eq!(a.image(inverted.index), expect.as_slice());
    let touched: Vec<usize> = ia.iter().map(|i| i.index).collect();
    for k in (0..clean.len()).filter(|k| !touched.contains(k)) {
        assert_eq!((a.labels[k], a.image(k)), (clean.labels[k], clean.image(k)));
    }
}

#[test]
fn injection_rejects_bad_fractions() {
    let ds = synthetic(10, 3);
    for (l, o, phrase) in [
        (1.0, 0.0, "outside [0, 1)"),
        (-0.1, 0.0, "outside [0, 1)"),
        (0.0, f64::NAN, "outside [0, 1)"),
        (0.6, 0.5, "holds only 10"),
    ] {
        let err =
            inject(&mut ds.clone(), &Corruption { label_noise: l, ood: o, seed: 0 }).unwrap_err().to_string();
        assert!(err.contains("synthetic.npz") && err.contains(phrase), "{err}");
    }
    let none = inject(&mut ds.clone(), &Corruption { label_noise: 0.0, ood: 0.0, seed: 0 }).unwrap();
    assert!(none.is_empty());
}

#[test]
fn injected_kind_names_round_trip() {
    for k in InjectedKind::ALL {
        assert_eq!(InjectedKind::from_name(k.name()), Some(k));
    }
    assert_eq!(InjectedKind::LabelFlip.name(), "label_flip");
    assert_eq!(InjectedKind::from_name("nonsense"), None);
}
