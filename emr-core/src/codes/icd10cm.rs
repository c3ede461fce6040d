//! ICD-10-CM codes: a category of three characters, then optionally a dot and
//! one to four more.
//!
//! The category is an upper-case letter, a digit, and a digit or upper-case
//! letter (`E11`, `C4A`, `U07`). The subcategory, if present, follows a dot
//! and is 1–4 upper-case letters or digits (`E11.9`, `J09.X2`, `S72.001A`).
//! FHIR uses the dotted form, so the undotted form (`E119`) is rejected.
//! There is no check digit.

use super::CodeProblem;

/// The most characters after the dot.
const MAX_AFTER_DOT: usize = 4;

/// Checks the shape of an ICD-10-CM code.
///
/// # Errors
///
/// [`CodeProblem::Icd10CmShape`] when the code does not have the shape.
///
/// # Example
///
/// ```
/// use emr_core::codes::{icd10cm, CodeProblem};
///
/// assert_eq!(icd10cm::check("E11.9"), Ok(()));
/// assert_eq!(icd10cm::check("I10"), Ok(()));
/// assert_eq!(icd10cm::check("S72.001A"), Ok(()));
/// assert_eq!(icd10cm::check("e11.9"), Err(CodeProblem::Icd10CmShape));
/// assert_eq!(icd10cm::check("E119"), Err(CodeProblem::Icd10CmShape));
/// ```
pub fn check(code: &str) -> Result<(), CodeProblem> {
    if is_well_formed(code) {
        Ok(())
    } else {
        Err(CodeProblem::Icd10CmShape)
    }
}

/// True when `code` has the shape of an ICD-10-CM code.
fn is_well_formed(code: &str) -> bool {
    let (category, subcategory) = match code.split_once('.') {
        Some((category, rest)) => (category, Some(rest)),
        None => (code, None),
    };
    let category_ok = match category.as_bytes() {
        [a, b, c] => a.is_ascii_uppercase() && b.is_ascii_digit() && (c.is_ascii_digit() || c.is_ascii_uppercase()),
        _ => false,
    };
    let subcategory_ok = match subcategory {
        None => true,
        Some(rest) => {
            (1..=MAX_AFTER_DOT).contains(&rest.len())
                && rest.bytes().all(|b| b.is_ascii_digit() || b.is_ascii_uppercase())
        }
    };
    category_ok && subcategory_ok
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn valid_codes() {
        for code in ["E11.9", "U07.1", "S72.001A", "I10", "J09.X2", "C4A.0", "G44.209", "Z00.00", "A00"] {
            assert_eq!(check(code), Ok(()), "{code}");
        }
    }

    #[test]
    fn invalid_codes() {
        for code in [
            "",
            "E",
            "E1",
            "E11.",
            "E11.12345",
            "E119",
            "1E1.9",
            "EE1.9",
            "e11.9",
            "E11.9a",
            "E11..9",
            "E11.9.1",
            " E11.9",
            "E11.9 ",
            "É11.9",
            "E11-9",
            "E11.٩",
        ] {
            assert_eq!(check(code), Err(CodeProblem::Icd10CmShape), "{code:?}");
        }
    }
}
