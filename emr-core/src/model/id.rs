//! The ids of sources and entries ([`SourceId`], [`EntryId`]): text compared, ordered and
//! hashed as text, stored so that merging millions of entries copies and compares them cheaply.

use serde::{Deserialize, Serialize};

use crate::inline::InlineStr;

use std::cmp::Ordering;
use std::sync::Arc;

/// Id text shared by pointer: a record's source ids are one text each, cloned into every entry
/// and reference, and equal pointers compare without reading the text.
#[derive(Clone)]
struct SharedText(Arc<str>);

impl SharedText {
    fn as_str(&self) -> &str {
        &self.0
    }

    fn as_bytes(&self) -> &[u8] {
        self.0.as_bytes()
    }

    fn same(&self, other: &SharedText) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }

    fn from_str(s: &str) -> SharedText {
        SharedText(s.into())
    }
}

/// How many bytes of id text are kept in place: a UUID (36) and most systems' ids fit.
const INLINE: usize = 38;

/// Id text kept in place when short, else shared: copying or comparing an entry's id reads
/// the bytes beside it, with no pointer to follow and no count to change.
#[derive(Clone)]
enum InlineText {
    /// Up to [`INLINE`] bytes of UTF-8 text.
    Inline(InlineStr<INLINE>),
    /// Longer text.
    Shared(Arc<str>),
}

impl InlineText {
    fn as_bytes(&self) -> &[u8] {
        match self {
            InlineText::Inline(s) => s.as_bytes(),
            InlineText::Shared(s) => s.as_bytes(),
        }
    }

    fn as_str(&self) -> &str {
        match self {
            InlineText::Inline(s) => s.as_str(),
            InlineText::Shared(s) => s,
        }
    }

    fn same(&self, _: &InlineText) -> bool {
        false
    }

    fn from_str(s: &str) -> InlineText {
        InlineStr::new(s).map_or_else(|| InlineText::Shared(s.into()), InlineText::Inline)
    }
}

/// The two id storages, compared and hashed as their text.
macro_rules! id_text {
    ($storage:ident) => {
        impl PartialEq for $storage {
            #[cfg_attr(target_arch = "wasm32", inline(never))]
            fn eq(&self, other: &$storage) -> bool {
                self.same(other) || self.as_bytes() == other.as_bytes()
            }
        }

        impl Eq for $storage {}

        impl Ord for $storage {
            #[cfg_attr(target_arch = "wasm32", inline(never))]
            fn cmp(&self, other: &$storage) -> Ordering {
                if self.same(other) {
                    Ordering::Equal
                } else {
                    self.as_bytes().cmp(other.as_bytes())
                }
            }
        }

        impl PartialOrd for $storage {
            fn partial_cmp(&self, other: &$storage) -> Option<Ordering> {
                Some(self.cmp(other))
            }
        }
    };
}

id_text!(SharedText);
id_text!(InlineText);

/// An immutable id over a storage ([`SharedText`] or [`InlineText`]). Serialized as a plain
/// JSON string; compared, ordered and hashed as its text.
macro_rules! shared_text_id {
    ($(#[$doc:meta])* $name:ident($storage:ident)) => {
        $(#[$doc])*
        #[derive(Clone, PartialEq, Eq, PartialOrd, Ord)]
        pub struct $name($storage);

        impl std::hash::Hash for $name {
            fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
                self.as_str().hash(state);
            }
        }

        impl $name {
            /// Wrap an id.
            pub fn new(id: impl Into<$name>) -> $name {
                id.into()
            }

            /// The id text.
            pub fn as_str(&self) -> &str {
                self.0.as_str()
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl std::fmt::Debug for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                std::fmt::Debug::fmt(self.as_str(), f)
            }
        }

        impl std::ops::Deref for $name {
            type Target = str;
            fn deref(&self) -> &str {
                self.as_str()
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                self.as_str()
            }
        }

        impl std::borrow::Borrow<str> for $name {
            fn borrow(&self) -> &str {
                self.as_str()
            }
        }

        impl From<&str> for $name {
            fn from(s: &str) -> $name {
                $name($storage::from_str(s))
            }
        }

        impl From<String> for $name {
            fn from(s: String) -> $name {
                $name($storage::from_str(&s))
            }
        }

        impl From<&String> for $name {
            fn from(s: &String) -> $name {
                $name($storage::from_str(s))
            }
        }

        impl From<$name> for String {
            fn from(s: $name) -> String {
                s.as_str().to_owned()
            }
        }

        impl PartialEq<str> for $name {
            fn eq(&self, other: &str) -> bool {
                self.as_str() == other
            }
        }

        impl PartialEq<&str> for $name {
            fn eq(&self, other: &&str) -> bool {
                self.as_str() == *other
            }
        }

        impl PartialEq<String> for $name {
            fn eq(&self, other: &String) -> bool {
                self.as_str() == other.as_str()
            }
        }

        impl Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<$name, D::Error> {
                let s = std::borrow::Cow::<str>::deserialize(d)?;
                Ok($name($storage::from_str(&s)))
            }
        }
    };
}

shared_text_id! {
    /// The id of a source (a clinic, a practice system, a reconciling clinician) within a record.
    ///
    /// # Example
    /// ```
    /// let s = emr_core::model::SourceId::new("clinic-a");
    /// assert_eq!(s.as_str(), "clinic-a");
    /// ```
    SourceId(SharedText)
}

shared_text_id! {
    /// The id of an entry within its source.
    ///
    /// # Example
    /// ```
    /// let id = emr_core::model::EntryId::new("Condition/c1");
    /// assert_eq!(id, "Condition/c1");
    /// ```
    EntryId(InlineText)
}

impl schemars::JsonSchema for SourceId {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "SourceId".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "description": "The id of a source (a clinic, a practice system, a reconciling clinician) within a record.\n\n# Example\n```\nlet s = emr_core::model::SourceId::new(\"clinic-a\");\nassert_eq!(s.as_str(), \"clinic-a\");\n```",
            "type": "string"
        })
    }
}

impl schemars::JsonSchema for EntryId {
    fn inline_schema() -> bool {
        true
    }

    fn schema_name() -> std::borrow::Cow<'static, str> {
        <String as schemars::JsonSchema>::schema_name()
    }

    fn json_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
        <String as schemars::JsonSchema>::json_schema(generator)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_plain_strings_compared_by_text() {
        let (a, b) = (EntryId::new("Condition/c1"), EntryId::new(String::from("Condition/c1")));
        assert_eq!(a, b);
        assert_eq!(a.cmp(&EntryId::new("Condition/c2")), std::cmp::Ordering::Less);
        assert_eq!(serde_json::to_string(&a).ok().as_deref(), Some(r#""Condition/c1""#));
        let back: Result<EntryId, _> = serde_json::from_str(r#""Condition/c1""#);
        assert_eq!(back.ok(), Some(a.clone()));
        let set: std::collections::HashSet<EntryId> = [a.clone()].into_iter().collect();
        assert!(set.contains("Condition/c1"));
        let s = SourceId::new("clinic-a");
        assert_eq!(
            (s.clone() == s, format!("{s}"), format!("{s:?}")),
            (true, "clinic-a".to_owned(), r#""clinic-a""#.to_owned())
        );
    }

    #[test]
    fn short_and_long_ids_order_and_compare_as_their_text() {
        // Around the in-place limit: 37, 38 (kept in place) and 39, 45 bytes (shared).
        let texts = [
            "b".repeat(37),
            "b".repeat(38),
            "b".repeat(39),
            format!("{}c", "b".repeat(37)),
            "a".repeat(45),
            "é".into(),
        ];
        for x in &texts {
            for y in &texts {
                let (a, b) = (EntryId::new(x), EntryId::new(y));
                assert_eq!(a.cmp(&b), x.cmp(y), "{x} {y}");
                assert_eq!(a == b, x == y);
                assert_eq!(a.as_str(), x);
            }
        }
        let long = EntryId::new("x".repeat(60));
        assert_eq!(long.clone(), long);
        assert_eq!(String::from(long), "x".repeat(60));
    }
}
