//! Why a code is not well formed for its system.

use core::fmt;

use super::ucum::UcumError;
use super::KnownSystem;

/// Why a code is not well formed for its system.
///
/// Each variant maps to a stable dotted finding code ([`CodeProblem::code`])
/// and a description of the rule ([`CodeProblem::describe`]). Neither ever
/// contains the code that was checked: a code may sit next to patient data in
/// a log, and the caller knows where it came from anyway.
///
/// # Example
///
/// ```
/// use emr_core::codes::{check, CodeProblem, KnownSystem};
///
/// let problem = check(KnownSystem::SnomedCt, "138875006").unwrap_err();
/// assert_eq!(problem, CodeProblem::SnomedCheckDigit);
/// assert_eq!(problem.code(), "code.snomed.check-digit");
/// assert_eq!(problem.describe(), "SNOMED CT check digit does not match (Verhoeff)");
/// assert_eq!(problem.system(), KnownSystem::SnomedCt);
/// ```
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum CodeProblem {
    /// LOINC: not `N-C` with 1–7 digits, nor an `LA`/`LL`/`LP`/`LG` code.
    LoincShape,
    /// LOINC: the mod-10 check digit after the hyphen does not match.
    LoincCheckDigit,
    /// SNOMED CT: not 6–18 digits, or a leading zero.
    SnomedShape,
    /// SNOMED CT: the Verhoeff check digit (the last digit) does not match.
    SnomedCheckDigit,
    /// SNOMED CT: the partition identifier (the two digits before the check
    /// digit) is not `00`, `01`, `02`, `10`, `11` or `12`.
    SnomedPartition,
    /// SNOMED CT: the code is a valid LOINC code (digits, hyphen, matching
    /// mod-10 check digit), most likely written under the wrong system.
    SnomedLooksLikeLoinc,
    /// SNOMED CT: the code is a post-coordinated expression in the compositional
    /// grammar (`71341001:272741003=7771000`) whose concept identifiers are all
    /// well formed. FHIR R4 allows expressions in `Coding.code`, so this is not
    /// necessarily an error ([`CodeProblem::is_definite_error`] is false), but
    /// the code is not a single concept and cannot be compared as one.
    SnomedExpression,
    /// ICD-10-CM: not a letter, a digit, a digit or letter, then optionally a
    /// dot and 1–4 letters or digits.
    Icd10CmShape,
    /// RxNorm: not 1–10 digits.
    RxNormShape,
    /// CVX: not 1–3 digits.
    CvxShape,
    /// DICOM: not 2–16 upper-case letters or digits.
    DicomShape,
    /// UCUM: the expression does not parse; the error says why and where.
    UcumSyntax(UcumError),
}

impl CodeProblem {
    /// Every finding code with its rule, in a stable order: the table to
    /// document.
    ///
    /// # Example
    ///
    /// ```
    /// use emr_core::codes::CodeProblem;
    ///
    /// let codes: Vec<&str> = CodeProblem::CATALOG.iter().map(|(code, _)| *code).collect();
    /// assert!(codes.contains(&"code.loinc.check-digit"));
    /// ```
    pub const CATALOG: [(&'static str, &'static str); 12] = [
        ("code.loinc.shape", LOINC_SHAPE),
        ("code.loinc.check-digit", LOINC_CHECK),
        ("code.snomed.shape", SNOMED_SHAPE),
        ("code.snomed.check-digit", SNOMED_CHECK),
        ("code.snomed.partition", SNOMED_PARTITION),
        ("code.snomed.looks-like-loinc", SNOMED_LOINC),
        ("code.snomed.expression", SNOMED_EXPRESSION),
        ("code.icd10cm.shape", ICD10CM_SHAPE),
        ("code.rxnorm.shape", RXNORM_SHAPE),
        ("code.cvx.shape", CVX_SHAPE),
        ("code.dicom.shape", DICOM_SHAPE),
        ("code.ucum.syntax", UCUM_SYNTAX),
    ];

    /// The stable dotted finding code, e.g. `code.loinc.check-digit`.
    ///
    /// # Example
    ///
    /// ```
    /// use emr_core::codes::CodeProblem;
    ///
    /// assert_eq!(CodeProblem::SnomedPartition.code(), "code.snomed.partition");
    /// ```
    pub fn code(&self) -> &'static str {
        match self {
            CodeProblem::LoincShape => "code.loinc.shape",
            CodeProblem::LoincCheckDigit => "code.loinc.check-digit",
            CodeProblem::SnomedShape => "code.snomed.shape",
            CodeProblem::SnomedCheckDigit => "code.snomed.check-digit",
            CodeProblem::SnomedPartition => "code.snomed.partition",
            CodeProblem::SnomedLooksLikeLoinc => "code.snomed.looks-like-loinc",
            CodeProblem::SnomedExpression => "code.snomed.expression",
            CodeProblem::Icd10CmShape => "code.icd10cm.shape",
            CodeProblem::RxNormShape => "code.rxnorm.shape",
            CodeProblem::CvxShape => "code.cvx.shape",
            CodeProblem::DicomShape => "code.dicom.shape",
            CodeProblem::UcumSyntax(_) => "code.ucum.syntax",
        }
    }

    /// The rule that was broken, in words. It never includes the code itself.
    ///
    /// For [`CodeProblem::UcumSyntax`] the text names the kind of syntax error
    /// (e.g. an unknown unit atom); the byte offset is in the error.
    ///
    /// # Example
    ///
    /// ```
    /// use emr_core::codes::CodeProblem;
    ///
    /// assert_eq!(
    ///     CodeProblem::LoincCheckDigit.describe(),
    ///     "LOINC check digit does not match (mod-10)"
    /// );
    /// ```
    pub fn describe(&self) -> &'static str {
        match self {
            CodeProblem::LoincShape => LOINC_SHAPE,
            CodeProblem::LoincCheckDigit => LOINC_CHECK,
            CodeProblem::SnomedShape => SNOMED_SHAPE,
            CodeProblem::SnomedCheckDigit => SNOMED_CHECK,
            CodeProblem::SnomedPartition => SNOMED_PARTITION,
            CodeProblem::SnomedLooksLikeLoinc => SNOMED_LOINC,
            CodeProblem::SnomedExpression => SNOMED_EXPRESSION,
            CodeProblem::Icd10CmShape => ICD10CM_SHAPE,
            CodeProblem::RxNormShape => RXNORM_SHAPE,
            CodeProblem::CvxShape => CVX_SHAPE,
            CodeProblem::DicomShape => DICOM_SHAPE,
            CodeProblem::UcumSyntax(error) => error.kind.rule(),
        }
    }

    /// The system whose rule was broken.
    ///
    /// # Example
    ///
    /// ```
    /// use emr_core::codes::{CodeProblem, KnownSystem};
    ///
    /// assert_eq!(CodeProblem::SnomedLooksLikeLoinc.system(), KnownSystem::SnomedCt);
    /// ```
    pub fn system(&self) -> KnownSystem {
        match self {
            CodeProblem::LoincShape | CodeProblem::LoincCheckDigit => KnownSystem::Loinc,
            CodeProblem::SnomedShape
            | CodeProblem::SnomedCheckDigit
            | CodeProblem::SnomedPartition
            | CodeProblem::SnomedLooksLikeLoinc
            | CodeProblem::SnomedExpression => KnownSystem::SnomedCt,
            CodeProblem::Icd10CmShape => KnownSystem::Icd10Cm,
            CodeProblem::RxNormShape => KnownSystem::RxNorm,
            CodeProblem::CvxShape => KnownSystem::Cvx,
            CodeProblem::DicomShape => KnownSystem::Dicom,
            CodeProblem::UcumSyntax(_) => KnownSystem::Ucum,
        }
    }

    /// False only for findings that may be legitimate data: a SNOMED CT
    /// post-coordinated expression ([`CodeProblem::SnomedExpression`]).
    /// Everything else is a malformed code.
    ///
    /// # Example
    ///
    /// ```
    /// use emr_core::codes::{check, KnownSystem};
    ///
    /// let problem = check(KnownSystem::SnomedCt, "71341001:272741003=7771000").unwrap_err();
    /// assert!(!problem.is_definite_error());
    /// ```
    pub fn is_definite_error(&self) -> bool {
        !matches!(self, CodeProblem::SnomedExpression)
    }
}

impl fmt::Display for CodeProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CodeProblem::UcumSyntax(error) => write!(f, "{}: {}", self.code(), error),
            _ => write!(f, "{}: {}", self.code(), self.describe()),
        }
    }
}

impl std::error::Error for CodeProblem {}

const LOINC_SHAPE: &str = "LOINC code must be 1-7 digits, a hyphen and a check digit, or an LA/LL/LP/LG code";
const LOINC_CHECK: &str = "LOINC check digit does not match (mod-10)";
const SNOMED_SHAPE: &str = "SNOMED CT identifier must be 6-18 digits without a leading zero";
const SNOMED_CHECK: &str = "SNOMED CT check digit does not match (Verhoeff)";
const SNOMED_PARTITION: &str =
    "SNOMED CT partition identifier (digits 2-3 from the right) must be 00, 01, 02, 10, 11 or 12";
const SNOMED_LOINC: &str =
    "code in the SNOMED CT system looks like a LOINC code (digits, hyphen, valid mod-10 check digit)";
const SNOMED_EXPRESSION: &str =
    "SNOMED CT post-coordinated expression rather than a single concept identifier (its identifiers are well formed)";
const ICD10CM_SHAPE: &str = "ICD-10-CM code must be an upper-case letter, a digit, a digit or letter, then optionally a dot and 1-4 letters or digits";
const RXNORM_SHAPE: &str = "RxNorm code must be 1-10 digits";
const CVX_SHAPE: &str = "CVX code must be 1-3 digits";
const DICOM_SHAPE: &str = "DICOM code must be 2-16 upper-case letters or digits";
const UCUM_SYNTAX: &str = "unit code does not parse as a UCUM expression";

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codes::ucum::Unit;

    fn all() -> Vec<CodeProblem> {
        let ucum = Unit::parse("mgg").err().map(CodeProblem::UcumSyntax);
        let mut v = vec![
            CodeProblem::LoincShape,
            CodeProblem::LoincCheckDigit,
            CodeProblem::SnomedShape,
            CodeProblem::SnomedCheckDigit,
            CodeProblem::SnomedPartition,
            CodeProblem::SnomedLooksLikeLoinc,
            CodeProblem::SnomedExpression,
            CodeProblem::Icd10CmShape,
            CodeProblem::RxNormShape,
            CodeProblem::CvxShape,
            CodeProblem::DicomShape,
        ];
        v.extend(ucum);
        v
    }

    #[test]
    fn catalog_lists_every_code_once_in_order() {
        let problems = all();
        assert_eq!(problems.len(), CodeProblem::CATALOG.len());
        for (problem, (code, _)) in problems.iter().zip(CodeProblem::CATALOG) {
            assert_eq!(problem.code(), code);
            assert!(code.starts_with("code."));
        }
    }

    #[test]
    fn display_names_code_and_rule_without_input() {
        let problem = crate::codes::check(KnownSystem::Ucum, "kilogram").unwrap_err();
        let text = problem.to_string();
        assert!(text.starts_with("code.ucum.syntax: "), "{text}");
        assert!(!text.contains("kilogram"), "{text}");
        for problem in all() {
            assert!(!problem.describe().is_empty());
            assert!(!problem.system().uri().is_empty());
        }
    }
}
