//! Top-level elements against the FHIR R4 definitions: unknown elements are reported (and kept),
//! elements of the wrong JSON shape are errors.

use super::r4_elements::ELEMENTS;
use super::rules;
use super::Finding;
use crate::json::{escape_pointer_token, Json};

/// The `element:shape` list of a resource type.
fn elements(resource_type: &str) -> Option<&'static str> {
    ELEMENTS.binary_search_by(|(t, _)| (*t).cmp(resource_type)).ok().and_then(|i| ELEMENTS.get(i)).map(|(_, e)| *e)
}

/// The shape R4 gives `name` in `list`, e.g. `s`, `o*`.
fn shape_of<'l>(list: &'l str, name: &str) -> Option<&'l str> {
    list.split(' ').find_map(|item| item.strip_prefix(name)?.strip_prefix(':'))
}

fn fits(kind: &str, v: &Json<'_>) -> bool {
    match kind {
        "s" => v.as_str().is_some(),
        "n" => v.as_number_text().is_some(),
        "b" => v.as_bool().is_some(),
        _ => v.as_object().is_some(),
    }
}

pub(super) fn check(tree: &Json<'_>, resource_type: &str, base: &str, out: &mut Vec<Finding>) {
    let Some(list) = elements(resource_type) else { return };
    for (key, value) in tree.as_object().unwrap_or_default() {
        if key == "resourceType" {
            continue;
        }
        let path = || format!("{base}/{}", escape_pointer_token(key));
        // `_name` carries extensions of the primitive `name`.
        if let Some(primitive) = key.strip_prefix('_') {
            let known = shape_of(list, primitive).is_some_and(|s| !s.starts_with('o'));
            if !known {
                out.push(Finding::new(&rules::ELEMENT_UNKNOWN, path(), key));
            }
            continue;
        }
        let Some(shape) = shape_of(list, key) else {
            out.push(Finding::new(&rules::ELEMENT_UNKNOWN, path(), key));
            continue;
        };
        // An observation's value[x] has its own, finer rule (`observation.value.type`).
        if resource_type == "Observation" && key.starts_with("value") {
            continue;
        }
        let ok = match (shape.strip_suffix('*'), value) {
            (Some(kind), Json::Array(items)) => !items.is_empty() && items.iter().all(|i| fits(kind, i)),
            (Some(_), _) | (None, Json::Array(_)) => false,
            (None, v) => fits(shape, v),
        };
        if !ok {
            out.push(Finding::new(&rules::ELEMENT_TYPE, path(), key));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_is_sorted_and_complete() {
        assert!(ELEMENTS.windows(2).all(|w| w[0].0 < w[1].0));
        assert_eq!(ELEMENTS.len(), crate::model::R4_RESOURCE_TYPES.len());
        assert_eq!(shape_of(elements("Observation").unwrap_or(""), "valueQuantity"), Some("o"));
        assert_eq!(shape_of(elements("Patient").unwrap_or(""), "name"), Some("o*"));
    }
}
