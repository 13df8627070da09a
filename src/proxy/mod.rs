//! Cheap proxies for the C-score (training statistics and pairwise distances), their comparison with the
//! estimate, and score fusion.

mod orientation;

pub use orientation::higher_is_regular;
