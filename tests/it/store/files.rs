//! Creating, opening and refusing workspace files; the dataset description and config.

use super::*;

#[test]
fn dataset_info_round_trips_through_a_reopen() {
    let (_dir, path) = temp();
    let want = info(1234, 10, HASH);
    let ws = Workspace::create(&path, &want).unwrap();
    assert_eq!(ws.path(), path.as_path());
    assert_eq!(ws.dataset_info().unwrap(), want);
    drop(ws);
    let ws = Workspace::open(&path).unwrap();
    assert_eq!(ws.dataset_info().unwrap(), want);
    assert_eq!((ws.num_examples(), ws.num_classes()), (1234, 10));
}

#[test]
fn create_refuses_an_existing_file() {
    let (_dir, path) = temp();
    new_ws(&path, 10, 2);
    let err = Workspace::create(&path, &info(10, 2, HASH)).unwrap_err();
    assert!(matches!(err, StoreError::Exists { .. }), "{err}");
    let msg = err.to_string();
    assert!(msg.starts_with(&path.display().to_string()), "{msg}");
    assert!(msg.contains("already exists"), "{msg}");
    // The refused create left the first workspace intact.
    assert_eq!(Workspace::open(&path).unwrap().num_examples(), 10);
}

#[test]
fn create_rejects_inconsistent_dataset_info_without_leaving_a_file() {
    let (_dir, path) = temp();
    let mut bad = info(10, 3, HASH);
    bad.class_names.pop();
    let err = Workspace::create(&path, &bad).unwrap_err();
    assert!(err.to_string().contains("3 classes but 2 class names"), "{err}");
    assert!(!path.exists());
}

#[test]
fn open_of_a_missing_file_says_so() {
    let (_dir, path) = temp();
    let err = Workspace::open(&path).unwrap_err();
    assert_eq!(err.to_string(), format!("{}: no such workspace", path.display()));
    assert!(!path.exists(), "open must not create a file");
}

#[test]
fn open_or_create_reuses_the_same_dataset_and_refuses_another() {
    let (_dir, path) = temp();
    let ws = Workspace::open_or_create(&path, &info(10, 2, HASH)).unwrap();
    ws.set_config("plan", r#"{"runs":3}"#).unwrap();
    drop(ws);
    let ws = Workspace::open_or_create(&path, &info(10, 2, HASH)).unwrap();
    assert_eq!(ws.config("plan").unwrap().as_deref(), Some(r#"{"runs":3}"#));
    drop(ws);

    let mut other = info(10, 2, "0123456789abcdef0123");
    other.source = "/data/other".into();
    let err = Workspace::open_or_create(&path, &other).unwrap_err();
    assert!(matches!(err, StoreError::DatasetMismatch { .. }));
    assert_eq!(
        err.to_string(),
        format!(
            "{0}: this workspace belongs to dataset /data/toy (hash abcdef012345…), \
             not to /data/other (hash 0123456789ab…): the images or labels differ; give the dataset it was \
             made from, or use another workspace (its tags and scores still export: cscore export {0} -o \
             scores.csv; and cscore import-tags NEW.cscore {0} carries its tags into a new workspace of this \
             dataset, each found by its pixels)",
            path.display()
        )
    );
    // Said more precisely where the description shows what differs.
    let mut resized = info(10, 2, "0123456789abcdef0123");
    (resized.format, resized.height, resized.width) = ("folder".into(), 16, 16);
    let err = Workspace::open_or_create(&path, &resized).unwrap_err().to_string();
    assert!(err.contains("its images are 1×28×28, these 1×16×16"), "{err}");
    let fewer = info(9, 2, "0123456789abcdef0123");
    let err = Workspace::open_or_create(&path, &fewer).unwrap_err().to_string();
    assert!(
        err.contains(
            "the dataset at that path has changed since the workspace was made: 10 examples then, 9 now"
        ),
        "{err}"
    );
    let mut elsewhere = info(9, 2, "0123456789abcdef0123");
    elsewhere.source = "/data/other".into();
    let err = Workspace::open_or_create(&path, &elsewhere).unwrap_err().to_string();
    assert!(err.contains("it has 10 examples, this dataset 9"), "{err}");
    let changed = info(10, 2, "0123456789abcdef0123");
    let err = Workspace::open_or_create(&path, &changed).unwrap_err().to_string();
    assert!(err.contains("its images or labels have changed since the workspace was made"), "{err}");
}

#[test]
fn config_round_trips_and_rejects_invalid_json() {
    let (_dir, path) = temp();
    let ws = new_ws(&path, 4, 2);
    assert_eq!(ws.config("plan").unwrap(), None);
    ws.set_config("plan", "[1,2]").unwrap();
    ws.set_config("plan", r#"{"ratios":[0.1,0.5]}"#).unwrap();
    assert_eq!(ws.config("plan").unwrap().as_deref(), Some(r#"{"ratios":[0.1,0.5]}"#));
    let err = ws.set_config("plan", "{oops").unwrap_err();
    assert!(err.to_string().contains("config plan: not valid JSON"), "{err}");
}

#[test]
fn a_newer_schema_version_is_refused() {
    let (_dir, path) = temp();
    drop(new_ws(&path, 3, 2));
    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.pragma_update(None, "user_version", 99).unwrap();
    drop(conn);
    let err = Workspace::open(&path).unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "{}: workspace schema version 99 (written by cscore {}) is newer than this cscore {} supports \
             (version {}); upgrade cscore to open it",
            path.display(),
            env!("CARGO_PKG_VERSION"),
            env!("CARGO_PKG_VERSION"),
            cscore::store::SCHEMA_VERSION
        )
    );
    let err = Workspace::open_or_create(&path, &info(3, 2, HASH)).unwrap_err();
    assert!(matches!(err, StoreError::TooNew { found: 99, .. }), "{err}");
}

#[test]
fn files_that_are_not_workspaces_are_named_and_left_alone() {
    let dir = tempfile::tempdir().unwrap();
    let text = dir.path().join("notes.txt");
    let garbage = b"this is certainly not an SQLite database, just some text. ".repeat(40);
    std::fs::write(&text, &garbage).unwrap();
    let err = Workspace::open(&text).unwrap_err();
    assert_eq!(
        err.to_string(),
        format!("{}: not a cscore workspace (not an SQLite database)", text.display())
    );
    assert_eq!(std::fs::read(&text).unwrap(), garbage);
    assert!(Workspace::open_or_create(&text, &info(3, 2, HASH)).is_err());

    let empty = dir.path().join("empty.cscore");
    std::fs::write(&empty, b"").unwrap();
    let err = Workspace::open(&empty).unwrap_err();
    assert!(err.to_string().ends_with("not a cscore workspace (an empty file)"), "{err}");

    let foreign = dir.path().join("other.db");
    let conn = rusqlite::Connection::open(&foreign).unwrap();
    conn.execute_batch("CREATE TABLE t (x INTEGER)").unwrap();
    drop(conn);
    let err = Workspace::open(&foreign).unwrap_err();
    assert!(err.to_string().contains("an SQLite database of another program"), "{err}");

    let err = Workspace::open(dir.path()).unwrap_err();
    assert!(err.to_string().contains("not a cscore workspace (a directory)"), "{err}");
}
