//! FHIR R4 in and out: import of resources and Bundles of any type with attribution of each
//! entry to the organization that asserted it; export as a `collection` Bundle with
//! `Provenance`, as Bulk Data NDJSON, and as an International Patient Summary.

mod attribution;
mod closed;
mod entries;
mod export;
mod extensions;
mod import;
mod index;
mod ips;
mod ips_sections;
mod narrative;
mod ndjson;
mod ndjson_writer;
mod own_ips;
mod refs;
mod rewrite;

pub use closed::{export_view, Exported};
pub use export::{stable_id, to_bundle, to_ndjson, to_view_bundle, ExportOptions};
pub(crate) use import::import_valid_resources;
pub use import::{import, import_bytes, import_tree, ImportError, ImportOptions, Imported};
pub use ips::{export_ips, to_ips, IpsError, ABSENT_UNKNOWN};
pub use ndjson::import_ndjson;
pub use ndjson_writer::NdjsonWriter;
pub use own_ips::{asserts_only_own, is_own_ips, own_ips_entries};
pub use refs::{KeptReference, ReferenceReport, Unresolved};
