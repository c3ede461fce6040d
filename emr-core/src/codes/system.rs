//! The code systems this module knows, and their FHIR URIs.

use core::fmt;

/// A known code system, recognised from its FHIR system URI.
///
/// Recognition is by exact, case-sensitive comparison, as FHIR requires for
/// `Coding.system`: `https://loinc.org` or `http://loinc.org/` are *not*
/// LOINC.
///
/// # Example
///
/// ```
/// use emr_core::codes::{KnownSystem, SNOMED_CT};
///
/// assert_eq!(KnownSystem::from_uri(SNOMED_CT), Some(KnownSystem::SnomedCt));
/// assert_eq!(KnownSystem::SnomedCt.uri(), "http://snomed.info/sct");
/// assert_eq!(KnownSystem::from_uri("http://example.org/codes"), None);
/// ```
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum KnownSystem {
    /// LOINC, `http://loinc.org`.
    Loinc,
    /// SNOMED CT, `http://snomed.info/sct`.
    SnomedCt,
    /// ICD-10-CM, `http://hl7.org/fhir/sid/icd-10-cm`.
    Icd10Cm,
    /// RxNorm, `http://www.nlm.nih.gov/research/umls/rxnorm`.
    RxNorm,
    /// CVX, `http://hl7.org/fhir/sid/cvx`.
    Cvx,
    /// UCUM, `http://unitsofmeasure.org`.
    Ucum,
    /// DICOM controlled terminology, `http://dicom.nema.org/resources/ontology/DCM`.
    Dicom,
}

impl KnownSystem {
    /// Every known system, in declaration order.
    ///
    /// # Example
    ///
    /// ```
    /// use emr_core::codes::KnownSystem;
    ///
    /// for system in KnownSystem::ALL {
    ///     assert_eq!(KnownSystem::from_uri(system.uri()), Some(system));
    /// }
    /// ```
    pub const ALL: [KnownSystem; 7] = [
        KnownSystem::Loinc,
        KnownSystem::SnomedCt,
        KnownSystem::Icd10Cm,
        KnownSystem::RxNorm,
        KnownSystem::Cvx,
        KnownSystem::Ucum,
        KnownSystem::Dicom,
    ];

    /// The system named by a FHIR system URI, if it is one of the known ones.
    ///
    /// # Example
    ///
    /// ```
    /// use emr_core::codes::KnownSystem;
    ///
    /// assert_eq!(KnownSystem::from_uri("http://loinc.org"), Some(KnownSystem::Loinc));
    /// assert_eq!(KnownSystem::from_uri("http://LOINC.org"), None);
    /// ```
    pub fn from_uri(uri: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|system| system.uri() == uri)
    }

    /// The FHIR system URI.
    ///
    /// # Example
    ///
    /// ```
    /// use emr_core::codes::{KnownSystem, CVX};
    ///
    /// assert_eq!(KnownSystem::Cvx.uri(), CVX);
    /// ```
    pub fn uri(self) -> &'static str {
        match self {
            KnownSystem::Loinc => super::LOINC,
            KnownSystem::SnomedCt => super::SNOMED_CT,
            KnownSystem::Icd10Cm => super::ICD10_CM,
            KnownSystem::RxNorm => super::RXNORM,
            KnownSystem::Cvx => super::CVX,
            KnownSystem::Ucum => super::UCUM,
            KnownSystem::Dicom => super::DICOM,
        }
    }

    /// The usual short name of the system, for messages.
    ///
    /// # Example
    ///
    /// ```
    /// use emr_core::codes::KnownSystem;
    ///
    /// assert_eq!(KnownSystem::SnomedCt.name(), "SNOMED CT");
    /// ```
    pub fn name(self) -> &'static str {
        match self {
            KnownSystem::Loinc => "LOINC",
            KnownSystem::SnomedCt => "SNOMED CT",
            KnownSystem::Icd10Cm => "ICD-10-CM",
            KnownSystem::RxNorm => "RxNorm",
            KnownSystem::Cvx => "CVX",
            KnownSystem::Ucum => "UCUM",
            KnownSystem::Dicom => "DICOM",
        }
    }
}

impl KnownSystem {
    /// The short name of the `system|code` shorthand that clinicians type (`loinc|4548-4`):
    /// lower case, no spaces.
    ///
    /// # Example
    ///
    /// ```
    /// use emr_core::codes::KnownSystem;
    ///
    /// assert_eq!(KnownSystem::SnomedCt.short_name(), "snomed");
    /// ```
    pub fn short_name(self) -> &'static str {
        match self {
            KnownSystem::Loinc => "loinc",
            KnownSystem::SnomedCt => "snomed",
            KnownSystem::Icd10Cm => "icd10cm",
            KnownSystem::RxNorm => "rxnorm",
            KnownSystem::Cvx => "cvx",
            KnownSystem::Ucum => "ucum",
            KnownSystem::Dicom => "dicom",
        }
    }

    /// The system of a short name, case-insensitively (`LOINC`, `loinc`).
    ///
    /// # Example
    ///
    /// ```
    /// use emr_core::codes::KnownSystem;
    ///
    /// assert_eq!(KnownSystem::from_short_name("RxNorm"), Some(KnownSystem::RxNorm));
    /// assert_eq!(KnownSystem::from_short_name("http://loinc.org"), None);
    /// ```
    pub fn from_short_name(name: &str) -> Option<Self> {
        KnownSystem::ALL.into_iter().find(|s| s.short_name().eq_ignore_ascii_case(name))
    }
}

/// A `system|code` text with a short system name written out in full (`loinc|4548-4` →
/// `http://loinc.org|4548-4`); a full URI or a bare code is returned as it is.
///
/// # Example
///
/// ```
/// use emr_core::codes::expand_code;
///
/// assert_eq!(expand_code("loinc|4548-4"), "http://loinc.org|4548-4");
/// assert_eq!(expand_code("http://loinc.org|4548-4"), "http://loinc.org|4548-4");
/// assert_eq!(expand_code("4548-4"), "4548-4");
/// ```
pub fn expand_code(code: &str) -> std::borrow::Cow<'_, str> {
    match code.split_once('|').and_then(|(system, value)| Some((KnownSystem::from_short_name(system)?, value))) {
        Some((system, value)) => format!("{}|{value}", system.uri()).into(),
        None => code.into(),
    }
}

/// A `system|code` text with a known system shortened (`http://loinc.org|4548-4` →
/// `loinc|4548-4`); other systems and bare codes are returned as they are.
///
/// # Example
///
/// ```
/// use emr_core::codes::shorten_code;
///
/// assert_eq!(shorten_code("http://snomed.info/sct|44054006"), "snomed|44054006");
/// assert_eq!(shorten_code("http://example.org|x"), "http://example.org|x");
/// ```
pub fn shorten_code(code: &str) -> std::borrow::Cow<'_, str> {
    match code.split_once('|').and_then(|(system, value)| Some((KnownSystem::from_uri(system)?, value))) {
        Some((system, value)) => format!("{}|{value}", system.short_name()).into(),
        None => code.into(),
    }
}

impl fmt::Display for KnownSystem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uris_round_trip_and_are_distinct() {
        for a in KnownSystem::ALL {
            assert_eq!(KnownSystem::from_uri(a.uri()), Some(a));
            for b in KnownSystem::ALL {
                assert_eq!(a == b, a.uri() == b.uri());
            }
        }
    }

    #[test]
    fn short_names_round_trip_through_the_shorthand() {
        for system in KnownSystem::ALL {
            assert_eq!(KnownSystem::from_short_name(system.short_name()), Some(system));
            let full = format!("{}|x", system.uri());
            assert_eq!(expand_code(&shorten_code(&full)), full);
        }
    }

    #[test]
    fn near_misses_are_not_recognised() {
        for uri in [
            "",
            "http://loinc.org/",
            "https://loinc.org",
            "http://snomed.info/sct/900000000000207008",
            "urn:oid:2.16.840.1.113883.6.1",
        ] {
            assert_eq!(KnownSystem::from_uri(uri), None, "{uri}");
        }
    }
}
