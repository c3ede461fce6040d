//! SNOMED CT identifiers (SCTIDs): 6–18 digits, no leading zero, a partition
//! identifier and a Verhoeff check digit.
//!
//! The last digit is the check digit; the two digits before it are the
//! partition identifier: `00` concept, `01` description, `02` relationship,
//! and `10`, `11`, `12` the same in an extension namespace (whose 7-digit
//! namespace identifier precedes the partition).
//!
//! Two kinds of non-identifier are recognised and named:
//! * a LOINC code (`34552-0`) written under the SNOMED CT system, reported as
//!   [`CodeProblem::SnomedLooksLikeLoinc`];
//! * a post-coordinated expression in the compositional grammar
//!   (`71341001:272741003=7771000`), reported as
//!   [`CodeProblem::SnomedExpression`] when its identifiers are well formed.

use super::{loinc, verhoeff, CodeProblem};

/// The fewest digits of an SCTID.
pub const MIN_DIGITS: usize = 6;
/// The most digits of an SCTID.
pub const MAX_DIGITS: usize = 18;
/// The partition identifiers this module accepts.
pub const PARTITIONS: [&str; 6] = ["00", "01", "02", "10", "11", "12"];

/// The most identifiers looked at in one post-coordinated expression.
const MAX_EXPRESSION_IDS: usize = 64;

/// Checks a SNOMED CT code: an SCTID's shape, Verhoeff check digit and
/// partition.
///
/// # Errors
///
/// In this order: [`CodeProblem::SnomedLooksLikeLoinc`] for a valid LOINC
/// code; [`CodeProblem::SnomedExpression`] for a post-coordinated expression
/// whose identifiers are all valid (otherwise the first invalid identifier's
/// problem); [`CodeProblem::SnomedShape`]; [`CodeProblem::SnomedCheckDigit`];
/// [`CodeProblem::SnomedPartition`].
///
/// # Example
///
/// ```
/// use emr_core::codes::{snomed, CodeProblem};
///
/// assert_eq!(snomed::check("195662009"), Ok(()));
/// assert_eq!(snomed::check("428191000124101"), Ok(())); // extension concept
/// assert_eq!(snomed::check("195662008"), Err(CodeProblem::SnomedCheckDigit));
/// assert_eq!(snomed::check("0195662009"), Err(CodeProblem::SnomedShape));
/// assert_eq!(snomed::check("34552-0"), Err(CodeProblem::SnomedLooksLikeLoinc));
/// ```
pub fn check(code: &str) -> Result<(), CodeProblem> {
    if code.bytes().all(|b| b.is_ascii_digit()) {
        return check_sctid(code);
    }
    if loinc::is_valid_numeric(code) {
        return Err(CodeProblem::SnomedLooksLikeLoinc);
    }
    match expression_ids(code) {
        Some(ids) => {
            for id in ids {
                check_sctid(id)?;
            }
            Err(CodeProblem::SnomedExpression)
        }
        None => Err(CodeProblem::SnomedShape),
    }
}

/// The partition identifier of an SCTID: the two digits before the check
/// digit, if the code is long enough.
///
/// # Example
///
/// ```
/// use emr_core::codes::snomed;
///
/// assert_eq!(snomed::partition("73211009"), Some("00"));
/// assert_eq!(snomed::partition("428191000124101"), Some("10"));
/// assert_eq!(snomed::partition("12"), None);
/// ```
pub fn partition(code: &str) -> Option<&str> {
    let end = code.len().checked_sub(1)?;
    let start = end.checked_sub(2)?;
    code.get(start..end)
}

/// The Verhoeff check digit for the digits `payload` (an SCTID without its
/// last digit), or `None` if `payload` is empty or not all ASCII digits.
///
/// # Example
///
/// ```
/// use emr_core::codes::snomed;
///
/// assert_eq!(snomed::check_digit("13887500"), Some(5)); // 138875005
/// assert_eq!(snomed::check_digit("1388750x"), None);
/// ```
pub fn check_digit(payload: &str) -> Option<u8> {
    verhoeff::check_digit(payload)
}

/// True when the last digit of `digits` is its Verhoeff check digit.
///
/// # Example
///
/// ```
/// use emr_core::codes::snomed;
///
/// assert!(snomed::verhoeff_is_valid("404684003"));
/// assert!(!snomed::verhoeff_is_valid("404684030"));
/// ```
pub fn verhoeff_is_valid(digits: &str) -> bool {
    verhoeff::is_valid(digits)
}

/// Checks one identifier made of ASCII digits only.
fn check_sctid(id: &str) -> Result<(), CodeProblem> {
    let shaped =
        (MIN_DIGITS..=MAX_DIGITS).contains(&id.len()) && !id.starts_with('0') && id.bytes().all(|b| b.is_ascii_digit());
    if !shaped {
        return Err(CodeProblem::SnomedShape);
    }
    if !verhoeff::is_valid(id) {
        return Err(CodeProblem::SnomedCheckDigit);
    }
    match partition(id) {
        Some(p) if PARTITIONS.contains(&p) => Ok(()),
        _ => Err(CodeProblem::SnomedPartition),
    }
}

/// The identifiers of a post-coordinated expression, or `None` if `code` does
/// not look like one.
///
/// Recognised: an optional definition status (`===`, `<<<`), identifiers made
/// of digits, optional `|term|` after an identifier, and the punctuation of
/// the compositional grammar (`:`, `=`, `,`, `+`, `{`, `}`, `(`, `)`,
/// spaces). An expression has at least one `:` or `+` and at least two
/// identifiers.
fn expression_ids(code: &str) -> Option<Vec<&str>> {
    let body = code.strip_prefix("===").or_else(|| code.strip_prefix("<<<")).unwrap_or(code).trim_start();
    if !body.contains([':', '+']) || !body.starts_with(|c: char| c.is_ascii_digit()) {
        return None;
    }
    let bytes = body.as_bytes();
    let mut ids = Vec::new();
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        match b {
            b'0'..=b'9' => {
                let start = i;
                while bytes.get(i).is_some_and(u8::is_ascii_digit) {
                    i += 1;
                }
                if ids.len() == MAX_EXPRESSION_IDS {
                    return None;
                }
                ids.push(body.get(start..i)?);
            }
            b'|' => {
                // A term: anything up to the closing bar.
                let close = bytes.get(i + 1..)?.iter().position(|&c| c == b'|')?;
                i += close + 2;
            }
            b':' | b'=' | b',' | b'+' | b'{' | b'}' | b'(' | b')' | b' ' => i += 1,
            _ => return None,
        }
    }
    (ids.len() >= 2).then_some(ids)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn domain_examples_are_valid() {
        for code in ["138875005", "404684003", "73211009", "195662009", "162864005", "428191000124101"] {
            assert_eq!(check(code), Ok(()), "{code}");
        }
    }

    #[test]
    fn real_errors_from_the_shared_data() {
        assert_eq!(check("34552-0"), Err(CodeProblem::SnomedLooksLikeLoinc));
        assert_eq!(check("415818005"), Err(CodeProblem::SnomedCheckDigit));
        assert_eq!(check("6547210000124112"), Err(CodeProblem::SnomedCheckDigit));
        assert_eq!(check("T-15460"), Err(CodeProblem::SnomedShape));
        assert_eq!(check("look up value"), Err(CodeProblem::SnomedShape));
    }

    #[test]
    fn expressions_are_named() {
        for code in [
            "71341001:272741003=7771000",
            "249943000:363698007=72098002,260868000=6934004",
            "=== 73211009 |Diabetes mellitus| : 363698007 |Finding site| = 113331007",
            "73211009+195662009",
        ] {
            assert_eq!(check(code), Err(CodeProblem::SnomedExpression), "{code}");
        }
        // An expression with a bad identifier reports the identifier's problem.
        assert_eq!(check("71341001:272741003=7771001"), Err(CodeProblem::SnomedCheckDigit));
        // Not expressions.
        for code in ["73211009:", "a:b", "73211009 |unterminated", "1:", ":"] {
            assert!(matches!(check(code), Err(CodeProblem::SnomedShape | CodeProblem::SnomedCheckDigit)), "{code}");
        }
    }

    #[test]
    fn shape_and_partition() {
        assert_eq!(check(""), Err(CodeProblem::SnomedShape));
        assert_eq!(check("12345"), Err(CodeProblem::SnomedShape));
        assert_eq!(check("0138875005"), Err(CodeProblem::SnomedShape));
        assert_eq!(check(&"1".repeat(19)), Err(CodeProblem::SnomedShape));
        assert_eq!(check(" 73211009"), Err(CodeProblem::SnomedShape));
        // A valid check digit over a partition that does not exist.
        for bad in ["03", "09", "13", "20", "99"] {
            let payload = format!("7321{bad}");
            let code = format!("{payload}{}", check_digit(&payload).unwrap());
            assert_eq!(check(&code), Err(CodeProblem::SnomedPartition), "{code}");
        }
        for good in PARTITIONS {
            let payload = format!("1234567{good}");
            let code = format!("{payload}{}", check_digit(&payload).unwrap());
            assert_eq!(check(&code), Ok(()), "{code}");
        }
    }
}
