//! `cscore show`: one example's label, C-score, profile, proxies, tags, and its image.

use super::outdated::warn_outdated;
use super::stderr::errln;
use super::stdout::out;
use clap::Args;
use cscore::data::{open_image, pixel_hash, read_example};
use cscore::export::{describe_example, example_image, open_project_or_record};
use cscore::store::Workspace;
use image::DynamicImage;
use std::io::IsTerminal;
use std::path::PathBuf;

/// `cscore show` flags.
#[derive(Debug, Clone, Args)]
pub struct ShowArgs {
    /// The workspace file.
    pub workspace: PathBuf,
    /// The example's index (0-based, dataset order).
    pub index: usize,
    /// Do not draw the image.
    #[arg(long)]
    pub no_image: bool,
    /// Draw the image as ASCII art (the default on a terminal is a real image via viuer).
    #[arg(long, conflicts_with = "no_image")]
    pub ascii: bool,
    /// Load the dataset from here instead of the path the workspace records.
    #[arg(long, value_name = "PATH")]
    pub data: Option<PathBuf>,
}

/// Runs the command.
pub fn run(args: &ShowArgs) -> anyhow::Result<()> {
    let ws = Workspace::open(&args.workspace)?;
    if args.index >= ws.num_examples() {
        anyhow::bail!(
            "example {} is out of range (the dataset has {} examples)",
            args.index,
            ws.num_examples()
        );
    }
    warn_outdated(&ws)?;
    // The dataset gives the label and the image; without it the scores still show.
    let mut from_record = false;
    let project = match open_project_or_record(&args.workspace, args.data.as_deref()) {
        Ok((p, None)) => {
            super::stderr::say_project_notes(&p);
            Some(p)
        }
        Ok((p, Some(why))) => {
            let image = match p.dataset.paths {
                Some(_) => "the image is read from that file where it is still there",
                None => "no image shows",
            };
            errln!("warning: {why}; the label and file are those the workspace recorded, and {image}");
            from_record = true;
            Some(p)
        }
        Err(e) => {
            errln!("warning: {e}");
            None
        }
    };
    let ds = project.as_ref().map(|p| &p.dataset);
    let label = ds.and_then(|d| d.labels.get(args.index).copied());
    let file = ds.and_then(|d| d.paths.as_ref()).and_then(|p| p.get(args.index));
    let gone = from_record && file.is_some_and(|f| !f.is_file());
    let repainted = from_record && !gone && file.is_some_and(|f| other_pixels(&ws, args.index, f));
    let state = match (gone, repainted) {
        (true, _) => " (no longer there)",
        (false, true) => " (its pixels changed since the workspace recorded it)",
        _ => "",
    };
    let path = file.map(|p| format!("{}{state}", p.display()));
    let details = describe_example(&ws, args.index, label, path)?;
    out!("{details}");
    // With the dataset changed, a folder's image is its recorded file as it is now.
    let recorded_file = || file.filter(|_| from_record && !gone).and_then(|f| open_image(f).ok());
    let Some(img) = ds.and_then(|d| example_image(d, args.index)).or_else(recorded_file) else {
        return Ok(());
    };
    if args.ascii {
        out!("{}", ascii(&img, 28));
    } else if !args.no_image && std::io::stdout().is_terminal() {
        let width = img.width().clamp(8, 32);
        let config = viuer::Config {
            absolute_offset: false,
            width: Some(width),
            use_kitty: kitty_terminal(),
            ..Default::default()
        };
        if let Err(e) = viuer::print(&img, &config) {
            errln!("warning: cannot draw the image: {e}");
        }
    }
    Ok(())
}

/// Whether `file`, read as the workspace read its dataset, no longer has the pixels it recorded for
/// example `index` (false where it recorded none, or the file cannot be read).
fn other_pixels(ws: &Workspace, index: usize, file: &std::path::Path) -> bool {
    let (Ok(Some(hashes)), Ok(info)) = (ws.example_hashes(), ws.dataset_info()) else { return false };
    read_example(file, info.channels, info.height, info.width)
        .is_ok_and(|pixels| hashes.get(index).is_some_and(|&h| h != pixel_hash(&pixels)))
}

/// True in terminals known to speak the kitty graphics protocol. viuer would otherwise probe the terminal
/// and wait for an answer, which never comes from a pseudo-terminal that nobody reads (`script`, some CI).
fn kitty_terminal() -> bool {
    let var = |k: &str| std::env::var(k).unwrap_or_default().to_ascii_lowercase();
    std::env::var_os("KITTY_WINDOW_ID").is_some()
        || ["kitty", "ghostty"].iter().any(|t| var("TERM").contains(t))
        || ["wezterm", "ghostty"].contains(&var("TERM_PROGRAM").as_str())
}

/// The image in grey-level characters, at most `cols` wide (two pixels rows per text row).
fn ascii(img: &DynamicImage, cols: u32) -> String {
    const RAMP: &[u8] = b" .:-=+*#%@";
    let grey = img.to_luma8();
    let cols = cols.min(grey.width()).max(1);
    let rows = (grey.height() * cols / grey.width().max(1) / 2).max(1);
    let small = image::imageops::resize(&grey, cols, rows, image::imageops::FilterType::Triangle);
    let mut out = String::new();
    for y in 0..rows {
        for x in 0..cols {
            let v = usize::from(small.get_pixel(x, y).0[0]);
            out.push(char::from(RAMP[v * (RAMP.len() - 1) / 255]));
        }
        out.push('\n');
    }
    out
}
