//! `serde::Serialize` for [`Json`], keeping number text with serde_json.

use serde::ser::{Error as _, SerializeMap, Serializer};
use serde::Serialize;
use serde_json::value::RawValue;

use super::scan::is_valid_number;
use super::value::Json;

/// Serializes the tree as it is: member order and duplicate keys kept.
///
/// Numbers go through [`serde_json::value::RawValue`], so
/// `serde_json::to_string` / `to_writer` emit their text verbatim (`1.30`
/// stays `1.30`). Other serializers see `RawValue`'s private form, a struct
/// named `$serde_json::private::RawValue` with one string field of that same
/// name; `serde_json::to_value` converts it to a `serde_json::Number` (losing
/// the text, as any `Value` does). A hand-built [`Json::Number`] whose text is
/// not valid JSON makes serialization fail with a custom error.
///
/// # Example
///
/// ```
/// let v = emr_core::json::parse(r#"{"a": 1.30, "a": 1e2, "b": [null, "x"]}"#)?;
/// assert_eq!(serde_json::to_string(&v).ok().as_deref(), Some(r#"{"a":1.30,"a":1e2,"b":[null,"x"]}"#));
/// # Ok::<(), emr_core::json::JsonError>(())
/// ```
impl Serialize for Json<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Json::Null => serializer.serialize_unit(),
            Json::Bool(b) => serializer.serialize_bool(*b),
            Json::Number(text) => match serde_json::from_str::<&RawValue>(text) {
                Ok(raw) if is_valid_number(text) => raw.serialize(serializer),
                _ => Err(S::Error::custom("invalid JSON number text")),
            },
            Json::String(text) => serializer.serialize_str(text),
            Json::Array(items) => serializer.collect_seq(items),
            Json::Object(members) => {
                let mut map = serializer.serialize_map(Some(members.len()))?;
                for (key, item) in members {
                    map.serialize_entry(&**key, item)?;
                }
                map.end()
            }
        }
    }
}
