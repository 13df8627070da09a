//! The README documents every key binding and a config file that parses.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use cscore::tui::{Config, Keymap};

fn explore_section() -> String {
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let start = readme.find("### `cscore explore`").expect("README has a cscore explore section");
    let rest = &readme[start + 5..];
    let end = rest.find("\n### ").map_or(rest.len(), |e| e);
    rest[..end].to_string()
}

#[test]
fn readme_lists_every_binding() {
    let section = explore_section();
    for e in Keymap::default().entries() {
        let keys: Vec<String> = e.keys.iter().map(|k| format!("`{k}`")).collect();
        let row = format!("| {} | `{}` | {} |", keys.join(", "), e.binding.name, e.binding.desc);
        assert!(section.contains(&row), "README is missing the row\n{row}");
    }
}

#[test]
fn readme_config_example_parses() {
    let section = explore_section();
    let start = section.find("```toml\n").unwrap() + 8;
    let end = start + section[start..].find("```").unwrap();
    let config = Config::parse(&section[start..end], "README").unwrap();
    assert_eq!(config.keymap.keys_for(cscore::tui::Command::TagOod), "X");
    assert_eq!(config.poll_ms, 500);
    // its [estimate] table is read by the training commands, which check it
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("config.toml"), &section[start..end]).unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_cscore"))
        .args(["estimate", "nowhere", "--device", "cpu"])
        .env("CSCORE_CONFIG", dir.path().join("config.toml"))
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("[estimate]: workers = 4, ensemble = 1") && err.contains("nowhere"), "{err}");
}
