//! How long loading a dataset takes: its labels alone (where the format keeps them apart), then reading
//! (and decompressing) it whole and hashing it; with a workspace, the explorer's other steps.
//! `cargo run --release --example load_time -- DATA [WS]`
fn main() -> anyhow::Result<()> {
    let path = std::env::args().nth(1).ok_or_else(|| anyhow::anyhow!("usage: load_time DATA [WS]"))?;
    let t = std::time::Instant::now();
    let labels = cscore::data::load_labels(std::path::Path::new(&path), &Default::default())?;
    match labels {
        Some(l) => {
            println!("{} labels (what the explorer shows first) read in {:.2?}", l.labels.len(), t.elapsed())
        }
        None => println!("this format keeps its labels among the pixels: no labels-first reading"),
    }
    let t = std::time::Instant::now();
    let ds = cscore::data::load(std::path::Path::new(&path), &cscore::data::LoadOptions::default())?;
    println!(
        "{} examples loaded and hashed in {:.2?} (hash {})",
        ds.len(),
        t.elapsed(),
        &ds.content_hash[..12]
    );
    if let Some(ws) = std::env::args().nth(2) {
        let t = std::time::Instant::now();
        let w = cscore::store::Workspace::open(std::path::Path::new(&ws))?;
        println!("workspace opened in {:.2?}", t.elapsed());
        let t = std::time::Instant::now();
        let p = cscore::project::Project::open(
            std::path::Path::new(&path),
            &Default::default(),
            Some(std::path::Path::new(&ws)),
            None,
        )?;
        println!("project (dataset + workspace) opened in {:.2?}", t.elapsed());
        let t = std::time::Instant::now();
        let plan = cscore::estimate::stored_plan(&w)?;
        let r = cscore::tui::WorkspaceReading::read(&w, plan.clone(), &cscore::tui::Progress::none())?;
        println!("workspace side read (runs, tags, ranked proxies) in {:.2?}", t.elapsed());
        let t = std::time::Instant::now();
        let s = cscore::tui::ExploreSession::open_read(
            p,
            r,
            &Default::default(),
            Some("dark"),
            None,
            &cscore::tui::Progress::none(),
        )?;
        println!("session assembled (scores, order) in {:.2?}", t.elapsed());
        drop((w, s));
    }
    Ok(())
}
