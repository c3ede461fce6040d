//! Top-level elements against the FHIR R4 definitions: unknown elements are reported (and kept),
//! elements of the wrong JSON shape are errors.

use std::sync::OnceLock;

use super::r4_elements::ELEMENTS;
use super::rules;
use super::Finding;
use crate::json::{escape_pointer_token, Json};
use crate::model::NameMap;

/// The `element:shape` list of a resource type.
#[cfg(test)]
fn elements(resource_type: &str) -> Option<&'static str> {
    ELEMENTS.binary_search_by(|(t, _)| (*t).cmp(resource_type)).ok().and_then(|i| ELEMENTS.get(i)).map(|(_, e)| *e)
}

/// The shape R4 gives `name` in `list`, e.g. `s`, `o*`.
#[cfg(test)]
fn shape_of<'l>(list: &'l str, name: &str) -> Option<&'l str> {
    list.split(' ').find_map(|item| item.strip_prefix(name)?.strip_prefix(':'))
}

/// Element name → shape, per resource type: [`ELEMENTS`] split once, not for every element of
/// every resource. The first item of a name wins, as a search of the list would find it.
/// `type_index` is the type's position in `R4_RESOURCE_TYPES`, which lists the types of
/// [`ELEMENTS`] in its order.
fn shapes(type_index: Option<usize>) -> Option<&'static NameMap<&'static str>> {
    static SHAPES: OnceLock<Vec<NameMap<&'static str>>> = OnceLock::new();
    let all = SHAPES.get_or_init(|| {
        ELEMENTS
            .iter()
            .map(|(_, list)| {
                let mut shapes = NameMap::default();
                for (name, shape) in list.split(' ').filter_map(|item| item.split_once(':')) {
                    shapes.entry(name).or_insert(shape);
                }
                shapes
            })
            .collect()
    });
    all.get(type_index?)
}

fn fits(kind: &str, v: &Json<'_>) -> bool {
    match kind {
        "s" => v.as_str().is_some(),
        "n" => v.as_number_text().is_some(),
        "b" => v.as_bool().is_some(),
        _ => v.as_object().is_some(),
    }
}

/// Check the top-level elements of a resource of type `resource_type`, at position `type_index`
/// of `R4_RESOURCE_TYPES` (none: not an R4 type, nothing to check).
pub(super) fn check(
    tree: &Json<'_>,
    resource_type: &str,
    type_index: Option<usize>,
    base: &str,
    out: &mut Vec<Finding>,
) {
    let Some(shapes) = shapes(type_index) else { return };
    for (key, value) in tree.as_object().unwrap_or_default() {
        if key == "resourceType" {
            continue;
        }
        let path = || format!("{base}/{}", escape_pointer_token(key));
        // `_name` carries extensions of the primitive `name`.
        if let Some(primitive) = key.strip_prefix('_') {
            let known = shapes.get(primitive).is_some_and(|s| !s.starts_with('o'));
            if !known {
                out.push(Finding::new(&rules::ELEMENT_UNKNOWN, path(), key));
            }
            continue;
        }
        let Some(shape) = shapes.get(key.as_ref()) else {
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
    fn shapes_match_a_search_of_the_list() {
        let names = ["", "a", "id", "value", "valueQuantity", "status", "tus", "s", ":", "id:s", "a b", "code", "_x"];
        for (ty, list) in ELEMENTS {
            let map = shapes(crate::model::r4_type_index(ty));
            assert!(map.is_some(), "{ty}");
            for item in list.split(' ') {
                assert_eq!(item.matches(':').count(), 1, "{ty}: {item}");
                let name = item.split(':').next().unwrap_or_default();
                assert_eq!(map.and_then(|m| m.get(name)).copied(), shape_of(list, name), "{ty}: {name}");
            }
            for name in names {
                assert_eq!(map.and_then(|m| m.get(name)).copied(), shape_of(list, name), "{ty}: {name}");
            }
        }
        assert!(shapes(crate::model::r4_type_index("NotAType")).is_none());
        assert!(shapes(None).is_none());
    }

    #[test]
    fn table_is_sorted_and_complete() {
        assert!(ELEMENTS.windows(2).all(|w| w[0].0 < w[1].0));
        assert_eq!(ELEMENTS.len(), crate::model::R4_RESOURCE_TYPES.len());
        // `shapes` finds a type's elements at the type's position in R4_RESOURCE_TYPES.
        assert!(ELEMENTS.iter().zip(crate::model::R4_RESOURCE_TYPES).all(|((t, _), r)| *t == r));
        assert_eq!(shape_of(elements("Observation").unwrap_or(""), "valueQuantity"), Some("o"));
        assert_eq!(shape_of(elements("Patient").unwrap_or(""), "name"), Some("o*"));
    }
}
