//! Which files are shard workspaces: the list a user's glob (`WS.shard-*`) expands to, with the
//! companions it also matches set aside (finished markers, SQLite's side files), or, given no list, the
//! complete set `WS.shard-I-of-N` found beside the target.

use super::shard::Shard;
use crate::{Error, Result};
use std::path::{Path, PathBuf};

/// Suffixes of files that live beside a shard workspace without being one: the finished marker and
/// SQLite's write-ahead log, shared-memory index and rollback journal.
const COMPANIONS: [&str; 4] = [".done", "-wal", "-shm", "-journal"];

/// The shard workspaces of one merge.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShardFiles {
    /// Shard workspaces to merge, in the order given (found ones by index).
    pub shards: Vec<PathBuf>,
    /// Files of the given list recognised as companions of a shard, or the target and its side files, and
    /// not opened.
    pub skipped: Vec<PathBuf>,
    /// Whether the shards were found beside the target rather than given.
    pub found: bool,
}

/// `(I, N)` when `name` is `<stem>.shard-I-of-N` with 0 ≤ I < N; any stem when `stem` is `None`.
fn shard_name(name: &str, stem: Option<&str>) -> Option<(usize, usize)> {
    let (head, tail) = name.rsplit_once(".shard-")?;
    if stem.is_some_and(|s| s != head) || head.is_empty() {
        return None;
    }
    let (i, n) = tail.split_once("-of-")?;
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if !digits(i) || !digits(n) {
        return None;
    }
    let (i, n) = (i.parse().ok()?, n.parse().ok()?);
    (i < n).then_some((i, n))
}

/// The shard whose workspace `path` is (`WS.shard-I-of-N`), with the workspace `WS` it is a shard of.
pub fn shard_of_path(path: &Path) -> Option<(Shard, PathBuf)> {
    let name = path.file_name()?.to_str()?;
    let (i, n) = shard_name(name, None)?;
    let base = name.rsplit_once(".shard-")?.0;
    Some((Shard { index: i, count: n }, path.with_file_name(base)))
}

/// Whether `path` is a companion of a shard workspace (`….shard-I-of-N.done`, `-wal`, `-shm`, `-journal`).
fn is_companion(path: &Path) -> bool {
    let Some(name) = path.file_name().and_then(|n| n.to_str()) else { return false };
    COMPANIONS
        .iter()
        .any(|suffix| name.strip_suffix(suffix).is_some_and(|base| shard_name(base, None).is_some()))
}

/// The shards to merge into `target`: `given` without its shard companions, or, when `given` is empty,
/// every `TARGET.shard-I-of-N` in the target's folder, which must be all of `0..N` for one N.
pub fn shard_files(target: &Path, given: &[PathBuf]) -> Result<ShardFiles> {
    if given.is_empty() {
        return find_shards(target);
    }
    // A glob like `WS*` also names the target (once it exists) and its SQLite side files.
    let is_target = |p: &Path| {
        let side = |suffix: &str| {
            let mut name = target.as_os_str().to_owned();
            name.push(suffix);
            same_file(p, Path::new(&name))
        };
        ["", "-wal", "-shm", "-journal"].iter().any(|s| side(s))
    };
    let (skipped, shards): (Vec<PathBuf>, Vec<PathBuf>) =
        given.iter().cloned().partition(|p| is_companion(p) || is_target(p));
    if shards.is_empty() {
        let names: Vec<String> = skipped.iter().map(|p| p.display().to_string()).collect();
        return Err(Error::Config(format!(
            "no shard workspace to merge: {} only finished markers or SQLite side files",
            if names.len() == 1 { format!("{} is", names[0]) } else { format!("{} are", names.join(", ")) }
        )));
    }
    Ok(ShardFiles { shards, skipped, found: false })
}

/// Whether `a` and `b` name one existing file.
fn same_file(a: &Path, b: &Path) -> bool {
    match (std::fs::canonicalize(a), std::fs::canonicalize(b)) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    }
}

/// Every `TARGET.shard-I-of-N` beside `target`, sorted by I; refuses mixed counts and missing indices.
fn find_shards(target: &Path) -> Result<ShardFiles> {
    let name = target.file_name().and_then(|n| n.to_str()).ok_or_else(|| {
        Error::Config(format!("{}: not a workspace file name to look for shards of", target.display()))
    })?;
    let dir = match target.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let entries = std::fs::read_dir(&dir).map_err(|e| {
        Error::Config(format!("{}: cannot list the folder to find shards: {e}", dir.display()))
    })?;
    let mut found: Vec<(usize, usize, PathBuf)> = Vec::new();
    for entry in entries.flatten() {
        let file = entry.file_name();
        if let Some((i, n)) = file.to_str().and_then(|f| shard_name(f, Some(name))) {
            found.push((i, n, target.with_file_name(file)));
        }
    }
    found.sort();
    let pattern = format!("{}.shard-*-of-N", target.display());
    let Some(&(_, n, _)) = found.first() else {
        return Err(Error::Config(format!(
            "no shard workspace {pattern} found; pass the shards to merge after the workspace"
        )));
    };
    let mut counts: Vec<usize> = found.iter().map(|f| f.1).collect();
    counts.sort_unstable();
    counts.dedup();
    if counts.len() > 1 {
        let counts: Vec<String> = counts.iter().map(usize::to_string).collect();
        return Err(Error::Config(format!(
            "shards of {} different splits ({} shards) lie beside {}; refusing to guess which to merge: pass them explicitly, e.g. {}.shard-*-of-{n}",
            counts.len(),
            counts.join(" and "),
            target.display(),
            target.display()
        )));
    }
    let missing: Vec<String> = (0..n)
        .filter(|i| !found.iter().any(|f| f.0 == *i))
        .map(|i| format!("{name}.shard-{i}-of-{n}"))
        .collect();
    if !missing.is_empty() {
        return Err(Error::Config(format!(
            "{} of {n} shards of {} missing ({}); nothing was merged",
            missing.len(),
            target.display(),
            missing.join(", ")
        )));
    }
    Ok(ShardFiles { shards: found.into_iter().map(|f| f.2).collect(), skipped: Vec::new(), found: true })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shard_names_and_companions_are_recognised() {
        assert_eq!(shard_name("m.cscore.shard-2-of-3", Some("m.cscore")), Some((2, 3)));
        assert_eq!(shard_name("m.cscore.shard-2-of-3", Some("n.cscore")), None);
        assert_eq!(shard_name("m.cscore.shard-3-of-3", None), None);
        assert_eq!(shard_name("m.cscore.shard-1-of-3.done", None), None);
        assert_eq!(shard_name("m.cscore.shard--of-3", None), None);
        assert!(is_companion(Path::new("d/m.cscore.shard-0-of-3.done")));
        assert!(is_companion(Path::new("m.cscore.shard-0-of-3-wal")));
        assert!(!is_companion(Path::new("m.cscore.shard-0-of-3")));
        assert!(!is_companion(Path::new("notes.done")), "only a shard's marker is a companion");
    }

    #[test]
    fn a_glob_list_keeps_the_workspaces_and_sets_markers_aside() -> Result<()> {
        let given: Vec<PathBuf> =
            ["m.shard-0-of-2", "m.shard-0-of-2.done", "m.shard-1-of-2", "m.shard-1-of-2-wal"]
                .iter()
                .map(PathBuf::from)
                .collect();
        let files = shard_files(Path::new("m"), &given)?;
        assert_eq!(files.shards, [PathBuf::from("m.shard-0-of-2"), PathBuf::from("m.shard-1-of-2")]);
        assert_eq!(files.skipped.len(), 2);
        assert!(shard_files(Path::new("m"), &given[1..2]).is_err(), "markers alone are nothing to merge");
        Ok(())
    }

    #[test]
    fn shards_are_found_beside_the_target_only_when_complete_and_of_one_split() -> Result<()> {
        let dir = tempfile::tempdir().map_err(|e| Error::Config(e.to_string()))?;
        let touch = |n: &str| std::fs::write(dir.path().join(n), b"");
        let target = dir.path().join("m.cscore");
        assert!(find_shards(&target).is_err(), "none there");
        for n in
            ["m.cscore.shard-1-of-3", "m.cscore.shard-0-of-3", "m.cscore.shard-0-of-3.done", "x.shard-2-of-3"]
        {
            touch(n).map_err(|e| Error::Config(e.to_string()))?;
        }
        let err = find_shards(&target).err().map(|e| e.to_string()).unwrap_or_default();
        assert!(err.contains("1 of 3 shards") && err.contains("m.cscore.shard-2-of-3"), "{err}");
        touch("m.cscore.shard-2-of-3").map_err(|e| Error::Config(e.to_string()))?;
        let files = find_shards(&target)?;
        let names: Vec<_> = files.shards.iter().filter_map(|p| p.file_name()?.to_str()).collect();
        assert_eq!(names, ["m.cscore.shard-0-of-3", "m.cscore.shard-1-of-3", "m.cscore.shard-2-of-3"]);
        touch("m.cscore.shard-0-of-2").map_err(|e| Error::Config(e.to_string()))?;
        let err = find_shards(&target).err().map(|e| e.to_string()).unwrap_or_default();
        assert!(err.contains("different splits (2 and 3 shards)"), "{err}");
        Ok(())
    }
}
