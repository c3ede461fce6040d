//! Birth dates: exact, day and month transposed, one digit wrong, or partial but compatible.

use super::evidence::MatchLevel;
use super::profile::Birth;
use super::text::one_digit_apart;

/// The level at which two birth dates agree.
pub(super) fn level(a: Option<Birth>, b: Option<Birth>) -> MatchLevel {
    let (Some(a), Some(b)) = (a, b) else {
        return MatchLevel::Missing;
    };
    if let (Some(da), Some(db)) = (a.digits(), b.digits()) {
        return if da == db {
            MatchLevel::Exact
        } else if a.year == b.year && a.month == b.day && a.day == b.month {
            MatchLevel::DayMonthSwapped
        } else if one_digit_apart(&da, &db) {
            MatchLevel::OneDigit
        } else {
            MatchLevel::Different
        };
    }
    // At least one side is partial: agree as far as both go.
    let agrees = |x: Option<u32>, y: Option<u32>| x.zip(y).is_none_or(|(x, y)| x == y);
    if a.year == b.year && agrees(a.month, b.month) && agrees(a.day, b.day) {
        MatchLevel::Compatible
    } else {
        MatchLevel::Different
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn b(y: i32, m: Option<u32>, d: Option<u32>) -> Option<Birth> {
        Some(Birth { year: y, month: m, day: d })
    }

    #[test]
    fn birth_date_levels() {
        use MatchLevel::*;
        assert_eq!(level(b(1970, Some(3), Some(2)), b(1970, Some(3), Some(2))), Exact);
        assert_eq!(level(b(1970, Some(3), Some(2)), b(1970, Some(2), Some(3))), DayMonthSwapped);
        assert_eq!(level(b(1973, Some(8), Some(29)), b(1973, Some(8), Some(26))), OneDigit);
        assert_eq!(level(b(1965, Some(8), Some(29)), b(1956, Some(8), Some(29))), OneDigit);
        assert_eq!(level(b(1936, Some(12), Some(18)), b(1930, Some(12), Some(6))), Different);
        assert_eq!(level(b(1970, Some(3), None), b(1970, Some(3), Some(2))), Compatible);
        assert_eq!(level(b(1970, None, None), b(1971, Some(3), Some(2))), Different);
        assert_eq!(level(None, b(1970, Some(3), Some(2))), Missing);
    }
}
