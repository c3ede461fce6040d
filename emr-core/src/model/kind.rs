//! Entry kinds and the FHIR R4 resource types that map to them.

use serde::{Deserialize, Serialize};

/// The clinical kind of an entry, decided by its FHIR `resourceType`.
///
/// # Example
/// ```
/// use emr_core::model::EntryKind;
/// assert_eq!(EntryKind::of_resource_type("AllergyIntolerance"), EntryKind::Allergy);
/// assert_eq!(EntryKind::of_resource_type("ExplanationOfBenefit"), EntryKind::Claim);
/// assert_eq!(EntryKind::of_resource_type("Goal"), EntryKind::Opaque);
/// assert_eq!(EntryKind::Allergy.as_str(), "allergy");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum EntryKind {
    /// `AllergyIntolerance`.
    Allergy,
    /// `Condition`: a problem or diagnosis.
    Condition,
    /// `MedicationRequest`, `MedicationStatement`, `MedicationAdministration`, `MedicationDispense`, `Medication`.
    Medication,
    /// `Immunization`.
    Immunization,
    /// `Observation`: lab results, vital signs, social history.
    Observation,
    /// `Procedure`.
    Procedure,
    /// `Encounter`: a visit.
    Encounter,
    /// `DocumentReference` or `Composition`: a clinical note or document.
    Note,
    /// `FamilyMemberHistory`.
    FamilyHistory,
    /// `ImagingStudy`: radiology.
    ImagingStudy,
    /// `DiagnosticReport`.
    DiagnosticReport,
    /// `Appointment`.
    Appointment,
    /// `Coverage`: insurance.
    Coverage,
    /// `Claim`, `ClaimResponse`, `ExplanationOfBenefit`, `PaymentNotice`, `PaymentReconciliation`.
    Claim,
    /// Any other resource, kept verbatim.
    Opaque,
}

impl EntryKind {
    /// Every kind, in declaration order.
    pub const ALL: [EntryKind; 15] = [
        EntryKind::Allergy,
        EntryKind::Condition,
        EntryKind::Medication,
        EntryKind::Immunization,
        EntryKind::Observation,
        EntryKind::Procedure,
        EntryKind::Encounter,
        EntryKind::Note,
        EntryKind::FamilyHistory,
        EntryKind::ImagingStudy,
        EntryKind::DiagnosticReport,
        EntryKind::Appointment,
        EntryKind::Coverage,
        EntryKind::Claim,
        EntryKind::Opaque,
    ];

    /// The kind for a FHIR resource type name; `Opaque` for all others.
    pub fn of_resource_type(resource_type: &str) -> EntryKind {
        match resource_type {
            "AllergyIntolerance" => EntryKind::Allergy,
            "Condition" => EntryKind::Condition,
            "MedicationRequest"
            | "MedicationStatement"
            | "MedicationAdministration"
            | "MedicationDispense"
            | "Medication" => EntryKind::Medication,
            "Immunization" => EntryKind::Immunization,
            "Observation" => EntryKind::Observation,
            "Procedure" => EntryKind::Procedure,
            "Encounter" => EntryKind::Encounter,
            "DocumentReference" | "Composition" => EntryKind::Note,
            "FamilyMemberHistory" => EntryKind::FamilyHistory,
            "ImagingStudy" => EntryKind::ImagingStudy,
            "DiagnosticReport" => EntryKind::DiagnosticReport,
            "Appointment" => EntryKind::Appointment,
            "Coverage" => EntryKind::Coverage,
            "Claim" | "ClaimResponse" | "ExplanationOfBenefit" | "PaymentNotice" | "PaymentReconciliation" => {
                EntryKind::Claim
            }
            _ => EntryKind::Opaque,
        }
    }

    /// The kind's stable lower-case name, as used in JSON and on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            EntryKind::Allergy => "allergy",
            EntryKind::Condition => "condition",
            EntryKind::Medication => "medication",
            EntryKind::Immunization => "immunization",
            EntryKind::Observation => "observation",
            EntryKind::Procedure => "procedure",
            EntryKind::Encounter => "encounter",
            EntryKind::Note => "note",
            EntryKind::FamilyHistory => "family-history",
            EntryKind::ImagingStudy => "imaging-study",
            EntryKind::DiagnosticReport => "diagnostic-report",
            EntryKind::Appointment => "appointment",
            EntryKind::Coverage => "coverage",
            EntryKind::Claim => "claim",
            EntryKind::Opaque => "opaque",
        }
    }
}

impl std::fmt::Display for EntryKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for EntryKind {
    type Err = UnknownKind;

    fn from_str(s: &str) -> Result<Self, UnknownKind> {
        EntryKind::ALL.into_iter().find(|k| k.as_str() == s).ok_or(UnknownKind)
    }
}

/// The text names no entry kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("unknown entry kind; expected one of allergy, condition, medication, immunization, observation, procedure, encounter, note, family-history, imaging-study, diagnostic-report, appointment, coverage, claim, opaque")]
pub struct UnknownKind;

/// Whether `name` is a resource type defined by FHIR R4 (4.0.1).
///
/// # Example
/// ```
/// assert!(emr_core::model::is_r4_resource_type("Observation"));
/// assert!(!emr_core::model::is_r4_resource_type("Permission")); // R5 only
/// ```
pub fn is_r4_resource_type(name: &str) -> bool {
    super::r4_type_index(name).is_some()
}

/// The 146 resource types of FHIR R4 (4.0.1), sorted (from the HL7 R4 JSON Schema).
pub const R4_RESOURCE_TYPES: [&str; 146] = [
    "Account",
    "ActivityDefinition",
    "AdverseEvent",
    "AllergyIntolerance",
    "Appointment",
    "AppointmentResponse",
    "AuditEvent",
    "Basic",
    "Binary",
    "BiologicallyDerivedProduct",
    "BodyStructure",
    "Bundle",
    "CapabilityStatement",
    "CarePlan",
    "CareTeam",
    "CatalogEntry",
    "ChargeItem",
    "ChargeItemDefinition",
    "Claim",
    "ClaimResponse",
    "ClinicalImpression",
    "CodeSystem",
    "Communication",
    "CommunicationRequest",
    "CompartmentDefinition",
    "Composition",
    "ConceptMap",
    "Condition",
    "Consent",
    "Contract",
    "Coverage",
    "CoverageEligibilityRequest",
    "CoverageEligibilityResponse",
    "DetectedIssue",
    "Device",
    "DeviceDefinition",
    "DeviceMetric",
    "DeviceRequest",
    "DeviceUseStatement",
    "DiagnosticReport",
    "DocumentManifest",
    "DocumentReference",
    "EffectEvidenceSynthesis",
    "Encounter",
    "Endpoint",
    "EnrollmentRequest",
    "EnrollmentResponse",
    "EpisodeOfCare",
    "EventDefinition",
    "Evidence",
    "EvidenceVariable",
    "ExampleScenario",
    "ExplanationOfBenefit",
    "FamilyMemberHistory",
    "Flag",
    "Goal",
    "GraphDefinition",
    "Group",
    "GuidanceResponse",
    "HealthcareService",
    "ImagingStudy",
    "Immunization",
    "ImmunizationEvaluation",
    "ImmunizationRecommendation",
    "ImplementationGuide",
    "InsurancePlan",
    "Invoice",
    "Library",
    "Linkage",
    "List",
    "Location",
    "Measure",
    "MeasureReport",
    "Media",
    "Medication",
    "MedicationAdministration",
    "MedicationDispense",
    "MedicationKnowledge",
    "MedicationRequest",
    "MedicationStatement",
    "MedicinalProduct",
    "MedicinalProductAuthorization",
    "MedicinalProductContraindication",
    "MedicinalProductIndication",
    "MedicinalProductIngredient",
    "MedicinalProductInteraction",
    "MedicinalProductManufactured",
    "MedicinalProductPackaged",
    "MedicinalProductPharmaceutical",
    "MedicinalProductUndesirableEffect",
    "MessageDefinition",
    "MessageHeader",
    "MolecularSequence",
    "NamingSystem",
    "NutritionOrder",
    "Observation",
    "ObservationDefinition",
    "OperationDefinition",
    "OperationOutcome",
    "Organization",
    "OrganizationAffiliation",
    "Parameters",
    "Patient",
    "PaymentNotice",
    "PaymentReconciliation",
    "Person",
    "PlanDefinition",
    "Practitioner",
    "PractitionerRole",
    "Procedure",
    "Provenance",
    "Questionnaire",
    "QuestionnaireResponse",
    "RelatedPerson",
    "RequestGroup",
    "ResearchDefinition",
    "ResearchElementDefinition",
    "ResearchStudy",
    "ResearchSubject",
    "RiskAssessment",
    "RiskEvidenceSynthesis",
    "Schedule",
    "SearchParameter",
    "ServiceRequest",
    "Slot",
    "Specimen",
    "SpecimenDefinition",
    "StructureDefinition",
    "StructureMap",
    "Subscription",
    "Substance",
    "SubstanceNucleicAcid",
    "SubstancePolymer",
    "SubstanceProtein",
    "SubstanceReferenceInformation",
    "SubstanceSourceMaterial",
    "SubstanceSpecification",
    "SupplyDelivery",
    "SupplyRequest",
    "Task",
    "TerminologyCapabilities",
    "TestReport",
    "TestScript",
    "ValueSet",
    "VerificationResult",
    "VisionPrescription",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resource_types_sorted_for_binary_search() {
        assert!(R4_RESOURCE_TYPES.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn kind_names_round_trip() {
        for k in EntryKind::ALL {
            assert_eq!(k.as_str().parse::<EntryKind>(), Ok(k));
            let json = serde_json::to_string(&k).unwrap();
            assert_eq!(json, format!("\"{}\"", k.as_str()));
        }
    }
}
