//! A lossless JSON tree: lexical numbers, member order and duplicate keys kept.
//!
//! FHIR JSON has to survive import and export unchanged: decimals keep their
//! exact text (`1.30` is not `1.3`, `1e2` is not `100`), members keep their
//! order, duplicate keys are kept *and* can be reported
//! ([`Json::duplicate_keys`]) instead of being silently resolved, and
//! primitive-extension arrays keep their `null`s. `serde_json::Value` loses
//! number text (unless the crate-wide `arbitrary_precision` feature is on) and
//! keeps only the last duplicate key, hence this small tree.
//!
//! * [`parse`] / [`parse_bytes`]: strict RFC 8259, borrowing from the input,
//!   depth limit [`MAX_DEPTH`], never panics. A leading UTF-8 byte order mark
//!   is accepted and skipped.
//! * [`Json`]: the tree, with accessors and [`Json::pointer`] (RFC 6901).
//! * [`Json::to_compact_string`], [`Json::to_canonical_string`] (sorted
//!   keys, for content hashes), [`Json::to_pretty_string`], [`minify`]:
//!   deterministic writers that emit numbers verbatim.
//! * `serde::Serialize` for [`Json`], number text kept by serde_json.
//! * [`JsonError`]: kind, byte offset, line, and column in characters; its
//!   message never contains input text.
//!
//! # Example
//!
//! ```
//! use emr_core::json::{parse, Json};
//!
//! let text = r#"{"resourceType":"Observation","valueQuantity":{"value":1.30},
//!               "valueQuantity":{"value":2}}"#;
//! let v = parse(text)?;
//! assert_eq!(v.pointer("/valueQuantity/value").and_then(Json::as_number_text), Some("1.30"));
//! assert_eq!(v.duplicate_keys(), ["/valueQuantity"]);
//! assert_eq!(
//!     v.to_compact_string(),
//!     r#"{"resourceType":"Observation","valueQuantity":{"value":1.30},"valueQuantity":{"value":2}}"#
//! );
//! # Ok::<(), emr_core::json::JsonError>(())
//! ```

mod duplicates;
mod error;
mod parse;
mod pointer;
mod scan;
mod ser;
mod string;
mod value;
mod write;

pub use error::{Expected, JsonError, JsonErrorKind};
pub use parse::{parse, parse_bytes, MAX_DEPTH};
pub use pointer::escape_pointer_token;
pub(crate) use pointer::{push_escaped_token, push_index};
pub use scan::is_valid_number;
pub use value::Json;
pub use write::minify;
pub(crate) use write::{compact_len, compact_len_unescaped, push_compact, push_string};
