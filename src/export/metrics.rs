//! Rank statistics for `cscore eval`, with exact tie handling: AUROC (Mann–Whitney with midranks), average
//! precision (one step per distinct score, as scikit-learn computes it), Spearman's ρ and Kendall's τ-b
//! (Knight's O(n log n) algorithm). One implementation serves eval, the explorer and the proxy comparison:
//! it lives in [`crate::proxy`]; the tests here check it against hand-computed and SciPy values.

pub use crate::proxy::detect::{auroc, average_precision};
pub use crate::proxy::rank::{average_ranks as midranks, kendall_tau_b, spearman};

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests;
