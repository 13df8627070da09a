//! The other malformed inputs: imported score files, config, keymap and theme files, filter expressions and
//! workspace files.

use super::*;

/// 70 nested parentheses, above the parser's limit of 64.
const DEEP: &str = "((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((cscore < 1))))))))))))))))))))))))))))))))))))))))))))))))))))))))))))))))))))))";

pub(super) fn cases() -> Vec<Case> {
    vec![
        // ---------- imported score files ----------
        Case {
            name: "import: .npy of the wrong length",
            make: |r| {
                let v: Vec<u8> = (0..N - 1).flat_map(|i| (i as f64).to_le_bytes()).collect();
                std::fs::write(r.join("s.npy"), npy("<f8", &format!("({},)", N - 1), &v, false)).unwrap();
            },
            args: &["import-scores", "ws.cscore", "s.npy", "--name", "theirs"],
            env: &[],
            says: &["s.npy", "59", "60"],
        },
        Case {
            name: "import: CSV with a word for a score",
            make: |r| std::fs::write(r.join("s.csv"), "index,score\n0,0.5\n1,high\n").unwrap(),
            args: &["import-scores", "ws.cscore", "s.csv", "--name", "theirs"],
            env: &[],
            says: &["s.csv", "high"],
        },
        Case {
            name: "import: CSV with a duplicate index",
            make: |r| std::fs::write(r.join("s.csv"), "index,score\n0,0.5\n0,0.7\n").unwrap(),
            args: &["import-scores", "ws.cscore", "s.csv", "--name", "theirs"],
            env: &[],
            says: &["s.csv", "line 3", "index 0 appears twice"],
        },
        Case {
            name: "import: CSV index out of range",
            make: |r| std::fs::write(r.join("s.csv"), "index,score\n0,0.5\n60,0.7\n").unwrap(),
            args: &["import-scores", "ws.cscore", "s.csv", "--name", "theirs"],
            env: &[],
            says: &["s.csv", "60"],
        },
        Case {
            name: "import: .npz whose labels differ from the dataset's",
            make: |r| {
                let scores: Vec<u8> = (0..N).flat_map(|i| (i as f64 / 60.0).to_le_bytes()).collect();
                write_npz(
                    &r.join("s.npz"),
                    &[
                        ("scores.npy", npy("<f8", "(60,)", &scores, false)),
                        ("labels.npy", npy("<i8", "(60,)", &i64_bytes(&[2; N]), false)),
                    ],
                )
            },
            args: &["import-scores", "ws.cscore", "s.npz", "--name", "theirs"],
            env: &[],
            says: &["s.npz", "label"],
        },
        Case {
            name: "import: a bad score name",
            make: |r| std::fs::write(r.join("s.csv"), "index,score\n0,0.5\n").unwrap(),
            args: &["import-scores", "ws.cscore", "s.csv", "--name", "their scores!"],
            env: &[],
            says: &["their scores!"],
        },
        // ---------- config, keymap and theme files ----------
        Case {
            name: "config: $CSCORE_CONFIG names a missing file",
            make: |_| {},
            args: &["explore", "ws.cscore", "--no-train"],
            env: &[("CSCORE_CONFIG", "nowhere.toml")],
            says: &["nowhere.toml", "no such file"],
        },
        Case {
            name: "config: $CSCORE_CONFIG names a missing file (a training command)",
            make: |_| {},
            args: &["estimate", "d", "-w", "ws.cscore", "--runs", "5"],
            env: &[("CSCORE_CONFIG", "nowhere.toml")],
            says: &["nowhere.toml", "no such file (named by $CSCORE_CONFIG)"],
        },
        Case {
            name: "explorer: no terminal",
            make: |_| {},
            args: &["explore", "ws.cscore", "--no-train"],
            env: &[],
            says: &["needs an interactive terminal"],
        },
        Case {
            name: "config: TOML syntax error",
            make: |r| std::fs::write(r.join("config.toml"), "theme = \"dark\"\nproxy = \n").unwrap(),
            args: &["explore", "ws.cscore", "--no-train"],
            env: &[("CSCORE_CONFIG", "config.toml")],
            says: &["config.toml", "line 2"],
        },
        Case {
            name: "config: an unknown setting",
            make: |r| std::fs::write(r.join("config.toml"), "theme = \"dark\"\npol_ms = 100\n").unwrap(),
            args: &["explore", "ws.cscore", "--no-train"],
            env: &[("CSCORE_CONFIG", "config.toml")],
            says: &["config.toml", "pol_ms"],
        },
        Case {
            name: "config: a setting of the wrong type",
            make: |r| std::fs::write(r.join("config.toml"), "poll_ms = \"fast\"\n").unwrap(),
            args: &["explore", "ws.cscore", "--no-train"],
            env: &[("CSCORE_CONFIG", "config.toml")],
            says: &["config.toml", "poll_ms"],
        },
        Case {
            name: "keymap: an unknown command",
            make: |r| std::fs::write(r.join("config.toml"), "[keys]\ntag_mislabelled = \"M\"\n").unwrap(),
            args: &["explore", "ws.cscore", "--no-train"],
            env: &[("CSCORE_CONFIG", "config.toml")],
            says: &["config.toml", "tag_mislabelled"],
        },
        Case {
            name: "keymap: an unknown key name",
            make: |r| std::fs::write(r.join("config.toml"), "[keys]\nquit = \"ctrl-escape-q\"\n").unwrap(),
            args: &["explore", "ws.cscore", "--no-train"],
            env: &[("CSCORE_CONFIG", "config.toml")],
            says: &["config.toml", "ctrl-escape-q"],
        },
        Case {
            name: "theme: a bad colour",
            make: |r| {
                std::fs::write(r.join("t.toml"), "[styles]\nselected = { fg = \"ultraviolet\" }\n").unwrap()
            },
            args: &["explore", "ws.cscore", "--no-train", "--theme", "t.toml"],
            env: &[("CSCORE_CONFIG", "/dev/null")],
            says: &["t.toml"],
        },
        Case {
            name: "theme: no such theme",
            make: |_| {},
            args: &["explore", "ws.cscore", "--no-train", "--theme", "solarized-neon"],
            env: &[("CSCORE_CONFIG", "/dev/null")],
            says: &["solarized-neon"],
        },
        // ---------- filter expressions ----------
        Case {
            name: "filter: unbalanced parenthesis",
            make: |_| {},
            args: &["export", "ws.cscore", "--filter", "(cscore < 0.2 and label == 1", "-o", "out.csv"],
            env: &[],
            says: &["filter", "position"],
        },
        Case {
            name: "filter: an unknown column",
            make: |_| {},
            args: &["export", "ws.cscore", "--filter", "cscroe < 0.2", "-o", "out.csv"],
            env: &[],
            says: &["cscroe"],
        },
        Case {
            name: "filter: an unterminated string",
            make: |_| {},
            args: &["export", "ws.cscore", "--filter", "tag == \"mislab", "-o", "out.csv"],
            env: &[],
            says: &["filter", "string"],
        },
        Case {
            name: "filter: nested deeper than the limit",
            make: |_| {},
            args: &["export", "ws.cscore", "--filter", DEEP, "-o", "out.csv"],
            env: &[],
            says: &["filter", "deep"],
        },
        Case {
            name: "filter: a dangling operator",
            make: |_| {},
            args: &["export", "ws.cscore", "--filter", "cscore < 0.2 and", "-o", "out.csv"],
            env: &[],
            says: &["filter", "position"],
        },
        // ---------- workspace files ----------
        Case {
            name: "workspace: a file that is not SQLite",
            make: |r| std::fs::write(r.join("junk.cscore"), vec![0x42; 4096]).unwrap(),
            args: &["export", "junk.cscore", "-o", "out.csv"],
            env: &[],
            says: &["junk.cscore", "not a cscore workspace"],
        },
        Case {
            name: "workspace: an SQLite database of another program",
            make: |r| {
                let c = rusqlite::Connection::open(r.join("other.cscore")).unwrap();
                c.execute_batch("CREATE TABLE t (x); INSERT INTO t VALUES (1);").unwrap();
            },
            args: &["show", "other.cscore", "0"],
            env: &[],
            says: &["other.cscore", "another program"],
        },
        Case {
            name: "workspace: written by a newer cscore",
            make: |r| {
                std::fs::copy(r.join("ws.cscore"), r.join("new.cscore")).unwrap();
                let c = rusqlite::Connection::open(r.join("new.cscore")).unwrap();
                c.pragma_update(None, "user_version", 99).unwrap();
            },
            args: &["export", "new.cscore", "-o", "out.csv"],
            env: &[],
            says: &["new.cscore", "version 99", "newer", "upgrade cscore"],
        },
        // ---------- outputs in a folder that is not there ----------
        Case {
            name: "output: a new workspace in a missing folder",
            make: |_| {},
            args: &["estimate", "d", "-w", "nope/ws.cscore"],
            env: &[],
            says: &["nope/ws.cscore: the folder nope does not exist"],
        },
        Case {
            name: "output: an export to a missing folder",
            make: |_| {},
            args: &["export", "ws.cscore", "-o", "nope/deeper/out.csv"],
            env: &[],
            says: &["nope/deeper/out.csv: the folder nope/deeper does not exist"],
        },
    ]
}
