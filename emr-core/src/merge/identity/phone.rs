//! Phone numbers, compared on their last nine digits.

use super::evidence::MatchLevel;
use super::text::one_digit_apart;

/// The best level over all pairs of phone numbers.
pub(super) fn level(a: &[String], b: &[String]) -> MatchLevel {
    if a.is_empty() || b.is_empty() {
        return MatchLevel::Missing;
    }
    let pairs = || a.iter().flat_map(|x| b.iter().map(move |y| (x, y)));
    if pairs().any(|(x, y)| x == y) {
        MatchLevel::Exact
    } else if pairs().any(|(x, y)| x.len() == y.len() && one_digit_apart(x, y)) {
        MatchLevel::OneDigit
    } else {
        MatchLevel::Different
    }
}
