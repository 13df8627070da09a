//! Names of every proxy and the `--proxies LIST|all|none` selection.

use super::training::TRAINING_PROXIES;
use crate::Error;
use std::str::FromStr;

/// Pairwise-distance proxies in input space.
pub const INPUT_PROXIES: [&str; 5] = ["relative_density", "class_density", "density", "knn_agreement", "lof"];

/// The density family in the hidden representation of the proxy-run model.
pub const HIDDEN_PROXIES: [&str; 3] = ["hidden_relative_density", "hidden_class_density", "hidden_density"];

/// The fused estimate (proxies + holdout evidence), stored beside the proxies.
pub const FUSED: &str = "fused";

/// Prefix of imported reference scores where they appear beside the proxies (`ref_<name>`): in exports,
/// comparisons and the explorer. High means regular, as for the C-score.
pub const REFERENCE_PREFIX: &str = "ref_";

/// Every proxy name `cscore estimate` can compute, in display order.
pub fn all_proxies() -> Vec<&'static str> {
    let mut all: Vec<&'static str> = TRAINING_PROXIES.to_vec();
    all.extend(INPUT_PROXIES);
    all.extend(HIDDEN_PROXIES);
    all.push(FUSED);
    all
}

/// Which proxies to compute.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Selection(Vec<&'static str>);

impl Selection {
    /// Every proxy.
    pub fn all() -> Self {
        Selection(all_proxies())
    }

    /// No proxy.
    pub fn none() -> Self {
        Selection(Vec::new())
    }

    /// True when `name` is selected.
    pub fn contains(&self, name: &str) -> bool {
        self.0.contains(&name)
    }

    /// The selected names among `names`.
    pub fn among(&self, names: &[&'static str]) -> Vec<&'static str> {
        names.iter().copied().filter(|n| self.contains(n)).collect()
    }

    /// The selection without the names not among `names`.
    pub fn restricted_to(&self, names: &[&'static str]) -> Selection {
        Selection(self.among(names))
    }

    /// True when nothing is selected.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The selection as `--proxies` takes it (`all`, `none`, or the names), so that it parses back to itself.
    pub fn to_arg(&self) -> String {
        if self.is_empty() {
            "none".into()
        } else if *self == Selection::all() {
            "all".into()
        } else {
            self.0.join(",")
        }
    }
}

impl Default for Selection {
    fn default() -> Self {
        Selection::all()
    }
}

impl FromStr for Selection {
    type Err = Error;

    /// `all`, `none`, or comma-separated proxy names.
    fn from_str(s: &str) -> Result<Self, Error> {
        match s.trim() {
            "all" => return Ok(Selection::all()),
            "none" | "" => return Ok(Selection::none()),
            _ => {}
        }
        let known = all_proxies();
        let mut chosen = Vec::new();
        for part in s.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let part = part.strip_prefix("proxy_").unwrap_or(part);
            match known.iter().find(|&&k| k == part) {
                Some(&k) if !chosen.contains(&k) => chosen.push(k),
                Some(_) => {}
                None => {
                    return Err(Error::Config(format!(
                        "unknown proxy '{part}'; expected all, none or a comma-separated list of: {}",
                        known.join(", ")
                    )))
                }
            }
        }
        Ok(Selection(known.into_iter().filter(|k| chosen.contains(k)).collect()))
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn a_selection_round_trips_through_its_argument() {
        for s in ["all", "none", "knn_agreement,learning_speed"] {
            let sel: Selection = s.parse().unwrap();
            assert_eq!(sel.to_arg().parse::<Selection>().unwrap(), sel, "{s}");
        }
        assert_eq!(Selection::all().to_arg(), "all");
        assert_eq!(Selection::none().to_arg(), "none");
    }

    #[test]
    fn parses_lists() {
        assert_eq!("all".parse::<Selection>().unwrap(), Selection::all());
        assert!("none".parse::<Selection>().unwrap().is_empty());
        let s: Selection = "knn_agreement, proxy_learning_speed".parse().unwrap();
        assert!(s.contains("knn_agreement") && s.contains("learning_speed") && !s.contains("lof"));
        assert_eq!(s.among(&INPUT_PROXIES), vec!["knn_agreement"]);
        let err = "speed".parse::<Selection>().unwrap_err().to_string();
        assert!(err.contains("'speed'") && err.contains("learning_speed"), "{err}");
        assert_eq!(all_proxies().len(), 16);
    }
}
