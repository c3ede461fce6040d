//! A FHIR resource kept exactly as received: the one source of truth of an entry.

use std::sync::Arc;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::value::RawValue;

use crate::json::{self, Json, JsonError};

/// Why a JSON text cannot be kept as a FHIR resource.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ResourceError {
    /// The text is not well-formed JSON.
    #[error("resource is not valid JSON: {0}")]
    Json(#[from] JsonError),
    /// The JSON is not an object.
    #[error("resource is not a JSON object")]
    NotAnObject,
    /// The object has no string `resourceType`.
    #[error("resource has no string `resourceType`")]
    MissingResourceType,
}

impl ResourceError {
    /// The error's stable code, as for [`crate::fhir::ImportError::code`]: `fhir.syntax` (not
    /// JSON) or `fhir.shape` (not a resource).
    ///
    /// # Example
    /// ```
    /// let e = emr_core::model::Resource::parse("[]").unwrap_err();
    /// assert_eq!(e.code(), "fhir.shape");
    /// ```
    pub fn code(&self) -> &'static str {
        match self {
            ResourceError::Json(_) => "fhir.syntax",
            ResourceError::NotAnObject | ResourceError::MissingResourceType => "fhir.shape",
        }
    }
}

/// A FHIR R4 resource as compact JSON text, verbatim but for insignificant whitespace.
///
/// Decimals keep their lexical form, member order and unknown elements are
/// kept, and duplicate keys are kept (validation reports them). Serialized
/// with `serde_json`, a resource is embedded as the JSON object itself.
///
/// # Example
/// ```
/// use emr_core::model::Resource;
/// let r = Resource::parse(r#"{ "resourceType": "Observation", "valueQuantity": { "value": 1.30 } }"#)?;
/// assert_eq!(r.resource_type(), "Observation");
/// assert_eq!(r.as_str(), r#"{"resourceType":"Observation","valueQuantity":{"value":1.30}}"#);
/// # Ok::<(), emr_core::model::ResourceError>(())
/// ```
#[derive(Debug, Clone)]
pub struct Resource {
    /// Shared: a resource is never changed in place, and the clinical view and merged records
    /// copy resources by the million. Always valid JSON (checked, or written from a parsed tree).
    text: Text,
    /// Cached from the text, which stays the truth.
    resource_type: TypeName,
}

/// Resources whose text is at least this long are written in place ([`Text::Large`]).
const LARGE: usize = 64 * 1024;

/// The text of a resource, shared.
#[derive(Debug, Clone)]
enum Text {
    /// In a block of its exact size.
    Exact(Arc<str>),
    /// A large text (an attachment's data, a whole document), written straight into a buffer
    /// sized exactly beforehand: copying it into an `Arc<str>` would write every byte (and
    /// fault in every page) a second time. The few bytes of the extra `String` do not matter
    /// at this size.
    Large(Arc<String>),
}

impl Text {
    fn as_str(&self) -> &str {
        match self {
            Text::Exact(text) => text,
            Text::Large(text) => text,
        }
    }
}

/// A resource type: one of R4's names without a copy of its own (copying a resource then
/// touches one count, not two), else its text.
#[derive(Debug, Clone)]
enum TypeName {
    R4(&'static str),
    Other(Arc<str>),
}

impl TypeName {
    fn of(name: &str) -> TypeName {
        match super::r4_type_index(name).and_then(|k| super::R4_RESOURCE_TYPES.get(k)) {
            Some(&n) => TypeName::R4(n),
            None => TypeName::Other(name.into()),
        }
    }
}

impl Resource {
    /// Keep a JSON text as a resource.
    ///
    /// # Errors
    /// The text is not JSON, not an object, or has no string `resourceType`.
    pub fn parse(text: &str) -> Result<Resource, ResourceError> {
        Resource::from_json(&json::parse(text)?)
    }

    /// Keep an already parsed JSON value as a resource.
    ///
    /// # Errors
    /// The value is not an object or has no string `resourceType`.
    ///
    /// # Example
    /// ```
    /// let j = emr_core::json::parse(r#"{"resourceType":"Patient"}"#).unwrap();
    /// let r = emr_core::model::Resource::from_json(&j).unwrap();
    /// assert_eq!(r.resource_type(), "Patient");
    /// ```
    pub fn from_json(j: &Json<'_>) -> Result<Resource, ResourceError> {
        if j.as_object().is_none() {
            return Err(ResourceError::NotAnObject);
        }
        let resource_type =
            TypeName::of(j.get("resourceType").and_then(Json::as_str).ok_or(ResourceError::MissingResourceType)?);
        // Our writer emits only valid JSON; serde_json re-checks it once here (a hand-built tree
        // may hold an invalid number).
        let text = j.to_compact_string();
        serde_json::from_str::<&RawValue>(&text).map_err(|_| ResourceError::NotAnObject)?;
        Ok(Resource { text: Text::Exact(text.into()), resource_type })
    }

    /// [`Resource::from_json`] for a tree that [`json::parse`] made: its compact text is valid
    /// JSON by construction (the parser checked every number), so serde_json does not check it
    /// again. Import uses this; text from anywhere else goes through the checked constructors.
    /// The text is written into `scratch` first (a buffer reused from resource to resource, sized
    /// beforehand so that it does not grow while written), then copied once into a block of its
    /// exact size; a large text is written in place instead.
    pub(crate) fn from_parsed(j: &Json<'_>, scratch: &mut String) -> Result<Resource, ResourceError> {
        if j.as_object().is_none() {
            return Err(ResourceError::NotAnObject);
        }
        let resource_type =
            TypeName::of(j.get("resourceType").and_then(Json::as_str).ok_or(ResourceError::MissingResourceType)?);
        let len = json::compact_len_unescaped(j);
        if len >= LARGE {
            let mut text = String::with_capacity(json::compact_len(j));
            json::push_compact(&mut text, j);
            return Ok(Resource { text: Text::Large(Arc::new(text)), resource_type });
        }
        if scratch.capacity() < len {
            // A new block rather than `reserve`, which would copy the old one's (stale) bytes.
            *scratch = String::with_capacity(len);
        }
        scratch.clear();
        json::push_compact(scratch, j);
        Ok(Resource { text: Text::Exact(Arc::from(scratch.as_str())), resource_type })
    }

    /// This resource with `text` as its text: the caller wrote it as [`Resource::from_parsed`]
    /// writes this resource's text, with only the content of a string changed to characters
    /// that need no escaping (C-CDA import writes a document's base64 in place of a stand-in
    /// this way, so the base64 is never held twice). Same resource type, so still valid JSON.
    pub(crate) fn with_text(&self, text: String) -> Resource {
        let text = if text.len() >= LARGE { Text::Large(Arc::new(text)) } else { Text::Exact(Arc::from(text)) };
        Resource { text, resource_type: self.resource_type.clone() }
    }

    /// How many holders share the text (read to bring its count into cache before copying).
    pub(crate) fn shares(&self) -> usize {
        match &self.text {
            Text::Exact(text) => Arc::strong_count(text),
            Text::Large(text) => Arc::strong_count(text),
        }
    }

    /// The compact JSON text.
    pub fn as_str(&self) -> &str {
        self.text.as_str()
    }

    /// The FHIR `resourceType`.
    pub fn resource_type(&self) -> &str {
        match &self.resource_type {
            TypeName::R4(name) => name,
            TypeName::Other(name) => name,
        }
    }

    /// Parse the text into a tree (borrowing from this resource).
    ///
    /// # Errors
    /// Never in practice: the text was validated when the resource was made.
    pub fn json(&self) -> Result<Json<'_>, JsonError> {
        json::parse(self.as_str())
    }

    /// The resource's `id`, when it has a string one.
    ///
    /// # Example
    /// ```
    /// use emr_core::model::Resource;
    /// let r = Resource::parse(r#"{"resourceType":"Condition","id":"c1"}"#)?;
    /// assert_eq!(r.id().as_deref(), Some("c1"));
    /// assert_eq!(Resource::parse(r#"{"resourceType":"Condition"}"#)?.id(), None);
    /// # Ok::<(), emr_core::model::ResourceError>(())
    /// ```
    pub fn id(&self) -> Option<String> {
        self.json().ok().and_then(|j| j.get("id").and_then(Json::as_str).map(str::to_owned))
    }
}

/// Valid JSON text, serialized as `RawValue` serializes: serde_json's serializer writes it as it
/// is, and other serializers see the same struct `RawValue` shows them.
struct Verbatim<'t>(&'t str);

/// The name serde_json gives `RawValue` in its serializer, to write its text verbatim.
const RAW_VALUE_TOKEN: &str = "$serde_json::private::RawValue";

impl Serialize for Verbatim<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut st = s.serialize_struct(RAW_VALUE_TOKEN, 1)?;
        st.serialize_field(RAW_VALUE_TOKEN, self.0)?;
        st.end()
    }
}

impl PartialEq for Resource {
    fn eq(&self, other: &Self) -> bool {
        self.as_str() == other.as_str()
    }
}

impl Eq for Resource {}

impl Serialize for Resource {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        Verbatim(self.as_str()).serialize(s)
    }
}

impl<'de> Deserialize<'de> for Resource {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let raw = Box::<RawValue>::deserialize(d)?;
        Resource::parse(raw.get()).map_err(serde::de::Error::custom)
    }
}

impl schemars::JsonSchema for Resource {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "FhirResource".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "description": "A FHIR R4 resource as received (see the HL7 FHIR R4 JSON Schema); kept verbatim",
            "type": "object",
            "required": ["resourceType"],
            "properties": { "resourceType": { "type": "string" } },
            "additionalProperties": true
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn written_text_is_kept_without_a_second_parse() {
        let text = r#"{"resourceType":"Observation","valueQuantity":{"value":1.30},"a":["x\"\n",null]}"#;
        // `Verbatim` serializes as `RawValue` does, so serde_json writes the text as it is.
        let raw = serde_json::value::to_raw_value(&Verbatim(text)).ok();
        assert_eq!(raw.as_deref().map(RawValue::get), Some(text));
        let tree = json::parse(text).ok();
        for mut scratch in [String::from("left over"), String::new(), String::with_capacity(4096)] {
            let fast = tree.as_ref().and_then(|t| Resource::from_parsed(t, &mut scratch).ok());
            let checked = tree.as_ref().and_then(|t| Resource::from_json(t).ok());
            assert!(fast.is_some());
            assert_eq!(fast.as_ref().map(Resource::as_str), Some(text));
            assert_eq!(fast.as_ref().map(Resource::as_str), checked.as_ref().map(Resource::as_str));
            assert_eq!(fast.as_ref().map(Resource::resource_type), Some("Observation"));
        }
        // Serialized, a resource is its text; in a struct, the object itself.
        let r = Resource::parse(text).ok();
        assert_eq!(r.as_ref().and_then(|r| serde_json::to_string(r).ok()).as_deref(), Some(text));
        let wrapped = r.as_ref().and_then(|r| serde_json::to_string(&[r]).ok());
        assert_eq!(wrapped, Some(format!("[{text}]")));
        let back: Option<Vec<Resource>> = wrapped.and_then(|w| serde_json::from_str(&w).ok());
        assert_eq!(back.as_deref().and_then(<[Resource]>::first), r.as_ref());
    }

    #[test]
    fn large_texts_are_written_in_place() {
        let data = format!("{}\\n\\\"{}", "QUJD".repeat(LARGE / 4), "é".repeat(100));
        let text =
            format!(r#"{{"resourceType":"DocumentReference","content":[{{"attachment":{{"data":"{data}"}}}}]}}"#);
        let tree = json::parse(&text).ok();
        let mut scratch = String::new();
        let fast = tree.as_ref().and_then(|t| Resource::from_parsed(t, &mut scratch).ok());
        let Some(Text::Large(large)) = fast.as_ref().map(|r| &r.text) else { panic!("not written in place") };
        assert_eq!(large.capacity(), large.len(), "sized exactly");
        assert_eq!(fast.as_ref().map(Resource::as_str), Some(text.as_str()));
        assert_eq!(fast.as_ref().map(|r| r.as_str().len()), Some(text.len()));
        assert_eq!(fast.as_ref().map(Resource::shares), Some(1));
        assert_eq!(fast, Resource::parse(&text).ok());
        assert_eq!(scratch.capacity(), 0, "the scratch buffer is not needed");
        assert!(std::mem::size_of::<Resource>() <= 40, "{}", std::mem::size_of::<Resource>());
    }

    #[test]
    fn hand_built_invalid_numbers_are_refused() {
        let tree = Json::Object(vec![
            ("resourceType".into(), Json::String("Observation".into())),
            ("value".into(), Json::Number("01".into())),
        ]);
        assert_eq!(Resource::from_json(&tree), Err(ResourceError::NotAnObject));
    }
}
