//! Code-system OIDs (as HL7 v3 and C-CDA name systems) and their FHIR URIs.

use std::borrow::Cow;

use super::KnownSystem;

/// OIDs of systems beside the [`KnownSystem`]s, with the URI FHIR R4 (or HL7's terminology
/// server) gives them. Systems FHIR itself names by OID (CDC race and ethnicity, …) are not
/// listed: they stay `urn:oid:`, as do OIDs documents are seen to misuse (`6.13`, CDT, carries
/// HCPCS codes in HL7's own examples).
const OTHER: &[(&str, &str)] = &[
    ("2.16.840.1.113883.6.69", "http://hl7.org/fhir/sid/ndc"),
    ("2.16.840.1.113883.6.103", "http://hl7.org/fhir/sid/icd-9-cm"),
    ("2.16.840.1.113883.6.3", "http://hl7.org/fhir/sid/icd-10"),
    ("2.16.840.1.113883.6.4", "http://www.cms.gov/Medicare/Coding/ICD10"),
    ("2.16.840.1.113883.6.12", "http://www.ama-assn.org/go/cpt"),
    ("2.16.840.1.113883.6.101", "http://nucc.org/provider-taxonomy"),
    ("2.16.840.1.113883.6.259", "https://www.cdc.gov/nhsn/cdaportal/terminology/codesystem/hsloc.html"),
    ("2.16.840.1.113883.12.227", "http://hl7.org/fhir/sid/mvx"),
    ("2.16.840.1.113883.4.6", "http://hl7.org/fhir/sid/us-npi"),
    ("2.16.840.1.113883.4.1", "http://hl7.org/fhir/sid/us-ssn"),
    ("1.0.639.1", "urn:ietf:bcp:47"),
    ("2.16.840.1.113883.5.1", "http://terminology.hl7.org/CodeSystem/v3-AdministrativeGender"),
    ("2.16.840.1.113883.5.2", "http://terminology.hl7.org/CodeSystem/v3-MaritalStatus"),
    ("2.16.840.1.113883.5.4", "http://terminology.hl7.org/CodeSystem/v3-ActCode"),
    ("2.16.840.1.113883.5.6", "http://terminology.hl7.org/CodeSystem/v3-ActClass"),
    ("2.16.840.1.113883.5.7", "http://terminology.hl7.org/CodeSystem/v3-ActPriority"),
    ("2.16.840.1.113883.5.8", "http://terminology.hl7.org/CodeSystem/v3-ActReason"),
    ("2.16.840.1.113883.5.14", "http://terminology.hl7.org/CodeSystem/v3-ActStatus"),
    ("2.16.840.1.113883.5.25", "http://terminology.hl7.org/CodeSystem/v3-Confidentiality"),
    ("2.16.840.1.113883.5.50", "http://terminology.hl7.org/CodeSystem/v3-Ethnicity"),
    ("2.16.840.1.113883.5.60", "http://terminology.hl7.org/CodeSystem/v3-LanguageAbilityMode"),
    ("2.16.840.1.113883.5.61", "http://terminology.hl7.org/CodeSystem/v3-LanguageAbilityProficiency"),
    ("2.16.840.1.113883.5.83", "http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation"),
    ("2.16.840.1.113883.5.88", "http://terminology.hl7.org/CodeSystem/v3-ParticipationFunction"),
    ("2.16.840.1.113883.5.90", "http://terminology.hl7.org/CodeSystem/v3-ParticipationType"),
    ("2.16.840.1.113883.5.104", "http://terminology.hl7.org/CodeSystem/v3-Race"),
    ("2.16.840.1.113883.5.110", "http://terminology.hl7.org/CodeSystem/v3-RoleClass"),
    ("2.16.840.1.113883.5.111", "http://terminology.hl7.org/CodeSystem/v3-RoleCode"),
    ("2.16.840.1.113883.5.112", "http://terminology.hl7.org/CodeSystem/v3-RouteOfAdministration"),
    ("2.16.840.1.113883.5.139", "http://terminology.hl7.org/CodeSystem/v3-TimingEvent"),
    ("2.16.840.1.113883.5.1008", "http://terminology.hl7.org/CodeSystem/v3-NullFlavor"),
    ("2.16.840.1.113883.5.1063", "http://terminology.hl7.org/CodeSystem/v3-ObservationValue"),
    ("2.16.840.1.113883.5.1076", "http://terminology.hl7.org/CodeSystem/v3-ReligiousAffiliation"),
    ("2.16.840.1.113883.5.1119", "http://terminology.hl7.org/CodeSystem/v3-AddressUse"),
];

impl KnownSystem {
    /// The system's OID, as HL7 v3 documents (C-CDA) name it in `codeSystem`.
    ///
    /// # Example
    ///
    /// ```
    /// use emr_core::codes::KnownSystem;
    ///
    /// assert_eq!(KnownSystem::Loinc.oid(), "2.16.840.1.113883.6.1");
    /// assert_eq!(KnownSystem::from_oid("2.16.840.1.113883.6.96"), Some(KnownSystem::SnomedCt));
    /// ```
    pub fn oid(self) -> &'static str {
        match self {
            KnownSystem::Loinc => "2.16.840.1.113883.6.1",
            KnownSystem::SnomedCt => "2.16.840.1.113883.6.96",
            KnownSystem::Icd10Cm => "2.16.840.1.113883.6.90",
            KnownSystem::RxNorm => "2.16.840.1.113883.6.88",
            KnownSystem::Cvx => "2.16.840.1.113883.12.292",
            KnownSystem::Ucum => "2.16.840.1.113883.6.8",
            KnownSystem::Dicom => "1.2.840.10008.2.16.4",
        }
    }

    /// The known system with this OID, if any.
    ///
    /// # Example
    ///
    /// ```
    /// use emr_core::codes::KnownSystem;
    ///
    /// assert_eq!(KnownSystem::from_oid("2.16.840.1.113883.12.292"), Some(KnownSystem::Cvx));
    /// assert_eq!(KnownSystem::from_oid("1.2.3"), None);
    /// ```
    pub fn from_oid(oid: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|system| system.oid() == oid)
    }
}

/// The FHIR system URI for a code system or identifier namespace named by an OID: the known
/// URI where FHIR has one, else `urn:oid:` and the OID.
///
/// # Example
///
/// ```
/// use emr_core::codes::system_for_oid;
///
/// assert_eq!(system_for_oid("2.16.840.1.113883.6.1"), "http://loinc.org");
/// assert_eq!(system_for_oid("2.16.840.1.113883.6.69"), "http://hl7.org/fhir/sid/ndc");
/// assert_eq!(system_for_oid("1.2.3.4"), "urn:oid:1.2.3.4");
/// ```
pub fn system_for_oid(oid: &str) -> Cow<'static, str> {
    if let Some(known) = KnownSystem::from_oid(oid) {
        return Cow::Borrowed(known.uri());
    }
    match OTHER.iter().find(|(o, _)| *o == oid) {
        Some((_, uri)) => Cow::Borrowed(uri),
        None => Cow::Owned(format!("urn:oid:{oid}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn oids_round_trip_and_are_distinct() {
        for a in KnownSystem::ALL {
            assert_eq!(KnownSystem::from_oid(a.oid()), Some(a));
            assert_eq!(system_for_oid(a.oid()), a.uri());
        }
        for (i, (a, _)) in OTHER.iter().enumerate() {
            assert!(KnownSystem::from_oid(a).is_none(), "{a}");
            assert!(OTHER.iter().skip(i + 1).all(|(b, _)| a != b), "{a} twice");
        }
    }
}
