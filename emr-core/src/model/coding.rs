//! Codes with their systems: `Coding`, `CodeableConcept`, `Identifier`, `Reference`, `Quantity`.

use serde::{Deserialize, Serialize};

use crate::json::Json;

/// One code from one code system (FHIR `Coding`).
///
/// The system is kept as its URI; `emr_core::codes::KnownSystem` recognises
/// LOINC, SNOMED CT, ICD-10-CM, RxNorm, CVX, UCUM and DICOM.
///
/// # Example
/// ```
/// use emr_core::model::Coding;
/// let c = Coding::new("http://loinc.org", "2339-0");
/// assert_eq!(c.system.as_deref(), Some("http://loinc.org"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Coding {
    /// The code system URI.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub system: Option<String>,
    /// The code within the system.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    /// Human-readable text for the code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display: Option<String>,
}

impl Coding {
    /// A coding with a system and a code.
    ///
    /// # Example
    /// ```
    /// let c = emr_core::model::Coding::new("http://snomed.info/sct", "73211009");
    /// assert_eq!(c.code.as_deref(), Some("73211009"));
    /// ```
    pub fn new(system: impl Into<String>, code: impl Into<String>) -> Self {
        Coding { system: Some(system.into()), code: Some(code.into()), display: None }
    }

    pub(crate) fn from_json(j: &Json<'_>) -> Coding {
        Coding { system: string_at(j, "system"), code: string_at(j, "code"), display: string_at(j, "display") }
    }
}

/// A concept expressed by one or more codings and/or text (FHIR `CodeableConcept`).
///
/// # Example
/// ```
/// use emr_core::model::{CodeableConcept, Coding};
/// let cc = CodeableConcept { codings: vec![Coding::new("http://loinc.org", "2339-0")], text: None };
/// assert!(cc.has_code("http://loinc.org", "2339-0"));
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, schemars::JsonSchema)]
pub struct CodeableConcept {
    /// The codings, in input order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub codings: Vec<Coding>,
    /// Free text for the concept.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
}

impl CodeableConcept {
    /// True when one of the codings has exactly this system and code.
    ///
    /// # Example
    /// ```
    /// use emr_core::model::{CodeableConcept, Coding};
    /// let cc = CodeableConcept { codings: vec![Coding::new("s", "1")], text: None };
    /// assert!(!cc.has_code("s", "2"));
    /// ```
    pub fn has_code(&self, system: &str, code: &str) -> bool {
        self.codings.iter().any(|c| c.system.as_deref() == Some(system) && c.code.as_deref() == Some(code))
    }

    /// The first code of the given system.
    ///
    /// # Example
    /// ```
    /// use emr_core::model::{CodeableConcept, Coding};
    /// let cc = CodeableConcept { codings: vec![Coding::new("http://loinc.org", "2339-0")], text: None };
    /// assert_eq!(cc.code_in("http://loinc.org"), Some("2339-0"));
    /// ```
    pub fn code_in(&self, system: &str) -> Option<&str> {
        self.codings.iter().find(|c| c.system.as_deref() == Some(system)).and_then(|c| c.code.as_deref())
    }

    /// The concept's main code: its first coding that has a code, as `system|code` (`|code`
    /// when the coding names no system). What `emr list --code` filters on and a summary shows.
    ///
    /// # Example
    /// ```
    /// use emr_core::model::{CodeableConcept, Coding};
    /// let cc = CodeableConcept { codings: vec![Coding::new("http://loinc.org", "2339-0")], text: None };
    /// assert_eq!(cc.main_code().as_deref(), Some("http://loinc.org|2339-0"));
    /// ```
    pub fn main_code(&self) -> Option<String> {
        let c = self.codings.iter().find(|c| c.code.is_some())?;
        let code = c.code.as_deref()?;
        Some(format!("{}|{code}", c.system.as_deref().unwrap_or_default()))
    }

    /// What a reader calls the concept: its `text`, else the first coding's `display`.
    ///
    /// # Example
    /// ```
    /// use emr_core::model::{CodeableConcept, Coding};
    /// let mut c = Coding::new("http://loinc.org", "2339-0");
    /// c.display = Some("Glucose".into());
    /// let cc = CodeableConcept { codings: vec![c], text: None };
    /// assert_eq!(cc.label(), Some("Glucose"));
    /// ```
    pub fn label(&self) -> Option<&str> {
        self.text.as_deref().or_else(|| self.codings.iter().find_map(|c| c.display.as_deref()))
    }

    pub(crate) fn from_json(j: &Json<'_>) -> CodeableConcept {
        let codings = j
            .get("coding")
            .and_then(Json::as_array)
            .map(|a| a.iter().filter(|c| c.as_object().is_some()).map(Coding::from_json).collect())
            .unwrap_or_default();
        CodeableConcept { codings, text: string_at(j, "text") }
    }
}

/// An identifier of a patient, organization or entry in some system (FHIR `Identifier`).
///
/// # Example
/// ```
/// let id = emr_core::model::Identifier { system: Some("urn:oid:2.16.840.1.113883.4.1".into()), value: Some("999-99-9999".into()) };
/// assert!(id.system.is_some());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Identifier {
    /// The namespace of the value (a URI).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub system: Option<String>,
    /// The identifier itself.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
}

impl Identifier {
    pub(crate) fn from_json(j: &Json<'_>) -> Identifier {
        Identifier { system: string_at(j, "system"), value: string_at(j, "value") }
    }
}

/// A reference from one resource to another (FHIR `Reference`).
///
/// # Example
/// ```
/// let r = emr_core::model::Reference { reference: Some("Patient/example".into()), identifier: None, display: None };
/// assert_eq!(r.reference.as_deref(), Some("Patient/example"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Reference {
    /// A relative, absolute, `urn:uuid:`, `#contained` or conditional reference.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reference: Option<String>,
    /// A logical reference by identifier.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub identifier: Option<Identifier>,
    /// Text for the target.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display: Option<String>,
}

impl Reference {
    pub(crate) fn from_json(j: &Json<'_>) -> Reference {
        Reference {
            reference: string_at(j, "reference"),
            identifier: j.get("identifier").map(Identifier::from_json),
            display: string_at(j, "display"),
        }
    }
}

/// A decimal kept exactly as written (`1.30` stays `1.30`).
///
/// # Example
/// ```
/// use emr_core::model::Decimal;
/// let d = Decimal::parse("1.30").unwrap();
/// assert_eq!(d.as_str(), "1.30");
/// assert_eq!(d.fraction_digits(), 2);
/// assert!((d.to_f64() - 1.3).abs() < 1e-12);
/// assert!(Decimal::parse("1.3.0").is_none());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(transparent)]
pub struct Decimal(String);

impl Decimal {
    /// Accepts a JSON number's text; `None` for anything else.
    pub fn parse(text: &str) -> Option<Decimal> {
        let ok = crate::json::parse(text).ok().and_then(|j| j.as_number_text().map(|_| ())).is_some();
        ok.then(|| Decimal(text.to_owned()))
    }

    /// The text as written.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The nearest `f64` (comparison only; the text is the value).
    pub fn to_f64(&self) -> f64 {
        self.0.parse().unwrap_or(f64::NAN)
    }

    /// Digits after the decimal point as written: the reported precision.
    pub fn fraction_digits(&self) -> usize {
        let mantissa = self.0.split(['e', 'E']).next().unwrap_or_default();
        mantissa.split_once('.').map_or(0, |(_, f)| f.len())
    }

    /// The number and the half-width of its last reported digit; `None` when it does not fit
    /// an `f64`.
    pub(crate) fn reported(&self) -> Option<(f64, f64)> {
        let value = self.to_f64();
        let digits = i32::try_from(self.fraction_digits()).unwrap_or(i32::MAX).min(15);
        value.is_finite().then(|| (value, 0.5 * 10f64.powi(-digits)))
    }
}

/// A measured amount with a unit (FHIR `Quantity`), UCUM where `system` says so.
///
/// # Example
/// ```
/// use emr_core::model::{Decimal, Quantity};
/// let q = Quantity { value: Decimal::parse("5.4"), unit: Some("mmol/L".into()), system: Some("http://unitsofmeasure.org".into()), code: Some("mmol/L".into()), comparator: None };
/// assert!(q.is_ucum());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Quantity {
    /// The numeric value as written.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<Decimal>,
    /// Unit text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
    /// The unit's code system (UCUM: `http://unitsofmeasure.org`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub system: Option<String>,
    /// The unit's code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    /// `<`, `<=`, `>=`, `>` or `ad` when the value is not exact.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comparator: Option<String>,
}

impl Quantity {
    /// True when the unit is a UCUM code.
    pub fn is_ucum(&self) -> bool {
        self.system.as_deref() == Some(crate::codes::UCUM) && self.code.is_some()
    }

    /// The unit values are compared in: its code, else its unit text.
    pub(crate) fn unit_key(&self) -> Option<&str> {
        self.code.as_deref().or(self.unit.as_deref())
    }

    pub(crate) fn from_json(j: &Json<'_>) -> Quantity {
        Quantity {
            value: j.get("value").and_then(Json::as_number_text).map(|t| Decimal(t.to_owned())),
            unit: string_at(j, "unit"),
            system: string_at(j, "system"),
            code: string_at(j, "code"),
            comparator: string_at(j, "comparator"),
        }
    }
}

/// The string member `key` of an object.
pub(crate) fn string_at(j: &Json<'_>, key: &str) -> Option<String> {
    j.get(key).and_then(Json::as_str).map(str::to_owned)
}
