//! Code systems: well-formedness checks for LOINC, SNOMED CT, ICD-10-CM,
//! RxNorm, CVX, DICOM, and UCUM units.
//!
//! A code is checked against the rules of its system *without* a terminology
//! server: shapes, check digits (LOINC mod-10, SNOMED CT Verhoeff), the
//! SNOMED CT partition identifier, and the UCUM grammar with its table of
//! unit atoms. Whether a well-formed code actually exists in the current
//! release of its terminology is out of scope.
//!
//! * [`KnownSystem`] recognises a system from its FHIR URI ([`LOINC`],
//!   [`SNOMED_CT`], …).
//! * [`check`] checks one code; a failure is a [`CodeProblem`] with a stable
//!   finding code ([`CodeProblem::code`]) and a description of the rule
//!   ([`CodeProblem::describe`]) that never repeats the code itself.
//! * [`ucum`] parses UCUM unit expressions ([`ucum::Unit`]), gives their
//!   dimension, converts values between commensurable units
//!   ([`ucum::convert`]) and, for a few analytes, between mass and substance
//!   concentrations ([`ucum::convert_analyte`]).
//! * The per-system modules ([`loinc`], [`snomed`], [`icd10cm`], [`simple`])
//!   hold the rules and the check-digit algorithms.
//!
//! Nothing here panics, whatever the input; nothing allocates except the
//! UCUM parser.
//!
//! # Example
//!
//! ```
//! use emr_core::codes::{check, CodeProblem, KnownSystem};
//!
//! let system = KnownSystem::from_uri("http://loinc.org").unwrap();
//! assert_eq!(check(system, "2345-7"), Ok(()));
//! let problem = check(system, "2345-8").unwrap_err();
//! assert_eq!(problem, CodeProblem::LoincCheckDigit);
//! assert_eq!(problem.code(), "code.loinc.check-digit");
//!
//! // Synthea writes the LOINC code 34552-0 under the SNOMED CT system.
//! let problem = check(KnownSystem::SnomedCt, "34552-0").unwrap_err();
//! assert_eq!(problem.code(), "code.snomed.looks-like-loinc");
//! ```

pub mod icd10cm;
pub mod loinc;
mod oid;
mod problem;
pub mod simple;
pub mod snomed;
mod system;
pub mod ucum;
mod verhoeff;

pub use oid::system_for_oid;
pub use problem::CodeProblem;
pub use system::{expand_code, shorten_code, KnownSystem};
pub use ucum::UcumError;

/// FHIR system URI of LOINC.
pub const LOINC: &str = "http://loinc.org";
/// FHIR system URI of SNOMED CT.
pub const SNOMED_CT: &str = "http://snomed.info/sct";
/// FHIR system URI of ICD-10-CM (the US clinical modification).
pub const ICD10_CM: &str = "http://hl7.org/fhir/sid/icd-10-cm";
/// FHIR system URI of RxNorm.
pub const RXNORM: &str = "http://www.nlm.nih.gov/research/umls/rxnorm";
/// FHIR system URI of CVX (CDC vaccine codes).
pub const CVX: &str = "http://hl7.org/fhir/sid/cvx";
/// FHIR system URI of UCUM (units of measure).
pub const UCUM: &str = "http://unitsofmeasure.org";
/// FHIR system URI of the DICOM controlled terminology (DCM), which holds the
/// modality codes.
pub const DICOM: &str = "http://dicom.nema.org/resources/ontology/DCM";
/// The IPS absent/unknown code system: "no known allergies", "no information about problems"…
/// Its `no-known-*` codes say a thing is known to be absent; the others that nothing is known.
pub const ABSENT_UNKNOWN: &str = "http://hl7.org/fhir/uv/ips/CodeSystem/absent-unknown-uv-ips";

/// Checks one code against the rules of its system.
///
/// | system | rule |
/// |---|---|
/// | LOINC | `NNNNNNN-C` (1–7 digits) with a mod-10 check digit, or an `LA`/`LL`/`LP`/`LG` code (shape only) — [`loinc::check`] |
/// | SNOMED CT | 6–18 digits, no leading zero, Verhoeff check digit, known partition — [`snomed::check`] |
/// | ICD-10-CM | `A00`, `A00.0` … `A00.0000` — [`icd10cm::check`] |
/// | RxNorm | 1–10 digits — [`simple::check_rxnorm`] |
/// | CVX | 1–3 digits — [`simple::check_cvx`] |
/// | DICOM | 2–16 upper-case letters or digits — [`simple::check_dicom`] |
/// | UCUM | parses as a UCUM expression — [`ucum::Unit::parse`] |
///
/// # Errors
///
/// The first rule the code breaks, as a [`CodeProblem`].
///
/// # Example
///
/// ```
/// use emr_core::codes::{check, CodeProblem, KnownSystem};
///
/// assert_eq!(check(KnownSystem::SnomedCt, "73211009"), Ok(()));
/// assert_eq!(check(KnownSystem::Icd10Cm, "S72.001A"), Ok(()));
/// assert_eq!(check(KnownSystem::Cvx, "1400"), Err(CodeProblem::CvxShape));
/// assert_eq!(check(KnownSystem::Ucum, "mg/dL"), Ok(()));
/// assert!(matches!(check(KnownSystem::Ucum, "mcg"), Err(CodeProblem::UcumSyntax(_))));
/// ```
pub fn check(system: KnownSystem, code: &str) -> Result<(), CodeProblem> {
    match system {
        KnownSystem::Loinc => loinc::check(code),
        KnownSystem::SnomedCt => snomed::check(code),
        KnownSystem::Icd10Cm => icd10cm::check(code),
        KnownSystem::RxNorm => simple::check_rxnorm(code),
        KnownSystem::Cvx => simple::check_cvx(code),
        KnownSystem::Dicom => simple::check_dicom(code),
        KnownSystem::Ucum => ucum::Unit::parse(code).map(|_| ()).map_err(CodeProblem::UcumSyntax),
    }
}

/// What [`check_code`] finds about one `system|code`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct CodeCheck {
    /// The system's URI, a short name written out ([`expand_code`]).
    pub system: String,
    /// The code.
    pub code: String,
    /// The system's name when emr knows it (`LOINC`, `SNOMED CT`…).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub known: Option<String>,
    /// The `system|code` shorthand of a known system (`loinc|4548-4`), else the full form.
    pub short: String,
    /// The rule the code breaks ([`CodeProblem::code`], e.g. `code.loinc.check-digit`); absent
    /// when it is well formed or its system is not known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub problem: Option<String>,
    /// The rule in words ([`CodeProblem::describe`]), never the code itself.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// False for a problem that may be valid FHIR all the same (a SNOMED CT expression).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub definite: Option<bool>,
}

/// Check a `system|code` text — the system a URI or a known system's short name (`loinc|4548-4`)
/// — against its system's rules ([`check`]). `None` when the text is not `system|code`.
///
/// # Example
/// ```
/// use emr_core::codes::check_code;
/// let ok = check_code("loinc|4548-4").unwrap();
/// assert_eq!((ok.system.as_str(), ok.known.as_deref(), ok.problem), ("http://loinc.org", Some("LOINC"), None));
/// let bad = check_code("http://loinc.org|4548-5").unwrap();
/// assert_eq!(bad.problem.as_deref(), Some("code.loinc.check-digit"));
/// assert_eq!(bad.short, "loinc|4548-5");
/// assert!(check_code("http://example.org|x").unwrap().known.is_none());
/// assert!(check_code("4548-4").is_none());
/// ```
pub fn check_code(text: &str) -> Option<CodeCheck> {
    let expanded = expand_code(text);
    let (system, code) = expanded.split_once('|').filter(|(s, c)| !s.is_empty() && !c.is_empty())?;
    let known = KnownSystem::from_uri(system);
    let problem = known.and_then(|k| check(k, code).err());
    Some(CodeCheck {
        system: system.to_owned(),
        code: code.to_owned(),
        known: known.map(|k| k.name().to_owned()),
        short: shorten_code(&expanded).into_owned(),
        problem: problem.as_ref().map(|p| p.code().to_owned()),
        message: problem.as_ref().map(|p| p.describe().to_owned()),
        definite: problem.as_ref().map(CodeProblem::is_definite_error),
    })
}
