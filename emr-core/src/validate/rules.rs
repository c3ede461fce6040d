//! The table of validation rules: every finding code, its severity and what it checks.

use serde::{Deserialize, Serialize};

/// How serious a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// The record is wrong: a reader would be misled or a rule of FHIR is broken.
    Error,
    /// Probably wrong, or incomplete in a way that limits what emr can do.
    Warning,
}

impl Severity {
    /// The lower-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        }
    }
}

/// One validation rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rule {
    /// Stable dotted id, e.g. `date.future`.
    pub code: &'static str,
    /// Severity of its findings.
    pub severity: Severity,
    /// What it checks, in words; used as the finding message after the field name.
    pub check: &'static str,
}

macro_rules! rules {
    ($($name:ident = $code:literal, $sev:ident, $check:literal;)*) => {
        $(
            #[doc = concat!("Rule `", $code, "` (see its `check` text).")]
            pub const $name: Rule = Rule { code: $code, severity: Severity::$sev, check: $check };
        )*
        /// Every rule, in documentation order.
        pub const ALL: &[Rule] = &[$($name),*];
    };
}

rules! {
    FORMAT_UNSUPPORTED = "record.format.unsupported", Error, "record format version is newer than this library reads";
    PATIENT_MISSING = "record.patient.missing", Warning, "record has no patient resource";
    SOURCE_ID_EMPTY = "source.id.empty", Error, "source id is empty";
    SOURCE_ID_DUPLICATE = "source.id.duplicate", Error, "source id is used by more than one source";
    ENTRY_SOURCE_UNKNOWN = "entry.source.unknown", Error, "entry names a source that the record does not list";
    ENTRY_ID_EMPTY = "entry.id.empty", Error, "entry id within its source is empty";
    ENTRY_ID_DUPLICATE = "entry.id.duplicate", Error, "the same source, entry id and version occur more than once";
    ENTRY_VERSION_ZERO = "entry.version.zero", Error, "entry version must be 1 or more";
    RECORDED_FUTURE = "entry.recorded.future", Error, "recording time is in the future";
    JSON_KEY_DUPLICATE = "json.key.duplicate", Error, "object has the same member twice; readers would disagree on its value";
    RESOURCE_TYPE_UNKNOWN = "resource.type.unknown", Warning, "resourceType is not a FHIR R4 resource type (kept verbatim)";
    ELEMENT_UNKNOWN = "resource.element.unknown", Warning, "element is not defined by FHIR R4 for this resource type (kept verbatim; an R5 or local element?)";
    ELEMENT_TYPE = "resource.element.type", Error, "element has the wrong JSON type for FHIR R4 (string, number, boolean or object; single or array)";
    RESOURCE_ID_SYNTAX = "resource.id.syntax", Error, "resource id must be 1-64 characters of A-Z a-z 0-9 - .";
    PATIENT_TYPE = "patient.type", Error, "the patient resource is not of type Patient";
    PATIENT_GENDER_UNKNOWN = "patient.gender.unknown", Error, "gender must be male, female, other or unknown";
    PATIENT_BIRTH_AFTER_DEATH = "patient.birth-after-death", Error, "birth date is after the date of death";
    REQUIRED_MISSING = "required.missing", Error, "element required by FHIR R4 for this resource type is missing";
    STATUS_UNKNOWN = "status.unknown", Error, "status code is not in the value set FHIR R4 requires for this element";
    IDENTIFIER_SYSTEM_MISSING = "identifier.system.missing", Warning, "identifier has no system, so it cannot be matched across sources";
    IDENTIFIER_VALUE_MISSING = "identifier.value.missing", Warning, "identifier has no value";
    CODING_SYSTEM_MISSING = "coding.system.missing", Warning, "coding has a code but no system";
    CODING_SYSTEM_NOT_URI = "coding.system.not-uri", Error, "coding system must be an absolute URI (e.g. http://loinc.org or urn:oid:…)";
    CODING_CODE_SPACE = "coding.code.whitespace", Error, "code has leading or trailing whitespace or is empty";
    LOINC_SHAPE = "code.loinc.shape", Error, "LOINC code must be digits, a hyphen and a check digit (or an LA/LP/LG code)";
    LOINC_CHECK = "code.loinc.check-digit", Error, "LOINC check digit does not match (mod 10)";
    SNOMED_SHAPE = "code.snomed.shape", Error, "SNOMED CT identifier must be 6-18 digits without a leading zero";
    SNOMED_CHECK = "code.snomed.check-digit", Error, "SNOMED CT check digit does not match (Verhoeff)";
    SNOMED_PARTITION = "code.snomed.partition", Error, "SNOMED CT partition identifier is not a known partition";
    SNOMED_LOOKS_LIKE_LOINC = "code.snomed.looks-like-loinc", Error, "code in the SNOMED CT system looks like a LOINC code";
    SNOMED_EXPRESSION = "code.snomed.expression", Warning, "SNOMED CT post-coordinated expression: only its form is checked, not its parts";
    ICD10CM_SHAPE = "code.icd10cm.shape", Error, "ICD-10-CM code must be a letter, two characters, and an optional dot with 1-4 more";
    RXNORM_SHAPE = "code.rxnorm.shape", Error, "RxNorm code must be digits";
    CVX_SHAPE = "code.cvx.shape", Error, "CVX code must be 1-3 digits";
    DICOM_SHAPE = "code.dicom.shape", Error, "DICOM code must be upper-case letters or digits";
    UCUM_SYNTAX = "code.ucum.syntax", Error, "unit code does not parse as a UCUM expression";
    QUANTITY_VALUE_TYPE = "quantity.value.type", Error, "quantity value must be a JSON number";
    QUANTITY_COMPARATOR = "quantity.comparator.unknown", Error, "quantity comparator must be <, <=, >=, > or ad";
    QUANTITY_UNIT_NOT_UCUM = "quantity.unit.not-ucum", Warning, "quantity with a unit code but no UCUM system cannot be converted";
    DATE_SYNTAX = "date.syntax", Error, "date must be YYYY, YYYY-MM, YYYY-MM-DD or a date-time with time zone";
    DATE_RANGE = "date.range", Error, "date names a day or time that does not exist";
    DATE_ZONE = "date.zone.missing", Error, "date-time with a time of day must have a time zone";
    DATE_FUTURE = "date.future", Error, "date of a past event is in the future";
    DATE_BEFORE_BIRTH = "date.before-birth", Error, "clinical event is dated before the patient's birth";
    DATE_AFTER_DEATH = "date.after-death", Error, "clinical event is dated after the patient's death";
    ONSET_AFTER_ABATEMENT = "date.onset-after-abatement", Error, "onset is after abatement";
    PERIOD_REVERSED = "period.reversed", Error, "period ends before it starts";
    REFERENCE_SYNTAX = "reference.syntax", Error, "reference is empty or contains whitespace";
    REFERENCE_UNRESOLVED = "reference.unresolved", Warning, "reference points to a resource that is not in the record";
    CONTAINED_UNRESOLVED = "reference.contained.unresolved", Error, "local reference (#id) names no contained resource";
    SUBJECT_MISMATCH = "reference.subject.mismatch", Error, "subject or patient refers to a patient other than the record's";
    OBSERVATION_VALUE_MULTIPLE = "observation.value.multiple", Error, "observation has more than one value[x]";
    OBSERVATION_VALUE_TYPE = "observation.value.type", Error, "observation value has the wrong JSON type for its value[x] name";
    OBSERVATION_VALUE_ABSENT = "observation.value.absent", Warning, "final observation has no value, components, members or data-absent reason";
    OBSERVATION_ABSENT_REASON = "observation.value.absent-reason", Error, "dataAbsentReason is present although a value is (obs-6)";
    RANGE_REVERSED = "observation.range.reversed", Error, "reference range low is above high";
    ALLERGY_CRITICALITY = "allergy.criticality.unknown", Error, "criticality must be low, high or unable-to-assess";
    ERROR_WITH_CLINICAL_STATUS = "status.clinical-with-error", Error, "clinicalStatus must be absent when verificationStatus is entered-in-error (con-5, ait-2)";
    FHIR_ENTRY_EMPTY = "fhir.bundle.entry.empty", Warning, "bundle entry carries no resource, so nothing was imported from it";
    FHIR_ENTRY_NOT_RESOURCE = "fhir.bundle.entry.not-a-resource", Error, "bundle entry's resource is not an object with a resourceType; it was not imported";
    FHIR_BUNDLE_TOO_DEEP = "fhir.bundle.too-deep", Warning, "bundle nested more than 4 levels deep was kept whole as an opaque entry";
    FHIR_NDJSON_LINE = "ndjson.line", Error, "NDJSON line is not a JSON object with a resourceType; nothing was imported from it";
    FHIR_PATIENT_MULTIPLE = "fhir.patient.multiple", Warning, "input holds more than one patient; the record's patient is the first, the others are kept as opaque entries";
    ABATEMENT_ACTIVE = "condition.abatement.active", Error, "condition has an abatement but an active clinicalStatus (con-4)";
    CCDA_PREFIX_UNDECLARED = "ccda.xml.prefix.undeclared", Warning, "C-CDA document uses the xsi or sdtc namespace prefix without declaring it (not namespace-well-formed XML); it was read with the prefix bound to its standard namespace";
    CCDA_SECTION_NARRATIVE = "ccda.section.narrative-only", Warning, "C-CDA section has narrative but no structured entries; its text is imported only as the narrative (XHTML) of the Composition's section (there is none without the document's date: ccda.document.date.missing), which merging and the IPS do not read, and kept in the original document";
    CCDA_DOCUMENT_DATE = "ccda.document.date.missing", Warning, "C-CDA document has no readable effectiveTime (its date), which FHIR's Composition requires: no Composition was made, so the sections' narrative is kept only in the original document";
    CCDA_SECTION_NO_INFO = "ccda.section.no-information", Warning, "C-CDA section is marked nullFlavor (no information); nothing was imported from it";
    CCDA_ENTRY_UNMAPPED = "ccda.entry.unmapped", Warning, "C-CDA entry template has no structured mapping; it is kept only in the original document";
    CCDA_NULL_FLAVOR = "ccda.value.null-flavor", Warning, "C-CDA code or value is a nullFlavor (unknown, not asked, other); no coded value was imported for it";
    CCDA_VALUE_UNREAD = "ccda.value.unread", Warning, "C-CDA value could not be read (number, timestamp or data type) or has no place in FHIR (a `home` use of an organization's telecom or address); it is kept only in the original document";
    CCDA_TIME_NO_ZONE = "ccda.time.zone.missing", Warning, "C-CDA timestamp has a time of day but no UTC offset; only its date was imported";
    CCDA_NEGATED = "ccda.entry.negated", Warning, "C-CDA entry is negated (negationInd) for a specific code; imported as refuted or not done, never as a positive entry";
    CCDA_PARTICIPANT_UNMAPPED = "ccda.participant.unmapped", Warning, "C-CDA author, performer or participant (of the header, a section or an entry) has no structured mapping (a device author of an entry, whose FHIR element such as recorder or performer allows no Device; a header participant that is not a related person, such as a callback contact; an authenticator, data enterer, provider informant, information recipient or section author of a document without a Composition to hold it; a participant type without a FHIR element); it is kept only in the original document";
    CCDA_PATIENT_MISSING = "ccda.patient.missing", Error, "C-CDA document has no recordTarget patient";
}

/// The rule table as Markdown, the form kept in `docs/validation-rules.md`.
///
/// # Example
/// ```
/// let md = emr_core::validate::rules_markdown();
/// assert!(md.contains("| `date.future` | error |"));
/// ```
pub fn rules_markdown() -> String {
    let mut out = String::from(
        "# Validation rules\n\nGenerated from `emr-core/src/validate/rules.rs` by `cargo test -p emr-core --test schemas`; do not edit by hand.\n\n\
         Messages name the field and the rule, never a patient's values. `path` is a JSON pointer into the record.\n\n\
         | code | severity | what it checks |\n|---|---|---|\n",
    );
    for r in ALL {
        out.push_str(&format!("| `{}` | {} | {} |\n", r.code, r.severity.as_str(), r.check));
    }
    out
}
