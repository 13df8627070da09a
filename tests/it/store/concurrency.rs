//! Several connections and processes on one workspace: nothing lost, nobody refused.

use super::*;

#[test]
fn two_connections_writing_at_once_lose_nothing() {
    let (_dir, path) = temp();
    let n = 400;
    drop(new_ws(&path, n, 10));
    let barrier = Arc::new(Barrier::new(2));
    let writers: Vec<_> = (0..2usize)
        .map(|t| {
            let path = path.clone();
            let barrier = Arc::clone(&barrier);
            std::thread::spawn(move || -> Result<usize, StoreError> {
                let ws = Workspace::open(&path)?;
                barrier.wait();
                let mut inserted = 0;
                for i in 0..200 {
                    ws.set_tag(t * 200 + i, Some("mislabeled"), Some((i % 10) as u32))?;
                    if i % 10 == 0 {
                        ws.set_note(t * 200 + i, Some("checked"))?;
                        // Both threads race for the same keys: each must be stored exactly once.
                        let rec = run(key(false, (i / 10) as u32, 0), n, 10, t as u32, 1);
                        inserted += usize::from(ws.insert_run(&rec)?);
                        let own = run(key(true, t as u32, i as u32), n, 10, 0, 0);
                        inserted += usize::from(ws.insert_run(&own)?);
                    }
                }
                Ok(inserted)
            })
        })
        .collect();
    let inserted: usize = writers.into_iter().map(|w| w.join().unwrap().unwrap()).sum();

    let ws = Workspace::open(&path).unwrap();
    let tags = ws.tags().unwrap();
    assert_eq!(tags.len(), 400);
    assert!(tags.iter().all(|t| t.tag.as_deref() == Some("mislabeled")));
    assert_eq!(tags.iter().filter(|t| t.note.is_some()).count(), 40);
    assert_eq!(inserted, 20 + 40);
    assert_eq!(ws.run_counts().unwrap(), RunCounts { done: 60, failed: 0 });
    assert_eq!(ws.tracked_runs().unwrap().len(), 20);
}

#[test]
fn data_version_changes_when_another_connection_writes() {
    let (_dir, path) = temp();
    let follower = new_ws(&path, 6, 2);
    let writer = Workspace::open(&path).unwrap();
    let before = follower.data_version().unwrap();
    assert_eq!(follower.data_version().unwrap(), before);
    writer.set_tag(1, Some("ood"), None).unwrap();
    let after = follower.data_version().unwrap();
    assert_ne!(after, before);
    writer.insert_run(&run(key(false, 0, 0), 6, 2, 0, 0)).unwrap();
    assert_ne!(follower.data_version().unwrap(), after);
    assert_eq!(follower.runs_after(0, false).unwrap().len(), 1);
}

#[test]
fn racing_open_or_create_calls_all_get_the_same_workspace() {
    let (_dir, path) = temp();
    let barrier = Arc::new(Barrier::new(6));
    let openers: Vec<_> = (0..6)
        .map(|i| {
            let path = path.clone();
            let barrier = Arc::clone(&barrier);
            std::thread::spawn(move || -> Result<(), StoreError> {
                barrier.wait();
                let ws = Workspace::open_or_create(&path, &info(12, 3, HASH))?;
                ws.set_tag(i, Some("seen"), None)
            })
        })
        .collect();
    for opener in openers {
        opener.join().unwrap().unwrap();
    }
    assert_eq!(Workspace::open(&path).unwrap().tags().unwrap().len(), 6);
}

#[test]
fn opening_and_writing_wait_for_a_slow_writer() {
    let (_dir, path) = temp();
    drop(new_ws(&path, 6, 2));
    let slow = rusqlite::Connection::open(&path).unwrap();
    slow.execute_batch("BEGIN IMMEDIATE; INSERT INTO config VALUES ('slow', '1');").unwrap();
    let waiter = {
        let path = path.clone();
        std::thread::spawn(move || -> Result<Option<String>, StoreError> {
            let ws = Workspace::open(&path)?;
            ws.set_config("fast", "2")?;
            ws.config("slow")
        })
    };
    std::thread::sleep(std::time::Duration::from_millis(300));
    slow.execute_batch("COMMIT").unwrap();
    assert_eq!(waiter.join().unwrap().unwrap().as_deref(), Some("1"));
}

/// Processes that open a workspace while another creates it (a follower polling for a new estimate's
/// file) see it missing, empty or whole, and never a lock error: switching the new file to WAL is
/// where two connections can deadlock, which SQLite answers with "busy" at once, without waiting.
#[test]
fn opening_a_workspace_while_it_is_created_never_fails_busy() {
    for _ in 0..60 {
        let (_dir, path) = temp();
        let done = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let pollers: Vec<_> = (0..2)
            .map(|_| {
                let (path, done) = (path.clone(), Arc::clone(&done));
                std::thread::spawn(move || -> Result<(), StoreError> {
                    while !done.load(std::sync::atomic::Ordering::SeqCst) {
                        match Workspace::open(&path) {
                            Ok(ws) => drop(ws.run_counts()?),
                            Err(StoreError::Missing { .. } | StoreError::NotAWorkspace { .. }) => {}
                            Err(e) => return Err(e),
                        }
                    }
                    Ok(())
                })
            })
            .collect();
        std::thread::sleep(std::time::Duration::from_millis(2));
        let made = Workspace::create(&path, &info(12, 3, HASH)).and_then(|ws| {
            ws.set_tag(0, Some("seen"), None)?;
            Workspace::open(&path)?.set_tag(1, Some("seen"), None)
        });
        std::thread::sleep(std::time::Duration::from_millis(5));
        done.store(true, std::sync::atomic::Ordering::SeqCst);
        made.unwrap();
        for poller in pollers {
            poller.join().unwrap().unwrap();
        }
    }
}
