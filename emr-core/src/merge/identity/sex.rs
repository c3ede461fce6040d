//! Administrative sex: the same, different, or unknown on a side.

use super::evidence::MatchLevel;
use super::profile::Sex;

/// The level at which two recorded sexes agree (`unknown` counts as missing).
pub(super) fn level(a: Option<Sex>, b: Option<Sex>) -> MatchLevel {
    match (a, b) {
        (Some(a), Some(b)) if a == b => MatchLevel::Exact,
        (Some(_), Some(_)) => MatchLevel::Different,
        _ => MatchLevel::Missing,
    }
}
