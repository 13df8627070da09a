//! Which way each score points: for most, high means regular (like the C-score); for some, high means odd.

/// Scores for which a high value marks an irregular example (e.g. many forgetting events).
const HIGH_IS_IRREGULAR: &[&str] = &["forgetting_events", "el2n", "datamap_variability", "lof"];

/// True when a high value of the score named `name` means a regular, consistent example, as for the C-score.
/// Stored names may carry a `proxy_` prefix.
pub fn higher_is_regular(name: &str) -> bool {
    let name = name.strip_prefix("proxy_").unwrap_or(name);
    !HIGH_IS_IRREGULAR.contains(&name)
}

#[cfg(test)]
mod tests {
    use super::higher_is_regular;

    #[test]
    fn orientation() {
        assert!(higher_is_regular("learning_speed"));
        assert!(higher_is_regular("cscore"));
        assert!(!higher_is_regular("forgetting_events"));
        assert!(!higher_is_regular("proxy_lof"));
    }
}
