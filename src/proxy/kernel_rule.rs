//! Which kernel-bandwidth rule a workspace's density proxies were computed with. The rule changed (from
//! half the mean pairwise distance to [`super::bandwidth`]'s one effective neighbour), and values of two
//! rules must not be mixed or shown as current. A workspace whose density values predate the change
//! records the old rule under [`KERNEL_RULE_KEY`] (the store's schema migration 5 writes it); one that
//! records none has only current values. Before an estimate computes the density proxies of a workspace
//! of another rule, [`refresh_density`] drops its density values (and a shard's stored kernel sums), so
//! that they are computed again, and records the current rule.

use super::names::{HIDDEN_PROXIES, INPUT_PROXIES};
use crate::store::Workspace;
use crate::Result;

/// Config key of the kernel-bandwidth rule.
pub const KERNEL_RULE_KEY: &str = "density_kernel";

/// The current rule, as stored (JSON). Any change to how the density sums are computed changes it.
pub const KERNEL_RULE: &str =
    r#"{"bandwidth":"effective_neighbours","effective_neighbours":1.0,"duplicates":"excluded"}"#;

/// The proxies whose values depend on the kernel bandwidth.
pub fn density_proxies() -> Vec<&'static str> {
    INPUT_PROXIES.iter().chain(&HIDDEN_PROXIES).copied().filter(|n| n.ends_with("density")).collect()
}

/// What a workspace holds that was computed with another rule than the current one.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StaleDensity {
    /// Density proxies stored.
    pub proxies: Vec<String>,
    /// Blocks of a shard's input-space statistics stored (they hold kernel sums).
    pub parts: usize,
}

impl StaleDensity {
    /// True when nothing is stale.
    pub fn is_empty(&self) -> bool {
        self.proxies.is_empty() && self.parts == 0
    }
}

/// One line for a user of a workspace at `path` that holds `stale` values (read-only commands warn with it).
pub fn outdated_warning(stale: &StaleDensity, path: &std::path::Path) -> Option<String> {
    if stale.is_empty() {
        return None;
    }
    let mut what = stale.proxies.join(", ");
    if stale.parts > 0 {
        let blocks = format!("{} block(s) of input-space statistics", stale.parts);
        what = if what.is_empty() { blocks } else { format!("{what} and {blocks}") };
    }
    Some(format!(
        "{what} of {} were computed with an older kernel bandwidth rule; `cscore estimate` on it computes \
         them again",
        path.display()
    ))
}

/// True when `ws`'s density values, if any, are of the current rule (it records that rule, or none).
pub fn records_current_rule(ws: &Workspace) -> Result<bool> {
    let stored = ws.config(KERNEL_RULE_KEY)?;
    Ok(stored.is_none() || stored.as_deref() == Some(KERNEL_RULE))
}

/// What of `ws` was computed with an older rule (nothing when it records the current one).
pub fn stale_density(ws: &Workspace) -> Result<StaleDensity> {
    if records_current_rule(ws)? {
        return Ok(StaleDensity::default());
    }
    let names = density_proxies();
    let proxies = ws.proxy_names()?.into_iter().filter(|n| names.contains(&n.as_str())).collect();
    let parts = ws.neighbour_part_count()?;
    Ok(StaleDensity { proxies, parts })
}

/// Drops what `ws` holds from another rule and records the current one, in one transaction (before the
/// workspace's density proxies are computed). Returns what was dropped.
pub fn refresh_density(ws: &Workspace) -> Result<StaleDensity> {
    ws.transaction(|ws| {
        if records_current_rule(ws)? {
            return Ok(StaleDensity::default());
        }
        let stale = StaleDensity {
            proxies: ws.remove_proxy_scores(&density_proxies())?,
            parts: ws.remove_neighbour_parts()?,
        };
        ws.set_config(KERNEL_RULE_KEY, KERNEL_RULE)?;
        Ok(stale)
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::store::{DatasetInfo, StoredNeighbours};

    fn workspace(dir: &std::path::Path) -> Workspace {
        Workspace::create(&dir.join("ws.cscore"), &DatasetInfo::toy(3)).unwrap()
    }

    fn part() -> StoredNeighbours {
        StoredNeighbours {
            start: 0,
            k: 0,
            bandwidth: 1.0,
            proxies: vec!["density".into()],
            kernel_sum: vec![1.0; 3],
            same_class_kernel_sum: vec![1.0; 3],
            neighbours: vec![],
            neighbour_dist: vec![],
            knn_agreement: vec![f32::NAN; 3],
        }
    }

    /// `ws` as the previous schema (4) left it: opening it again migrates it.
    fn as_version_4(ws: Workspace) -> Workspace {
        let path = ws.path().to_path_buf();
        drop(ws);
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.execute("DELETE FROM config WHERE key = ?1", [KERNEL_RULE_KEY]).unwrap();
        conn.pragma_update(None, "user_version", 4).unwrap();
        drop(conn);
        Workspace::open(&path).unwrap()
    }

    #[test]
    fn an_old_workspace_loses_its_density_values_once_and_keeps_the_rest() {
        let dir = tempfile::tempdir().unwrap();
        let ws = workspace(dir.path());
        for name in ["density", "hidden_relative_density", "knn_agreement", "aum"] {
            ws.set_proxy_scores(name, &[0.1, 0.2, 0.3]).unwrap();
        }
        ws.set_neighbour_part(&part()).unwrap();
        assert!(stale_density(&ws).unwrap().is_empty(), "a new workspace's values are current");
        let ws = as_version_4(ws);
        let stale = stale_density(&ws).unwrap();
        assert_eq!(stale.proxies, ["density", "hidden_relative_density"]);
        assert_eq!(stale.parts, 1);
        assert_eq!(refresh_density(&ws).unwrap(), stale);
        assert_eq!(ws.proxy_names().unwrap(), ["aum", "knn_agreement"]);
        assert!(ws.neighbour_parts().unwrap().is_empty());
        assert_eq!(ws.config(KERNEL_RULE_KEY).unwrap().as_deref(), Some(KERNEL_RULE));
        // Values computed from now on are current: kept by the next session.
        ws.set_proxy_scores("density", &[0.1, 0.2, 0.3]).unwrap();
        assert!(refresh_density(&ws).unwrap().is_empty());
        assert!(stale_density(&ws).unwrap().is_empty());
        assert!(ws.proxy_scores("density").unwrap().is_some());
        assert_eq!(outdated_warning(&stale_density(&ws).unwrap(), ws.path()), None);
    }

    #[test]
    fn an_old_workspace_without_density_values_is_current() {
        let dir = tempfile::tempdir().unwrap();
        let ws = workspace(dir.path());
        ws.set_proxy_scores("knn_agreement", &[0.1, 0.2, 0.3]).unwrap();
        let ws = as_version_4(ws);
        assert_eq!(ws.config(KERNEL_RULE_KEY).unwrap(), None);
        assert!(records_current_rule(&ws).unwrap());
        assert!(refresh_density(&ws).unwrap().is_empty());
    }

    #[test]
    fn the_warning_names_what_is_outdated() {
        let stale = StaleDensity { proxies: vec!["density".into(), "class_density".into()], parts: 2 };
        let line = outdated_warning(&stale, std::path::Path::new("a.cscore")).unwrap();
        assert_eq!(
            line,
            "density, class_density and 2 block(s) of input-space statistics of a.cscore were computed with \
             an older kernel bandwidth rule; `cscore estimate` on it computes them again"
        );
    }

    #[test]
    fn another_recorded_rule_is_stale_too() {
        let dir = tempfile::tempdir().unwrap();
        let ws = workspace(dir.path());
        ws.set_config(KERNEL_RULE_KEY, r#"{"bandwidth":"some_later_rule"}"#).unwrap();
        ws.set_proxy_scores("class_density", &[0.1, 0.2, 0.3]).unwrap();
        assert_eq!(refresh_density(&ws).unwrap().proxies, ["class_density"]);
        assert_eq!(ws.config(KERNEL_RULE_KEY).unwrap().as_deref(), Some(KERNEL_RULE));
    }

    #[test]
    fn the_family_is_the_six_density_proxies() {
        assert_eq!(
            density_proxies(),
            [
                "relative_density",
                "class_density",
                "density",
                "hidden_relative_density",
                "hidden_class_density",
                "hidden_density"
            ]
        );
    }
}
