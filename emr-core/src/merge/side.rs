//! One side of a conflict as a reader sees it: the disputed field's value, read losslessly.

use crate::json::Json;
use crate::model::Entry;

/// The longest text [`disputed_value`] returns, in characters.
const MAX_CHARS: usize = 60;

/// The value of a conflict's disputed `field` (or a choice type starting with it, e.g. `value`
/// for `valueQuantity`) in one side's resource, as short text: a string as written, a quantity
/// as `value unit` with the number exactly as the source wrote it (`6.30` stays `6.30`), a
/// concept as its first code (else display, else text). `None` when the resource does not state it.
///
/// # Example
/// ```
/// use emr_core::merge::disputed_value;
/// use emr_core::model::{Entry, Provenance};
/// let e = Entry::from_text(Provenance::new("a", "o"), r#"{"resourceType":"Observation",
///   "valueQuantity":{"value":6.30,"unit":"%"},"status":"final"}"#).unwrap();
/// assert_eq!(disputed_value(&e, "value").as_deref(), Some("6.30 %"));
/// assert_eq!(disputed_value(&e, "status").as_deref(), Some("final"));
/// assert_eq!(disputed_value(&e, "criticality"), None);
/// ```
pub fn disputed_value(entry: &Entry, field: &str) -> Option<String> {
    let tree = entry.resource().json().ok()?;
    let members = tree.as_object()?;
    let v = members
        .iter()
        .find(|(k, _)| k == field)
        .or_else(|| members.iter().find(|(k, _)| k.starts_with(field)))
        .map(|(_, v)| v)?;
    let text = match v {
        Json::String(s) => s.to_string(),
        Json::Object(_) if v.get("value").is_some() => {
            let unit = v.get("unit").or_else(|| v.get("code")).and_then(Json::as_str).unwrap_or_default();
            let value = v.get("value").map(Json::to_compact_string).unwrap_or_default();
            format!("{value} {unit}")
        }
        Json::Object(_) => v
            .get("coding")
            .and_then(Json::as_array)
            .and_then(<[Json<'_>]>::first)
            .and_then(|c| c.get("code").or_else(|| c.get("display")))
            .or_else(|| v.get("text"))
            .and_then(Json::as_str)
            .map_or_else(|| v.to_compact_string(), str::to_owned),
        other => other.to_compact_string(),
    };
    Some(text.chars().take(MAX_CHARS).collect())
}
