//! Demographics: the typed view of a FHIR `Patient` resource.

use serde::{Deserialize, Serialize};

use super::clinical::array;
use super::coding::{string_at, Identifier};
use super::date::PartialDate;
use crate::json::Json;

/// A person's name (FHIR `HumanName`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct HumanName {
    /// `official`, `usual`, `nickname`, `maiden`, `old`…
    #[serde(default, rename = "use", skip_serializing_if = "Option::is_none")]
    pub name_use: Option<String>,
    /// Family name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub family: Option<String>,
    /// Given names in order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub given: Vec<String>,
    /// The whole name as text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
}

/// A postal address (FHIR `Address`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Address {
    /// Street lines.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub line: Vec<String>,
    /// City.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub city: Option<String>,
    /// State or province.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
    /// Postal code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub postal_code: Option<String>,
    /// Country.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
}

/// A phone number, e-mail or other contact (FHIR `ContactPoint`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Telecom {
    /// `phone`, `email`, `fax`…
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub system: Option<String>,
    /// The number or address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
}

/// Whether and when the patient died.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "kebab-case", tag = "state", content = "at")]
pub enum Deceased {
    /// Not recorded as deceased.
    #[default]
    No,
    /// Deceased, date unknown.
    Yes,
    /// Deceased at this date.
    At(PartialDate),
}

/// Who the record is about: names, birth date, sex, identifiers, addresses, telecom, death.
///
/// # Example
/// ```
/// use emr_core::model::Patient;
/// let p = Patient::parse(r#"{"resourceType":"Patient","name":[{"family":"Rivera","given":["Ana"]}],"birthDate":"1970-03-02","gender":"female"}"#)?;
/// assert_eq!(p.demographics().names[0].family.as_deref(), Some("Rivera"));
/// assert_eq!(p.demographics().birth_date.map(|d| d.to_string()).as_deref(), Some("1970-03-02"));
/// # Ok::<(), emr_core::model::ResourceError>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Demographics {
    /// Names, in input order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub names: Vec<HumanName>,
    /// Birth date (possibly partial).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub birth_date: Option<PartialDate>,
    /// Administrative gender: `male`, `female`, `other`, `unknown`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gender: Option<String>,
    /// Identifiers with their systems (MRN, national id…).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub identifiers: Vec<Identifier>,
    /// Addresses.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub addresses: Vec<Address>,
    /// Phones and e-mails.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub telecom: Vec<Telecom>,
    /// Death.
    pub deceased: Deceased,
}

impl Demographics {
    pub(crate) fn from_json(j: &Json<'_>) -> Demographics {
        let strings = |v: &Json<'_>, k: &str| -> Vec<String> {
            array(v, k).filter_map(Json::as_str).map(str::to_owned).collect()
        };
        let deceased = match (j.get("deceasedBoolean").and_then(Json::as_bool), j.get("deceasedDateTime")) {
            (_, Some(t)) => t.as_str().and_then(|s| s.parse().ok()).map_or(Deceased::Yes, Deceased::At),
            (Some(true), None) => Deceased::Yes,
            _ => Deceased::No,
        };
        Demographics {
            names: array(j, "name")
                .map(|n| HumanName {
                    name_use: string_at(n, "use"),
                    family: string_at(n, "family"),
                    given: strings(n, "given"),
                    text: string_at(n, "text"),
                })
                .collect(),
            birth_date: j.get("birthDate").and_then(Json::as_str).and_then(|s| s.parse().ok()),
            gender: string_at(j, "gender"),
            identifiers: array(j, "identifier").map(Identifier::from_json).collect(),
            addresses: array(j, "address")
                .map(|a| Address {
                    line: strings(a, "line"),
                    city: string_at(a, "city"),
                    state: string_at(a, "state"),
                    postal_code: string_at(a, "postalCode"),
                    country: string_at(a, "country"),
                })
                .collect(),
            telecom: array(j, "telecom")
                .map(|t| Telecom { system: string_at(t, "system"), value: string_at(t, "value") })
                .collect(),
            deceased,
        }
    }
}

/// The patient of a record: a FHIR `Patient` resource and its demographics view.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Patient {
    resource: super::Resource,
    demographics: Demographics,
}

impl Patient {
    /// Keep a `Patient` resource.
    ///
    /// # Errors
    /// The text is not a JSON object with a `resourceType`. A resource of
    /// another type is accepted here and reported by validation.
    pub fn parse(text: &str) -> Result<Patient, super::ResourceError> {
        Ok(Patient::new(super::Resource::parse(text)?))
    }

    /// Wrap a resource, extracting its demographics.
    pub fn new(resource: super::Resource) -> Patient {
        let demographics = resource.json().map(|j| Demographics::from_json(&j)).unwrap_or_default();
        Patient { resource, demographics }
    }

    /// [`Patient::new`] for a resource whose parsed text the caller already holds (import does).
    /// `tree` must be the parse of `resource`'s text.
    pub(crate) fn from_parsed(resource: super::Resource, tree: &Json<'_>) -> Patient {
        Patient { resource, demographics: Demographics::from_json(tree) }
    }

    /// The FHIR resource as received.
    pub fn resource(&self) -> &super::Resource {
        &self.resource
    }

    /// The demographics view.
    pub fn demographics(&self) -> &Demographics {
        &self.demographics
    }

    /// Whether this is only a placeholder (a `Patient` with nothing but `resourceType`, `id` and
    /// `meta`, as `emr init` makes without `--patient`): it says nothing about who the person
    /// is, so identity checks skip it and an imported patient replaces it.
    ///
    /// # Example
    /// ```
    /// use emr_core::model::Patient;
    /// assert!(Patient::parse(r#"{"resourceType":"Patient","id":"p1"}"#)?.is_placeholder());
    /// assert!(!Patient::parse(r#"{"resourceType":"Patient","id":"p1","birthDate":"1970"}"#)?.is_placeholder());
    /// # Ok::<(), emr_core::model::ResourceError>(())
    /// ```
    pub fn is_placeholder(&self) -> bool {
        match self.resource.json() {
            Ok(Json::Object(members)) => {
                members.iter().all(|(k, _)| matches!(k.as_ref(), "resourceType" | "id" | "meta"))
            }
            _ => false,
        }
    }
}

impl Serialize for Patient {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.resource.serialize(s)
    }
}

impl<'de> Deserialize<'de> for Patient {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        super::Resource::deserialize(d).map(Patient::new)
    }
}

impl schemars::JsonSchema for Patient {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "PatientResource".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "description": "The FHIR R4 Patient resource of the record, kept verbatim",
            "type": "object",
            "required": ["resourceType"],
            "properties": { "resourceType": { "const": "Patient" } },
            "additionalProperties": true
        })
    }
}
