//! Picks the fuzz inputs worth keeping as regression tests: of a cargo-fuzz corpus, the smallest input for
//! each distinct outcome of the harness (a load, or each kind of rejection message, numbers and paths
//! blanked), copied to `tests/fuzz_corpus/<target>/`.
//!
//! cargo run --release --example fuzz_corpus_pick -- <idx|cifar|npz|filter> fuzz/corpus/<target> tests/fuzz_corpus/<target>
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "../fuzz/harness.rs"]
mod harness;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The outcome with what varies from input to input blanked: the scratch path before ": ", the entries an
/// archive holds, quoted text, hexadecimal and decimal numbers.
fn kind(out: &Result<usize, String>) -> String {
    match out {
        Ok(_) => "loads".into(),
        Err(e) => {
            let e = match e.find("cscore-fuzz-") {
                Some(_) => e.split_once(": ").map_or(e.as_str(), |(_, rest)| rest).to_string(),
                None => e.clone(),
            };
            // The entries an archive is listed with vary from input to input.
            let e = match e.find("(the archive holds") {
                Some(at) => format!("{}(the archive holds …", &e[..at]),
                None => e,
            };
            // Quoted text ('…') and hexadecimal numbers (0x…) vary too.
            let mut unquoted = String::new();
            let mut quoted = false;
            for c in e.chars() {
                if c == '\'' {
                    quoted = !quoted;
                    unquoted.push_str(if quoted { "'…" } else { "'" });
                } else if !quoted {
                    unquoted.push(c);
                }
            }
            let words: Vec<String> = unquoted
                .split(' ')
                .map(|w| match w.strip_prefix("0x") {
                    Some(rest) => format!("0x#{}", rest.trim_start_matches(|c: char| c.is_ascii_hexdigit())),
                    None => w.to_string(),
                })
                .collect();
            let blank: String =
                words.join(" ").chars().map(|c| if c.is_ascii_digit() { '#' } else { c }).collect();
            let mut squeezed = String::new();
            for c in blank.chars() {
                if !(c == '#' && squeezed.ends_with('#')) {
                    squeezed.push(c);
                }
            }
            squeezed.chars().take(80).collect()
        }
    }
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [target, from, to] = args.as_slice() else {
        eprintln!("usage: fuzz_corpus_pick <idx|cifar|npz|filter> FROM_DIR TO_DIR");
        std::process::exit(2);
    };
    let run: fn(&[u8]) -> Result<usize, String> = match target.as_str() {
        "idx" => harness::idx,
        "cifar" => harness::cifar,
        "npz" => harness::npz,
        "filter" => harness::filter,
        t => panic!("unknown target {t}"),
    };
    let mut files: Vec<(u64, PathBuf)> = std::fs::read_dir(from)
        .unwrap()
        .map(|e| e.unwrap().path())
        .map(|p| (std::fs::metadata(&p).unwrap().len(), p))
        .collect();
    files.sort();
    let mut kept: BTreeMap<String, PathBuf> = BTreeMap::new();
    for (_, f) in files {
        let input = std::fs::read(&f).unwrap();
        kept.entry(kind(&run(&input))).or_insert(f);
    }
    std::fs::create_dir_all(to).unwrap();
    for (k, f) in &kept {
        let name = format!(
            "found-{}",
            f.file_name().unwrap().to_string_lossy().chars().take(16).collect::<String>()
        );
        std::fs::copy(f, Path::new(to).join(&name)).unwrap();
        println!("{name}  {k}");
    }
    eprintln!("{} distinct outcomes kept", kept.len());
}
