//! Systems whose codes have a shape but no check digit: RxNorm, CVX and the
//! DICOM controlled terminology.
//!
//! * RxNorm concept identifiers (RXCUIs) are 1–10 digits (`313782`).
//! * CVX vaccine codes are 1–3 digits, leading zeros kept (`08`, `140`).
//! * DICOM (DCM) codes are modality codes of upper-case letters and digits
//!   (`CT`, `MR`, `DX`, `US`, `RTSTRUCT`) or numeric concept codes
//!   (`110114`): 2–16 upper-case letters or digits.

use super::CodeProblem;

/// The most digits of an RxNorm code.
const RXNORM_MAX_DIGITS: usize = 10;
/// The most digits of a CVX code.
const CVX_MAX_DIGITS: usize = 3;
/// The fewest and most characters of a DICOM code.
const DICOM_LENGTH: core::ops::RangeInclusive<usize> = 2..=16;

/// Checks an RxNorm code: 1–10 ASCII digits.
///
/// # Errors
///
/// [`CodeProblem::RxNormShape`] otherwise.
///
/// # Example
///
/// ```
/// use emr_core::codes::{simple, CodeProblem};
///
/// assert_eq!(simple::check_rxnorm("313782"), Ok(()));
/// assert_eq!(simple::check_rxnorm("RX313782"), Err(CodeProblem::RxNormShape));
/// ```
pub fn check_rxnorm(code: &str) -> Result<(), CodeProblem> {
    if is_digits(code, RXNORM_MAX_DIGITS) {
        Ok(())
    } else {
        Err(CodeProblem::RxNormShape)
    }
}

/// Checks a CVX code: 1–3 ASCII digits.
///
/// # Errors
///
/// [`CodeProblem::CvxShape`] otherwise.
///
/// # Example
///
/// ```
/// use emr_core::codes::{simple, CodeProblem};
///
/// assert_eq!(simple::check_cvx("08"), Ok(()));
/// assert_eq!(simple::check_cvx("140"), Ok(()));
/// assert_eq!(simple::check_cvx("1400"), Err(CodeProblem::CvxShape));
/// ```
pub fn check_cvx(code: &str) -> Result<(), CodeProblem> {
    if is_digits(code, CVX_MAX_DIGITS) {
        Ok(())
    } else {
        Err(CodeProblem::CvxShape)
    }
}

/// Checks a DICOM code: 2–16 upper-case ASCII letters or digits.
///
/// # Errors
///
/// [`CodeProblem::DicomShape`] otherwise.
///
/// # Example
///
/// ```
/// use emr_core::codes::{simple, CodeProblem};
///
/// assert_eq!(simple::check_dicom("CT"), Ok(()));
/// assert_eq!(simple::check_dicom("110114"), Ok(()));
/// assert_eq!(simple::check_dicom("ct"), Err(CodeProblem::DicomShape));
/// ```
pub fn check_dicom(code: &str) -> Result<(), CodeProblem> {
    let ok = DICOM_LENGTH.contains(&code.len()) && code.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit());
    if ok {
        Ok(())
    } else {
        Err(CodeProblem::DicomShape)
    }
}

/// True when `code` is 1 to `max` ASCII digits.
fn is_digits(code: &str, max: usize) -> bool {
    (1..=max).contains(&code.len()) && code.bytes().all(|b| b.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rxnorm() {
        for code in ["1", "161", "313782", "1049630", "2001499"] {
            assert_eq!(check_rxnorm(code), Ok(()), "{code}");
        }
        for code in ["", "12345678901", "31378 2", "-1", "٣١٣"] {
            assert_eq!(check_rxnorm(code), Err(CodeProblem::RxNormShape), "{code:?}");
        }
    }

    #[test]
    fn cvx() {
        for code in ["1", "08", "140", "300"] {
            assert_eq!(check_cvx(code), Ok(()), "{code}");
        }
        for code in ["", "1000", "8a", " 08"] {
            assert_eq!(check_cvx(code), Err(CodeProblem::CvxShape), "{code:?}");
        }
    }

    #[test]
    fn dicom() {
        for code in ["CT", "MR", "DX", "US", "NM", "CR", "RTSTRUCT", "110114", "121065"] {
            assert_eq!(check_dicom(code), Ok(()), "{code}");
        }
        for code in ["", "C", "ct", "C T", "R-42453", "ABCDEFGHIJKLMNOPQ", "ÇT"] {
            assert_eq!(check_dicom(code), Err(CodeProblem::DicomShape), "{code:?}");
        }
    }
}
