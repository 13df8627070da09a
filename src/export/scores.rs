//! Every per-example score a workspace holds, named as in the export and oriented like the C-score.

use super::ExportError;
use crate::estimate::Aggregate;
use crate::proxy::higher_is_regular;
use crate::store::Workspace;

/// One score vector (NaN where missing) with its orientation.
#[derive(Debug, Clone, PartialEq)]
pub struct NamedScores {
    /// The export column name: `cscore`, `proxy_<name>` or `ref_<name>`.
    pub name: String,
    /// One value per example.
    pub values: Vec<f64>,
    /// True when a high value marks a regular example (as for the C-score).
    pub higher_is_regular: bool,
}

impl NamedScores {
    /// The value of example `i` turned so that high means irregular; `None` where missing.
    pub fn irregularity(&self, i: usize) -> Option<f64> {
        let v = *self.values.get(i)?;
        if v.is_nan() {
            None
        } else if self.higher_is_regular {
            Some(-v)
        } else {
            Some(v)
        }
    }

    /// Rank of example `i` by irregularity (1 = the most irregular; ties share the best rank), and the
    /// number of examples with a value.
    pub fn irregularity_rank(&self, i: usize) -> Option<(usize, usize)> {
        let mine = self.irregularity(i)?;
        let all: Vec<f64> = (0..self.values.len()).filter_map(|j| self.irregularity(j)).collect();
        Some((1 + all.iter().filter(|&&v| v > mine).count(), all.len()))
    }

    /// How many examples (`i` included) share the score of `i`: ranks `r … r + ties − 1` are all theirs.
    pub fn ties(&self, i: usize) -> usize {
        self.irregularity(i)
            .map_or(0, |mine| (0..self.values.len()).filter(|&j| self.irregularity(j) == Some(mine)).count())
    }
}

/// The C-score, every stored proxy (including a fused one) and every imported reference of `ws`.
pub fn workspace_scores(ws: &Workspace, agg: &Aggregate) -> Result<Vec<NamedScores>, ExportError> {
    let mut out = vec![NamedScores {
        name: crate::proxy::compare::CSCORE.into(),
        values: agg.cscores(),
        higher_is_regular: true,
    }];
    for name in ws.proxy_names()? {
        if let Some(v) = ws.proxy_scores(&name)? {
            out.push(NamedScores {
                higher_is_regular: higher_is_regular(&name),
                name: format!("proxy_{name}"),
                values: v.into_iter().map(f64::from).collect(),
            });
        }
    }
    for name in ws.reference_names()? {
        if let Some(v) = ws.reference_scores(&name)? {
            // A reference is a C-score (high = regular) whatever its name: an imported `el2n` is not the
            // proxy of that name.
            out.push(NamedScores {
                higher_is_regular: true,
                name: format!("ref_{name}"),
                values: v.into_iter().map(f64::from).collect(),
            });
        }
    }
    Ok(out)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn ranks_count_from_the_most_irregular() {
        let c = NamedScores {
            name: "cscore".into(),
            values: vec![0.9, 0.1, f64::NAN, 0.1],
            higher_is_regular: true,
        };
        assert_eq!(c.irregularity_rank(1), Some((1, 3)));
        assert_eq!(c.irregularity_rank(3), Some((1, 3)));
        assert_eq!(c.irregularity_rank(0), Some((3, 3)));
        assert_eq!(c.irregularity_rank(2), None);
        assert_eq!((c.ties(1), c.ties(0), c.ties(2)), (2, 1, 0));
        let f = NamedScores {
            name: "proxy_forgetting_events".into(),
            values: vec![0.0, 5.0],
            higher_is_regular: false,
        };
        assert_eq!(f.irregularity_rank(1), Some((1, 2)));
    }
}
