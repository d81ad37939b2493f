//! "Did you mean" for typos: the closest of a few known names, by edit
//! distance, when it is close enough to be the likely intent.

/// The candidate closest to `word`, if one is close enough: same letters in
/// another case, `word` a prefix of it (`effective` for `effective_at`), or
/// few enough edits for the word's length. Ties go to the earlier candidate.
pub(super) fn closest<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let mut best: Option<(usize, &'a str)> = None;
    for candidate in candidates {
        let distance = distance_for_suggestion(word, candidate);
        if distance <= allowed_edits(candidate) && best.is_none_or(|(d, _)| distance < d) {
            best = Some((distance, candidate));
        }
    }
    best.map(|(_, candidate)| candidate)
}

/// Edits allowed between a typo and `candidate`: short names need a closer
/// match, or every two-letter key would suggest every other.
fn allowed_edits(candidate: &str) -> usize {
    match candidate.chars().count() {
        0..=3 => 1,
        4..=6 => 2,
        _ => 3,
    }
}

fn distance_for_suggestion(word: &str, candidate: &str) -> usize {
    let word_lower = word.to_lowercase();
    if word_lower == candidate.to_lowercase() {
        return 0;
    }
    if word_lower.chars().count() >= 3 && candidate.starts_with(&word_lower) {
        return 1;
    }
    // Same leading words, another last word: `max_per_month` for
    // `max_per_period`. Field names are built that way, so this is a
    // likely slip even though the letters differ a lot.
    if let Some(split) = word_lower.rfind('_')
        && split >= 3
        && candidate.starts_with(&word_lower[..=split])
    {
        return allowed_edits(candidate);
    }
    edit_distance(&word_lower, candidate)
}

/// Optimal string alignment distance: insertions, deletions, substitutions
/// and swaps of neighbours each cost one.
pub(super) fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    // Three rows suffice: the swap looks two rows back.
    let mut before: Vec<usize> = vec![0; b.len() + 1];
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    let mut current = vec![0; b.len() + 1];
    for i in 1..=a.len() {
        current[0] = i;
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (previous[j] + 1)
                .min(current[j - 1] + 1)
                .min(previous[j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(before[j - 2] + 1);
            }
            current[j] = best;
        }
        std::mem::swap(&mut before, &mut previous);
        std::mem::swap(&mut previous, &mut current);
    }
    previous[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    const GRANT_FIELDS: [&str; 5] = ["id", "kind", "amount", "effective_at", "expires_at"];

    #[test]
    fn distances_count_swaps_as_one_edit() {
        assert_eq!(edit_distance("amount", "amount"), 0);
        assert_eq!(edit_distance("ammount", "amount"), 1);
        assert_eq!(edit_distance("amuont", "amount"), 1);
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
    }

    #[test]
    fn suggests_likely_typos() {
        assert_eq!(closest("ammount", GRANT_FIELDS), Some("amount"));
        assert_eq!(closest("Amount", GRANT_FIELDS), Some("amount"));
        assert_eq!(closest("effective", GRANT_FIELDS), Some("effective_at"));
        assert_eq!(closest("expires", GRANT_FIELDS), Some("expires_at"));
        assert_eq!(closest("kidn", GRANT_FIELDS), Some("kind"));
        assert_eq!(closest("expires_on", GRANT_FIELDS), Some("expires_at"));
        assert_eq!(
            closest("max_per_month", ["max_per_period", "period"]),
            Some("max_per_period")
        );
    }

    #[test]
    fn does_not_suggest_unrelated_names() {
        assert_eq!(closest("colour", GRANT_FIELDS), None);
        assert_eq!(closest("ab", GRANT_FIELDS), None);
        assert_eq!(closest("", GRANT_FIELDS), None);
    }
}
