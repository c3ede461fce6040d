//! LOINC codes: `NNNNNNN-C` with a mod-10 check digit, and the `LA`/`LL`/`LP`/`LG`
//! codes of answers, answer lists, parts and groups.
//!
//! The check digit of a numeric LOINC code is the mod-10 ("Luhn") digit of the
//! digits before the hyphen: from the right, double every other digit starting
//! with the rightmost, add up the digits of the results, and the check digit is
//! `(10 - sum mod 10) mod 10`. The answer, answer-list, part and group codes
//! (`LA32-8`, `LL358-3`, `LP7786-9`, `LG41760-4`) use another check-digit
//! scheme, so only their shape is checked.

use super::CodeProblem;

/// The most digits before the hyphen of a numeric LOINC code.
pub const MAX_DIGITS: usize = 7;

/// The most digits after the letter prefix of an `LA`/`LL`/`LP`/`LG` code.
const MAX_PREFIXED_DIGITS: usize = 8;

/// The two-letter prefixes of LOINC answer (`LA`), answer-list (`LL`), part
/// (`LP`) and group (`LG`) codes.
pub const LETTER_PREFIXES: [&str; 4] = ["LA", "LL", "LP", "LG"];

/// Checks a LOINC code: a numeric code with its check digit, or the shape of
/// an `LA`/`LL`/`LP`/`LG` code.
///
/// # Errors
///
/// [`CodeProblem::LoincShape`] when the code has neither shape,
/// [`CodeProblem::LoincCheckDigit`] when a numeric code's check digit is wrong.
///
/// # Example
///
/// ```
/// use emr_core::codes::{loinc, CodeProblem};
///
/// assert_eq!(loinc::check("29463-7"), Ok(()));
/// assert_eq!(loinc::check("LA32-8"), Ok(()));
/// assert_eq!(loinc::check("29463-8"), Err(CodeProblem::LoincCheckDigit));
/// assert_eq!(loinc::check("XNB976-1"), Err(CodeProblem::LoincShape));
/// ```
pub fn check(code: &str) -> Result<(), CodeProblem> {
    if let Some(rest) = LETTER_PREFIXES.iter().find_map(|prefix| code.strip_prefix(prefix)) {
        return match split_digits_hyphen_digit(rest, MAX_PREFIXED_DIGITS) {
            Some(_) => Ok(()),
            None => Err(CodeProblem::LoincShape),
        };
    }
    let (digits, check) = split_digits_hyphen_digit(code, MAX_DIGITS).ok_or(CodeProblem::LoincShape)?;
    if check_digit(digits) == Some(check) {
        Ok(())
    } else {
        Err(CodeProblem::LoincCheckDigit)
    }
}

/// True when `code` has the shape of a numeric LOINC code (`N-C`, 1–7
/// digits) *and* its check digit matches.
///
/// # Example
///
/// ```
/// use emr_core::codes::loinc;
///
/// assert!(loinc::is_valid_numeric("8480-6"));
/// assert!(!loinc::is_valid_numeric("8480-5"));
/// assert!(!loinc::is_valid_numeric("LA32-8"));
/// ```
pub fn is_valid_numeric(code: &str) -> bool {
    match split_digits_hyphen_digit(code, MAX_DIGITS) {
        Some((digits, check)) => check_digit(digits) == Some(check),
        None => false,
    }
}

/// True when `code` has the shape of a numeric LOINC code, `N-C` with 1–7
/// digits before the hyphen, whatever its check digit.
///
/// # Example
///
/// ```
/// use emr_core::codes::loinc;
///
/// assert!(loinc::has_numeric_shape("2339-1"));
/// assert!(!loinc::has_numeric_shape("12345678-1"));
/// ```
pub fn has_numeric_shape(code: &str) -> bool {
    split_digits_hyphen_digit(code, MAX_DIGITS).is_some()
}

/// The mod-10 check digit of the ASCII digits `digits` (the part of a LOINC
/// code before the hyphen), or `None` if `digits` is empty or holds anything
/// but ASCII digits.
///
/// # Example
///
/// ```
/// use emr_core::codes::loinc;
///
/// assert_eq!(loinc::check_digit("2339"), Some(0));
/// assert_eq!(loinc::check_digit("4548"), Some(4));
/// assert_eq!(loinc::check_digit("23a9"), None);
/// ```
pub fn check_digit(digits: &str) -> Option<u8> {
    if digits.is_empty() {
        return None;
    }
    let mut sum: u32 = 0;
    for (position, byte) in digits.bytes().rev().enumerate() {
        if !byte.is_ascii_digit() {
            return None;
        }
        let digit = u32::from(byte - b'0');
        // Double every other digit, starting with the rightmost.
        let value = if position % 2 == 0 {
            let doubled = digit * 2;
            doubled / 10 + doubled % 10
        } else {
            digit
        };
        sum += value;
    }
    // `sum % 10` is below 10, so the result is a single digit.
    u8::try_from((10 - sum % 10) % 10).ok()
}

/// Splits `N…N-C` into the digits before the hyphen (1 to `max` of them) and
/// the value of the single check digit after it.
fn split_digits_hyphen_digit(code: &str, max: usize) -> Option<(&str, u8)> {
    let (digits, check) = code.split_once('-')?;
    if digits.is_empty() || digits.len() > max || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    match check.as_bytes() {
        [c] if c.is_ascii_digit() => Some((digits, c - b'0')),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn domain_examples_are_valid() {
        for code in ["2339-0", "2345-7", "4548-4", "8480-6", "29463-7", "34552-0"] {
            assert_eq!(check(code), Ok(()), "{code}");
        }
        for code in ["LA32-8", "LA10400-2", "LP173421-1", "LG41760-4", "LL358-3"] {
            assert_eq!(check(code), Ok(()), "{code}");
        }
    }

    #[test]
    fn every_wrong_check_digit_is_caught() {
        for code in ["2339-0", "2345-7", "4548-4", "8480-6", "29463-7", "718-7"] {
            let (digits, good) = split_digits_hyphen_digit(code, MAX_DIGITS).unwrap();
            for wrong in (0..10u8).filter(|d| *d != good) {
                let bad = format!("{digits}-{wrong}");
                assert_eq!(check(&bad), Err(CodeProblem::LoincCheckDigit), "{bad}");
            }
        }
    }

    #[test]
    fn single_digit_changes_are_detected() {
        // Luhn detects every single-digit error.
        let digits = "1234567";
        let good = check_digit(digits).unwrap();
        for i in 0..digits.len() {
            for d in b'0'..=b'9' {
                let mut changed = digits.as_bytes().to_vec();
                if changed[i] == d {
                    continue;
                }
                changed[i] = d;
                let changed = String::from_utf8(changed).unwrap();
                assert_ne!(check_digit(&changed), Some(good), "{changed}");
            }
        }
    }

    #[test]
    fn shapes_are_rejected() {
        for code in [
            "",
            "-",
            "2339",
            "2339-",
            "-0",
            "2339-00",
            "2339_0",
            " 2339-0",
            "2339-0 ",
            "12345678-1",
            "LA-8",
            "LA32",
            "la32-8",
            "LX32-8",
            "LA123456789-1",
            "XNB976-1",
            "２３３９-0",
            "2339-٠",
            "look up value",
        ] {
            assert_eq!(check(code), Err(CodeProblem::LoincShape), "{code:?}");
        }
    }
}
