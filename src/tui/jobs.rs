//! Background jobs the app asks for: loading learning dynamics, recomputing the figures that depend on
//! the estimate, comparing proxies, exporting. Each runs on its own thread (with its own workspace
//! connection where it needs one) and reports into the inbox. Label writes go to the workspace thread.

use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use tokio::sync::mpsc::UnboundedSender;

use super::app::Request;
use super::data::ExplorerData;
use super::dynamics::Dynamics;
use super::event::Event;
use super::labels::Saved;
use crate::data::Dataset;
use crate::export::{build_table, write_atomic, write_csv, write_jsonl};
use crate::store::Workspace;

/// Rows of each disagreement ranking.
const DISAGREEMENT_TOP: usize = 50;

/// Starts the job for `request`.
pub fn start(request: Request, ws_path: &Path, data: &ExplorerData, tx: &UnboundedSender<Event>) {
    let tx = tx.clone();
    let ws_path = ws_path.to_path_buf();
    match request {
        Request::Save(write) => {
            // Only the workspace thread writes labels (see `Background`); never silently dropped.
            let saved = Saved {
                id: write.id,
                kind: write.kind,
                done: write.done,
                applied: Vec::new(),
                skipped: 0,
                error: Some("the workspace thread is not running".into()),
            };
            let _ = tx.send(Event::Saved(Box::new(saved)));
        }
        Request::Recompute(input) => {
            std::thread::spawn(move || {
                let _ = tx.send(Event::Recomputed(Box::new(input.run())));
            });
        }
        Request::LoadDynamics => {
            std::thread::spawn(move || {
                let event = match Workspace::open(&ws_path).and_then(|ws| Dynamics::load(&ws)) {
                    Ok(d) => Event::Dynamics(Box::new(d)),
                    Err(e) => Event::Notice(Err(format!("loading learning dynamics: {e}"))),
                };
                let _ = tx.send(event);
            });
        }
        Request::Compare { cscore } => {
            let input = data.comparison_input(cscore);
            std::thread::spawn(move || {
                let _ = tx.send(Event::Comparison(Box::new(Some(input.compare(DISAGREEMENT_TOP)))));
            });
        }
        Request::Export { path, rows } => {
            let dataset = Arc::clone(&data.dataset);
            std::thread::spawn(move || {
                let out = PathBuf::from(&path);
                let shown = std::path::absolute(&out).unwrap_or_else(|_| out.clone());
                let result = export(&ws_path, &dataset, &out, &rows)
                    .map(|()| format!("wrote {} to {}", row_count(rows.len()), shown.display()))
                    .map_err(|e| format!("export failed: {e}"));
                let _ = tx.send(Event::Notice(result));
            });
        }
    }
}

/// Writes `rows` of the workspace's export table to `out` (JSON lines for `.jsonl`, else CSV).
fn export(ws_path: &Path, dataset: &Dataset, out: &Path, rows: &[usize]) -> Result<(), String> {
    let ws = Workspace::open(ws_path).map_err(|e| e.to_string())?;
    let table = build_table(&ws, &dataset.labels, dataset.paths.as_deref()).map_err(|e| e.to_string())?;
    let jsonl = out.extension().is_some_and(|e| e.eq_ignore_ascii_case("jsonl"));
    write_atomic(out, |file| {
        let mut w = BufWriter::new(file);
        if jsonl {
            write_jsonl(&table, rows, &mut w)?;
        } else {
            write_csv(&table, rows, &mut w)?;
        }
        w.flush()
    })
    .map_err(|e| e.to_string())
}

/// "1 row", "2 rows".
pub(super) fn row_count(n: usize) -> String {
    if n == 1 {
        "1 row".into()
    } else {
        format!("{n} rows")
    }
}
